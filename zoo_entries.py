"""What a zoo entry is: a folder of trained_model/ named <name>_<kind>[_queue],
read as its name says, as its model file records and as its README's lines
say; zoo.py checks these against each other and the rest of the folder.

<name> is the Atari game, ViZDoom scenario or Gymnasium task (in snake case,
without its version) the model file records; <kind> is what trained it: `ff` or
`lstm` (A3C), `nstep_q`, `onestep_q` or `sarsa` (the value methods), with
`_queue` after it for `--architecture queue`.
"""
import argparse
import collections
import glob
import importlib
import os
import re
import shlex

from envs import ale, doom, gym
from nets.actor_critic import A3CFF, A3CLSTM
from nets.model_files import ModelFileError, model_from_file, record_of
from q_functions import QFunction

ZOO = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'trained_model')
FIELDS = ('command', 'steps', 'processes', 'machine', 'wall-clock hours',
          'final evaluation mean', 'final evaluation median',
          'final evaluation episodes')
NO_ANIMATION = 'no animation'  # the line that excuses a Gymnasium entry's missing GIF
_FIELD = re.compile(r'^\s*[-*]\s*([a-z][a-z -]*?)\s*:\s*(.*?)\s*$', re.IGNORECASE)
METHOD_KINDS = {'n-step-q': 'nstep_q', 'one-step-q': 'onestep_q', 'sarsa': 'sarsa'}
NETWORKS = dict({'ff': A3CFF, 'lstm': A3CLSTM}, **{k: QFunction for k in METHOD_KINDS.values()})
NAME = re.compile(r'^(.+)_({})(_queue)?$'.format('|'.join(NETWORKS)))


def _file_name(argument):
    """A bundled name, or a ROM's or config's path, as a folder's name: roms/pong.bin -> pong."""
    return os.path.splitext(os.path.basename(argument))[0]


def snake_case(task):
    """A Gymnasium id as a folder's name: InvertedPendulum-v5 -> inverted_pendulum."""
    name = re.sub(r'-v\d+$', '', task)
    return re.sub(r'(?<=[a-z0-9])(?=[A-Z])', '_', name).replace('-', '_').lower()


# Each environment a model file can record (its `environment`): what it plays,
# the scripts that train there, the training command's argument and the record's
# key that name what was played, the folder name made of that, the names a folder
# may have (None: any), and how to build it (for its action space).
Environment = collections.namedtuple(
    'Environment', 'title scripts argument key folder_name bundled make')
ENVIRONMENTS = {
    'ale': Environment('Atari game', ('a3c_ale.py', 'q_ale.py'), 'rom', 'game',
                       _file_name, ale.game_names, ale.ALE),
    'doom': Environment('ViZDoom scenario', ('a3c_doom.py', 'q_doom.py'), 'scenario',
                        'scenario', _file_name, doom.scenario_names,
                        lambda scenario: doom.Doom(scenario, training=False)),
    'gym': Environment('Gymnasium task', ('a3c_gym.py',), 'task', 'task', snake_case,
                       None, gym.Gym),
}
# An entry's folder, as its name reads, and what its model file records it was trained on.
Entry = collections.namedtuple('Entry', 'folder name kind queued environment played')
TRAINERS = tuple(s for e in ENVIRONMENTS.values() for s in e.scripts)


def entries():
    return sorted(p.rstrip(os.sep) for p in glob.glob(os.path.join(ZOO, '*', '')))


def readme_fields(path):
    """`- name: value` lines, names in lower case; the rest of the README is free."""
    fields = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = _FIELD.match(line)
            if m and m.group(1).lower() in FIELDS + (NO_ANIMATION,):
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


def identify(path, problems):
    """(the entry, its model, the model's steps) of a folder named as an entry
    (`NAME`): what its name says and its model file records; the model and its
    steps None (with problems said) where the folder has no one model to load."""
    folder = os.path.basename(os.path.normpath(path))
    m = NAME.match(folder)
    model, model_steps, record = _load_model(path, folder, problems)
    entry = Entry(folder, m.group(1), m.group(2), bool(m.group(3)), None, None)
    if model is not None:
        entry = _trained_on(entry, record, problems)
    return entry, model, model_steps


def model_files(path):
    """The folder's *.h5 names; an entry keeps exactly one, its final model."""
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(path, '*.h5')))


def _load_model(path, folder, problems):
    """The one final model: (the network, its step count, its record); Nones where
    there is none to load."""
    models = model_files(path)
    if len(models) != 1:
        problems.append('{}: {} model files (*.h5: {}); an entry keeps exactly one, the '
                        'final model'.format(folder, len(models), ', '.join(models) or 'none'))
        return None, None, None
    model_path = os.path.join(path, models[0])
    if not os.path.isfile(model_path + '.opt'):
        problems.append(f'{folder}: no {models[0]}.opt beside the model')
    m = re.match(r'^(\d+)_finish\.h5$', models[0])
    if not m:
        problems.append(f'{folder}: the model {models[0]} is not named <steps>_finish.h5')
    steps = int(m.group(1)) if m else None
    try:
        return model_from_file(model_path), steps, record_of(model_path)
    except ModelFileError as e:
        problems.append(str(e))
        return None, steps, None


def _trained_on(entry, record, problems):
    """The entry, with the environment and the game, scenario or task its model
    file records.  A file that records nothing was saved before files did, when
    only Atari was trained: its game is then the folder's."""
    if not record:
        return entry._replace(environment='ale', played=entry.name)
    environment = ENVIRONMENTS.get(record.get('environment'))
    played = environment and record.get(environment.key)
    if not played:
        problems.append('{}: the model file records {}, no environment the zoo knows'.format(
            entry.folder, ', '.join(f'{k} {v}' for k, v in sorted(record.items()))))
        return entry
    return entry._replace(environment=record['environment'], played=played)
