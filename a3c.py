"""The A3C agent: acting, n-step returns, the actor-critic loss and its update.

The agent keeps a local copy of the model.  At the start of every segment of
at most t_max steps it copies the shared weights into it (the paper's
theta' <- theta), acts with it, then computes the loss of the whole segment in
one batched forward pass and hands the gradient to the shared optimizer.
It knows nothing about where the shared weights live or who else uses them.

The paper's networks take a numpy fast path (nets/numpy_fast.py) that computes the
same loss and gradient without Chainer's per-operation overhead; any other
model, or `fast=False`, goes through Chainer's graph.
"""
import numpy as np

import chainer
from chainer import functions as F

from nets import numpy_fast
import policies
from agents.local_copy import LocalCopy


def n_step_returns(rewards, bootstrap, gamma):
    """R_t = r_t + gamma r_{t+1} + ... + gamma^k bootstrap, computed backwards."""
    R = bootstrap
    returns = np.empty(len(rewards))
    for i in reversed(range(len(rewards))):
        R = rewards[i] + gamma * R
        returns[i] = R
    return returns


def a3c_loss(model, state, obs, actions, rewards, bootstrap_obs, gamma, beta,
             v_loss_coef):
    """The segment's loss: sum of -log pi(a|s) (R - V) - beta H + coef (R - V)^2 / 2.

    With `bootstrap_obs` the return is bootstrapped from V of it; without, the
    segment ended in a terminal state."""
    n = len(actions)
    xs = obs if bootstrap_obs is None else np.concatenate([obs, bootstrap_obs[None]])
    pi, v, _ = model.unroll(xs, state)
    bootstrap = 0.0 if bootstrap_obs is None else float(v.array[n, 0])
    returns = n_step_returns(rewards, bootstrap, gamma).astype(v.dtype)
    if bootstrap_obs is not None:
        pi.logits, v = pi.logits[:n], v[:n]
    v = F.reshape(v, (n,))
    advantages = returns - v.array  # a constant: no gradient flows through it
    pi_loss = -F.sum(pi.log_prob(actions) * advantages) - beta * F.sum(pi.entropy)
    v_loss = F.sum(F.square(returns - v)) / 2
    return pi_loss + v_loss_coef * v_loss


class A3C(object):
    """Act with `act_and_train` and `stop_episode_and_train`; evaluate with `act`."""

    def __init__(self, shared_model, optimizer, t_max=5, gamma=0.99, beta=1e-2,
                 v_loss_coef=0.5, seed=0, fast=True):
        self.optimizer = optimizer
        self.local = LocalCopy(shared_model)
        self.model = self.local.model
        self.fast = (numpy_fast.NumpyA3C(self.model)
                     if fast and numpy_fast.supports(self.model) else None)
        self.t_max = t_max
        self.gamma = gamma
        self.beta = beta
        self.v_loss_coef = v_loss_coef
        self.rng = np.random.RandomState(seed % (2 ** 32))
        self.state = self.model.initial_state()
        self._begin_segment()
        self._stats = np.zeros(3)  # count, sum of V, sum of entropy while acting

    def _begin_segment(self):
        self.local.sync()
        self.segment_state = self.state
        self.past_obs, self.past_actions, self.past_rewards = [], [], []
        self.past_steps = []  # the fast path's activations, kept for the update

    def _forward(self, obs):
        """(logits, values, fast-path cache or None) for one observation;
        advances the LSTM state."""
        if self.fast:
            logits, v, self.state, cache = self.fast.forward(obs[None], self.state)
            return logits, v, cache
        with chainer.no_backprop_mode():
            pi, v, self.state = self.model.unroll(obs[None], self.state)
        return pi.logits.array, v.array[:, 0], None

    def act_and_train(self, obs, reward):
        """`reward` is the one the previous action earned (ignored at an episode's start)."""
        if self.past_actions:
            self.past_rewards.append(reward)
            if len(self.past_actions) == self.t_max:
                self.update(obs)
        step = self._forward(obs)
        action = int(policies.sample(step[0], self.rng)[0])
        if self.fast:
            self.past_steps.append(step)
        self.past_obs.append(obs)
        self.past_actions.append(action)
        return action

    def stop_episode_and_train(self, obs, reward, terminated):
        """An episode ended: bootstrap from V(obs) unless it ended in a terminal state."""
        self.past_rewards.append(reward)
        self.update(None if terminated else obs)
        self.state = self.model.initial_state()
        self.segment_state = self.state

    def update(self, bootstrap_obs):
        if self.fast:
            bootstrap = 0.0
            if bootstrap_obs is not None:
                bootstrap = float(self.fast.forward(bootstrap_obs[None], self.state)[1][0])
            self.fast.loss_and_grads(self.past_steps, self.past_actions, self.past_rewards,
                                     bootstrap, self.gamma, self.beta, self.v_loss_coef)
        else:
            loss = a3c_loss(self.model, self.segment_state, np.stack(self.past_obs),
                            self.past_actions, self.past_rewards, bootstrap_obs,
                            self.gamma, self.beta, self.v_loss_coef)
            self.model.cleargrads()
            loss.backward()
        self.local.apply_gradient(self.optimizer)
        self._begin_segment()

    def act(self, obs, greedy=False):
        """An action from the current local weights, without learning."""
        logits, v, _ = self._forward(obs)
        self._stats += (1, float(v[0]), float(policies.entropy(logits)[0]))
        return int(policies.sample(logits, self.rng, greedy)[0])

    def statistics(self):
        """Averages over the states seen by `act` since the last call."""
        n, v, h = self._stats
        self._stats = np.zeros(3)
        return {'average_value': v / max(n, 1), 'average_entropy': h / max(n, 1)}

    def stop_episode(self):
        self.state = self.model.initial_state()

    def sync(self):
        """Take the shared weights now, outside the rhythm of training."""
        self._begin_segment()
