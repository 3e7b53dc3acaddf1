"""The zoo's Atari entries against the field, as a Markdown table (`python
zoo.py --table`; the README's copy is tested against it, so it cannot drift
from the entries).

Each entry's figure and budget come from its own files, as the training script
wrote them: the final evaluation (the last row of scores.txt, which zoo.py
holds equal to the README's), the steps of its model file, the hours of the
clock saved beside it, and the processes and cores of each start (args*.txt).
"""
import collections
import glob
import os

from plot_scores import read_scores
from training import checkpoints
from training.run_folder import read_args
from zoo_entries import identify, model_files

# Published figures for the paper's games, as ../shared/REFERENCE.md gathers them:
# paper: Mnih et al. 2016 (arXiv 1602.01783), Table S3, human starts, A3C FF "1 day"
#   and A3C LSTM; it gives no table figure for the value methods on these games.
# PFRL: PFRL 0.4's A3C reproduction, no-op starts, 80 M steps, best of the intermediate
#   evaluations, mean of 3 seeds.  ChainerRL: ChainerRL 0.8's A3C, no-op starts, 80 M
#   steps (REFERENCE.md also lists 0.7's, one seed, which differ by up to 11%).
# random, human: DeepMind's DQN Zoo, dqn_zoo/atari_data.py (random agent and
#   professional tester, no-op starts, 30-minute cap).
Published = collections.namedtuple('Published', 'title paper pfrl chainerrl random human')
PUBLISHED = {
    'beam_rider': Published('Beam Rider', {'ff': 13235.9, 'lstm': 24622.2},
                            8882.6, 9044.4, 363.9, 16926.5),
    'breakout': Published('Breakout', {'ff': 551.6, 'lstm': 766.8}, 581.0, 569.9, 1.7, 30.5),
    'pong': Published('Pong', {'ff': 11.4, 'lstm': 10.7}, 20.9, 20.7, -20.7, 14.6),
    'qbert': Published('Q*bert', {'ff': 13752.3, 'lstm': 21307.5},
                       20721.9, 18889.2, 163.9, 13455.0),
    'seaquest': Published('Seaquest', {'ff': 2300.2, 'lstm': 1326.1},
                          1781.9, 1785.6, 68.4, 42054.7),
    'space_invaders': Published('Space Invaders', {'ff': 2214.7, 'lstm': 23846.0},
                                1043.5, 1568.9, 148.0, 1668.7),
}
A3C_KINDS = ('ff', 'lstm')  # PFRL's and ChainerRL's figures are A3C's, none other
METHODS = {'ff': 'A3C FF', 'lstm': 'A3C LSTM', 'nstep_q': 'n-step Q',
           'onestep_q': 'one-step Q', 'sarsa': 'one-step Sarsa'}
HEADER = ('entry', 'method', 'final evaluation mean', 'budget', 'human-normalised',
          'paper, same method (human starts)', 'PFRL A3C (no-op, 80 M)',
          'ChainerRL A3C (no-op, 80 M)')
NONE = '—'  # a figure not published, or not recorded


def human_normalised(score, game):
    """(score − random) / (human − random): 0 plays as a random agent, 1 as DQN Zoo's human."""
    p = PUBLISHED[game]
    return (score - p.random) / (p.human - p.random)


def markdown(paths):
    """The table of the Atari entries among `paths` (good entries: `zoo.check_entry`)."""
    rows = [row for row in map(_row, paths) if row is not None]
    lines = [HEADER, ('---',) * len(HEADER)] + rows
    return ''.join('| {} |\n'.format(' | '.join(line)) for line in lines)


def _row(path):
    """The entry's cells; None for an entry that is not an Atari one."""
    problems = []
    entry, _, steps = identify(path, problems)
    if problems:
        raise ValueError(f'{path}: {problems[0]}')
    if entry.environment != 'ale':
        return None
    mean = read_scores(os.path.join(path, 'scores.txt'), ('steps', 'mean'))['mean'][-1]
    starts = _starts(path)
    target = starts[-1][3] if starts else None
    p = PUBLISHED.get(entry.name)
    if p is None:
        game, normalised, published = entry.name, NONE, (NONE,) * 3
    else:
        a3c = entry.kind in A3C_KINDS
        game, normalised = p.title, f'{human_normalised(mean, entry.name):.0%}'
        published = tuple(map(_figure, (p.paper.get(entry.kind), p.pfrl if a3c else None,
                                        p.chainerrl if a3c else None)))
    return (f'{game} (`{entry.folder}`)',
            METHODS[entry.kind] + (' (queue)' if entry.queued else ''),
            f'{mean:g}' + (' (target {:g}, {})'.format(
                target, 'reached' if mean >= target else 'not reached') if target else ''),
            _budget(path, steps, entry.queued, starts), normalised) + published


def _figure(value):
    return NONE if value is None else f'{value:g}'


def _budget(path, steps, queued, starts):
    """Steps, hours, and the processes and cores that trained most of the steps,
    with the stretches trained otherwise."""
    clock = checkpoints.clock(os.path.join(path, model_files(path)[0]))
    hours = NONE if clock is None else f'{clock[0] / 3600:.2f}'
    text = f'{steps / 1e6:.3g} M steps, {hours} h'
    stretches = _stretches(starts, steps)
    if not stretches:
        return text + ', processes not recorded'
    trained = collections.Counter()
    for first, last, processes, cores in stretches:
        trained[processes, cores] += last - first
    (processes, cores), _ = trained.most_common(1)[0]
    text += ', {} {}{}{} on {} cores'.format(
        processes, 'actor process' if queued else 'process', 'es' if processes != 1 else '',
        ' and the learner' if queued else '', cores)
    for first, last, *setting in stretches:
        if tuple(setting) != (processes, cores):
            text += '; {} on {} cores for steps {:.3g}–{:.3g} M'.format(
                *setting, first / 1e6, last / 1e6)
    return text


def _starts(path):
    """(first step, processes, cores, target score) of each start of the run, in
    order, from its args*.txt; [] for an entry that keeps none."""
    starts = []
    for name in glob.glob(os.path.join(path, 'args*.txt')):
        record = read_args(name)
        starts.append((record.get('start_step', 0), record['args'].get('processes'),
                       record.get('machine', {}).get('cpus'),
                       record['args'].get('target_score')))
    return sorted(starts, key=lambda s: s[0])


def _stretches(starts, steps):
    """[(first step, last step, processes, cores)]: consecutive starts alike, merged."""
    stretches = []
    for i, (first, processes, cores, _) in enumerate(starts):
        last = starts[i + 1][0] if i + 1 < len(starts) else steps
        if stretches and stretches[-1][2:] == (processes, cores):
            stretches[-1] = (stretches[-1][0], last, processes, cores)
        else:
            stretches.append((first, last, processes, cores))
    return stretches
