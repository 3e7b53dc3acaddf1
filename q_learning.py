"""The paper's value-based agents: one-step Q-learning, one-step Sarsa and
n-step Q-learning.

They keep A3C's rhythm (a3c.py): at the start of every segment of at most
t_max steps a local copy takes the shared weights, and the agent acts
epsilon-greedily with it.  At the segment's end, or the episode's, the summed
squared TD errors of the whole segment, in one batched pass, give one gradient
that the shared optimizer applies to the shared weights.  The local copy does
not change within a segment, so this is the paper's gradient accumulated step
by step over t_max steps.

The targets come from theta-minus, a target network the caller makes (and
shares between processes): whoever acts at global step t, t a multiple of
`target_update_interval`, copies the shared weights into it.  The caller sets
`global_step` before each `act_and_train`.  Nothing here knows of processes
or files.
"""
import numpy as np

import chainer
from chainer import functions as F

from nets import numpy_fast
from a3c import n_step_returns
from agents.local_copy import LocalCopy, copy_params, params

# Every process anneals epsilon to one of these, drawn with these probabilities.
FINAL_EPSILONS = (0.1, 0.01, 0.5)
FINAL_EPSILON_PROBABILITIES = (0.4, 0.3, 0.3)


def draw_final_epsilon(rng):
    return float(rng.choice(FINAL_EPSILONS, p=FINAL_EPSILON_PROBABILITIES))


def epsilon_at(step, final, anneal_steps):
    """1 at global step 0, linearly down to `final` at `anneal_steps`, then `final`."""
    return 1.0 + (final - 1.0) * min(step / anneal_steps, 1.0)


class QAgent(object):
    """What the three methods share; each says how its targets are computed.

    Act with `act_and_train` and `stop_episode_and_train`; evaluate with `act`
    (epsilon-greedy with `eval_epsilon`).  The final epsilon is drawn from the
    seed, so every process gets its own."""

    def __init__(self, shared_model, target_model, optimizer, t_max=5, gamma=0.99,
                 target_update_interval=10 ** 4, epsilon_anneal_steps=10 ** 6,
                 eval_epsilon=0.05, seed=0, fast=True):
        self.shared_model = shared_model
        self.target_model = target_model
        self.optimizer = optimizer
        self.local = LocalCopy(shared_model)
        self.model = self.local.model
        fast = fast and numpy_fast.supports(self.model)
        self.fast = numpy_fast.NumpyQ(self.model) if fast else None
        self.fast_target = numpy_fast.NumpyQ(target_model) if fast else None
        self.t_max = t_max
        self.gamma = gamma
        self.target_update_interval = target_update_interval
        self.epsilon_anneal_steps = epsilon_anneal_steps
        self.eval_epsilon = eval_epsilon
        self.rng = np.random.RandomState(seed % (2 ** 32))
        self.final_epsilon = draw_final_epsilon(self.rng)
        self.global_step = 0
        self._shared_params = params(shared_model)
        self._target_params = params(target_model)
        self._begin_segment()
        self._stats = np.zeros(2)  # count, sum of max Q while acting

    @property
    def epsilon(self):
        return epsilon_at(self.global_step, self.final_epsilon, self.epsilon_anneal_steps)

    def _begin_segment(self):
        self.local.sync()
        self.past_obs, self.past_actions, self.past_rewards = [], [], []

    def _q(self, obs):
        if self.fast:
            return self.fast.forward(obs[None])[0][0]
        with chainer.no_backprop_mode():
            return self.model(obs[None]).array[0]

    def _target_q(self, observations):
        if self.fast_target:
            return self.fast_target.forward(np.stack(observations))[0]
        with chainer.no_backprop_mode():
            return self.target_model(np.stack(observations)).array

    def _epsilon_greedy(self, obs, epsilon):
        """Q is computed only when the greedy action is wanted: early in
        training, with epsilon near 1, acting costs almost nothing."""
        if self.rng.random_sample() < epsilon:
            return self.rng.randint(self.model.n_actions)
        return int(self._q(obs).argmax())

    def act_and_train(self, obs, reward):
        """`reward` is the one the previous action earned (ignored at an
        episode's start).  The action comes before the update: Sarsa's target
        for the segment's last step needs it."""
        if self.global_step % self.target_update_interval == 0:
            copy_params(self._shared_params, self._target_params)
        action = self._epsilon_greedy(obs, self.epsilon)
        if self.past_actions:
            self.past_rewards.append(reward)
            if len(self.past_actions) == self.t_max:
                self.update(obs, action)
        self.past_obs.append(obs)
        self.past_actions.append(action)
        return action

    def stop_episode_and_train(self, obs, reward, terminated):
        """Targets end with the reward at a terminal state; a truncated episode
        bootstraps from `obs` (and, for Sarsa, the action the policy would take there)."""
        self.past_rewards.append(reward)
        if terminated:
            self.update(None, None)
        else:
            self.update(obs, self._epsilon_greedy(obs, self.epsilon))

    def update(self, next_obs, next_action):
        """Gradient of sum (y - Q(s, a))^2 / 2 over the segment to the shared weights."""
        y = self.targets(next_obs, next_action)
        if self.fast:
            self.fast.loss_and_grads(np.stack(self.past_obs), self.past_actions, y)
        else:
            q = F.select_item(self.model(np.stack(self.past_obs)),
                              np.asarray(self.past_actions, dtype=np.int32))
            loss = F.sum(F.square(y.astype(q.dtype) - q)) / 2
            self.model.cleargrads()
            loss.backward()
        self.local.apply_gradient(self.optimizer)
        self._begin_segment()

    def act(self, obs, greedy=False):
        """Epsilon-greedy with `eval_epsilon` (or greedy) from the local
        weights, without learning."""
        q = self._q(obs)
        self._stats += (1, float(q.max()))
        if not greedy and self.rng.random_sample() < self.eval_epsilon:
            return self.rng.randint(len(q))
        return int(q.argmax())

    def statistics(self):
        """Averages over the states seen by `act` since the last call."""
        n, q = self._stats
        self._stats = np.zeros(2)
        return {'average_max_q': q / max(n, 1)}

    def stop_episode(self):
        """Nothing to forget between episodes: the network has no memory."""

    def sync(self):
        """Take the shared weights now, outside the rhythm of training."""
        self._begin_segment()


