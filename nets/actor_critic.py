"""A3C's networks, FF and LSTM, in the original Chainer repository's HDF5 layout."""
import numpy as np

import chainer
from chainer import functions as F
from chainer import links as L

from nets.torso import DQNHead, init_like_torch
from policies import SoftmaxPolicy
from v_functions import VFunction


class A3CFF(chainer.ChainList):
    """ChainList(head, policy, value): datasets `0/...`, `1/0/...`, `2/0/...`.
    `n_actions` is the softmax's action count, or with `policy=GaussianPolicy`
    the length of the action vector."""

    def __init__(self, n_actions, head=None, policy=SoftmaxPolicy):
        head = head or DQNHead()
        super().__init__(head, policy(head.n_output, n_actions),
                         VFunction(head.n_output))
        init_like_torch(self)

    def initial_state(self):
        return None

    def unroll(self, xs, state):
        """Policy and values for a sequence of observations, as one batch."""
        h = self[0](xs)
        return self[1](h), self[2](h), None


class A3CLSTM(chainer.ChainList):
    """ChainList(head, LSTM 256, policy, value): datasets `0/...`, `1/upward/...`,
    `1/lateral/W`, `2/0/...`, `3/0/...`."""

    def __init__(self, n_actions, head=None, n_cells=256, policy=SoftmaxPolicy):
        head = head or DQNHead()
        super().__init__(head, L.LSTM(head.n_output, n_cells),
                         policy(n_cells, n_actions), VFunction(n_cells))
        init_like_torch(self)

    def initial_state(self):
        lateral = self[1].lateral.W
        zeros = np.zeros((1, lateral.shape[1]), dtype=lateral.dtype)
        return zeros, zeros.copy()

    def unroll(self, xs, state):
        """The torso and the LSTM's input projection run as one batch over the
        sequence; only the recurrence itself steps.  The state comes in and
        goes out as arrays, so back-propagation stops at the sequence's ends."""
        lstm = self[1]
        upward = lstm.upward(self[0](xs))
        c, h = state
        hs = []
        for t in range(len(xs)):
            c, h = F.lstm(c, upward[t:t + 1] + lstm.lateral(h))
            hs.append(h)
        out = F.concat(hs, axis=0) if len(hs) > 1 else hs[0]
        return self[2](out), self[3](out), (c.array, h.array)
