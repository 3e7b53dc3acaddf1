"""Where a training step's time goes, part by part, in one process on Pong:
CPU milliseconds per agent step, measured inside the real agent and emulator.

Why CPU time: this machine is often shared, and a part's own CPU time is what
it costs whichever core runs it; wall time would charge it for its neighbours.
"""
import time

import numpy as np

from envs import ale

# The paper's settings, as `training/experiment.py` builds them for a run.
_RMSPROP = {'lr': 7e-4, 'alpha': 0.99, 'eps': 0.1, 'grad_clip': 40}


def _cpu_ms_per_step(f, steps, reps):
    """CPU milliseconds of this process per agent step, over `reps` calls of `f`
    that each make `steps` agent steps (after one call not counted)."""
    f()
    t = time.process_time()
    for _ in range(reps):
        f()
    return (time.process_time() - t) / reps / steps * 1e3


def _a3c_model_and_optimizer(n_actions, lstm=False):
    from nets.actor_critic import A3CFF, A3CLSTM  # Chainer only for these measurements
    from rmsprop_async import RMSpropAsync
    model = (A3CLSTM if lstm else A3CFF)(n_actions)
    optimizer = RMSpropAsync(**_RMSPROP)
    optimizer.setup(model)
    return model, optimizer


def _timed(owner, name, totals, label):
    """`owner.name` replaced by itself, adding its CPU seconds to totals[label]."""
    inner = getattr(owner, name)

    def call(*args):
        t = time.process_time()
        try:
            return inner(*args)
        finally:
            totals[label] += time.process_time() - t
    setattr(owner, name, call)


def hogwild_parts(rom, steps=20000, lstm=False):
    """CPU ms per agent step of one Hogwild A3C worker's parts, over `steps`
    steps of the real agent on the real emulator (after 1,000 not counted):
    {'env.step': ms, 'choose': ms, 'compute_gradient': ms,
     'optimizer.update': ms, 'sync': ms, 'the rest': ms}."""
    import a3c
    env = ale.ALE(rom, seed=0)
    model, optimizer = _a3c_model_and_optimizer(env.action_space.n, lstm)
    agent = a3c.A3C(model, optimizer, seed=0)
    timed = {'env.step': (env, 'step'), 'choose': (agent, 'choose'),
             'compute_gradient': (agent, 'compute_gradient'),
             'optimizer.update': (optimizer, 'update'), 'sync': (agent.local, 'sync')}
    totals = dict.fromkeys(timed, 0.0)
    state = {'obs': env.reset(), 'reward': 0.0}

    def run(n):
        for _ in range(n):
            action = agent.act_and_train(state['obs'], state['reward'])
            state['obs'], state['reward'], terminated, truncated = env.step(action)
            if terminated or truncated:
                agent.stop_episode_and_train(state['obs'], state['reward'], terminated)
                state['obs'], state['reward'] = env.reset(), 0.0
    run(1000)
    for label, (owner, name) in timed.items():
        _timed(owner, name, totals, label)
    t = time.process_time()
    run(steps)
    whole = time.process_time() - t
    parts = {name: s / steps * 1e3 for name, s in totals.items()}
    parts['the rest'] = whole / steps * 1e3 - sum(parts.values())
    return parts


def queue_parts(rom, envs_per_actor, batch_sizes):
    """CPU ms per agent step of each part of the queue architecture, one
    process: {'emulator': ms, 'actor': ms, 'learner': {batch size: ms}}.
    Whatever the split, a step costs the emulator's, the actor's and the
    learner's time on some core, so cores / (their sum) bounds the steps/s."""
    import a3c
    from training.segment_buffer import Segment
    env, rng = ale.ALE(rom, seed=0), np.random.RandomState(0)
    model, optimizer = _a3c_model_and_optimizer(env.action_space.n)
    learner, actor = a3c.A3CLearner(model, optimizer), a3c.A3CActor(model, 0)
    frames = [env.reset()]

    def emulate():
        for _ in range(100):
            obs, _, terminated, truncated = env.step(rng.randint(env.action_space.n))
            frames.append(env.reset() if terminated or truncated else obs)
    parts = {'emulator': _cpu_ms_per_step(emulate, 100, 20), 'learner': {}}
    frames = np.array(frames[-600:])
    parts['actor'] = _cpu_ms_per_step(
        lambda: actor.act(frames[:envs_per_actor], [None] * envs_per_actor), envs_per_actor, 100)

    def segment():
        i = rng.randint(len(frames) - 6)
        return Segment(list(frames[i:i + 5]), list(rng.randint(env.action_space.n, size=5)),
                       list(rng.randn(5) * 0.1), list(np.full(5, -np.log(env.action_space.n))),
                       frames[i + 5], 0)
    for b in batch_sizes:
        segments = [segment() for _ in range(b)]
        parts['learner'][b] = _cpu_ms_per_step(lambda segments=segments: learner.learn(segments),
                                               5 * b, max(5, 320 // b))
    return parts


def hogwild_parts_table(results):
    lines = []
    for label, parts in results['hogwild_parts'].items():
        total = sum(parts.values())
        lines += ['', f'| {label} on {results["rom"]}, one worker | CPU ms per step | share |',
                  '|---|---|---|']
        lines += [f'| {name} | {ms:.3f} | {ms / total:.0%} |' for name, ms in parts.items()]
        lines.append(f'| whole step | {total:.3f} ({1e3 / total:.0f} steps/s) | |')
    return '\n'.join(lines[1:])


def queue_parts_table(results):
    """Each batch size's ceiling: every step costs the emulator's, the actor's and
    the learner's CPU time on some core, however the processes are split."""
    parts, cores = results['queue_parts'], results['machine']['cpus']
    hogwild = results['training'].get('a3c-ff', {}).get(cores, {}).get('steps_per_s')
    lines = ['queue A3C FF on {}, CPU ms per agent step: emulator and preprocessing {:.3f}, '
             "actor's forward pass (8 games at once) {:.3f}".format(
                 results['rom'], parts['emulator'], parts['actor']), '',
             (f'| segments per update | learner ms | all three ms | ceiling on {cores} cores, '
              'steps/s | ceiling / Hogwild |'), '|---|---|---|---|---|']
    for b, ms in parts['learner'].items():
        total = parts['emulator'] + parts['actor'] + ms
        bound = cores * 1e3 / total
        lines.append('| {} | {:.3f} | {:.3f} | {:.0f} | {} |'.format(
            b, ms, total, bound, f'{bound / hogwild:.2f}x' if hogwild else ''))
    return '\n'.join(lines)
