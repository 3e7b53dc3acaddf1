import os
import subprocess
import sys

import chainer
import numpy as np
import pytest

from nets.actor_critic import A3CFF
from nets.torso import MLPHead
from rmsprop_async import RMSpropAsync
from training import shared_memory

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LR, ALPHA, EPS = 7e-4, 0.99, 0.1


def setup(model, **kwargs):
    opt = RMSpropAsync(lr=LR, alpha=ALPHA, eps=EPS, **kwargs)
    opt.setup(model)
    return opt


def reference_step(theta, g, grads, clip):
    """The update in float64: global-norm clipping, then RMSProp with epsilon
    inside the root.  Lists of arrays in, new (theta, g) out."""
    norm = np.sqrt(sum((d ** 2).sum() for d in grads))
    scale = clip / norm if clip is not None and norm > clip else 1.0
    grads = [d * scale for d in grads]
    g = [ALPHA * s + (1 - ALPHA) * d ** 2 for s, d in zip(g, grads)]
    theta = [t - LR * d / np.sqrt(s + EPS) for t, s, d in zip(theta, g, grads)]
    return theta, g


def previous_numpy_step(theta, ms, grad, scale):
    """The numpy update this replaced, in float32, operation by operation."""
    grad = grad * np.float32(scale) if scale != 1 else grad
    tmp = grad * grad
    ms *= ALPHA
    tmp *= 1 - ALPHA
    ms += tmp
    tmp = np.sqrt(ms + EPS)
    tmp = grad / tmp
    tmp *= LR
    theta -= tmp


@pytest.mark.parametrize('clip', [None, 1e3, 1.0], ids=['no-limit', 'under', 'clipped'])
@pytest.mark.parametrize('shape', [(2, 3), (3, 50000)])
def test_steps_equal_float64_reference(shape, clip):
    rng = np.random.RandomState(0)
    link = chainer.links.Linear(shape[1], shape[0])
    params = [link.W, link.b]
    theta = [p.array.astype(np.float64) for p in params]
    g = [np.zeros_like(t) for t in theta]
    opt = setup(link, grad_clip=clip)
    for _ in range(3):
        grads = [rng.randn(*t.shape) for t in theta]
        for p, d in zip(params, grads):
            p.grad = d.astype(np.float32)
        opt.update()
        theta, g = reference_step(theta, g, [p.grad.astype(np.float64) for p in params], clip)
        for p, t, s in zip(params, theta, g):
            np.testing.assert_allclose(p.update_rule.state['ms'], s, rtol=1e-5)
            np.testing.assert_allclose(p.array, t, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('clip', [None, 1e3, 1.0], ids=['no-limit', 'under', 'clipped'])
def test_equals_the_previous_numpy_update_to_the_last_bit_or_so(clip):
    """On the A3C FF network (norm 41): at most one float32 unit in the last
    place from the numpy operations it replaced (the same ones, in the same
    order).  The norm is summed in float64 here as there: the old hook summed
    each array in float32 (np.vdot), which moved the scale by a bit or so."""
    np.random.seed(0)
    model = A3CFF(6)
    opt = setup(model, grad_clip=clip)
    rng = np.random.RandomState(1)
    old = [(p.array.copy(), np.zeros_like(p.array)) for p in model.params()]
    for _ in range(3):
        for p in model.params():
            p.grad = (rng.randn(*p.shape) * 0.05).astype(np.float32)
        norm = np.sqrt(sum((p.grad.astype(np.float64) ** 2).sum() for p in model.params()))
        scale = clip / norm if clip is not None and norm > clip else 1
        assert (scale < 1) == (clip == 1.0)
        for (theta, ms), p in zip(old, model.params()):
            previous_numpy_step(theta, ms, p.grad, scale)
        opt.update()
    for (theta, ms), p in zip(old, model.params()):
        np.testing.assert_array_max_ulp(p.array, theta, maxulp=1)
        np.testing.assert_array_max_ulp(p.update_rule.state['ms'], ms, maxulp=1)


@pytest.mark.parametrize('bad', [np.nan, np.inf, -np.inf])
def test_a_non_finite_gradient_changes_nothing(bad):
    """The last array holds it, so that an update array by array would already
    have written the others."""
    model = A3CFF(3, head=MLPHead(4))
    opt = setup(model, grad_clip=40.0)
    shared_memory.share_states(opt)
    params = list(model.params())
    for p in params:
        p.grad = np.full_like(p.array, 0.5)
    params[-1].grad[0] = bad
    before = [(p.array.copy(), p.update_rule.state['ms'].copy()) for p in params]
    with pytest.raises(FloatingPointError, match='non-finite gradient'):
        opt.update()
    for p, (theta, ms) in zip(params, before):
        assert (p.array == theta).all() and (p.update_rule.state['ms'] == ms).all()


def test_updates_shared_memory_in_place():
    """Hogwild: a forked worker's update lands in the parent's arrays, which
    stay the same objects."""
    model = A3CFF(3, head=MLPHead(4))
    opt = setup(model, grad_clip=40.0)
    shared_memory.share_params(model)
    shared_memory.share_states(opt)
    params = list(model.params())
    arrays = [(p.array, p.update_rule.state['ms']) for p in params]
    before = [p.array.copy() for p in params]
    pid = os.fork()
    if pid == 0:
        try:
            for p in params:
                p.grad = np.ones_like(p.array)
            opt.update()
        finally:
            os._exit(0)
    assert os.waitpid(pid, 0)[1] == 0
    for p, (theta, ms), b in zip(params, arrays, before):
        assert p.array is theta and p.update_rule.state['ms'] is ms
        assert (theta < b).all() and (ms > 0).all()


def test_a_missing_gradient_counts_as_zero():
    link = chainer.links.Linear(3, 2)
    opt = setup(link)
    link.W.grad, link.b.grad = np.ones((2, 3), np.float32), np.ones(2, np.float32)
    opt.update()
    link.cleargrads()
    W, ms = link.W.array.copy(), link.W.update_rule.state['ms'].copy()
    opt.update()
    np.testing.assert_array_equal(link.W.array, W)
    np.testing.assert_allclose(link.W.update_rule.state['ms'], ALPHA * ms, rtol=1e-6)


def test_an_array_it_cannot_update_in_place_fails_loudly():
    link = chainer.links.Linear(3, 4)
    opt = setup(link)
    link.W.array = np.asfortranarray(link.W.array)  # a copy in C order would drop the update
    link.W.grad, link.b.grad = np.ones((4, 3), np.float32), np.ones(4, np.float32)
    with pytest.raises(TypeError):
        opt.update()


def test_hooks_are_refused():
    opt = setup(chainer.links.Linear(3, 2))
    with pytest.raises(TypeError, match='grad_clip'):
        opt.add_hook(chainer.optimizer_hooks.GradientClipping(40))


def test_compiles_without_a_writable_cache():
    """With no folder to cache in, the import warns and compiles for itself,
    before any update."""
    env = dict(os.environ, NUMBA_CACHE_LOCATOR_CLASSES='UserProvidedCacheLocator')
    env.pop('NUMBA_CACHE_DIR', None)
    code = ('import rmsprop_async as r; '
            'print(len(r._rmsprop.signatures), len(r._sum_of_squares.signatures))')
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['8', '8']
    assert 'no locator available' in out.stderr and 'NUMBA_CACHE_DIR' in out.stderr
