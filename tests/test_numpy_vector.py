"""The numpy path of the vector-state networks computes what Chainer's graph computes."""
import chainer
import numpy as np
import pytest
from graph_check import assert_fast_path_equals_graph

import a3c
from envs.environment import Box, Discrete
from nets.numpy_vector import NumpyVectorA3C
from nets.vector import a3c_network

SPACES = {'softmax': Discrete(3),
          'gaussian': Box(np.full(2, -1, np.float32), np.full(2, 1, np.float32))}


def inputs(rng, space, n=5):
    obs = rng.randn(n, 4).astype(np.float32) * 3
    if isinstance(space, Discrete):
        actions = list(rng.randint(0, space.n, size=n))
    else:
        actions = list(rng.randn(n, len(space.low)).astype(np.float32) * 1.5)
    return obs, actions, list(rng.randn(n)), rng.randn(4).astype(np.float32)


# observations standardised by a scale that clips some of them
SCALE = (np.array([0.5, -1, 0, 2], np.float32), np.array([0.1, 2, 1, 0.3], np.float32))


@pytest.mark.parametrize('lstm', [False, True])
@pytest.mark.parametrize('policy', sorted(SPACES))
@pytest.mark.parametrize('terminal', [True, False])
@pytest.mark.parametrize('scale', [None, SCALE])
def test_same_loss_and_gradients(lstm, policy, terminal, scale):
    np.random.seed(0)
    model = a3c_network(4, SPACES[policy], lstm, scale)
    rng = np.random.RandomState(1)
    obs, actions, rewards, last = inputs(rng, SPACES[policy])
    last = None if terminal else last
    state = model.initial_state()
    if lstm:
        state = tuple(rng.randn(1, 128).astype(np.float32) * 0.5 for _ in range(2))
    assert_fast_path_equals_graph(model, NumpyVectorA3C(model), state, obs, actions, rewards, last,
                                  terminal)


@pytest.mark.parametrize('lstm', [False, True])
@pytest.mark.parametrize('terminal', [True, False])
def test_same_loss_and_gradients_with_the_clipped_action_gradient(lstm, terminal):
    """The Gaussian's loss over the box [-1, 1]^2, which draws of deviation
    1.5 leave often (on either side)."""
    np.random.seed(0)
    box = SPACES['gaussian']
    model = a3c_network(4, box, lstm)
    rng = np.random.RandomState(1)
    obs, actions, rewards, last = inputs(rng, box, n=8)
    sides = {int(np.sign(x)) for x in np.ravel(actions) if abs(x) >= 1}
    assert sides == {-1, 1}
    state = model.initial_state()
    if lstm:
        state = tuple(rng.randn(1, 128).astype(np.float32) * 0.5 for _ in range(2))
    fast = a3c.A3C(model, None, action_bounds=box).fast
    assert isinstance(fast, NumpyVectorA3C)
    assert_fast_path_equals_graph(model, fast, state, obs, actions, rewards,
                                  None if terminal else last, terminal, box)


@pytest.mark.parametrize('policy', sorted(SPACES))
def test_same_policy_when_acting(policy):
    np.random.seed(3)
    model = a3c_network(4, SPACES[policy], True)
    obs = np.random.RandomState(4).randn(1, 4).astype(np.float32)
    fast = NumpyVectorA3C(model)
    out, v, state, _ = fast.forward(obs, model.initial_state())
    mine = fast.distribution(out)
    with chainer.no_backprop_mode():
        pi, v_ref, ref_state = model.unroll(obs, model.initial_state())
    np.testing.assert_allclose(v, v_ref.array[:, 0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(state[1], ref_state[1], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(mine.entropy_array(), pi.entropy_array(), rtol=1e-5)
    rng = [np.random.RandomState(5) for _ in range(2)]
    np.testing.assert_allclose(mine.sample(rng[0]), pi.sample(rng[1]), rtol=1e-5)


def test_vector_networks_take_this_path_in_float32_only():
    assert isinstance(a3c.A3C(a3c_network(4, SPACES['gaussian'], False), None).fast,
                      NumpyVectorA3C)
    with chainer.using_config('dtype', np.float64):
        model = a3c_network(4, SPACES['gaussian'], False)
    assert a3c.A3C(model, None).fast is None
