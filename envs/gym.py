"""A Gymnasium task (CartPole-v1, Pendulum-v1, InvertedPendulum-v5,
HalfCheetah-v5, Hopper-v5, ...) behind `envs.environment`'s interface.

An episode is a game: the task's own end (terminated) or its time limit
(truncated, which training bootstraps from).  Scores are the task's own
rewards; training may scale them (`--reward-scale`), so that values stay small
enough for the gradient-norm limit.  A discrete task's actions are indices; a
box task takes whatever vector the policy drew, clipped here to its bounds
(the agent learns from the vector it drew).  Observations are float32 vectors.
"""
import os

import numpy as np

from cli.arguments import positive_float
from envs.environment import Box, Discrete, Environment

# A resumed run must keep these.
RUN_FLAGS = ('task',)


class TaskError(ValueError):
    """A task id Gymnasium does not know, or one this project cannot play."""


def add_arguments(parser):
    """The Gymnasium flags of a training script."""
    parser.add_argument('task', help='a Gymnasium task id: CartPole-v1, Pendulum-v1, '
                        'InvertedPendulum-v5, HalfCheetah-v5, Hopper-v5, ...')
    parser.add_argument('--reward-scale', type=positive_float, default=1.0,
                        help='training rewards are the task\'s times this (scores stay '
                        'the task\'s own); default 1')


def env_maker(args):
    """make_env(seed, training) for a script's parsed flags."""
    def make_env(seed, training):
        return Gym(args.task, seed=seed, reward_scale=args.reward_scale if training else 1.0)
    return make_env


def _make(task, render):
    import gymnasium
    if render:  # classic control draws with pygame: off screen, no display needed
        os.environ.setdefault('SDL_VIDEODRIVER', 'dummy')
    try:
        return gymnasium.make(task, **({'render_mode': 'rgb_array'} if render else {}))
    except gymnasium.error.Error as e:  # unknown id or version, missing package
        raise TaskError(f'Gymnasium task {task!r}: {str(e).splitlines()[0]}')
    except ImportError as e:  # a package the task's module imports
        raise TaskError(f'Gymnasium task {task!r} needs a package that is missing: {e}')


def action_space_of(space):
    import gymnasium
    if isinstance(space, gymnasium.spaces.Discrete) and space.start == 0:
        return Discrete(int(space.n))
    if isinstance(space, gymnasium.spaces.Box) and len(space.shape) == 1 \
            and np.isfinite(space.low).all() and np.isfinite(space.high).all():
        return Box(space.low.astype(np.float32), space.high.astype(np.float32))
    return None


class Gym(Environment):
    """One Gymnasium task.  `render=True` makes `rgb_frame` work where the
    task can draw itself (MuJoCo's needs an OpenGL this machine may lack)."""

    observation_dtype = np.float32

    def __init__(self, task, seed=0, render=False, reward_scale=1.0):
        super().__init__()
        self.reward_scale = reward_scale
        self.env = _make(task, render)
        self.action_space = action_space_of(self.env.action_space)
        if self.action_space is None:
            raise TaskError(f'Gymnasium task {task!r} has actions {self.env.action_space}; only a '
                            'discrete choice or a bounded vector can be learned here')
        space = self.env.observation_space
        if not hasattr(space, 'shape') or space.shape is None or len(space.shape) != 1:
            raise TaskError(f'Gymnasium task {task!r} observes {space}; only a vector can be '
                            'learned here')
        self.observation_shape = space.shape
        self.step_cap = self.env.spec.max_episode_steps
        self.record = {'environment': 'gym', 'task': task}
        self._seed = int(seed) % (2 ** 31)

    def reset(self):
        # Seeded once; later episodes go on from the task's own generator.
        obs, _ = self.env.reset(seed=self._seed)
        self._seed = None
        self.steps, self.game_score, self.game_over = 0, 0.0, False
        return np.asarray(obs, dtype=np.float32)

    def step(self, action):
        if isinstance(self.action_space, Discrete):
            action = int(action)
        else:
            action = np.clip(action, self.action_space.low, self.action_space.high).astype(
                self.env.action_space.dtype)
        obs, reward, terminated, truncated, _ = self.env.step(action)
        self.steps += 1
        self.game_score += float(reward)
        self.game_over = terminated or truncated
        return (np.asarray(obs, dtype=np.float32), float(reward) * self.reward_scale,
                bool(terminated), bool(truncated))

    def rgb_frame(self):
        return self.env.render()


def observation_scale(env, steps, seed=0):
    """(mean, standard deviation) of `env`'s observations over `steps` steps of
    uniformly random actions, the deviation at least 0.01 (an entry that never
    moves would be divided by 0)."""
    rng = np.random.RandomState(seed)
    seen = [env.reset()]
    for _ in range(steps):
        if isinstance(env.action_space, Discrete):
            action = rng.randint(env.action_space.n)
        else:
            action = rng.uniform(env.action_space.low, env.action_space.high)
        obs, _, terminated, truncated = env.step(action)
        seen.append(env.reset() if terminated or truncated else obs)
    seen = np.array(seen, dtype=np.float64)
    return seen.mean(axis=0), np.maximum(seen.std(axis=0), 0.01)


def render_problem(task):
    """None if `task` can draw its frames here, else why not (one line):
    MuJoCo's renderer needs an OpenGL (GLFW, EGL or OSMesa) some machines lack."""
    import warnings
    try:
        with warnings.catch_warnings():  # GLFW warns before it fails
            warnings.simplefilter('ignore')
            env = Gym(task, render=True)
            env.reset()
            frame = env.rgb_frame()
            env.env.close()
    except Exception as e:  # noqa: BLE001 (each renderer fails its own way)
        return '{}: {}'.format(type(e).__name__, str(e).splitlines()[0] if str(e) else '')
    if getattr(frame, 'ndim', 0) != 3:
        return 'it draws no colour frames'
    return None
