"""A run's output folder: choosing or checking it, args.txt, and tidying what
a killed run left before it resumes."""
import datetime
import json
import os
import platform
import subprocess
import sys

from cli.arguments import fail, say
from training import checkpoints
from training.score_files import ScoresFile, games_file
from training.writes import writing


def prepare(args, keys_that_must_match):
    """Checks the output folder, or the run to resume; returns (outdir, resume
    model or None, start step).  Bad input ends here, before anything is written."""
    if args.resume:
        try:
            outdir, model, start = checkpoints.resume_target(args.resume)
        except checkpoints.CheckpointError as e:
            if not _stopped_before_first_save(args.resume):
                fail(str(e))
            # Nothing was learned or evaluated yet: start that run again, in place.
            outdir, model, start = os.path.abspath(args.resume), None, 0
            say(f'{outdir} has no checkpoint yet: starting its run from step 0')
        if args.outdir and os.path.abspath(args.outdir) != outdir:
            fail(f'--outdir {args.outdir} and --resume {args.resume} disagree: a resumed run '
                 'writes where it was')
        _check_same_run(outdir, args, keys_that_must_match)
        if start >= args.steps:
            fail(f'{model} is already at step {start}, not below --steps {args.steps}')
    else:
        outdir = args.outdir or os.path.join(
            'results', datetime.datetime.now().strftime('%Y%m%dT%H%M%S.%f'))
        if os.path.exists(outdir) and not os.path.isdir(outdir):
            fail(f'--outdir {outdir} exists and is not a directory')
        if os.path.isdir(outdir) and os.listdir(outdir):
            fail(f'--outdir {outdir} already holds a run; pass --resume {outdir} to continue it, '
                 'or choose another folder')
        try:
            os.makedirs(outdir, exist_ok=True)
            probe = os.path.join(outdir, '.write-test')
            open(probe, 'w').close()
            os.remove(probe)
        except OSError as e:
            fail(f'cannot write to --outdir {outdir}: {e.strerror or e}')
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
        saved = read_args(path)['args']
    except ValueError as e:
        fail(str(e))
    for key in keys:
        if key in saved and saved[key] != getattr(args, key):
            fail(f'--resume {args.resume}: that run has {key}={saved[key]!r}, '
                 f'this command {getattr(args, key)!r}')


def read_args(path):
    """What `write_args` wrote at `path`, its 'args' a dict; anything else
    raises ValueError in one line, for the caller to fail with or pass over."""
    try:
        with open(path) as f:
            record = json.load(f)
    except OSError as e:
        raise ValueError(f'cannot read {path}: {e.strerror or e}')
    except ValueError:  # not JSON, or not text
        record = None
    if not isinstance(record, dict) or not isinstance(record.get('args'), dict):
        # A file's content, not a caller's mistake: ValueError, as the docstring says.
        raise ValueError(f'{path} is not an args.txt this project wrote')  # noqa: TRY004
    return record


def write_args(args, start):
    """args.txt records the first start; each resumption gets args_resumed_<step>.txt."""
    name = f'args_resumed_{start}.txt' if start else 'args.txt'
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
    path = os.path.join(args.outdir, name)
    with writing(path, lambda: os.remove(path)), open(path, 'w') as f:
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
    for name in ('chainer', 'numpy', 'ale-py', 'vizdoom', 'gymnasium', 'mujoco', 'h5py',
                 'cupy'):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def tidy_for_resume(outdir, start):
    """What a killed run may have left: temporary files of a save it cut short
    go; evaluations and models after the resumed step (a resume from an older
    checkpoint) move aside, so that scores.txt tells one history and a later
    --resume of the folder continues this one."""
    removed = checkpoints.remove_temporary(outdir)
    if removed:
        print('removed {} temporary file(s) of a save cut short: {}'.format(
            len(removed), ', '.join(removed)))
    side = os.path.join(outdir, f'scores.txt.before_resume_{start}')
    moved = ScoresFile(os.path.join(outdir, 'scores.txt')).move_rows_after(start, side)
    if moved:
        print('scores.txt had {} evaluation(s) after step {} (steps {}) from before this '
              'resume; moved them to {}'.format(len(moved), start,
                                                 ', '.join(map(str, moved)), side))
    side = os.path.join(outdir, f'games.txt.before_resume_{start}')
    moved = games_file(outdir).move_rows_after(start, side)
    if moved:
        print(f'games.txt had {len(moved)} training game(s) after step {start}; '
              f'moved them to {side}')
    folder = os.path.join(outdir, f'before_resume_{start}')
    models = checkpoints.move_after(outdir, start, folder)
    if models:
        print('moved {} model(s) from after step {} to {}: {}'.format(
            len(models), start, folder, ', '.join(models)))
