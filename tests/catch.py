"""Catch: a ball falls down a 5x5 grid, the paddle on the bottom row moves left,
stays or moves right, +1 for a catch and -1 for a miss.  Small enough to learn
in a minute, with a delayed reward that needs returns and bootstrapping."""
import numpy as np

from envs.environment import Discrete, Environment

SIZE = 5


class Catch(Environment):
    n_actions = 3
    action_space = Discrete(n_actions)
    observation_shape = (SIZE * SIZE,)
    observation_dtype = np.float32
    step_cap = SIZE

    def __init__(self, seed=0):
        super().__init__()
        self.rng = np.random.RandomState(seed % (2 ** 32))

    def _obs(self):
        grid = np.zeros((SIZE, SIZE), dtype=np.float32)
        grid[self.row, self.ball] = 1
        grid[SIZE - 1, self.paddle] = 1
        return grid.ravel()

    def reset(self):
        self.row, self.ball = 0, self.rng.randint(SIZE)
        self.paddle = self.rng.randint(SIZE)
        return self._obs()

    def step(self, action):
        self.paddle = int(np.clip(self.paddle + action - 1, 0, SIZE - 1))
        self.row += 1
        self.game_over = self.row >= SIZE - 1
        self.game_score = (1.0 if self.paddle == self.ball else -1.0) if self.game_over else 0.0
        return self._obs(), self.game_score, self.game_over, False
