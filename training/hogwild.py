"""Hogwild training, the paper's: worker processes that each act and update
the shared weights without locks, one evaluator process, and the parent that
supervises them (`training.supervisor`).  The workers write each game they
finish to games.txt: the learning curve between evaluations.

This knows nothing of losses: an agent is anything with `at_step`,
`act_and_train`, `stop_episode_and_train`, `act`, `stop_episode`, `sync`,
`statistics`, a `model` and an `optimizer`; an environment is anything with
the interface of `envs.environment`.
"""
import time

import numpy as np

from training.counters import CTX, Counters, child_process
from training.evaluator import evaluator_process
from training.score_files import games_file
from training.supervisor import supervise


def process_seed(seed, start_step, index):
    """Distinct for every process, and for every resumption of a run."""
    return int(np.random.SeedSequence([seed, start_step, index]).generate_state(1)[0])


def end_episode(counters, games, index, env, step, length):
    """Counts worker `index`'s episode; if it ended the game (`length` steps,
    the last global step `step`), the game goes to `games` and to the progress
    line.  Returns the game's length so far: a game of lives is several episodes."""
    counters.episodes[index] += 1
    if not env.game_over:
        return length
    games.append({'steps': step, 'worker': index, 'score': env.game_score, 'length': length})
    counters.add_game(index, env.game_score)
    return 0


def train_async(settings, make_env, make_agent, shared_model, optimizer, board=None):
    """Trains until `settings.steps` global steps, or until an evaluation's mean
    reaches `settings.target_score`; returns the exit status for the script.

    `make_env(seed, training)` and `make_agent(seed, worker)` are called in
    each child: `worker` is a worker's index, None for the evaluator."""
    s = settings
    counters = Counters(s.start_step, s.start_episodes, s.processes)
    # The run's clock: `elapsed` is now minus this, in every process.
    clock_origin = time.time() - s.start_elapsed
    children = [CTX.Process(target=_worker, name=f'worker {i}', args=(
        i, process_seed(s.seed, s.start_step, i), counters, make_env, make_agent, s.steps,
        s.outdir)) for i in range(s.processes)]
    children.append(CTX.Process(target=evaluator_process, name='evaluator', args=(
        process_seed(s.seed, s.start_step, s.processes), counters, make_env, make_agent,
        settings, clock_origin)))
    return supervise(children, counters, settings, shared_model, optimizer, clock_origin,
                     board)


def _worker(index, seed, counters, make_env, make_agent, steps, outdir):
    t = None
    with child_process(f'worker {index}', counters, lambda: t):
        np.random.seed(seed)
        env, agent = make_env(seed, True), make_agent(seed, index)
        games = games_file(outdir)
        obs, reward, length = env.reset(), 0.0, 0
        while not counters.stopping():
            t = counters.take_steps(1, steps)
            if t is None:
                break
            agent.at_step(t)
            action = agent.act_and_train(obs, reward)
            obs, reward, terminated, truncated = env.step(action)
            length += 1
            if terminated or truncated:
                agent.stop_episode_and_train(obs, reward, terminated)
                length = end_episode(counters, games, index, env, t + 1, length)
                obs, reward = env.reset(), 0.0
