"""What every `<algorithm>_ale.py` script shares: its common flags, the output
folder and args.txt, resuming, and the shared model and optimizer it hands to
`train_async`.  The paper's settings are the defaults."""
import datetime
import json
import math
import os
import platform
import subprocess
import sys

import numpy as np

from envs import ale
from training import checkpoints
from training import shared_memory
from nets.model_files import load
from cli.arguments import (fail, finite_float, nonnegative_float, nonnegative_int,
                           positive_float, positive_int, probability, say)
from training.score_files import ScoresFile, games_file
from rmsprop_async import RMSpropAsync
from training.hogwild import train_async


def add_arguments(parser):
    parser.add_argument('processes', type=positive_int,
                        help='worker processes (the paper: 16)')
    parser.add_argument('rom', help='a game bundled with ale-py (pong, breakout, '
                        'space_invaders, ...) or the path of a ROM file')
    parser.add_argument('--steps', type=positive_int, default=8 * 10 ** 7,
                        help='global agent steps (4 frames each) to train for; '
                        'the learning rate decays linearly to 0 over them (default 8e7)')
    parser.add_argument('--lr', type=positive_float, default=7e-4)
    parser.add_argument('--rmsprop-alpha', type=probability, default=0.99)
    parser.add_argument('--rmsprop-eps', type=positive_float, default=0.1,
                        help='inside the square root')
    parser.add_argument('--grad-clip', type=positive_float, default=40.0,
                        help='global gradient norm limit')
    parser.add_argument('--gamma', type=probability, default=0.99)
    parser.add_argument('--t-max', type=positive_int, default=5)
    parser.add_argument('--seed', type=nonnegative_int, default=0,
                        help='every process derives its own seed from this and its index')
    parser.add_argument('--repeat-action-probability', type=probability, default=0.0,
                        help='sticky actions; 0 reproduces the paper, ale-py defaults to 0.25')
    parser.add_argument('--eval-frequency', type=positive_int, default=10 ** 6,
                        help='global steps between evaluations')
    parser.add_argument('--eval-n-runs', type=positive_int, default=10,
                        help='whole games per evaluation')
    parser.add_argument('--target-score', type=finite_float,
                        help='stop when an evaluation\'s mean reaches this; the model it '
                        'scored is saved as <steps>_finish.h5 (default: train all --steps)')
    parser.add_argument('--outdir', help='default: results/<date-time>')
    parser.add_argument('--resume', metavar='PATH',
                        help='an output folder or a model file to continue from')
    parser.add_argument('--log-interval', type=positive_float, default=5.0,
                        help='seconds between progress lines')
    parser.add_argument('--checkpoint-interval', type=nonnegative_float, default=600.0,
                        help='seconds between checkpoints of a running run (0: none)')


def prepare(args, keys_that_must_match):
    """Checks the ROM and the output folder; returns (outdir, resume model or None, start step)."""
    try:
        ale.rom_path(args.rom)
    except ale.RomError as e:
        fail(str(e))
    if args.resume:
        try:
            outdir, model, start = checkpoints.resume_target(args.resume)
        except checkpoints.CheckpointError as e:
            if not _stopped_before_first_save(args.resume):
                fail(str(e))
            # Nothing was learned or evaluated yet: start that run again, in place.
            outdir, model, start = os.path.abspath(args.resume), None, 0
            say('{} has no checkpoint yet: starting its run from step 0'.format(outdir))
        if args.outdir and os.path.abspath(args.outdir) != outdir:
            fail('--outdir {} and --resume {} disagree: a resumed run writes where it '
                 'was'.format(args.outdir, args.resume))
        _check_same_run(outdir, args, keys_that_must_match)
        if start >= args.steps:
            fail('{} is already at step {}, not below --steps {}'.format(
                model, start, args.steps))
    else:
        outdir = args.outdir or os.path.join(
            'results', datetime.datetime.now().strftime('%Y%m%dT%H%M%S.%f'))
        if os.path.exists(outdir) and not os.path.isdir(outdir):
            fail('--outdir {} exists and is not a directory'.format(outdir))
        if os.path.isdir(outdir) and os.listdir(outdir):
            fail('--outdir {} already holds a run; pass --resume {} to continue it, '
                 'or choose another folder'.format(outdir, outdir))
        try:
            os.makedirs(outdir, exist_ok=True)
            probe = os.path.join(outdir, '.write-test')
            open(probe, 'w').close()
            os.remove(probe)
        except OSError as e:
            fail('cannot write to --outdir {}: {}'.format(outdir, e.strerror or e))
        model, start = None, 0
    args.outdir = outdir
    return outdir, model, start


def _stopped_before_first_save(path):
    """A run's folder with no evaluation and no checkpoint in it."""
    try:
        rows = ScoresFile(os.path.join(path, 'scores.txt')).rows()
    except (OSError, ValueError):
        return False
    return os.path.isdir(path) and os.path.exists(os.path.join(path, 'args.txt')) and not rows


def _check_same_run(outdir, args, keys):
    path = os.path.join(outdir, 'args.txt')
    if not os.path.exists(path):
        return
    try:
        with open(path) as f:
            saved = json.load(f)['args']
    except (ValueError, KeyError, OSError):
        fail('{} is not an args.txt this project wrote'.format(path))
    for key in keys:
        if key in saved and saved[key] != getattr(args, key):
            fail('--resume {}: that run has {}={!r}, this command {!r}'.format(
                args.resume, key, saved[key], getattr(args, key)))


