"""The action-value network of the paper's value-based methods."""
import chainer
from chainer import links as L

from nets.torso import DQNHead, init_like_torch


class QFunction(chainer.ChainList):
    """ChainList(head, ChainList(linear to one Q value per action)): the A3C FF
    torso with one linear output layer, HDF5 datasets `0/...`, `1/0/W`, `1/0/b`."""

    def __init__(self, n_actions, head=None):
        head = head or DQNHead()
        super().__init__(head, chainer.ChainList(L.Linear(head.n_output, n_actions)))
        self.n_actions = n_actions
        init_like_torch(self)

    def initial_state(self):
        """No memory between steps."""
        return

    def forward(self, xs):
        """Q(s, .) for a batch of observations: (batch, n_actions)."""
        return self[1][0](self[0](xs))
