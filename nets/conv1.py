"""The DQN torso's first convolution (8x8 stride 4, 16 output channels, on
84x84 frames scaled by 1/255), forward and weight gradient, as one BLAS
product each over a space-to-depth copy of the frames.

Why: an 8x8 patch at stride 4 is 2x2 whole 4x4 blocks.  Each frame becomes
21 x 21 blocks of 16c values (c channels x 4 x 4 pixels, float32), and
    forward:  Y = blocks (441 a frame, 16c) @ W' (16c, 4 x 16), the terms of
              all four block offsets (di, dj) in one product; an output
              pixel (oy, ox) sums Y's offset-(di, dj) columns at block
              (oy + di, ox + dj): four shifted reads, with bias and ReLU;
    gradient: dW' (16c, 4 x 16) = blocks.T @ D, where D spreads the output's
              gradient to the block each offset read.
No im2col (4x the frame) is built, and the products run at OpenBLAS's speed,
about twice the FLOP/s of the compiled loops this replaced (with the copy and
the sums, 2-41% less time by batch size; docs/conv1.md).  Both go through the
batch CHUNK frames at a time, so that a chunk's blocks and products stay in
the core's 2 MB L2 cache.  The forward keeps the blocks for the gradient; the
1/255 scale goes into the weights.
"""
import numba
import numpy as np

from compiled import compile_cached

SCALE = np.float32(1 / 255)
CHUNK = 8  # frames: 8 x 441 x 64 floats of blocks, and as many of Y or D, ~1.8 MB

_F32_2 = numba.types.Array(numba.float32, 2, 'C')
_F32_4 = numba.types.Array(numba.float32, 4, 'C')
_F32_1 = numba.types.Array(numba.float32, 1, 'C')
_BLOCKS = [numba.void(numba.types.Array(dtype, 4, 'C'), numba.int64, numba.int64, _F32_2)
           for dtype in (numba.uint8, numba.float32)]


@compile_cached(_BLOCKS)
def _to_blocks(x, lo, hi, out):
    """out[441 f + 21 by + bx, (ch, ki, kj)] = x[lo + f, ch, 4 by + ki, 4 bx + kj]
    for the frames lo to hi."""
    for n in range(lo, hi):
        for by in range(21):
            for ch in range(x.shape[1]):
                for ki in range(4):
                    xr = x[n, ch, 4 * by + ki]
                    k = 16 * ch + 4 * ki
                    for bx in range(21):
                        row = out[441 * (n - lo) + 21 * by + bx]
                        row[k] = xr[4 * bx]
                        row[k + 1] = xr[4 * bx + 1]
                        row[k + 2] = xr[4 * bx + 2]
                        row[k + 3] = xr[4 * bx + 3]


@compile_cached([numba.void(_F32_2, _F32_1, _F32_4)])
def _shifted_sum(Y, b, out):
    """out[f, oy, ox] = relu(b + the sum over offsets (di, dj) of Y's columns
    of that offset at block (oy + di, ox + dj)); Y's columns are (di, dj, o)."""
    no = out.shape[3]  # read, not written as 16: see _spread
    for n in range(out.shape[0]):
        for oy in range(20):
            for ox in range(20):
                r = 441 * n + 21 * oy + ox
                for o in range(no):
                    v = (b[o] + Y[r, o] + Y[r + 1, no + o] + Y[r + 21, 2 * no + o]
                         + Y[r + 22, 3 * no + o])
                    out[n, oy, ox, o] = max(v, np.float32(0))


@compile_cached([numba.void(_F32_4, _F32_2)])
def _spread(d1, D):
    """D[block (by, bx), (di, dj, o)] = d1[by - di, bx - dj, o], zero where that
    is outside the 20 x 20 output.  The channel loop's trip count comes from
    the array: LLVM unrolls a constant 16 into scalar code, unvectorised."""
    no = d1.shape[3]
    D[...] = 0
    for n in range(d1.shape[0]):
        for oy in range(20):
            for ox in range(20):
                r = 441 * n + 21 * oy + ox
                for o in range(no):
                    g = d1[n, oy, ox, o]
                    D[r, o] = g
                    D[r + 1, no + o] = g
                    D[r + 21, 2 * no + o] = g
                    D[r + 22, 3 * no + o] = g


def _block_weights(W):
    """(16, c, 8, 8) -> (16c, 64) scaled: rows (c, ki, kj) of a block, columns
    (di, dj, o), kernel row 4 di + ki and column 4 dj + kj."""
    c = W.shape[1]
    return np.ascontiguousarray(
        (W * SCALE).reshape(16, c, 2, 4, 2, 4).transpose(1, 3, 5, 2, 4, 0).reshape(16 * c, 64))


def chunks(n):
    """(lo, hi) of each run of CHUNK frames of n (conv2's too)."""
    return [(lo, min(n, lo + CHUNK)) for lo in range(0, n, CHUNK)]


def forward(W, b, frames):
    """relu(conv1(frames / 255)) as (B, 20, 20, 16), and the blocks
    (B * 441, 16c) that `weight_grad` reads."""
    x = frames if frames.dtype == np.uint8 else frames.astype(np.float32, copy=False)
    x = np.ascontiguousarray(x)
    n, c = x.shape[:2]
    Wb = _block_weights(W)
    blocks = np.empty((441 * n, 16 * c), np.float32)
    Y = np.empty((441 * min(n, CHUNK), 64), np.float32)
    h = np.empty((n, 20, 20, 16), np.float32)
    for lo, hi in chunks(n):
        chunk = blocks[441 * lo:441 * hi]
        _to_blocks(x, lo, hi, chunk)
        y = Y[:len(chunk)]
        np.matmul(chunk, Wb, out=y)
        _shifted_sum(y, b, h[lo:hi])
    return h, blocks


def weight_grad(d1, blocks):
    """conv1's weight gradient (16, c, 8, 8) from d(its output) d1 (n, 20,
    20, 16) and the blocks `forward` kept (of n frames or more)."""
    n = len(d1)
    D = np.empty((441 * min(n, CHUNK), 64), np.float32)
    g = np.zeros((blocks.shape[1], 64), np.float32)
    for lo, hi in chunks(n):
        d = D[:441 * (hi - lo)]
        _spread(np.ascontiguousarray(d1[lo:hi]), d)
        g += blocks[441 * lo:441 * hi].T @ d
    c = blocks.shape[1] // 16
    return (g * SCALE).reshape(c, 4, 4, 2, 2, 16).transpose(5, 0, 3, 1, 4, 2).reshape(16, c, 8, 8)
