"""The bounded queue between actors and the learner: segments in shared
memory slots, and two queues of slot numbers (free, full).

A segment's observations are 80 KB and more: written once into a slot by the
actor and read in place by the learner, they are never pickled through a
pipe.  The number of slots bounds how far ahead of the learner the actors can
play: an actor with no free slot waits."""
import queue

import numpy as np

from training.counters import CTX


def _shared(shape, dtype):
    dtype = np.dtype(dtype)
    raw = CTX.RawArray('b', int(np.prod(shape)) * dtype.itemsize)
    return np.frombuffer(raw, dtype=dtype).reshape(shape)


class SegmentBuffer(object):

    def __init__(self, slots, t_max, observation_shape, observation_dtype):
        self.obs = _shared((slots, t_max + 1) + tuple(observation_shape), observation_dtype)
        self.actions = _shared((slots, t_max), np.int64)
        self.rewards = _shared((slots, t_max), np.float32)
        self.log_mu = _shared((slots, t_max), np.float32)  # log mu(a|x) of the actor
        # length, whether the state after it is terminal, the learner's update
        # count when it was played (for the policy lag)
        self.info = _shared((slots, 3), np.int64)
        self.free, self.full = CTX.Queue(), CTX.Queue()
        for i in range(slots):
            self.free.put(i)

    def put(self, obs, actions, rewards, log_mu, next_obs, version, wait):
        """One segment (`next_obs` None after a terminal state); False if
        `wait()` said to give up while no slot was free."""
        i = _get(self.free, wait)
        if i is None:
            return False
        n = len(actions)
        self.obs[i, :n] = obs
        if next_obs is not None:
            self.obs[i, n] = next_obs
        self.actions[i, :n], self.rewards[i, :n], self.log_mu[i, :n] = actions, rewards, log_mu
        self.info[i] = n, next_obs is None, version
        self.full.put(i)
        return True

    def take(self, count, wait):
        """Up to `count` full slots' numbers, at least one unless `wait()` says to stop."""
        first = _get(self.full, wait)
        if first is None:
            return []
        taken = [first]
        while len(taken) < count:
            i = _get(self.full, wait)
            if i is None:
                break
            taken.append(i)
        return taken

    def segment(self, i):
        """(observations, actions, rewards, log mu, next observation or None,
        version) of a full slot, as views: valid until it is released."""
        n, terminal, version = self.info[i]
        return (self.obs[i, :n], self.actions[i, :n], self.rewards[i, :n], self.log_mu[i, :n],
                None if terminal else self.obs[i, n], version)

    def release(self, slots):
        for i in slots:
            self.free.put(i)


def _get(q, wait, poll=0.1):
    """A slot number, or None once `wait()` turns false while there is none."""
    while True:
        try:
            return q.get(timeout=poll)
        except queue.Empty:
            if not wait():
                return None
