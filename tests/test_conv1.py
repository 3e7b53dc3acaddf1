"""The first convolution by blocks (nets.conv1) computes what a plain
convolution computes (numpy's sliding windows, in float64), for batches of one
chunk and of several, partial chunks included, on 4 and 12 channels."""
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from nets import conv1

BATCHES = [1, 5, conv1.CHUNK, conv1.CHUNK + 1, 2 * conv1.CHUNK + 3]


def frames(n, channels, seed):
    return np.random.RandomState(seed).randint(0, 256, (n, channels, 84, 84)).astype(np.uint8)


def windows(x):
    """(n, c, 20, 20, 8, 8): every 8x8 patch at stride 4, scaled to [0, 1]."""
    return sliding_window_view(x / 255, (8, 8), axis=(2, 3))[:, :, ::4, ::4]


def weights(channels, seed):
    rng = np.random.RandomState(seed)
    return ((rng.randn(16, channels, 8, 8) * 0.05).astype(np.float32),
            (rng.randn(16) * 0.1).astype(np.float32))


@pytest.mark.parametrize('dtype', [np.uint8, np.float32])
@pytest.mark.parametrize('channels', [4, 12])
@pytest.mark.parametrize('n', BATCHES)
def test_forward_is_the_convolution(n, channels, dtype):
    W, b = weights(channels, n)
    x = frames(n, channels, n + 1)
    want = np.maximum(np.einsum('ncyxij,ocij->nyxo', windows(x), W, optimize=True) + b, 0)
    got, blocks = conv1.forward(W, b, x.astype(dtype))
    assert got.shape == (n, 20, 20, 16) and got.dtype == np.float32
    assert blocks.shape == (n * 441, 16 * channels)
    assert 0.2 < (want > 0).mean() < 0.8  # both sides of the ReLU are tested
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('channels', [4, 12])
@pytest.mark.parametrize('n', BATCHES)
def test_weight_gradient_is_the_convolutions(n, channels):
    W, b = weights(channels, 0)
    x = frames(n + 2, channels, n)  # more frames than gradients: only the first n count
    rng = np.random.RandomState(n + 7)
    d1 = (rng.randn(n, 20, 20, 16) * (rng.rand(n, 20, 20, 16) > 0.3)).astype(np.float32)
    want = np.einsum('nyxo,ncyxij->ocij', d1, windows(x[:n]), optimize=True)
    got = conv1.weight_grad(d1, conv1.forward(W, b, x)[1])
    assert got.shape == (16, channels, 8, 8) and got.dtype == np.float32
    # The sums run over n * 400 terms of both signs: float32's error is relative
    # to the largest sum, not to each.
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * np.abs(want).max() * np.sqrt(n))
