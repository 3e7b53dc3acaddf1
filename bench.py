"""Throughput on this machine: the emulator alone (the ceiling), then training
steps/s and per-worker memory for each method and process count, as a table
and as JSON.  With --peers, ChainerRL and PFRL (../shared/bench/peers/) are
measured in the same invocation and the ratios printed.

    python bench.py [--processes 1,2] [--seconds 60] [--methods a3c-ff,a3c-lstm,...]
                    [--without-tensorboard] [--hogwild-parts] [--queue-parts]

Each training run is the real script (`a3c_ale.py` / `q_ale.py`) on Pong, or
`a3c_doom.py` on a ViZDoom scenario (defend_the_center) beside the Doom engine
alone, with evaluation off; its rate is read from the global step counter in its progress
lines, from `--warmup` seconds after the first line to the last one (start-up
excluded, as the peers' harness does).  --hogwild-parts adds the CPU time per
step of each part of one Hogwild worker (A3C FF and LSTM), --queue-parts that of
the queue architecture's emulator, actor and learner, and the ceiling their sum
sets on its steps/s (`benchmarks/parts.py`).
"""
from cli import cpu

cpu.configure()  # before numpy loads

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

from benchmarks import procfs  # noqa: E402
from benchmarks.parts import hogwild_parts, hogwild_parts_table, queue_parts, queue_parts_table  # noqa: E402
from cli.arguments import ArgumentParser, check_output_file, positive_float, positive_int  # noqa: E402
from envs import ale, doom  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = {
    'a3c-ff': ['a3c_ale.py'],
    'a3c-lstm': ['a3c_ale.py', '--use-lstm'],
    'one-step-q': ['q_ale.py', '--method', 'one-step-q'],
    'sarsa': ['q_ale.py', '--method', 'sarsa'],
    'n-step-q': ['q_ale.py', '--method', 'n-step-q'],
    'a3c-ff-queue': ['a3c_ale.py', '--architecture', 'queue'],
    'a3c-lstm-queue': ['a3c_ale.py', '--use-lstm', '--architecture', 'queue'],
    'a3c-ff-doom': ['a3c_doom.py'],
}
DOOM_METHODS = ('a3c-ff-doom',)  # these take --scenario instead of --rom
PEERS = os.path.join(HERE, '..', 'shared', 'bench', 'peers')
STATUS = re.compile(r'^steps (\d+)/')


def _emulate(make_env, seconds, result):
    env, rng = make_env(os.getpid()), np.random.RandomState(0)
    env.reset()
    n, end = 0, time.time() + seconds
    while time.time() < end:
        _, _, terminated, truncated = env.step(rng.randint(env.action_space.n))
        n += 1
        if terminated or truncated:
            env.reset()
    result.put(n / seconds)


