"""The DQN torso's second convolution (4x4 stride 2, 16 -> 32 channels,
(n, 20, 20, 16) -> (n, 9, 9, 32), ReLU), forward and backward, as BLAS
products over space-to-depth blocks, like `nets.conv1`.

Why: a 4x4 patch at stride 2 is 2x2 whole 2x2 blocks.  The input becomes
10 x 10 blocks of 64 values (2 x 2 pixels x 16 channels), and
    forward:  Y = blocks (100 a frame, 64) @ W' (64, 4 x 32), all four block
              offsets (di, dj) in one product; the output pixel (oy, ox) sums
              Y's offset-(di, dj) columns at block (oy + di, ox + dj);
    backward: D spreads d(output) to the block each offset read, then
              dW' = blocks.T @ D and d(blocks) = D @ W'.T: that last product
              is the whole col2im, so no strided adds into a zeroed array.
The kernels around the products fuse what numpy did in separate passes: the
shifted sum adds the bias, applies the ReLU and writes the output in
Chainer's flatten order (channel, row, column) for the linear layer, so no
transposed copy; the spread applies the ReLU's mask and sums the bias
gradient; the unblocking applies conv1's ReLU mask and sums its bias gradient.
The blocks are 23% more rows than the 81 patches, so the products do 23% more
FLOPs than im2col's, but nothing copies the 4x larger im2col (docs/torso.md).
The batch goes through in conv1's chunks of frames.
"""
import numba
import numpy as np

from compiled import compile_cached
from nets import conv1

_F32_1 = numba.types.Array(numba.float32, 1, 'C')
_F32_2 = numba.types.Array(numba.float32, 2, 'C')
_F32_4 = numba.types.Array(numba.float32, 4, 'C')


@compile_cached([numba.void(_F32_2, _F32_1, _F32_2)])
def _shifted_sum(Y, b, f):
    """f[n, 81 o + 9 oy + ox] = relu(b[o] + the sum over offsets (di, dj) of
    Y's columns (di, dj, o) at block (oy + di, ox + dj) of frame n)."""
    for n in range(f.shape[0]):
        for oy in range(9):
            for ox in range(9):
                r = 100 * n + 10 * oy + ox
                for o in range(32):
                    v = (b[o] + Y[r, o] + Y[r + 1, 32 + o] + Y[r + 10, 64 + o]
                         + Y[r + 11, 96 + o])
                    f[n, 81 * o + 9 * oy + ox] = max(v, np.float32(0))


@compile_cached([numba.void(_F32_2, _F32_2, _F32_2, _F32_1)])
def _spread(df, f, D, db):
    """D[block (by, bx), (di, dj, o)] = d2[by - di, bx - dj, o], zero outside
    the 9 x 9 output, where d2 = df masked by the ReLU (f > 0); db += its sum
    over pixels.  d2 goes first into a (pixel, channel) tile with a border of
    zeros, so that each row of D is four unconditional runs of 32."""
    t = np.zeros((11, 11, 32), np.float32)
    for n in range(df.shape[0]):
        for o in range(32):
            for oy in range(9):
                for ox in range(9):
                    k = 81 * o + 9 * oy + ox
                    t[oy + 1, ox + 1, o] = df[n, k] if f[n, k] > 0 else np.float32(0)
        for oy in range(9):
            for ox in range(9):
                for o in range(32):
                    db[o] += t[oy + 1, ox + 1, o]
        for by in range(10):
            for bx in range(10):
                row = D[100 * n + 10 * by + bx]
                a, b, c, d = t[by + 1, bx + 1], t[by + 1, bx], t[by, bx + 1], t[by, bx]
                for o in range(32):
                    row[o] = a[o]
                    row[32 + o] = b[o]
                    row[64 + o] = c[o]
                    row[96 + o] = d[o]


