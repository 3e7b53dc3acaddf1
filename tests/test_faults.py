"""Faults as they happen: signals really sent to training runs, a worker and a
parent killed, saves cut short by SIGKILL, a NaN in the loss, a resume from
an older model, and bad input to every script."""
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from typing import ClassVar

import numpy as np
import pytest
from catch import SIZE, Catch

import a3c
import q_learning
from nets.actor_critic import A3CFF, A3CLSTM
from nets.model_files import load, model_from_file
from nets.torso import MLPHead
from q_functions import QFunction
from rmsprop_async import RMSpropAsync
from training import checkpoints, shared_memory
from training.score_files import COLUMNS, GAME_COLUMNS, ScoresFile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LR = 7e-4  # the scripts' default


class Run:
    """A training script in a session of its own, as a shell starts it (a
    terminal's Ctrl-C reaches its whole process group), its output in files
    the test reads while it runs."""

    started: ClassVar[list] = []  # every Run's process group, for no_survivors to end

    def __init__(self, tmp, outdir, *args, command=None):
        self.outdir = str(outdir)
        self.stdout, self.stderr = str(tmp / 'stdout'), str(tmp / 'stderr')
        command = command or [sys.executable, os.path.join(ROOT, 'a3c_ale.py')]
        with open(self.stdout, 'w') as out, open(self.stderr, 'w') as err:
            self.proc = subprocess.Popen(
                command + ['2', 'pong', '--eval-n-runs', '1', '--log-interval', '0.2',
                           '--outdir', self.outdir] + list(args),
                stdout=out, stderr=err, cwd=ROOT, start_new_session=True)
        Run.started.append(self.proc.pid)

    def steps(self):
        """The global step of the last progress line."""
        with open(self.stdout) as f:
            lines = [line for line in f if line.startswith('steps ')]
        return int(lines[-1].split()[1].split('/')[0]) if lines else 0

    def rows(self):
        try:
            return ScoresFile(os.path.join(self.outdir, 'scores.txt')).rows()
        except ValueError:  # a row being written
            return []

    def wait_for(self, condition, timeout=90):
        deadline = time.time() + timeout
        while not condition():
            assert self.proc.poll() is None, self.output()
            assert time.time() < deadline, self.output()
            time.sleep(0.05)

    def children(self):
        """Worker 0, worker 1, the evaluator: started in that order."""
        pid = self.proc.pid
        with open(f'/proc/{pid}/task/{pid}/children') as f:
            return sorted(map(int, f.read().split()))

    def finish(self, timeout=60):
        self.proc.wait(timeout)
        return (self.proc.returncode,) + self.output()

    def output(self):
        with open(self.stdout) as out, open(self.stderr) as err:
            return out.read(), err.read()


@pytest.fixture(autouse=True)
def no_survivors():
    """A failed test must not leave a run training on: its process group goes."""
    yield
    while Run.started:
        try:
            os.killpg(Run.started.pop(), signal.SIGKILL)
        except ProcessLookupError:
            pass


