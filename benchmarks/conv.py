"""Times the DQN torso's first convolution, numpy's im2col and product against
the compiled kernels (nets/conv_kernels.py), for 1, 5 and 80 frames: forward,
weight gradient, and the whole torso forward + backward.  Each number is the
minimum over the repetitions, A and B alternating, for a busy machine.

    nice -n 19 python -m benchmarks.conv [--reps 300] [batch ...]
"""
import argparse

from cli import cpu

cpu.configure()  # before numpy loads

import numpy as np  # noqa: E402

from benchmarks.minima import minima  # noqa: E402
from nets import conv_kernels  # noqa: E402
from nets import numpy_fast as nf  # noqa: E402
from nets.actor_critic import A3CFF  # noqa: E402


def timings(cases, reps, rounds=5):
    """{name: min ms} of one call (`benchmarks.minima`)."""
    return {name: t * 1e3 for name, t in minima(cases, reps, rounds).items()}


def cases(n, p):
    rng = np.random.RandomState(n)
    x = rng.randint(0, 256, (n, 4, 84, 84)).astype(np.uint8)
    W, b = p['/0/0/W'].array, p['/0/0/b'].array
    col1 = nf._conv1_columns(x)
    d1 = (rng.randn(n, 20, 20, 16) * (rng.rand(n, 20, 20, 16) > 0.3)).astype(np.float32)
    d1_rows, out, g = d1.reshape(-1, 16), np.empty((n, 20, 20, 16), np.float32), np.empty(
        (4, 8, 8, 16), np.float32)
    dh = rng.randn(n, 256).astype(np.float32)

    def numpy_forward():
        h = nf._conv1_columns(x) @ (nf._conv1_weight(W).T * nf.SCALE)
        h += b
        np.maximum(h, 0, out=h)

    def torso(obs):
        h3, cache = nf.torso_forward(p, obs)
        nf.torso_backward(p, dh.copy(), cache, h3, n)

    return {
        'conv1 fwd numpy': numpy_forward,
        'conv1 fwd kernel': lambda: conv_kernels.conv1_forward(
            x, np.ascontiguousarray((W * nf.SCALE).transpose(1, 2, 3, 0)), b, out),
        'conv1 dW numpy (im2col kept)': lambda: d1_rows.T @ col1,
        'conv1 dW numpy (im2col again)': lambda: d1_rows.T @ nf._conv1_columns(x),
        'conv1 dW kernel': lambda: conv_kernels.conv1_weight_grad(x, d1, g),
        'torso fwd+bwd numpy (float32 frames)': lambda: torso(x.astype(np.float32)),
        'torso fwd+bwd kernels (uint8 frames)': lambda: torso(x),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('batches', nargs='*', type=int, default=[1, 5, 80])
    parser.add_argument('--reps', type=int, default=200)
    args = parser.parse_args()
    p = dict(A3CFF(6).namedparams())
    for param in p.values():
        param.grad = np.zeros_like(param.array)
    for n in args.batches:
        reps = max(3, args.reps // n)
        for name, ms in timings(cases(n, p), reps).items():
            print(f'{n:3d} frames  {name:40s} {ms:8.3f} ms  (min of {5 * reps})', flush=True)


if __name__ == '__main__':
    main()
