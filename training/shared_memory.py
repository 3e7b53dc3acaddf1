"""Shared memory for Hogwild training: weights and optimizer statistics that
every worker process reads and writes in place, without locks.

Call these in the parent before the workers are forked: each array is moved
into a `multiprocessing.RawArray` and the link or update rule is pointed at a
numpy view of it, which the forked children inherit.
"""
import multiprocessing as mp

import numpy as np


def _shared_copy(array):
    raw = mp.RawArray('b', array.nbytes)
    view = np.frombuffer(raw, dtype=array.dtype).reshape(array.shape)
    view[...] = array
    return view


def share_params(link):
    for param in link.params():
        param.array = _shared_copy(param.array)


def share_states(optimizer):
    """Creates the optimizer's per-parameter statistics now and shares them."""
    for param in optimizer.target.params():
        rule = param.update_rule
        rule._init_states(param)
        for key, value in rule.state.items():
            rule.state[key] = _shared_copy(value)
