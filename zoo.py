"""The trained-model zoo's entry format, checked (trained_model/README.md describes it).

    python zoo.py [trained_model/<name>_<kind> ...]    (default: every entry)
    python zoo.py --table                              (the Atari entries against the field)

An entry's README is written by hand, so everything it claims is compared
with what the folder holds: a figure that disagrees is a problem.
"""
import os
import sys

from PIL import Image

import zoo_table
from cli.arguments import ArgumentParser, fail
from envs import ale, doom, gym
from nets import vector
from nets.actor_critic import A3CFF, A3CLSTM
from nets.model_files import n_actions_of
from nets.torso import MLPHead
from plot_scores import ScoresError, read_scores
from q_functions import QFunction
from zoo_entries import (
    ENVIRONMENTS,
    FIELDS,
    METHOD_KINDS,
    NAME,
    NETWORKS,
    NO_ANIMATION,
    ZOO,
    entries,
    identify,
    parse_command,
    readme_fields,
)

_UNMAKEABLE = (ale.RomError, doom.DoomError, gym.TaskError)


def _number(fields, name, kind, problems):
    """The field's value, or None (with a problem said) if it is not a number of that kind."""
    text = fields[name].replace(',', '')
    try:
        return kind(text)
    except ValueError:
        problems.append('README.md: "{}: {}" is not {}'.format(
            name, fields[name], 'a whole number' if kind is int else 'a number'))


def check_entry(path):
    """Every way the folder falls short of the format; [] when it is a good entry."""
    folder = os.path.basename(os.path.normpath(path))
    if not os.path.isdir(path):
        return [f'{path} is not a folder']
    if not NAME.match(folder):
        return ['{}: the folder name is not <name>_<{}>[_queue]'.format(
            folder, '|'.join(NETWORKS))]
    problems = []

    def present(filename):
        if os.path.isfile(os.path.join(path, filename)):
            return True
        problems.append(f'{folder}: no {filename}')
        return False

    entry, model, model_steps = identify(path, problems)
    named = _check_name(entry)  # said first: a wrong name explains what follows
    if entry.environment is not None:
        _check_network(entry, model, problems)
    last = None
    if present('scores.txt'):
        try:
            scores = read_scores(os.path.join(path, 'scores.txt'),
                                 ('steps', 'elapsed', 'mean', 'median'))
            last = {k: v[-1] for k, v in scores.items()}
        except ScoresError as e:
            problems.append(str(e))
    if present('scores.png'):
        _check_image(os.path.join(path, 'scores.png'), 'PNG', problems)
    fields = None
    if present('README.md'):
        fields = _readme(os.path.join(path, 'README.md'), problems)
    _check_animation(path, entry, fields, problems)
    if fields is not None:
        _check_readme(fields, entry, model_steps, last, problems)
    return named + problems


def _check_name(entry):
    """Problems of the folder's name against what the model file records."""
    if entry.environment is None:
        return []
    env = ENVIRONMENTS[entry.environment]
    name = env.folder_name(entry.played)
    if name != entry.name:
        return [(f'{entry.folder}: the folder name says {entry.name}, but the model file '
                 f'records the {env.title} {entry.played}, so the folder is '
                 f'{name + entry.folder[len(entry.name):]}')]
    if env.bundled is not None and name not in env.bundled():
        return [(f'{entry.folder}: the folder name is no bundled {env.title} (the model file '
                 f'records {entry.played}); entries are named by bundled ones')]
    return []


def _check_network(entry, model, problems):
    """The network the folder's name and its environment call for, and its actions."""
    env = ENVIRONMENTS[entry.environment]
    vectors = entry.environment == 'gym'
    got = _network(type(model), isinstance(model[0], MLPHead))
    wanted = _network(NETWORKS[entry.kind], vectors)
    if got != wanted:
        problems.append(f'{entry.folder}: the model is {got}, the folder name says {wanted}')
        return
    try:
        played = env.make(entry.played)
    except _UNMAKEABLE as e:
        problems.append(f'{entry.folder}: {e}')
        return
    if vectors:
        misfit = vector.misfit(model, played, entry.played)
        if misfit:
            problems.append(f'{entry.folder}: the model {misfit}')
    elif n_actions_of(model) != played.action_space.n:
        problems.append(f'{entry.folder}: the model has {n_actions_of(model)} actions, '
                        f'{entry.played} has {played.action_space.n}')


def _network(cls, vectors):
    name = {A3CFF: 'A3C FF', A3CLSTM: 'A3C LSTM', QFunction: 'a Q network'}.get(
        cls, cls.__name__)
    return name + (' on vectors' if vectors else '')


def _readme(path, problems):
    """The README's fields, or None (with a problem said) if it cannot be read."""
    try:
        return readme_fields(path)
    except (OSError, UnicodeDecodeError) as e:
        problems.append(f'{path} cannot be read: {e}')


def _check_animation(path, entry, fields, problems):
    """A GIF, which a Gymnasium entry may lack if its README says why."""
    gif = os.path.join(path, 'animation.gif')
    excuse = (fields or {}).get(NO_ANIMATION)
    if os.path.isfile(gif):
        _check_image(gif, 'GIF', problems)
        if excuse is not None:
            problems.append(f'README.md says "- {NO_ANIMATION}: {excuse}", but the folder holds '
                            'animation.gif')
        return
    if excuse and entry.environment in ('gym', None):
        return
    if entry.environment == 'gym':
        why = (', and the "- {}:" line of README.md gives no reason' if excuse is not None
               else ' (a Gymnasium entry may say why instead, in a "- {}: <reason>" line '
               'of README.md)').format(NO_ANIMATION)
    else:
        why = f' (a "- {NO_ANIMATION}:" line excuses only a Gymnasium entry)' \
            if excuse is not None else ''
    problems.append(f'{entry.folder}: no animation.gif{why}')


