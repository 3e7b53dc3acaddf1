"""a3c_doom.py, q_doom.py and demo_a3c_doom.py end to end on bundled scenarios,
as a user runs them."""
import json
import os
import subprocess
import sys

import h5py
import pytest
from PIL import Image

from envs import ale
from nets.actor_critic import A3CFF
from nets.torso import DQNHead
from rmsprop_async import RMSpropAsync
from training import checkpoints
from training.score_files import GAME_COLUMNS, ScoresFile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORD = {'environment': 'doom', 'scenario': 'basic', 'preprocessing': 'rgb160x120'}


def run(script, *args, timeout=240):
    return subprocess.run([sys.executable, os.path.join(ROOT, script)] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope='module')
def short_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('run') / 'out')
    r = run('a3c_doom.py', 2, 'basic', '--steps', 2000, '--eval-frequency', 1000,
            '--eval-n-runs', 2, '--reward-scale', 0.01, '--outdir', out, '--log-interval', 1)
    return out, r


def test_a3c_trains_evaluates_and_records_the_scenario(short_run):
    out, r = short_run
    assert r.returncode == 0, r.stderr
    assert 'steps/s' in r.stdout and 'training games mean' in r.stdout
    rows = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    assert len(rows) == 2 and rows[-1]['steps'] == 2000
    assert all(-800 < row['min'] <= row['max'] <= 100 for row in rows)
    with open(os.path.join(out, 'args.txt')) as f:
        args = json.load(f)
    assert args['args']['scenario'] == 'basic' and args['args']['reward_scale'] == 0.01
    with h5py.File(os.path.join(out, '2000_finish.h5'), 'r') as f:
        assert dict(f.attrs) == RECORD
    games = ScoresFile(os.path.join(out, 'games.txt'), columns=GAME_COLUMNS).rows()
    # basic ends within 75 steps (300 tics): 2000 steps hold dozens of whole games.
    assert len(games) > 20 and all(0 < g['length'] <= 75 for g in games)
    assert all(-800 < g['score'] <= 100 for g in games)


def test_resume_goes_on_and_keeps_the_scenario(short_run):
    out, _ = short_run
    before = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    for other, message in ((['defend_the_center'],
                            "that run has scenario='basic', this command 'defend_the_center'"),
                           (['basic', '--reward-scale', '1'], 'that run has reward_scale=0.01')):
        r = run('a3c_doom.py', 2, *other, '--steps', 3000, '--resume', out)
        assert r.returncode == 2 and message in r.stderr, r.stderr
    r = run('a3c_doom.py', 2, 'basic', '--reward-scale', 0.01, '--steps', 3000,
            '--eval-frequency', 1000, '--eval-n-runs', 2, '--resume', out)
    assert r.returncode == 0, r.stderr
    assert 'resumed at step 2000' in r.stdout
    rows = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    assert rows[:2] == before and [row['steps'] for row in rows[2:]] == [3000]
    assert os.path.exists(os.path.join(out, '3000_finish.h5'))


def test_a_value_method_trains_on_doom(tmp_path):
    out = str(tmp_path / 'q')
    r = run('q_doom.py', 2, 'basic', '--method', 'n-step-q', '--steps', 1000,
            '--eval-n-runs', 1, '--outdir', out)
    assert r.returncode == 0, r.stderr
    assert 'epsilon 1 ->' in r.stdout
    with h5py.File(os.path.join(out, '1000_finish.h5'), 'r') as f:
        assert dict(f.attrs) == RECORD and '1/0/W' in f


@pytest.mark.parametrize('script,args,message', [
    ('a3c_doom.py', ['2', 'bassic'], "unknown scenario 'bassic'; bundled scenarios: basic, "),
    ('a3c_doom.py', ['2', '/nonexistent/x.cfg'],
     "scenario file '/nonexistent/x.cfg' does not exist"),
    ('q_doom.py', ['2', 'basic', '--method', 'sarsa', '--reward-scale', '0'],
     "'0' is not a positive number"),
    ('a3c_doom.py', ['2', 'basic', '--health-reward', '1'],
     ('basic.cfg lists no HEALTH game variable (available_game_variables): --health-reward '
      'needs it')),
    ('q_doom.py', ['2', 'health_gathering', '--health-reward', '-1'],
     "'-1' is not a number >= 0"),
])
def test_bad_input_one_line_exit_2(script, args, message):
    r = run(script, *args)
    assert r.returncode == 2 and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and 'Traceback' not in r.stderr


