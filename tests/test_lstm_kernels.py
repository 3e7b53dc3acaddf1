"""The recurrent layer's compiled loops (nets/lstm.py over nets/lstm_kernels.py)
compute what Chainer's L.LSTM computes: the outputs, the state after, and
every gradient, for a segment of 1 to t_max steps from a nonzero state, and
for a batch of games one step each."""
import chainer
import chainer.links as L
import numpy as np
import pytest
from chainer import functions as F

from nets import lstm

T_MAX = 5


def layer(n_in, n_cells, seed):
    """An L.LSTM with weights large enough that every gate saturates somewhere,
    and its parameters under the names nets.lstm reads."""
    np.random.seed(seed)
    link = L.LSTM(n_in, n_cells)
    link.upward.b.array[...] = np.random.randn(4 * n_cells)
    for W in (link.upward.W, link.lateral.W):
        W.array *= 3
    p = {'/1' + name: param for name, param in link.namedparams()}
    for param in p.values():
        param.grad = np.full_like(param.array, np.nan)
    return link, p


def chainer_unroll(link, x, state):
    c, h = state
    hs = []
    for t in range(len(x)):
        c, h = F.lstm(c, link.upward(x[t:t + 1]) + link.lateral(h))
        hs.append(h)
    return F.concat(hs, axis=0), c, h


@pytest.mark.parametrize('n_in,n_cells', [(256, 256), (7, 3)])
@pytest.mark.parametrize('steps', [1, 3, T_MAX])
def test_segment_forward_and_gradients(steps, n_in, n_cells):
    link, p = layer(n_in, n_cells, steps)
    rng = np.random.RandomState(steps + 10)
    x = rng.randn(steps, n_in).astype(np.float32)
    state = tuple(rng.randn(1, n_cells).astype(np.float32) for _ in range(2))
    dh = rng.randn(steps, n_cells).astype(np.float32)

    xv = chainer.Variable(x)
    want_h, want_c, want_last = chainer_unroll(link, xv, state)
    link.cleargrads()
    F.sum(want_h * dh).backward()

    # As a Hogwild worker does: one step a call, the caches joined for the backward pass.
    got, s, caches = [], state, []
    for t in range(steps):
        h, s, cache = lstm.forward(p, x[t:t + 1], s)
        got.append(h)
        caches.append(cache)
    np.testing.assert_allclose(np.concatenate(got), want_h.array, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s[0], want_c.array, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s[1], want_last.array, rtol=1e-5, atol=1e-6)
    # One call over the whole sequence gives the same.
    whole = lstm.forward(p, x, state)
    np.testing.assert_allclose(whole[0], np.concatenate(got), rtol=1e-6, atol=1e-7)

    joined = tuple(np.concatenate(parts) for parts in zip(*caches))
    dx = lstm.backward(p, dh, joined)
    np.testing.assert_allclose(dx, xv.grad, rtol=1e-4, atol=1e-5)
    for name, param in link.namedparams():
        np.testing.assert_allclose(p['/1' + name].grad, param.grad, rtol=1e-4, atol=1e-5,
                                   err_msg=name)


def test_backward_of_the_first_steps_of_a_longer_cache():
    """A segment cut short (episode end) differentiates its first n steps."""
    link, p = layer(8, 4, 0)
    rng = np.random.RandomState(1)
    x = rng.randn(T_MAX, 8).astype(np.float32)
    state = tuple(rng.randn(1, 4).astype(np.float32) for _ in range(2))
    dh = rng.randn(2, 4).astype(np.float32)
    cache = lstm.forward(p, x, state)[2]
    dx = lstm.backward(p, dh, cache)
    xv = chainer.Variable(x[:2])
    link.cleargrads()
    F.sum(chainer_unroll(link, xv, state)[0] * dh).backward()
    np.testing.assert_allclose(dx, xv.grad, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(p['/1/lateral/W'].grad, link.lateral.W.grad, rtol=1e-4, atol=1e-5)


def test_a_batch_of_games_one_step_each():
    link, p = layer(256, 256, 2)
    rng = np.random.RandomState(3)
    x = rng.randn(4, 256).astype(np.float32)
    state = tuple(rng.randn(4, 256).astype(np.float32) for _ in range(2))
    with chainer.no_backprop_mode():
        want_c, want_h = F.lstm(state[0], link.upward(x) + link.lateral(state[1]))
    c, h = lstm.step(p, x, state)
    np.testing.assert_allclose(c, want_c.array, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, want_h.array, rtol=1e-5, atol=1e-6)
