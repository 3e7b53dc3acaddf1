"""The A3C LSTM's recurrent layer (Chainer's `L.LSTM` at '/1/' of the model:
the upward product with its bias, the lateral one without) forward and
backward over the model's arrays, for `nets.numpy_fast` and
`nets.numpy_vector`.

The compiled loops of `nets.lstm_kernels` do the recurrence, step by step;
numpy (BLAS) does what is one product over every step or game at once: the
weight gradients, d(input), and the products of `step`'s batch of games.
What the backward pass needs of a call is one array (`lstm_kernels`' tape),
so a segment's steps concatenate as one.  The queue learner's batch holds
many sequences (`forward_sequences`); BPTT stops at their boundaries, and the
weight gradients stay one product each over all of their steps.
"""
import numpy as np

from nets import linear, lstm_kernels


def forward(p, x, state):
    """The steps of one sequence from the torso's outputs x (T, m) and the
    state (c, h), rows (1, n): (outputs (T, n), state after, cache)."""
    Wl = p['/1/lateral/W'].array
    c, h = (np.array(s[0], np.float32) for s in state)
    hs = np.empty((len(x), Wl.shape[1]), np.float32)
    tape = np.empty((len(x), lstm_kernels.TAPE_ROWS, Wl.shape[1]), np.float32)
    lstm_kernels.forward(np.ascontiguousarray(x, np.float32), p['/1/upward/W'].array,
                         p['/1/upward/b'].array, Wl, c, h, hs, tape)
    return hs, (c[None], h[None]), (x, tape)


def step(p, x, state):
    """One step of each of B games, each from its row of the state (c, h)."""
    r = x @ p['/1/upward/W'].array.T + p['/1/upward/b'].array
    r += state[1] @ p['/1/lateral/W'].array.T
    c = np.array(state[0], np.float32)
    h = np.empty_like(c)
    lstm_kernels.cells(r, c, h)
    return c, h


def forward_sequences(p, x, states, sequences):
    """Several sequences, sequences[k] the rows of x (N, m) that are sequence
    k's steps, in order, from the state states[k] (every row in one):
    (outputs (N, n) in x's order, cache for `backward`)."""
    n = p['/1/lateral/W'].array.shape[1]
    hs = np.empty((len(x), n), np.float32)
    tape = np.empty((len(x), lstm_kernels.TAPE_ROWS, n), np.float32)
    for rows, state in zip(sequences, states):
        hs[rows], _, (_, tape[rows]) = forward(p, x[rows], state)
    return hs, (x, tape)


def backward(p, dh_out, cache, lengths=None):
    """The layer's gradients into the parameters' `.grad`, from d(outputs)
    dh_out of the first n = len(dh_out) steps of `cache`; returns d(x).
    Those steps are one sequence, or with `lengths` several one after the
    other (lengths[k] steps each): no gradient flows from one into another."""
    x, tape = cache
    n = len(dh_out)
    dh_out = np.ascontiguousarray(dh_out, np.float32)
    dr = np.empty((n, tape.shape[2] * 4), np.float32)
    start = 0
    for length in lengths or [n]:
        end = start + length
        lstm_kernels.backward(dh_out[start:end], tape[start:end], p['/1/lateral/W'].array,
                              dr[start:end])
        start = end
    linear.weight_grad(dr, tape[:n, lstm_kernels.H_PREV], p['/1/lateral/W'].grad)
    linear.weight_grad(dr, x[:n], p['/1/upward/W'].grad)
    p['/1/upward/b'].grad[...] = dr.sum(axis=0)
    return dr @ p['/1/upward/W'].array
