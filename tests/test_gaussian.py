"""The Gaussian policy's log-density and entropy, and their gradients, against
float64 references written out independently (scipy's formulas by hand)."""
import math

import chainer
import numpy as np
import pytest
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


# The clipped action policy gradient (Fujita & Maeda 2018) over the box
# [LOW, HIGH] of 3 dimensions.
LOW, HIGH = np.array([-1.0, -2.0, 0.0]), np.array([1.0, 2.0, 0.5])


def mills(z):
    """Phi(z) / phi(z) = int_0^inf exp(z u - u^2 / 2) du for z <= 0, by
    Simpson's rule over where the integrand is above e^-40."""
    u = np.linspace(0, 40 / (1 - z), 20001)
    f = np.exp(z * u - u * u / 2)
    return (u[1] - u[0]) / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())


def reference_log_ndtr(z):
    """log Phi(z) from the Mills ratio: log phi(z) + log M(z) left of 0, and
    log(1 - phi(z) M(-z)) right of it."""
    log_phi = -z * z / 2 - np.log(np.sqrt(2 * np.pi))
    if z <= 0:
        return log_phi + np.log(mills(z))
    return np.log1p(-np.exp(log_phi) * mills(-z))


@pytest.mark.parametrize('z', [-1e4, -300.0, -40.0, -37.5, -36.5, -8.0, -1.5, 0.0, 0.7, 4.0,
                               9.0, 40.0])
def test_log_ndtr_and_its_derivative_equal_the_references(z):
    """Far into the tail on the left (where Phi underflows) and the right
    (where it rounds to 1), in float64 and float32."""
    want = reference_log_ndtr(z)
    got = policies.log_ndtr(np.array([z]))[0]
    assert got == pytest.approx(want, rel=1e-10, abs=1e-300)
    # d log Phi / dz = phi / Phi = 1 / M(z) left of 0
    want_grad = 1 / mills(z) if z <= 0 else np.exp(-z * z / 2) / np.sqrt(2 * np.pi) / np.exp(want)
    got_grad = policies.log_ndtr_grad(np.array([z]), np.array([got]))[0]
    assert got_grad == pytest.approx(want_grad, rel=1e-8, abs=1e-300)
    z32 = np.array([z], np.float32)
    assert policies.log_ndtr(z32).dtype == np.float32
    assert policies.log_ndtr(z32)[0] == pytest.approx(want, rel=1e-6, abs=1e-30)


def reference_capg_log_prob(mean, var, a):
    """Per element: log P(a' <= LOW) for a draw at or below LOW, log P(a' >=
    HIGH) at or above HIGH, the log-density inside."""
    out = np.empty_like(mean)
    for i in np.ndindex(mean.shape):
        sigma, low, high = math.sqrt(var[i]), LOW[i[1]], HIGH[i[1]]
        if a[i] <= low:
            out[i] = reference_log_ndtr((low - mean[i]) / sigma)
        elif a[i] >= high:
            out[i] = reference_log_ndtr((mean[i] - high) / sigma)
        else:
            out[i] = -(a[i] - mean[i]) ** 2 / (2 * var[i]) - math.log(
                math.sqrt(2 * math.pi * var[i]))
    return out


@pytest.fixture
def clipped_batch():
    """Draws below, inside and above the box; row 0's mean 8 lies far above
    its box [-1, 1] and its draw, clipped to 1, did badly (weight -1)."""
    rng = np.random.RandomState(1)
    mean, pre = rng.randn(6, 3), rng.randn(6, 3)
    mean[0, 0], pre[0, 0] = 8.0, 2.0
    mean[1, 1], pre[1, 1] = -30.0, -3.0  # far below, narrow: P(a >= 2) ~ e^-10500
    actions = mean + rng.randn(6, 3) * 1.5
    actions[0, 0], actions[1, 1] = 8.4, 2.5  # above
    actions[2, 2], actions[3, 1], actions[4, 2] = 0.5, -2.5, 0.25  # at a bound, below, inside
    weights = rng.randn(6)
    weights[0] = -1.0
    sides = np.where(actions <= LOW, -1, np.where(actions >= HIGH, 1, 0))
    for k in range(3):
        assert set(sides[:, k]) == {-1, 0, 1}, k
    return mean, pre, actions, weights