def _write_args(args, start):
    """args.txt records the first start; each resumption gets args_resumed_<step>.txt."""
    name = 'args_resumed_{}.txt'.format(start) if start else 'args.txt'
    record = {
        'args': vars(args),
        'command': sys.argv,
        'start_step': start,
        'started': datetime.datetime.now().isoformat(timespec='seconds'),
        'git_commit': _git_commit(),
        'machine': {'host': platform.node(), 'cpus': os.cpu_count(),
                    'platform': platform.platform(), 'python': platform.python_version()},
        'packages': _versions(),
    }
    with open(os.path.join(args.outdir, name), 'w') as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write('\n')


def _git_commit():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=here, capture_output=True,
                             text=True, timeout=10)
        dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'],
                               cwd=here, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode:
        return None
    return out.stdout.strip() + (' (with uncommitted changes)' if dirty.stdout.strip() else '')


def _versions():
    from importlib import metadata
    found = {}
    for name in ('chainer', 'numpy', 'ale-py', 'h5py', 'cupy'):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


class ClipGradient(object):
    """Chainer's GradientClipping (the global norm at most `threshold`), but a
    gradient with NaN or infinity raises FloatingPointError: applied, it
    would turn every shared weight into NaN."""

    name = 'GradientClipping'
    timing = 'pre'

    def __init__(self, threshold):
        self.threshold = threshold

    def __call__(self, optimizer):
        grads = [p.grad for p in optimizer.target.params(False) if p.grad is not None]
        norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
        if not math.isfinite(norm):
            raise FloatingPointError('non-finite gradient (global norm {})'.format(norm))
        if norm > self.threshold:
            for g in grads:
                g *= self.threshold / norm


def _tidy_for_resume(outdir, start):
    """What a killed run may have left: temporary files of a save it cut short
    go; evaluations and models after the resumed step (a resume from an older
    checkpoint) move aside, so that scores.txt tells one history and a later
    --resume of the folder continues this one."""
    removed = checkpoints.remove_temporary(outdir)
    if removed:
        print('removed {} temporary file(s) of a save cut short: {}'.format(
            len(removed), ', '.join(removed)))
    side = os.path.join(outdir, 'scores.txt.before_resume_{}'.format(start))
    moved = ScoresFile(os.path.join(outdir, 'scores.txt')).move_rows_after(start, side)
    if moved:
        print('scores.txt had {} evaluation(s) after step {} (steps {}) from before this '
              'resume; moved them to {}'.format(len(moved), start,
                                                 ', '.join(map(str, moved)), side))
    side = os.path.join(outdir, 'games.txt.before_resume_{}'.format(start))
    moved = games_file(outdir).move_rows_after(start, side)
    if moved:
        print('games.txt had {} training game(s) after step {}; moved them to {}'.format(
            len(moved), start, side))
    folder = os.path.join(outdir, 'before_resume_{}'.format(start))
    models = checkpoints.move_after(outdir, start, folder)
    if models:
        print('moved {} model(s) from after step {} to {}: {}'.format(
            len(models), start, folder, ', '.join(models)))


def train(args, build_model, make_agent, extra_columns=(), must_match=()):
    """Runs a training script to its end; returns its exit status.

    `build_model(n_actions)` makes the network; `make_agent(model, optimizer,
    seed)` makes one process's agent around the shared model."""
    outdir, resume, start = prepare(args, ('rom',) + tuple(must_match))
    try:
        n_actions = ale.ALE(args.rom).n_actions
    except ale.RomError as e:
        fail(str(e))
    np.random.seed(args.seed)  # the initial weights
    model = build_model(n_actions)
    optimizer = RMSpropAsync(lr=args.lr, alpha=args.rmsprop_alpha, eps=args.rmsprop_eps)
    optimizer.setup(model)
    optimizer.add_hook(ClipGradient(args.grad_clip))
    shared_memory.share_params(model)
    shared_memory.share_states(optimizer)
    elapsed, episodes = 0.0, 0
    if args.resume:  # `resume` is None for a run stopped before its first save
        try:
            if resume:
                load(resume, model)
                load(resume + '.opt', optimizer)
            rows = [r for r in ScoresFile(os.path.join(outdir, 'scores.txt')).rows()
                    if r['steps'] <= start]
            games_file(outdir).rows()
        except ValueError as e:  # a ModelFileError, or a damaged scores.txt or games.txt
            fail(str(e))
        saved = checkpoints.clock(resume) if resume else None
        if saved is None and rows:  # a file saved before the clock was
            saved = rows[-1]['elapsed'], int(rows[-1]['episodes'])
        if saved:
            elapsed, episodes = saved
        _tidy_for_resume(outdir, start)
    _write_args(args, start)
    print('training {} on {} with {} processes; output in {}{}'.format(
        type(model).__name__, args.rom, args.processes, outdir,
        ', resumed at step {}'.format(start) if start else ''), flush=True)

    def make_env(seed, training):
        return ale.ALE(args.rom, seed=seed, training=training,
                       repeat_action_probability=args.repeat_action_probability)

    return train_async(
        outdir, args.processes, args.steps, make_env,
        lambda seed: make_agent(model, optimizer, seed), model, optimizer,
        lr=args.lr, seed=args.seed, start_step=start,
        start_episodes=episodes, start_elapsed=elapsed,
        eval_frequency=args.eval_frequency, eval_n_runs=args.eval_n_runs,
        extra_columns=extra_columns, log_interval=args.log_interval,
        checkpoint_interval=args.checkpoint_interval or float('inf'),
        target_score=args.target_score)
