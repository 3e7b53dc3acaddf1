"""Softmax policies over a discrete action set."""
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

    @property
    def log_probs(self):
        return F.log_softmax(self.logits)

    def log_prob(self, actions):
        return F.select_item(self.log_probs, np.asarray(actions, dtype=np.int32))

    @property
    def entropy(self):
        return -F.sum(F.softmax(self.logits) * self.log_probs, axis=1)



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
