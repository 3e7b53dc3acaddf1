import multiprocessing as mp

import numpy as np

from nets.actor_critic import A3CFF
from rmsprop_async import RMSpropAsync
from training import shared_memory

CTX = mp.get_context('fork')


def test_write_in_one_worker_is_seen_by_another():
    model = A3CFF(4)
    optimizer = RMSpropAsync()
    optimizer.setup(model)
    shared_memory.share_params(model)
    shared_memory.share_states(optimizer)
    W = model[0][0].W
    written, seen = CTX.Event(), CTX.SimpleQueue()

    def writer():
        W.array[0, 0, 0, 0] = 42.0
        W.update_rule.state['ms'][1, 0, 0, 0] = 7.0
        written.set()

    def reader():
        written.wait(10)
        seen.put((float(W.array[0, 0, 0, 0]), float(W.update_rule.state['ms'][1, 0, 0, 0])))

    procs = [CTX.Process(target=reader), CTX.Process(target=writer)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(10)
    assert seen.get() == (42.0, 7.0)
    assert W.array[0, 0, 0, 0] == 42.0  # and the parent sees it too


def test_sharing_keeps_values():
    model = A3CFF(4)
    before = {n: p.array.copy() for n, p in model.namedparams()}
    shared_memory.share_params(model)
    for n, p in model.namedparams():
        np.testing.assert_array_equal(p.array, before[n])
