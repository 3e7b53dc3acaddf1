"""What each run of a sweep trains with: its seed, a learning rate drawn
LogUniform from a range (the paper's 1e-4 to 1e-2 by default, as for its 50
runs per game), and the values of a grid of flags."""
import itertools
import math

import numpy as np

PAPER_LR_RANGE = (1e-4, 1e-2)


def parse_grid(specs):
    """['beta=0.01,0.001', ...] -> [('beta', ['0.01', '0.001']), ...];
    raises ValueError for what is no FLAG=VALUE,VALUE,..."""
    grid = []
    for spec in specs:
        name, sep, values = spec.partition('=')
        name, values = name.lstrip('-'), values.split(',')
        if not sep or not name or not all(v.strip() for v in values):
            raise ValueError(f'--grid {spec!r}: expected FLAG=VALUE[,VALUE...], e.g. '
                             'beta=0.01,0.001')
        if name in dict(grid):
            raise ValueError(f'--grid names {name} twice')
        grid.append((name, values))
    return grid


def check_lr_range(low, high):
    """Raises ValueError for a range LogUniform cannot draw from."""
    if not (0 < low <= high < math.inf):
        raise ValueError(f'--lr-range {low:g} {high:g}: expected 0 < LOW <= HIGH')


def draw(runs, grid, lr_range, seed):
    """The sweep's runs, in order: {'name', 'seed', 'flags': [[flag, value], ...]}.

    `runs` runs for each combination of the grid's values; run i trains with
    seed `seed` + i and, unless the grid sets lr, a rate drawn from a generator
    seeded with `seed`, so the same command draws the same sweep."""
    rng = np.random.default_rng(seed)
    log_low, log_high = np.log(lr_range)
    combinations = list(itertools.product(*[[(n, v) for v in vs] for n, vs in grid]))
    width = max(2, len(str(len(combinations) * runs - 1)))
    plan = []
    for combination in combinations:
        for _ in range(runs):
            flags = [list(pair) for pair in combination]
            if 'lr' not in dict(grid):
                lr = math.exp(rng.uniform(log_low, log_high))
                flags.append(['lr', f'{lr:.2e}'])
            i = len(plan)
            plan.append({'name': 'run_{:0{}d}'.format(i, width), 'seed': seed + i,
                         'flags': flags})
    return plan