class OneStepAgent(QAgent):
    """y_i = r_i + gamma v(s_{i+1}) for each step of the segment, v = 0 at a
    terminal state; a method says what v is."""

    def targets(self, next_obs, next_action):
        next_states = self.past_obs[1:] + ([] if next_obs is None else [next_obs])
        values = np.zeros(len(self.past_rewards))
        if next_states:
            values[:len(next_states)] = self.next_values(
                self._target_q(next_states), next_action)
        return np.asarray(self.past_rewards) + self.gamma * values


class OneStepQLearning(OneStepAgent):
    """v(s') = max_a' Q(s', a'; theta-minus)."""

    def next_values(self, q, next_action):
        return q.max(axis=1)


class OneStepSarsa(OneStepAgent):
    """v(s') = Q(s', a'; theta-minus) with a' the action actually taken in s',
    so the update of a segment's last step waits until that action is chosen."""

    def next_values(self, q, next_action):
        taken = (self.past_actions[1:] + [next_action])[:len(q)]
        return q[np.arange(len(q)), taken]


class NStepQLearning(QAgent):
    """The forward view: y_i = r_i + gamma r_{i+1} + ... + gamma^(n-i) max_a
    Q(s_n, a; theta-minus) over the segment s_0 ... s_n, 0 after a terminal state."""

    def targets(self, next_obs, next_action):
        bootstrap = 0.0 if next_obs is None else float(self._target_q([next_obs]).max())
        return n_step_returns(self.past_rewards, bootstrap, self.gamma)


METHODS = {'one-step-q': OneStepQLearning, 'sarsa': OneStepSarsa,
           'n-step-q': NStepQLearning}
