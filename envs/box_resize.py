"""Pillow's BOX resize of the pixel-wise max of two grayscale frames, as one
compiled loop (numba), bit for bit what
`Image.fromarray(np.maximum(a, b)).resize(size, Image.BOX)` gives.

Why: the DeepMind screen (`envs.preprocessing`) spent about 77 us an agent
step in Pillow (an image object, its two passes, the copies in and out), some
15% of an environment step; here the max and both passes go in one call.  The
models here play seeded games whose scores the tests check exactly, so this is
Pillow's arithmetic, not another average: Pillow's fixed-point coefficients
(`src/libImaging/Resample.c`, `precompute_coeffs` and
`normalize_coeffs_8bpc`), computed once in numpy, the horizontal pass first
into a uint8 image of the rows the vertical pass reads, rounding as Pillow
rounds (1 << 21 added, shifted by 22, clipped to 0-255).
"""
import numba
import numpy as np

from compiled import compile_cached

PRECISION_BITS = 32 - 8 - 2


def _box_filter(x):
    # Pillow's box_filter: 1 on (-0.5, 0.5].
    return 1.0 if -0.5 < x <= 0.5 else 0.0


def coefficients(in_size, out_size):
    """Pillow's (first source index, count, fixed-point weights (out_size, k))
    for one axis, reduced by the box filter (support 0.5)."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = 0.5 * filterscale
    ksize = int(np.ceil(support)) * 2 + 1
    ss = 1.0 / filterscale
    first = np.zeros(out_size, np.int32)
    count = np.zeros(out_size, np.int32)
    weights = np.zeros((out_size, ksize), np.int32)
    for i in range(out_size):
        center = (i + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), in_size) - xmin
        k = [_box_filter((x + xmin - center + 0.5) * ss) for x in range(xmax)]
        total = sum(k)
        for x, w in enumerate(k):
            if total != 0.0:
                w /= total
            # normalize_coeffs_8bpc (the weights here are never negative)
            weights[i, x] = int(0.5 + w * (1 << PRECISION_BITS))
        first[i], count[i] = xmin, xmax
    return first, count, weights


_U8_3 = numba.types.Array(numba.uint8, 3, 'C', readonly=False)
_U8_2 = numba.types.Array(numba.uint8, 2, 'C')
_I32 = numba.types.Array(numba.int32, 1, 'C')
_I32_2 = numba.types.Array(numba.int32, 2, 'C')


@numba.njit(inline='always')
def _clip8(ss):
    if ss >= (1 << PRECISION_BITS << 8):
        return 255
    if ss <= 0:
        return 0
    return ss >> PRECISION_BITS


@compile_cached([numba.void(_U8_3, _I32, _I32, _I32_2, _I32, _I32, _I32_2, _U8_2)])
def max_box_resize(frames, x_first, x_count, x_weights, y_first, y_count, y_weights, out):
    """out (H, W) = the BOX resize of max(frames[0], frames[1]), the x and y
    tables from `coefficients(frames width, W)` and `(frames height, H)`.

    Pillow's passes and sums (int32, at most 2**21 + 255 * (2**22 + k) for k
    weights), in another loop order: the maxima are written transposed, so
    that the horizontal pass, too, runs along contiguous memory, over all the
    rows at once (vector instructions), and its result is transposed back for
    the vertical pass (about 3x faster than the horizontal pass row by row)."""
    width = frames.shape[2]
    out_h, out_w = out.shape
    row0 = y_first[0]
    rows = y_first[out_h - 1] + y_count[out_h - 1] - row0
    half = np.int32(1 << (PRECISION_BITS - 1))
    maxima = np.empty((width, rows), np.uint8)  # transposed
    for r in range(rows):
        a, b = frames[0, row0 + r], frames[1, row0 + r]
        for x in range(width):
            maxima[x, r] = max(a[x], b[x])
    acc = np.empty(rows, np.int32)
    across = np.empty((out_w, rows), np.uint8)  # the horizontal pass, transposed
    for j in range(out_w):
        acc[:] = half
        for k in range(x_count[j]):
            w = x_weights[j, k]
            m = maxima[x_first[j] + k]
            for r in range(rows):
                acc[r] += np.int32(m[r]) * w
        t = across[j]
        for r in range(rows):
            t[r] = _clip8(acc[r])
    temp = np.empty((rows, out_w), np.uint8)
    for r in range(rows):
        for j in range(out_w):
            temp[r, j] = across[j, r]
    acc = np.empty(out_w, np.int32)
    for i in range(out_h):
        ymin = y_first[i] - row0
        acc[:] = half
        for y in range(y_count[i]):
            w = y_weights[i, y]
            t = temp[ymin + y]
            for j in range(out_w):
                acc[j] += np.int32(t[j]) * w
        o = out[i]
        for j in range(out_w):
            o[j] = _clip8(acc[j])


class MaxBoxResize:
    """The max of two (in_h, in_w) uint8 frames resized to (out_h, out_w)."""

    def __init__(self, in_shape, out_shape):
        self.out_shape = out_shape
        self._x = coefficients(in_shape[1], out_shape[1])
        self._y = coefficients(in_shape[0], out_shape[0])

    def __call__(self, frames):
        out = np.empty(self.out_shape, np.uint8)
        max_box_resize(frames, *self._x, *self._y, out)
        return out
