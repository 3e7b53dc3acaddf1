"""What every agent that learns in segments shares (A3C, one-step Q, Sarsa,
n-step Q): the paper's rhythm of a local copy, t_max steps, one update.

At the start of every segment the local copy takes the shared weights (the
paper's theta' <- theta).  The agent acts with it for at most t_max steps,
keeping the observations, actions and rewards; at the segment's end, or the
episode's, the method computes one gradient over the whole segment, the shared
optimizer applies it to the shared weights, and the next segment begins.

A method supplies `choose` (an action, and what its update may reuse of that
forward pass), `compute_gradient` (the segment's loss, its gradient left in
the local model's `.grad`) and `act` (evaluation).  Nothing here knows of
processes or files: where the shared weights live is the caller's business.
"""
import numpy as np

from agents.local_copy import LocalCopy


class SegmentAgent:
    """Train with `at_step`, `act_and_train` and `stop_episode_and_train`;
    evaluate with `act` and `stop_episode`.

    `lr_schedule(step)` gives the optimizer's learning rate at a global step.
    `STATISTICS` names what `statistics` reports, averaged over the states
    `act` saw."""

    STATISTICS = ()
    # Sarsa's target for a segment's last step needs the action taken after
    # it: those methods choose before they update, A3C after (with the new weights).
    CHOOSES_BEFORE_UPDATE = False

    def __init__(self, shared_model, optimizer, t_max, gamma, seed, lr_schedule=None):
        self.optimizer = optimizer
        self.local = LocalCopy(shared_model)
        self.model = self.local.model
        self.t_max = t_max
        self.gamma = gamma
        self.lr_schedule = lr_schedule
        self.rng = np.random.RandomState(seed % (2 ** 32))
        self.state = self.model.initial_state()  # a recurrent model's memory
        self._sums = np.zeros(1 + len(self.STATISTICS))  # count, then each statistic
        self._begin_segment()

    def at_step(self, step):
        """The loop's word of the global step the next action is taken at."""
        if self.lr_schedule is not None:
            self.optimizer.lr = self.lr_schedule(step)

    def _begin_segment(self):
        self.local.sync()
        self.segment_state = self.state
        self.past_obs, self.past_actions, self.past_rewards = [], [], []
        self.past_memos = []  # what `choose` computed that the update reuses

    def act_and_train(self, obs, reward):
        """`reward` is the one the previous action earned (ignored at an episode's start)."""
        full = len(self.past_actions) == self.t_max
        if self.past_actions:
            self.past_rewards.append(reward)
        if full and not self.CHOOSES_BEFORE_UPDATE:
            self.update(obs, None)
        action, memo = self.choose(obs)
        if full and self.CHOOSES_BEFORE_UPDATE:
            self.update(obs, action)
        self.past_obs.append(obs)
        self.past_actions.append(action)
        self.past_memos.append(memo)
        return action

    def stop_episode_and_train(self, obs, reward, terminated):
        """Targets end with the reward at a terminal state; a truncated episode
        (or a segment cut by a lost life that is not the game's end) bootstraps from `obs`."""
        self.past_rewards.append(reward)
        if terminated:
            self.update(None, None)
        else:
            self.update(obs, self.bootstrap_action(obs))
        self.stop_episode()
        self.segment_state = self.state

    def bootstrap_action(self, obs):
        """The action a truncated episode's target takes at `obs`, for methods that need one."""
        return

    def update(self, next_obs, next_action):
        """The segment's gradient, through the shared optimizer, to the shared weights."""
        self.compute_gradient(next_obs, next_action)
        self.local.apply_gradient(self.optimizer)
        self._begin_segment()

    def record(self, *values):
        """One state `act` saw: a value for each of `STATISTICS`."""
        self._sums += (1,) + values

    def statistics(self):
        """Averages over the states seen by `act` since the last call."""
        n, sums = self._sums[0], self._sums[1:]
        self._sums = np.zeros_like(self._sums)
        return {name: s / max(n, 1) for name, s in zip(self.STATISTICS, sums)}

    def stop_episode(self):
        self.state = self.model.initial_state()

    def sync(self):
        """Take the shared weights now, outside the rhythm of training."""
        self._begin_segment()
