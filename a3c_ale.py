"""Train A3C (FF or LSTM) on an Atari game with Hogwild worker processes.

    python a3c_ale.py PROCESSES ROM [--use-lstm] [--steps 8e7] ...
"""
import sys

from cli import cpu

cpu.configure()  # before numpy loads

import a3c  # noqa: E402
from training import experiment  # noqa: E402
from nets.actor_critic import A3CFF, A3CLSTM  # noqa: E402
from cli.arguments import ArgumentParser, nonnegative_float  # noqa: E402


def main():
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    experiment.add_arguments(parser)
    parser.add_argument('--use-lstm', action='store_true',
                        help='A3C LSTM instead of A3C FF')
    parser.add_argument('--beta', type=nonnegative_float, default=1e-2,
                        help='entropy bonus weight')
    args = parser.parse_args()

    def build_model(n_actions):
        return (A3CLSTM if args.use_lstm else A3CFF)(n_actions)

    def make_agent(model, optimizer, seed):
        return a3c.A3C(model, optimizer, t_max=args.t_max, gamma=args.gamma,
                       beta=args.beta, seed=seed)

    return experiment.train(args, build_model, make_agent,
                            extra_columns=('average_value', 'average_entropy'),
                            must_match=('use_lstm',))


if __name__ == '__main__':
    sys.exit(main())
