"""The queue architecture (Grzego's async-rl, GA3C, IMPALA): actor processes
play several games each with the current shared weights, read-only, and put
segments of at most t_max steps into a bounded buffer; one learner process
takes them in batches, learns from each batch in one pass and updates the
shared weights, which the actors read at their next step.  The evaluator,
counters, games.txt and the parent's supervision are the Hogwild runs'.

An actor is anything with `at_step(step)`, `initial_state()` (a game's memory
at an episode's start: None without one) and `act(observations, states) ->
(actions, log mu, states after)`, one row and state per game; a learner
anything with `at_step(step)` and `learn(segments)`, a list of `Segment`s.

A segment that reached t_max steps goes to the buffer one step later, with the
action the actor then chose for its game (Sarsa's target needs it); one that
ended the episode goes at once, and after a truncation the actor chooses that
action for the last observation by itself.  Each segment carries the game's
memory at its start, from which the learner unrolls a recurrent network.
"""
import dataclasses
import math
import time

import numpy as np

from training.counters import CTX, Counters, child_process
from training.evaluator import evaluator_process
from training.hogwild import end_episode, process_seed
from training.score_files import games_file
from training.segment_buffer import Segment, SegmentBuffer
from training.supervisor import supervise


@dataclasses.dataclass
class QueueSettings:
    t_max: int = 5
    envs_per_actor: int = 8
    batch_size: int = 16  # segments per update
    queue_length: int = 256  # segments played but not yet learnt from, at most


def segment_buffer(queue, env, model):
    """The buffer for `queue`'s segments of games like `env`'s, with `model`'s
    state; raises OSError or MemoryError where memory cannot hold it."""
    return SegmentBuffer(queue.queue_length, queue.t_max, env.observation_shape,
                         env.observation_dtype, model.initial_state(), env.action_space)


def train_queue(settings, queue, buffer, make_env, make_actor, make_learner, make_agent,
                shared_model, optimizer, board=None):
    """As `hogwild.train_async`, with `settings.processes` actors and one learner
    passing segments through `buffer` (`segment_buffer`'s)."""
    s = settings
    counters = Counters(s.start_step, s.start_episodes, s.processes)
    actors_left = CTX.RawValue('q', s.processes)
    clock_origin = time.time() - s.start_elapsed
    children = [CTX.Process(target=_actor, name=f'actor {i}', args=(
        i, process_seed(s.seed, s.start_step, i), counters, buffer, actors_left, make_env,
        make_actor, settings, queue)) for i in range(s.processes)]
    children.append(CTX.Process(target=_learner, name='learner', args=(
        counters, buffer, actors_left, make_learner, queue.batch_size)))
    children.append(CTX.Process(target=evaluator_process, name='evaluator', args=(
        process_seed(s.seed, s.start_step, s.processes), counters, make_env, make_agent,
        settings, clock_origin)))
    return supervise(children, counters, settings, shared_model, optimizer, clock_origin,
                     board)


def _actor(index, seed, counters, *args):
    with child_process(f'actor {index}', counters, lambda: counters.steps.value):
        _act(index, seed, counters, *args)


def _act(index, seed, counters, buffer, actors_left, make_env, make_actor, settings, queue):
    try:
        np.random.seed(seed)
        seeds = np.random.SeedSequence([seed]).generate_state(queue.envs_per_actor)
        envs = [make_env(int(k), True) for k in seeds]
        actor, games = make_actor(seed, index), games_file(settings.outdir)
        obs = [env.reset() for env in envs]
        states = [actor.initial_state() for _ in envs]  # each game's memory
        segments = [None] * len(envs)  # each game's segment being played
        # a segment that reached t_max steps waits for the game's next action
        waiting = [None] * len(envs)
        lengths = [0] * len(envs)
        playing = lambda: not counters.stopping()  # noqa: E731
        while playing():
            t = counters.take_steps(len(envs), settings.steps)
            if t is None:
                break
            actor.at_step(t)
            actions, log_mu, after = actor.act(np.stack(obs), states)
            for k, env in enumerate(envs):
                if waiting[k] is not None:
                    if not waiting[k].put(buffer, obs[k], actions[k], playing):
                        return
                    waiting[k] = None
                if segments[k] is None:
                    segments[k] = _Segment(counters.version.value, states[k])
                segments[k].add(obs[k], actions[k], log_mu[k])
                states[k] = after[k]
                obs[k], reward, terminated, truncated = env.step(actions[k])
                segments[k].rewards.append(reward)
                lengths[k] += 1
                ended = terminated or truncated
                if ended:  # after a truncation the target bootstraps from obs[k]
                    next_obs, next_action = (None, None) if terminated else (
                        obs[k], actor.act(obs[k][None], states[k:k + 1])[0][0])
                    if not segments[k].put(buffer, next_obs, next_action, playing):
                        return
                elif len(segments[k].actions) == queue.t_max:
                    waiting[k] = segments[k]
                if ended or waiting[k] is not None:
                    segments[k] = None
                if ended:
                    lengths[k] = end_episode(counters, games, index, env, t + k + 1,
                                             lengths[k])
                    obs[k], states[k] = env.reset(), actor.initial_state()
    finally:  # the learner stops once every actor has and the buffer is empty
        with counters.steps_lock:
            actors_left.value -= 1


class _Segment:
    def __init__(self, version, state):
        self.version, self.state = version, state
        self.obs, self.actions, self.rewards, self.log_mu = [], [], [], []

    def add(self, obs, action, log_mu):
        self.obs.append(obs)
        self.actions.append(action)
        self.log_mu.append(log_mu)

    def put(self, buffer, next_obs, next_action, wait):
        return buffer.put(Segment(self.obs, self.actions, self.rewards, self.log_mu, next_obs,
                                  next_action, self.state), self.version, wait)


def _learner(counters, *args):
    with child_process('learner', counters, lambda: counters.steps.value):
        _learn(counters, *args)


def _learn(counters, buffer, actors_left, make_learner, batch_size):
    learner = make_learner()
    more = lambda: not counters.stopping() and actors_left.value > 0  # noqa: E731
    lags = []
    while True:
        slots = buffer.take(batch_size, more)
        if not slots:
            return
        segments, versions = zip(*(buffer.segment(i) for i in slots))
        learner.at_step(counters.steps.value)
        learner.learn(segments)
        buffer.release(slots)
        version = counters.version.value
        lags = (lags + [version - v for v in versions])[-1000:]
        counters.lag.value = float(np.mean(lags)) if lags else math.nan
        counters.version.value = version + 1
