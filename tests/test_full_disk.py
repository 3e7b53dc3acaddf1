"""A disk that fills under a real run: a small tmpfs made for the test, too
small for the next model file at a periodic checkpoint, at an evaluation's
best-model save and at the `_finish` save, for both architectures.  The run
stops as on Ctrl-C, in one line naming the file and the cause, with exit
status 74; what it wrote before stays whole, nothing half written or
orphaned is left, and a resume goes on once there is space."""
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
from test_faults import ROOT, Run, loads, no_survivors  # noqa: F401 (a fixture)

from training import checkpoints
from training.score_files import GAME_COLUMNS, ScoresFile
from training.writes import EXIT_WRITE_FAILED, WriteError

MB = 2 ** 20
# An A3C FF model for Pong is 2.5 MB and its .opt about 0.9 MB: 6 MB holds one
# checkpoint and not two, 3 MB not one.
ONE_CHECKPOINT, NONE = 6 * MB, 3 * MB
ARCHITECTURES = pytest.mark.parametrize('architecture', ['hogwild', 'queue'])


@pytest.fixture
def disk(tmp_path):
    """mount(bytes): a new tmpfs of that size; resize(bytes) grows it.  Both
    unmounted after the test."""
    path = tmp_path / 'disk'
    if os.geteuid() != 0 or not shutil.which('mount'):
        pytest.skip('a small file system for the test needs root to mount a tmpfs')

    def mount(size, *options):
        path.mkdir(exist_ok=True)
        r = subprocess.run(['mount', '-t', 'tmpfs', '-o', ','.join(
            (f'size={size}',) + options), 'tmpfs', str(path)],
            capture_output=True, text=True)
        if r.returncode:
            pytest.skip(f'cannot mount a tmpfs here: {r.stderr.strip()}')
        return path

    yield mount
    while os.path.ismount(path):
        subprocess.run(['umount', str(path)], check=True)


def stopped(run):
    """The run's exit, its one line on stderr, and the folder's whole state."""
    code, _out, err = run.finish(timeout=90)
    assert code == EXIT_WRITE_FAILED, err
    assert len(err.strip().splitlines()) == 1 and 'Traceback' not in err, err
    names = os.listdir(run.outdir)
    assert not [n for n in names if n.endswith('.tmp')], names
    models = [n for n in names if n.endswith('.h5')]
    assert sorted(n + '.opt' for n in models) == sorted(n for n in names if n.endswith('.opt'))
    for model in models:
        loads(os.path.join(run.outdir, model))
    ScoresFile(os.path.join(run.outdir, 'games.txt'), columns=GAME_COLUMNS).rows()
    ScoresFile(os.path.join(run.outdir, 'scores.txt')).rows()  # whole lines only
    return err.strip()


def pong(tmp_path, outdir, architecture, *args):
    return Run(tmp_path, outdir, '--architecture', architecture, '--envs-per-actor', '2',
               *args)


@ARCHITECTURES
def test_a_disk_that_fills_at_a_checkpoint_stops_the_run_and_a_resume_goes_on(
        architecture, disk, tmp_path):
    out = disk(ONE_CHECKPOINT) / 'out'
    run = pong(tmp_path, out, architecture, '--steps', '100000', '--eval-frequency', '100000',
               '--checkpoint-interval', '1')
    line = stopped(run)
    folder = re.escape(str(out))
    m = re.fullmatch(rf'error: cannot write {folder}/\d+_checkpoint\.h5(\.opt)?: No space left on '
                     r'device; stopped at step \d+ without saving the weights \(cannot write '
                     rf'{folder}/\d+_except\.h5(\.opt)?: No space left on device\); the newest '
                     rf'whole checkpoint is ({folder}/(\d+)_checkpoint\.h5) \(resume with --resume '
                     rf'{folder} once it can be written\)', line)
    assert m, line
    assert checkpoints.latest(str(out)) == m.group(3)
    start = int(m.group(4))

    subprocess.run(['mount', '-o', f'remount,size={4 * ONE_CHECKPOINT}', 'tmpfs',
                    str(out.parent)], check=True)
    orphan = f'{start + 100}_checkpoint.h5.opt'  # as an older version left it
    shutil.copy(m.group(3) + '.opt', str(out / orphan))
    resumed = pong(tmp_path, out, architecture, '--steps', str(start + 200),
                   '--eval-frequency', '100000', '--resume', str(out))
    code, stdout, err = resumed.finish(timeout=90)
    assert code == 0, err
    assert f'resumed at step {start}' in stdout
    assert f'removed 1 temporary file(s) of a save cut short: {orphan}' in stdout
    assert not os.path.exists(str(out / orphan))
    assert checkpoints.latest(str(out)).endswith(f'{start + 200}_finish.h5')


