"""TensorBoard's view of real short runs, read back with TensorBoard's own
reader: exactly the numbers of scores.txt and games.txt at their steps, the
parent's own numbers, and a resume that goes on in the same curves."""
import glob
import os
import re
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import q_learning
from agents.lr_schedule import LinearDecay
from training.score_files import GAME_COLUMNS, ScoresFile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHORT = ('2', 'pong', '--steps', '4000', '--eval-frequency', '2000', '--eval-n-runs', '1',
         '--log-interval', '1')


def run(script, *args):
    return subprocess.run([sys.executable, os.path.join(ROOT, script)] + list(args),
                          capture_output=True, text=True, timeout=240, cwd=ROOT)


@pytest.fixture(scope='module')
def a3c_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('a3c') / 'out')
    r = run('a3c_ale.py', *SHORT, '--outdir', out)
    assert r.returncode == 0, r.stderr
    return out


def curves(outdir):
    """{tag: [(step, value), ...]} as TensorBoard shows the folder."""
    reader = EventAccumulator(outdir, size_guidance={'scalars': 0})
    reader.Reload()
    return {tag: [(e.step, e.value) for e in reader.Scalars(tag)]
            for tag in reader.Tags()['scalars']}


def assert_curves_are_the_text_files(outdir):
    """Every column of both files, at the rows' steps, as float32 (TensorBoard's
    scalars), in step order (workers may append games.txt rows out of it); no
    other point; no step going backwards.  Returns the curves."""
    got = curves(outdir)
    for name, columns in (('scores', ()), ('games', GAME_COLUMNS)):
        path = os.path.join(outdir, name + '.txt')
        rows = (ScoresFile(path, columns=columns) if columns else ScoresFile(path)).rows()
        assert rows, name
        tags = {f'{name}/{c}' for c in rows[0] if c not in ('steps', 'worker')}
        assert tags == {t for t in got if t.startswith(name + '/')}
        for tag in tags:
            column = tag.split('/')[1]
            assert got[tag] == [(int(r['steps']), float(np.float32(r[column])))
                                for r in sorted(rows, key=lambda r: r['steps'])], tag
    for tag, points in got.items():
        steps = [s for s, _ in points]
        assert steps == sorted(set(steps)), tag
    return got


def test_a3c_events_hold_the_text_files_and_the_progress_numbers(a3c_run):
    got = assert_curves_are_the_text_files(a3c_run)
    assert {'scores/average_value', 'scores/average_entropy'} <= set(got)
    assert len(got['scores/mean']) == 2 and got['games/score']
    lr = got['train/learning_rate']
    assert len(lr) >= 2 and lr == [(s, float(np.float32(LinearDecay(7e-4, 4000)(s))))
                                   for s, _ in lr]
    assert [s for s, _ in got['train/steps_per_s']] == [s for s, _ in lr]
    assert all(v > 0 for _, v in got['train/steps_per_s'])
    assert not any(t.startswith('epsilon/') for t in got)
    assert len(glob.glob(os.path.join(a3c_run, '*tfevents*'))) == 1  # one writer


def test_value_method_events_hold_the_text_files_and_each_workers_epsilon(tmp_path):
    out = str(tmp_path / 'out')
    r = run('q_ale.py', *SHORT, '--method', 'one-step-q', '--epsilon-anneal-steps', '3000',
            '--outdir', out)
    assert r.returncode == 0, r.stderr
    got = assert_curves_are_the_text_files(out)
    assert 'scores/average_max_q' in got
    # The parent's epsilon is the one each worker drew and printed.
    finals = dict(re.findall(r'worker (\d): epsilon 1 -> ([\d.]+) over', r.stdout))
    assert sorted(finals) == ['0', '1'] and len(set(finals.values())) == 2, r.stdout
    for index, final in finals.items():
        points = got[f'epsilon/worker_{index}']
        assert len(points) >= 2
        assert points == [(s, float(np.float32(q_learning.epsilon_at(s, float(final), 3000))))
                          for s, _ in points]


@pytest.mark.parametrize('script,flags', [
    ('a3c_ale.py', ['--use-lstm']),
    ('a3c_ale.py', ['--architecture', 'queue', '--envs-per-actor', '1']),
    ('q_ale.py', ['--method', 'sarsa']), ('q_ale.py', ['--method', 'n-step-q'])],
    ids=['a3c-lstm', 'a3c-ff-queue', 'sarsa', 'n-step-q'])
