"""`nets.vector`'s networks (the MLP torso; a softmax or the Gaussian policy;
FF or LSTM) written out in numpy, forward and backward, like `nets.numpy_fast`
does for the paper's Atari networks and for the same reason: at batch 1 a
Chainer pass costs several times what the network's arithmetic does (and, on
these tasks, what the environment's step does).  The LSTM is NumpyA3C's.

A step's policy output is one array: the logits, or the Gaussian's mean and
its variance before softplus side by side, so that a segment's outputs
concatenate as one.
"""
import functools

import numpy as np

from nets import lstm
from nets.actor_critic import A3CFF, A3CLSTM
from nets.numpy_fast import NumpyA3C
from nets.torso import MLPHead
from policies import (
    LOG_2PI,
    GaussianDistribution,
    GaussianPolicy,
    SoftmaxDistribution,
    SoftmaxPolicy,
    clipped_side,
    log_ndtr,
    log_ndtr_grad,
)


def supports(model):
    return (type(model) in (A3CFF, A3CLSTM) and type(model[0]) is MLPHead
            and type(model[-2]) in (SoftmaxPolicy, GaussianPolicy)
            and model[0][0].W.dtype == np.float32)


def _sigmoid(x):
    return 0.5 * (np.tanh(0.5 * x) + 1)


def softplus(x):
    return np.logaddexp(0, x)


def gaussian_loss_grad(out, actions, adv, beta, bounds=None):
    """-sum log N(a; mean, var) adv - beta sum H, and its gradient by `out`
    (the mean and the variance before softplus); with `bounds`, the clipped
    action policy gradient's log-probability (`GaussianDistribution.log_prob`)."""
    d = out.shape[1] // 2
    mean, pre = out[:, :d], out[:, d:]
    var = softplus(pre)
    drawn = np.asarray(actions, mean.dtype).reshape(mean.shape)
    diff = drawn - mean
    logp = -0.5 * (LOG_2PI + np.log(var) + diff * diff / var)
    dlogp_dmean = diff / var
    dlogp_dvar = 0.5 * (diff * diff / var - 1) / var
    if bounds is not None:
        side, bound = clipped_side(drawn, bounds)
        tail = side != 0
        sigma = np.sqrt(var[tail])
        z = ((mean[tail] - bound[tail]) * side[tail] / sigma).astype(np.float64)
        log_cdf = log_ndtr(z)
        logp[tail] = log_cdf
        dlogp_dz = log_ndtr_grad(z, log_cdf)
        dlogp_dmean[tail] = dlogp_dz * side[tail] / sigma
        dlogp_dvar[tail] = -0.5 * dlogp_dz * z / var[tail]
    entropy = 0.5 * (LOG_2PI + 1 + np.log(var)).sum(axis=1)
    loss = -(logp.sum(axis=1) * adv).sum() - beta * entropy.sum()
    a = adv[:, None]
    dmean = -a * dlogp_dmean
    dvar = -a * dlogp_dvar - 0.5 * beta / var
    return loss, np.concatenate([dmean, dvar * _sigmoid(pre)], axis=1)


class NumpyVectorA3C(NumpyA3C):
    """Reads the model's arrays on every call and leaves its gradient in their
    `.grad`, as NumpyA3C does.  `action_bounds`: the Gaussian's loss is the
    clipped action policy gradient's for that box."""

    def __init__(self, model, action_bounds=None):
        super().__init__(model)
        self.gaussian = type(model[-2]) is GaussianPolicy
        if self.gaussian:
            self.policy_loss_grad = functools.partial(gaussian_loss_grad, bounds=action_bounds)
        self.heads = [self.pi] + ([self.pi[:-2] + '1/'] if self.gaussian else [])

    def forward(self, obs, state):
        """(policy output (T, ...), values (T,), new state, cache for `_backward`)."""
        p = self.p
        x = self.model[0].standardise(obs)
        h0 = x @ p['/0/0/W'].array.T + p['/0/0/b'].array
        np.maximum(h0, 0, out=h0)
        h, lstm_cache = h0, None
        if self.lstm:
            h, state, lstm_cache = lstm.forward(p, h0, state)
        out = np.concatenate([h @ p[name + 'W'].array.T + p[name + 'b'].array
                              for name in self.heads], axis=1)
        v = h @ p[self.v + 'W'].array[0] + p[self.v + 'b'].array[0]
        return out, v, state, (h, (x, h0), lstm_cache)

    def distribution(self, out):
        if not self.gaussian:
            return SoftmaxDistribution(out)
        d = out.shape[1] // 2
        return GaussianDistribution(out[:, :d], softplus(out[:, d:]))

    def _backward(self, dout, dv, cache, n, lengths=None):
        p = self.p
        h, (x, h0), lstm_cache = cache
        h = h[:n]
        dh = np.outer(dv, p[self.v + 'W'].array[0])
        p[self.v + 'W'].grad[...] = dv @ h
        p[self.v + 'b'].grad[...] = dv.sum()
        column = 0
        for name in self.heads:
            W = p[name + 'W']
            dz = dout[:, column:column + len(W.array)]
            column += len(W.array)
            W.grad[...] = dz.T @ h
            p[name + 'b'].grad[...] = dz.sum(axis=0)
            dh += dz @ W.array
        if self.lstm:
            dh = lstm.backward(p, dh, lstm_cache, lengths)
        dh *= h0[:n] > 0
        p['/0/0/W'].grad[...] = dh.T @ x[:n]
        p['/0/0/b'].grad[...] = dh.sum(axis=0)
