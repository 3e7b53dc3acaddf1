"""The value-based agents: learning on Catch through the real training loop,
their targets against hand computations, the target network's refreshes and
the exploration schedule; the Q network's file; q_ale.py and the demo end to end."""
import copy
import json
import os
import subprocess
import sys

import chainer
import h5py
import numpy as np
import pytest
from catch import SIZE, Catch

from agents.lr_schedule import LinearDecay
from nets.model_files import model_from_file
from nets.torso import MLPHead
from q_functions import QFunction
from q_learning import (
    FINAL_EPSILONS,
    METHODS,
    NStepQLearning,
    OneStepQLearning,
    OneStepSarsa,
    QActor,
    QAgent,
    QLearner,
    epsilon_at,
    final_epsilon,
)
from rmsprop_async import RMSpropAsync
from training import checkpoints, shared_memory
from training.evaluator import run_episodes
from training.hogwild import train_async
from training.queue import QueueSettings, segment_buffer, train_queue
from training.run_settings import RunSettings
from training.score_files import ScoresFile
from training.segment_buffer import Segment, SegmentBuffer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPISODES = 400
STEPS = 30000
# Catch must be learnt in seconds, not days: the top of the paper's
# LogUniform(1e-4, 1e-2) learning rates (as in test_learning.py), epsilon at
# each process's final value after 5,000 of the 30,000 steps instead of 1e6,
# and the target network refreshed every 500 steps instead of 10,000.
LR = 1e-2
ANNEAL_STEPS = 5000
TARGET_INTERVAL = 500


def make_agent(method, model, target, optimizer, seed, worker=0):
    return METHODS[method](model, target, optimizer, seed=seed,
                           final_epsilon=final_epsilon(worker, 2),
                           target_update_interval=TARGET_INTERVAL,
                           epsilon_anneal_steps=ANNEAL_STEPS,
                           lr_schedule=LinearDecay(LR, STEPS))


def score(method, model, target, seed):
    """Mean over games played epsilon-greedily with the evaluation's 0.05."""
    agent = make_agent(method, model, target, None, seed)
    return np.mean(run_episodes(Catch(seed), agent, EPISODES))


def shared_networks():
    np.random.seed(0)
    model = QFunction(Catch.n_actions, head=MLPHead(SIZE * SIZE, 64))
    target = copy.deepcopy(model)
    optimizer = RMSpropAsync(lr=LR, grad_clip=40)
    optimizer.setup(model)
    shared_memory.share_params(model)
    shared_memory.share_params(target)
    shared_memory.share_states(optimizer)
    return model, target, optimizer


ARCHITECTURES = [('hogwild', m) for m in sorted(METHODS)] + [('queue', 'n-step-q'),
                                                             ('queue', 'sarsa')]


@pytest.mark.parametrize('architecture,method', ARCHITECTURES,
                         ids=['-'.join(a) for a in ARCHITECTURES])
def test_learns_catch(tmp_path, architecture, method):
    model, target, optimizer = shared_networks()
    before = score(method, model, target, 1)

    settings = RunSettings(str(tmp_path), 2, STEPS, eval_frequency=STEPS // 2,
                           eval_n_runs=20, statistics=QAgent.STATISTICS)
    agent = lambda seed, worker: make_agent(method, model, target, optimizer, seed, worker or 0)  # noqa
    if architecture == 'hogwild':
        status = train_async(settings, lambda seed, training: Catch(seed), agent, model,
                             optimizer)
    else:  # 2 actors of 4 games each feed one learner; a game of Catch is 4
        # steps: with t_max 2 its first segment bootstraps (Sarsa's from the next action)
        queue = QueueSettings(t_max=2, envs_per_actor=4, batch_size=8, queue_length=32)
        status = train_queue(
            settings, queue, segment_buffer(queue, Catch(0), model),
            lambda seed, training: Catch(seed),
            lambda seed, index: QActor(model, seed, ANNEAL_STEPS, final_epsilon(index, 2)),
            lambda: QLearner(model, target, optimizer, method, lr_schedule=LinearDecay(
                LR, STEPS), target_update_interval=TARGET_INTERVAL), agent, model, optimizer)
    after = score(method, model, target, 2)

    assert status == 0
    # A random policy catches about a third of the balls (mean near -0.3);
    # over 400 games the mean has a standard error under 0.05.
    assert before < 0.2
    assert after > 0.5, (before, after)
    rows = ScoresFile(str(tmp_path / 'scores.txt')).rows()
    assert len(rows) == 2 and rows[0]['steps'] >= STEPS // 2 and rows[1]['steps'] == STEPS
    assert all(-1.5 < r['average_max_q'] < 1.5 for r in rows)


