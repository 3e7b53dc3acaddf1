"""The parent of a training run: it starts the children, watches them,
prints progress, checkpoints, and on the way out saves and says how it ended.

Whatever the children are (Hogwild workers, or actors and a learner), they
share the counters, and the evaluator is one of them.
"""
import contextlib
import signal
import sys
import time

import numpy as np

from cli.arguments import say
from training import checkpoints
from training.progress import Progress
from training.score_files import games_file
from training.writes import EXIT_WRITE_FAILED, WriteError

EXIT_INTERRUPTED = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Outcome:
    """How the watch ended: a signal, a failure, a reached target, or the last step."""

    def __init__(self):
        self.received = []
        self.failure = None
        self.trusted = True  # whether the shared weights can still be saved
        self.write_failed = False  # whether the failure is a write's
        self.unsaved = None  # why the closing save could not be written

    def failed(self, message, trusted=True, write=False):
        """The first failure is the one the run ends with."""
        if self.failure is None:
            self.failure, self.write_failed = message, write
        self.trusted = self.trusted and trusted

    @contextlib.contextmanager
    def writes(self, closing=False):
        """A write that fails stops the run, as Ctrl-C does: the one place
        the parent handles a WriteError.  `closing`: the save on the way out."""
        try:
            yield
        except WriteError as e:
            self.failed(str(e), write=True)
            if closing:
                self.unsaved = str(e)


def supervise(children, counters, settings, shared_model, optimizer, clock_origin,
              board=None):
    """Runs `children` (the evaluator last) to the end; returns the exit status.
    `board` (training/tensorboard.py), if any, is written at each progress line."""
    s = settings
    counters.preload([g['score'] for g in games_file(s.outdir).rows()])
    outcome = Outcome()
    old_handlers = {sig: signal.signal(sig, lambda signum, _: outcome.received.append(signum))
                    for sig in EXIT_INTERRUPTED}
    progress = Progress(counters, s.steps, s.start_step, s.lr_schedule)

    def save(t, suffix):
        return checkpoints.save(s.outdir, t, suffix, shared_model, optimizer,
                                time.time() - clock_origin, counters.episode_count(), s.record)
    for p in children:
        p.start()
    checkpoint = None
    try:
        checkpoint = _watch(children, counters, settings, outcome, progress, save,
                            lambda: _finite(shared_model, optimizer), board)
    finally:
        path = _finish(children, counters, s.steps, outcome, checkpoint, save,
                       lambda: _finite(shared_model, optimizer), s.outdir)
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
        if board:
            with outcome.writes():
                board.close()
    return _report(counters, settings, outcome, path, progress)


def _watch(children, counters, settings, outcome, progress, save, finite, board):
    """Until a signal, a failure or the end; returns the newest checkpoint."""
    workers, evaluator = children[:-1], children[-1]
    last_log = last_checkpoint = time.time()
    checkpoint = None
    while not outcome.received and not outcome.failure:
        time.sleep(0.1)
        failed = [p for p in children if p.exitcode not in (None, 0)]
        if failed:
            outcome.failed(*_cause(failed[0], counters))
            break
        if not counters.workers_done.value and all(p.exitcode == 0 for p in workers):
            counters.workers_done.value = 1
        if (counters.workers_done.value or counters.target_reached_at.value >= 0) and \
                evaluator.exitcode == 0:
            break
        now = time.time()
        if now - last_log >= settings.log_interval:
            status = progress.print_line()
            if board:
                with outcome.writes():
                    board.write(*status)
            last_log = now
        if now - last_checkpoint >= settings.checkpoint_interval:
            if not finite():
                outcome.failed('the shared weights hold NaN or infinity', trusted=False)
                break
            with outcome.writes():
                new = save(counters.steps.value, '_checkpoint')
                if checkpoint and checkpoint != new:
                    checkpoints.remove(checkpoint)
                checkpoint = new
            last_checkpoint = now
    return checkpoint


def _finish(children, counters, steps, outcome, checkpoint, save, finite, outdir):
    """Stops every child and saves what the outcome calls for; returns its path."""
    counters.stop.value = 1
    _stop(children)
    t = counters.steps.value
    # After a NaN or infinity the shared weights may be poisoned: the files
    # already on disk are the good ones.
    if outcome.trusted and not finite():
        outcome.failed('the shared weights hold NaN or infinity', trusted=False)
    path, reached_at = None, counters.target_reached_at.value
    with outcome.writes(closing=True):
        if outcome.trusted and (outcome.received or outcome.failure):
            path = save(t, '_except')
        elif reached_at >= 0:  # the evaluator saved the model it scored
            path = checkpoints.path_of(outdir, reached_at, '_finish')
        elif outcome.trusted:
            path = save(steps, '_finish')
    if checkpoint and path and checkpoint != path:
        checkpoints.remove(checkpoint)
    return path


def _report(counters, settings, outcome, path, progress):
    """The run's last words, and its exit status."""
    t = counters.steps.value
    code = EXIT_WRITE_FAILED if outcome.write_failed else 1
    if path is None and outcome.failure:
        print('error: {}; stopped at step {} without saving the {}; {}'.format(
            outcome.failure, t, *_unsaved(outcome, settings.outdir)), file=sys.stderr)
        return code
    if outcome.failure:
        print(f'error: {outcome.failure}; stopped at step {t}, saved {path} '
              f'(resume with --resume {settings.outdir})', file=sys.stderr)
        return code
    if outcome.received:
        signum = outcome.received[0]
        print(f'interrupted by {signal.Signals(signum).name} at step {t}; saved {path} '
              f'(resume with --resume {settings.outdir})', file=sys.stderr)
        return EXIT_INTERRUPTED[signum]
    progress.print_line()
    reached_at = counters.target_reached_at.value
    if reached_at >= 0:
        say(f'the evaluation at step {reached_at} reached --target-score '
            f'{settings.target_score:g} (mean {counters.last_mean.value:g}); saved {path}')
    else:
        say(f'finished {settings.steps} steps in {time.time() - progress.started:.0f} s; '
            f'saved {path}')
    return 0


def _unsaved(outcome, outdir):
    """(what was not saved and why, where the run can go on from)."""
    try:
        good = checkpoints.latest(outdir)
    except OSError:  # the folder is gone
        good = None
    if not outcome.trusted:
        return 'shared weights, which may hold NaN', (
            f'the last good model is {good} (resume with --resume {good})' if good
            else 'no model was saved before')
    why = '' if outcome.unsaved in (None, outcome.failure) else f' ({outcome.unsaved})'
    return 'weights' + why, (
        f'the newest whole checkpoint is {good} (resume with --resume {outdir} once it can be '
        'written)' if good else 'no checkpoint was saved before')


def _cause(process, counters):
    """(what went wrong, whether the shared weights can still be trusted,
    whether a write failed)."""
    reports = []
    while not counters.errors.empty():
        reports.append(counters.errors.get())
    if reports:
        return ('; '.join(m for m, _, _ in reports), not any(n for _, n, _ in reports),
                any(w for _, _, w in reports))
    code = process.exitcode
    if code < 0:
        return f'{process.name} was killed by {signal.Signals(-code).name}', True
    return f'{process.name} exited with status {code}', True


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