@ARCHITECTURES
def test_a_disk_that_fills_at_an_evaluations_best_model_stops_the_run(
        architecture, disk, tmp_path):
    """The row of that evaluation stays; no .opt is left without its model."""
    out = disk(NONE) / 'out'
    run = pong(tmp_path, out, architecture, '--steps', '100000', '--eval-frequency', '300')
    line = stopped(run)
    (row,) = ScoresFile(os.path.join(str(out), 'scores.txt')).rows()
    assert re.fullmatch(r'error: evaluator: cannot write {0}/{1}\.h5: No space left on device; '
                        r'stopped at step \d+ without saving the weights \(cannot write '
                        r'{0}/\d+_except\.h5(\.opt)?: No space left on device\); no checkpoint '
                        r'was saved before'.format(re.escape(str(out)), int(row['steps'])),
                        line), line
    assert not [n for n in os.listdir(str(out)) if '.h5' in n]


@ARCHITECTURES
def test_a_disk_that_fills_at_the_finish_save_stops_the_run(architecture, disk, tmp_path):
    """The last evaluation's best model fits, its `_finish` does not."""
    out = disk(ONE_CHECKPOINT) / 'out'
    run = pong(tmp_path, out, architecture, '--steps', '300', '--eval-frequency', '300')
    line = stopped(run)
    assert re.fullmatch(r'error: cannot write {0}/300_finish\.h5(\.opt)?: No space left on '
                        r'device; stopped at step 300 without saving the weights; the newest '
                        r'whole checkpoint is {0}/300\.h5 \(resume with --resume {0} once it '
                        r'can be written\)'.format(re.escape(str(out))), line), line
    assert [r['steps'] for r in ScoresFile(os.path.join(str(out), 'scores.txt')).rows()] \
        == [300]


def test_a_folder_that_turns_read_only_stops_the_run(disk, tmp_path):
    """Whichever write comes first (games.txt, the events, a checkpoint); a
    worker's names the step it had reached."""
    out = disk(8 * ONE_CHECKPOINT) / 'out'
    run = pong(tmp_path, out, 'hogwild', '--steps', '100000', '--eval-frequency', '100000',
               '--checkpoint-interval', '1')
    run.wait_for(lambda: out.is_dir() and checkpoints.latest(str(out)))
    while subprocess.run(['mount', '-o', 'remount,ro', str(out.parent)]).returncode:
        time.sleep(0.01)  # busy while a file is open for writing
    line = stopped(run)
    folder = re.escape(str(out))
    assert re.fullmatch(rf'error: (worker \d: )?cannot write {folder}/\S+: Read-only file system'
                        r'( at step \d+)?; stopped at step \d+ without saving the weights '
                        rf'\(cannot write {folder}/\d+_except\.h5\.opt: Read-only file system\); '
                        rf'the newest whole checkpoint is {folder}/\d+_checkpoint\.h5 .*',
                        line), line


def test_a_row_cut_short_by_a_full_disk_goes_and_the_rows_before_stay(disk):
    """The part of a line a write left where the disk filled would be a
    damaged games.txt to the resume."""
    games = ScoresFile(str(disk(16 * 1024) / 'games.txt'), columns=GAME_COLUMNS)
    written = []
    with pytest.raises(WriteError, match=r'^cannot write .*/games.txt: No space left on '
                       r'device$'):
        while True:
            games.append({'steps': len(written), 'worker': 0, 'score': -21, 'length': 123456})
            written.append(len(written))
    assert [row['steps'] for row in games.rows()] == written
    with open(games.path, 'rb') as f:
        assert f.read().endswith(b'\n')


def script(name, *args):
    return subprocess.run([sys.executable, os.path.join(ROOT, name)] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_a_full_disk_under_the_demos_record_and_plot_scores_output(disk, zoo_model, tmp_path):
    """Each is one line naming the file, exit status 74, and no file left."""
    full = disk(16 * 1024)
    demo = script('demo_a3c_ale.py', 'pong', zoo_model('pong_ff'), '--n-runs', '1',
                  '--record', full / 'game.gif')
    scores = os.path.join(ROOT, 'trained_model', 'pong_ff', 'scores.txt')
    plot = script('plot_scores.py', scores, '--out', full / 'curve.png')
    for r, name in ((demo, 'game.gif'), (plot, 'curve.png')):
        assert r.returncode == EXIT_WRITE_FAILED, r.stderr
        assert r.stderr.strip().endswith(f'error: cannot write {full / name}: No space left on '
                                         'device'), r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert os.listdir(full) == []