def _check_readme(fields, entry, model_steps, last, problems):
    absent = [f for f in FIELDS if not fields.get(f)]
    if absent:
        problems.append('README.md lacks the lines: {}'.format(
            ', '.join(f'"- {f}: ..."' for f in absent)))
    got = {f: _number(fields, f, kind_, problems) for f, kind_ in (
        ('steps', int), ('processes', int), ('wall-clock hours', float),
        ('final evaluation mean', float), ('final evaluation median', float),
        ('final evaluation episodes', int)) if f not in absent}
    steps = got.get('steps')
    if steps is not None and model_steps is not None and steps != model_steps:
        problems.append(f'README.md says {steps} steps, the model file {model_steps}')
    if last is not None:
        if steps is not None and steps != last['steps']:
            problems.append('README.md says {} steps, the last row of scores.txt {:g}'
                            .format(steps, last['steps']))
        for what in ('mean', 'median'):
            value = got.get('final evaluation ' + what)
            if value is not None and value != last[what]:
                problems.append(f'README.md gives the final evaluation {what} as {value:g}, the '
                                f'last row of scores.txt {last[what]:g}')
        hours, actual = got.get('wall-clock hours'), last['elapsed'] / 3600
        if hours is not None and abs(hours - actual) > max(0.1 * actual, 0.05):
            problems.append(f'README.md says {hours:g} wall-clock hours, scores.txt {actual:.2f}')
    if 'command' not in absent:
        _check_command(fields['command'], got, entry, problems)


def _check_command(command, got, entry, problems):
    """The README's training command against its figures, the folder's name and
    the environment its model file records."""
    steps = got.get('steps')
    try:
        args = parse_command(command)
    except ValueError as e:
        problems.append(f'README.md training command: {e}')
        return
    mean = got.get('final evaluation mean')
    if args.target_score is None:
        _compare('steps', args.steps, steps, problems)
    else:  # stopped at its target (a mean at least that) or at the end of --steps
        if steps is not None and steps > args.steps:
            problems.append(f'README.md says {steps} steps, beyond the training command\'s '
                            f'--steps {args.steps}')
        if mean is not None and mean < args.target_score and steps != args.steps:
            problems.append(f'README.md gives the final evaluation mean as {mean:g}, below the '
                            f'training command\'s --target-score {args.target_score:g}, before its '
                            f'--steps {args.steps}')
    compared = [('processes', args.processes, got.get('processes')),
                ('evaluation episodes', args.eval_n_runs, got.get('final evaluation episodes')),
                ('--architecture', args.architecture, 'queue' if entry.queued else 'hogwild')]
    if hasattr(args, 'method'):
        compared.append(('--method', METHOD_KINDS.get(args.method), entry.kind))
    else:
        compared.append(('--use-lstm', args.use_lstm, entry.kind == 'lstm'))
    for what, in_command, claimed in compared:
        _compare(what, in_command, claimed, problems)
    if entry.environment is not None:
        _check_command_environment(args, entry, problems)


def _check_command_environment(args, entry, problems):
    """The command's script and what it plays: the model file's environment and the folder's."""
    env = ENVIRONMENTS[entry.environment]
    if args.script not in env.scripts:
        problems.append('README.md training command runs {}, but the model file records '
                        'the {} {} ({} train there)'.format(
                            args.script, env.title, entry.played, ', '.join(env.scripts)))
        return
    played = getattr(args, env.argument)
    if env.folder_name(played) != entry.name:
        problems.append(f'README.md training command has {env.key} {played}, '
                        f'the entry {entry.name}')


def _compare(what, in_command, claimed, problems):
    if claimed is not None and in_command != claimed:
        problems.append(f'README.md training command has {what} {in_command}, the entry {claimed}')


def _check_image(path, fmt, problems):
    try:
        with Image.open(path) as im:
            if im.format != fmt:
                problems.append(f'{path} is a {im.format} image, not {fmt}')
            elif fmt == 'GIF' and getattr(im, 'n_frames', 1) < 2:
                problems.append(f'{path} is a still image, not an animation')
    except OSError:
        problems.append(f'{path} is not an image')


def main(argv=None):
    parser = ArgumentParser(description='Check the zoo\'s entries, or print its table.')
    parser.add_argument('entries', nargs='*', help='entry folders (default: every entry)')
    parser.add_argument('--table', action='store_true',
                        help='print the Markdown table of every Atari entry against the '
                        'published figures (the README\'s), instead of checking')
    args = parser.parse_args(argv)
    if args.table:
        return _print_table(args.entries)
    paths = args.entries or entries()
    bad = 0
    for path in paths:
        problems = check_entry(path)
        bad += bool(problems)
        print('{}: {}'.format(path, 'ok' if not problems else f'{len(problems)} problems'))
        for p in problems:
            print('  ' + p)
    if not paths:
        print(f'no entries in {ZOO} yet')
    return 1 if bad else 0


def _print_table(paths):
    """The table is the whole zoo's, and only a zoo that passes its check has one."""
    if paths:
        fail('--table is the table of every Atari entry; it takes no entry folders')
    bad = [os.path.basename(p) for p in entries() if check_entry(p)]
    if bad:
        fail('the table needs every entry good; `python zoo.py` finds problems in '
             + ', '.join(bad))
    try:
        print(zoo_table.markdown(entries()), end='')
    except ValueError as e:
        fail(str(e))
    return 0


if __name__ == '__main__':
    sys.exit(main())
