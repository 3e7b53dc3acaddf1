"""The Arcade Learning Environment, as the paper plays it.

Action repeat 4, the last two frames of each repeat made into an 84x84 screen
(`envs.preprocessing`: the DeepMind protocol by default), a stack of the last
4 screens, the minimal action set, 0-30 no-op starts.  In training a lost life
ends the episode (but not the game) and rewards are clipped to [-1, 1]; in
evaluation neither happens.
"""
import os

import ale_py
import numpy as np
from ale_py import roms

from cli.arguments import probability
from envs.environment import Discrete, Environment
from envs.files import check_readable
from envs.preprocessing import DEFAULT, PREPROCESSINGS, SIZE

ACTION_REPEAT = 4
EVAL_STEP_CAP = 27000  # 108,000 frames: 30 minutes of emulator time


# A resumed run must keep these.
RUN_FLAGS = ('rom', 'preprocessing')


def add_arguments(parser):
    """The Atari flags of a training script."""
    parser.add_argument('rom', help='a game bundled with ale-py (pong, breakout, '
                        'space_invaders, ...) or the path of a ROM file')
    parser.add_argument('--repeat-action-probability', type=probability, default=0.0,
                        help='sticky actions; 0 reproduces the paper, ale-py defaults to 0.25')
    parser.add_argument('--preprocessing', choices=sorted(PREPROCESSINGS), default=DEFAULT,
                        help='how screens become observations (default: %(default)s; '
                        'original: the original Chainer repository\'s pipeline)')


def env_maker(args):
    """make_env(seed, training) for a script's parsed flags."""
    def make_env(seed, training):
        return ALE(args.rom, seed=seed, training=training, preprocessing=args.preprocessing,
                   repeat_action_probability=args.repeat_action_probability)
    return make_env


class RomError(ValueError):
    """A ROM argument that names no bundled game and no readable ROM file."""


def game_names():
    return sorted(roms.get_all_rom_ids())


def rom_path(rom):
    """A bundled game name (`pong`) or a path to a ROM file."""
    if os.path.sep in rom or rom.endswith('.bin') or os.path.exists(rom):
        check_readable(rom, 'ROM', 'a ROM file', RomError)
        # ALE ends the whole process on a file it cannot run, so ask first.
        if not ale_py.ALEInterface.isSupportedROM(rom):
            raise RomError(f'{rom!r} is not an Atari 2600 ROM that ale-py supports')
        return rom
    if rom not in roms.get_all_rom_ids():
        raise RomError('unknown game {!r}; bundled games: {}'.format(
            rom, ', '.join(game_names())))
    return str(roms.get_rom_path(rom))


class ALE(Environment):
    """One game (`envs.environment` has the interface).  Observations are uint8
    arrays of shape (4, 84, 84); models scale them to [0, 1]."""

    observation_shape = (4, SIZE, SIZE)
    observation_dtype = np.uint8

    def __init__(self, rom, seed=0, training=True,
                 repeat_action_probability=0.0, max_noops=30,
                 step_cap=EVAL_STEP_CAP, preprocessing=DEFAULT):
        super().__init__()
        path = rom_path(rom)
        self.preprocessing = PREPROCESSINGS[preprocessing]()
        self.record = {'environment': 'ale', 'game': rom if path != rom else
                       os.path.basename(rom), 'preprocessing': preprocessing}
        ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)  # before: no banner
        self.ale = ale_py.ALEInterface()
        self.ale.setInt('random_seed', int(seed) % (2 ** 31))
        self.ale.setFloat('repeat_action_probability',
                          float(repeat_action_probability))
        self.ale.loadROM(path)
        self.actions = list(self.ale.getMinimalActionSet())
        self.action_space = Discrete(len(self.actions))
        self.training = training
        self.max_noops = max_noops
        self.step_cap = step_cap
        self.rng = np.random.RandomState(seed % (2 ** 32))
        self._frames = np.zeros((2,) + self.preprocessing.raw_shape, dtype=np.uint8)
        self.obs = np.zeros(self.observation_shape, dtype=np.uint8)
        self.lives = 0
        self.life_lost = False

    def _screen(self):
        return self.preprocessing.screen(self._frames)

    def _push(self, screen):
        self.obs[:-1] = self.obs[1:]
        self.obs[-1] = screen

    def _repeat(self, action):
        reward = 0.0
        for i in range(ACTION_REPEAT):
            reward += self.ale.act(action)
            if i >= ACTION_REPEAT - 2:
                self.preprocessing.grab(self.ale, self._frames[i - ACTION_REPEAT + 2])
            if self.ale.game_over():
                # Later frames never come: the last one stands for both.
                self.preprocessing.grab(self.ale, self._frames[0])
                self._frames[1] = self._frames[0]
                break
        return reward

    def reset(self):
        """A new game, or after a lost life in training the same game going on."""
        self.steps = 0
        if not self.life_lost:
            self.ale.reset_game()
            self.game_score = 0.0
            self._noops(self.rng.randint(self.max_noops + 1))
            self.preprocessing.grab(self.ale, self._frames[0])
            self._frames[1] = self._frames[0]
            self.obs[:] = self._screen()
            if self.preprocessing.zero_started_stack:
                self.obs[:-1] = 0
        self.lives = self.ale.lives()
        return self.obs.copy()

    def _noops(self, n):
        for _ in range(n):
            if self.preprocessing.single_frame_noops:
                self.game_score += self.ale.act(self.actions[0])
            else:
                self.game_score += self._repeat(self.actions[0])
            if self.ale.game_over():
                self.ale.reset_game()

    def rgb_frame(self):
        return self.ale.getScreenRGB()

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
