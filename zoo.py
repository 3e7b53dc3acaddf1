"""The trained-model zoo's entry format, checked (trained_model/README.md describes it).

    python zoo.py [trained_model/<game>_<kind> ...]    (default: every entry)

<kind> is what trained it: `ff` or `lstm` (a3c_ale.py), `nstep_q`, `onestep_q` or
`sarsa` (q_ale.py's methods), with `_queue` after it for `--architecture queue`.

An entry's README is written by hand, so everything it claims is compared
with what the folder holds: a figure that disagrees is a problem.
"""
import argparse
import glob
import importlib
import os
import re
import shlex
import sys

from PIL import Image

from envs import ale
from nets.actor_critic import A3CFF, A3CLSTM
from nets.model_files import ModelFileError, model_from_file, n_actions_of
from plot_scores import ScoresError, read_scores
from q_functions import QFunction

ZOO = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'trained_model')
FIELDS = ('command', 'steps', 'processes', 'machine', 'wall-clock hours',
          'final evaluation mean', 'final evaluation median',
          'final evaluation episodes')
# The training scripts an entry's command may run, and the kinds of network they train.
TRAINERS = ('a3c_ale.py', 'q_ale.py')
METHOD_KINDS = {'n-step-q': 'nstep_q', 'one-step-q': 'onestep_q', 'sarsa': 'sarsa'}
NETWORKS = dict({'ff': A3CFF, 'lstm': A3CLSTM}, **{k: QFunction for k in METHOD_KINDS.values()})
_NAME = re.compile(r'^(.+)_({})(_queue)?$'.format('|'.join(NETWORKS)))
_FIELD = re.compile(r'^\s*[-*]\s*([a-z][a-z -]*?)\s*:\s*(.*?)\s*$', re.IGNORECASE)


def entries():
    return sorted(p.rstrip(os.sep) for p in glob.glob(os.path.join(ZOO, '*', '')))


def readme_fields(path):
    """`- name: value` lines, names in lower case; the rest of the README is free."""
    fields = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = _FIELD.match(line)
            if m and m.group(1).lower() in FIELDS:
                fields[m.group(1).lower()] = m.group(2)
    return fields


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ValueError(message)


def parse_command(command):
    """The arguments of a README's training command, as its script reads them
    (`args.script` names it); raises ValueError."""
    words = shlex.split(command.strip('`'))
    starts = [i for i, w in enumerate(words) if os.path.basename(w) in TRAINERS]
    if not starts:
        raise ValueError('it runs none of ' + ', '.join(TRAINERS))
    script = os.path.basename(words[starts[0]])
    parser = _Parser(add_help=False)
    importlib.import_module(script[:-3]).add_arguments(parser)
    args, _ = parser.parse_known_args(words[starts[0] + 1:])
    args.script = script
    return args


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
    name = os.path.basename(os.path.normpath(path))
    if not os.path.isdir(path):
        return ['{} is not a folder'.format(path)]
    m = _NAME.match(name)
    if not m or m.group(1) not in ale.game_names():
        return ['{}: the folder name is not <game>_<{}>[_queue] with a game bundled with '
                'ale-py'.format(name, '|'.join(NETWORKS))]
    game, kind, queued = m.group(1), m.group(2), bool(m.group(3))
    problems = []

    def present(filename):
        if os.path.isfile(os.path.join(path, filename)):
            return True
        problems.append('{}: no {}'.format(name, filename))
        return False

    model_steps = _check_model(path, name, game, kind, problems)
    last = None
    if present('scores.txt'):
        try:
            scores = read_scores(os.path.join(path, 'scores.txt'),
                                 ('steps', 'elapsed', 'mean', 'median'))
            last = {k: v[-1] for k, v in scores.items()}
        except ScoresError as e:
            problems.append(str(e))
    for filename, fmt in (('scores.png', 'PNG'), ('animation.gif', 'GIF')):
        if present(filename):
            _check_image(os.path.join(path, filename), fmt, problems)
    if present('README.md'):
        _check_readme(os.path.join(path, 'README.md'), (game, kind, queued), model_steps,
                      last, problems)
    return problems


