"""A process's own copy of the shared model: the paper's thread-specific theta'.

An agent acts and differentiates with the copy, which changes only when it
takes the shared weights (`sync`), and hands its gradient to the optimizer of
the shared model (`apply_gradient`).  Where the shared weights live is not its
business."""
import copy


def params(model):
    return [p for _, p in sorted(model.namedparams())]


class LocalCopy(object):

    def __init__(self, shared_model):
        self.model = copy.deepcopy(shared_model)
        self._shared = params(shared_model)
        self._local = params(self.model)

    def sync(self):
        for local, shared in zip(self._local, self._shared):
            local.array[...] = shared.array

    def apply_gradient(self, optimizer):
        """The local gradient, through `optimizer`, to the shared weights."""
        for local, shared in zip(self._local, self._shared):
            shared.grad = local.grad
        optimizer.update()
