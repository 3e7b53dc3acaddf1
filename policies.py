"""Policies: a softmax over a discrete action set, and the paper's Gaussian
over a box of real actions.  Each gives a distribution with what the A3C loss
needs (`log_prob`, `entropy`, rows taken with `[:n]`) and what acting and
V-trace need (`sample`, `log_prob_array`, `entropy_array`: numpy arrays in
and out)."""
import math

import chainer
import numpy as np
from chainer import function_node
from chainer import functions as F
from chainer import links as L


class SoftmaxPolicy(chainer.ChainList):
    """One linear layer to action logits (HDF5: `<i>/0/W`, `<i>/0/b`)."""

    def __init__(self, n_input, n_actions):
        super().__init__(L.Linear(n_input, n_actions))

    def forward(self, h):
        return SoftmaxDistribution(self[0](h))


class SoftmaxDistribution:
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

    def log_prob_array(self, actions, bounds=None):
        """`bounds` as the Gaussian's, for one call to serve both: a choice
        is never clipped, so they must be None."""
        assert bounds is None
        return log_softmax(_array(self.logits))[np.arange(len(actions)), actions]

    @property
    def log_probs(self):
        return F.log_softmax(self.logits)

    def log_prob(self, actions, bounds=None):
        assert bounds is None  # as in log_prob_array
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


class GaussianDistribution:
    """A batch of diagonal normal distributions; mean and variance are
    Variables (learning) or arrays (acting)."""

    def __init__(self, mean, var):
        self.mean = mean
        self.var = var

    def __getitem__(self, rows):
        return GaussianDistribution(self.mean[rows], self.var[rows])

    def log_prob(self, actions, bounds=None):
        """log N(a; mean, var), summed over the dimensions, in closed form.

        With `bounds` (low, high), the clipped action policy gradient's
        (Fujita & Maeda 2018): the environment plays a draw at or beyond a
        bound as the bound itself, so such a dimension counts the log of the
        probability of the whole tail beyond it, log Phi((low - mean) / sigma)
        or log Phi((mean - high) / sigma).  The expected gradient is the
        same, its noise less: where every draw is clipped to one bound the
        density's gradient still follows the draws' noise (a mean that left
        the box wanders on), this one nearly vanishes and points back into
        the box when those draws did badly."""
        a = np.asarray(actions, dtype=self.mean.dtype).reshape(self.mean.shape)
        logp = -0.5 * (LOG_2PI + F.log(self.var) + F.square(a - self.mean) / self.var)
        if bounds is not None:
            side, bound = clipped_side(a, bounds)
            z = (self.mean - bound) * side / F.sqrt(self.var)
            logp = F.where(side != 0, LogNdtr().apply((z,))[0], logp)
        return F.sum(logp, axis=1)

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

    def log_prob_array(self, actions, bounds=None):
        """`log_prob`'s numbers, without a graph."""
        with chainer.no_backprop_mode():
            return self.log_prob(actions, bounds).array


LOG_2PI = float(np.log(2 * np.pi))


def clipped_side(actions, bounds):
    """(-1 where an action is at or below its low bound, 1 at or above its
    high one, else 0; that bound, or high inside), in the actions' dtype."""
    low, high = bounds
    side = np.where(actions <= low, -1, np.where(actions >= high, 1, 0)).astype(actions.dtype)
    return side, np.where(side < 0, low, high).astype(actions.dtype)


_erfc = np.vectorize(math.erfc, otypes=[np.float64])
# Below this, math.erfc(-z / sqrt 2) nears its underflow; the asymptotic series
# log Phi(z) = log phi(z) - log(-z) + log(1 - 1/z^2 + 3/z^4 - ...) is exact to
# about 1e-13 there.
TAIL = -37.0


def log_ndtr(z):
    """log Phi(z), the standard normal CDF's, finite for every finite z.
    Chainer's F.log_ndtr needs SciPy on the CPU, which this project does not
    install."""
    z = np.asarray(z)
    x = z.astype(np.float64)
    q = 0.5 * _erfc(np.abs(x) / math.sqrt(2))  # Phi(-|z|)
    t = np.minimum(x, TAIL)
    w = 1 / (t * t)
    series = (-0.5 * (t * t + LOG_2PI) - np.log(-t)
              + np.log1p(w * (-1 + w * (3 + w * (-15 + w * 105)))))
    with np.errstate(divide='ignore'):  # log 0 where erfc underflowed: the series' there
        out = np.where(x > 0, np.log1p(-q), np.where(x < TAIL, series, np.log(q)))
    return out.astype(z.dtype)


def log_ndtr_grad(z, log_cdf):
    """d log Phi(z) / dz = phi(z) / Phi(z), from float64 z and log Phi(z)
    (`log_ndtr`), as exp(log phi - log Phi): no overflow, no 0 / 0 in the
    tails.  (In float32 that difference would lose its digits far in the
    left tail, where both logs are large.)"""
    return np.exp(-0.5 * (z * z + LOG_2PI) - log_cdf)


class LogNdtr(function_node.FunctionNode):
    """`log_ndtr` in Chainer's graph (first derivatives only)."""

    def forward(self, inputs):
        self.retain_inputs((0,))
        return log_ndtr(inputs[0]),

    def backward(self, indexes, grad_outputs):
        z = self.get_retained_inputs()[0].array.astype(np.float64)
        return grad_outputs[0] * log_ndtr_grad(z, log_ndtr(z)).astype(grad_outputs[0].dtype),


def gaussian_entropy(var):
    """Of each row of a variance array: 1/2 sum log(2 pi e var)."""
    return 0.5 * (LOG_2PI + 1 + np.log(var)).sum(axis=1)
