"""Train one-step Q-learning, one-step Sarsa or n-step Q-learning on an Atari game.

    python q_ale.py PROCESSES ROM --method one-step-q|sarsa|n-step-q [--steps 8e7] ...

Each worker prints its final epsilon when it starts (`q_learning.final_epsilon`:
the paper's mix of 0.1, 0.01 and 0.5 spread over the workers); evaluations act
epsilon-greedily with epsilon 0.05.
"""
import multiprocessing
import sys

from cli import cpu

cpu.configure()  # before numpy loads

import q_learning  # noqa: E402
from cli.arguments import ArgumentParser, positive_int, say  # noqa: E402
from envs import ale  # noqa: E402
from nets.torso import DQNHead  # noqa: E402
from q_functions import QFunction  # noqa: E402
from training import experiment  # noqa: E402

DESCRIPTION = __doc__.splitlines()[0]


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


def main(env=ale, description=DESCRIPTION):
    """`env`: the environment's module (envs.ale; another's script passes its own)."""
    parser = ArgumentParser(description=description)
    add_arguments(parser, env)
    args = parser.parse_args()

    def build_model(action_space, observation_shape):
        return QFunction(action_space.n, head=DQNHead(observation_shape[0]))

    def final_epsilon(worker):
        final = q_learning.final_epsilon(worker, args.processes)
        say(f'{multiprocessing.current_process().name}: epsilon 1 -> {final} over '
            f'{args.epsilon_anneal_steps} steps')
        return final

    def make_agent(shared, seed, worker):
        return q_learning.METHODS[args.method](
            shared.model, shared.target, shared.optimizer, t_max=args.t_max,
            gamma=args.gamma, target_update_interval=args.target_update_frequency,
            epsilon_anneal_steps=args.epsilon_anneal_steps, seed=seed,
            # the evaluator acts with its own 0.05
            final_epsilon=final_epsilon(worker) if worker is not None else 0.05,
            lr_schedule=shared.lr_schedule)

    def worker_scalars(index, step):
        """TensorBoard's epsilon curve, computed here: it costs the worker nothing."""
        return {'epsilon': q_learning.epsilon_at(
            step, q_learning.final_epsilon(index, args.processes), args.epsilon_anneal_steps)}

    def make_actor(shared, seed, index):
        return q_learning.QActor(shared.model, seed, args.epsilon_anneal_steps,
                                 final_epsilon(index))

    def make_learner(shared):
        return q_learning.QLearner(shared.model, shared.target, shared.optimizer, args.method,
                                   gamma=args.gamma, lr_schedule=shared.lr_schedule,
                                   target_update_interval=args.target_update_frequency)

    return experiment.train(args, env.env_maker(args), build_model, make_agent,
                            statistics=q_learning.QAgent.STATISTICS,
                            must_match=env.RUN_FLAGS + ('method',), target_network=True,
                            worker_scalars=worker_scalars, make_actor=make_actor,
                            make_learner=make_learner)


if __name__ == '__main__':
    sys.exit(main())
