"""Times the DQN torso's first convolution (nets/conv1.py) at the batches that
occur: 1 frame (acting), 5 (a Hogwild segment's gradient), 8 (a queue actor's
games), 40 and 80 (the queue learner's): its forward, its weight gradient, the
forward's parts (the space-to-depth copy, the product, the shifted sum) and
the whole torso forward + backward.  Each number is the minimum over the
repetitions, the cases alternating, for a busy machine (`benchmarks.minima`).

    nice -n 19 python -m benchmarks.conv [--reps 200] [batch ...]
"""
from cli import cpu

cpu.configure()  # before numpy loads

import numpy as np  # noqa: E402

from benchmarks.minima import by_batch  # noqa: E402
from nets import conv1  # noqa: E402
from nets import numpy_fast as nf  # noqa: E402


def cases(n, p):
    rng = np.random.RandomState(n)
    x = rng.randint(0, 256, (n, 4, 84, 84)).astype(np.uint8)
    W, b = p['/0/0/W'].array, p['/0/0/b'].array
    blocks = conv1.forward(W, b, x)[1]
    chunk = blocks[:441 * min(n, conv1.CHUNK)]
    Wb, h = conv1._block_weights(W), np.empty((min(n, conv1.CHUNK), 20, 20, 16), np.float32)
    y = chunk @ Wb
    d1 = (rng.randn(n, 20, 20, 16) * (rng.rand(n, 20, 20, 16) > 0.3)).astype(np.float32)
    dh = rng.randn(n, 256).astype(np.float32)

    def torso():
        h3, cache = nf.torso_forward(p, x)
        nf.torso_backward(p, dh.copy(), cache, h3, n)

    return {
        'conv1 forward': lambda: conv1.forward(W, b, x),
        '  its blocks': lambda: conv1._to_blocks(x, 0, n, blocks),
        '  its product, one chunk': lambda: np.matmul(chunk, Wb, out=y),
        '  its shifted sum, one chunk': lambda: conv1._shifted_sum(y, b, h),
        'conv1 weight gradient': lambda: conv1.weight_grad(d1, blocks),
        'torso forward + backward': torso,
    }


if __name__ == '__main__':
    by_batch(cases)
