"""The timing both microbenchmarks use on a busy machine: the minimum of many
calls, the cases alternating round by round so that drift hits them all.

Each call is timed in this thread's CPU time, not wall time: at nice 19 beside
a training run on every core, a call longer than a scheduler slice (a few ms:
the 80-frame batches) is preempted every time, and the minimum of its wall
times measured the other processes (3-4x the CPU time); the cache misses after
a preemption still count, and the minimum finds the calls that had none."""
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
