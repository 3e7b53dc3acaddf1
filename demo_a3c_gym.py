"""Watch a trained A3C model (FF or LSTM, softmax or Gaussian) play a Gymnasium task.

    python demo_a3c_gym.py TASK MODEL [--n-runs 10] [--seed 0] [--deterministic]
                           [--record FILE.gif]

Whole episodes, as training's evaluations play them: to the task's end or its
time limit.  --deterministic takes the most probable action (the Gaussian's
mean).  Where the task cannot draw itself (MuJoCo's off-screen renderer needs
an OpenGL this machine may lack), --record says so in one line and the demo
plays on without it.
"""
import sys

from cli import cpu

cpu.configure()  # before numpy loads

from cli import demo  # noqa: E402
from cli.arguments import ArgumentParser, check_output_file, fail  # noqa: E402
from envs import gym  # noqa: E402
from nets.model_files import ModelFileError, model_from_file  # noqa: E402
from nets.torso import MLPHead  # noqa: E402
from nets.vector import misfit  # noqa: E402


def parse_args(argv):
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('task', help='a Gymnasium task id (CartPole-v1, Pendulum-v1, '
                        'InvertedPendulum-v5, HalfCheetah-v5, ...)')
    parser.add_argument('model', help='a model file a3c_gym.py saved; the network is '
                        'read from the file')
    demo.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.record:
        check_output_file('--record', args.record)
    return args


def check_fits(path, model, env, task):
    """Bad input ends here: a network that cannot play this task."""
    if not isinstance(model[0], MLPHead):
        fail(f'{path} holds a network on Atari frames; play it with demo_a3c_ale.py')
    problem = misfit(model, env, task)
    if problem:
        fail(f'{path} {problem}')


def main(argv=None):
    args = parse_args(argv)
    try:
        env = gym.Gym(args.task, seed=args.seed, render=bool(args.record))
        model = model_from_file(args.model)
    except (gym.TaskError, ModelFileError) as e:
        fail(str(e))
    trained_on = demo.check_environment(args.model, 'gym').get('task')
    check_fits(args.model, model, env, args.task)
    if trained_on and trained_on != args.task:
        print(f'{args.model} was trained on {trained_on}; playing it on {args.task}', flush=True)
    if args.record:
        problem = gym.render_problem(args.task)
        if problem:
            print(f'cannot record: {args.task} cannot draw its frames on this machine ({problem}); '
                  'playing on without --record', flush=True)
            args.record = None
    player, policy = demo.player_for(model, args.seed, args.deterministic)
    print(f'{type(model).__name__} from {args.model} playing {args.task}, {policy} actions, '
          f'seed {args.seed}', flush=True)
    return demo.play(env, player, args.n_runs, args.record)


if __name__ == '__main__':
    sys.exit(main())
