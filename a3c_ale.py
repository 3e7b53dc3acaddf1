"""Train A3C (FF or LSTM) on an Atari game with Hogwild worker processes.

    python a3c_ale.py PROCESSES ROM [--use-lstm] [--steps 8e7] ...
"""
import sys

from cli import cpu

cpu.configure()  # before numpy loads

import a3c  # noqa: E402
from cli.arguments import ArgumentParser, nonnegative_float, positive_float  # noqa: E402
from envs import ale  # noqa: E402
from nets.actor_critic import A3CFF, A3CLSTM  # noqa: E402
from nets.torso import DQNHead  # noqa: E402
from training import experiment  # noqa: E402


def add_arguments(parser, env=ale):
    """This script's flags: the harness's, the environment's, the method's."""
    experiment.add_arguments(parser)
    env.add_arguments(parser)
    parser.add_argument('--use-lstm', action='store_true',
                        help='A3C LSTM instead of A3C FF')
    parser.add_argument('--beta', type=nonnegative_float, default=1e-2,
                        help='entropy bonus weight')
    parser.add_argument('--no-vtrace', action='store_true',
                        help='queue: learn from n-step returns, without correcting for '
                        "the actors' older policies")
    parser.add_argument('--rho-bar', type=positive_float, default=1.0,
                        help='queue: V-trace truncation of the policy-gradient weights')
    parser.add_argument('--c-bar', type=positive_float, default=1.0,
                        help='queue: V-trace truncation of the traces')


def main(env=ale, description=__doc__.splitlines()[0]):
    """`env`: the environment's module (envs.ale; another's script passes its own)."""
    parser = ArgumentParser(description=description)
    add_arguments(parser, env)
    args = parser.parse_args()

    def build_model(action_space, observation_shape):
        """The torso takes as many screens as the environment stacks (Doom in colour: 12)."""
        return (A3CLSTM if args.use_lstm else A3CFF)(action_space.n,
                                                     head=DQNHead(observation_shape[0]))

    def make_agent(shared, seed, worker):
        return a3c.A3C(shared.model, shared.optimizer, t_max=args.t_max, gamma=args.gamma,
                       beta=args.beta, seed=seed, lr_schedule=shared.lr_schedule)

    def make_actor(shared, seed, index):
        return a3c.A3CActor(shared.model, seed)

    def make_learner(shared):
        return a3c.A3CLearner(shared.model, shared.optimizer, gamma=args.gamma,
                              beta=args.beta, vtrace=not args.no_vtrace,
                              rho_bar=args.rho_bar, c_bar=args.c_bar,
                              lr_schedule=shared.lr_schedule)

    return experiment.train(args, env.env_maker(args), build_model, make_agent,
                            statistics=a3c.A3C.STATISTICS,
                            must_match=env.RUN_FLAGS + ('use_lstm',),
                            make_actor=make_actor, make_learner=make_learner)


if __name__ == '__main__':
    sys.exit(main())
