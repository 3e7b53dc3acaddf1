"""Train A3C (FF or LSTM) on a Gymnasium task with Hogwild workers or the queue learner.

    python a3c_gym.py PROCESSES TASK [--use-lstm] [--steps 1e6] ...

The gradient's norm has no limit by default (--grad-clip sets one); a
non-finite gradient still stops the run.

A discrete task gets the softmax policy, a box of real actions the paper's
Gaussian; the network is the paper's for low-dimensional state (200 ReLU
units, and 128 LSTM cells with --use-lstm), its input standardised with
--normalize-observations.
"""
import sys

from cli import cpu

cpu.configure()  # before numpy loads

import numpy as np  # noqa: E402

import a3c  # noqa: E402
from cli import a3c_training  # noqa: E402
from cli.arguments import ArgumentParser, fail, nonnegative_float  # noqa: E402
from envs import gym  # noqa: E402
from envs.environment import Discrete  # noqa: E402
from nets.vector import a3c_network  # noqa: E402
from training import experiment  # noqa: E402

# The paper's entropy weights: 1e-2 for a softmax, 1e-4 for its Gaussian.
BETA = {'discrete': 1e-2, 'continuous': 1e-4}
SCALE_STEPS = 20000  # random steps that --normalize-observations measures


def add_arguments(parser):
    """This script's flags: the harness's, the task's, the method's."""
    experiment.add_arguments(parser)
    gym.add_arguments(parser)
    # The task's rewards make values in the hundreds, whose gradients nearly all
    # pass Atari's limit of 40; cut hardest where the advantage is largest (at
    # an episode's end), the values climbed past 1 / (1 - gamma).
    parser.set_defaults(grad_clip=float('inf'))
    parser.add_argument('--use-lstm', action='store_true',
                        help='A3C LSTM (128 cells) instead of A3C FF')
    parser.add_argument('--normalize-observations', action='store_true',
                        help='standardise observations by their mean and deviation over '
                        f'{SCALE_STEPS:,} steps of random actions, kept in the model file (the '
                        'MuJoCo locomotion tasks need it)')
    parser.add_argument('--clipped-action-gradient', action='store_true',
                        help='box tasks: the clipped action policy gradient (Fujita & Maeda, '
                        'ICML 2018): the loss takes a draw at or beyond a bound of the box by '
                        'the probability of all draws beyond that bound, which the '
                        'environment plays alike, instead of by its density')
    parser.add_argument('--beta', type=nonnegative_float,
                        help='entropy bonus weight (default: {discrete} for discrete '
                        'actions, {continuous} for continuous ones)'.format(**BETA))
    a3c_training.add_queue_arguments(parser)


def main():
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    try:
        env = gym.Gym(args.task)
    except gym.TaskError as e:
        fail(str(e))
    discrete = isinstance(env.action_space, Discrete)
    if args.clipped_action_gradient and discrete:
        fail(f'--clipped-action-gradient is for a box of real actions; {args.task} has a discrete '
             'choice')
    if args.beta is None:
        args.beta = BETA['discrete' if discrete else 'continuous']
    bounds = env.action_space if args.clipped_action_gradient else None

    if not args.normalize_observations:
        scale = None
    elif args.resume:  # the model file's scale is loaded over this placeholder
        scale = (np.zeros(env.observation_shape), np.ones(env.observation_shape))
    else:
        scale = gym.observation_scale(env, SCALE_STEPS, args.seed)
    del env

    def build_model(action_space, observation_shape):
        return a3c_network(observation_shape[0], action_space, args.use_lstm, scale)

    return experiment.train(args, gym.env_maker(args), build_model,
                            statistics=a3c.A3C.STATISTICS,
                            must_match=gym.RUN_FLAGS + ('use_lstm', 'normalize_observations',
                                                        'clipped_action_gradient'),
                            **a3c_training.parts(args, bounds))


if __name__ == '__main__':
    sys.exit(main())
