"""Evaluation: whole games with the current shared weights, every
`eval_frequency` global steps, written to scores.txt; the best-so-far model
and, with a target score, the model that reached it, saved beside."""
import math
import os
import statistics
import time

import numpy as np

from training import checkpoints
from training.counters import child_process
from training.score_files import ScoresFile


def run_episodes(env, agent, n_runs, should_stop=lambda: False):
    """Whole games with the agent's current weights; returns their scores, or
    None if `should_stop` said so part-way."""
    scores = []
    for _ in range(n_runs):
        obs, score, done = env.reset(), 0.0, False
        while not done:
            if should_stop():
                return None
            obs, reward, terminated, truncated = env.step(agent.act(obs))
            score += reward
            done = terminated or truncated
        agent.stop_episode()
        scores.append(score)
    return scores


def summary(scores):
    return {'mean': statistics.mean(scores), 'median': statistics.median(scores),
            'stdev': statistics.stdev(scores) if len(scores) > 1 else 0.0,
            'max': max(scores), 'min': min(scores)}


def evaluator_process(seed, counters, make_env, make_agent, settings, clock_origin):
    """The evaluator's whole life, in its own process: errors go to the parent."""
    with child_process('evaluator', counters):
        np.random.seed(seed)
        _evaluate(make_env(seed, False), make_agent(seed, None), counters, settings,
                  clock_origin)


def _evaluate(env, agent, counters, settings, clock_origin):
    s = settings
    scores = ScoresFile(os.path.join(s.outdir, 'scores.txt'), s.statistics)
    rows = scores.rows()
    best = max((r['mean'] for r in rows), default=-math.inf)
    if rows:
        counters.last_mean.value = rows[-1]['mean']
    # From the last row, not the start: a run stopped during an evaluation
    # gets that evaluation as soon as it resumes.
    last_row = int(rows[-1]['steps']) if rows else 0
    next_t, last_t = (last_row // s.eval_frequency + 1) * s.eval_frequency, s.start_step
    while not counters.stopping():
        final = counters.workers_done.value
        t = counters.steps.value
        if not (t >= next_t or (final and t > last_t)):
            if final:
                return
            time.sleep(0.05)
            continue
        agent.sync()
        results = run_episodes(env, agent, s.eval_n_runs, counters.stopping)
        if results is None:  # stopped part-way: no row rather than a partial one
            return
        row = dict(steps=t, episodes=counters.episode_count(),
                   elapsed=time.time() - clock_origin, **summary(results), **agent.statistics())
        scores.append(row)
        counters.last_mean.value = row['mean']

        def save(suffix, t=t, row=row):
            return checkpoints.save(s.outdir, t, suffix, agent.model, agent.optimizer,
                                    row['elapsed'], row['episodes'], s.record)
        if row['mean'] > best:
            best = row['mean']
            save('')
        if s.target_score is not None and row['mean'] >= s.target_score:
            # The weights this row scored, not the shared ones the workers
            # moved on during the evaluation: the last row is the model's.
            save('_finish')
            counters.target_reached_at.value = t
            return
        last_t, next_t = t, (t // s.eval_frequency + 1) * s.eval_frequency
