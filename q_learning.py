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
import numpy as np

import chainer
from chainer import functions as F

from agents.local_copy import copy_params, params
from agents.returns import n_step_returns
from agents.segment_agent import SegmentAgent
from nets import numpy_fast

# Every process anneals epsilon to one of these, drawn with these probabilities.
FINAL_EPSILONS = (0.1, 0.01, 0.5)
FINAL_EPSILON_PROBABILITIES = (0.4, 0.3, 0.3)


def draw_final_epsilon(rng):
    return float(rng.choice(FINAL_EPSILONS, p=FINAL_EPSILON_PROBABILITIES))


def epsilon_at(step, final, anneal_steps):
    """1 at global step 0, linearly down to `final` at `anneal_steps`, then `final`."""
    return 1.0 + (final - 1.0) * min(step / anneal_steps, 1.0)


class QAgent(SegmentAgent):
    """What the three methods share; each says how its targets are computed.

    Evaluation (`act`) is epsilon-greedy with `eval_epsilon`.  The final
    epsilon is drawn from the seed, so every process gets its own."""

    STATISTICS = ('average_max_q',)
    CHOOSES_BEFORE_UPDATE = True

    def __init__(self, shared_model, target_model, optimizer, t_max=5, gamma=0.99,
                 target_update_interval=10 ** 4, epsilon_anneal_steps=10 ** 6,
                 eval_epsilon=0.05, seed=0, lr_schedule=None, fast=True):
        super().__init__(shared_model, optimizer, t_max, gamma, seed, lr_schedule)
        self.target_model = target_model
        fast = fast and numpy_fast.supports(self.model)
        self.fast = numpy_fast.NumpyQ(self.model) if fast else None
        self.fast_target = numpy_fast.NumpyQ(target_model) if fast else None
        self.target_update_interval = target_update_interval
        self.epsilon_anneal_steps = epsilon_anneal_steps
        self.eval_epsilon = eval_epsilon
        self.final_epsilon = draw_final_epsilon(self.rng)
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

    def choose(self, obs):
        return self._epsilon_greedy(obs, self.epsilon), None

    def bootstrap_action(self, obs):
        return self._epsilon_greedy(obs, self.epsilon)

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
