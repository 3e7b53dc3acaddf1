"""A sweep's folder: `sweep.json`, the plan fixed when the sweep starts (the
script, its arguments, each run's seed and flags), so that a resume continues
the same runs; one ordinary run folder per run; `logs/<run>.txt` and `.err`,
each run's output and stderr; `table.txt`, the table of runs."""
import datetime
import json
import os
import uuid

from training.writes import WriteError, writing

PLAN = 'sweep.json'
TABLE = 'table.txt'
KEYS = ('script', 'args', 'processes', 'runs', 'id')


class SweepError(ValueError):
    """A path that is no sweep folder, or cannot become one."""


def check_new(path):
    """Raises SweepError unless `path` can become a new sweep's folder."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise SweepError(f'--outdir {path} exists and is not a directory')
    if os.path.isdir(path) and os.listdir(path):
        raise SweepError(f'--outdir {path} already exists; pass --resume {path} to continue that '
                         'sweep, or choose another folder')


def new_plan(script, args, processes, runs):
    return {'script': script, 'args': args, 'processes': processes, 'runs': runs,
            'id': uuid.uuid4().hex,
            'created': datetime.datetime.now().isoformat(timespec='seconds')}


def create(path, plan):
    """Writes the plan into a new (or empty) folder, with logs/ beside it."""
    check_new(path)
    try:
        os.makedirs(os.path.join(path, 'logs'), exist_ok=True)
        write_atomic(os.path.join(path, PLAN), json.dumps(plan, indent=1) + '\n')
    except OSError as e:
        raise SweepError(f'cannot write to --outdir {path}: {e.strerror or e}')
    except WriteError as e:
        raise SweepError(str(e))


def load(path):
    """The plan of the sweep in `path`; raises SweepError."""
    try:
        with open(os.path.join(path, PLAN)) as f:
            plan = json.load(f)
    except FileNotFoundError:
        raise SweepError(f'{path} is not a sweep folder: it has no {PLAN}')
    except (OSError, ValueError) as e:
        raise SweepError(f'cannot read {os.path.join(path, PLAN)}: {e}')
    if not isinstance(plan, dict) or not all(k in plan for k in KEYS):
        raise SweepError(f'{os.path.join(path, PLAN)} is not a {PLAN} this project wrote')
    return plan


def run_dir(path, run):
    return os.path.join(os.path.abspath(path), run['name'])


def log_path(path, run, errors=False):
    """The run's output (`logs/<run>.txt`), or its stderr (`logs/<run>.err`)."""
    return os.path.join(os.path.abspath(path), 'logs',
                        run['name'] + ('.err' if errors else '.txt'))


def command(plan, run, folder, resume):
    """The training script's command line for `run`, after the Python
    interpreter: the sweep's arguments, the run's flags, its seed, and its
    folder, new (--outdir) or to continue (--resume)."""
    argv = [plan['script']] + plan['args']
    for flag, value in run['flags']:
        argv += ['--' + flag, value]
    return argv + ['--seed', str(run['seed']), '--resume' if resume else '--outdir', folder]


def flags_text(run):
    return ','.join(f'{flag}={value}' for flag, value in run['flags']) or '-'


def write_atomic(path, text):
    """Through a temporary name and a rename: a reader never sees half a file;
    raises WriteError."""
    tmp = f'{path}.{os.getpid()}.tmp'
    with writing(path, lambda: os.remove(tmp)):
        with open(tmp, 'w') as f:
            f.write(text)
        os.replace(tmp, path)
