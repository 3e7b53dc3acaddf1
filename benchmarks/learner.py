"""Times one update of the queue architecture's learner (`a3c.A3CLearner.learn`,
the optimizer's step included) on A3C LSTM: a batch of five-step Atari
segments (random frames, weights and states, each bootstrapped), as the
learner builds itself and through Chainer's graph (`fast` set to None), and
A3C FF's learner on the same frames, alternating.  Each number is the minimum
of the calls' thread CPU times, for a busy machine (`benchmarks.minima`).

    nice -n 19 python -m benchmarks.learner [--reps 20] [--segments 16]
"""
import argparse

from cli import cpu

cpu.configure()  # before numpy loads

import numpy as np  # noqa: E402

import a3c  # noqa: E402
from benchmarks.minima import minima  # noqa: E402
from nets.actor_critic import A3CFF, A3CLSTM  # noqa: E402
from rmsprop_async import RMSpropAsync  # noqa: E402
from training.segment_buffer import Segment  # noqa: E402

T_MAX, ACTIONS = 5, 6


def batch(rng, segments):
    def segment():
        obs = rng.randint(0, 256, (T_MAX + 1, 4, 84, 84)).astype(np.uint8)
        state = tuple((rng.randn(1, 256) * 0.5).astype(np.float32) for _ in range(2))
        return Segment(obs[:T_MAX], rng.randint(ACTIONS, size=T_MAX),
                       rng.randn(T_MAX).astype(np.float32),
                       np.full(T_MAX, -np.log(ACTIONS), np.float32), obs[T_MAX], 0, state)
    return [segment() for _ in range(segments)]


def learner(network):
    np.random.seed(0)
    model = network(ACTIONS)
    optimizer = RMSpropAsync(lr=7e-4, alpha=0.99, eps=0.1, grad_clip=40)
    optimizer.setup(model)
    return a3c.A3CLearner(model, optimizer)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--reps', type=int, default=20)
    parser.add_argument('--segments', type=int, default=16)
    args = parser.parse_args()
    # A model each: the graph's update clears the gradients' arrays.
    built, graph, ff = learner(A3CLSTM), learner(A3CLSTM), learner(A3CFF)
    graph.fast = None
    segments = batch(np.random.RandomState(1), args.segments)
    stateless = [s._replace(state=None) for s in segments]
    cases = {f'A3C LSTM, as built ({"numpy" if built.fast else "graph"})':
             lambda: built.learn(segments),
             'A3C LSTM, through the graph': lambda: graph.learn(segments),
             'A3C FF, as built': lambda: ff.learn(stateless)}
    rounds, reps = 5, max(1, args.reps // 5)
    for name, seconds in minima(cases, reps, rounds).items():
        print(f'{name:32s} {seconds * 1e3:8.2f} ms  (min of {rounds * reps},'
              f' {args.segments} segments of {T_MAX})', flush=True)


if __name__ == '__main__':
    main()
