"""ViZDoom scenarios, played the way the paper plays Atari.

A scenario is a `.cfg` (with its `.wad`): its buttons, rewards and episode end.
Each of its buttons, pressed alone, is one discrete action, in the order the
config lists them; an action lasts 4 tics (frame skip 4).  The screen is
rendered at 160x120 in colour and box-resized to 84x84, either made gray
(`gray160x120`: luma) or kept in colour (`rgb160x120`: 3 channels), and the
last 4 screens are stacked, starting as four copies of the first: the Atari
networks and their numpy fast path take 4 or 12 channels.

An episode is a game: it ends as the scenario says, at the player's death or
when the scenario is won (terminated), or at its timeout (truncated: the state
does not show the clock).  Scenarios without a timeout are cut at 27,000
agent steps.  In training rewards are multiplied by --reward-scale, then
clipped to [-1, 1] as for Atari; the score is the scenario's own reward total.

--health-reward K adds K times each step's change of the HEALTH game variable
to the training reward (a potential-based shaping: Ng, Harada and Russell
1999), for scenarios that list HEALTH.  health_gathering hides the player's
health (no HUD, no screen flashes), so a network that sees only the screen
cannot tell that a medkit bought it life: the gain shows only as a later
death, some 100 steps on.
"""
import contextlib
import faulthandler
import os
import re
import tempfile

import numpy as np
import vizdoom
from PIL import Image

from cli.arguments import nonnegative_float, positive_float

# As on Atari: an action lasts ACTION_REPEAT tics, scenarios without a timeout
# of their own are cut at STEP_CAP agent steps, screens are SIZE x SIZE.
from envs.ale import ACTION_REPEAT
from envs.ale import EVAL_STEP_CAP as STEP_CAP
from envs.environment import Discrete, Environment
from envs.files import check_readable
from envs.preprocessing import SIZE

STACK = 4
# --preprocessing: the screen made gray, or kept in colour (README: why the default).
PREPROCESSINGS = {'gray160x120': 1, 'rgb160x120': 3}  # channels per screen
DEFAULT = 'rgb160x120'
# Bundled configs the engine cannot play alone: it crashes on them (multiplayer maps).
MULTIPLAYER = ('cig', 'multi_duel')
HEALTH = vizdoom.GameVariable.HEALTH

# A resumed run must keep these.
RUN_FLAGS = ('scenario', 'reward_scale', 'preprocessing', 'health_reward')


def add_arguments(parser):
    """The Doom flags of a training script."""
    parser.add_argument('scenario', help='a scenario bundled with ViZDoom (basic, '
                        'defend_the_center, health_gathering, ...) or the path of a .cfg')
    parser.add_argument('--reward-scale', type=positive_float, default=1.0,
                        help='training rewards are multiplied by this, then clipped to '
                        '[-1, 1] (default 1; 0.01 for a scenario that pays every tic, such as '
                        'basic or health_gathering)')
    parser.add_argument('--health-reward', type=nonnegative_float, default=0.0,
                        help='training rewards gain this times the change of the HEALTH '
                        'game variable, before --reward-scale (default 0; scenarios that '
                        'list HEALTH, such as health_gathering)')
    parser.add_argument('--preprocessing', choices=sorted(PREPROCESSINGS), default=DEFAULT,
                        help='the screen made gray or kept in colour (default: %(default)s)')


def env_maker(args):
    """make_env(seed, training) for a script's parsed flags."""
    def make_env(seed, training):
        return Doom(args.scenario, seed=seed, training=training,
                    reward_scale=args.reward_scale, preprocessing=args.preprocessing,
                    health_reward=args.health_reward)
    return make_env


class DoomError(ValueError):
    """A scenario that names no bundled one and no config the engine can play."""


def scenario_names():
    """The bundled single-player scenarios: each .cfg with its own .wad beside it."""
    folder = vizdoom.scenarios_path
    return sorted(name[:-4] for name in os.listdir(folder) if name.endswith('.cfg')
                  and os.path.isfile(os.path.join(folder, name[:-4] + '.wad'))
                  and name[:-4] not in MULTIPLAYER)


def config_path(scenario):
    """A bundled scenario's name (`basic`) or a path to a .cfg file."""
    if os.path.sep in scenario or scenario.endswith('.cfg') or os.path.exists(scenario):
        check_readable(scenario, 'scenario', 'a .cfg file', DoomError)
        return os.path.abspath(scenario)
    if scenario not in scenario_names():
        raise DoomError('unknown scenario {!r}; bundled scenarios: {}'.format(
            scenario, ', '.join(scenario_names())))
    return os.path.join(vizdoom.scenarios_path, scenario + '.cfg')


