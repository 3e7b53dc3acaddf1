"""a3c_gym.py end to end, as a user runs it, and demo_a3c_gym.py on what it saved."""
import json
import os
import subprocess
import sys

import h5py
import pytest
from PIL import Image

from training.score_files import GAME_COLUMNS, ScoresFile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(script, *args, timeout=240):
    return subprocess.run([sys.executable, os.path.join(ROOT, script)] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """A discrete task and a MuJoCo one, each trained for a moment by 2 processes."""
    out = {}
    for task, steps, scale in (('CartPole-v1', 3000, 0.1), ('InvertedPendulum-v5', 2000, 1)):
        folder = str(tmp_path_factory.mktemp(task) / 'out')
        r = run('a3c_gym.py', 2, task, '--steps', steps, '--eval-frequency', steps // 2,
                '--eval-n-runs', 2, '--outdir', folder, '--reward-scale', scale)
        assert r.returncode == 0, r.stderr
        out[task] = folder
    return out


@pytest.mark.parametrize('task,steps,network,beta', [
    ('CartPole-v1', 3000, {'1/0/W': (2, 200)}, 1e-2),
    ('InvertedPendulum-v5', 2000, {'1/0/W': (1, 200), '1/1/W': (1, 200)}, 1e-4),
])
def test_a_run_saves_its_models_and_scores(runs, task, steps, network, beta):
    out = runs[task]
    files = set(os.listdir(out))
    assert {'args.txt', 'scores.txt', 'games.txt', f'{steps}_finish.h5',
            f'{steps}_finish.h5.opt'} <= files
    rows = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    assert [r['steps'] for r in rows][-1] == steps and len(rows) == 2
    # The task's own scores, whatever the training rewards were scaled by:
    # 1 a step (InvertedPendulum-v5 gives 0 for the step on which it falls).
    games = ScoresFile(os.path.join(out, 'games.txt'), columns=GAME_COLUMNS).rows()
    assert games and all(g['length'] - 1 <= g['score'] <= g['length'] for g in games)
    with open(os.path.join(out, 'args.txt')) as f:
        args = json.load(f)
    assert args['args']['beta'] == beta and 'gymnasium' in args['packages']
    assert args['args']['grad_clip'] == float('inf')  # no limit: the default here
    with h5py.File(os.path.join(out, f'{steps}_finish.h5'), 'r') as f:
        assert dict(f.attrs) == {'environment': 'gym', 'task': task}
        assert f['0/0/W'].shape[0] == 200
        for name, shape in network.items():
            assert f[name].shape == shape
        assert ('1/1/W' in f) == ('1/1/W' in network)


def test_a_resume_goes_on_and_keeps_the_task(runs):
    out = runs['CartPole-v1']
    r = run('a3c_gym.py', 2, 'Pendulum-v1', '--steps', 4000, '--resume', out)
    assert r.returncode == 2 and "that run has task='CartPole-v1'" in r.stderr
    r = run('a3c_gym.py', 2, 'CartPole-v1', '--steps', 4000, '--eval-frequency', 1500,
            '--eval-n-runs', 1, '--resume', out)
    assert r.returncode == 0, r.stderr
    assert ScoresFile(os.path.join(out, 'scores.txt')).rows()[-1]['steps'] == 4000


def test_normalized_observations_are_kept_through_a_resume_and_the_demo(tmp_path):
    """The scale measured at the start is the model file's; a resume trains on
    with the file's scale (a changed flag is refused), and the demo plays it."""
    out = str(tmp_path / 'out')
    r = run('a3c_gym.py', 2, 'Pendulum-v1', '--normalize-observations', '--steps', 1000,
            '--eval-n-runs', 1, '--outdir', out)
    assert r.returncode == 0, r.stderr
    with h5py.File(os.path.join(out, '1000_finish.h5'), 'r') as f:
        mean, std = f['0/obs_mean'][()], f['0/obs_std'][()]
    assert mean.shape == std.shape == (3,) and std[2] > 3 * std[0]  # the angular velocity
    r = run('a3c_gym.py', 2, 'Pendulum-v1', '--steps', 2000, '--resume', out)
    assert r.returncode == 2 and 'that run has normalize_observations=True' in r.stderr
    r = run('a3c_gym.py', 2, 'Pendulum-v1', '--normalize-observations', '--seed', 5,
            '--steps', 2000, '--eval-n-runs', 1, '--resume', out)
    assert r.returncode == 0, r.stderr
    with h5py.File(os.path.join(out, '2000_finish.h5'), 'r') as f:
        assert (f['0/obs_mean'][()] == mean).all() and (f['0/obs_std'][()] == std).all()
    r = run('demo_a3c_gym.py', 'Pendulum-v1', os.path.join(out, '2000_finish.h5'),
            '--n-runs', 1)
    assert r.returncode == 0, r.stderr


def test_the_clipped_action_gradient_runs_and_a_resume_keeps_it(tmp_path):
    out = str(tmp_path / 'out')
    r = run('a3c_gym.py', 2, 'Pendulum-v1', '--clipped-action-gradient', '--steps', 1000,
            '--eval-n-runs', 1, '--outdir', out)
    assert r.returncode == 0, r.stderr
    assert os.path.exists(os.path.join(out, '1000_finish.h5'))
    with open(os.path.join(out, 'args.txt')) as f:
        assert json.load(f)['args']['clipped_action_gradient']
    r = run('a3c_gym.py', 2, 'Pendulum-v1', '--steps', 2000, '--resume', out)
    assert r.returncode == 2 and 'that run has clipped_action_gradient=True' in r.stderr


def test_the_lstm_network_runs_on_a_box_task(tmp_path):
    out = str(tmp_path / 'out')
    r = run('a3c_gym.py', 1, 'Pendulum-v1', '--use-lstm', '--steps', 600,
            '--eval-n-runs', 1, '--outdir', out)
    assert r.returncode == 0, r.stderr
    with h5py.File(os.path.join(out, '600_finish.h5'), 'r') as f:
        assert f['1/lateral/W'].shape == (512, 128) and f['2/1/W'].shape == (1, 128)


@pytest.mark.parametrize('task,flags', [('Pendulum-v1', ['--use-lstm']), ('CartPole-v1', [])],
                         ids=['gaussian-lstm', 'softmax-ff'])
def test_the_queue_learner_runs_either_policy(tmp_path, task, flags):
    """2 actors of 2 games feed the learner."""
    out = str(tmp_path / 'out')
    r = run('a3c_gym.py', 2, task, *flags, '--architecture', 'queue', '--envs-per-actor', 2,
            '--batch-size', 4, '--steps', 3000, '--eval-frequency', 1500, '--eval-n-runs', 1,
            '--outdir', out, '--log-interval', 1)
    assert r.returncode == 0, r.stderr
    assert 'policy lag' in r.stdout, r.stdout
    rows = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    assert len(rows) == 2 and rows[-1]['steps'] == 3000
    games = ScoresFile(os.path.join(out, 'games.txt'), columns=GAME_COLUMNS).rows()
    assert {g['worker'] for g in games} == {0, 1}
    assert os.path.exists(os.path.join(out, '3000_finish.h5'))


@pytest.mark.parametrize('args,message', [
    (['2', 'Foo-v1'], "Gymnasium task 'Foo-v1': Environment `Foo` doesn't exist."),
    (['2', 'LunarLander-v3'], 'Box2D is not installed'),
    (['2', 'FrozenLake-v1'], 'only a vector can be learned here'),
    (['2', 'Pendulum-v1', '--beta', '-1'], "'-1' is not a number >= 0"),
    (['2', 'CartPole-v1', '--clipped-action-gradient'],
     ('--clipped-action-gradient is for a box of real actions; CartPole-v1 has a discrete '
      'choice')),
    (['2'], 'the following arguments are required: task'),
])
def test_bad_input_one_line_exit_2(args, message):
    r = run('a3c_gym.py', *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and 'Traceback' not in r.stderr


def test_the_demo_plays_a_box_model_and_records_it(tmp_path):
    """Pendulum draws with pygame, off screen."""
    out, gif = str(tmp_path / 'out'), tmp_path / 'play.gif'
    assert run('a3c_gym.py', 1, 'Pendulum-v1', '--steps', 400, '--eval-n-runs', 1,
               '--outdir', out).returncode == 0
    r = run('demo_a3c_gym.py', 'Pendulum-v1', os.path.join(out, '400_finish.h5'),
            '--n-runs', 2, '--deterministic', '--record', gif)
    assert r.returncode == 0 and r.stderr == '', r.stderr
    assert 'most probable actions' in r.stdout and r.stdout.count('in 200 steps') == 2
    with Image.open(gif) as image:
        assert image.n_frames == 201 and image.size == (250, 250)


def test_the_demo_plays_on_where_mujoco_cannot_draw(runs, tmp_path):
    model = os.path.join(runs['InvertedPendulum-v5'], '2000_finish.h5')
    r = run('demo_a3c_gym.py', 'InvertedPendulum-v5', model, '--n-runs', 2,
            '--record', tmp_path / 'play.gif')
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    drawn = not any(line.startswith('cannot record: ') for line in lines)
    assert os.path.exists(tmp_path / 'play.gif') == drawn
    assert len([line for line in lines if line.startswith('run ')]) == 2


@pytest.mark.parametrize('entry,message', [
    ('health_gathering_ff', ("is no Gymnasium model: it records environment 'doom' "
                             '(health_gathering); play it with demo_a3c_doom.py')),
    ('pong_ff', 'holds a network on Atari frames; play it with demo_a3c_ale.py')])
def test_the_demo_refuses_other_environments_models(zoo_model, entry, message):
    r = run('demo_a3c_gym.py', 'InvertedPendulum-v5', zoo_model(entry))
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize('args,message', [
    (['Pendulum-v1', 'CARTPOLE'], 'observes 4 numbers, but Pendulum-v1 gives 3'),
    (['Acrobot-v1', 'CARTPOLE'], 'observes 4 numbers, but Acrobot-v1 gives 6'),
    (['InvertedPendulum-v5', 'CARTPOLE'],
     'chooses among 2, but InvertedPendulum-v5 takes a vector of 1'),
    (['CartPole-v1', '/nonexistent.h5'], 'is not a readable HDF5 model file'),
])
def test_demo_bad_input_one_line_exit_2(runs, args, message):
    args = [a.replace('CARTPOLE', os.path.join(runs['CartPole-v1'], '3000_finish.h5'))
            for a in args]
    r = run('demo_a3c_gym.py', *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
