"""The Gaussian policy's log-density and entropy, and their gradients, against
float64 references written out independently (scipy's formulas by hand)."""
import numpy as np
import pytest

import chainer
from chainer import functions as F

import policies
from nets.numpy_vector import gaussian_loss_grad


def reference_log_prob(mean, var, a):
    """log of the density prod_i exp(-(a_i - m_i)^2 / 2 v_i) / sqrt(2 pi v_i)."""
    density = np.exp(-(a - mean) ** 2 / (2 * var)) / np.sqrt(2 * np.pi * var)
    return np.log(density.prod(axis=1))


def reference_entropy(var):
    """-E[log p] by Monte Carlo would be noisy; the closed form of a normal is
    log(sigma sqrt(2 pi e)) per dimension."""
    return np.log(np.sqrt(var) * np.sqrt(2 * np.pi * np.e)).sum(axis=1)


def softplus64(x):
    return np.log1p(np.exp(x))


def numerical_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


@pytest.fixture
def batch():
    rng = np.random.RandomState(0)
    mean, pre = rng.randn(4, 3), rng.randn(4, 3)
    actions = mean + rng.randn(4, 3) * 2
    weights = rng.randn(4)  # an advantage per row
    return mean, pre, actions, weights


def test_log_prob_and_entropy_equal_the_references(batch):
    mean, pre, actions, _ = batch
    pi = policies.GaussianDistribution(chainer.Variable(mean),
                                       F.softplus(chainer.Variable(pre)))
    var = softplus64(pre)
    np.testing.assert_allclose(pi.log_prob(actions).array,
                               reference_log_prob(mean, var, actions), rtol=1e-12)
    np.testing.assert_allclose(pi.entropy.array, reference_entropy(var), rtol=1e-12)
    np.testing.assert_allclose(pi.entropy_array(), reference_entropy(var), rtol=1e-12)


def test_gradients_equal_numerical_ones(batch):
    """Of sum_t w_t log p(a_t) + c H_t, by the mean and by the variance's
    pre-activation, as the A3C loss takes them."""
    mean, pre, actions, weights = batch
    c = 0.3
    m, p = chainer.Variable(mean.copy()), chainer.Variable(pre.copy())
    pi = policies.GaussianDistribution(m, F.softplus(p))
    objective = F.sum(pi.log_prob(actions) * weights) + c * F.sum(pi.entropy)
    objective.backward()

    def reference():
        var = softplus64(pre)
        return (reference_log_prob(mean, var, actions) * weights).sum() + \
            c * reference_entropy(var).sum()
    np.testing.assert_allclose(m.grad, numerical_grad(reference, mean), rtol=1e-6)
    np.testing.assert_allclose(p.grad, numerical_grad(reference, pre), rtol=1e-6)

    # The numpy path's closed-form gradient of -(that), with beta = c.
    loss, grad = gaussian_loss_grad(np.hstack([mean, pre]), actions, weights, c)
    np.testing.assert_allclose(loss, -reference(), rtol=1e-12)
    np.testing.assert_allclose(grad, -np.hstack([m.grad, p.grad]), rtol=1e-10)


def test_sampling_draws_from_the_distribution():
    mean, var = np.array([[1.0, -2.0]]), np.array([[0.25, 4.0]])
    pi = policies.GaussianDistribution(mean, var)
    rng = np.random.RandomState(0)
    draws = np.concatenate([pi.sample(rng) for _ in range(20000)])
    # Standard errors: sigma / sqrt(20000), under 0.015.
    np.testing.assert_allclose(draws.mean(axis=0), [1.0, -2.0], atol=0.06)
    np.testing.assert_allclose(draws.var(axis=0), [0.25, 4.0], rtol=0.05)
    assert (pi.sample(rng, greedy=True) == mean).all()