def test_a_broken_cfg_one_line_exit_2(tmp_path):
    cfg = tmp_path / 'broken.cfg'
    cfg.write_text('doom_scenario_path = basic.wad\navailable_buttons = { ATTACK\n')
    r = run('a3c_doom.py', 2, cfg)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == f'a3c_doom.py: error: {cfg} is not a valid ViZDoom config: ' \
        'Syntax error in lines 2-3'


def test_the_demo_plays_a_doom_model_and_records_it(short_run, tmp_path):
    gif = tmp_path / 'play.gif'
    r = run('demo_a3c_doom.py', 'basic', os.path.join(short_run[0], '2000_finish.h5'),
            '--n-runs', 2, '--record', gif)
    assert r.returncode == 0, r.stderr
    assert 'A3CFF' in r.stdout and 'rgb160x120' in r.stdout
    assert len([line for line in r.stdout.splitlines() if line.startswith('run ')]) == 2
    with Image.open(gif) as im:
        assert im.size == (80, 60) and im.n_frames > 1  # every other pixel of 160x120
        assert len(set(im.convert('RGB').getdata())) > 10


def saved(folder, n_actions, record, channels=12):
    """An untrained A3C FF model saved as the scripts save one, recording `record`."""
    folder.mkdir()
    model = A3CFF(n_actions, head=DQNHead(channels))
    optimizer = RMSpropAsync()
    optimizer.setup(model)
    return checkpoints.save(str(folder), 0, '', model, optimizer, record=record)


def test_the_demo_refuses_other_models(tmp_path, zoo_model):
    pong = saved(tmp_path / 'ale', 6, ale.ALE('pong').record)
    for model, message in (
            (pong,
             ("is no ViZDoom model: it records environment 'ale' (pong); play it with "
              'demo_a3c_ale.py')),
            (zoo_model('inverted_pendulum_ff'),
             ("is no ViZDoom model: it records environment 'gym' (InvertedPendulum-v5); "
              'play it with demo_a3c_gym.py')),
            (zoo_model('pong_ff'),
             ('is no ViZDoom model: it records no environment, as Atari models saved before '
              'files recorded it; play it with demo_a3c_ale.py'))):
        r = run('demo_a3c_doom.py', 'basic', model)
        assert r.returncode == 2 and message in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    seven = saved(tmp_path / 'doom', 7, RECORD)
    r = run('demo_a3c_doom.py', 'basic', seven)
    assert r.returncode == 2 and 'chooses among 7 actions, but basic has 3 buttons' in r.stderr


def test_gray_trains_a_four_channel_network_that_the_demo_plays(tmp_path):
    out = str(tmp_path / 'out')
    r = run('q_doom.py', 1, 'basic', '--method', 'n-step-q', '--preprocessing', 'gray160x120',
            '--steps', 500, '--eval-frequency', 500, '--eval-n-runs', 1, '--outdir', out)
    assert r.returncode == 0, r.stderr
    model = os.path.join(out, '500_finish.h5')
    with h5py.File(model, 'r') as f:
        assert f['0/0/W'].shape == (16, 4, 8, 8)
        assert f.attrs['preprocessing'] == 'gray160x120'
    r = run('demo_a3c_doom.py', 'basic', model, '--n-runs', 1)
    assert r.returncode == 0, r.stderr
    assert 'QFunction' in r.stdout and 'gray160x120' in r.stdout
    # A network whose channels its record's preprocessing does not give.
    odd = saved(tmp_path / 'odd', 3, dict(RECORD, preprocessing='gray160x120'), channels=12)
    r = run('demo_a3c_doom.py', 'basic', odd)
    assert r.returncode == 2 and 'sees 12 screen channels, but gray160x120 preprocessing ' \
        'gives 4' in r.stderr, r.stderr