def elementwise_grad(f, x, eps=1e-6):
    """The numerical gradient of a sum of terms each of one element of x, by
    differences of the terms themselves: a term near 0 (the log of a
    probability near 1) keeps its own precision."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def test_clipped_log_prob_and_gradients_equal_the_references(clipped_batch):
    mean, pre, actions, weights = clipped_batch
    c = 0.3
    m, p = chainer.Variable(mean.copy()), chainer.Variable(pre.copy())
    pi = policies.GaussianDistribution(m, F.softplus(p))
    logp = pi.log_prob(actions, (LOW, HIGH))
    objective = F.sum(logp * weights) + c * F.sum(pi.entropy)
    objective.backward()

    def log_prob_terms(mean, pre):  # the objective's term of each element, less the entropy's
        return reference_capg_log_prob(mean, softplus64(pre), actions) * weights[:, None]

    def entropy_terms(pre):  # apart: a term near 1 would drown one near 0
        return c * 0.5 * np.log(2 * np.pi * np.e * softplus64(pre))
    var = softplus64(pre)
    want = reference_capg_log_prob(mean, var, actions)
    assert want[1, 1] < -1e4  # far in the left tail
    np.testing.assert_allclose(logp.array, want.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(pi.log_prob_array(actions, (LOW, HIGH)), want.sum(axis=1),
                               rtol=1e-12)
    np.testing.assert_allclose(m.grad, elementwise_grad(lambda x: log_prob_terms(x, pre), mean),
                               rtol=1e-6, atol=1e-20)
    np.testing.assert_allclose(p.grad, elementwise_grad(lambda x: log_prob_terms(mean, x), pre)
                               + elementwise_grad(entropy_terms, pre), rtol=1e-6, atol=1e-20)
    # The mean at 8 goes back towards the box, though only just: gradient
    # ascent of the objective lowers it.
    assert -1e-4 < m.grad[0, 0] < -1e-7

    # The numpy path's closed-form loss and gradient of -(the objective).
    loss, grad = gaussian_loss_grad(np.hstack([mean, pre]), actions, weights, c, (LOW, HIGH))
    np.testing.assert_allclose(loss, -float(objective.array), rtol=1e-12)
    np.testing.assert_allclose(grad, -np.hstack([m.grad, p.grad]), rtol=1e-10, atol=1e-300)


def test_a_mean_outside_the_box_gets_the_same_push_from_every_clipped_draw():
    """Mean 8 in the box [-1, 1], draws that did badly (weight -1): the
    density's gradient by the mean takes the sign of the draw's noise, CAPG's
    is the same for every draw the environment clipped to 1, and towards the box."""
    def grad_by_mean(draw, bounds):
        m = chainer.Variable(np.array([[8.0]]))
        pi = policies.GaussianDistribution(m, np.array([[2.0]]))
        F.sum(-1.0 * pi.log_prob(np.array([[draw]]), bounds)).backward()
        return float(m.grad[0, 0])
    box = (np.array([-1.0]), np.array([1.0]))
    assert grad_by_mean(7.0, None) > 0 > grad_by_mean(9.0, None)
    pushes = [grad_by_mean(draw, box) for draw in (1.0, 7.0, 9.0)]
    assert pushes[0] == pushes[1] == pushes[2] < 0


def test_bounds_that_no_draw_reaches_change_nothing(batch):
    mean, pre, actions, _ = batch
    var = softplus64(pre)
    pi = policies.GaussianDistribution(mean, var)
    wide = (np.full(3, -1e3), np.full(3, 1e3))
    np.testing.assert_allclose(pi.log_prob_array(actions, wide),
                               reference_log_prob(mean, var, actions), rtol=1e-12)


def test_clipped_log_prob_in_float32_stays_finite():
    """Means hundreds of deviations from the box, and the draws clipped."""
    mean = np.array([[50.0, -50.0, 0.2]], np.float32)
    pre = np.array([[-4.0, -4.0, -4.0]], np.float32)
    actions = np.array([[-3.0, 2.0, 0.2]], np.float32)
    bounds = (LOW.astype(np.float32), HIGH.astype(np.float32))
    m, p = chainer.Variable(mean), chainer.Variable(pre)
    pi = policies.GaussianDistribution(m, F.softplus(p))
    logp = pi.log_prob(actions, bounds)
    F.sum(logp).backward()
    assert logp.dtype == np.float32 and np.isfinite(logp.array).all()
    assert logp.array[0] < -1e5
    assert np.isfinite(m.grad).all() and np.isfinite(p.grad).all()
    assert m.grad[0, 0] < 0 < m.grad[0, 1]  # more probability to the draws: into the box
    m64, p64 = chainer.Variable(mean.astype(np.float64)), chainer.Variable(pre.astype(np.float64))
    pi64 = policies.GaussianDistribution(m64, F.softplus(p64))
    F.sum(pi64.log_prob(actions, (LOW, HIGH))).backward()
    np.testing.assert_allclose(m.grad, m64.grad, rtol=1e-5)
    np.testing.assert_allclose(p.grad, p64.grad, rtol=1e-5)
    loss, grad = gaussian_loss_grad(np.hstack([mean, pre]), actions, np.ones(1, np.float32),
                                    0.0, bounds)
    assert np.isfinite(loss) and np.isfinite(grad).all()
    np.testing.assert_allclose(grad, -np.hstack([m.grad, p.grad]), rtol=1e-5)
