"""Hogwild training: worker processes that act and update the shared weights,
one evaluator process that writes scores.txt and best-so-far models, and the
parent that watches them, prints progress, checkpoints and saves at the end.
The workers write each game they finish to games.txt: the learning curve
between evaluations.

This knows nothing of losses: an agent is anything with `act_and_train`,
`stop_episode_and_train`, `act`, `stop_episode`, `sync`, `statistics`, a
`model` and an `optimizer` whose `lr` the loop sets each step; an environment
is anything with `reset`, `step`, and after a step `game_over` and `game_score`.
"""
import math
import multiprocessing as mp
import os
import signal
import sys
import time
import traceback

import numpy as np

from training import checkpoints
from cli.arguments import say
from training.evaluator import run_episodes, summary
from training.score_files import ScoresFile, games_file

# Fork: the children inherit the shared arrays and the built model as they
# are, without pickling; and it is the fastest start there is.
CTX = mp.get_context('fork')

EXIT_INTERRUPTED = {signal.SIGINT: 130, signal.SIGTERM: 143}
RECENT_GAMES = 100  # the progress line's training mean is over the last this many


def process_seed(seed, start_step, index):
    """Distinct for every process, and for every resumption of a run."""
    return int(np.random.SeedSequence([seed, start_step, index]).generate_state(1)[0])


def learning_rate(lr, t, steps):
    """The paper's schedule: linear from `lr` at step 0 to 0 at `steps`."""
    return lr * (1 - t / steps)


