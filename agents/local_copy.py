"""A process's own copy of the shared model: the paper's thread-specific theta'.

An agent acts and differentiates with the copy, which changes only when it
takes the shared weights (`sync`), and hands its gradient to the optimizer of
the shared model (`apply_gradient`).  Where the shared weights live is not its
business."""
import copy


def params(model):
    return [p for _, p in sorted(model.namedparams())]


def copy_params(sources, destinations):
    for source, destination in zip(sources, destinations):
        destination.array[...] = source.array


class LocalCopy:

    def __init__(self, shared_model):
        self.shared_model = shared_model
        self.model = copy.deepcopy(shared_model)
        self._shared = params(shared_model)
        self._local = params(self.model)

    def sync(self):
        copy_params(self._shared, self._local)

    def apply_gradient(self, optimizer):
        """The local gradient, through `optimizer`, to the shared weights."""
        for local, shared in zip(self._local, self._shared):
            shared.grad = local.grad
        optimizer.update()
