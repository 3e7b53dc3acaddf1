"""The named preprocessings: the original repository's pipeline against an
independent reference, and the record that lets a model be played as trained."""
import numpy as np
import pytest

from envs import ale
from envs.preprocessing import PREPROCESSINGS, Original


def bilinear_reference(img, size=84):
    """Bilinear resize in the 11-bit fixed point of OpenCV's INTER_LINEAR for
    8-bit images, written from its arithmetic: pixel centres at +0.5, the
    weights of the two neighbours rounded to 2048ths, a horizontal pass in
    integers, then the vertical one with its shifts and rounding."""
    def taps(n_in, n_out):
        x = ((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5).astype(np.float32)
        left = np.floor(x).astype(np.int64)
        frac = np.where(left < 0, 0, x - left).astype(np.float32)
        left = np.clip(left, 0, n_in - 1)
        frac = np.where(left >= n_in - 1, 0, frac).astype(np.float32)
        right = np.minimum(left + 1, n_in - 1)
        w0 = np.rint((np.float32(1) - frac) * np.float32(2048)).astype(np.int64)
        return left, right, w0, np.rint(frac * np.float32(2048)).astype(np.int64)
    y0, y1, wy0, wy1 = taps(img.shape[0], size)
    x0, x1, wx0, wx1 = taps(img.shape[1], size)
    a = img.astype(np.int64)
    top = a[y0][:, x0] * wx0 + a[y0][:, x1] * wx1
    bottom = a[y1][:, x0] * wx0 + a[y1][:, x1] * wx1
    return ((((wy0[:, None] * (top >> 4)) >> 16)
             + ((wy1[:, None] * (bottom >> 4)) >> 16) + 2) >> 2).astype(np.uint8)


def luminance(rgb):
    """The original's weights, truncated to bytes as it does."""
    return (rgb[:, :, 0] * 0.2126 + rgb[:, :, 1] * 0.0722 + rgb[:, :, 2] * 0.7152).astype(
        np.uint8)


def test_the_reference_is_a_bilinear_resize():
    assert (bilinear_reference(np.full((210, 160), 77, np.uint8)) == 77).all()
    ramp = np.tile(np.arange(160, dtype=np.uint8), (210, 1))
    x = (np.arange(84) + 0.5) * 160 / 84 - 0.5
    assert np.abs(bilinear_reference(ramp)[0].astype(float) - x).max() <= 1


@pytest.mark.parametrize('game', ['breakout', 'pong', 'space_invaders'])
def test_original_screens_equal_the_reference_on_real_frames(game):
    env = ale.ALE(game, seed=1, preprocessing='original')
    rng = np.random.RandomState(0)
    pipeline, compared = Original(), 0
    env.reset()
    for _ in range(150):
        env.step(rng.randint(env.action_space.n))
        frames = env._frames.copy()
        expected = bilinear_reference(luminance(np.maximum(frames[0], frames[1])))
        np.testing.assert_array_equal(pipeline.screen(frames), expected)
        np.testing.assert_array_equal(env.obs[-1], expected)
        compared += 1
    assert compared == 150


def test_original_stack_starts_with_three_zero_frames():
    env = ale.ALE('breakout', seed=0, training=False, preprocessing='original')
    obs = env.reset()
    assert (obs[:3] == 0).all() and obs[3].any()
    deepmind = ale.ALE('breakout', seed=0, training=False).reset()
    assert all((deepmind[i] == deepmind[3]).all() for i in range(3))


def test_each_environment_records_its_preprocessing():
    for name in PREPROCESSINGS:
        env = ale.ALE('pong', preprocessing=name)
        assert env.record == {'environment': 'ale', 'game': 'pong', 'preprocessing': name}
