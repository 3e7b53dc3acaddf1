"""The A3C agent: the actor-critic loss of a segment and its gradient.

The rhythm (a local copy synced at every segment's start, t_max steps, one
update) is `agents.segment_agent`'s.  The paper's networks take a numpy fast
path (`nets/numpy_fast.py`, and `nets/numpy_vector.py` for vector state) that
computes the same loss and gradient without Chainer's per-operation overhead,
reusing the activations computed while acting; any other model, or
`fast=False`, goes through Chainer's graph.  The policy, a softmax or a
Gaussian, samples its own actions.
"""
import numpy as np

import chainer
from chainer import functions as F

from agents.returns import n_step_returns
from agents.segment_agent import SegmentAgent
from nets import numpy_fast, numpy_vector


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
        pi, v = pi[:n], v[:n]
    v = F.reshape(v, (n,))
    advantages = returns - v.array  # a constant: no gradient flows through it
    pi_loss = -F.sum(pi.log_prob(actions) * advantages) - beta * F.sum(pi.entropy)
    v_loss = F.sum(F.square(returns - v)) / 2
    return pi_loss + v_loss_coef * v_loss


def fast_path(model):
    """The numpy version of the model's network, or None: Chainer's graph."""
    if numpy_fast.supports(model):
        return numpy_fast.NumpyA3C(model)
    if numpy_vector.supports(model):
        return numpy_vector.NumpyVectorA3C(model)
    return None


class A3C(SegmentAgent):

    STATISTICS = ('average_value', 'average_entropy')

    def __init__(self, shared_model, optimizer, t_max=5, gamma=0.99, beta=1e-2,
                 v_loss_coef=0.5, seed=0, lr_schedule=None, fast=True):
        super().__init__(shared_model, optimizer, t_max, gamma, seed, lr_schedule)
        self.fast = fast_path(self.model) if fast else None
        self.beta = beta
        self.v_loss_coef = v_loss_coef

    def _forward(self, obs):
        """(the policy's distribution over arrays, values, what the fast
        path's update reuses or None) for one observation; advances the LSTM state."""
        if self.fast:
            out, v, self.state, cache = self.fast.forward(obs[None], self.state)
            return self.fast.distribution(out), v, (out, v, cache)
        with chainer.no_backprop_mode():
            pi, v, self.state = self.model.unroll(obs[None], self.state)
        return pi, v.array[:, 0], None

    def choose(self, obs):
        pi, _, memo = self._forward(obs)
        return pi.sample(self.rng)[0], memo

    def compute_gradient(self, next_obs, next_action):
        if self.fast:
            bootstrap = 0.0
            if next_obs is not None:
                bootstrap = float(self.fast.forward(next_obs[None], self.state)[1][0])
            self.fast.loss_and_grads(self.past_memos, self.past_actions, self.past_rewards,
                                     bootstrap, self.gamma, self.beta, self.v_loss_coef)
            return
        loss = a3c_loss(self.model, self.segment_state, np.stack(self.past_obs),
                        self.past_actions, self.past_rewards, next_obs,
                        self.gamma, self.beta, self.v_loss_coef)
        self.model.cleargrads()
        loss.backward()

    def act(self, obs, greedy=False):
        """An action from the current local weights, without learning."""
        pi, v, _ = self._forward(obs)
        self.record(float(v[0]), float(pi.entropy_array()[0]))
        return pi.sample(self.rng, greedy)[0]
