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

import policies
from agents.returns import n_step_returns, vtrace
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
    returns = n_step_returns(rewards, bootstrap, gamma)
    return graph_loss(pi, v, actions, returns, beta, v_loss_coef)


def graph_loss(pi, v, actions, returns, beta, v_loss_coef, advantages=None):
    """The actor-critic loss in Chainer's graph over the first len(actions)
    rows; the advantages are returns - V (a constant) unless given."""
    n = len(actions)
    pi, v = pi[:n], F.reshape(v[:n], (n,))
    returns = np.asarray(returns, dtype=v.dtype)
    advantages = returns - v.array if advantages is None else np.asarray(advantages, v.dtype)
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
            returns = n_step_returns(self.past_rewards, bootstrap, self.gamma)
            self.fast.loss_and_grads(self.past_memos, self.past_actions, returns,
                                     self.beta, self.v_loss_coef)
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


class A3CActor(object):
    """Chooses actions for a batch of games in one forward pass of the shared
    weights, as they are now (the queue architecture's actors: read-only)."""

    def __init__(self, shared_model, seed):
        if shared_model.initial_state() is not None:
            raise ValueError('the queue architecture supports feed-forward networks only')
        self.model = shared_model
        self.fast = numpy_fast.NumpyA3C(shared_model) if numpy_fast.supports(
            shared_model) else None
        self.rng = np.random.RandomState(seed % (2 ** 32))

    def at_step(self, step):
        """Its policy is the shared weights' whatever the step."""

    def act(self, observations):
        """(actions, log mu(a|x) of each) for a batch of observations."""
        if self.fast:
            logits = self.fast.forward(observations, None)[0]
        else:
            with chainer.no_backprop_mode():
                logits = self.model.unroll(observations, None)[0].logits.array
        actions = policies.sample(logits, self.rng)
        log_mu = policies.log_softmax(logits)[np.arange(len(actions)), actions]
        return actions, log_mu


class A3CLearner(object):
    """Learns from batches of segments that actors played with older weights:
    one forward pass over the whole batch, V-trace targets for each segment
    (the n-step returns with `vtrace=False`), one update of the shared weights."""

    def __init__(self, shared_model, optimizer, gamma=0.99, beta=1e-2, v_loss_coef=0.5,
                 vtrace=True, rho_bar=1.0, c_bar=1.0, lr_schedule=None):
        self.model = shared_model
        self.fast = numpy_fast.NumpyA3C(shared_model) if numpy_fast.supports(
            shared_model) else None
        self.optimizer = optimizer
        self.gamma, self.beta, self.v_loss_coef = gamma, beta, v_loss_coef
        self.vtrace, self.rho_bar, self.c_bar = vtrace, rho_bar, c_bar
        self.lr_schedule = lr_schedule

    def at_step(self, step):
        if self.lr_schedule is not None:
            self.optimizer.lr = self.lr_schedule(step)

    def learn(self, segments):
        """`segments`: (observations, actions, rewards, log mu, next observation
        or None after a terminal state) each; returns the batch's loss."""
        later = [s[4] for s in segments if s[4] is not None]
        obs = np.concatenate([s[0] for s in segments] + ([np.stack(later)] if later else []))
        actions = np.concatenate([s[1] for s in segments])
        n = len(actions)
        if self.fast:
            logits, v, _, cache = self.fast.forward(obs, None)
        else:
            pi, v_var, _ = self.model.unroll(obs, None)
            logits, v = pi.logits.array, v_var.array[:, 0]
        log_pi = policies.log_softmax(logits[:n])[np.arange(n), actions]
        targets, advantages = self._targets(segments, v, log_pi, n)
        if self.fast:
            loss = self.fast.loss_and_grads([(logits, v, cache)], actions, targets,
                                            self.beta, self.v_loss_coef, advantages)
        else:
            loss = graph_loss(pi, v_var, actions, targets, self.beta, self.v_loss_coef,
                              advantages)
            self.model.cleargrads()
            loss.backward()
            loss = float(loss.array)
        self.optimizer.update()
        return loss

    def _targets(self, segments, v, log_pi, n):
        targets, advantages = np.empty(n), np.empty(n)
        start, bootstrap_row = 0, n
        for _, acts, rewards, log_mu, next_obs in segments:
            end = start + len(acts)
            bootstrap = 0.0
            if next_obs is not None:
                bootstrap, bootstrap_row = float(v[bootstrap_row]), bootstrap_row + 1
            if self.vtrace:
                targets[start:end], advantages[start:end] = vtrace(
                    rewards, v[start:end], bootstrap, log_pi[start:end] - log_mu,
                    self.gamma, self.rho_bar, self.c_bar)
            else:
                targets[start:end] = n_step_returns(rewards, bootstrap, self.gamma)
                advantages[start:end] = targets[start:end] - v[start:end]
            start = end
        return targets, advantages
