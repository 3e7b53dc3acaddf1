"""The named ways an Atari screen becomes the network's 84x84 input.

A model plays well only under the preprocessing it was trained with: the
original Chainer repository's Breakout model scores about 400 under its own
pipeline and half that under the DeepMind one, mostly because of the resize.
So the choice has a name, and every model file records it.

- `deepmind` (this project's default): ALE's grayscale, the pixel-wise max of
  the last two frames, Pillow's box resize (`envs.box_resize`'s compiled
  copy of it, bit for bit); the frame stack starts as four
  copies of the first screen; the 0-30 no-ops at a game's start are agent
  steps (4 frames each).
- `original` (muupan/async-rl's `ale.py`): the max of the last two RGB
  frames, its own luminance weights (0.2126 R + 0.0722 G + 0.7152 B,
  truncated to uint8), OpenCV's bilinear resize (no area averaging); the
  stack starts as three zero frames and the first screen; the no-ops are
  single frames.

Episode rules (lost lives, clipping, the evaluation cap) are the training
protocol's, the same under both.
"""
import numpy as np

from envs.box_resize import MaxBoxResize

SIZE = 84


class DeepMind:
    name = 'deepmind'
    raw_shape = (210, 160)
    zero_started_stack = False
    single_frame_noops = False

    def __init__(self):
        self._resize = MaxBoxResize(self.raw_shape, (SIZE, SIZE))

    def grab(self, ale, out):
        ale.getScreenGrayscale(out)

    def screen(self, frames):
        """The 84x84 screen from the last two raw frames (left as they are):
        Pillow's `Image.fromarray(np.maximum(*frames)).resize((84, 84),
        Image.BOX)`, bit for bit.  BOX averages the source pixels whose
        centres fall in each output pixel (OpenCV's INTER_AREA also weighs in
        the partly covered ones)."""
        return self._resize(frames)


class Original:
    name = 'original'
    raw_shape = (210, 160, 3)
    zero_started_stack = True
    single_frame_noops = True

    def __init__(self):
        # Here, not at the top: OpenCV costs every worker memory and start-up
        # time, and only this pipeline needs it.
        import cv2
        self._cv2 = cv2

    def grab(self, ale, out):
        ale.getScreenRGB(out)

    def screen(self, frames):
        rgb = np.maximum(frames[0], frames[1])
        luminance = (rgb[:, :, 0] * 0.2126 + rgb[:, :, 1] * 0.0722
                     + rgb[:, :, 2] * 0.7152).astype(np.uint8)
        # OpenCV's, as the original: 8 us a frame here against 140 for numpy.
        return self._cv2.resize(luminance, (SIZE, SIZE), interpolation=self._cv2.INTER_LINEAR)


PREPROCESSINGS = {p.name: p for p in (DeepMind, Original)}
DEFAULT = 'deepmind'
