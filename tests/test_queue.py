"""The queue architecture's pieces: the learner's batched loss, the bound,
and what the actors put in the buffer."""
import itertools
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import a3c
from envs.environment import Box, Discrete, Environment
from nets.actor_critic import A3CFF, A3CLSTM
from nets.torso import DQNHead, MLPHead
from policies import GaussianPolicy
from rmsprop_async import RMSpropAsync
from training.queue import QueueSettings, segment_buffer, train_queue
from training.run_settings import RunSettings
from training.score_files import ScoresFile
from training.segment_buffer import Segment, SegmentBuffer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def network(name):
    """(model, observation shape, dtype): the Atari networks take the numpy
    fast path, the others Chainer's graph; the Gaussian draws 2 numbers."""
    np.random.seed(0)
    vector = {'head': MLPHead(7, 16)}
    lstm = dict(vector, n_cells=8)
    model = {'atari': lambda: A3CFF(6), 'atari-lstm': lambda: A3CLSTM(6, head=DQNHead()),
             'mlp': lambda: A3CFF(3, **vector), 'lstm': lambda: A3CLSTM(3, **lstm),
             'gaussian': lambda: A3CFF(2, policy=GaussianPolicy, **vector),
             'gaussian-lstm': lambda: A3CLSTM(2, policy=GaussianPolicy, **lstm)}[name]()
    return (model,) + (((4, 84, 84), np.uint8) if name.startswith('atari') else
                       ((7,), np.float32))


def segments(model, rng, lengths, obs_shape, dtype, on_policy=False, action_bounds=None):
    """Segments of these (length, terminal); a recurrent model's start from
    random states.  On policy, an actor with the model's weights plays them."""
    out = []
    gaussian = isinstance(model[-2], GaussianPolicy)
    for n, terminal in lengths:
        obs = (rng.randint(0, 256, (n + 1,) + obs_shape) if dtype == np.uint8
               else rng.randn(n + 1, *obs_shape)).astype(dtype)
        state = model.initial_state()
        if state is not None:
            state = tuple((rng.randn(*part.shape) * 0.5).astype(part.dtype) for part in state)
        if on_policy:
            actor = a3c.A3CActor(model, rng.randint(100), action_bounds)
            after, played = [state], []
            for x in obs[:n]:
                action, log_mu, after = actor.act(x[None], after)
                played.append((action[0], log_mu[0]))
            actions, log_mu = (np.array(column) for column in zip(*played))
        else:
            size = model[-2][0].W.shape[0]
            actions = (rng.randn(n, size).astype(np.float32) if gaussian
                       else rng.randint(size, size=n))
            log_mu = np.log(rng.uniform(0.1, 0.9, n)).astype(np.float32)
        out.append(Segment(obs[:n], actions, rng.randn(n).astype(np.float32), log_mu,
                           None if terminal else obs[n], None if terminal else 0, state))
    return out


def gradient(learner, batch):
    loss = learner.learn(batch)
    return loss, {name: p.grad.copy() for name, p in learner.model.namedparams()}


def assert_same_gradients(got, want, name):
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-5 * np.abs(want).max(),
                               err_msg=name)


def still_optimizer(model):
    optimizer = RMSpropAsync(lr=0.0)  # a real update that leaves the weights as they are
    optimizer.setup(model)
    return optimizer


@pytest.mark.parametrize('name', ['atari', 'atari-lstm', 'mlp', 'lstm', 'gaussian',
                                  'gaussian-lstm'])
def test_the_batched_loss_is_the_sum_of_the_segments_losses(name):
    """An LSTM unrolls every segment from its own state, all at once, and no
    gradient flows from one segment into another."""
    model, shape, dtype = network(name)
    learner = a3c.A3CLearner(model, still_optimizer(model))
    assert (learner.fast is not None) == name.startswith('atari')
    # Segments of unequal lengths: the LSTM's sequences drop out one by one.
    batch = segments(model, np.random.RandomState(1),
                     [(5, False), (3, True), (5, False), (1, False), (2, True)], shape, dtype)
    total, together = gradient(learner, batch)
    parts = [gradient(learner, [s]) for s in batch]
    assert total == pytest.approx(sum(loss for loss, _ in parts), rel=1e-4)
    for param, g in together.items():
        assert_same_gradients(g, sum(grads[param] for _, grads in parts), param)


# The clipped action policy gradient's box: the Gaussian's draws leave it often.
BOX = Box(np.full(2, -0.5, np.float32), np.full(2, 0.5, np.float32))


@pytest.mark.parametrize('name,bounds', [
    ('atari', None), ('atari-lstm', None), ('gaussian', None), ('gaussian-lstm', None),
    ('gaussian', BOX), ('gaussian-lstm', BOX)])
