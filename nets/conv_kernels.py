"""The DQN torso's first convolution (8x8 stride 4 on uint8 frames, 16 output
channels) forward and its weight gradient, as compiled loops (numba) over the
frames themselves.

Why: numpy's way copies every pixel four times into an im2col matrix (400 x
256 floats a frame) before its product, and the backward pass keeps that copy.
Here the output channels are the innermost, contiguous axis, so LLVM turns the
loop over them into vector instructions, and each loop pass does the products
of eight kernel columns (forward) or of two output pixels (gradient) before
it touches memory.  Measured (`python -m benchmarks.conv`, docs/conv_kernels.md): the
forward is 1.6-2.4x numpy's at 1, 5 and 80 frames; the gradient is slower than
numpy's product over an im2col kept from the forward pass, faster than building
it again, so the two go together: no faster than numpy for an A3C segment (5
forwards of one frame, a gradient of 5), 0.04 ms less a frame for acting, and a
quarter less for the whole torso on a learner's batch of 80.  The second
convolution stays numpy, whose product wins there.

The trip count of the channel loop is read from the arrays, not written as 16:
LLVM fully unrolls a loop of constant trip count into scalar code before its
loop vectorizer runs (and numba leaves the SLP vectorizer off), and the loop
would not vectorise at all.  `contract` lets a product and its sum be one fused
multiply-add (measured 10-20% faster than no fast-math); nothing is reordered.
"""
import numba
import numpy as np

from compiled import compile_cached

_FRAMES = numba.types.Array(numba.uint8, 4, 'C')
_F32 = numba.types.Array(numba.float32, 4, 'C')
_F32_1 = numba.types.Array(numba.float32, 1, 'C')


@numba.njit(inline='always')
def _pixels(xr, i):
    """The 12 pixels xr[i:i + 12] as float32: the 8 of output ox and the 8 of
    ox + 1 overlap in four."""
    return (np.float32(xr[i]), np.float32(xr[i + 1]), np.float32(xr[i + 2]),
            np.float32(xr[i + 3]), np.float32(xr[i + 4]), np.float32(xr[i + 5]),
            np.float32(xr[i + 6]), np.float32(xr[i + 7]), np.float32(xr[i + 8]),
            np.float32(xr[i + 9]), np.float32(xr[i + 10]), np.float32(xr[i + 11]))


@numba.njit(fastmath={'contract'}, inline='always')
def _conv1_row(xr, w, row):
    """One kernel row w (8, 16) over one frame row xr (84): the outputs ox and
    ox + 1 share four of their eight pixels."""
    for ox in range(0, 20, 2):
        x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11 = _pixels(xr, 4 * ox)
        for o in range(row.shape[1]):
            w0, w1, w2, w3 = w[0, o], w[1, o], w[2, o], w[3, o]
            w4, w5, w6, w7 = w[4, o], w[5, o], w[6, o], w[7, o]
            row[ox, o] += (x0 * w0 + x1 * w1 + x2 * w2 + x3 * w3
                           + x4 * w4 + x5 * w5 + x6 * w6 + x7 * w7)
            row[ox + 1, o] += (x4 * w0 + x5 * w1 + x6 * w2 + x7 * w3
                               + x8 * w4 + x9 * w5 + x10 * w6 + x11 * w7)


@compile_cached([numba.void(_FRAMES, _F32, _F32_1, _F32)], fastmath={'contract'})
def conv1_forward(x, Wt, b, out):
    """out (B, 20, 20, 16) = relu(conv(x, W) + b) for frames x (B, C, 84, 84)
    and Wt (C, 8, 8, 16) = W's (c, row, column) kernel by output channel."""
    no = out.shape[3]
    for n in range(x.shape[0]):
        for oy in range(20):
            row = out[n, oy]
            for ox in range(20):
                for o in range(no):
                    row[ox, o] = b[o]
            for c in range(x.shape[1]):
                for ky in range(8):
                    _conv1_row(x[n, c, 4 * oy + ky], Wt[c, ky], row)
            for ox in range(20):
                for o in range(no):
                    if not row[ox, o] > 0:
                        row[ox, o] = 0


@numba.njit(fastmath={'contract'}, inline='always')
def _conv1_grad_row(xr, dr, gk):
    """Into one kernel row's gradient gk (8, 16): frame row xr (84) times the
    output row's gradient dr (20, 16), two outputs a pass."""
    for ox in range(0, 20, 2):
        x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11 = _pixels(xr, 4 * ox)
        for o in range(gk.shape[1]):
            u, v = dr[ox, o], dr[ox + 1, o]
            gk[0, o] += x0 * u + x4 * v
            gk[1, o] += x1 * u + x5 * v
            gk[2, o] += x2 * u + x6 * v
            gk[3, o] += x3 * u + x7 * v
            gk[4, o] += x4 * u + x8 * v
            gk[5, o] += x5 * u + x9 * v
            gk[6, o] += x6 * u + x10 * v
            gk[7, o] += x7 * u + x11 * v


@compile_cached([numba.void(_FRAMES, _F32, _F32)], fastmath={'contract'})
def conv1_weight_grad(x, d1, g):
    """g (C, 8, 8, 16) = sum over frames and outputs of x's pixel times d1, the
    gradient by the first convolution's output (n, 20, 20, 16), for the first
    n frames of x; unscaled (the caller multiplies by the input's scale)."""
    g[...] = 0
    for n in range(d1.shape[0]):
        for oy in range(20):
            for c in range(x.shape[1]):
                for ky in range(8):
                    _conv1_grad_row(x[n, c, 4 * oy + ky], d1[n, oy], g[c, ky])
