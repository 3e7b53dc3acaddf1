"""The torsos that policies and value functions sit on."""
import chainer
import numpy as np
from chainer import functions as F
from chainer import links as L


def init_like_torch(link):
    """Uniform(+-1/sqrt(fan_in)) for every weight and bias, as the paper's Torch code did."""
    for child in link.links():
        if isinstance(child, (L.Linear, L.Convolution2D)):
            W = child.W.array
            bound = 1.0 / np.sqrt(W[0].size)
            W[...] = np.random.uniform(-bound, bound, W.shape)
            if child.b is not None:
                child.b.array[...] = np.random.uniform(-bound, bound, child.b.shape)
    return link


class DQNHead(chainer.ChainList):
    """The paper's network: conv 16x8x8/4, conv 32x4x4/2, linear 256, ReLU after each.

    Takes uint8 screens (batch, c, 84, 84), by default 4 gray ones, and scales
    them to [0, 1] itself, so that observations travel as bytes."""

    n_output = 256

    def __init__(self, n_input_channels=4):
        super().__init__(
            L.Convolution2D(n_input_channels, 16, 8, stride=4),
            L.Convolution2D(16, 32, 4, stride=2),
            L.Linear(2592, self.n_output))

    def forward(self, x):
        dtype = self[0].W.dtype
        h = np.asarray(x, dtype=dtype) * dtype.type(1 / 255)
        for layer in self:
            h = F.relu(layer(h))
        return h


class MLPHead(chainer.ChainList):
    """A fully connected torso for vector observations: the paper's for
    low-dimensional state is 200 ReLU units.

    Given `scale`, the (mean, standard deviation) of the task's observations,
    it standardises them first, clipped to +-10: MuJoCo's locomotion tasks
    observe velocities in the tens beside angles in tenths.  The scale is
    kept in the model file (`0/obs_mean`, `0/obs_std`)."""

    CLIP = 10.0

    def __init__(self, n_input, n_output=64, scale=None):
        self.n_output = n_output
        super().__init__(L.Linear(n_input, n_output))
        self.standardises = scale is not None
        if self.standardises:
            for name, value in zip(('obs_mean', 'obs_std'), scale):
                self.add_persistent(name, np.asarray(value, np.float32).reshape(n_input))

    def standardise(self, x):
        """Observations (arrays) as the linear layer takes them."""
        x = np.asarray(x, dtype=self[0].W.dtype)
        if self.standardises:
            x = np.clip((x - self.obs_mean) / self.obs_std, -self.CLIP, self.CLIP).astype(x.dtype)
        return x

    def forward(self, x):
        return F.relu(self[0](self.standardise(x)))