def test_on_policy_the_learner_takes_a3cs_gradient(name, bounds):
    """Acted by the same weights, V-trace's targets are the n-step returns:
    the batch's gradient is the sum of the Hogwild agent's, each segment's
    computed by itself through the graph from the state it started from.
    With the clipped action policy gradient, so only if the actors' log mu
    is the learner's log pi."""
    model, shape, dtype = network(name)
    batch = segments(model, np.random.RandomState(2), [(5, False), (2, True), (4, False)],
                     shape, dtype, on_policy=True, action_bounds=bounds)
    learner = a3c.A3CLearner(model, still_optimizer(model), action_bounds=bounds)
    assert (learner.fast is not None) == name.startswith('atari')
    _, learnt = gradient(learner, batch)
    summed = {}
    if bounds is not None:
        actions = np.concatenate([s.actions for s in batch])
        clipped = (actions <= bounds.low) | (actions >= bounds.high)
        assert clipped.any() and not clipped.all()
    for s in batch:
        if bounds is not None:
            pi = model.unroll(s.obs, s.state)[0]
            np.testing.assert_allclose(s.log_mu, pi.log_prob_array(s.actions, bounds),
                                       rtol=1e-5, atol=1e-5)
        elif name.startswith('gaussian'):
            assert s.actions.shape == (len(s.obs), 2) and s.actions.dtype == np.float32
            pi = model.unroll(s.obs, s.state)[0]
            mean, var = pi.mean.array.astype(np.float64), pi.var.array.astype(np.float64)
            # log mu of a vector: its dimensions' log-densities summed
            density = -0.5 * (np.log(2 * np.pi * var) + (s.actions - mean) ** 2 / var)
            np.testing.assert_allclose(s.log_mu, density.sum(axis=1), rtol=1e-5, atol=1e-5)
        loss = a3c.a3c_loss(model, s.state, s.obs, s.actions, s.rewards, s.next_obs, 0.99,
                            0.01, 0.5, bounds)
        model.cleargrads()
        loss.backward()
        for param, p in model.namedparams():
            summed[param] = summed.get(param, 0) + p.grad
    for param, g in learnt.items():
        assert np.abs(summed[param]).max() > 0, param
        assert_same_gradients(g, summed[param], param)


def test_the_buffer_holds_at_most_its_slots():
    buffer = SegmentBuffer(3, 5, (2,), np.float32)
    obs, zeros = np.ones((5, 2), np.float32), np.zeros(5)
    full = Segment(obs, zeros, zeros, zeros, obs[0], 1)
    for version in range(3):
        assert buffer.put(full, version, lambda: True)
    polls = []
    assert not buffer.put(full, 3, lambda: polls.append(1) or len(polls) < 3)
    assert len(polls) == 3  # it waited for a free slot until told to give up
    taken = buffer.take(8, lambda: False)
    assert len(taken) == 3 and [buffer.segment(i)[1] for i in taken] == [0, 1, 2]
    buffer.release(taken[:1])
    assert buffer.put(Segment(obs[:2], zeros[:2], zeros[:2], zeros[:2], None), 4,
                      lambda: False)
    [i] = buffer.take(8, lambda: False)
    seg, version = buffer.segment(i)
    assert len(seg.actions) == 2 and seg.next_obs is None and seg.next_action is None
    assert version == 4


def _put_numbered(buffer, producer, count):
    for k in range(count):
        obs = np.full((1, 2), producer * 1000 + k, np.float32)
        assert buffer.put(Segment(obs, [0], [0.0], [0.0], None), producer, lambda: True)


def test_segments_from_several_processes_arrive_once_each_and_in_order():
    """Two actors' segments through a buffer of 3 slots: the slot numbers go
    round both queues' rings many times, between processes."""
    from training.counters import CTX
    buffer, count = SegmentBuffer(3, 1, (2,), np.float32), 200
    producers = [CTX.Process(target=_put_numbered, args=(buffer, p, count)) for p in (1, 2)]
    for p in producers:
        p.start()
    got = {1: [], 2: []}
    while sum(map(len, got.values())) < 2 * count:
        slots = buffer.take(2, lambda: True)
        for i in slots:
            segment, producer = buffer.segment(i)
            got[producer].append(int(segment.obs[0, 0]) - producer * 1000)
        buffer.release(slots)
    for p in producers:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert got == {1: list(range(count)), 2: list(range(count))}
    assert buffer.take(1, lambda: False) == []


@pytest.mark.parametrize('space', [Discrete(4), Box(-np.ones(3), np.ones(3))],
                         ids=['indices', 'box'])