def emulator_rate(make_env, processes, seconds):
    """Mean steps/s per process with `processes` emulators (`make_env(seed)`) running at once."""
    ctx = mp.get_context('fork')
    result = ctx.SimpleQueue()
    procs = [ctx.Process(target=_emulate, args=(make_env, seconds, result))
             for _ in range(processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return float(np.mean([result.get() for _ in procs]))


def training_rate(method, processes, game, seconds, warmup, flags=()):
    """(steady steps/s, largest worker's resident MB, each child process's CPU
    ms per agent step in the order they started) of one real training run.
    The CPU time is what found the queue's learner copying its batch twice:
    the parts, measured alone, cannot show what the run does around them."""
    outdir = tempfile.mkdtemp(prefix='bench-')
    cmd = [sys.executable, os.path.join(HERE, METHODS[method][0])] + METHODS[method][1:] + [
        str(processes), game, '--steps', str(10 ** 9), '--eval-frequency', str(10 ** 9),
        '--eval-n-runs', '1', '--log-interval', '1', '--checkpoint-interval', '0',
        '--outdir', os.path.join(outdir, 'run')] + list(flags)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, bufsize=1)
    marks, rss, start, cpu = [], 0.0, None, []
    for line in proc.stdout:
        m = STATUS.match(line)
        if not m:
            continue
        now = time.time()
        start = start or now
        marks.append((now, int(m.group(1))))
        children = procfs.children(proc.pid)
        rss = max([rss] + [procfs.rss_mb(c) for c in children])
        if not cpu and now - start >= warmup:
            cpu = [procfs.cpu_seconds(children)]
        if now - start >= seconds:
            cpu.append(procfs.cpu_seconds(cpu[0] if cpu else ()))
            break
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    steady = [(t, s) for t, s in marks if t - marks[0][0] >= warmup]
    if len(steady) < 2:
        raise RuntimeError(f'{method} with {processes} processes printed too few progress lines')
    (t0, s0), (t1, s1) = steady[0], steady[-1]
    cpu_ms = [] if len(cpu) < 2 else [(cpu[1][pid] - cpu[0][pid]) / (s1 - s0) * 1e3
                                      for pid in sorted(cpu[0]) if pid in cpu[1]]
    return (s1 - s0) / (t1 - t0), rss, cpu_ms


def peer_rates(peer):
    """{processes: steady steps/s} from one round of the peers' own harness."""
    out = tempfile.mkdtemp(prefix='peers-')
    env = dict(os.environ, OUT=out, REPS='1')
    subprocess.run(['bash', os.path.join(PEERS, 'run_peer.sh'), peer], env=env, check=True)
    rates = {}
    with open(os.path.join(out, f'results_{peer}.jsonl')) as f:
        for line in f:
            d = json.loads(line)
            rates[d['processes']] = d['steady_steps_per_s']
    return rates


def parse_args():
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--processes', default=','.join(
        str(p) for p in range(1, os.cpu_count() + 1)),
        help='comma-separated process counts (default: 1 to the number of cores)')
    parser.add_argument('--methods', default=','.join(METHODS),
                        help='comma-separated, from: ' + ', '.join(METHODS))
    parser.add_argument('--rom', default='pong')
    parser.add_argument('--scenario', default='defend_the_center',
                        help='the ViZDoom scenario of the Doom rows')
    parser.add_argument('--seconds', type=positive_float, default=60.0,
                        help='length of each training run')
    parser.add_argument('--warmup', type=positive_float, default=15.0,
                        help='seconds of each training run not measured, below --seconds')
    parser.add_argument('--emulator-seconds', type=positive_int, default=15)
    parser.add_argument('--peers', action='store_true',
                        help='also run ChainerRL and PFRL (about 8 minutes each)')
    parser.add_argument('--without-tensorboard', action='store_true',
                        help='run each method again with --no-tensorboard, right after')
    parser.add_argument('--hogwild-parts', action='store_true',
                        help="also time each part of one Hogwild worker's step (CPU ms)")
    parser.add_argument('--queue-parts', action='store_true',
                        help="also measure the CPU time per step of the queue architecture's "
                        'parts (emulator, actor, learner), which bounds its speed')
    parser.add_argument('--json', default='bench.json')
    args = parser.parse_args()
    if args.warmup >= args.seconds:
        parser.error(f'--warmup {args.warmup:g} is not below --seconds {args.seconds:g}: no '
                     'second would be measured')
    check_output_file('--json', args.json)
    try:
        processes = [positive_int(p) for p in args.processes.split(',')]
    except argparse.ArgumentTypeError:
        parser.error(f'--processes {args.processes!r} is not a list of positive integers')
    methods = args.methods.split(',')
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error('unknown method {!r}; choose from {}'.format(unknown[0], ', '.join(METHODS)))
    try:
        ale.rom_path(args.rom)
        doom.config_path(args.scenario)
    except ValueError as e:
        parser.error(str(e))
    return args, processes, methods