@contextlib.contextmanager
def _stderr_to(file):
    """The engine writes its warnings to file descriptor 2, past Python's sys.stderr."""
    saved = os.dup(2)
    os.dup2(file.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _why(warnings):
    """'Syntax error in lines 2-4' out of the engine's last warning,
    'WARNING! Loading config from: "x.cfg". Syntax error in lines 2-4. Lines ignored.'"""
    lines = warnings.strip().splitlines() or ['the engine did not say why']
    why = lines[-1].split('". ', 1)[-1]
    return re.sub(r'\.? *Lines? ignored\.$', '', why)


def start(path, seed):
    """The engine running the config at `path`: headless, synchronous, RGB 160x120."""
    game = vizdoom.DoomGame()
    with tempfile.TemporaryFile('w+') as warnings, _stderr_to(warnings):
        loaded = game.load_config(path)
        warnings.seek(0)
        said = warnings.read()
    if not loaded:
        raise DoomError(f'{path} is not a valid ViZDoom config: {_why(said)}')
    if not game.get_available_buttons():
        raise DoomError(f'{path} names no buttons (available_buttons): the agent would have '
                        'nothing to do')
    game.set_window_visible(False)
    game.set_mode(vizdoom.Mode.PLAYER)
    game.set_screen_format(vizdoom.ScreenFormat.RGB24)
    game.set_screen_resolution(vizdoom.ScreenResolution.RES_160X120)
    game.set_seed(int(seed) % (2 ** 31))
    try:
        game.init()
    except Exception as e:  # noqa: BLE001 (vizdoom's own errors share no base but Exception)
        raise DoomError(f'{path}: the engine cannot start it: {e}')
    return game


_PLAYABLE = set()  # configs tried in a child; forked workers inherit it


def check_playable(path):
    """The engine ends the whole process (SIGSEGV) on some configs, such as a
    multiplayer map played alone: start it once in a child first."""
    if path in _PLAYABLE:
        return
    pid = os.fork()
    if pid == 0:
        faulthandler.disable()  # a crash here is expected, and said by the parent
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            game = start(path, 0)
            game.new_episode()
            game.close()
        finally:
            os._exit(0)  # a Python error is raised again, with its message, by the caller
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        raise DoomError(f'{path}: the Doom engine crashed starting it '
                        f'(signal {os.WTERMSIG(status)}); is it a single-player scenario?')
    _PLAYABLE.add(path)


class Doom(Environment):
    """One scenario (`envs.environment` has the interface).  Observations are
    uint8 arrays of shape (4, 84, 84), or (12, 84, 84) in colour (screen by
    screen, RGB within each); models scale them to [0, 1]."""

    observation_dtype = np.uint8

    def __init__(self, scenario, seed=0, training=True, reward_scale=1.0, step_cap=STEP_CAP,
                 preprocessing=DEFAULT, health_reward=0.0):
        super().__init__()
        path = config_path(scenario)
        check_playable(path)
        self.game = start(path, seed)
        if health_reward and HEALTH not in self.game.get_available_game_variables():
            self.game.close()
            raise DoomError(f'{path} lists no HEALTH game variable (available_game_variables): '
                            '--health-reward needs it')
        buttons = self.game.get_available_buttons()
        self.actions = [[int(i == j) for j in range(len(buttons))] for i in range(len(buttons))]
        self.action_space = Discrete(len(buttons))
        bundled = path == os.path.join(vizdoom.scenarios_path, scenario + '.cfg')
        self.channels = PREPROCESSINGS[preprocessing]
        self.observation_shape = (STACK * self.channels, SIZE, SIZE)
        self.record = {'environment': 'doom', 'preprocessing': preprocessing,
                       'scenario': scenario if bundled else os.path.basename(path)}
        self.training = training
        self.reward_scale = reward_scale
        self.health_reward = health_reward
        self.step_cap = step_cap
        self.obs = np.zeros(self.observation_shape, dtype=np.uint8)
        self._rgb = None

    def _screen(self):
        """The 84x84 screen as channels; keeps the colour one for `rgb_frame`."""
        self._rgb = self.game.get_state().screen_buffer
        image = Image.fromarray(self._rgb)
        if self.channels == 1:
            image = image.convert('L')  # ITU-R 601 luma
        return np.asarray(image.resize((SIZE, SIZE), Image.BOX)).reshape(
            SIZE, SIZE, self.channels).transpose(2, 0, 1)

    def reset(self):
        self.game.new_episode()
        self.steps, self.game_score, self.game_over = 0, 0.0, False
        self.obs[:] = np.tile(self._screen(), (STACK, 1, 1))
        return self.obs.copy()

    def rgb_frame(self):
        return self._rgb

    def step(self, action_index):
        health = self.game.get_game_variable(HEALTH) if self.health_reward else 0.0
        reward = self.game.make_action(self.actions[action_index], ACTION_REPEAT)
        self.game_score += reward
        self.steps += 1
        finished = self.game.is_episode_finished()
        if not finished:  # at the end there is no screen: the last one stays
            self.obs[:-self.channels] = self.obs[self.channels:]
            self.obs[-self.channels:] = self._screen()
        timeout = (finished and self.game.is_episode_timeout_reached()
                   and not self.game.is_player_dead())
        terminated = finished and not timeout
        truncated = timeout or (not finished and self.steps >= self.step_cap)
        self.game_over = terminated or truncated
        if self.training:
            if self.health_reward:  # readable after the episode's end too
                reward += self.health_reward * (self.game.get_game_variable(HEALTH) - health)
            reward = float(np.clip(reward * self.reward_scale, -1.0, 1.0))
        return self.obs.copy(), reward, terminated, truncated