def gone(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except FileNotFoundError:
        return True


def wait_gone(pids, timeout=10):
    deadline = time.time() + timeout
    while not all(map(gone, pids)):
        assert time.time() < deadline, [p for p in pids if not gone(p)]
        time.sleep(0.05)


def loads(path):
    """The model and its optimizer's statistics load whole and finite."""
    model = model_from_file(path)
    optimizer = RMSpropAsync()
    optimizer.setup(model)
    shared_memory.share_states(optimizer)
    load(path + '.opt', optimizer)
    return model


def saved_path(stderr, outdir):
    path = re.search(r'saved (\S+_except\.h5)', stderr).group(1)
    assert os.path.dirname(os.path.abspath(path)) == os.path.abspath(outdir)
    return path


def temporary_files(outdir):
    return [name for name in os.listdir(outdir) if name.endswith('.tmp')]


@pytest.fixture(scope='module')
def ctrl_c(tmp_path_factory):
    """A run stopped by Ctrl-C pressed twice: the second as soon as a file
    being saved shows, or after 5 s, and in any case before the run ends."""
    tmp = tmp_path_factory.mktemp('ctrl_c')
    run = Run(tmp, tmp / 'out', '--steps', '3000', '--eval-frequency', '1000')
    run.wait_for(lambda: run.steps() >= 1100)  # the evaluation at 1000 under way
    rows, children = run.rows(), run.children()
    sent = time.time()
    os.killpg(run.proc.pid, signal.SIGINT)
    deadline = time.time() + 5
    while not temporary_files(run.outdir) and run.proc.poll() is None \
            and time.time() < deadline:
        time.sleep(0.001)
    second_in_time = run.proc.poll() is None
    os.killpg(run.proc.pid, signal.SIGINT)
    code, out, err = run.finish()
    return {'run': run, 'rows': rows, 'children': children, 'second_in_time': second_in_time,
            'seconds': time.time() - sent,
            'code': code, 'out': out, 'err': err}


def test_ctrl_c_twice_stops_every_process_and_saves_whole_files(ctrl_c):
    outdir = ctrl_c['run'].outdir
    assert ctrl_c['second_in_time'], 'the run had ended before the second Ctrl-C'
    assert ctrl_c['code'] == 130, ctrl_c['err']
    assert ctrl_c['seconds'] < 10
    assert all(map(gone, ctrl_c['children']))
    assert 'interrupted by SIGINT at step' in ctrl_c['err']
    assert 'Traceback' not in ctrl_c['err']
    path = saved_path(ctrl_c['err'], outdir)
    assert checkpoints.steps_of(path) >= 1100
    loads(path)
    after = ScoresFile(os.path.join(outdir, 'scores.txt')).rows()
    assert after[:len(ctrl_c['rows'])] == ctrl_c['rows']  # every row kept
    assert not temporary_files(outdir)


def test_resume_after_ctrl_c_ends_as_an_uninterrupted_run(ctrl_c):
    """The planned step count, at most one row per evaluation interval and
    none missing (the evaluation Ctrl-C cut short is made up at once), the
    learning rate where the schedule is."""
    outdir = ctrl_c['run'].outdir
    start = checkpoints.steps_of(saved_path(ctrl_c['err'], outdir))
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'a3c_ale.py'), '2', 'pong', '--steps', '3000',
         '--eval-frequency', '1000', '--eval-n-runs', '1', '--log-interval', '0.5',
         '--resume', outdir], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert f'resumed at step {start}' in r.stdout
    assert os.path.exists(os.path.join(outdir, '3000_finish.h5'))
    assert os.path.exists(os.path.join(outdir, f'args_resumed_{start}.txt'))
    steps = [row['steps'] for row in ScoresFile(os.path.join(outdir, 'scores.txt')).rows()]
    intervals = [s // 1000 for s in steps]
    # An evaluator slower than training skips intervals, interrupted or not.
    assert intervals == sorted(set(intervals)) and steps[-1] == 3000, steps
    assert intervals[0] == 1, steps
    progress = [line.split() for line in r.stdout.splitlines() if line.startswith('steps ')]
    t, lr = int(progress[0][1].split('/')[0]), float(progress[0][4])
    assert t >= start
    assert lr == pytest.approx(LR * (1 - t / 3000), rel=1e-3)
    assert not [n for n in os.listdir(outdir) if 'before_resume' in n]


def test_sigterm_to_the_parent_alone_stops_every_process(tmp_path):
    """As `kill PID` or a batch scheduler sends it."""
    run = Run(tmp_path, tmp_path / 'out', '--steps', '100000')
    run.wait_for(lambda: run.steps() >= 200)
    children = run.children()
    sent = time.time()
    os.kill(run.proc.pid, signal.SIGTERM)
    code, _out, err = run.finish()
    assert code == 143, err
    assert time.time() - sent < 10
    assert 'interrupted by SIGTERM' in err and 'Traceback' not in err
    wait_gone(children, timeout=1)
    loads(saved_path(err, run.outdir))


def test_a_killed_worker_stops_the_run_naming_it(tmp_path):
    """No restart: a worker that dies shows a fault (the OOM killer, a bug)
    that a silent replacement would hide; the weights are saved for a resume."""
    run = Run(tmp_path, tmp_path / 'out', '--steps', '100000')
    run.wait_for(lambda: run.steps() >= 200)
    children = run.children()
    assert len(children) == 3
    os.kill(children[1], signal.SIGKILL)
    code, _out, err = run.finish()
    assert code == 1
    assert 'error: worker 1 was killed by SIGKILL; stopped at step' in err
    wait_gone(children)
    loads(saved_path(err, run.outdir))


def test_a_killed_parent_leaves_no_orphans_and_a_resume_from_an_older_model_keeps_every_row(
        tmp_path):
    run = Run(tmp_path, tmp_path / 'out', '--steps', '100000', '--eval-frequency', '400')
    run.wait_for(lambda: len(run.rows()) >= 2, timeout=120)
    children = run.children()
    os.kill(run.proc.pid, signal.SIGKILL)
    run.proc.wait()
    wait_gone(children, timeout=5)  # they notice their parent is gone
    rows = run.rows()
    first = int(rows[0]['steps'])
    model = os.path.join(run.outdir, f'{first}.h5')  # the first is the best so far
    stale = '.123_checkpoint.h5.optabcd1234.tmp'
    open(os.path.join(run.outdir, stale), 'w').close()
    later = f'{first + 1000}.h5'  # a best model of the abandoned stretch
    for suffix in ('', '.opt'):
        shutil.copy(model + suffix, os.path.join(run.outdir, later + suffix))
    games = os.path.join(run.outdir, 'games.txt')
    with open(games, 'a') as f:  # a game of the abandoned stretch
        f.write(f'{first + 1000}\t0\t99\t700\n')
    # the killed run may itself have saved a best model after the first row
    abandoned = sorted(n for n in os.listdir(run.outdir)
                       if re.fullmatch(r'\d+(_\w+)?\.h5(\.opt)?', n)
                       and checkpoints.steps_of(n.replace('.opt', '')) > first)

    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'a3c_ale.py'), '2', 'pong', '--steps',
         str(first + 300), '--eval-frequency', '400', '--eval-n-runs', '1',
         '--resume', model], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    side = os.path.join(run.outdir, f'scores.txt.before_resume_{first}')
    assert f'moved them to {side}' in r.stdout
    assert stale in r.stdout and not os.path.exists(os.path.join(run.outdir, stale))
    assert not temporary_files(run.outdir)
    assert ScoresFile(side).rows() == rows[1:]
    now = ScoresFile(os.path.join(run.outdir, 'scores.txt')).rows()
    assert now[0] == rows[0]
    assert [row['steps'] for row in now[1:]] == [first + 300]
    assert os.path.exists(os.path.join(run.outdir, f'{first + 300}_finish.h5'))
    aside = os.path.join(run.outdir, f'before_resume_{first}')
    models = sorted(n for n in os.listdir(aside) if 'tfevents' not in n)  # TensorBoard's too
    assert later in abandoned and models == abandoned
    moved = ScoresFile(games + f'.before_resume_{first}', columns=GAME_COLUMNS).rows()
    assert moved[-1]['score'] == 99 and all(g['steps'] > first for g in moved)
    assert all(g['steps'] <= first + 300 for g in
               ScoresFile(games, columns=GAME_COLUMNS).rows())
    assert checkpoints.latest(run.outdir).endswith(f'{first + 300}_finish.h5')