@compile_cached([numba.void(_F32_2, _F32_4, _F32_4, _F32_1)])
def _unblock(dblocks, h1, d1, db1):
    """d1[f, 2 by + ki, 2 bx + kj, c] = dblocks[100 f + 10 by + bx, (ki, kj,
    c)] where h1 > 0 (conv1's ReLU), else 0; db1 += its sum over pixels.  h1
    and d1 come as (f, 20, 10, 32): runs of 32."""
    acc = np.zeros(32, np.float32)
    for n in range(d1.shape[0]):
        for y in range(20):
            for bx in range(10):
                row = dblocks[100 * n + 10 * (y // 2) + bx]
                k = 32 * (y % 2)
                for j in range(32):
                    g = row[k + j] if h1[n, y, bx, j] > 0 else np.float32(0)
                    d1[n, y, bx, j] = g
                    acc[j] += g
    db1 += acc[:16] + acc[16:]


@compile_cached([numba.void(_F32_4, _F32_2, numba.boolean)])
def _relayout(W, Wb, back):
    """Wb[(ki, kj, c), (di, dj, o)] = W[o, c, 2 di + ki, 2 dj + kj], the
    weights by block, or W from Wb where `back` (the gradient): numpy's 6-d
    transposes of these 8192 floats took 5 and 17 µs, this 5 and 3."""
    for o in range(32):
        for c in range(16):
            for i in range(4):
                for j in range(4):
                    r, q = 32 * (i % 2) + 16 * (j % 2) + c, 64 * (i // 2) + 32 * (j // 2) + o
                    if back:
                        W[o, c, i, j] = Wb[r, q]
                    else:
                        Wb[r, q] = W[o, c, i, j]


def _block_weights(W):
    """(32, 16, 4, 4) -> (64, 128): rows (ki, kj, c) of a block, columns
    (di, dj, o), kernel row 2 di + ki and column 2 dj + kj."""
    Wb = np.empty((64, 128), np.float32)
    _relayout(W, Wb, False)
    return Wb


def forward(W, b, h1):
    """relu(conv2(h1)) as (n, 2592) in Chainer's flatten order, and the
    blocks (n * 100, 64) that `backward` reads."""
    n = len(h1)
    blocks = h1.reshape(n, 10, 2, 10, 32).transpose(0, 1, 3, 2, 4).reshape(100 * n, 64)
    Wb = _block_weights(W)
    Y = np.empty((100 * min(n, conv1.CHUNK), 128), np.float32)
    f = np.empty((n, 2592), np.float32)
    for lo, hi in conv1.chunks(n):
        y = Y[:100 * (hi - lo)]
        np.matmul(blocks[100 * lo:100 * hi], Wb, out=y)
        _shifted_sum(y, b, f[lo:hi])
    return f, blocks


def backward(W, df, f, blocks, h1):
    """From d(output) df (n, 2592) and what `forward` kept (of n frames or
    more): (dW (32, 16, 4, 4), db (32,), d(conv1's output) through conv1's
    ReLU (n, 20, 20, 16), d(conv1's bias) (16,))."""
    n = len(df)
    Wb = _block_weights(W)
    D = np.empty((100 * min(n, conv1.CHUNK), 128), np.float32)
    dblocks = np.empty((len(D), 64), np.float32)
    G, db, db1 = np.zeros((64, 128), np.float32), np.zeros(32, np.float32), np.zeros(16, np.float32)
    d1 = np.empty((n, 20, 20, 16), np.float32)
    h1r, d1r = h1.reshape(-1, 20, 10, 32), d1.reshape(n, 20, 10, 32)
    for lo, hi in conv1.chunks(n):
        d, rows = D[:100 * (hi - lo)], slice(100 * lo, 100 * hi)
        _spread(df[lo:hi], f[lo:hi], d, db)
        G += blocks[rows].T @ d
        np.matmul(d, Wb.T, out=dblocks[:len(d)])
        _unblock(dblocks[:len(d)], h1r[lo:hi], d1r[lo:hi], db1)
    dW = np.empty((32, 16, 4, 4), np.float32)
    _relayout(dW, G, True)
    return dW, db, d1, db1
