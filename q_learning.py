"""The paper's value-based agents: one-step Q-learning, one-step Sarsa and
n-step Q-learning.

They keep A3C's rhythm (`agents.segment_agent`) and act epsilon-greedily with
the local copy.  At the segment's end, or the episode's, the summed squared
TD errors of the whole segment, in one batched pass, give one gradient.  The
local copy does not change within a segment, so this is the paper's gradient
accumulated step by step over t_max steps.

The targets come from theta-minus, a target network that the caller shares
between processes: whoever acts at global step t, t a multiple of
`target_update_interval`, copies the shared weights into it.
"""
import functools

import chainer
import numpy as np
from chainer import functions as F

from agents.local_copy import copy_params, params
from agents.returns import n_step_returns
from agents.segment_agent import SegmentAgent
from nets import numpy_fast

# The paper anneals each thread's epsilon to one of these, drawn with these
# probabilities.
FINAL_EPSILONS = (0.1, 0.01, 0.5)
FINAL_EPSILON_PROBABILITIES = (0.4, 0.3, 0.3)


def final_epsilon(worker, workers):
    """The paper's draw made deterministic: worker i of n takes the value at
    quantile (i + 1/2) / n of the distribution.  Sixteen workers get the
    paper's proportions (6, 5, 5); two get 0.1 and 0.5, and keep them on
    resume, where a draw from the process's seed changed with every resumption
    (a resumed Pong run once drew 0.5 for both of its workers)."""
    quantile = (worker + 0.5) / workers
    index = np.searchsorted(np.cumsum(FINAL_EPSILON_PROBABILITIES), quantile, side='right')
    return FINAL_EPSILONS[min(index, len(FINAL_EPSILONS) - 1)]


def one_step_targets(rewards, next_values, gamma):
    """y_i = r_i + gamma v(s_{i+1}); `next_values` stops short of the rewards
    when the segment ended in a terminal state (v = 0 there)."""
    values = np.zeros(len(rewards))
    values[:len(next_values)] = next_values
    return np.asarray(rewards) + gamma * values


def epsilon_at(step, final, anneal_steps):
    """1 at global step 0, linearly down to `final` at `anneal_steps`, then `final`."""
    return 1.0 + (final - 1.0) * min(step / anneal_steps, 1.0)


class QAgent(SegmentAgent):
    """What the three methods share; each says how its targets are computed.

    Training anneals epsilon from 1 to `final_epsilon`; evaluation (`act`)
    is epsilon-greedy with `eval_epsilon`."""

    STATISTICS = ('average_max_q',)
    CHOOSES_BEFORE_UPDATE = True

    def __init__(self, shared_model, target_model, optimizer, t_max=5, gamma=0.99,
                 target_update_interval=10 ** 4, epsilon_anneal_steps=10 ** 6,
                 final_epsilon=0.1, eval_epsilon=0.05, seed=0, lr_schedule=None, fast=True):
        super().__init__(shared_model, optimizer, t_max, gamma, seed, lr_schedule)
        self.target_model = target_model
        fast = fast and numpy_fast.supports(self.model)
        self.fast = numpy_fast.NumpyQ(self.model) if fast else None
        self.fast_target = numpy_fast.NumpyQ(target_model) if fast else None
        self.target_update_interval = target_update_interval
        self.epsilon_anneal_steps = epsilon_anneal_steps
        self.eval_epsilon = eval_epsilon
        self.final_epsilon = final_epsilon
        self.global_step = 0
        self._shared_params = params(shared_model)
        self._target_params = params(target_model)

    def at_step(self, step):
        """Epsilon follows the global step, and so do the target's refreshes."""
        super().at_step(step)
        self.global_step = step
        if step % self.target_update_interval == 0:
            copy_params(self._shared_params, self._target_params)

    @property
    def epsilon(self):
        return epsilon_at(self.global_step, self.final_epsilon, self.epsilon_anneal_steps)

    def _q(self, obs):
        if self.fast:
            return self.fast.forward(obs[None])[0][0]
        with chainer.no_backprop_mode():
            return self.model(obs[None]).array[0]

    def _epsilon_greedy(self, obs, epsilon):
        """Q is computed only when the greedy action is wanted: early in
        training, with epsilon near 1, acting costs almost nothing."""
        if self.rng.random_sample() < epsilon:
            return self.rng.randint(self.model.n_actions)
        return int(self._q(obs).argmax())

    def choose(self, obs):
        return self._epsilon_greedy(obs, self.epsilon), None

    def bootstrap_action(self, obs):
        return self._epsilon_greedy(obs, self.epsilon)

    def targets(self, next_obs, next_action):
        """The segment's; each method says how (`segment_targets`, which the
        queue's learner uses too), from theta-minus's Q of a list of states."""
        return self.segment_targets(functools.partial(_target_q, self), self.past_obs,
                                    self.past_actions, self.past_rewards, next_obs, next_action,
                                    self.gamma)

    def compute_gradient(self, next_obs, next_action):
        """Of sum (y - Q(s, a))^2 / 2 over the segment."""
        y = self.targets(next_obs, next_action)
        if self.fast:
            self.fast.loss_and_grads(np.stack(self.past_obs), self.past_actions, y)
            return
        q = F.select_item(self.model(np.stack(self.past_obs)),
                          np.asarray(self.past_actions, dtype=np.int32))
        loss = F.sum(F.square(y.astype(q.dtype) - q)) / 2
        self.model.cleargrads()
        loss.backward()

    def act(self, obs, greedy=False):
        """Epsilon-greedy with `eval_epsilon` (or greedy) from the local
        weights, without learning."""
        q = self._q(obs)
        self.record(float(q.max()))
        if not greedy and self.rng.random_sample() < self.eval_epsilon:
            return self.rng.randint(len(q))
        return int(q.argmax())