def _check_readme(path, entry, model_steps, last, problems):
    try:
        fields = readme_fields(path)
    except (OSError, UnicodeDecodeError) as e:
        problems.append('{} cannot be read: {}'.format(path, e))
        return
    absent = [f for f in FIELDS if not fields.get(f)]
    if absent:
        problems.append('README.md lacks the lines: {}'.format(
            ', '.join('"- {}: ..."'.format(f) for f in absent)))
    got = {f: _number(fields, f, kind_, problems) for f, kind_ in (
        ('steps', int), ('processes', int), ('wall-clock hours', float),
        ('final evaluation mean', float), ('final evaluation median', float),
        ('final evaluation episodes', int)) if f not in absent}
    steps = got.get('steps')
    if steps is not None and model_steps is not None and steps != model_steps:
        problems.append('README.md says {} steps, the model file {}'.format(
            steps, model_steps))
    if last is not None:
        if steps is not None and steps != last['steps']:
            problems.append('README.md says {} steps, the last row of scores.txt {:g}'
                            .format(steps, last['steps']))
        for what in ('mean', 'median'):
            value = got.get('final evaluation ' + what)
            if value is not None and value != last[what]:
                problems.append('README.md gives the final evaluation {} as {:g}, the '
                                'last row of scores.txt {:g}'.format(what, value, last[what]))
        hours, actual = got.get('wall-clock hours'), last['elapsed'] / 3600
        if hours is not None and abs(hours - actual) > max(0.1 * actual, 0.05):
            problems.append('README.md says {:g} wall-clock hours, scores.txt {:.2f}'
                            .format(hours, actual))
    if 'command' not in absent:
        _check_command(fields['command'], got, entry, problems)


def _check_command(command, got, entry, problems):
    """The README's training command against its figures and the folder's name."""
    steps = got.get('steps')
    try:
        args = parse_command(command)
    except ValueError as e:
        problems.append('README.md training command: {}'.format(e))
        return
    rom = os.path.splitext(os.path.basename(args.rom))[0]
    mean = got.get('final evaluation mean')
    if args.target_score is None:
        _compare('steps', args.steps, steps, problems)
    else:  # a run stopped at its target: fewer steps, a mean at least that
        if steps is not None and steps > args.steps:
            problems.append('README.md says {} steps, beyond the training command\'s '
                            '--steps {}'.format(steps, args.steps))
        if mean is not None and mean < args.target_score:
            problems.append('README.md gives the final evaluation mean as {:g}, below the '
                            'training command\'s --target-score {:g}, which it stopped at'
                            .format(mean, args.target_score))
    game, kind, queued = entry
    compared = [('processes', args.processes, got.get('processes')),
                ('evaluation episodes', args.eval_n_runs, got.get('final evaluation episodes')),
                ('game', rom, game),
                ('--architecture', args.architecture, 'queue' if queued else 'hogwild')]
    if args.script == 'q_ale.py':
        compared.append(('--method', METHOD_KINDS.get(args.method), kind))
    else:
        compared.append(('--use-lstm', args.use_lstm, kind == 'lstm'))
    for what, in_command, claimed in compared:
        _compare(what, in_command, claimed, problems)


def _compare(what, in_command, claimed, problems):
    if claimed is not None and in_command != claimed:
        problems.append('README.md training command has {} {}, the entry {}'.format(
            what, in_command, claimed))


def _check_model(path, name, game, kind, problems):
    """The one final model; returns its step count, or None."""
    models = sorted(os.path.basename(p) for p in glob.glob(os.path.join(path, '*.h5')))
    if len(models) != 1:
        problems.append('{}: {} model files (*.h5: {}); an entry keeps exactly one, the '
                        'final model'.format(name, len(models), ', '.join(models) or 'none'))
        return None
    model_path = os.path.join(path, models[0])
    if not os.path.isfile(model_path + '.opt'):
        problems.append('{}: no {}.opt beside the model'.format(name, models[0]))
    m = re.match(r'^(\d+)_finish\.h5$', models[0])
    if not m:
        problems.append('{}: the model {} is not named <steps>_finish.h5'.format(
            name, models[0]))
    try:
        model = model_from_file(model_path)
    except ModelFileError as e:
        problems.append(str(e))
        return None
    if type(model) is not NETWORKS[kind]:
        problems.append('{}: the model is {}, the folder name says {}'.format(
            name, _network(type(model)), _network(NETWORKS[kind])))
    n_model, n_game = n_actions_of(model), ale.ALE(game).action_space.n
    if n_model != n_game:
        problems.append('{}: the model has {} actions, {} has {}'.format(
            name, n_model, game, n_game))
    return int(m.group(1)) if m else None


def _network(cls):
    return {A3CFF: 'A3C FF', A3CLSTM: 'A3C LSTM', QFunction: 'a Q network'}.get(
        cls, cls.__name__)


def _check_image(path, fmt, problems):
    try:
        with Image.open(path) as im:
            if im.format != fmt:
                problems.append('{} is a {} image, not {}'.format(path, im.format, fmt))
            elif fmt == 'GIF' and getattr(im, 'n_frames', 1) < 2:
                problems.append('{} is a still image, not an animation'.format(path))
    except OSError:
        problems.append('{} is not an image'.format(path))


def main(argv=None):
    paths = (sys.argv[1:] if argv is None else argv) or entries()
    bad = 0
    for path in paths:
        problems = check_entry(path)
        bad += bool(problems)
        print('{}: {}'.format(path, 'ok' if not problems else '{} problems'.format(
            len(problems))))
        for p in problems:
            print('  ' + p)
    if not paths:
        print('no entries in {} yet'.format(ZOO))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
