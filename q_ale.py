"""Train one-step Q-learning, one-step Sarsa or n-step Q-learning on an Atari game.

    python q_ale.py PROCESSES ROM --method one-step-q|sarsa|n-step-q [--steps 8e7] ...

Each worker prints the final epsilon it drew when it starts; evaluations act
epsilon-greedily with epsilon 0.05.
"""
import multiprocessing
import sys

from cli import cpu

cpu.configure()  # before numpy loads

import numpy as np  # noqa: E402

import q_learning  # noqa: E402
from cli.arguments import ArgumentParser, positive_int, say  # noqa: E402
from envs import ale  # noqa: E402
from q_functions import QFunction  # noqa: E402
from training import experiment  # noqa: E402


def add_arguments(parser, env=ale):
    """This script's flags: the harness's, the environment's, the method's."""
    experiment.add_arguments(parser)
    env.add_arguments(parser)
    parser.add_argument('--method', required=True, choices=sorted(q_learning.METHODS))
    parser.add_argument('--target-update-frequency', type=positive_int, default=10 ** 4,
                        help='global steps between refreshes of the target network '
                        '(default 1e4: 40,000 frames)')
    parser.add_argument('--epsilon-anneal-steps', type=positive_int, default=10 ** 6,
                        help='global steps over which epsilon falls from 1 to each '
                        "process's final value (default 1e6: 4M frames)")


def main(env=ale, description=__doc__.splitlines()[0]):
    """`env`: the environment's module (envs.ale; another's script passes its own)."""
    parser = ArgumentParser(description=description)
    add_arguments(parser, env)
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

    def worker_scalars(seed, step):
        """The epsilon of the worker with this seed, drawn as its agent draws
        it: TensorBoard's curve costs the worker nothing."""
        final = q_learning.draw_final_epsilon(np.random.RandomState(seed % (2 ** 32)))
        return {'epsilon': q_learning.epsilon_at(step, final, args.epsilon_anneal_steps)}

    def make_actor(shared, seed):
        actor = q_learning.QActor(shared.model, seed, args.epsilon_anneal_steps)
        say('{}: epsilon 1 -> {} over {} steps'.format(
            multiprocessing.current_process().name, actor.final_epsilon,
            args.epsilon_anneal_steps))
        return actor

    def make_learner(shared):
        return q_learning.QLearner(shared.model, shared.target, shared.optimizer, args.method,
                                   gamma=args.gamma, lr_schedule=shared.lr_schedule,
                                   target_update_interval=args.target_update_frequency)

    # Sarsa's target needs the action taken after each segment, which actors do not keep.
    return experiment.train(args, env.env_maker(args), build_model, make_agent,
                            statistics=q_learning.QAgent.STATISTICS,
                            must_match=env.RUN_FLAGS + ('method',), target_network=True,
                            worker_scalars=worker_scalars, make_actor=make_actor,
                            make_learner=None if args.method == 'sarsa' else make_learner)


if __name__ == '__main__':
    sys.exit(main())