NAN_DRIVER = '''
import os, runpy, sys
sys.path.insert(0, {root!r})
from cli import cpu
cpu.configure()
from envs import ale
from training import checkpoints


class NaNReward(ale.ALE):
    """Pong whose training rewards turn NaN once a model is on disk: a broken
    environment."""
    taken, broken = 0, False

    def step(self, action):
        obs, reward, terminated, truncated = super().step(action)
        self.taken += 1
        if self.training and self.taken % 50 == 0:
            self.broken = self.broken or checkpoints.latest({outdir!r}) is not None
        return obs, float('nan') if self.broken else reward, terminated, truncated


ale.ALE = NaNReward
sys.argv = ['a3c_ale.py'] + sys.argv[1:]
runpy.run_path(os.path.join({root!r}, 'a3c_ale.py'), run_name='__main__')
'''


def test_a_nan_loss_stops_the_run_and_leaves_the_last_good_model(tmp_path):
    """The real script, only its environment changed; every worker steps its own."""
    outdir = str(tmp_path / 'out')
    run = Run(tmp_path, outdir, '--steps', '100000', '--eval-frequency', '300',
              '--checkpoint-interval', '1',
              command=[sys.executable, '-c', NAN_DRIVER.format(root=ROOT, outdir=outdir)])
    code, _out, err = run.finish(timeout=120)
    assert code == 1, err
    failing = re.search(r'worker \d: FloatingPointError: non-finite gradient '
                        r'\(global norm nan\) at step (\d+)', err)
    assert failing, err
    assert 'without saving the shared weights' in err
    assert not [n for n in os.listdir(run.outdir) if '_except' in n]
    good = re.search(r'the last good model is (\S+) \(resume with --resume \1\)', err).group(1)
    assert good == checkpoints.latest(run.outdir)
    assert checkpoints.steps_of(good) <= int(failing.group(1))
    loads(good)


