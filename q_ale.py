"""Train one-step Q-learning, one-step Sarsa or n-step Q-learning on an Atari game.

    python q_ale.py PROCESSES ROM --method one-step-q|sarsa|n-step-q [--steps 8e7] ...

Each worker prints the final epsilon it drew when it starts; evaluations act
epsilon-greedily with epsilon 0.05.
"""
import multiprocessing
import sys

from cli import cpu

cpu.configure()  # before numpy loads

import q_learning  # noqa: E402
from cli.arguments import ArgumentParser, positive_int, say  # noqa: E402
from envs import ale  # noqa: E402
from q_functions import QFunction  # noqa: E402
from training import experiment  # noqa: E402


def main(env=ale, description=__doc__.splitlines()[0]):
    """`env`: the environment's module (envs.ale, envs.doom)."""
    parser = ArgumentParser(description=description)
    experiment.add_arguments(parser)
    env.add_arguments(parser)
    parser.add_argument('--method', required=True, choices=sorted(q_learning.METHODS))
    parser.add_argument('--target-update-frequency', type=positive_int, default=10 ** 4,
                        help='global steps between refreshes of the target network '
                        '(default 1e4: 40,000 frames)')
    parser.add_argument('--epsilon-anneal-steps', type=positive_int, default=10 ** 6,
                        help='global steps over which epsilon falls from 1 to each '
                        "process's final value (default 1e6: 4M frames)")
    args = parser.parse_args()

    def build_model(action_space):
        return QFunction(action_space.n)

    def make_agent(shared, seed, training):
        agent = q_learning.METHODS[args.method](
            shared.model, shared.target, shared.optimizer, t_max=args.t_max,
            gamma=args.gamma, target_update_interval=args.target_update_frequency,
            epsilon_anneal_steps=args.epsilon_anneal_steps, seed=seed,
            lr_schedule=shared.lr_schedule)
        if training:  # the evaluator always uses 0.05
            say('{}: epsilon 1 -> {} over {} steps'.format(
                multiprocessing.current_process().name, agent.final_epsilon,
                args.epsilon_anneal_steps))
        return agent

    return experiment.train(args, env.env_maker(args), build_model, make_agent,
                            statistics=q_learning.QAgent.STATISTICS,
                            must_match=env.RUN_FLAGS + ('method',), target_network=True)


if __name__ == '__main__':
    sys.exit(main())