N_IN, GAMMA = 3, 0.5
TARGET_Q = np.array([1.0, 5.0, 2.0])  # Q(s, .; theta-minus) of every state s


def tiny_agent(agent_class, optimizer=None, **kwargs):
    """An agent whose target network says TARGET_Q whatever the state."""
    with chainer.using_config('dtype', np.float64):
        model = QFunction(3, head=MLPHead(N_IN, 4))
    target = copy.deepcopy(model)
    target[1][0].W.array[...] = 0
    target[1][0].b.array[...] = TARGET_Q
    agent = agent_class(model, target, optimizer, gamma=GAMMA, seed=3, **kwargs)
    agent.target_update_interval = 10 ** 9  # keep TARGET_Q past global step 0
    agent.at_step(1)
    return agent


def play(agent, rewards):
    """Acts once per reward (no update yet: fewer steps than t_max); returns the actions."""
    actions = [agent.act_and_train(np.full(N_IN, i, dtype=np.float64), r)
               for i, r in enumerate([0.0] + rewards[:-1])]
    agent.past_rewards.append(rewards[-1])
    return actions


def test_one_step_q_targets_bootstrap_from_the_max():
    agent = tiny_agent(OneStepQLearning)
    play(agent, [1.0, 0.0, 2.0])
    np.testing.assert_allclose(agent.targets(np.zeros(N_IN), 0), [3.5, 2.5, 4.5])
    np.testing.assert_allclose(agent.targets(None, None), [3.5, 2.5, 2.0])


def test_sarsa_targets_use_the_actions_taken_next():
    agent = tiny_agent(OneStepSarsa)
    agent.final_epsilon = 1.0  # random actions: some are not the target's argmax
    rewards = [1.0, 0.0, 2.0, -1.0]
    actions = play(agent, rewards)
    next_actions = actions[1:] + [0]
    assert any(a != TARGET_Q.argmax() for a in next_actions)
    expected = np.array(rewards) + GAMMA * TARGET_Q[next_actions]
    np.testing.assert_allclose(agent.targets(np.zeros(N_IN), 0), expected)
    expected[-1] = rewards[-1]
    np.testing.assert_allclose(agent.targets(None, None), expected)


@pytest.mark.parametrize('terminal', [False, True])
def test_sarsa_queue_targets_are_the_hogwild_agents(terminal):
    """The same segment, through the queue's buffer, with the action the actor
    chose after it: the learner's targets are the agent's."""
    agent = tiny_agent(OneStepSarsa)
    agent.final_epsilon = 1.0
    rewards = [1.0, 0.0, 2.0, -1.0]
    actions = play(agent, rewards)
    next_obs, next_action = (None, None) if terminal else (np.full(N_IN, 9.0), 0)
    buffer = SegmentBuffer(1, 5, (N_IN,), np.float64)
    buffer.put(Segment(agent.past_obs, actions, rewards, np.zeros(4), next_obs, next_action),
               0, lambda: False)
    segment = buffer.segment(buffer.take(1, lambda: False)[0])[0]
    learner = QLearner(agent.local.shared_model, agent.target_model, None, 'sarsa',
                       gamma=GAMMA)
    expected = np.array(rewards) + GAMMA * TARGET_Q[actions[1:] + [0]]
    if terminal:
        expected[-1] = rewards[-1]
    np.testing.assert_allclose(learner.targets(segment), expected)
    np.testing.assert_allclose(learner.targets(segment), agent.targets(next_obs, next_action))


def test_sarsa_update_waits_for_the_next_action():
    """The segment's update comes in the call that chooses a', with that a'."""
    agent = tiny_agent(OneStepSarsa, optimizer=RMSpropAsync(), t_max=2)
    agent.optimizer.setup(agent.local.shared_model)
    agent.final_epsilon = 1.0
    seen = []
    targets = agent.targets
    agent.targets = lambda obs, action: seen.append(action) or targets(obs, action)
    actions = [agent.act_and_train(np.zeros(N_IN), 0.0) for _ in range(3)]
    assert seen == [actions[2]]


def test_n_step_targets_by_hand():
    agent = tiny_agent(NStepQLearning)
    play(agent, [1.0, 0.0, 2.0])
    # R2 = 2 + .5 * 5 = 4.5, R1 = 0 + .5 * 4.5, R0 = 1 + .5 * 2.25
    np.testing.assert_allclose(agent.targets(np.zeros(N_IN), 0), [2.125, 2.25, 4.5])
    # R2 = 2, R1 = 0 + .5 * 2, R0 = 1 + .5 * 1
    np.testing.assert_allclose(agent.targets(None, None), [1.5, 1.0, 2.0])