def _a3c(model, optimizer):
    return a3c.A3C(model, optimizer)


def _q(model, optimizer):
    return q_learning.NStepQLearning(model, QFunction(Catch.n_actions, MLPHead(SIZE ** 2)),
                                     optimizer, epsilon_anneal_steps=1)


@pytest.mark.parametrize('make', [_a3c, _q], ids=['a3c', 'n-step-q'])
def test_a_nan_gradient_never_reaches_the_shared_weights(make):
    model = (A3CFF(Catch.n_actions, head=MLPHead(SIZE ** 2)) if make is _a3c
             else QFunction(Catch.n_actions, MLPHead(SIZE ** 2)))
    optimizer = RMSpropAsync(grad_clip=40)
    optimizer.setup(model)
    before = [p.array.copy() for p in model.params()]
    agent, obs = make(model, optimizer), Catch().reset()
    with pytest.raises(FloatingPointError, match='non-finite gradient'):
        for _ in range(10):
            agent.act_and_train(obs, float('nan'))
    assert all((p.array == b).all() for p, b in zip(model.params(), before))


def test_a_save_killed_midway_leaves_the_previous_file_whole(tmp_path):
    """SIGKILL at random moments of saves that keep replacing one checkpoint:
    every file under a final name loads, all of one save (every weight equal
    to that save's number); what is left is temporary files, which a resume
    removes."""
    out = str(tmp_path)
    model = A3CFF(6)
    optimizer = RMSpropAsync()
    optimizer.setup(model)
    shared_memory.share_states(optimizer)
    arrays = [p.array for p in model.params()] + [
        p.update_rule.state['ms'] for p in model.params()]

    def save(k):
        for a in arrays:
            a[...] = k
        checkpoints.save(out, 7, '_checkpoint', model, optimizer)

    save(-1)  # what a kill before the child's first save leaves
    rng = random.Random(0)
    for kill in range(10):
        pid = os.fork()
        if pid == 0:
            try:
                for k in range(kill * 1000, (kill + 1) * 1000):
                    save(k)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert sorted(n for n in os.listdir(out) if not n.endswith('.tmp')) == [
            '7_checkpoint.h5', '7_checkpoint.h5.opt']
        restored = loads(os.path.join(out, '7_checkpoint.h5'))
        assert len({float(v) for p in restored.params() for v in np.unique(p.array)}) == 1
    left = temporary_files(out)
    assert left, 'no kill landed in a save'
    open(os.path.join(out, 'notes.tmp'), 'w').close()  # not ours: stays
    assert checkpoints.remove_temporary(out) == sorted(left)
    assert temporary_files(out) == ['notes.tmp']


# Bad input: one line naming the problem and the value, exit status 2, nothing
# on disk changed.  Cases test_a3c_ale.py, test_demo.py and test_plot_scores.py
# already have are not repeated.

SCORES = '\t'.join(COLUMNS + ('average_value', 'average_entropy')) + '\n' + \
    '500\t1\t3.5\t-21\t-21\t0\t-21\t-21\t0.1\t1.79\n1000\t2\t7\t-20\t-20\t0\t-20\t-20\t0.2\t1.78\n'


def _save(outdir, steps, model, opt_model=None):
    optimizer = RMSpropAsync()
    optimizer.setup(opt_model or model)
    shared_memory.share_states(optimizer)
    path = os.path.join(outdir, f'{steps}.h5')
    checkpoints.atomic_save(path, model)
    checkpoints.atomic_save(path + '.opt', optimizer)
    return path


