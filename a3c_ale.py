"""Train A3C (FF or LSTM) on an Atari game with Hogwild worker processes.

    python a3c_ale.py PROCESSES ROM [--use-lstm] [--steps 8e7] ...
"""
import sys

from cli import cpu

cpu.configure()  # before numpy loads

import a3c  # noqa: E402
from cli.arguments import ArgumentParser, nonnegative_float  # noqa: E402
from envs import ale  # noqa: E402
from nets.actor_critic import A3CFF, A3CLSTM  # noqa: E402
from training import experiment  # noqa: E402


def main(env=ale, description=__doc__.splitlines()[0]):
    """`env`: the environment's module (envs.ale, envs.doom)."""
    parser = ArgumentParser(description=description)
    experiment.add_arguments(parser)
    env.add_arguments(parser)
    parser.add_argument('--use-lstm', action='store_true',
                        help='A3C LSTM instead of A3C FF')
    parser.add_argument('--beta', type=nonnegative_float, default=1e-2,
                        help='entropy bonus weight')
    args = parser.parse_args()

    def build_model(action_space):
        return (A3CLSTM if args.use_lstm else A3CFF)(action_space.n)

    def make_agent(shared, seed, training):
        return a3c.A3C(shared.model, shared.optimizer, t_max=args.t_max, gamma=args.gamma,
                       beta=args.beta, seed=seed, lr_schedule=shared.lr_schedule)

    return experiment.train(args, env.env_maker(args), build_model, make_agent,
                            statistics=a3c.A3C.STATISTICS,
                            must_match=env.RUN_FLAGS + ('use_lstm',))


if __name__ == '__main__':
    sys.exit(main())
