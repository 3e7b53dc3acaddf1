"""The timing both microbenchmarks use on a busy machine: the minimum of many
calls, the cases alternating round by round so that drift hits them all."""
import time


def minima(cases, reps, rounds):
    """{name: min seconds of one call} over rounds x reps calls of each case."""
    best = dict.fromkeys(cases, float('inf'))
    for _ in range(rounds):
        for name, f in cases.items():
            for _ in range(reps):
                t = time.perf_counter()
                f()
                best[name] = min(best[name], time.perf_counter() - t)
    return best
