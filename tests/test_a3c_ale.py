"""The training script end to end, as a user runs it."""
import json
import os
import shutil
import subprocess
import sys

import h5py
import pytest

from training import checkpoints
from training.counters import Counters
from training.score_files import GAME_COLUMNS, ScoresFile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args, timeout=240):
    return subprocess.run([sys.executable, os.path.join(ROOT, 'a3c_ale.py')] + list(args),
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope='module')
def short_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('run') / 'out')
    r = run('2', 'pong', '--steps', '4000', '--eval-frequency', '2000',
            '--eval-n-runs', '1', '--outdir', out, '--log-interval', '1')
    return out, r


def test_run_leaves_args_scores_and_models(short_run):
    out, r = short_run
    assert r.returncode == 0, r.stderr
    assert 'steps/s' in r.stdout
    files = set(os.listdir(out))
    assert {'args.txt', 'scores.txt', '4000_finish.h5', '4000_finish.h5.opt'} <= files
    rows = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    assert len(rows) == 2 and rows[-1]['steps'] == 4000 and rows[0]['steps'] >= 2000
    assert list(rows[0])[:8] == ['steps', 'episodes', 'elapsed', 'mean', 'median',
                                 'stdev', 'max', 'min']
    with open(os.path.join(out, 'args.txt')) as f:
        record = json.load(f)
    assert record['args']['rom'] == 'pong' and record['args']['steps'] == 4000
    assert record['args']['repeat_action_probability'] == 0.0
    assert 'chainer' in record['packages']
    best = [f for f in files if f.endswith('.h5') and f[:-3].isdigit()]
    assert best  # the first evaluation is always the best so far
    games = ScoresFile(os.path.join(out, 'games.txt'), columns=GAME_COLUMNS).rows()
    # A game of Pong lasts about 800 steps when one side plays at random.
    assert games and {g['worker'] for g in games} <= {0, 1}
    for worker in (0, 1):
        ended = [g['steps'] for g in games if g['worker'] == worker]
        assert ended == sorted(ended) and all(0 < t <= 4000 for t in ended)
        assert sum(g['length'] for g in games if g['worker'] == worker) <= 4000
    # Whole games, unclipped: one side reached 21.
    assert all(-21 <= g['score'] <= -1 and g['length'] > 500 for g in games), games
    assert 'training games mean' in r.stdout
    # Each model carries the run's clock: a best one its evaluation's, the
    # last one the time and episodes at the end, after the last evaluation.
    by_step = {int(row['steps']): row for row in rows}
    for name in best:
        row = by_step[checkpoints.steps_of(name)]
        assert checkpoints.clock(os.path.join(out, name)) == pytest.approx(
            (row['elapsed'], row['episodes']), rel=1e-5)  # scores.txt has 6 digits
    elapsed, episodes = checkpoints.clock(os.path.join(out, '4000_finish.h5'))
    assert elapsed >= rows[-1]['elapsed'] - 1e-3 and episodes == rows[-1]['episodes']


def test_a_resume_goes_on_from_the_clock_saved_with_the_model(short_run, tmp_path):
    """Not from the last evaluation's: that would drop the time and episodes
    between it and the save, at every stop of a run trained in chunks."""
    out = str(tmp_path / 'out')
    shutil.copytree(short_run[0], out)
    with h5py.File(os.path.join(out, '4000_finish.h5.opt'), 'a') as f:
        # 1e5: scores.txt keeps 6 digits, whole seconds up to there.
        f.attrs.update({'elapsed': 1e5, 'episodes': 12345})
    r = run('2', 'pong', '--steps', '6000', '--eval-frequency', '2000',
            '--eval-n-runs', '1', '--resume', out)
    assert r.returncode == 0, r.stderr
    row = ScoresFile(os.path.join(out, 'scores.txt')).rows()[-1]
    assert row['steps'] == 6000
    assert 1e5 < row['elapsed'] < 1e5 + 200 and 12345 <= row['episodes'] < 12345 + 50


def test_resume_continues_the_step_count(short_run):
    out, _ = short_run
    before = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    r = run('2', 'pong', '--steps', '6000', '--eval-frequency', '2000',
            '--eval-n-runs', '1', '--resume', out)
    assert r.returncode == 0, r.stderr
    assert 'resumed at step 4000' in r.stdout
    # The progress line knows the evaluations from before the resume.
    assert 'last eval mean none yet' not in r.stdout
    # ... and the training games from before it: the last line's mean is over all.
    games = [g['score'] for g in ScoresFile(os.path.join(out, 'games.txt'),
                                            columns=GAME_COLUMNS).rows()]
    assert (f'training games mean {sum(games) / len(games):.2f} (last {len(games)})'
            in r.stdout.splitlines()[-2])
    rows = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    assert rows[:len(before)] == before
    assert [row['steps'] for row in rows[len(before):]] == [6000]
    assert os.path.exists(os.path.join(out, '6000_finish.h5'))
    assert os.path.exists(os.path.join(out, 'args_resumed_4000.txt'))


