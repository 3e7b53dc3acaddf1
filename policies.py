"""Policies: a softmax over a discrete action set, and the paper's Gaussian
over a box of real actions.  Each gives a distribution with what the A3C loss
needs (`log_prob`, `entropy`, rows taken with `[:n]`) and what acting and
V-trace need (`sample`, `log_prob_array`, `entropy_array`: numpy arrays in
and out)."""
import numpy as np

import chainer
from chainer import functions as F
from chainer import links as L


class SoftmaxPolicy(chainer.ChainList):
    """One linear layer to action logits (HDF5: `<i>/0/W`, `<i>/0/b`)."""

    def __init__(self, n_input, n_actions):
        super().__init__(L.Linear(n_input, n_actions))

    def forward(self, h):
        return SoftmaxDistribution(self[0](h))


class SoftmaxDistribution(object):
    """A batch of categorical distributions given by logits (a Variable)."""

    def __init__(self, logits):
        self.logits = logits

    def __getitem__(self, rows):
        return SoftmaxDistribution(self.logits[rows])

    def sample(self, rng, greedy=False):
        """One action per row (logits held as an array, as when acting)."""
        return sample(_array(self.logits), rng, greedy)

    def entropy_array(self):
        return entropy(_array(self.logits))

    def log_prob_array(self, actions):
        return log_softmax(_array(self.logits))[np.arange(len(actions)), actions]

    @property
    def log_probs(self):
        return F.log_softmax(self.logits)

    def log_prob(self, actions):
        return F.select_item(self.log_probs, np.asarray(actions, dtype=np.int32))

    @property
    def entropy(self):
        return -F.sum(F.softmax(self.logits) * self.log_probs, axis=1)


def _array(x):
    return getattr(x, 'array', x)


def sample(logits, rng, greedy=False):
    """One action per row of a logits array; the inverse-CDF draw costs one
    uniform number."""
    if greedy:
        return logits.argmax(axis=1)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    cdf = np.cumsum(p, axis=1)
    u = rng.random_sample(len(p)) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), p.shape[1] - 1)


def log_softmax(logits):
    """Of each row of a logits array, without overflow."""
    z = logits - logits.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def entropy(logits):
    """Of each row of a logits array."""
    logp = log_softmax(logits)
    return -(np.exp(logp) * logp).sum(axis=1)


class GaussianPolicy(chainer.ChainList):
    """The paper's continuous policy: a normal distribution per action
    dimension, its mean from one linear layer and its variance from another
    through softplus (HDF5: mean `<i>/0/W`, `<i>/0/b`; variance `<i>/1/W`, `<i>/1/b`)."""

    def __init__(self, n_input, action_size):
        super().__init__(L.Linear(n_input, action_size), L.Linear(n_input, action_size))

    def forward(self, h):
        return GaussianDistribution(self[0](h), F.softplus(self[1](h)))


class GaussianDistribution(object):
    """A batch of diagonal normal distributions; mean and variance are
    Variables (learning) or arrays (acting)."""

    def __init__(self, mean, var):
        self.mean = mean
        self.var = var

    def __getitem__(self, rows):
        return GaussianDistribution(self.mean[rows], self.var[rows])

    def log_prob(self, actions):
        """log N(a; mean, var), summed over the dimensions, in closed form."""
        a = np.asarray(actions, dtype=self.mean.dtype).reshape(self.mean.shape)
        return -0.5 * F.sum(LOG_2PI + F.log(self.var) + F.square(a - self.mean) / self.var,
                            axis=1)

    @property
    def entropy(self):
        return 0.5 * F.sum(LOG_2PI + 1 + F.log(self.var), axis=1)

    def sample(self, rng, greedy=False):
        """One action vector per row, unbounded: the environment clips it to
        its box, and the loss sees the action drawn."""
        mean = _array(self.mean)
        if greedy:
            return mean.copy()
        noise = rng.standard_normal(mean.shape).astype(mean.dtype)
        return mean + np.sqrt(_array(self.var)) * noise

    def entropy_array(self):
        return gaussian_entropy(_array(self.var))

    def log_prob_array(self, actions):
        """`log_prob`'s numbers, without a graph."""
        with chainer.no_backprop_mode():
            return self.log_prob(actions).array


LOG_2PI = float(np.log(2 * np.pi))


def gaussian_entropy(var):
    """Of each row of a variance array: 1/2 sum log(2 pi e var)."""
    return 0.5 * (LOG_2PI + 1 + np.log(var)).sum(axis=1)
