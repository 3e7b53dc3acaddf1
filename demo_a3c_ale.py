"""Watch a trained A3C model (FF or LSTM) or Q network play whole games of an Atari game.

    python demo_a3c_ale.py ROM MODEL [--n-runs 10] [--seed 0] [--deterministic]
                           [--record FILE.gif] [--preprocessing NAME] [--use-lstm]

Evaluation rules, as in training's evaluations: a lost life does not end the
game, 0-30 no-op starts, at most 27,000 agent steps (30 minutes of play).
A Q network (q_ale.py's) acts epsilon-greedily with epsilon 0.05, as there.
The screens are preprocessed as the model was trained: its file says how, and
a file that says nothing and is no run of this project's is taken as one of
the original Chainer repository's models.
"""
import os
import sys

from cli import cpu

cpu.configure()  # before numpy loads

from cli import demo  # noqa: E402
from cli.arguments import ArgumentParser, check_output_file, fail  # noqa: E402
from envs import ale  # noqa: E402
from envs.preprocessing import DEFAULT, PREPROCESSINGS  # noqa: E402
from nets.actor_critic import A3CLSTM  # noqa: E402
from nets.model_files import ModelFileError, model_from_file, record_of  # noqa: E402
from q_functions import QFunction  # noqa: E402
from training.run_folder import read_args  # noqa: E402


def preprocessing_of(path):
    """(name, why) of the preprocessing the model at `path` was trained under."""
    recorded = record_of(path).get('preprocessing')
    if recorded:
        return recorded, None
    if _from_this_project(path):
        return DEFAULT, None  # saved before model files recorded it
    return 'original', (f'{path} records no preprocessing and is no run of this project\'s: '
                        'playing it as one of the original Chainer repository\'s models '
                        '(--preprocessing original; override with --preprocessing)')


def _from_this_project(path):
    """Its .opt holds this project's clock, or its folder this project's args.txt."""
    if 'elapsed' in record_of(path + '.opt'):
        return True
    try:
        return 'git_commit' in read_args(os.path.join(os.path.dirname(path) or '.', 'args.txt'))
    except ValueError:
        return False


def parse_args(argv):
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('rom', help='a game bundled with ale-py (pong, breakout, ...) '
                        'or the path of a ROM file')
    parser.add_argument('model', help='a model file a3c_ale.py or q_ale.py saved '
                        '(<steps>.h5, <steps>_finish.h5, ...), or one of the original '
                        'repository\'s; the network is read from the file')
    demo.add_arguments(parser)
    parser.add_argument('--preprocessing', choices=sorted(PREPROCESSINGS),
                        help='override the preprocessing the model file records')
    parser.add_argument('--use-lstm', action='store_true',
                        help='never needed (the file says which network it holds); '
                        'an error if the file holds an FF model')
    args = parser.parse_args(argv)
    if args.record:
        check_output_file('--record', args.record)
    return args


def load_player(args):
    """(the environment, the model, the agent that plays it, how it chooses); bad input
    ends here."""
    try:
        ale.rom_path(args.rom)
        model = model_from_file(args.model)
    except (ale.RomError, ModelFileError) as e:
        fail(str(e))
    demo.check_environment(args.model, 'ale')
    preprocessing, why = preprocessing_of(args.model)
    if args.preprocessing:
        preprocessing = args.preprocessing
    elif why:
        print(why, flush=True)
    try:
        env = ale.ALE(args.rom, seed=args.seed, training=False, preprocessing=preprocessing)
    except ale.RomError as e:
        fail(str(e))
    except KeyError:
        fail(f'{args.model} records preprocessing {preprocessing!r}, which this version does '
             'not know; name one with --preprocessing')
    if args.use_lstm and not isinstance(model, A3CLSTM):
        fail('--use-lstm given, but {} holds {}'.format(
            args.model, 'a Q network' if isinstance(model, QFunction) else 'an A3C FF model'))
    return demo.fitting_player(model, env, args, args.rom + ' has {} (its minimal action set)')


def main(argv=None):
    args = parse_args(argv)
    return demo.announce_and_play(args, args.rom, *load_player(args))


if __name__ == '__main__':
    sys.exit(main())
