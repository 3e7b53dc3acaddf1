"""The queue architecture (Grzego's async-rl, GA3C, IMPALA): actor processes
play several games each with the current shared weights, read-only, and put
segments of at most t_max steps into a bounded buffer; one learner process
takes them in batches, learns from each batch in one pass and updates the
shared weights, which the actors read at their next step.  The evaluator,
counters, games.txt and the parent's supervision are the Hogwild runs'.

An actor is anything with `at_step(step)` and `act(observations) -> (actions,
log mu)`; a learner anything with `at_step(step)` and `learn(segments)`.
"""
import dataclasses
import math
import signal
import sys
import time
import traceback

import numpy as np

from training.counters import CTX, Counters
from training.evaluator import evaluator_process
from training.hogwild import process_seed
from training.score_files import games_file
from training.segment_buffer import SegmentBuffer
from training.supervisor import supervise


@dataclasses.dataclass
class QueueSettings:
    t_max: int = 5
    envs_per_actor: int = 8
    batch_size: int = 16  # segments per update
    queue_length: int = 256  # segments played but not yet learnt from, at most


def train_queue(settings, queue, make_env, make_actor, make_learner, make_agent,
                shared_model, optimizer, board=None):
    """As `hogwild.train_async`, with `settings.processes` actors and one learner."""
    s = settings
    counters = Counters(s.start_step, s.start_episodes, s.processes)
    shape = make_env(0, False)
    buffer = SegmentBuffer(queue.queue_length, queue.t_max, shape.observation_shape,
                           shape.observation_dtype)
    del shape  # an environment the parent does not play
    actors_left = CTX.RawValue('q', s.processes)
    clock_origin = time.time() - s.start_elapsed
    children = [CTX.Process(target=_actor, name='actor {}'.format(i), args=(
        i, process_seed(s.seed, s.start_step, i), counters, buffer, actors_left, make_env,
        make_actor, settings, queue)) for i in range(s.processes)]
    children.append(CTX.Process(target=_learner, name='learner', args=(
        counters, buffer, actors_left, make_learner, queue.batch_size)))
    children.append(CTX.Process(target=evaluator_process, name='evaluator', args=(
        process_seed(s.seed, s.start_step, s.processes), counters, make_env, make_agent,
        settings, clock_origin)))
    return supervise(children, counters, settings, shared_model, optimizer, clock_origin,
                     board)


def _child(who, counters, body, *args):
    """A child's life: signals are the parent's, failures are reported to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        body(*args)
    except BaseException as e:
        traceback.print_exc()
        counters.report(who, e, counters.steps.value)
        sys.exit(1)


def _actor(index, *args):
    _child('actor {}'.format(index), args[1], _act, index, *args)


def _act(index, seed, counters, buffer, actors_left, make_env, make_actor, settings, queue):
    try:
        np.random.seed(seed)
        seeds = np.random.SeedSequence([seed]).generate_state(queue.envs_per_actor)
        envs = [make_env(int(k), True) for k in seeds]
        actor, games = make_actor(seed, index), games_file(settings.outdir)
        obs = [env.reset() for env in envs]
        segments = [_Segment(counters.version.value) for _ in envs]
        lengths = [0] * len(envs)
        playing = lambda: not counters.stopping()  # noqa: E731
        while playing():
            t = counters.take_steps(len(envs), settings.steps)
            if t is None:
                break
            actor.at_step(t)
            actions, log_mu = actor.act(np.stack(obs))
            for k, env in enumerate(envs):
                segments[k].add(obs[k], actions[k], log_mu[k])
                obs[k], reward, terminated, truncated = env.step(actions[k])
                segments[k].rewards.append(reward)
                lengths[k] += 1
                if terminated or truncated or len(segments[k].actions) == queue.t_max:
                    if not segments[k].put(buffer, None if terminated else obs[k], playing):
                        return
                    segments[k] = _Segment(counters.version.value)
                if terminated or truncated:
                    counters.episodes[index] += 1
                    if env.game_over:
                        games.append(dict(steps=t + k + 1, worker=index, score=env.game_score,
                                          length=lengths[k]))
                        counters.add_game(index, env.game_score)
                        lengths[k] = 0
                    obs[k] = env.reset()
    finally:  # the learner stops once every actor has and the buffer is empty
        with counters.steps_lock:
            actors_left.value -= 1


class _Segment(object):
    def __init__(self, version):
        self.version = version
        self.obs, self.actions, self.rewards, self.log_mu = [], [], [], []

    def add(self, obs, action, log_mu):
        self.obs.append(obs)
        self.actions.append(action)
        self.log_mu.append(log_mu)

    def put(self, buffer, next_obs, wait):
        return buffer.put(self.obs, self.actions, self.rewards, self.log_mu, next_obs,
                          self.version, wait)


def _learner(*args):
    _child('learner', args[0], _learn, *args)


def _learn(counters, buffer, actors_left, make_learner, batch_size):
    learner = make_learner()
    more = lambda: not counters.stopping() and actors_left.value > 0  # noqa: E731
    lags = []
    while True:
        slots = buffer.take(batch_size, more)
        if not slots:
            return
        segments = [buffer.segment(i) for i in slots]
        learner.at_step(counters.steps.value)
        learner.learn([seg[:5] for seg in segments])
        buffer.release(slots)
        version = counters.version.value
        lags = (lags + [version - seg[5] for seg in segments])[-1000:]
        counters.lag.value = float(np.mean(lags)) if lags else math.nan
        counters.version.value = version + 1