def test_a_run_stops_at_its_target_score_with_the_model_it_scored(tmp_path):
    out = str(tmp_path / 'out')
    # Every game of Pong scores at least -21: the first evaluation reaches it.
    r = run('2', 'pong', '--steps', '40000', '--eval-frequency', '1000',
            '--eval-n-runs', '1', '--target-score', '-21', '--outdir', out)
    assert r.returncode == 0, r.stderr
    rows = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    assert len(rows) == 1
    t = int(rows[0]['steps'])
    assert f'the evaluation at step {t} reached --target-score -21' in r.stdout
    finish = [f for f in os.listdir(out) if f.endswith('_finish.h5')]
    assert finish == [f'{t}_finish.h5'] and t < 40000
    assert not [f for f in os.listdir(out) if '_checkpoint' in f]
    assert checkpoints.clock(os.path.join(out, finish[0])) == pytest.approx(
        (rows[0]['elapsed'], rows[0]['episodes']), rel=1e-5)
    # The weights the evaluation played (saved as the best so far too), not
    # the shared ones the workers trained on while it played.
    with h5py.File(os.path.join(out, finish[0])) as f, \
            h5py.File(os.path.join(out, f'{t}.h5')) as g:
        assert (f['1/0/W'][()] == g['1/0/W'][()]).all()
    assert checkpoints.latest(out).endswith(finish[0])


@pytest.mark.parametrize('args,message', [
    (['2', 'pong', '--target-score', 'nan'], "'nan' is not a finite number"),
    (['2', 'pongg'], "unknown game 'pongg'"),
    (['0', 'pong'], "'0' is not a positive integer"),
    (['two', 'pong'], "'two' is not an integer"),
    (['2', 'pong', '--steps', '-5'], "'-5' is not a positive integer"),
    (['2', '/nonexistent/pong.bin'], 'does not exist'),
    (['2', 'pong', '--outdir', '/proc/forbidden'], 'cannot write to --outdir'),
    (['2', 'pong', '--resume', '/nonexistent'], 'no such file or directory'),
])
def test_bad_input_one_line_exit_2(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and 'Traceback' not in r.stderr


def test_outdir_that_holds_a_run_is_refused_and_kept(short_run):
    out, _ = short_run
    before = {f: os.path.getmtime(os.path.join(out, f)) for f in os.listdir(out)}
    r = run('2', 'pong', '--outdir', out)
    assert r.returncode == 2 and 'already holds a run' in r.stderr
    assert {f: os.path.getmtime(os.path.join(out, f)) for f in os.listdir(out)} == before


def test_resume_of_a_run_stopped_before_its_first_save(short_run, tmp_path):
    """Only args.txt was written: --resume starts that run again, in place."""
    out, _ = short_run
    stopped = tmp_path / 'stopped'
    stopped.mkdir()
    shutil.copyfile(os.path.join(out, 'args.txt'), stopped / 'args.txt')
    # A game the stopped attempt finished: not part of the run that starts again.
    (stopped / 'games.txt').write_text('steps\tworker\tscore\tlength\n900\t1\t-21\t850\n')
    r = run('2', 'pong', '--steps', '1000', '--eval-frequency', '1000',
            '--eval-n-runs', '1', '--resume', str(stopped))
    assert r.returncode == 0, r.stderr
    assert 'has no checkpoint yet: starting its run from step 0' in r.stdout
    assert (stopped / '1000_finish.h5').exists()
    assert len(ScoresFile(str(stopped / 'scores.txt')).rows()) == 1
    aside = ScoresFile(str(stopped / 'games.txt.before_resume_0'), columns=GAME_COLUMNS)
    assert [g['steps'] for g in aside.rows()] == [900]
    assert 900 not in [g['steps'] for g in ScoresFile(str(stopped / 'games.txt'),
                                                      columns=GAME_COLUMNS).rows()]


def test_the_training_games_window_goes_on_across_a_resume():
    """The slots hold the last 100 games: a resume's preload fills them with the
    run's newest games, and each new game replaces its worker's oldest."""
    sh = Counters(0, 0, 2)
    sh.preload(list(range(150)))
    assert sorted(sh.recent_games()) == list(range(50, 150))
    sh.add_game(0, 1000)
    assert sorted(sh.recent_games()) == list(range(51, 150)) + [1000]


def test_a_seed_decides_a_one_process_run(tmp_path):
    """The same seed twice: the same initial weights, the same games in
    games.txt, the same final model; another seed, other games."""
    def games_and_weights(name, seed):
        out = str(tmp_path / name)
        r = run('1', 'pong', '--steps', '2500', '--seed', str(seed), '--eval-n-runs', '1',
                '--outdir', out)
        assert r.returncode == 0, r.stderr
        with h5py.File(os.path.join(out, '2500_finish.h5'), 'r') as f:
            weights = f['0/2/W'][...]
        assert dict(h5py.File(os.path.join(out, '2500_finish.h5'), 'r').attrs) == {
            'environment': 'ale', 'game': 'pong', 'preprocessing': 'deepmind'}
        return open(os.path.join(out, 'games.txt')).read(), weights
    first, again, other = (games_and_weights('a', 5), games_and_weights('b', 5),
                           games_and_weights('c', 6))
    assert first[0].count('\n') >= 3  # a header and at least two games
    assert first[0] == again[0] and (first[1] == again[1]).all()
    assert first[0] != other[0] and not (first[1] == other[1]).all()
