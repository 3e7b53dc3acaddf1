"""The compiled max + BOX resize (`envs.box_resize`) against Pillow itself:
the DeepMind screens must be Pillow's, bit for bit, or the zoo's seeded games
would score otherwise."""
import numpy as np
import pytest
from PIL import Image

from envs import ale
from envs.box_resize import MaxBoxResize
from envs.preprocessing import DeepMind


def pillow(frames, size=(84, 84)):
    """The screen as the DeepMind pipeline made it before: Pillow's BOX
    resize of the pixel-wise max (size is (height, width))."""
    image = Image.fromarray(np.maximum(frames[0], frames[1]))
    return np.asarray(image.resize(size[::-1], Image.BOX))


def random_pairs(rng, shape, n):
    """Uniform bytes, bytes near the extremes, only 0 and 255, flat frames,
    and each frame dark where the other is bright."""
    for i in range(n):
        kind = i % 5
        if kind == 0:
            yield rng.randint(0, 256, (2,) + shape).astype(np.uint8)
        elif kind == 1:
            yield rng.choice(np.array([0, 1, 2, 253, 254, 255], np.uint8), (2,) + shape)
        elif kind == 2:
            yield rng.choice(np.array([0, 255], np.uint8), (2,) + shape)
        elif kind == 3:
            yield np.full((2,) + shape, rng.randint(256), np.uint8)
        else:
            a = rng.randint(0, 256, shape).astype(np.uint8)
            yield np.stack([a, 255 - a])


def test_random_frames_equal_pillow():
    resize, rng = MaxBoxResize((210, 160), (84, 84)), np.random.RandomState(0)
    for frames in random_pairs(rng, (210, 160), 500):
        kept = frames.copy()
        np.testing.assert_array_equal(resize(frames), pillow(frames))
        np.testing.assert_array_equal(frames, kept)  # the frames are left as they were


@pytest.mark.parametrize('shape,size', [((210, 160), (84, 84)), ((120, 160), (84, 84)),
                                        ((250, 160), (84, 84)), ((210, 160), (110, 105)),
                                        ((84, 84), (84, 84)), ((200, 130), (42, 21))])
def test_other_shapes_equal_pillow(shape, size):
    resize, rng = MaxBoxResize(shape, size), np.random.RandomState(1)
    for frames in random_pairs(rng, shape, 50):
        np.testing.assert_array_equal(resize(frames), pillow(frames, size))


def test_every_output_pixel_is_its_box():
    """One bright source pixel at a time: each lights the output pixels whose
    boxes hold it, as in Pillow (the box edges are where a rounding would
    show)."""
    resize = MaxBoxResize((210, 160), (84, 84))
    for y in range(210):
        frames = np.zeros((2, 210, 160), np.uint8)
        frames[y % 2, y, (7 * y) % 160] = 255
        frames[1 - y % 2, y, (7 * y + 81) % 160] = 200
        np.testing.assert_array_equal(resize(frames), pillow(frames))


@pytest.mark.parametrize('game', ['breakout', 'pong', 'space_invaders', 'seaquest'])
def test_real_screens_equal_pillow(game):
    env = ale.ALE(game, seed=0)
    assert isinstance(env.preprocessing, DeepMind)
    rng = np.random.RandomState(0)
    env.reset()
    for _ in range(150):
        env.step(rng.randint(env.action_space.n))
        frames = env._frames.copy()
        expected = pillow(frames)
        np.testing.assert_array_equal(env.obs[-1], expected)
        np.testing.assert_array_equal(env.preprocessing.screen(frames.copy()), expected)
