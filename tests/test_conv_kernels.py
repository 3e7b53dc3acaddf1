"""The compiled first convolution (nets.conv_kernels) computes what numpy's
im2col and product compute, for the batches that occur: one frame (acting),
a segment of 5 and a learner's batch of 80."""
import numpy as np
import pytest

from nets import conv_kernels
from nets.actor_critic import A3CFF
from nets.numpy_fast import SCALE, _conv1_columns, _conv1_weight, torso_backward, torso_forward
from nets.torso import DQNHead

BATCHES = [1, 5, 80]


def frames(n, channels, seed):
    return np.random.RandomState(seed).randint(0, 256, (n, channels, 84, 84)).astype(np.uint8)


@pytest.mark.parametrize('channels', [4, 12])
@pytest.mark.parametrize('n', BATCHES)
def test_forward_is_numpys(n, channels):
    rng = np.random.RandomState(n)
    W = (rng.randn(16, channels, 8, 8) * 0.05).astype(np.float32)
    b = (rng.randn(16) * 0.1).astype(np.float32)
    x = frames(n, channels, n + 1)
    want = np.maximum(_conv1_columns(x) @ (_conv1_weight(W).T * SCALE) + b, 0)
    got = np.full((n, 20, 20, 16), np.nan, np.float32)
    conv_kernels.conv1_forward(x, np.ascontiguousarray((W * SCALE).transpose(1, 2, 3, 0)), b, got)
    assert 0.2 < (want > 0).mean() < 0.8  # both sides of the ReLU are tested
    np.testing.assert_allclose(got.reshape(-1, 16), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('channels', [4, 12])
@pytest.mark.parametrize('n', BATCHES)
def test_weight_gradient_is_numpys(n, channels):
    rng = np.random.RandomState(n + 7)
    x = frames(n + 2, channels, n)  # more frames than gradients: only the first n count
    d1 = (rng.randn(n * 400, 16) * (rng.rand(n * 400, 16) > 0.3)).astype(np.float32)
    want = (d1.T @ _conv1_columns(x[:n])).reshape(16, 2, 2, channels, 4, 4).transpose(
        0, 3, 1, 4, 2, 5).reshape(16, channels, 8, 8)
    got = np.full((channels, 8, 8, 16), np.nan, np.float32)
    conv_kernels.conv1_weight_grad(x, d1.reshape(n, 20, 20, 16), got)
    # The sums run over n * 400 terms of both signs: float32's error is relative
    # to the largest sum, not to each.
    np.testing.assert_allclose(got.transpose(3, 0, 1, 2), want, rtol=1e-5,
                               atol=1e-6 * np.abs(want).max() * np.sqrt(n))


@pytest.mark.parametrize('n', BATCHES)
def test_torso_same_output_and_gradients_either_way(n):
    """uint8 frames take the kernels; the same frames as float32 take numpy's
    im2col: the torso's output and every parameter's gradient agree."""
    np.random.seed(n)
    model = A3CFF(6, head=DQNHead(4))
    p = dict(model.namedparams())
    for param in p.values():
        param.array *= 3
    x = frames(n, 4, n + 3)
    dh = np.random.RandomState(n).randn(n, 256).astype(np.float32)
    results = []
    for obs in (x, x.astype(np.float32)):
        h3, cache = torso_forward(p, obs)
        torso_backward(p, dh.copy(), cache, h3, n)
        results.append((h3, {k: v.grad.copy() for k, v in p.items() if k.startswith('/0/')}))
    (h_kernel, g_kernel), (h_numpy, g_numpy) = results
    assert type(results[0]) is tuple and len(g_kernel) == 6
    np.testing.assert_allclose(h_kernel, h_numpy, rtol=1e-4, atol=1e-5)
    for name, want in g_numpy.items():
        np.testing.assert_allclose(g_kernel[name], want, rtol=1e-3,
                                   atol=1e-5 * np.abs(want).max(), err_msg=name)