def main():
    args, processes, methods = parse_args()
    results = {'machine': {'cpus': os.cpu_count(), 'cpu': _cpu_name(),
                           'openblas_coretype': os.environ.get('OPENBLAS_CORETYPE'),
                           'software': _software()},
               'rom': args.rom, 'scenario': args.scenario,
               'seconds': args.seconds, 'warmup': args.warmup,
               'emulator': {}, 'doom_engine': {}, 'training': {}, 'peers': {}}
    print(results['machine']['software'], flush=True)
    for p in processes:
        results['emulator'][p] = emulator_rate(
            lambda seed: ale.ALE(args.rom, seed=seed), p, args.emulator_seconds)
        print('emulator alone, {} process(es): {:.0f} steps/s per process'.format(
            p, results['emulator'][p]), flush=True)
        if set(methods) & set(DOOM_METHODS):
            results['doom_engine'][p] = emulator_rate(
                lambda seed: doom.Doom(args.scenario, seed=seed), p, args.emulator_seconds)
            print('Doom engine alone, {} process(es): {:.0f} steps/s per process'.format(
                p, results['doom_engine'][p]), flush=True)
    variants = [('', [])] + [(' --no-tensorboard', ['--no-tensorboard'])] * \
        args.without_tensorboard
    for method in methods:
        game = args.scenario if method in DOOM_METHODS else args.rom
        for p in processes:
            for suffix, flags in variants:  # alternating: the machine's drift hits both
                rate, rss, cpu_ms = training_rate(method, p, game, args.seconds, args.warmup,
                                                  flags)
                results['training'].setdefault(method + suffix, {})[p] = {
                    'steps_per_s': rate, 'worker_rss_mb': rss, 'cpu_ms_per_step': cpu_ms}
                print(f'{method}{suffix} with {p} process(es): {rate:.0f} steps/s, '
                      f'largest worker {rss:.0f} MB, CPU ms per step of each process '
                      f'{", ".join(f"{ms:.3f}" for ms in cpu_ms)}', flush=True)
    if args.hogwild_parts:
        results['hogwild_parts'] = {'A3C FF': hogwild_parts(args.rom),
                                    'A3C LSTM': hogwild_parts(args.rom, lstm=True)}
    if args.queue_parts:
        results['queue_parts'] = queue_parts(args.rom, 8, (8, 16, 32, 64))
    if args.peers:
        for peer in ('chainerrl', 'pfrl'):
            results['peers'][peer] = peer_rates(peer)
    with open(args.json, 'w') as f:
        json.dump(results, f, indent=2)
    print()
    print(table(results, processes))
    if 'hogwild_parts' in results:
        print()
        print(hogwild_parts_table(results))
    if 'queue_parts' in results:
        print()
        print(queue_parts_table(results))
    print('\n{} (figures also in {})'.format(results['machine']['software'], args.json))


def table(results, processes):
    cols = ' | '.join(f'{p} proc' for p in processes)
    lines = ['| steps/s on {} ({} cores) | {} | worker RSS (MB) |'.format(
        results['rom'], results['machine']['cpus'], cols),
        '|---|' + '---|' * (len(processes) + 1)]
    lines.append('| emulator alone, per process | {} | |'.format(' | '.join(
        '{:.0f}'.format(results['emulator'][p]) for p in processes)))
    if results['doom_engine']:
        lines.append('| Doom engine alone ({}), per process | {} | |'.format(
            results['scenario'], ' | '.join('{:.0f}'.format(results['doom_engine'][p])
                                            for p in processes)))
    for method, by_p in results['training'].items():
        doom_scenario = ' ({})'.format(results['scenario']) if method in DOOM_METHODS else ''
        label = method + doom_scenario
        lines.append('| {} | {} | {:.0f} |'.format(label, ' | '.join(
            '{:.0f}'.format(by_p[p]['steps_per_s']) if p in by_p else '' for p in processes),
            max(r['worker_rss_mb'] for r in by_p.values())))
    for peer, by_p in results['peers'].items():
        lines.append('| {} (peer) | {} | |'.format(peer, ' | '.join(
            f'{by_p[p]:.0f}' if p in by_p else '' for p in processes)))
    ours = results['training'].get('a3c-ff', {})
    for peer, by_p in results['peers'].items():
        for p in processes:
            if p in ours and p in by_p:
                lines.append('a3c-ff / {} with {} process(es): {:.2f}x'.format(
                    peer, p, ours[p]['steps_per_s'] / by_p[p]))
    return '\n'.join(lines)


def _software():
    """Python, numpy and the BLAS under it, with the kernels it chose for this CPU: the
    kernels, more than the version, decide these products' speed."""
    blas = [i for i in threadpool_info() if i['user_api'] == 'blas']
    kernels = ', '.join('{} {} ({} kernels)'.format(
        i['internal_api'], i['version'], i.get('architecture')) for i in blas)
    return 'Python {}, numpy {}, {}'.format(platform.python_version(), np.__version__,
                                            kernels or 'no BLAS found')


def _cpu_name():
    try:
        with open('/proc/cpuinfo') as f:
            return next(line.split(':', 1)[1].strip() for line in f
                        if line.startswith('model name'))
    except (OSError, StopIteration):
        return None


if __name__ == '__main__':
    main()
