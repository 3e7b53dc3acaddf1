"""Train A3C (FF or LSTM) on an Atari game with Hogwild workers or the queue learner.

    python a3c_ale.py PROCESSES ROM [--use-lstm] [--steps 8e7] ...
"""
import sys

from cli import cpu

cpu.configure()  # before numpy loads

import a3c  # noqa: E402
from cli import a3c_training  # noqa: E402
from cli.arguments import ArgumentParser, nonnegative_float  # noqa: E402
from envs import ale  # noqa: E402
from nets.actor_critic import A3CFF, A3CLSTM  # noqa: E402
from nets.torso import DQNHead  # noqa: E402
from training import experiment  # noqa: E402

DESCRIPTION = __doc__.splitlines()[0]


def add_arguments(parser, env=ale):
    """This script's flags: the harness's, the environment's, the method's."""
    experiment.add_arguments(parser)
    env.add_arguments(parser)
    parser.add_argument('--use-lstm', action='store_true',
                        help='A3C LSTM instead of A3C FF')
    parser.add_argument('--beta', type=nonnegative_float, default=1e-2,
                        help='entropy bonus weight')
    a3c_training.add_queue_arguments(parser)


def main(env=ale, description=DESCRIPTION):
    """`env`: the environment's module (envs.ale; another's script passes its own)."""
    parser = ArgumentParser(description=description)
    add_arguments(parser, env)
    args = parser.parse_args()

    def build_model(action_space, observation_shape):
        """The torso takes as many screens as the environment stacks (Doom in colour: 12)."""
        return (A3CLSTM if args.use_lstm else A3CFF)(action_space.n,
                                                     head=DQNHead(observation_shape[0]))

    return experiment.train(args, env.env_maker(args), build_model,
                            statistics=a3c.A3C.STATISTICS,
                            must_match=env.RUN_FLAGS + ('use_lstm',),
                            **a3c_training.parts(args))


if __name__ == '__main__':
    sys.exit(main())
