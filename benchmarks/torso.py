"""Times the DQN torso of nets/numpy_fast.py at the batches that occur: 1
frame (acting), 5 (a Hogwild segment's gradient), 8 (a queue actor's games),
40 and 80 (the queue learner's): its forward and its backward, and their
parts: the second convolution (nets/conv2.py) each way, the linear layer's
product, weight gradient and d(input), and conv1's weight gradient.  Each
number is the minimum over the repetitions, the cases alternating, for a
busy machine (`benchmarks.minima`).

    nice -n 19 python -m benchmarks.torso [--reps 200] [batch ...]
"""
from cli import cpu

cpu.configure()  # before numpy loads

import numpy as np  # noqa: E402

from benchmarks.minima import by_batch  # noqa: E402
from nets import conv1, conv2, linear  # noqa: E402
from nets import numpy_fast as nf  # noqa: E402


def cases(n, p):
    rng = np.random.RandomState(n)
    x = rng.randint(0, 256, (n, 4, 84, 84)).astype(np.uint8)
    dh = rng.randn(n, 256).astype(np.float32)
    h3, cache = nf.torso_forward(p, x)
    x1, h1, x2, f = cache
    W2, b2, W3 = p['/0/1/W'].array, p['/0/1/b'].array, p['/0/2/W'].array
    df = dh @ W3
    d1 = conv2.backward(W2, df, f, x2, h1)[2]
    return {
        'torso forward': lambda: nf.torso_forward(p, x),
        '  conv2 forward': lambda: conv2.forward(W2, b2, h1),
        '  linear: W @ f.T': lambda: W3 @ f.T,
        'torso backward (and a copy of dh)': lambda: nf.torso_backward(p, dh.copy(), cache, h3, n),
        '  linear: weight gradient': lambda: linear.weight_grad(dh, f, p['/0/2/W'].grad),
        '  linear: dh @ W': lambda: dh @ W3,
        '  conv2 backward': lambda: conv2.backward(W2, df, f, x2, h1),
        '  conv1 weight gradient': lambda: conv1.weight_grad(d1, x1),
    }


if __name__ == '__main__':
    by_batch(cases)
