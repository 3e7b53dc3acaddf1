"""One run as a Ray task: the training script as a subprocess of the Ray
worker, which forwards the driver's stop signal to it, so that the script
saves its `_except` model as it does on Ctrl-C.

The script's own harness does the rest: a new run with --outdir, a begun one
with --resume (from its newest checkpoint).  When a machine dies, Ray runs
the task again on another (`max_retries`), which resumes the run: only the
steps since its last checkpoint are lost."""
import concurrent.futures
import ctypes
import fcntl
import os
import signal
import socket
import subprocess
import sys

import ray

from sweeps import folder, progress

POLL = 0.5  # seconds between the task's looks at the driver's stop signal
_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None).prctl  # looked up before any fork: the child only calls it


@ray.remote(num_cpus=0)
class Control:
    """What the driver tells the runs (stop, and with which signal) and they
    tell it (the machine each one runs on)."""

    def __init__(self):
        self.signum, self.hosts = 0, {}

    def stop(self, signum):
        self.signum = signum

    def stopping(self):
        return self.signum

    def started(self, name, host):
        self.hosts[name] = host

    def where(self):
        return dict(self.hosts)


@ray.remote(max_retries=3)
def train(path, plan, run, cwd, omp_threads, control):
    """Runs `run` of the sweep in `path` to its end; returns {'host', 'exit'
    (the script's status, None if it did not start), 'cause' (its last line
    on stderr, or why it could not start), 'signalled' (stopped by us)}."""
    host = socket.gethostname()
    outcome = {'host': host, 'exit': None, 'cause': '', 'signalled': False}
    problem = _cannot_run_here(path, plan, cwd)
    if problem or _stopped_already(control):
        outcome['cause'] = f'{host}: {problem}' if problem else 'not started'
        return outcome
    run_dir = folder.run_dir(path, run)
    env = dict(os.environ)
    env.pop('OMP_NUM_THREADS', None)  # Ray sets it to the CPUs reserved; the sweep's own
    if omp_threads is not None:
        env['OMP_NUM_THREADS'] = omp_threads
    with open(folder.log_path(path, run), 'ab') as log, \
            open(folder.log_path(path, run, errors=True), 'ab+') as err:
        # Held by the script too, through its stdout: when Ray runs this task
        # again after a worker died, the new run waits for the old one to save.
        fcntl.flock(log, fcntl.LOCK_EX)
        if progress.finished(run_dir):  # by a sweep resumed twice at once
            outcome['exit'] = 0
            return outcome
        argv = [sys.executable] + folder.command(plan, run, run_dir, progress.begun(run_dir))
        for f in (log, err):
            f.write('== {}: {}\n'.format(host, ' '.join(argv)).encode())
            f.flush()
        begun_at = err.tell()
        # Files, not pipes: the script writes on if this Ray worker dies.  A
        # preexec_fn, though Ray's worker has threads: no Popen option unblocks the
        # signals or sets the parent-death signal, and _own_session only makes
        # system calls (prctl looked up before any fork).
        child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=err,
                                 preexec_fn=_own_session)  # noqa: PLW1509
        control.started.remote(run['name'], host)
        outcome['signalled'] = _wait(child, control)
        outcome.update(exit=child.returncode, cause=_last_line(err, begun_at))
    return outcome


def _last_line(f, start):
    """The last line written to `f` after `start`: a failure's cause."""
    f.seek(max(start, f.seek(0, os.SEEK_END) - 4096))
    lines = f.read().decode(errors='replace').splitlines()
    lines = [line.strip() for line in lines if line.strip()]
    return lines[-1] if lines else ''


def _cannot_run_here(path, plan, cwd):
    """Why this machine cannot run the sweep's script; None if it can."""
    try:
        here = folder.load(path)['id'] == plan['id']
    except folder.SweepError:
        here = False
    if not here:
        return (f'the sweep folder {path} is not here: put it on a file system every machine '
                'mounts at the same path')
    for needed in (plan['script'], cwd):
        if not os.path.exists(needed):
            return f'no {needed} here: install the project at the same path on every machine'
    return None


def _own_session():
    """In the child, before the script starts: its own session, so that a
    Ctrl-C at the terminal reaches it only through the driver (once); no
    blocked signals (Ray's thread blocks SIGINT, and a child inherits that);
    and SIGTERM when the Ray worker dies, so that it saves and stops with it."""
    os.setsid()
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _stopping(control):
    """The driver's stop signal (0: go on), as a concurrent future.  Not
    ray.get or ray.wait: a task blocked in those lends its CPUs to other tasks,
    and more runs would share a machine than it has CPUs."""
    return control.stopping.remote().future()


def _stopped_already(control):
    """The driver stopped the sweep (or is gone) before this run began."""
    try:
        return bool(_stopping(control).result(timeout=10))
    except concurrent.futures.TimeoutError:
        return False
    except ray.exceptions.RayError:
        return True


def _wait(child, control):
    """Waits for the script, passing on the driver's stop signal once (or
    SIGTERM if the driver's Control is gone); returns whether it did."""
    asked, signalled = _stopping(control), False
    while True:
        try:
            child.wait(timeout=POLL)
            return signalled
        except subprocess.TimeoutExpired:
            pass
        if signalled or not asked.done():
            continue
        try:
            signum = asked.result()
        except ray.exceptions.RayError:
            signum = signal.SIGTERM
        if signum:
            child.send_signal(signum)
            signalled = True
        else:
            asked = _stopping(control)
