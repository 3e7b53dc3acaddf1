"""Evaluation episodes."""
import statistics


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
