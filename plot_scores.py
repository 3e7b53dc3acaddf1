"""Learning curves from scores.txt files.

    python plot_scores.py SCORES.txt [MORE.txt ...] [--title T] [--out FILE.png]

One file: its evaluations' mean and median against training steps, written
beside it as `<name without .txt>.png` (results/x/scores.txt -> results/x/scores.png),
with the training games of the games.txt beside it, if any, in grey.
Several files (the same setting with different seeds): the mean over runs,
shaded from the lowest to the highest run, with each run's mean faint behind
it; give --out.  Columns are found by the header's names, so the original
Chainer repository's files (steps elapsed mean median stdev) work too.

    python plot_scores.py --compare A.txt B.txt ... [--label A --label B ...]
                          [--x steps|hours] --out FILE.png

Several runs of different methods (the paper's Figure 1): each its own line
of evaluation means, labelled with its --label (default: its folder's name),
against training steps or against the hours of training its `elapsed`
column counts.

    python plot_scores.py SWEEP [--best 5]

A sweep's folder (sweep.py): as the paper reports its 50 runs per game, the
mean of the --best runs by final evaluation, as for several files, in
SWEEP/best_runs.png; and each run's final evaluation mean against its
learning rate (the paper's Figure 2) in SWEEP/lr.png.
"""
import math
import os
import sys

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cli.arguments import ArgumentParser, check_output_file, fail, positive_int
from sweeps import folder
from training.run_folder import read_args
from training.score_files import read_table
from training.writes import WriteError, stop, writing

SWEEP_PLOTS = ('best_runs.png', 'lr.png')


class ScoresError(ValueError):
    """A file that is no scores.txt."""


def _read_table(path, needed):
    """(header, rows of numbers); raises ScoresError naming the bad line."""
    if os.path.isdir(path):
        raise ScoresError(f'{path} is a directory, not a scores file')
    try:
        header, lines = read_table(path, needed)
    except OSError as e:
        raise ScoresError(f'cannot read {path}: {e.strerror or e}')
    except ValueError as e:
        raise ScoresError(str(e))
    if not header:
        raise ScoresError(f'{path} is empty')
    rows = []
    for n, fields in lines:
        if len(fields) != len(header):
            raise ScoresError(f'{path} line {n}: {len(fields)} fields, '
                              f'the header has {len(header)}')
        try:
            row = [float(x) for x in fields]
        except ValueError:
            raise ScoresError(f'{path} line {n}: not all numbers')
        if not all(map(math.isfinite, row)):
            raise ScoresError(f'{path} line {n}: a value is not a finite number')
        rows.append(row)
    return header, rows


def read_scores(path, needed=('steps', 'mean', 'median')):
    """Column name -> array.  When the steps go back (a run resumed from an
    earlier checkpoint), the later rows replace the ones they overlap."""
    header, rows = _read_table(path, needed)
    kept, steps = [], header.index('steps')
    for row in rows:
        while kept and kept[-1][steps] >= row[steps]:
            kept.pop()
        kept.append(row)
    if not kept:
        raise ScoresError(f'{path} has a header but no evaluations')
    table = np.array(kept)
    return {name: table[:, i] for i, name in enumerate(header)}


def training_curve(scores_path, window=100):
    """(steps, mean score of the last `window` training games) from the
    games.txt beside a scores.txt; None if there is none or it has no games.
    The workers append in the order their games end, so it is sorted first."""
    path = os.path.join(os.path.dirname(os.path.abspath(scores_path)), 'games.txt')
    if not os.path.exists(path):
        return None
    header, rows = _read_table(path, ('steps', 'score'))
    if not rows:
        return None
    at_steps = header.index('steps')
    table = np.array(sorted(rows, key=lambda r: r[at_steps]))
    steps, score = table[:, at_steps], table[:, header.index('score')]
    sums = np.cumsum(np.concatenate([[0.0], score]))
    n = np.minimum(np.arange(1, len(score) + 1), window)
    return steps, (sums[1:] - sums[np.arange(1, len(score) + 1) - n]) / n


