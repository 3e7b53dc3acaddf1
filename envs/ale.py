"""The Arcade Learning Environment with the DeepMind preprocessing.

Action repeat 4, pixel-wise max of the last two frames, grayscale, area
resize to 84x84, a stack of the last 4 frames, minimal action set, 0-30 no-op
starts.  In training a lost life ends the episode (but not the game) and
rewards are clipped to [-1, 1]; in evaluation neither happens.
"""
import os

import numpy as np

import ale_py
from ale_py import roms
from PIL import Image

SIZE = 84
ACTION_REPEAT = 4
EVAL_STEP_CAP = 27000  # 108,000 frames: 30 minutes of emulator time


class RomError(ValueError):
    """A ROM argument that names no bundled game and no readable ROM file."""


def game_names():
    return sorted(roms.get_all_rom_ids())


def rom_path(rom):
    """A bundled game name (`pong`) or a path to a ROM file."""
    if os.path.sep in rom or rom.endswith('.bin') or os.path.exists(rom):
        if os.path.isdir(rom):
            raise RomError('ROM {!r} is a directory, not a ROM file'.format(rom))
        if not os.path.isfile(rom):
            raise RomError('ROM file {!r} does not exist'.format(rom))
        if not os.access(rom, os.R_OK):
            raise RomError('ROM file {!r} is not readable'.format(rom))
        # ALE ends the whole process on a file it cannot run, so ask first.
        if not ale_py.ALEInterface.isSupportedROM(rom):
            raise RomError('{!r} is not an Atari 2600 ROM that ale-py supports'.format(rom))
        return rom
    if rom not in roms.get_all_rom_ids():
        raise RomError('unknown game {!r}; bundled games: {}'.format(
            rom, ', '.join(game_names())))
    return str(roms.get_rom_path(rom))


class ALE(object):
    """One game.  `reset()` returns the first observation, `step(a)` returns
    (observation, reward, terminated, truncated).  Observations are uint8
    arrays of shape (4, 84, 84); models scale them to [0, 1].  After a step,
    `game_over` says whether the whole game ended and `game_score` is its score."""

    def __init__(self, rom, seed=0, training=True,
                 repeat_action_probability=0.0, max_noops=30,
                 step_cap=EVAL_STEP_CAP):
        path = rom_path(rom)
        ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)  # before: no banner
        self.ale = ale_py.ALEInterface()
        self.ale.setInt('random_seed', int(seed) % (2 ** 31))
        self.ale.setFloat('repeat_action_probability',
                          float(repeat_action_probability))
        self.ale.loadROM(path)
        self.actions = list(self.ale.getMinimalActionSet())
        self.n_actions = len(self.actions)
        self.training = training
        self.max_noops = max_noops
        self.step_cap = step_cap
        self.rng = np.random.RandomState(seed % (2 ** 32))
        self._frames = np.zeros((2, 210, 160), dtype=np.uint8)
        self.obs = np.zeros((4, SIZE, SIZE), dtype=np.uint8)
        self.lives = 0
        self.life_lost = False
        self.steps = 0
        self.game_score = 0.0  # unclipped, over all lives: what the game shows
        self.game_over = False  # the last step ended the game, not only a life

    def _screen(self):
        np.maximum(self._frames[0], self._frames[1], out=self._frames[0])
        # BOX is an area average, like OpenCV's INTER_AREA.
        return np.asarray(Image.fromarray(self._frames[0]).resize(
            (SIZE, SIZE), Image.BOX))

    def _push(self, screen):
        self.obs[:-1] = self.obs[1:]
        self.obs[-1] = screen

    def _repeat(self, action):
        reward = 0.0
        for i in range(ACTION_REPEAT):
            reward += self.ale.act(action)
            if i >= ACTION_REPEAT - 2:
                self.ale.getScreenGrayscale(self._frames[i - ACTION_REPEAT + 2])
            if self.ale.game_over():
                # Later frames never come: the last one stands for both.
                self.ale.getScreenGrayscale(self._frames[0])
                self._frames[1] = self._frames[0]
                break
        return reward

    def reset(self):
        """A new game, or after a lost life in training the same game going on."""
        self.steps = 0
        if not self.life_lost:
            self.ale.reset_game()
            self.game_score = 0.0
            for _ in range(self.rng.randint(self.max_noops + 1)):
                self.game_score += self._repeat(self.actions[0])
                if self.ale.game_over():
                    self.ale.reset_game()
            self.ale.getScreenGrayscale(self._frames[0])
            self._frames[1] = self._frames[0]
            self.obs[:] = self._screen()
        self.lives = self.ale.lives()
        return self.obs.copy()

    def step(self, action_index):
        reward = self._repeat(self.actions[action_index])
        self.game_score += reward
        self._push(self._screen())
        self.steps += 1
        terminated = self.ale.game_over()
        self.life_lost = False
        if self.training:
            lives = self.ale.lives()
            self.life_lost = not terminated and lives < self.lives
            terminated = terminated or self.life_lost
            self.lives = lives
            reward = float(np.clip(reward, -1.0, 1.0))
        truncated = not terminated and self.steps >= self.step_cap
        self.game_over = (terminated or truncated) and not self.life_lost
        return self.obs.copy(), reward, terminated, truncated
