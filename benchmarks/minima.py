"""The timing the microbenchmarks use on a busy machine: the minimum of many
calls, the cases alternating round by round so that drift hits them all.

Each call is timed in this thread's CPU time, not wall time: at nice 19 beside
a training run on every core, a call longer than a scheduler slice (a few ms:
the 80-frame batches) is preempted every time, and the minimum of its wall
times measured the other processes (3-4x the CPU time); the cache misses after
a preemption still count, and the minimum finds the calls that had none."""
import argparse
import time


def minima(cases, reps, rounds):
    """{name: min seconds of one call} over rounds x reps calls of each case."""
    best = dict.fromkeys(cases, float('inf'))
    for _ in range(rounds):
        for name, f in cases.items():
            for _ in range(reps):
                t = time.thread_time()
                f()
                best[name] = min(best[name], time.thread_time() - t)
    return best


def by_batch(cases):
    """The command line of the torso's benchmarks, [--reps 200] [batch ...]:
    a line a case and batch size n, cases(n, p) over A3C FF's parameters p,
    each called reps / n times a round (at least 3), 5 rounds."""
    import numpy as np

    from nets.actor_critic import A3CFF
    parser = argparse.ArgumentParser()
    parser.add_argument('batches', nargs='*', type=int, default=[1, 5, 8, 40, 80])
    parser.add_argument('--reps', type=int, default=200)
    args = parser.parse_args()
    p = dict(A3CFF(6).namedparams())
    for param in p.values():
        param.grad = np.zeros_like(param.array)
    for n in args.batches:
        r = max(3, args.reps // n)
        for name, s in minima(cases(n, p), r, rounds=5).items():
            print(f'{n:3d} frames  {name:40s} {s * 1e3:8.3f} ms  (min of {5 * r})', flush=True)
