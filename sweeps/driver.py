"""The sweep's driver: starts a local Ray or joins a cluster, hands each run to
Ray as a task reserving as many CPUs as the run has processes, and waits,
rewriting the table as the runs progress.  Ctrl-C (or SIGTERM) is passed to
every run, which saves its `_except` model; the driver waits for them all."""
import contextlib
import logging
import os
import signal
import socket
import sys
import time

# Ray's token (`ray start` makes or finds one, in ~/.ray/auth_token), read when
# Ray loads: Ray turns it on by itself for a cluster it starts or finds, not for
# one named by --address.
if 'RAY_AUTH_MODE' not in os.environ and (
        os.environ.get('RAY_AUTH_TOKEN') or os.environ.get('RAY_AUTH_TOKEN_PATH') or
        os.path.exists(os.path.join(os.path.expanduser('~'), '.ray', 'auth_token'))):
    os.environ['RAY_AUTH_MODE'] = 'token'

import ray

from sweeps import folder, progress, table
from sweeps.task import Control, train
from training import writes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE_INTERVAL = 5.0  # seconds between rewrites of the table while nothing ends
STOPPED = (128 + signal.SIGINT, 128 + signal.SIGTERM, -signal.SIGINT, -signal.SIGTERM)


class CannotStart(Exception):
    """Ray could not start or be joined, or no machine fits a run."""


def start_ray(address, cpus):
    """A local Ray with `cpus` CPUs, or the cluster at `address`; no dashboard.
    The workers find this project's modules on the same path as here."""
    options = {'include_dashboard': False, 'logging_level': logging.ERROR, 'log_to_driver': False,
               'job_config': ray.job_config.JobConfig(code_search_path=[ROOT])}
    try:
        if address:
            _check_reachable(address)
            ray.init(address=address, **options)
            return
        # Ray's daemons start in this process group and keep an ignored SIGINT:
        # a Ctrl-C at the terminal then stops the runs through the driver alone.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            # The tasks return a few numbers: a small object store.
            ray.init(address='local', num_cpus=cpus, object_store_memory=10 ** 8, **options)
        finally:
            signal.signal(signal.SIGINT, previous)
    except (ConnectionError, RuntimeError, ValueError) as e:
        raise CannotStart('cannot {} Ray: {}'.format(
            f'join the cluster at {address} with' if address else 'start',
            str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__))


def _check_reachable(address):
    """Ray would try an address where nothing answers for ten minutes."""
    host, _, port = address.rpartition(':')
    try:
        socket.create_connection((host, int(port)), timeout=10).close()
    except ValueError:
        raise CannotStart(f'--address {address}: expected HOST:PORT')
    except OSError as e:
        raise CannotStart(f'nothing answers at {address} ({e.strerror or e}): start the cluster '
                          f'there first, ray start --head --port {port}')


def check_fit(processes, address):
    """Ray would leave a run waiting for ever for CPUs no machine has."""
    largest = max((n['Resources'].get('CPU', 0) for n in ray.nodes() if n['Alive']),
                  default=0)
    if processes > largest:
        raise CannotStart('each run needs {} CPUs on one machine; {} has {:g}{}'
                          .format(processes, 'the largest machine of the cluster' if address
                                  else 'the local Ray', largest,
                                  '' if address else ' (--cpus)'))


class Stop:
    """The first SIGINT or SIGTERM asks every run to stop; later ones wait."""

    def __init__(self):
        self.signum = 0
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._handle)

    def _handle(self, signum, frame):
        if not self.signum:
            self.signum = signum
            print(f'{signal.Signals(signum).name}: stopping every run; each saves its model '
                  '(_except.h5)', flush=True)
        else:
            print('still stopping: waiting for the runs to save', flush=True)


def state(outcome, run_dir):
    """A finished run's table state from the task's outcome (or Ray's error)."""
    if isinstance(outcome, ray.exceptions.RayError):
        lines = str(outcome).strip().splitlines()
        return 'lost: {}{}'.format(type(outcome).__name__, ': ' + lines[0] if lines else '')
    code = outcome['exit']
    if code is None:
        return 'not started' if outcome['cause'] == 'not started' else \
            'failed: {}'.format(outcome['cause'])
    if code == 0:
        return 'finished' if progress.finished(run_dir) else 'ended without a finish model'
    if outcome['signalled'] and code in STOPPED:
        return 'stopped'
    how = f'killed by {signal.Signals(-code).name}' if code < 0 else f'exit {code}'
    return 'failed ({}) on {}: {}'.format(how, outcome['host'], outcome['cause'] or '-')


@contextlib.contextmanager
def ray_session(address, cpus, processes):
    """Ray started or joined, with a machine that fits a run; raises CannotStart."""
    start_ray(address, cpus)
    try:
        check_fit(processes, address)
        yield
    finally:
        ray.shutdown()


def run(path, plan, todo):
    """Runs the runs `todo` of the sweep in `path` (in a `ray_session`);
    returns the exit status: 0 if every run finished, 1 if one did not,
    128 + the signal if stopped."""
    stop, control = Stop(), Control.remote()
    omp = os.environ.get('OMP_NUM_THREADS')
    pending = {train.options(num_cpus=plan['processes'], name=run['name']).remote(
        os.path.abspath(path), plan, run, os.getcwd(), omp, control): run for run in todo}
    states = {run['name']: 'finished' if progress.finished(folder.run_dir(path, run))
              else 'waiting' for run in plan['runs']}
    told, written, unwritable = False, 0.0, None
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=1.0)
        for ref in ready:
            run = pending.pop(ref)
            try:
                outcome = ray.get(ref)
            except ray.exceptions.RayError as e:
                outcome = e
            states[run['name']] = state(outcome, folder.run_dir(path, run))
            print('{}: {}'.format(run['name'], states[run['name']]), flush=True)
        if (stop.signum or unwritable) and not told:
            control.stop.remote(stop.signum or signal.SIGTERM)
            told = True
        if not unwritable and (ready or time.time() - written > TABLE_INTERVAL):
            _where(control, states, pending.values())
            unwritable = _write_table(path, plan, states)
            written = time.time()
    unwritable = unwritable or _write_table(path, plan, states)
    sys.stdout.write(table.text(table.rows(path, plan, states)))
    if unwritable:
        writes.stop(unwritable)
    if stop.signum:
        return 128 + stop.signum
    return 0 if all(s == 'finished' for s in states.values()) else 1


def _write_table(path, plan, states):
    """None, or the WriteError of a table that cannot be written: then every
    run stops, as on Ctrl-C, and the sweep ends with that error."""
    try:
        table.write(path, plan, states)
    except writes.WriteError as e:
        print(f'{e}: stopping every run; each saves its model (_except.h5)',
              flush=True)
        return e


def _where(control, states, running):
    """'running on HOST' for the runs that have started (and not ended)."""
    try:
        hosts = ray.get(control.where.remote(), timeout=10)
    except (ray.exceptions.RayError, TimeoutError):
        return
    for run in running:
        if run['name'] in hosts:
            states[run['name']] = 'running on {}'.format(hosts[run['name']])
