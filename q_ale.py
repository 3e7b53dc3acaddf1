"""Train one-step Q-learning, one-step Sarsa or n-step Q-learning on an Atari game.

    python q_ale.py PROCESSES ROM --method one-step-q|sarsa|n-step-q [--steps 8e7] ...

Each worker prints the final epsilon it drew when it starts; evaluations act
epsilon-greedily with epsilon 0.05.
"""
import copy
import multiprocessing
import sys

from cli import cpu

cpu.configure()  # before numpy loads

from training import checkpoints  # noqa: E402
from training import experiment  # noqa: E402
import q_learning  # noqa: E402
from training import shared_memory  # noqa: E402
from nets.model_files import ModelFileError, load  # noqa: E402
from cli.arguments import ArgumentParser, fail, positive_int, say  # noqa: E402
from q_functions import QFunction  # noqa: E402


def main():
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    experiment.add_arguments(parser)
    parser.add_argument('--method', required=True, choices=sorted(q_learning.METHODS))
    parser.add_argument('--target-update-frequency', type=positive_int, default=10 ** 4,
                        help='global steps between refreshes of the target network '
                        '(default 1e4: 40,000 frames)')
    parser.add_argument('--epsilon-anneal-steps', type=positive_int, default=10 ** 6,
                        help='global steps over which epsilon falls from 1 to each '
                        "process's final value (default 1e6: 4M frames)")
    args = parser.parse_args()
    target = None

    def build_model(n_actions):
        # theta-minus: shared before the workers fork, and on resumption it
        # starts from the resumed weights rather than random ones.
        nonlocal target
        model = QFunction(n_actions)
        target = copy.deepcopy(model)
        if args.resume:
            try:
                load(checkpoints.resume_target(args.resume)[1], target)
            except ModelFileError as e:
                fail(str(e))
        shared_memory.share_params(target)
        return model

    def make_agent(model, optimizer, seed):
        agent = q_learning.METHODS[args.method](
            model, target, optimizer, t_max=args.t_max, gamma=args.gamma,
            target_update_interval=args.target_update_frequency,
            epsilon_anneal_steps=args.epsilon_anneal_steps, seed=seed)
        name = multiprocessing.current_process().name
        if name.startswith('worker'):  # the evaluator always uses 0.05
            say('{}: epsilon 1 -> {} over {} steps'.format(
                name, agent.final_epsilon, args.epsilon_anneal_steps))
        return agent

    return experiment.train(args, build_model, make_agent,
                            extra_columns=('average_max_q',), must_match=('method',))


if __name__ == '__main__':
    sys.exit(main())
