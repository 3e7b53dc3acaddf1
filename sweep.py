"""Run many training runs at once, on this machine or a Ray cluster.

    python sweep.py [--runs 5] [--lr-range 1e-4 1e-2] [--grid FLAG=V1,V2 ...]
                    [--seed 0] [--outdir SWEEP] [--address HOST:PORT] [--cpus N]
                    -- SCRIPT PROCESSES [ARGS ...]
    python sweep.py --resume SWEEP [--address HOST:PORT] [--cpus N]

Each run is `SCRIPT PROCESSES ARGS` (a3c_ale.py, q_ale.py, ...) with its own
--seed, a learning rate drawn LogUniform from --lr-range (unless the grid sets
--lr) and one combination of the grid's values, in its own run folder under
SWEEP; SWEEP/table.txt says where each stands.  Ray runs them, each reserving
PROCESSES CPUs: a local Ray by default, or the cluster at --address.
"""
import argparse
import datetime
import os
import sys

from cli.arguments import ArgumentParser, fail, nonnegative_int, positive_float, positive_int
from sweeps import folder, settings

# Flags the sweep sets on each run itself.
OWN_FLAGS = ('--seed', '--outdir', '--resume')
# What a new sweep's plan is drawn with, by default; a resumed sweep keeps its plan.
PLAN_DEFAULTS = {'runs': 5, 'lr_range': settings.PAPER_LR_RANGE, 'seed': 0}


def parse(argv):
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=positive_int,
                        help='runs for each combination of the grid (default {})'.format(
                            PLAN_DEFAULTS['runs']))
    parser.add_argument('--lr-range', nargs=2, type=positive_float, metavar=('LOW', 'HIGH'),
                        help='draw each run\'s --lr LogUniform from this range '
                        '(default the paper\'s, 1e-4 1e-2)')
    parser.add_argument('--grid', action='append', default=[], metavar='FLAG=V1,V2',
                        help='a flag of the script and its values; several --grid: '
                        'every combination')
    parser.add_argument('--seed', type=nonnegative_int,
                        help='run i trains with seed SEED + i; the rates are drawn with it '
                        '(default {})'.format(PLAN_DEFAULTS['seed']))
    parser.add_argument('--outdir', help='the sweep\'s folder (default results/sweep-<date-time>)')
    parser.add_argument('--resume', metavar='SWEEP',
                        help='continue the unfinished runs of this sweep, skip the finished')
    parser.add_argument('--address', metavar='HOST:PORT',
                        help='join this Ray cluster (default: start Ray on this machine)')
    parser.add_argument('--cpus', type=positive_int,
                        help='CPUs of the local Ray (default: this machine\'s)')
    split = argv.index('--') if '--' in argv else len(argv)
    args = parser.parse_args(argv[:split])
    args.command = argv[split + 1:]
    if args.address and args.cpus:
        fail('--cpus is for the local Ray; a cluster\'s machines say their own (ray start '
             '--num-cpus)')
    return args


def new_sweep(args):
    """Checks the script's command and draws the runs; returns (folder, plan)."""
    if not args.command:
        fail('name the training script after --, e.g. sweep.py --runs 4 -- a3c_ale.py 1 pong')
    for name, default in PLAN_DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    script, script_args = os.path.abspath(args.command[0]), args.command[1:]
    if not os.path.isfile(script) or not script.endswith('.py'):
        fail(f'unknown training script {args.command[0]}: no such Python file')
    try:
        processes = positive_int(script_args[0]) if script_args else None
    except argparse.ArgumentTypeError:
        processes = None
    if processes is None:
        fail(f'{args.command[0]} PROCESSES ...: the script\'s first argument is its process '
             'count, which each run reserves as CPUs')
    try:
        grid = settings.parse_grid(args.grid)
        settings.check_lr_range(*args.lr_range)
    except ValueError as e:
        fail(str(e))
    for name, _ in grid:
        if '--' + name in OWN_FLAGS:
            fail(f'--grid {name}: the sweep sets --{name} for each run itself')
    own = OWN_FLAGS + tuple('--' + name for name, _ in grid) + \
        (() if 'lr' in dict(grid) else ('--lr',))
    for arg in script_args:
        if arg.split('=')[0] in own:
            fail('{}: the sweep sets {} for each run (see --grid, --lr-range, --seed)'.format(
                arg, arg.split('=')[0]))
    path = args.outdir or os.path.join(
        'results', 'sweep-' + datetime.datetime.now().strftime('%Y%m%dT%H%M%S'))
    try:
        folder.check_new(path)
    except folder.SweepError as e:
        fail(str(e))
    runs = settings.draw(args.runs, grid, args.lr_range, args.seed)
    return path, folder.new_plan(script, script_args, processes, runs)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.resume:
        if args.command or args.grid or args.outdir or any(
                getattr(args, name) is not None for name in PLAN_DEFAULTS):
            fail(f'--resume {args.resume} continues that sweep as it was planned: give no script, '
                 '--grid, --outdir, --runs, --lr-range or --seed')
        try:
            path, plan = args.resume, folder.load(args.resume)
        except folder.SweepError as e:
            fail(str(e))
    else:
        path, plan = new_sweep(args)
    from sweeps import driver, progress  # Ray and Chainer load only for a sweep to run
    todo = [run for run in plan['runs'] if not progress.finished(folder.run_dir(path, run))]
    print('sweep {}: {} runs of {}, {} to run{}'.format(
        path, len(plan['runs']), os.path.basename(plan['script']), len(todo),
        ' on the cluster at ' + args.address if args.address else ' on a local Ray'),
        flush=True)
    try:
        with driver.ray_session(args.address, args.cpus or os.cpu_count(), plan['processes']):
            if not args.resume:  # on disk only once Ray runs
                folder.create(path, plan)
            return driver.run(path, plan, todo)
    except (driver.CannotStart, folder.SweepError) as e:
        fail(str(e))


if __name__ == '__main__':
    sys.exit(main())
