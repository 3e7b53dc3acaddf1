"""A3C's networks, FF and LSTM, in the original Chainer repository's HDF5 layout."""
import chainer
import numpy as np
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

    def unroll_batch(self, xs, lengths, state):
        """Without memory, B sequences are one batch of rows."""
        return self.unroll(xs, None)


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
        """Policy and values for one sequence of observations from `state`."""
        return self.unroll_batch(xs, [len(xs)], state)

    def unroll_batch(self, xs, lengths, state):
        """The same for B sequences at once: `xs` their observations one
        after the other (lengths[b] rows each), `state` a row per sequence;
        rows come out in the order of `xs`, with each sequence's last state.

        The torso and the LSTM's input projection run as one batch over every
        row; only the recurrence steps, once per time step for all the
        sequences still going (sorted longest first, they are a prefix).  The
        state comes in and goes out as arrays, so back-propagation stops at
        the sequences' ends."""
        lstm = self[1]
        lengths = np.asarray(lengths)
        order = np.argsort(-lengths, kind='stable')
        starts = np.cumsum(lengths) - lengths
        sizes = [int((lengths > t).sum()) for t in range(lengths.max())]
        # row i of the time-major layout is row rows[i] of xs
        rows = np.concatenate([starts[order[:k]] + t for t, k in enumerate(sizes)])
        upward = lstm.upward(self[0](xs[rows]))
        c, h = state[0][order], state[1][order]
        hs, last, start = [], [], 0
        for k in sizes:
            if k < len(h):  # the shortest sequences have ended
                last.append((c[k:], h[k:]))
                c, h = c[:k], h[:k]
            c, h = F.lstm(c, upward[start:start + k] + lstm.lateral(h))
            hs.append(h)
            start += k
        last.append((c, h))
        out = F.concat(hs, axis=0) if len(hs) > 1 else hs[0]
        if len(order) > 1:
            out = F.permutate(out, rows.astype(np.int32), inv=True)
        unsort = np.argsort(order)
        c, h = (np.concatenate([_array(s[i]) for s in reversed(last)])[unsort] for i in (0, 1))
        return self[2](out), self[3](out), (c, h)


def _array(x):
    return getattr(x, 'array', x)
