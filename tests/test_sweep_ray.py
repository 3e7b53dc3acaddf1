"""sweep.py against a real Ray: a cluster this test starts (on 127.0.0.1, its
own ports, temporary folder and token) and stops, a sweep of three short
a3c_ale.py runs on it with one made to fail, Ctrl-C, and a resume; and a
sweep on a local Ray that sweep.py starts itself."""
import datetime
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

from sweeps import folder, progress
from training import checkpoints

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RAY = os.path.join(os.path.dirname(sys.executable), 'ray')
# Pong at 1000 steps per evaluation, one game each: a few seconds a run.
SCRIPT = ['a3c_ale.py', '1', 'pong', '--eval-frequency', '1000', '--eval-n-runs', '1',
          '--log-interval', '1']


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def env():
    """A token of this test's own, so nothing is read from or written to ~/.ray."""
    return dict(os.environ, RAY_AUTH_MODE='token', RAY_AUTH_TOKEN=uuid.uuid4().hex)


@pytest.fixture(scope='module')
def cluster(env):
    """`ray start --head` on 127.0.0.1; yields its address; stops it by its
    own process (--block), and then whatever of its session is left."""
    temp = tempfile.mkdtemp(prefix='ray', dir='/tmp')  # Ray's socket paths are short
    port = free_port()
    # With grpc installed, Ray serves Ray Client too, on 10001 unless told otherwise.
    client = ['--ray-client-server-port', str(free_port())] \
        if importlib.util.find_spec('grpc') else []
    head = subprocess.Popen(
        [RAY, 'start', '--head', '--block', '--node-ip-address', '127.0.0.1', '--port',
         str(port), '--dashboard-agent-listen-port', str(free_port()),
         '--include-dashboard=false', '--num-cpus', '3', '--temp-dir', temp,
         '--disable-usage-stats'] + client,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    seen = []
    for line in head.stdout:
        seen.append(line)
        if 'Ray runtime started' in line:
            break
    try:
        assert 'Ray runtime started' in seen[-1], ''.join(seen)
        yield f'127.0.0.1:{port}'
    finally:
        head.terminate()
        try:
            head.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        for pid in session_members(head.pid):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(temp, ignore_errors=True)


def session_members(sid):
    out = subprocess.run(['ps', '-eo', 'pid=,sid='], capture_output=True, text=True).stdout
    return [int(p) for p, s in (line.split() for line in out.splitlines()) if int(s) == sid]


def start_sweep(args, env, log):
    """sweep.py in a session of its own, as from a terminal of its own."""
    return subprocess.Popen([sys.executable, os.path.join(ROOT, 'sweep.py')] + args,
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def read(path):
    with open(path) as f:
        return f.read()


def wait_for(condition, proc, timeout, what, log_path):
    end = time.time() + timeout
    while not condition():
        assert proc.poll() is None, f'sweep.py ended before {what}: {read(log_path)}'
        assert time.time() < end, f'no {what} within {timeout} s'
        time.sleep(0.5)


def table(path):
    """run name -> its row of table.txt, split on spaces."""
    lines = read(os.path.join(path, folder.TABLE)).splitlines()[1:]
    return {line.split()[0]: line.split() for line in lines}


def launches(path, name):
    return read(os.path.join(path, 'logs', name + '.txt')).count('\n== ') + 1


def test_a_sweep_on_a_cluster_survives_a_failure_ctrl_c_and_resumes(cluster, env, tmp_path):
    out, log_path = str(tmp_path / 'sweep'), str(tmp_path / 'sweep.log')
    runs = {name: os.path.join(out, name) for name in ('run_00', 'run_01', 'run_02')}
    with open(log_path, 'w') as log:
        # 1000 steps finishes; 6000 is still going at Ctrl-C; 0 fails at once.
        sweep = start_sweep(['--address', cluster, '--runs', '1', '--grid', 'steps=1000,6000,0',
                             '--outdir', out, '--'] + SCRIPT, env, log)
        try:
            wait_for(lambda: progress.finished(runs['run_00']) and
                     progress.numbers(runs['run_01'])['steps'], sweep, 150,
                     'finished run and a run in training', log_path)
            os.killpg(sweep.pid, signal.SIGINT)  # what Ctrl-C at its terminal sends
            assert sweep.wait(timeout=90) == 130, read(log_path)
        finally:
            if sweep.poll() is None:
                os.killpg(sweep.pid, signal.SIGKILL)
    rows = table(out)
    assert rows['run_00'][3] == '1000' and rows['run_00'][-1] == 'finished'
    assert rows['run_01'][-1] == 'stopped'
    stopped_at = checkpoints.latest(runs['run_01'])
    assert stopped_at.endswith('_except.h5') and checkpoints.steps_of(stopped_at) < 6000
    failed = ' '.join(rows['run_02'][7:])
    assert failed.startswith('failed (exit 2)') and "--steps: '0' is not a positive" in failed

    with open(log_path, 'a') as log:
        resumed = start_sweep(['--resume', out, '--address', cluster], env, log)
        assert resumed.wait(timeout=240) == 1, read(log_path)  # run_02 fails again
    rows = table(out)
    assert [rows[name][-1] for name in ('run_00', 'run_01')] == ['finished', 'finished']
    assert rows['run_01'][3] == '6000' and rows['run_02'][7].startswith('failed')
    assert os.path.exists(os.path.join(
        runs['run_01'], f'args_resumed_{checkpoints.steps_of(stopped_at)}.txt'))
    # The finished run was left alone; the others were started again.
    assert [launches(out, n) for n in ('run_00', 'run_01', 'run_02')] == [1, 2, 2]


def test_a_sweep_on_a_local_ray_runs_as_many_at_once_as_it_has_cpus(env, tmp_path):
    out = str(tmp_path / 'sweep')
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'sweep.py'), '--cpus', '1', '--runs', '2',
         '--seed', '4', '--outdir', out, '--'] + SCRIPT + ['--steps', '1000'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    plan = folder.load(out)
    assert [r['seed'] for r in plan['runs']] == [4, 5]
    spans = []
    for run in plan['runs']:
        run_dir = folder.run_dir(out, run)
        with open(os.path.join(run_dir, 'args.txt')) as f:
            record = json.load(f)
        assert record['args']['seed'] == run['seed']
        assert record['args']['lr'] == float(dict(run['flags'])['lr'])
        assert progress.finished(run_dir)
        started = datetime.datetime.fromisoformat(record['started']).timestamp()
        spans.append((started, os.path.getmtime(os.path.join(run_dir, '1000_finish.h5'))))
    # One CPU: one run after the other (args.txt has whole seconds).
    first, second = sorted(spans)
    assert second[0] >= first[1] - 1, spans
