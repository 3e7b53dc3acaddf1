"""The bounded queue between actors and the learner: segments in shared
memory slots, and two queues of slot numbers (free, full).

A segment's observations are 80 KB and more: written once into a slot by the
actor and read in place by the learner, they are never pickled through a
pipe.  The number of slots bounds how far ahead of the learner the actors can
play: an actor with no free slot waits."""
import collections
import math
import os

import numpy as np

from envs.environment import Box
from training.counters import CTX

_MEMORY = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')


def _shared(shape, dtype):
    """Raises MemoryError for more than this machine's memory: multiprocessing
    would back it with a file on disk and zero it all, filling the disk."""
    dtype = np.dtype(dtype)
    size = math.prod(shape) * dtype.itemsize  # exact, where np.prod would overflow
    if size > _MEMORY:
        raise MemoryError(f"{size / 1e9:.3g} GB, more than this machine's "
                          f"{_MEMORY / 1e9:.3g} GB of memory")
    raw = CTX.RawArray('b', size)
    return np.frombuffer(raw, dtype=dtype).reshape(shape)


# What an actor played: observations, actions, rewards, log mu(a|x) of the
# actor's policy; the observation after the segment and the action the actor
# chose there (Sarsa's target needs it), both None after a terminal state; a
# recurrent network's state at the segment's start (None without memory).
Segment = collections.namedtuple(
    'Segment', 'obs actions rewards log_mu next_obs next_action state', defaults=(None, None))


def action_layout(action_space):
    """(shape, dtype) of one action: a Box's is a vector of the policy's
    float32 numbers, as drawn; any other's an index."""
    if isinstance(action_space, Box):
        return (len(action_space.low),), np.float32
    return (), np.int64


class SegmentBuffer:
    """`state`: the network's initial state, the shape of what each slot keeps
    (or None); `action_space`: the environment's (None: indices)."""

    def __init__(self, slots, t_max, observation_shape, observation_dtype, state=None,
                 action_space=None):
        self.obs = _shared((slots, t_max + 1) + tuple(observation_shape), observation_dtype)
        # a segment's actions, then the next action (as the observations)
        action_shape, action_dtype = action_layout(action_space)
        self.actions = _shared((slots, t_max + 1) + action_shape, action_dtype)
        self.rewards = _shared((slots, t_max), np.float32)
        self.log_mu = _shared((slots, t_max), np.float32)
        self.state = None if state is None else tuple(
            _shared((slots,) + part.shape[1:], part.dtype) for part in state)
        # length, whether the state after it is terminal, the learner's update
        # count when it was played (for the policy lag)
        self.info = _shared((slots, 3), np.int64)
        self.free, self.full = SlotQueue(slots), SlotQueue(slots)
        for i in range(slots):
            self.free.put(i)

    def put(self, segment, version, wait):
        """One `Segment`; False if `wait()` said to give up while no slot was free."""
        i = self.free.get(wait)
        if i is None:
            return False
        n, terminal = len(segment.actions), segment.next_obs is None
        self.obs[i, :n] = segment.obs
        if not terminal:
            self.obs[i, n], self.actions[i, n] = segment.next_obs, segment.next_action
        self.actions[i, :n], self.rewards[i, :n] = segment.actions, segment.rewards
        self.log_mu[i, :n] = segment.log_mu
        for slot, part in zip(self.state or (), segment.state or ()):
            slot[i] = part[0]
        self.info[i] = n, terminal, version
        self.full.put(i)
        return True

    def take(self, count, wait):
        """Up to `count` full slots' numbers, at least one unless `wait()` says to stop."""
        first = self.full.get(wait)
        if first is None:
            return []
        taken = [first]
        while len(taken) < count:
            i = self.full.get(wait)
            if i is None:
                break
            taken.append(i)
        return taken

    def segment(self, i):
        """(the `Segment` of a full slot, as views valid until it is released;
        the version it was played with)."""
        n, terminal, version = self.info[i]
        state = None if self.state is None else tuple(part[i:i + 1] for part in self.state)
        return Segment(self.obs[i, :n], self.actions[i, :n], self.rewards[i, :n],
                       self.log_mu[i, :n], None if terminal else self.obs[i, n],
                       None if terminal else self.actions[i, n], state), version

    def release(self, slots):
        for i in slots:
            self.free.put(i)


class SlotQueue:
    """Slot numbers first in, first out, between processes: a ring in shared
    memory, a lock and a semaphore that counts them.  Not multiprocessing's
    Queue, whose every put pickles and wakes a feeder thread that takes the GIL
    from the actor's own (a sixth of an actor's profile samples).  It holds at
    most `size` numbers: each slot's is in one of the buffer's two at a time."""

    def __init__(self, size):
        self.ring = CTX.RawArray('q', size)
        self.ends = CTX.RawArray('q', 2)  # how many were ever taken, ever put
        self.lock, self.count = CTX.Lock(), CTX.Semaphore(0)

    def put(self, i):
        with self.lock:
            self.ring[self.ends[1] % len(self.ring)] = i
            self.ends[1] += 1
        self.count.release()

    def get(self, wait, poll=0.1):
        """A slot number, or None once `wait()` turns false while there is none."""
        while not self.count.acquire(timeout=poll):
            if not wait():
                return None
        with self.lock:
            i = self.ring[self.ends[0] % len(self.ring)]
            self.ends[0] += 1
        return i