def _run_folder(path, scores=SCORES):
    os.makedirs(path)
    with open(os.path.join(path, 'args.txt'), 'w') as f:
        f.write('{"args": {"rom": "pong", "use_lstm": false}}\n')
    with open(os.path.join(path, 'scores.txt'), 'w') as f:
        f.write(scores)
    return path


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    base = str(tmp_path_factory.mktemp('bad_input'))
    good = _run_folder(os.path.join(base, 'good'))
    _save(good, 1000, A3CFF(6))
    bad = _run_folder(os.path.join(base, 'bad'))
    whole = _save(bad, 1000, A3CFF(6))
    truncated = _save(bad, 2000, A3CFF(6))
    with open(whole, 'rb') as src, open(truncated, 'wb') as dst:
        dst.write(src.read()[:100000])
    for name in ('3000.h5', '3000.h5.opt'):
        with open(os.path.join(bad, name), 'w') as f:
            f.write('not a model\n')
    shutil.copy(whole, os.path.join(bad, '4000.h5'))
    with open(whole + '.opt', 'rb') as src, open(os.path.join(bad, '4000.h5.opt'), 'wb') as dst:
        dst.write(src.read()[:5000])
    shutil.copy(whole, os.path.join(bad, '5000.h5'))
    diverged = A3CFF(6)
    diverged[1][0].W.array[0, 0] = np.nan
    _save(bad, 6000, diverged)
    _save(bad, 7000, A3CFF(6), opt_model=A3CLSTM(6))
    lstm = os.path.join(base, 'lstm')
    os.makedirs(lstm)
    _save(lstm, 1000, A3CLSTM(6))
    breakout = os.path.join(base, 'breakout')
    os.makedirs(breakout)
    _save(breakout, 1000, A3CFF(4))
    cut = _run_folder(os.path.join(base, 'cut_scores'), SCORES.rsplit('\t', 3)[0] + '\n')
    _save(cut, 1000, A3CFF(6))
    listed = _run_folder(os.path.join(base, 'listed_args'))
    with open(os.path.join(listed, 'args.txt'), 'w') as f:
        f.write('[]\n')  # JSON, but no dict
    _save(listed, 1000, A3CFF(6))
    scores_dir = os.path.join(base, 'scores_dir')
    os.makedirs(os.path.join(scores_dir, 'scores.txt'))
    _save(scores_dir, 1000, A3CFF(6))
    empty = os.path.join(base, 'empty')
    os.makedirs(empty)
    empty_file = os.path.join(base, 'empty.h5')
    open(empty_file, 'w').close()
    return {'base': base, 'good': good, 'bad': bad, 'lstm': lstm, 'breakout': breakout,
            'cut_scores': cut, 'empty': empty, 'empty_file': empty_file, 'listed_args': listed,
            'scores_dir': scores_dir}


