"""The second convolution by blocks (nets.conv2) computes what a plain
convolution computes (numpy's sliding windows, in float64), forward and
backward, for batches of one chunk and of several, partial chunks included."""
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from nets import conv1, conv2

BATCHES = [1, 5, conv1.CHUNK, conv1.CHUNK + 1, 2 * conv1.CHUNK + 3]


def case(n, seed):
    """conv1's output h1 (n, 20, 20, 16), zero where its ReLU cut, and the weights."""
    rng = np.random.RandomState(seed)
    h1 = np.maximum(rng.randn(n, 20, 20, 16), 0).astype(np.float32)
    return h1, (rng.randn(32, 16, 4, 4) * 0.1).astype(np.float32), \
        (rng.randn(32) * 0.1).astype(np.float32)


def windows(h1):
    """(n, 9, 9, 16, 4, 4): every 4x4 patch at stride 2."""
    return sliding_window_view(h1.astype(np.float64), (4, 4), axis=(1, 2))[:, ::2, ::2]


def reference_output(h1, W, b):
    """relu(conv2(h1)) in Chainer's flatten order (n, 32 x 9 x 9)."""
    pre = np.einsum('nyxcij,ocij->noyx', windows(h1), W) + b[:, None, None]
    return np.maximum(pre, 0).reshape(len(h1), 2592)


@pytest.mark.parametrize('n', BATCHES)
def test_forward_is_the_convolution(n):
    h1, W, b = case(n, n)
    want = reference_output(h1, W, b)
    got, blocks = conv2.forward(W, b, h1)
    assert got.shape == (n, 2592) and got.dtype == np.float32
    assert blocks.shape == (n * 100, 64)
    assert 0.2 < (want > 0).mean() < 0.8  # both sides of the ReLU are tested
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('n', BATCHES)
def test_backward_is_the_convolutions(n):
    h1, W, b = case(n + 2, n)  # more frames kept than gradients: only the first n count
    f, blocks = conv2.forward(W, b, h1)
    df = np.random.RandomState(n + 7).randn(n, 2592).astype(np.float32)
    d2 = (df * (reference_output(h1[:n], W, b) > 0)).reshape(n, 32, 9, 9)
    dW = np.einsum('noyx,nyxcij->ocij', d2, windows(h1[:n]))
    dpatch = np.einsum('noyx,ocij->nyxcij', d2, W)
    d1 = np.zeros((n, 20, 20, 16))
    for i in range(4):  # col2im: patch (y, x)'s pixel (i, j) is input pixel (2y + i, 2x + j)
        for j in range(4):
            d1[:, i:i + 17:2, j:j + 17:2] += dpatch[..., i, j]
    d1 *= h1[:n] > 0
    got_dW, got_db, got_d1, got_db1 = conv2.backward(W, df, f, blocks, h1)
    assert got_d1.shape == (n, 20, 20, 16) and got_d1.dtype == np.float32
    # Sums over n x 81 or n x 400 terms of both signs: float32's error is
    # relative to the largest sum, not to each.
    for got, want in [(got_dW, dW), (got_db, d2.sum(axis=(0, 2, 3))), (got_d1, d1),
                      (got_db1, d1.sum(axis=(0, 1, 2)))]:
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5,
                                   atol=1e-6 * np.abs(want).max() * np.sqrt(n))