def test_every_method_and_architecture_writes_its_text_files(script, flags, tmp_path):
    out = str(tmp_path / 'out')
    r = run(script, *SHORT, *flags, '--outdir', out)
    assert r.returncode == 0, r.stderr
    assert_curves_are_the_text_files(out)


def test_a_resume_from_an_older_model_goes_on_in_the_same_curves(a3c_run, tmp_path):
    out = str(tmp_path / 'out')
    shutil.copytree(a3c_run, out)
    before = curves(out)
    first = min(int(f[:-3]) for f in os.listdir(out) if re.fullmatch(r'\d+\.h5', f))
    abandoned = {tag: [p for p in points if p[0] >= first] for tag, points in before.items()}
    assert all(abandoned[t] for t in ('games/score', 'scores/elapsed', 'train/steps_per_s'))
    r = run('a3c_ale.py', *SHORT, '--resume', os.path.join(out, f'{first}.h5'))
    assert r.returncode == 0, r.stderr
    assert os.path.exists(os.path.join(out, f'games.txt.before_resume_{first}'))
    # One event file: the old one moved aside, as the abandoned models did.
    aside = os.path.join(out, f'before_resume_{first}')
    assert f'moved 1 TensorBoard event file(s) to {aside}' in r.stdout
    assert len(glob.glob(os.path.join(aside, '*tfevents*'))) == 1
    assert len(glob.glob(os.path.join(out, '*tfevents*'))) == 1
    got = assert_curves_are_the_text_files(out)
    # The abandoned stretch's points are gone: its games (other games than
    # the resumed stretch played), its evaluation, its progress numbers.
    for tag in ('games/score', 'scores/elapsed', 'train/steps_per_s'):
        assert [p for p in abandoned[tag] if p not in got[tag]], tag
    assert not set(abandoned['train/steps_per_s']) & set(got['train/steps_per_s'])
    assert before['scores/mean'][0] in got['scores/mean']  # the resume step's row, kept
    # The progress numbers up to the resume step go on in the new file.
    kept = [p for p in before['train/steps_per_s'] if p[0] <= first]
    assert kept and got['train/steps_per_s'][:len(kept)] == kept


def test_a_broken_or_cut_short_event_file_does_not_stop_a_resume(a3c_run, tmp_path):
    out = str(tmp_path / 'out')
    shutil.copytree(a3c_run, out)
    (events,) = glob.glob(os.path.join(out, '*tfevents*'))
    # A run killed while writing: its event file ends part-way through a
    # record, before its last rows; the resume writes just those rows again.
    cut_inside_a_record(events, os.path.getsize(events) // 2)
    foreign = os.path.join(out, 'events.out.tfevents.0000000001.elsewhere')
    with open(foreign, 'wb') as f:
        f.write(b'not an event file' * 50)
    r = run('a3c_ale.py', *SHORT[:3], '5000', *SHORT[4:], '--resume', out)
    assert r.returncode == 0, r.stderr
    assert 'Traceback' not in r.stderr
    notes = [line for line in r.stdout.splitlines() if line.startswith('note: ')]
    assert len(notes) == 2, r.stdout
    assert foreign in notes[0] and 'not a TensorBoard event file' in notes[0]
    assert events in notes[1] and 'cut short' in notes[1]
    assert os.path.exists(foreign)  # TensorBoard skips it, with a warning
    # Nothing past the resume step: the old file stays, the new one goes on.
    assert not [n for n in os.listdir(out) if 'before_resume' in n]
    assert os.path.exists(events)
    got = assert_curves_are_the_text_files(out)
    assert got['scores/mean'][-1][0] == 5000


def cut_inside_a_record(path, keep):
    """Cuts the file 6 bytes into the first record starting at or after byte
    `keep` (each record: 8 bytes of length, 4 of checksum, the data, 4)."""
    with open(path, 'rb') as f:
        data = f.read()
    at = 0
    while at < keep:
        at += struct.unpack_from('<Q', data, at)[0] + 16
    assert at < len(data)
    with open(path, 'r+b') as f:
        f.truncate(at + 6)


def test_no_tensorboard_writes_no_event_file(tmp_path):
    out = str(tmp_path / 'out')
    r = run('a3c_ale.py', '1', 'pong', '--steps', '500', '--eval-frequency', '500',
            '--eval-n-runs', '1', '--log-interval', '1', '--no-tensorboard', '--outdir', out)
    assert r.returncode == 0, r.stderr
    assert os.path.exists(os.path.join(out, 'scores.txt'))
    assert not glob.glob(os.path.join(out, '*tfevents*'))