BAD = [  # script, arguments (paths under the files fixture in braces), what stderr names
    ('a3c_ale', '2 pong --resume {bad}/2000.h5',
     '2000.h5 is not a readable HDF5 model file (truncated file)'),
    ('a3c_ale', '2 pong --resume {bad}/3000.h5',
     '3000.h5 is not a readable HDF5 model file (file signature not found)'),
    ('a3c_ale', '2 pong --resume {bad}/4000.h5',
     '4000.h5.opt is not a readable HDF5 model file (truncated file)'),
    ('a3c_ale', '2 pong --resume {bad}/5000.h5', '5000.h5 has no optimizer file 5000.h5.opt'),
    ('a3c_ale', '2 pong --resume {bad}/6000.h5', '6000.h5 holds NaN or infinity (in 1/0/W)'),
    ('a3c_ale', '2 pong --resume {bad}/7000.h5',
     "7000.h5.opt does not fit this A3CFF network's optimizer"),
    ('a3c_ale', '2 pong --resume {good} --use-lstm', 'that run has use_lstm=False'),
    ('a3c_ale', '2 pong --resume {lstm}',
     '1000.h5 does not fit this A3CFF network: it lacks 1/0/W'),
    ('a3c_ale', '2 pong --resume {breakout}',
     '1000.h5 does not fit this A3CFF network: 1/0/W is (4, 256) in the file but (6, 256) here'),
    ('a3c_ale', '2 breakout --resume {good}', "that run has rom='pong'"),
    ('a3c_ale', '2 pong --resume {cut_scores}',
     'scores.txt line 3: expected 10 numbers, as in its header'),
    ('a3c_ale', '2 pong --resume {empty}', 'holds no checkpoint'),
    ('a3c_ale', '2 pong --resume {listed_args}', 'args.txt is not an args.txt this project wrote'),
    ('a3c_ale', '2 pong --resume {scores_dir}', 'scores.txt: Is a directory'),
    ('a3c_ale', '2 pong --resume {good}/1000.h5 --steps 1000',
     'already at step 1000, not below --steps 1000'),
    ('a3c_ale', '2 pong --eval-n-runs 0', "--eval-n-runs: '0' is not a positive integer"),
    ('a3c_ale', '2 pong --lr nan', "--lr: 'nan' is not a positive number"),
    ('a3c_ale', '2 pong --steps 1e99', "--steps: '1e99' is too large"),
    ('a3c_ale', '2 pong --seed -1', "--seed: '-1' is not an integer >= 0"),
    ('a3c_ale', '2 pong --gamma 1.5', "--gamma: '1.5' is not a number in [0, 1]"),
    ('a3c_ale', '2 pong --checkpoint-interval soon', "'soon' is not a number"),
    ('a3c_ale', '2 {empty}', 'is a directory, not a ROM file'),
    ('a3c_ale', '2 {good}/args.txt', 'is not an Atari 2600 ROM'),
    ('a3c_ale', '2 pong --outdir {good}/args.txt', 'args.txt exists and is not a directory'),
    ('a3c_ale', '2 pong --architecture queue --queue-length 1e9',
     '--queue-length 1000000000 segments of --t-max 5 steps do not fit in shared memory'),
    ('a3c_ale', '2 pong --architecture queue --t-max 1e9',
     '--queue-length 256 segments of --t-max 1000000000 steps do not fit in shared memory'),
    ('a3c_ale', '2 pong --architecture queue --batch-size 32 --queue-length 16',
     '--batch-size 32 is more than --queue-length 16'),
    ('q_ale', '2 pongg --method sarsa', "unknown game 'pongg'"),
    ('q_ale', '2 pong', 'the following arguments are required: --method'),
    ('q_ale', '2 pong --method sarsa --target-update-frequency 0', "'0' is not a positive integer"),
    ('q_ale', '2 pong --method sarsa --resume {good}',
     '1000.h5 does not fit this QFunction network: it holds 2/0/W, 2/0/b'),
    ('demo_a3c_ale', 'pong {empty_file}', 'empty.h5 is not a readable HDF5 model file'),
    ('demo_a3c_ale', 'pong {bad}/6000.h5', '6000.h5 holds NaN or infinity'),
    ('demo_a3c_ale', '{empty} {good}/1000.h5', 'is a directory, not a ROM file'),
    ('demo_a3c_ale', 'pong {breakout}/1000.h5 --n-runs many', "'many' is not an integer"),
    ('plot_scores', '{good}/1000.h5', '1000.h5 is not a text file'),
    ('plot_scores', '{cut_scores}/scores.txt', 'scores.txt line 3: 7 fields, the header has 10'),
    ('plot_scores', '{good}/scores.txt --out {empty}/no/plot.png',
     'folder {empty}/no does not exist'),
    ('bench', '--processes 1 --methods a3c-ff --emulator-seconds 1 --seconds 1 --warmup 2',
     '--warmup 2 is not below --seconds 1'),
    ('bench', ('--processes 1 --methods a3c-ff --emulator-seconds 1 --seconds 2 --warmup 1 '
               '--json {empty}/no/bench.json'),
     'no/bench.json: folder {empty}/no does not exist'),
    ('bench', ('--processes 1 --methods a3c-ff --emulator-seconds 1 --seconds 2 --warmup 1 '
               '--json {empty}'),
     'is a directory; give a file name'),
]


def snapshot(base):
    return {os.path.join(d, n): (os.path.getsize(os.path.join(d, n)),
                                 os.path.getmtime(os.path.join(d, n)))
            for d, dirs, names in os.walk(base) for n in names + dirs}


@pytest.mark.parametrize('script,args,message', BAD,
                         ids=[f'{s}: {a}' for s, a, _ in BAD])
def test_bad_input_is_one_line_and_status_2_and_changes_nothing(script, args, message, files,
                                                                  tmp_path):
    argv = [a.format(**files) for a in args.split()]
    before = snapshot(files['base']), snapshot(str(tmp_path))
    r = subprocess.run([sys.executable, os.path.join(ROOT, script + '.py')] + argv,
                       capture_output=True, text=True, timeout=60, cwd=str(tmp_path))
    assert r.returncode == 2, r.stderr
    assert 'Traceback' not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert message.format(**files) in r.stderr
    assert r.stdout == ''
    assert (snapshot(files['base']), snapshot(str(tmp_path))) == before
