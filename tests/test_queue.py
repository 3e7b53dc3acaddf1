"""The queue architecture's pieces: the learner's batched loss, and the bound."""
import numpy as np
import pytest

import a3c
import policies
from nets.actor_critic import A3CFF
from nets.torso import MLPHead
from rmsprop_async import RMSpropAsync
from training.segment_buffer import SegmentBuffer


def segments(model, rng, lengths, obs_shape, dtype, on_policy=False):
    out = []
    for n, terminal in lengths:
        obs = (rng.randint(0, 256, (n + 1,) + obs_shape) if dtype == np.uint8
               else rng.randn(n + 1, *obs_shape)).astype(dtype)
        actions = rng.randint(model[1][0].W.shape[0], size=n)
        if on_policy:
            logits = model.unroll(obs[:n], None)[0].logits.array
            log_mu = policies.log_softmax(logits)[np.arange(n), actions]
        else:
            log_mu = np.log(rng.uniform(0.1, 0.9, n)).astype(np.float32)
        out.append((obs[:n], actions, rng.randn(n).astype(np.float32), log_mu,
                    None if terminal else obs[n]))
    return out


def gradient(learner, batch):
    loss = learner.learn(batch)
    return loss, {name: p.grad.copy() for name, p in learner.model.namedparams()}


@pytest.mark.parametrize('network', ['atari', 'mlp'])
def test_the_batched_loss_is_the_sum_of_the_segments_losses(network):
    np.random.seed(0)
    if network == 'atari':  # the numpy fast path
        model, shape, dtype = A3CFF(6), (4, 84, 84), np.uint8
    else:  # Chainer's graph
        model, shape, dtype = A3CFF(3, head=MLPHead(7, 16)), (7,), np.float32
    optimizer = RMSpropAsync(lr=0.0)  # a real update that leaves the weights as they are
    optimizer.setup(model)
    learner = a3c.A3CLearner(model, optimizer)
    batch = segments(model, np.random.RandomState(1), [(5, False), (3, True), (5, False)],
                     shape, dtype)
    total, together = gradient(learner, batch)
    parts = [gradient(learner, [s]) for s in batch]
    assert total == pytest.approx(sum(loss for loss, _ in parts), rel=1e-4)
    for name, g in together.items():
        summed = sum(grads[name] for _, grads in parts)
        np.testing.assert_allclose(g, summed, rtol=1e-3, atol=1e-5 * np.abs(summed).max(),
                                   err_msg=name)


def test_on_policy_the_learner_takes_a3cs_gradient():
    """Acted by the same weights, V-trace's targets are the n-step returns."""
    np.random.seed(0)
    model = A3CFF(6)
    optimizer = RMSpropAsync(lr=0.0)
    optimizer.setup(model)
    [segment] = segments(model, np.random.RandomState(2), [(5, False)], (4, 84, 84),
                         np.uint8, on_policy=True)
    _, learnt = gradient(a3c.A3CLearner(model, optimizer), [segment])
    obs, actions, rewards, _, last = segment
    loss = a3c.a3c_loss(model, None, obs, actions, rewards, last, 0.99, 0.01, 0.5)
    model.cleargrads()
    loss.backward()
    for name, p in model.namedparams():
        np.testing.assert_allclose(learnt[name], p.grad, rtol=1e-3,
                                   atol=1e-5 * np.abs(p.grad).max(), err_msg=name)


def test_the_buffer_holds_at_most_its_slots():
    buffer = SegmentBuffer(3, 5, (2,), np.float32)
    obs, zeros = np.ones((5, 2), np.float32), np.zeros(5)
    for version in range(3):
        assert buffer.put(obs, zeros, zeros, zeros, obs[0], version, lambda: True)
    polls = []
    assert not buffer.put(obs, zeros, zeros, zeros, obs[0], 3, lambda: polls.append(1) or
                          len(polls) < 3)
    assert len(polls) == 3  # it waited for a free slot until told to give up
    taken = buffer.take(8, lambda: False)
    assert len(taken) == 3 and [buffer.segment(i)[5] for i in taken] == [0, 1, 2]
    buffer.release(taken[:1])
    assert buffer.put(obs[:2], zeros[:2], zeros[:2], zeros[:2], None, 4, lambda: False)
    [i] = buffer.take(8, lambda: False)
    seg = buffer.segment(i)
    assert len(seg[1]) == 2 and seg[4] is None and seg[5] == 4
