"""Times the A3C LSTM's recurrent layer (nets/lstm.py) as a Hogwild worker
calls it: one step forward, and a segment of 5 (five one-step forwards, then
the backward pass), alone and inside the whole network (NumpyA3C: torso,
LSTM, heads, loss).  `--against` adds the whole-network cases of another
numpy_fast.py (an earlier commit's, from `git show`), alternating with this
one's.  Each number is the minimum over the calls, for a busy machine.

    nice -n 19 python -m benchmarks.lstm [--reps 400] [--against old_numpy_fast.py]
"""
import argparse
import importlib.util

from cli import cpu

cpu.configure()  # before numpy loads

import numpy as np  # noqa: E402

from benchmarks.minima import minima  # noqa: E402
from nets import lstm, numpy_fast  # noqa: E402
from nets.actor_critic import A3CLSTM  # noqa: E402

T_MAX = 5


def layer_cases(p, rng):
    x = rng.randn(T_MAX, 256).astype(np.float32)
    dh = rng.randn(T_MAX, 256).astype(np.float32)
    state = tuple(rng.randn(1, 256).astype(np.float32) * 0.5 for _ in range(2))

    def segment():
        s, caches = state, []
        for t in range(T_MAX):
            _, s, cache = lstm.forward(p, x[t:t + 1], s)
            caches.append(cache)
        lstm.backward(p, dh, tuple(np.concatenate(parts) for parts in zip(*caches)))
    return {'layer: forward, 1 step': lambda: lstm.forward(p, x[:1], state),
            f'layer: segment of {T_MAX}, forward + backward': segment}


def network_cases(label, fast, rng):
    obs = rng.randint(0, 256, (T_MAX + 1, 4, 84, 84)).astype(np.uint8)
    state = tuple(rng.randn(1, 256).astype(np.float32) * 0.5 for _ in range(2))
    actions, returns = rng.randint(0, 6, T_MAX), rng.randn(T_MAX)

    def segment():
        s, steps = state, []
        for t in range(T_MAX):
            out, v, s, cache = fast.forward(obs[t:t + 1], s)
            steps.append((out, v, cache))
        fast.forward(obs[T_MAX:], s)  # the bootstrap value
        fast.loss_and_grads(steps, actions, returns, 0.01, 0.5)
    return {f'{label} network: forward, 1 step': lambda: fast.forward(obs[:1], state),
            f'{label} network: segment of {T_MAX}, with bootstrap': segment}


def _module(path):
    spec = importlib.util.spec_from_file_location('numpy_fast_against', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--reps', type=int, default=400)
    parser.add_argument('--against', help='another numpy_fast.py, timed alternately')
    args = parser.parse_args()
    model = A3CLSTM(6)
    fast = numpy_fast.NumpyA3C(model)
    cases = {**layer_cases(fast.p, np.random.RandomState(0)),
             **network_cases('this', fast, np.random.RandomState(1))}
    if args.against:
        other = _module(args.against).NumpyA3C(model)
        cases.update(network_cases('against', other, np.random.RandomState(1)))
    for name, seconds in minima(cases, args.reps // 5, 5).items():
        print(f'{name:50s} {seconds * 1e3:8.3f} ms  (min of {args.reps // 5 * 5})', flush=True)


if __name__ == '__main__':
    main()
