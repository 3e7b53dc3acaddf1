"""State-value functions."""
import chainer
from chainer import links as L


class VFunction(chainer.ChainList):
    """One linear layer to a scalar V(s) (HDF5: `<i>/0/W`, `<i>/0/b`)."""

    def __init__(self, n_input):
        super().__init__(L.Linear(n_input, 1))

    def forward(self, h):
        return self[0](h)