def test_the_buffer_carries_the_actions_the_next_action_and_the_state(space):
    """A box's actions are real vectors, kept as the policy drew them."""
    state = tuple(np.zeros((1, 3), np.float32) for _ in range(2))
    buffer = SegmentBuffer(2, 5, (2,), np.float32, state, space)
    rng = np.random.RandomState(0)
    actions = (np.arange(5) if isinstance(space, Discrete)
               else (rng.randn(5, 3) * 2).astype(np.float32))
    sent = Segment(rng.randn(4, 2), actions[:4], rng.randn(4), rng.randn(4), rng.randn(2),
                   actions[4], tuple(rng.randn(1, 3).astype(np.float32) for _ in range(2)))
    assert buffer.put(sent, 7, lambda: False)
    [i] = buffer.take(1, lambda: False)
    got, version = buffer.segment(i)
    assert version == 7 and got.actions.dtype == actions.dtype
    for a, b in zip(got[:6] + got[6], sent[:6] + sent[6]):
        np.testing.assert_array_equal(np.shape(a), np.shape(b))
        np.testing.assert_allclose(a, b, rtol=1e-6)


class Numbered(Environment):
    """Observations that say which game, episode and step they are (real
    numbers, so that a segment's successor can be found); episodes end after
    5 steps, every other one truncated after 3."""
    action_space = Discrete(3)
    observation_shape = (3,)
    observation_dtype = np.float32
    step_cap = 5

    def __init__(self, game):
        super().__init__()
        self.game, self.episode = game, -1

    def _obs(self):
        return np.array([self.game, self.episode, self.steps], np.float32)

    def reset(self):
        self.steps, self.episode = 0, self.episode + 1
        return self._obs()

    def step(self, action):
        self.steps += 1
        truncated = self.episode % 2 == 1 and self.steps == 3
        self.game_over = terminated = self.steps == 5
        return self._obs(), 0.0, terminated, truncated


class Recorder:
    """A learner that keeps what it is given, in a file, and learns nothing."""

    def __init__(self, path):
        self.path = path

    def at_step(self, step):
        pass

    def learn(self, batch):
        with open(self.path, 'ab') as f:
            for s in batch:
                pickle.dump(Segment(*(np.array(x) if isinstance(x, np.ndarray) else x
                                      for x in s[:6]), tuple(map(np.array, s.state))), f)


def test_actors_put_the_next_action_and_each_segments_start_state(tmp_path):
    """A segment's next action is the first of the game's next segment, and
    its state where the LSTM left the game after the segment before (zeros at
    an episode's start); truncated ones get an action of their own."""
    np.random.seed(0)
    model = A3CLSTM(3, head=MLPHead(3, 8), n_cells=4)
    path, games = str(tmp_path / 'segments.pickle'), itertools.count()
    optimizer = still_optimizer(model)
    queue = QueueSettings(t_max=2, envs_per_actor=3, batch_size=4, queue_length=8)
    status = train_queue(
        RunSettings(str(tmp_path), 1, 400, eval_frequency=400, eval_n_runs=1), queue,
        segment_buffer(queue, Numbered(0), model), lambda seed, training: Numbered(next(games)),
        lambda seed, index: a3c.A3CActor(model, seed), lambda: Recorder(path),
        lambda seed, worker: a3c.A3C(model, optimizer, seed=seed), model, optimizer)
    assert status == 0
    played = []
    with open(path, 'rb') as f:
        while True:
            try:
                played.append(pickle.load(f))
            except EOFError:
                break
    starts = {tuple(s.obs[0]): s for s in played}
    assert len({s.obs[0][0] for s in played}) == 3  # the games
    followed = truncated = 0
    for s in played:
        if s.obs[0][2] == 0:
            assert not np.any(s.state)
        unrolled = model.unroll(s.obs, s.state)[2]
        if s.next_obs is None:
            assert s.obs[-1][2] == 4 and s.next_action is None
        elif s.next_obs[2] == 3 and s.obs[0][1] % 2 == 1:
            truncated += 1
            assert s.next_action in (0, 1, 2)
        elif tuple(s.next_obs) in starts:
            after = starts[tuple(s.next_obs)]
            assert after.actions[0] == s.next_action
            for a, b in zip(after.state, unrolled):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
            followed += 1
    assert followed > 50 and truncated > 10, (followed, truncated)


@pytest.mark.parametrize('script,flags', [
    ('a3c_ale.py', ['--use-lstm']), ('q_ale.py', ['--method', 'sarsa'])],
    ids=['a3c-lstm', 'sarsa'])
def test_queue_end_to_end(tmp_path, script, flags):
    out = str(tmp_path / 'out')
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, script), '2', 'pong', *flags, '--architecture',
         'queue', '--envs-per-actor', '2', '--batch-size', '4', '--steps', '2000',
         '--eval-frequency', '1000', '--eval-n-runs', '1', '--outdir', out,
         '--log-interval', '1'], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert 'policy lag' in r.stdout, r.stdout
    rows = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    assert len(rows) == 2 and rows[-1]['steps'] == 2000
    assert os.path.exists(os.path.join(out, '2000_finish.h5'))
