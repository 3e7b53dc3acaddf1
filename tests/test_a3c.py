"""The A3C loss and its gradient, against an independent float64 numpy version."""
import chainer
import numpy as np
import pytest

import a3c
from nets.actor_critic import A3CFF, A3CLSTM
from nets.torso import MLPHead

GAMMA, BETA, V_COEF = 0.9, 0.05, 0.5
N_IN, N_HID, N_ACT, N_CELLS = 3, 4, 3, 2


def tiny(model_class):
    with chainer.using_config('dtype', np.float64):
        extra = {'n_cells': N_CELLS} if model_class is A3CLSTM else {}
        return model_class(N_ACT, head=MLPHead(N_IN, N_HID), **extra)


def params(model):
    return {name: p.array for name, p in model.namedparams()}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def reference_outputs(p, xs, lstm):
    """Logits and values, written out in numpy (Chainer's LSTM gate order: a, i, f, o)."""
    h = np.maximum(xs @ p['/0/0/W'].T + p['/0/0/b'], 0)
    if lstm:
        c, hs, out = np.zeros(N_CELLS), np.zeros(N_CELLS), []
        for x in h:
            z = (p['/1/upward/W'] @ x + p['/1/upward/b'] + p['/1/lateral/W'] @ hs)
            r = z.reshape(N_CELLS, 4)
            c = np.tanh(r[:, 0]) * sigmoid(r[:, 1]) + sigmoid(r[:, 2]) * c
            hs = sigmoid(r[:, 3]) * np.tanh(c)
            out.append(hs)
        h, pi, v = np.array(out), '/2/0/', '/3/0/'
    else:
        pi, v = '/1/0/', '/2/0/'
    return h @ p[pi + 'W'].T + p[pi + 'b'], (h @ p[v + 'W'].T + p[v + 'b'])[:, 0]


def reference_loss(p, xs, actions, returns, advantages, lstm):
    logits, v = reference_outputs(p, xs, lstm)
    logp = logits - logits.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    entropy = -(np.exp(logp) * logp).sum(1)
    pi_loss = -(logp[np.arange(len(actions)), actions] * advantages).sum() - BETA * entropy.sum()
    return pi_loss + V_COEF * ((returns - v) ** 2).sum() / 2


@pytest.mark.parametrize('model_class', [A3CFF, A3CLSTM])
@pytest.mark.parametrize('terminal', [True, False])
def test_gradient_matches_numerical(model_class, terminal):
    np.random.seed(1)
    model = tiny(model_class)
    lstm = model_class is A3CLSTM
    xs = np.random.randn(4, N_IN)
    actions = [0, 2, 1, 2]
    rewards = [0.5, -1.0, 0.0, 1.0]
    last = None if terminal else np.random.randn(N_IN)
    p = params(model)

    # The targets the agent uses: n-step returns from V(last), and advantages,
    # both constants of the loss.
    seq = xs if terminal else np.vstack([xs, last])
    _, v_all = reference_outputs(p, seq, lstm)
    R = 0.0 if terminal else v_all[-1]
    returns = np.zeros(4)
    for t in reversed(range(4)):
        R = rewards[t] + GAMMA * R
        returns[t] = R
    advantages = returns - v_all[:4]

    loss = a3c.a3c_loss(model, model.initial_state(), xs, actions, rewards, last,
                        GAMMA, BETA, V_COEF)
    np.testing.assert_allclose(
        float(loss.array), reference_loss(p, xs, actions, returns, advantages, lstm),
        rtol=1e-10)
    model.cleargrads()
    loss.backward()

    eps = 1e-6
    for name, param in model.namedparams():
        numerical = np.zeros_like(param.array)
        for i in np.ndindex(param.shape):
            old = param.array[i]
            param.array[i] = old + eps
            up = reference_loss(params(model), xs, actions, returns, advantages, lstm)
            param.array[i] = old - eps
            down = reference_loss(params(model), xs, actions, returns, advantages, lstm)
            param.array[i] = old
            numerical[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(param.grad, numerical, rtol=1e-5, atol=1e-8,
                                   err_msg=name)


def test_n_step_returns():
    np.testing.assert_allclose(a3c.n_step_returns([1, 0, 2], 10.0, 0.5),
                               [1 + 0.5 * (0 + 0.5 * (2 + 0.5 * 10)), 0.5 * (2 + 5), 2 + 5])


def test_batched_update_equals_step_by_step_acting():
    """The update's one batched pass sees what acting saw step by step."""
    np.random.seed(2)
    model = tiny(A3CLSTM)
    xs = np.random.randn(5, N_IN)
    state, logits = model.initial_state(), []
    with chainer.no_backprop_mode():
        for x in xs:
            pi, _, state = model.unroll(x[None], state)
            logits.append(pi.logits.array[0])
        pi, _, last = model.unroll(xs, model.initial_state())
    np.testing.assert_allclose(pi.logits.array, np.array(logits), rtol=1e-12)
    np.testing.assert_allclose(last[1], state[1], rtol=1e-12)


def test_agent_trains_every_t_max_steps_and_at_episode_end():
    model = tiny(A3CFF)
    updates = []

    class Optimizer:
        lr = 0.0

        def update(self):
            updates.append(len(agent.past_actions))

    agent = a3c.A3C(model, Optimizer(), t_max=5)
    obs = np.zeros(N_IN)
    for _ in range(12):
        agent.act_and_train(obs, 0.0)
    agent.stop_episode_and_train(obs, 1.0, True)
    assert updates == [5, 5, 2]
