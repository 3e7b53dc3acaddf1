"""Reach: a point starts anywhere on [-1, 1] and is to be brought to 0 and
held there; each of 5 steps moves it by half the action (a real number in
[-1, 1]) and costs its squared distance from 0 afterwards.  The best policy
depends on the state (a = -2x, then 0): the Gaussian's mean has to learn it
and its variance to shrink.  The continuous counterpart of catch.py."""
import numpy as np

from envs.environment import Box, Environment

STEPS = 5


class Reach(Environment):
    action_space = Box(np.full(1, -1, np.float32), np.full(1, 1, np.float32))
    observation_shape = (1,)
    observation_dtype = np.float32
    step_cap = STEPS

    def __init__(self, seed=0):
        super().__init__()
        self.rng = np.random.RandomState(seed % (2 ** 32))

    def reset(self):
        self.x, self.steps, self.game_score = self.rng.uniform(-1, 1), 0, 0.0
        return np.array([self.x], np.float32)

    def step(self, action):
        a = float(np.clip(action[0], -1, 1))
        self.x = float(np.clip(self.x + 0.5 * a, -1, 1))
        self.steps += 1
        reward = -self.x ** 2
        self.game_score += reward
        self.game_over = self.steps >= STEPS
        return np.array([self.x], np.float32), reward, self.game_over, False
