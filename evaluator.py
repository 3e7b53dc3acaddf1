"""Evaluation episodes and the `scores.txt` they are written to."""
import os
import statistics

COLUMNS = ('steps', 'episodes', 'elapsed', 'mean', 'median', 'stdev', 'max', 'min')


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


class ScoresFile(object):
    """Tab-separated, one header line, one row per evaluation; only ever appended to."""

    def __init__(self, path, extra_columns=()):
        self.path = path
        self.columns = COLUMNS + tuple(extra_columns)

    def rows(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path) as f:
            lines = [line.rstrip('\n').split('\t') for line in f if line.strip()]
        if not lines:
            return []
        header = lines[0]
        return [dict(zip(header, map(float, line))) for line in lines[1:]]

    def append(self, row):
        new = not os.path.exists(self.path) or os.path.getsize(self.path) == 0
        with open(self.path, 'a') as f:
            if new:
                f.write('\t'.join(self.columns) + '\n')
            f.write('\t'.join(_fmt(row[c]) for c in self.columns) + '\n')
            f.flush()
            os.fsync(f.fileno())


def _fmt(x):
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else '{:.6g}'.format(x)
