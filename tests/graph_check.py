"""What the numpy paths' tests share: a segment's loss and gradients by the
fast path, from what it computed while acting, against Chainer's graph."""
import numpy as np

import a3c
from agents.returns import n_step_returns


def assert_fast_path_equals_graph(model, fast, state, obs, actions, rewards, last, terminal,
                                  action_bounds=None):
    loss = a3c.a3c_loss(model, state, obs, actions, rewards, last, 0.99, 0.01, 0.5,
                        action_bounds)
    model.cleargrads()
    loss.backward()
    plain = {n: p.grad.copy() for n, p in model.namedparams()}
    steps = []
    for x in obs:  # the fast path learns from what it computed while acting
        out, v, state, cache = fast.forward(x[None], state)
        steps.append((out, v, cache))
    bootstrap = 0.0 if terminal else float(fast.forward(last[None], state)[1][0])
    fast_loss = fast.loss_and_grads(steps, actions, n_step_returns(rewards, bootstrap, 0.99),
                                    0.01, 0.5)
    np.testing.assert_allclose(fast_loss, float(loss.array), rtol=1e-4)
    for name, param in model.namedparams():
        scale = np.abs(plain[name]).max()
        assert scale > 0, name
        np.testing.assert_allclose(param.grad, plain[name], rtol=1e-3, atol=1e-4 * scale,
                                   err_msg=name)
