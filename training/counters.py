"""The counters every training process sees, in shared memory.

Read without locks where a worker killed while holding one must not hang the
parent or the evaluator; each worker counts in slots of its own, so that no
increment is lost and none needs a lock."""
import contextlib
import math
import multiprocessing as mp
import os
import signal
import sys
import traceback

from training.writes import WriteError

# Fork: the children inherit the shared arrays and the built model as they
# are, without pickling; and it is the fastest start there is.
CTX = mp.get_context('fork')

RECENT_GAMES = 100  # the progress line's training mean is over the last this many


class Counters:

    def __init__(self, start_step, start_episodes, processes):
        self.steps = CTX.RawValue('q', start_step)
        self.steps_lock = CTX.Lock()
        self.start_episodes = start_episodes
        self.episodes = CTX.RawArray('q', processes)
        # Each worker's last games' scores, in its own slots.
        self.games = CTX.RawArray('q', processes)
        self.per_worker = -(-RECENT_GAMES // processes)
        self.recent = CTX.RawArray('d', [math.nan] * (processes * self.per_worker))
        self.stop = CTX.RawValue('b', 0)
        self.workers_done = CTX.RawValue('b', 0)
        self.last_mean = CTX.RawValue('d', math.nan)
        self.target_reached_at = CTX.RawValue('q', -1)  # the step of that evaluation
        # The queue architecture's: the learner's updates so far, and the mean
        # number of them between a segment's acting and its learning.
        self.version = CTX.RawValue('q', 0)
        self.lag = CTX.RawValue('d', math.nan)
        # (message, whether a value was not finite, whether a write failed)
        self.errors = CTX.SimpleQueue()
        self.parent = os.getpid()

    def take_steps(self, count, steps):
        """Takes `count` global steps at once (a worker's one, an actor's batch
        of games); the first, or None once `steps` are taken."""
        with self.steps_lock:
            t = self.steps.value
            if t >= steps:
                return None
            self.steps.value = min(t + count, steps)
            return t

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

    def report(self, who, error, step=None):
        """A child's failure, for the parent to name."""
        write = isinstance(error, WriteError)  # its message names the file and the cause
        self.errors.put(('{}: {}{}{}'.format(
            who, '' if write else type(error).__name__ + ': ', error,
            '' if step is None else f' at step {step}'),
            isinstance(error, FloatingPointError), write))


@contextlib.contextmanager
def child_process(who, counters, step=lambda: None):
    """A child's life: signals are the parent's, who decides when to stop, and
    a failure is reported to it as `who`'s, at `step()` (None: no step)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    except BaseException as e:  # noqa: BLE001 (whatever ends a child, the parent must hear of it)
        if not isinstance(e, WriteError):  # a bug's, not the machine's
            traceback.print_exc()
        counters.report(who, e, step())
        sys.exit(1)