@pytest.mark.parametrize('method', sorted(METHODS))
def test_updates_every_t_max_steps_and_at_episode_end(method):
    updates = []

    class Optimizer:
        lr = 0.0

        def update(self):
            updates.append(len(agent.past_actions))

    agent = tiny_agent(METHODS[method], optimizer=Optimizer())
    for _ in range(12):
        agent.act_and_train(np.zeros(N_IN), 0.0)
    agent.stop_episode_and_train(np.zeros(N_IN), 1.0, True)
    assert updates == [5, 5, 2]


def test_target_refreshes_exactly_at_multiples_of_the_interval():
    agent = tiny_agent(NStepQLearning, t_max=10 ** 6)  # no updates: only the refreshes
    agent.target_update_interval = 7
    W, target_W = agent.local.shared_model[1][0].W.array, agent.target_model[1][0].W.array
    for t in range(30):
        W += 1  # the shared weights change at every step
        before = target_W.copy()
        agent.at_step(t)
        agent.act_and_train(np.zeros(N_IN), 0.0)
        if t % 7 == 0:
            np.testing.assert_array_equal(target_W, W)
        else:
            np.testing.assert_array_equal(target_W, before)


def test_final_epsilons_follow_the_paper_and_depend_on_the_worker_alone():
    for workers, counts in ((16, [6, 5, 5]), (100, [40, 30, 30]), (3, [1, 1, 1]),
                            (2, [1, 0, 1]), (1, [0, 1, 0])):
        finals = [final_epsilon(i, workers) for i in range(workers)]
        assert [finals.count(e) for e in FINAL_EPSILONS] == counts, workers


def test_epsilon_anneals_linearly_then_stays():
    assert epsilon_at(0, 0.1, 1000) == 1.0
    assert epsilon_at(250, 0.1, 1000) == pytest.approx(0.775)
    assert epsilon_at(1000, 0.1, 1000) == pytest.approx(0.1)
    assert epsilon_at(10 ** 6, 0.1, 1000) == pytest.approx(0.1)
    agent = tiny_agent(OneStepQLearning, epsilon_anneal_steps=100)
    agent.at_step(50)
    assert agent.epsilon == pytest.approx((1 + agent.final_epsilon) / 2)


def test_q_ale_end_to_end(tmp_path):
    out = str(tmp_path / 'out')
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'q_ale.py'), '2', 'pong', '--method',
         'n-step-q', '--steps', '2000', '--eval-frequency', '1000', '--eval-n-runs', '1',
         '--outdir', out, '--log-interval', '1'],
        capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert 'steps/s' in r.stdout
    assert sorted(line.split(':')[0] for line in r.stdout.splitlines()
                  if 'epsilon 1 ->' in line) == ['worker 0', 'worker 1']
    with open(os.path.join(out, 'args.txt')) as f:
        record = json.load(f)
    assert record['args']['method'] == 'n-step-q'
    assert record['args']['target_update_frequency'] == 10000
    rows = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    assert len(rows) == 2 and rows[-1]['steps'] == 2000
    assert list(rows[0])[-1] == 'average_max_q'
    assert os.path.exists(os.path.join(out, '2000_finish.h5'))


def test_q_network_file_layout_and_loading(tmp_path):
    model = QFunction(6)
    optimizer = RMSpropAsync()
    optimizer.setup(model)
    path = checkpoints.save(str(tmp_path), 0, '', model, optimizer)
    with h5py.File(path, 'r') as f:
        found = {}
        f.visititems(lambda n, o: found.__setitem__(n, o.shape)
                     if isinstance(o, h5py.Dataset) else None)
    assert found == {'0/0/W': (16, 4, 8, 8), '0/0/b': (16,), '0/1/W': (32, 16, 4, 4),
                     '0/1/b': (32,), '0/2/W': (256, 2592), '0/2/b': (256,),
                     '1/0/W': (6, 256), '1/0/b': (6,)}
    loaded = model_from_file(path)
    assert type(loaded) is QFunction and loaded.n_actions == 6
    for (n, a), (m, b) in zip(sorted(model.namedparams()), sorted(loaded.namedparams())):
        assert n == m
        np.testing.assert_array_equal(a.array, b.array)


def test_demo_plays_a_q_network_epsilon_greedily(tmp_path):
    optimizer = RMSpropAsync()
    optimizer.setup(QFunction(6))
    path = checkpoints.save(str(tmp_path), 0, '', optimizer.target, optimizer)
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'demo_a3c_ale.py'), 'pong', path,
                        '--n-runs', '1'], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert 'QFunction' in r.stdout and 'epsilon-greedy (0.05)' in r.stdout
    assert [line for line in r.stdout.splitlines() if line.startswith('run 1: score')]
