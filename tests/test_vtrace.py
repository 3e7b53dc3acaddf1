"""V-trace against a float64 reference written from the paper's sums."""
import numpy as np
import pytest

from agents.returns import n_step_returns, vtrace


def reference(rewards, values, bootstrap, log_ratios, gamma, rho_bar, c_bar):
    """v_s = V(x_s) + sum_t gamma^(t-s) (prod_{i<t} c_i) delta_t, term by term."""
    n = len(rewards)
    V = list(values) + [bootstrap]
    ratio = np.exp(log_ratios)
    rho, c = np.minimum(rho_bar, ratio), np.minimum(c_bar, ratio)
    delta = [rho[t] * (rewards[t] + gamma * V[t + 1] - V[t]) for t in range(n)]
    v = []
    for s in range(n):
        total = V[s]
        for t in range(s, n):
            total += gamma ** (t - s) * np.prod(c[s:t]) * delta[t]
        v.append(total)
    v_next = v[1:] + [bootstrap]
    adv = [rho[s] * (rewards[s] + gamma * v_next[s] - V[s]) for s in range(n)]
    return np.array(v), np.array(adv)


@pytest.mark.parametrize('rho_bar,c_bar', [(1.0, 1.0), (0.7, 1.3), (2.0, 0.5)])
def test_vtrace_equals_the_sums(rho_bar, c_bar):
    rng = np.random.RandomState(0)
    for n in (1, 2, 5, 20):
        args = (rng.randn(n), rng.randn(n), rng.randn(), rng.randn(n) * 0.7, 0.9)
        got = vtrace(*args, rho_bar=rho_bar, c_bar=c_bar)
        want = reference(*args, rho_bar, c_bar)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-12)


def test_on_policy_vtrace_is_the_n_step_return():
    rng = np.random.RandomState(1)
    rewards, values, bootstrap = rng.randn(5), rng.randn(5), rng.randn()
    targets, advantages = vtrace(rewards, values, bootstrap, np.zeros(5), 0.99)
    returns = n_step_returns(rewards, bootstrap, 0.99)
    np.testing.assert_allclose(targets, returns, rtol=1e-12)
    np.testing.assert_allclose(advantages, returns - values, rtol=1e-12)


def test_truncation_bounds_the_weights():
    """A far more likely action under pi than mu counts at most rho_bar times."""
    _big, capped = vtrace([1.0], [0.0], 0.0, [5.0], 0.99, rho_bar=1.0)
    assert capped[0] == pytest.approx(1.0)
    small = vtrace([1.0], [0.0], 0.0, [-5.0], 0.99)[1]
    assert small[0] == pytest.approx(np.exp(-5.0))
