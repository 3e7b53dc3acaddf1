"""The one interface every environment implements.  The training harness, the
evaluator and the demo know only this; an environment knows nothing of agents
or processes.

    env.observation_shape, env.observation_dtype   what `reset` and `step` return
    env.action_space                               Discrete(n) or Box(low, high)
    obs = env.reset()                              an episode's first observation
    obs, reward, terminated, truncated = env.step(action)
    env.game_over, env.game_score                  after a step: whether the whole game
                                                   ended, and its score so far
    env.steps, env.step_cap                        this episode's agent steps, and its cap
    env.record                                     what a model file keeps of it (strings)
    env.rgb_frame()                                the colour picture now, for recordings

An episode is what the agent learns from; a game is what an evaluation scores.
In training they can differ: a lost Atari life ends the episode (and its
returns) while the game goes on, and rewards may be clipped.  `game_score` is
the game's own, unclipped, over all its episodes.  Whether an environment
trains or evaluates is fixed when it is made (`training=`).
"""
import collections

Discrete = collections.namedtuple('Discrete', 'n')
Discrete.__doc__ = 'A choice among n actions, 0 ... n - 1.'
Box = collections.namedtuple('Box', 'low high')
Box.__doc__ = 'A real vector action, each element in [low, high] (arrays).'


class Environment:
    """The attributes above, as a base for the implementations to fill in."""

    observation_shape = None
    observation_dtype = None
    action_space = None
    step_cap = None

    def __init__(self):
        self.record = {}  # an implementation that records something replaces it
        self.steps = 0
        self.game_score = 0.0
        self.game_over = False

    def reset(self):
        raise NotImplementedError

    def step(self, action):
        raise NotImplementedError

    def rgb_frame(self):
        raise NotImplementedError
