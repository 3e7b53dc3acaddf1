"""The numpy fast path computes what the Chainer graph computes."""
import chainer
import numpy as np
import pytest
from chainer import functions as F
from graph_check import assert_fast_path_equals_graph

import a3c
from nets.actor_critic import A3CFF, A3CLSTM
from nets.numpy_fast import NumpyA3C, NumpyQ, supports
from nets.torso import DQNHead, MLPHead
from q_functions import QFunction
from q_learning import NStepQLearning


def inputs(seed, n=5, channels=4):
    rng = np.random.RandomState(seed)
    obs = rng.randint(0, 256, size=(n, channels, 84, 84)).astype(np.uint8)
    actions = list(rng.randint(0, 6, size=n))
    rewards = list(rng.choice([-1.0, 0.0, 1.0], size=n))
    return obs, actions, rewards, rng.randint(0, 256, size=(channels, 84, 84)).astype(np.uint8)


# 4 gray screens (Atari, Doom in gray) or 4 colour ones (Doom in colour).
@pytest.mark.parametrize('channels', [4, 12])
@pytest.mark.parametrize('model_class', [A3CFF, A3CLSTM])
@pytest.mark.parametrize('terminal', [True, False])
def test_same_loss_and_gradients(model_class, terminal, channels):
    np.random.seed(0)
    model = model_class(6, head=DQNHead(channels))
    for _, p in model.namedparams():  # larger weights than at init: live units everywhere
        p.array *= 3
    obs, actions, rewards, last = inputs(1, channels=channels)
    last = None if terminal else last
    state = model.initial_state()
    if state is not None:
        state = tuple(np.random.RandomState(2).randn(1, 256).astype(np.float32) * 0.5
                      for _ in range(2))
    assert_fast_path_equals_graph(model, NumpyA3C(model), state, obs, actions, rewards, last,
                                  terminal)


@pytest.mark.parametrize('games', [1, 3], ids=['one-game', 'a-batch-of-games'])
@pytest.mark.parametrize('model_class', [A3CFF, A3CLSTM])
def test_same_acting_outputs(model_class, games):
    """A Hogwild agent steps its game; the queue's actors step each of their
    games at once, each from its own state."""
    np.random.seed(3)
    model = model_class(6)
    fast = NumpyA3C(model)
    obs = inputs(4, games)[0]
    state = model.initial_state()
    if state is not None:
        state = tuple(np.random.RandomState(6).randn(games, 256).astype(np.float32) * 0.5
                      for _ in range(2))
    logits, v, new_state = (fast.forward(obs, state)[:3] if games == 1
                            else fast.step(obs, state))
    with chainer.no_backprop_mode():
        pi, v_ref, ref_state = model.unroll_batch(obs, [1] * games, state)
    np.testing.assert_allclose(logits, pi.logits.array, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(v, v_ref.array[:, 0], rtol=1e-4, atol=1e-6)
    for got, want in zip(new_state or (), ref_state or ()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_only_the_papers_networks_take_the_fast_path():
    assert supports(A3CFF(4)) and supports(A3CLSTM(4))
    assert not supports(A3CFF(3, head=MLPHead(5)))
    assert type(a3c.A3C(A3CFF(3, head=MLPHead(5)), None).fast) is not NumpyA3C
    assert a3c.A3C(A3CFF(4), None, fast=False).fast is None


@pytest.mark.parametrize('channels', [4, 12])
def test_q_network_same_loss_gradients_and_values(channels):
    np.random.seed(5)
    model = QFunction(6, head=DQNHead(channels))
    for _, p in model.namedparams():
        p.array *= 3
    obs, actions, _, _ = inputs(6, channels=channels)
    targets = np.random.RandomState(7).randn(len(actions))
    q = F.select_item(model(obs), np.asarray(actions, dtype=np.int32))
    loss = F.sum(F.square(targets.astype(np.float32) - q)) / 2
    model.cleargrads()
    loss.backward()
    plain = {n: p.grad.copy() for n, p in model.namedparams()}

    fast = NumpyQ(model)
    np.testing.assert_allclose(fast.forward(obs)[0], model(obs).array, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(fast.loss_and_grads(obs, actions, targets),
                               float(loss.array), rtol=1e-4)
    for name, param in model.namedparams():
        scale = np.abs(plain[name]).max()
        assert scale > 0, name
        np.testing.assert_allclose(param.grad, plain[name], rtol=1e-3, atol=1e-4 * scale,
                                   err_msg=name)


def test_q_agents_take_the_fast_path_for_the_papers_network_only():
    assert NStepQLearning(QFunction(4), QFunction(4), None).fast is not None
    assert NStepQLearning(QFunction(3, head=MLPHead(5)), QFunction(3, head=MLPHead(5)),
                          None).fast is None
