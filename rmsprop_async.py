"""RMSProp as the paper's shared optimizer, with the global gradient norm
clipped, in one pass over each weight:

    grad <- grad min(1, clip / |grad|);   g <- alpha g + (1 - alpha) grad^2;
    theta <- theta - lr grad / sqrt(g + eps)        (epsilon inside the root)

The statistics g sit in `update_rule.state['ms']`, plain arrays that the
training loop may swap for views of shared memory before the workers start.
The update writes into theta and g in place, so such views stay shared.

Why compiled (numba): numpy's version, a hook that scaled the gradients in
place, nine array operations per chunk and Chainer's per-parameter
bookkeeping took 1.2 ms per update of A3C FF's 0.67 M weights, 0.3 ms here:
the norm reads each gradient once, the update reads and writes each weight
once.  The kernels compile when this module is imported, so in the parent
before the workers fork, and numba caches them on disk.
"""
import math

import numba
import numpy as np
from chainer import optimizer

from compiled import compile_cached as _compile

# Arrays of 1 to 4 dimensions (biases to convolution kernels) in C order, of
# float32 (the networks) or float64 (models the tests build for exact math):
# the kernels take them as they are, without a copy that would drop the
# update, and anything else fails loudly instead of being updated elsewhere.
_ARRAYS = [numba.types.Array(dtype, ndim, 'C')
           for dtype in (numba.float32, numba.float64) for ndim in range(1, 5)]


# Reassociation lets the sum run in vector lanes; NaN and infinity still
# propagate into it, which is what the caller checks.
@_compile([numba.float64(a) for a in _ARRAYS], fastmath={'reassoc'})
def _sum_of_squares(grad):
    flat = grad.reshape(grad.size)
    total = 0.0
    for i in range(flat.size):
        x = np.float64(flat[i])
        total += x * x
    return total


# numpy's error model: a division by zero gives infinity instead of raising,
# so the loop has no branch and runs in vector lanes.
# The scalars are of the arrays' type: numba rounds Python floats to it, as
# numpy did, and the whole update then rounds as the numpy operations it
# replaced did, in their order.
@_compile([numba.void(a, a, a, *[a.dtype] * 5) for a in _ARRAYS], error_model='numpy')
def _rmsprop(theta, grad, ms, scale, lr, alpha, one_minus_alpha, eps):
    t, g, m = theta.reshape(theta.size), grad.reshape(grad.size), ms.reshape(ms.size)
    for i in range(t.size):
        gi = g[i] * scale
        mi = m[i] * alpha + gi * gi * one_minus_alpha
        m[i] = mi
        t[i] -= gi / np.sqrt(mi + eps) * lr


class RMSpropAsyncRule(optimizer.UpdateRule):
    """Holds one parameter's statistics (created, shared and saved through
    Chainer's update-rule state); RMSpropAsync.update updates them all at once."""

    def init_state(self, param):
        self.state['ms'] = np.zeros_like(param.array)


class RMSpropAsync(optimizer.GradientMethod):
    """`grad_clip`: the largest global gradient norm (None: no clipping).  With
    clipping, a gradient with NaN or infinity raises FloatingPointError and
    changes nothing: applied, it would turn every shared weight into NaN."""

    def __init__(self, lr=7e-4, alpha=0.99, eps=0.1, grad_clip=None):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.alpha = alpha
        self.hyperparam.eps = eps
        self.grad_clip = grad_clip

    lr = optimizer.HyperparameterProxy('lr')
    alpha = optimizer.HyperparameterProxy('alpha')
    eps = optimizer.HyperparameterProxy('eps')

    def create_update_rule(self):
        return RMSpropAsyncRule(self.hyperparam)

    def setup(self, link):
        super().setup(link)
        self._params = list(link.params())
        return self

    def add_hook(self, hook, name=None, timing='auto'):
        """Refused: `update` is one pass that would skip Chainer's hooks."""
        raise TypeError('RMSpropAsync runs no optimizer hooks; it clips with grad_clip')

    def update(self):
        """One step from the gradients already in the parameters' `.grad`
        (a missing one counts as zero, as in Chainer)."""
        params = self._params
        for p in params:
            if p.grad is None:
                p.grad = np.zeros_like(p.array)
            if p.update_rule.state is None:
                p.update_rule._init_states(p)
        grads = [np.ascontiguousarray(p.grad) for p in params]
        scale = self._clip_scale(grads)
        hp = self.hyperparam
        self.t += 1
        for p, grad in zip(params, grads):
            _rmsprop(p.array, grad, p.update_rule.state['ms'], scale, hp.lr, hp.alpha,
                     1 - hp.alpha, hp.eps)

    def _clip_scale(self, grads):
        """The factor of every gradient: min(1, grad_clip / global norm)."""
        if self.grad_clip is None:
            return 1.0
        norm = math.sqrt(sum(_sum_of_squares(g) for g in grads))
        if not math.isfinite(norm):
            raise FloatingPointError(f'non-finite gradient (global norm {norm})')
        return self.grad_clip / norm if norm > self.grad_clip else 1.0
