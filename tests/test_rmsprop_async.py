import numpy as np
import pytest

import chainer

from rmsprop_async import RMSpropAsync


@pytest.mark.parametrize('shape', [(2, 3), (3, 50000)])  # one chunk, and several
def test_steps_equal_float64_reference(shape):
    rng = np.random.RandomState(0)
    link = chainer.links.Linear(shape[1], shape[0])
    theta = link.W.array.astype(np.float64).copy()
    g = np.zeros_like(theta)
    lr, alpha, eps = 7e-4, 0.99, 0.1
    opt = RMSpropAsync(lr=lr, alpha=alpha, eps=eps)
    opt.setup(link)
    for _ in range(3):
        grad = rng.randn(*theta.shape)
        link.cleargrads()
        link.W.grad = grad.astype(np.float32)
        link.b.grad = np.zeros(shape[0], dtype=np.float32)
        opt.update()
        g = alpha * g + (1 - alpha) * grad ** 2
        theta = theta - lr * grad / np.sqrt(g + eps)  # eps inside the root
        np.testing.assert_allclose(link.W.update_rule.state['ms'], g, rtol=1e-5)
        np.testing.assert_allclose(link.W.array, theta, rtol=1e-6, atol=1e-7)


def test_updates_in_place():
    """Shared memory only stays shared if the arrays are never replaced."""
    link = chainer.links.Linear(3, 2)
    opt = RMSpropAsync()
    opt.setup(link)
    link.W.grad = np.ones((2, 3), dtype=np.float32)
    link.b.grad = np.ones(2, dtype=np.float32)
    opt.update()
    W, ms = link.W.array, link.W.update_rule.state['ms']
    opt.update()
    assert link.W.array is W and link.W.update_rule.state['ms'] is ms
