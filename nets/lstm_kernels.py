"""Chainer's `L.LSTM` (`F.lstm`'s cell, the gates interleaved: row 4k + g of
the pre-activations is gate g of unit k, g = a, i, f, o) as compiled loops
(numba): the steps of one sequence forward with both products, the cell
alone for a batch of games one step each, and back-propagation through a
segment's steps.

Why: at batch 1 numpy spends a call per operation on 256-vectors, some 20
for a step's cell and 25 for a step of the backward pass, each costing more
than its arithmetic, and a Hogwild worker's every call is one step.  Here a
step is one pass over the units.  The matrix-vector products stay loops too:
over a 1024 x 256 matrix a loop costs what BLAS's call does (measured: 14 us
either way); the backward's reads the rows in order, so it runs in vector
lanes without reordering the sums.  The weight gradients and d(input), one
product over all the steps each, stay numpy's (compiled loops measured no
faster).  Measured (`python -m benchmarks.lstm`, docs/lstm_kernels.md): a
segment of 5 steps forward and backward 0.47 ms against numpy's 0.58; in
a Hogwild worker a few hundredths of a millisecond a step, as there the
layer's cost is mostly memory (2 MB of weights a step).

numba's tanh is a scalar call (10 ns; numpy's is vectorised); the gates'
sigmoid is 1 / (1 + exp(-x)), 3 ns, which differs from Chainer's
0.5 tanh(x / 2) + 0.5 only by rounding.
"""
import numba
import numpy as np

from compiled import compile_cached

_VECTOR = numba.types.Array(numba.float32, 1, 'C')
_MATRIX = numba.types.Array(numba.float32, 2, 'C')
_TAPE = numba.types.Array(numba.float32, 3, 'C')

# What the backward pass reads of each step: tape[t, row] for these rows.
A, IN, FORGET, OUT, C_PREV, TANH_C, H_PREV = range(7)
TAPE_ROWS = 7

_ONE = np.float32(1)


@numba.njit(inline='always')
def _sigmoid(x):
    return _ONE / (_ONE + np.exp(-x))


@numba.njit(inline='always')
def _unit(r, k, c_prev):
    """Unit k's gates from the pre-activations r, its cell c and tanh(c)."""
    a, i = np.tanh(r[4 * k]), _sigmoid(r[4 * k + 1])
    f, o = _sigmoid(r[4 * k + 2]), _sigmoid(r[4 * k + 3])
    c = a * i + f * c_prev
    return a, i, f, o, c, np.tanh(c)


# Reassociated (its own function, so the flag stays on this loop): each dot
# product's sum then runs in vector lanes.
@numba.njit(fastmath={'contract', 'reassoc'})
def _add_product(W, x, out):
    """out += W x."""
    for row in range(W.shape[0]):
        total = np.float32(0)
        for j in range(W.shape[1]):
            total += W[row, j] * x[j]
        out[row] += total


@compile_cached([numba.void(_MATRIX, _MATRIX, _VECTOR, _MATRIX, _VECTOR, _VECTOR, _MATRIX,
                             _TAPE)])
def forward(x, Wu, b, Wl, c, h, hs, tape):
    """T steps of one sequence from its inputs x (T, m) and the state (c, h),
    left in c and h: Wu (4n, m) and b the upward weight and bias, Wl (4n, n)
    the lateral weight; hs (T, n) gets the outputs, tape (T, TAPE_ROWS, n)
    what `backward` reads."""
    r = np.empty(b.shape[0], np.float32)
    for t in range(x.shape[0]):
        r[:] = b
        _add_product(Wu, x[t], r)
        _add_product(Wl, h, r)
        tape[t, H_PREV] = h
        for k in range(c.shape[0]):
            a, i, f, o, ck, tc = _unit(r, k, c[k])
            tape[t, A, k], tape[t, IN, k], tape[t, FORGET, k], tape[t, OUT, k] = a, i, f, o
            tape[t, C_PREV, k], tape[t, TANH_C, k] = c[k], tc
            c[k], h[k] = ck, o * tc
        hs[t] = h


@compile_cached([numba.void(_MATRIX, _MATRIX, _MATRIX)])
def cells(r, c, h):
    """One step of each of B games from their pre-activations r (B, 4n)
    (lateral product included): c (B, n) in and out, h (B, n) out."""
    for b in range(r.shape[0]):
        for k in range(c.shape[1]):
            o, ck, tc = _unit(r[b], k, c[b, k])[3:]
            c[b, k], h[b, k] = ck, o * tc


@compile_cached([numba.void(_MATRIX, _TAPE, _MATRIX, _MATRIX)], fastmath={'contract'})
def backward(dh_out, tape, Wl, dr):
    """dr (T, 4n): the gradient by each step's pre-activations, back through
    the T steps from the gradient by their outputs dh_out (T, n); none flows
    into the state the segment started from."""
    n = dh_out.shape[1]
    dh_next, dc = np.zeros(n, np.float32), np.zeros(n, np.float32)
    for t in range(dh_out.shape[0] - 1, -1, -1):
        g = tape[t]
        for k in range(n):
            a, i, f, o = g[A, k], g[IN, k], g[FORGET, k], g[OUT, k]
            tc = g[TANH_C, k]
            dh = dh_out[t, k] + dh_next[k]
            dck = dc[k] + dh * o * (_ONE - tc * tc)
            dr[t, 4 * k] = dck * i * (_ONE - a * a)
            dr[t, 4 * k + 1] = dck * a * i * (_ONE - i)
            dr[t, 4 * k + 2] = dck * g[C_PREV, k] * f * (_ONE - f)
            dr[t, 4 * k + 3] = dh * tc * o * (_ONE - o)
            dc[k] = dck * f
        if t > 0:
            dh_next[:] = 0
            for row in range(Wl.shape[0]):
                d = dr[t, row]
                for j in range(n):
                    dh_next[j] += d * Wl[row, j]