def plot(paths, title=None):
    """The figure for one file or several; raises ScoresError."""
    runs = [read_scores(p, ('steps', 'mean', 'median') if len(paths) == 1
                        else ('steps', 'mean')) for p in paths]
    fig = Figure(figsize=(6.4, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    # Short test runs would read 0.001, 0.002, ... in millions.
    scale, unit = (1e6, 'millions') if max(r['steps'][-1] for r in runs) >= 1e6 \
        else (1e3, 'thousands')
    if len(runs) == 1:
        games = training_curve(paths[0])
        if games is not None:
            ax.plot(games[0] / scale, games[1], color='0.6', linewidth=1,
                    label='training games (mean of the last 100)')
        x = runs[0]['steps'] / scale
        ax.plot(x, runs[0]['mean'], marker='.', linewidth=2, label='mean')
        # Dashed, so that a median equal to the mean still shows both.
        ax.plot(x, runs[0]['median'], marker='.', linestyle='--', label='median')
    else:
        lo = max(r['steps'][0] for r in runs)
        hi = min(r['steps'][-1] for r in runs)
        if lo > hi:
            first_end = min(range(len(runs)), key=lambda i: runs[i]['steps'][-1])
            last_start = max(range(len(runs)), key=lambda i: runs[i]['steps'][0])
            raise ScoresError(f'the runs share no range of steps: {paths[first_end]} ends before '
                              f'{paths[last_start]} starts')
        grid = np.unique(np.concatenate([r['steps'] for r in runs]))
        grid = grid[(grid >= lo) & (grid <= hi)]
        means = np.array([np.interp(grid, r['steps'], r['mean']) for r in runs])
        for i, r in enumerate(runs):
            ax.plot(r['steps'] / scale, r['mean'], color='C0', alpha=0.35, linewidth=1,
                    label='each run' if i == 0 else '_nolegend_')
        ax.fill_between(grid / scale, means.min(axis=0), means.max(axis=0), color='C0',
                        alpha=0.2, linewidth=0, label='lowest to highest run')
        ax.plot(grid / scale, means.mean(axis=0), color='C0', linewidth=2,
                label=f'mean of {len(runs)} runs')
    ax.set_xlabel(f'training steps ({unit})')
    ax.set_ylabel('score (mean of the evaluation games)' if len(runs) > 1 else 'score')
    ax.set_title(title if title is not None else _default_title(paths))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def compare(paths, labels, x='steps', title=None):
    """One line per run, labelled; `x` 'steps' or 'hours'; raises ScoresError."""
    runs = [read_scores(p, ('steps', 'elapsed', 'mean')) for p in paths]
    fig = Figure(figsize=(6.4, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for run, label in zip(runs, labels):
        xs = run['steps'] / 1e6 if x == 'steps' else run['elapsed'] / 3600
        ax.plot(xs, run['mean'], marker='.', linewidth=2, label=label)
    ax.set_xlabel('training steps (millions)' if x == 'steps' else 'training hours')
    ax.set_ylabel('score (mean of the evaluation games)')
    ax.set_title(title if title is not None else ', '.join(labels))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def sweep_runs(path):
    """[(scores.txt, learning rate, final mean)] of the sweep's runs that have
    evaluated, best first; raises ScoresError."""
    try:
        plan = folder.load(path)
    except folder.SweepError as e:
        raise ScoresError(str(e))
    runs = []
    for run in plan['runs']:
        scores = os.path.join(folder.run_dir(path, run), 'scores.txt')
        if not os.path.exists(scores):
            continue
        header, rows = _read_table(scores, ('steps', 'mean'))
        if rows:  # the last row is the newest evaluation, resumed or not
            runs.append((scores, _learning_rate(folder.run_dir(path, run)),
                         rows[-1][header.index('mean')]))
    if not runs:
        raise ScoresError(f'no run of the sweep in {path} has evaluated yet')
    return sorted(runs, key=lambda r: -r[2])


def _learning_rate(run_dir):
    path = os.path.join(run_dir, 'args.txt')
    try:
        return float(read_args(path)['args']['lr'])
    except (ValueError, KeyError, TypeError) as e:
        raise ScoresError(f'{path}: no learning rate ({e})')


def plot_sweep(path, best=5):
    """(the best runs' curves, the final scores against the learning rate)."""
    runs = sweep_runs(path)
    name = os.path.basename(os.path.abspath(path))
    k = min(best, len(runs))
    curves = plot([r[0] for r in runs[:k]], f'{name}: the best {k} of {len(runs)} runs')
    fig = Figure(figsize=(6.4, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for chosen, label in ((runs[:k], f'the best {k}'), (runs[k:], 'the others')):
        if chosen:
            ax.scatter([r[1] for r in chosen], [r[2] for r in chosen], label=label)
    ax.set_xscale('log')
    ax.set_xlabel('learning rate')
    ax.set_ylabel('final score (mean of the last evaluation)')
    ax.set_title(f'{name}: {len(runs)} runs')
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return curves, fig


def _default_title(paths):
    if len(paths) > 1:
        return f'{len(paths)} runs'
    return os.path.basename(os.path.dirname(os.path.abspath(paths[0])))


def default_out(path):
    return os.path.splitext(path)[0] + '.png'


def save(fig, path):
    """Through a temporary file and a rename, so `path` is never half written;
    raises WriteError."""
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, f'.{name}.{os.getpid()}.tmp')
    with writing(path, lambda: os.remove(tmp)):
        fig.savefig(tmp, format=os.path.splitext(path)[1][1:].lower() or 'png')
        os.replace(tmp, path)


def main(argv=None):
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('scores', nargs='+', help='scores.txt files; several: '
                        'runs of one setting with different seeds')
    parser.add_argument('--title', help='default: the folder of a single file, '
                        'or "N runs"')
    parser.add_argument('--out', help='the image to write (.png, .svg or .pdf); '
                        'default for one file: its name with .png for .txt')
    parser.add_argument('--best', type=positive_int, default=5,
                        help='a sweep: draw the mean of this many best runs (default 5)')
    parser.add_argument('--compare', action='store_true',
                        help='the files are runs of different methods: one line each')
    parser.add_argument('--label', action='append', default=[],
                        help='--compare: the next file\'s name in the legend (default: '
                        'its folder\'s)')
    parser.add_argument('--x', choices=('steps', 'hours'), default='steps',
                        help='--compare: training steps or training hours (default: steps)')
    args = parser.parse_args(argv)
    if args.compare:
        return _main_compare(args)
    if args.label or args.x != 'steps':
        fail('--label and --x go with --compare')
    if len(args.scores) == 1 and os.path.isfile(os.path.join(args.scores[0], folder.PLAN)):
        return _main_sweep(args)
    if len(args.scores) > 1 and not args.out:
        fail('several files make one plot: name it with --out FILE.png')
    out = args.out or default_out(args.scores[0])
    check_output_file('--out', out)
    try:
        fig = plot(args.scores, args.title)
    except ScoresError as e:
        fail(str(e))
    _save_or_fail(fig, out)
    return 0


def _main_compare(args):
    if not args.out:
        fail('a comparison is one plot: name it with --out FILE.png')
    if len(args.label) > len(args.scores):
        fail(f'{len(args.label)} labels for {len(args.scores)} files')
    check_output_file('--out', args.out)
    labels = args.label + [os.path.basename(os.path.dirname(os.path.abspath(p)))
                           for p in args.scores[len(args.label):]]
    try:
        fig = compare(args.scores, labels, args.x, args.title)
    except ScoresError as e:
        fail(str(e))
    _save_or_fail(fig, args.out)
    return 0


def _main_sweep(args):
    if args.out or args.title:
        fail('a sweep\'s two plots go into its folder: no --out or --title')
    try:
        figures = plot_sweep(args.scores[0], args.best)
    except ScoresError as e:
        fail(str(e))
    for fig, name in zip(figures, SWEEP_PLOTS):
        _save_or_fail(fig, os.path.join(args.scores[0], name))
    return 0


def _save_or_fail(fig, out):
    try:
        save(fig, out)
    except ValueError as e:  # a format matplotlib does not know
        fail(f'cannot write {out}: {e}')
    except WriteError as e:
        stop(e)
    print(f'wrote {out}')


if __name__ == '__main__':
    sys.exit(main())
