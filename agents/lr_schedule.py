"""The learning-rate schedule: a hook the agent calls with the global step."""


class LinearDecay:
    """The paper's: linear from `lr` at step 0 to 0 at `steps`."""

    def __init__(self, lr, steps):
        self.lr = lr
        self.steps = steps

    def __call__(self, step):
        return self.lr * (1 - step / self.steps)