class OneStepAgent(QAgent):
    """y_i = r_i + gamma v(s_{i+1}) for each step of the segment, v = 0 at a
    terminal state; a method says what v is."""

    @classmethod
    def segment_targets(cls, target_q, obs, actions, rewards, next_obs, next_action, gamma):
        next_states = list(obs[1:]) + ([] if next_obs is None else [next_obs])
        values = cls.next_values(target_q(next_states), actions, next_action) \
            if next_states else []
        return one_step_targets(rewards, values, gamma)


class OneStepQLearning(OneStepAgent):
    """v(s') = max_a' Q(s', a'; theta-minus)."""

    @staticmethod
    def next_values(q, actions, next_action):
        return q.max(axis=1)


class OneStepSarsa(OneStepAgent):
    """v(s') = Q(s', a'; theta-minus) with a' the action actually taken in s',
    so the update of a segment's last step waits until that action is chosen."""

    @staticmethod
    def next_values(q, actions, next_action):
        taken = (list(actions[1:]) + [next_action])[:len(q)]
        return q[np.arange(len(q)), taken]


class NStepQLearning(QAgent):
    """The forward view: y_i = r_i + gamma r_{i+1} + ... + gamma^(n-i) max_a
    Q(s_n, a; theta-minus) over the segment s_0 ... s_n, 0 after a terminal state."""

    @staticmethod
    def segment_targets(target_q, obs, actions, rewards, next_obs, next_action, gamma):
        bootstrap = 0.0 if next_obs is None else float(target_q([next_obs]).max())
        return n_step_returns(rewards, bootstrap, gamma)


METHODS = {'one-step-q': OneStepQLearning, 'sarsa': OneStepSarsa,
           'n-step-q': NStepQLearning}


class QActor:
    """Chooses epsilon-greedy actions for a batch of games in one forward pass
    of the shared weights (the queue architecture's actors), annealing to
    `final_epsilon` as a Hogwild worker does."""

    def __init__(self, shared_model, seed, epsilon_anneal_steps=10 ** 6, final_epsilon=0.1):
        self.model = shared_model
        self.fast = numpy_fast.NumpyQ(shared_model) if numpy_fast.supports(
            shared_model) else None
        self.rng = np.random.RandomState(seed % (2 ** 32))
        self.final_epsilon = final_epsilon
        self.epsilon_anneal_steps = epsilon_anneal_steps
        self.epsilon = 1.0

    def at_step(self, step):
        self.epsilon = epsilon_at(step, self.final_epsilon, self.epsilon_anneal_steps)

    def initial_state(self):
        return None

    def act(self, observations, states):
        """(actions, zeros: value methods need no behaviour probabilities, the
        states: no memory)."""
        n = len(observations)
        explore = self.rng.random_sample(n) < self.epsilon
        actions = self.rng.randint(self.model.n_actions, size=n)
        if not explore.all():
            actions = np.where(explore, actions, _q_values(self, observations).argmax(axis=1))
        return actions, np.zeros(n, np.float32), states


class QLearner:
    """Learns from batches of segments the actors played (the queue
    architecture): the method's targets from theta-minus, as its Hogwild agent
    computes them (Sarsa's with the action the actor took after each
    segment), the batch's summed squared TD errors, one update."""

    def __init__(self, shared_model, target_model, optimizer, method, gamma=0.99,
                 target_update_interval=10 ** 4, lr_schedule=None):
        self.model, self.target_model = shared_model, target_model
        fast = numpy_fast.supports(shared_model)
        self.fast = numpy_fast.NumpyQ(shared_model) if fast else None
        self.fast_target = numpy_fast.NumpyQ(target_model) if fast else None
        self.optimizer, self.method, self.gamma = optimizer, METHODS[method], gamma
        self.target_update_interval = target_update_interval
        self.lr_schedule = lr_schedule
        self._shared_params, self._target_params = params(shared_model), params(target_model)
        self._refreshed = None

    def at_step(self, step):
        """The target takes the shared weights whenever the step passes a
        multiple of the interval (the learner sees the step in jumps)."""
        if self.lr_schedule is not None:
            self.optimizer.lr = self.lr_schedule(step)
        period = step // self.target_update_interval
        if period != self._refreshed:
            copy_params(self._shared_params, self._target_params)
            self._refreshed = period

    def learn(self, segments):
        """`segments`: `training.segment_buffer.Segment`s; returns the batch's loss."""
        obs = np.concatenate([s.obs for s in segments])
        actions = np.concatenate([s.actions for s in segments])
        y = np.concatenate([self.targets(s) for s in segments])
        if self.fast:
            loss = self.fast.loss_and_grads(obs, actions, y)
        else:
            q = F.select_item(self.model(obs), actions.astype(np.int32))
            loss = F.sum(F.square(y.astype(q.dtype) - q)) / 2
            self.model.cleargrads()
            loss.backward()
            loss = float(loss.array)
        self.optimizer.update()
        return loss

    def targets(self, segment):
        s = segment
        return self.method.segment_targets(functools.partial(_target_q, self), s.obs,
                                           s.actions, s.rewards, s.next_obs, s.next_action,
                                           self.gamma)


def _target_q(holder, states):
    """Q of a list of states by the holder's target network."""
    return _q_values(holder, np.stack(states), target=True)


def _q_values(holder, observations, target=False):
    """Q of a batch by the holder's shared (or target) network, fast path or graph."""
    fast = holder.fast_target if target else holder.fast
    if fast:
        return fast.forward(observations)[0]
    with chainer.no_backprop_mode():
        return (holder.target_model if target else holder.model)(observations).array
