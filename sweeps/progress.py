"""Where a run stands, read from its own folder as the training script wrote
it: begun (args.txt), finished (its newest checkpoint is `<steps>_finish.h5`,
or holds all its steps), steps and hours trained, the best and the last
evaluation mean."""
import os
import re

from training import checkpoints
from training.run_folder import read_args
from training.score_files import ScoresFile

_RESUMED = re.compile(r'^args_resumed_(\d+)\.txt$')


def begun(run_dir):
    """The script started this run here (so it continues with --resume)."""
    return os.path.exists(os.path.join(run_dir, 'args.txt'))


def finished(run_dir):
    """Its newest checkpoint is its finish, or holds all its --steps (an
    `_except` saved by a stop that came as its training ended)."""
    latest = os.path.isdir(run_dir) and checkpoints.latest(run_dir)
    if not latest:
        return False
    return latest.endswith('_finish.h5') or checkpoints.steps_of(latest) >= _steps(run_dir)


def _steps(run_dir):
    """--steps of the run's newest start: args.txt, or args_resumed_<step>.txt."""
    starts = {int(m.group(1)): m.group(0) for m in map(_RESUMED.match, os.listdir(run_dir))
              if m}
    name = starts[max(starts)] if starts else 'args.txt'
    try:
        args = read_args(os.path.join(run_dir, name))['args']
    except ValueError:  # no run of the harness
        return float('inf')
    return args.get('steps', float('inf'))


def numbers(run_dir):
    """{'steps', 'hours', 'best', 'final'}, None where not known yet.

    Steps and hours are the newer of the last evaluation and the newest
    checkpoint (whose .opt holds the run's clock); raises ValueError for a
    damaged scores.txt, naming the line."""
    rows = ScoresFile(os.path.join(run_dir, 'scores.txt')).rows() \
        if os.path.isdir(run_dir) else []
    found = {'steps': None, 'hours': None, 'best': None, 'final': None}
    if rows:
        found.update(steps=int(rows[-1]['steps']), hours=rows[-1]['elapsed'] / 3600,
                     best=max(r['mean'] for r in rows), final=rows[-1]['mean'])
    latest = checkpoints.latest(run_dir) if os.path.isdir(run_dir) else None
    if latest and checkpoints.steps_of(latest) > (found['steps'] or 0):
        found['steps'] = checkpoints.steps_of(latest)
        try:
            clock = checkpoints.clock(latest)
        except OSError:  # replaced by a newer checkpoint while being read
            clock = None
        if clock:
            found['hours'] = clock[0] / 3600
    return found
