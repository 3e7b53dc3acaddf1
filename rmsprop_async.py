"""RMSProp as the paper's shared optimizer: epsilon inside the square root.

    g <- alpha g + (1 - alpha) grad^2;   theta <- theta - lr grad / sqrt(g + eps)

The statistics g sit in `update_rule.state['ms']`, plain arrays that the
training loop may swap for views of shared memory before the workers start.
The update is in place, so such views stay shared.
"""
import math

import numpy as np
from chainer import optimizer

# Elements per pass: a chunk of each of the four arrays stays in a 2 MB L2
# cache through all the passes, instead of the whole fully connected layer's
# 2.6 MB going out to memory and back for each (measured 30% faster here).
CHUNK = 1 << 16


class RMSpropAsyncRule(optimizer.UpdateRule):

    def init_state(self, param):
        self.state['ms'] = np.zeros_like(param.array)

    def update_core(self, param):
        grad = param.grad
        if grad is None:
            return
        tmp = getattr(self, '_scratch', None)
        if tmp is None:  # a buffer of our own, so that no update allocates
            tmp = self._scratch = np.empty_like(param.array)
        arrays = [a.reshape(-1) for a in (param.array, grad, self.state['ms'], tmp)]
        for i in range(0, arrays[0].size, CHUNK):
            self._step(*(a[i:i + CHUNK] for a in arrays))

    def _step(self, theta, grad, ms, tmp):
        hp = self.hyperparam
        ms *= hp.alpha
        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - hp.alpha
        ms += tmp
        np.add(ms, hp.eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.divide(grad, tmp, out=tmp)
        tmp *= hp.lr
        theta -= tmp


class RMSpropAsync(optimizer.GradientMethod):

    def __init__(self, lr=7e-4, alpha=0.99, eps=0.1):
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.alpha = alpha
        self.hyperparam.eps = eps

    lr = optimizer.HyperparameterProxy('lr')
    alpha = optimizer.HyperparameterProxy('alpha')
    eps = optimizer.HyperparameterProxy('eps')

    def create_update_rule(self):
        return RMSpropAsyncRule(self.hyperparam)


class ClipGradient(object):
    """An optimizer hook: Chainer's GradientClipping (the global norm at most
    `threshold`), but a gradient with NaN or infinity raises
    FloatingPointError: applied, it would turn every shared weight into NaN."""

    name = 'GradientClipping'
    timing = 'pre'

    def __init__(self, threshold):
        self.threshold = threshold

    def __call__(self, optimizer):
        grads = [p.grad for p in optimizer.target.params(False) if p.grad is not None]
        norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
        if not math.isfinite(norm):
            raise FloatingPointError('non-finite gradient (global norm {})'.format(norm))
        if norm > self.threshold:
            for g in grads:
                g *= self.threshold / norm