class Shared(object):
    """The counters every process sees."""

    def __init__(self, start_step, start_episodes, processes):
        # Read without the lock: a worker killed while holding it must not
        # hang the parent or the evaluator.
        self.steps = CTX.RawValue('q', start_step)
        self.steps_lock = CTX.Lock()
        self.start_episodes = start_episodes
        # A slot per worker: no increment is lost, and no lock is needed.
        self.episodes = CTX.RawArray('q', processes)
        # Each worker's last games' scores, in its own slots: no lock either.
        self.games = CTX.RawArray('q', processes)
        self.per_worker = -(-RECENT_GAMES // processes)
        self.recent = CTX.RawArray('d', [math.nan] * (processes * self.per_worker))
        self.stop = CTX.RawValue('b', 0)
        self.workers_done = CTX.RawValue('b', 0)
        self.last_mean = CTX.RawValue('d', math.nan)
        self.target_reached_at = CTX.RawValue('q', -1)  # the step of that evaluation
        self.errors = CTX.SimpleQueue()  # (message, whether a value was not finite)
        self.parent = os.getpid()

    def episode_count(self):
        return self.start_episodes + sum(self.episodes)

    def add_game(self, index, score):
        self.recent[index * self.per_worker + self.games[index] % self.per_worker] = score
        self.games[index] += 1

    def preload(self, scores):
        """Fills the slots with a resumed run's last games, oldest first, so that
        the progress line goes on from where the run stopped."""
        for i, score in enumerate(scores[-len(self.recent):]):
            self.add_game(i % len(self.games), score)

    def recent_games(self):
        return [s for s in self.recent if not math.isnan(s)]

    def stopping(self):
        """The parent says so, or it died (SIGKILL): orphans must not train on."""
        return self.stop.value or os.getppid() != self.parent


def _worker(index, seed, sh, make_env, make_agent, steps, lr, outdir):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    t = None
    try:
        np.random.seed(seed)
        env, agent = make_env(seed, True), make_agent(seed)
        games = games_file(outdir)
        obs, reward, length = env.reset(), 0.0, 0
        while not sh.stopping():
            with sh.steps_lock:
                t = sh.steps.value
                if t >= steps:
                    break
                sh.steps.value = t + 1
            agent.optimizer.lr = learning_rate(lr, t, steps)
            agent.global_step = t  # for agents with schedules and target networks
            action = agent.act_and_train(obs, reward)
            obs, reward, terminated, truncated = env.step(action)
            length += 1
            if terminated or truncated:
                agent.stop_episode_and_train(obs, reward, terminated)
                sh.episodes[index] += 1
                if env.game_over:
                    games.append(dict(steps=t + 1, worker=index, score=env.game_score,
                                      length=length))
                    sh.add_game(index, env.game_score)
                    length = 0
                obs, reward = env.reset(), 0.0
    except BaseException as e:
        traceback.print_exc()
        sh.errors.put(('worker {}: {}: {}{}'.format(
            index, type(e).__name__, e, '' if t is None else ' at step {}'.format(t)),
            isinstance(e, FloatingPointError)))
        sys.exit(1)


def _evaluator(seed, sh, make_env, make_agent, outdir, extra_columns, steps,
               eval_frequency, eval_n_runs, start_step, clock_origin, target_score):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        np.random.seed(seed)
        env, agent = make_env(seed, False), make_agent(seed)
        scores = ScoresFile(os.path.join(outdir, 'scores.txt'), extra_columns)
        rows = scores.rows()
        best = max((r['mean'] for r in rows), default=-math.inf)
        if rows:
            sh.last_mean.value = rows[-1]['mean']
        # From the last row, not the start: a run stopped during an evaluation
        # gets that evaluation as soon as it resumes.
        last_row = int(rows[-1]['steps']) if rows else 0
        next_t, last_t = (last_row // eval_frequency + 1) * eval_frequency, start_step
        while not sh.stopping():
            final = sh.workers_done.value
            t = sh.steps.value
            if not (t >= next_t or (final and t > last_t)):
                if final:
                    return
                time.sleep(0.05)
                continue
            agent.sync()
            results = run_episodes(env, agent, eval_n_runs, sh.stopping)
            if results is None:  # stopped part-way: no row rather than a partial one
                return
            row = dict(steps=t, episodes=sh.episode_count(),
                       elapsed=time.time() - clock_origin,
                       **summary(results), **agent.statistics())
            scores.append(row)
            sh.last_mean.value = row['mean']
            if row['mean'] > best:
                best = row['mean']
                checkpoints.save(outdir, t, '', agent.model, agent.optimizer,
                                 row['elapsed'], row['episodes'])
            if target_score is not None and row['mean'] >= target_score:
                # The weights this row scored, not the shared ones the workers
                # moved on during the evaluation: the last row is the model's.
                checkpoints.save(outdir, t, '_finish', agent.model, agent.optimizer,
                                 row['elapsed'], row['episodes'])
                sh.target_reached_at.value = t
                return
            last_t, next_t = t, (t // eval_frequency + 1) * eval_frequency
    except BaseException as e:
        traceback.print_exc()
        sh.errors.put(('evaluator: {}: {}'.format(type(e).__name__, e),
                       isinstance(e, FloatingPointError)))
        sys.exit(1)


def _status(sh, steps, lr, t0, s0, start_step):
    t, now = sh.steps.value, time.time()
    rate = (t - s0[0]) / max(now - s0[1], 1e-9)
    s0[:] = [t, now]
    eta = (steps - t) / rate if rate > 0 else math.inf
    overall = (t - start_step) / max(now - t0, 1e-9)
    recent = sh.recent_games()
    say('steps {}/{} ({:.1f}%)  lr {:.4g}  {:.0f} steps/s (run {:.0f})  episodes {}  '
        'training games mean {}  last eval mean {}  ETA {}'.format(
            t, steps, 100 * t / steps, learning_rate(lr, t, steps), rate, overall,
            sh.episode_count(),
            '{:.2f} (last {})'.format(sum(recent) / len(recent), len(recent))
            if recent else 'none yet',
            'none yet' if math.isnan(sh.last_mean.value) else '{:.2f}'.format(
                sh.last_mean.value),
            '?' if math.isinf(eta) else time.strftime('%H:%M:%S', time.gmtime(eta))
            if eta < 86400 else '{:.1f} days'.format(eta / 86400)))


def train_async(outdir, processes, steps, make_env, make_agent, shared_model,
                optimizer, lr, seed=0, start_step=0, start_episodes=0,
                start_elapsed=0.0, eval_frequency=10 ** 6, eval_n_runs=10, extra_columns=(),
                log_interval=5.0, checkpoint_interval=600.0, target_score=None):
    """Trains until `steps` global steps, or until an evaluation's mean reaches
    `target_score`; returns the exit status for the script."""
    sh = Shared(start_step, start_episodes, processes)
    games = games_file(outdir)
    games.start()
    sh.preload([g['score'] for g in games.rows()])
    started = time.time()
    # The run's clock: `elapsed` is now minus this, in every process.
    clock_origin = started - start_elapsed
    children = [CTX.Process(target=_worker, name='worker {}'.format(i), args=(
        i, process_seed(seed, start_step, i), sh, make_env, make_agent, steps, lr,
        outdir)) for i in range(processes)]
    children.append(CTX.Process(target=_evaluator, name='evaluator', args=(
        process_seed(seed, start_step, processes), sh, make_env, make_agent,
        outdir, extra_columns, steps, eval_frequency, eval_n_runs, start_step,
        clock_origin, target_score)))
    workers = children[:-1]

    received = []
    old_handlers = {s: signal.signal(s, lambda signum, _: received.append(signum))
                    for s in EXIT_INTERRUPTED}
    for p in children:
        p.start()

    failure, trusted = None, True
    last_log, rate_mark = time.time(), [start_step, time.time()]
    last_checkpoint, checkpoint = time.time(), None

    def save(t, suffix):
        return checkpoints.save(outdir, t, suffix, shared_model, optimizer,
                                time.time() - clock_origin, sh.episode_count())
    try:
        while not received:
            time.sleep(0.1)
            failed = [p for p in children if p.exitcode not in (None, 0)]
            if failed:
                failure, trusted = _cause(failed[0], sh)
                break
            if not sh.workers_done.value and all(p.exitcode == 0 for p in workers):
                sh.workers_done.value = 1
            if (sh.workers_done.value or sh.target_reached_at.value >= 0) and \
                    children[-1].exitcode == 0:
                break
            now = time.time()
            if now - last_log >= log_interval:
                _status(sh, steps, lr, started, rate_mark, start_step)
                last_log = now
            if now - last_checkpoint >= checkpoint_interval:
                if not _finite(shared_model, optimizer):
                    failure, trusted = 'the shared weights hold NaN or infinity', False
                    break
                new = save(sh.steps.value, '_checkpoint')
                if checkpoint and checkpoint != new:
                    checkpoints.remove(checkpoint)
                checkpoint, last_checkpoint = new, now
    finally:
        sh.stop.value = 1
        _stop(children)
        t = sh.steps.value
        # After a NaN or infinity the shared weights may be poisoned: the
        # files already on disk are the good ones.
        if trusted and not _finite(shared_model, optimizer):
            failure, trusted = failure or 'the shared weights hold NaN or infinity', False
        path, reached_at = None, sh.target_reached_at.value
        if trusted and (received or failure):
            path = save(t, '_except')
        elif reached_at >= 0:  # the evaluator saved the model it scored
            path = checkpoints.path_of(outdir, reached_at, '_finish')
        elif trusted:
            path = save(steps, '_finish')
        if checkpoint and path and checkpoint != path:
            checkpoints.remove(checkpoint)
        for s, h in old_handlers.items():
            signal.signal(s, h)

    if not trusted:
        good = checkpoints.latest(outdir)
        print('error: {}; stopped at step {} without saving the shared weights, which '
              'may hold NaN; {}'.format(failure, t, 'the last good model is {0} (resume '
                                        'with --resume {0})'.format(good) if good else
                                        'no model was saved before'), file=sys.stderr)
        return 1
    if failure:
        print('error: {}; stopped at step {}, saved {}'.format(failure, t, path),
              file=sys.stderr)
        return 1
    if received:
        print('interrupted by {} at step {}; saved {} (resume with --resume {})'.format(
            signal.Signals(received[0]).name, t, path, outdir), file=sys.stderr)
        return EXIT_INTERRUPTED[received[0]]
    _status(sh, steps, lr, started, rate_mark, start_step)
    if reached_at >= 0:
        say('the evaluation at step {} reached --target-score {:g} (mean {:g}); saved {}'
            .format(reached_at, target_score, sh.last_mean.value, path))
        return 0
    say('finished {} steps in {:.0f} s; saved {}'.format(steps, time.time() - started, path))
    return 0


def _cause(process, sh):
    """(what went wrong, whether the shared weights can still be trusted)."""
    reports = []
    while not sh.errors.empty():
        reports.append(sh.errors.get())
    if reports:
        return '; '.join(m for m, _ in reports), not any(n for _, n in reports)
    code = process.exitcode
    if code < 0:
        return '{} was killed by {}'.format(process.name, signal.Signals(-code).name), True
    return '{} exited with status {}'.format(process.name, code), True


def _finite(model, optimizer):
    """Whether the weights and the optimizer's statistics are free of NaN and infinity."""
    arrays = [p.array for p in model.params()]
    for p in optimizer.target.params():
        arrays += list((p.update_rule.state or {}).values())
    return all(np.isfinite(a).all() for a in arrays)


def _stop(children, timeout=8.0):
    """Children see the stop flag within a step or an evaluation episode's step;
    any that has not gone after `timeout` seconds is killed."""
    deadline = time.time() + timeout
    for p in children:
        p.join(max(0.0, deadline - time.time()))
    for p in children:
        if p.is_alive():
            p.kill()
            p.join()
