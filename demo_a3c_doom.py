"""Watch a trained A3C model (FF or LSTM) or Q network play whole episodes of a ViZDoom scenario.

    python demo_a3c_doom.py SCENARIO MODEL [--n-runs 10] [--seed 0] [--deterministic]
                            [--record FILE.gif]

Evaluation rules, as in training's evaluations: whole episodes, ended as the
scenario says, scored by its own reward total.  A Q network (q_doom.py's)
acts epsilon-greedily with epsilon 0.05, as there.  The model file must be one
a3c_doom.py or q_doom.py saved: it records the scenario and preprocessing.
"""
import sys

from cli import cpu

cpu.configure()  # before numpy loads

from cli import demo  # noqa: E402
from cli.arguments import ArgumentParser, check_output_file, fail  # noqa: E402
from envs import doom  # noqa: E402
from nets.model_files import ModelFileError, model_from_file  # noqa: E402


def parse_args(argv):
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('scenario', help='a scenario bundled with ViZDoom (basic, '
                        'defend_the_center, ...) or the path of a .cfg')
    parser.add_argument('model', help='a model file a3c_doom.py or q_doom.py saved '
                        '(<steps>.h5, <steps>_finish.h5, ...); the network is read from it')
    demo.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.record:
        check_output_file('--record', args.record)
    return args


def check_record(path, scenario):
    """A Doom model under a preprocessing this version knows, which it returns;
    a note if trained on another scenario."""
    record = demo.check_environment(path, 'doom', required=True)
    if record.get('preprocessing') not in doom.PREPROCESSINGS:
        fail('{} records preprocessing {!r}; this version plays Doom under {} only'.format(
            path, record.get('preprocessing'),
            ' or '.join(map(repr, sorted(doom.PREPROCESSINGS)))))
    if record.get('scenario') != scenario:
        print('note: {} was trained on {}'.format(path, record.get('scenario')), flush=True)
    return record['preprocessing']


def load_player(args):
    """(the environment, the model, the agent that plays it, how it chooses);
    bad input ends here."""
    try:
        doom.config_path(args.scenario)
        model = model_from_file(args.model)
    except (doom.DoomError, ModelFileError) as e:
        fail(str(e))
    preprocessing = check_record(args.model, args.scenario)
    try:
        env = doom.Doom(args.scenario, seed=args.seed, training=False,
                        preprocessing=preprocessing)
    except doom.DoomError as e:
        fail(str(e))
    return demo.fitting_player(model, env, args, args.scenario + ' has {} buttons')


def main(argv=None):
    args = parse_args(argv)
    return demo.announce_and_play(args, args.scenario, *load_player(args))


if __name__ == '__main__':
    sys.exit(main())
