"""RMSProp as the paper's shared optimizer: epsilon inside the square root.

    g <- alpha g + (1 - alpha) grad^2;   theta <- theta - lr grad / sqrt(g + eps)

The statistics g sit in `update_rule.state['ms']`, plain arrays that the
training loop may swap for views of shared memory before the workers start.
The update is in place, so such views stay shared.
"""
from chainer import optimizer


class RMSpropAsyncRule(optimizer.UpdateRule):

    def init_state(self, param):
        self.state['ms'] = param.device.xp.zeros_like(param.array)

    def update_core(self, param):
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        xp = param.device.xp
        ms = self.state['ms']
        tmp = getattr(self, '_scratch', None)
        if tmp is None:  # a buffer of our own, so that no update allocates
            tmp = self._scratch = xp.empty_like(param.array)
        ms *= hp.alpha
        xp.multiply(grad, grad, out=tmp)
        tmp *= 1 - hp.alpha
        ms += tmp
        xp.add(ms, hp.eps, out=tmp)
        xp.sqrt(tmp, out=tmp)
        xp.divide(grad, tmp, out=tmp)
        tmp *= hp.lr
        param.array -= tmp


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
