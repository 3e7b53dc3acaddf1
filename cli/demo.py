"""What every demo script shares: its common flags, the agent that plays a
loaded model, whole games played and summed up, and the GIF of the first."""
import os

from PIL import Image

import a3c
import q_learning
from cli.arguments import fail, positive_int
from nets.model_files import n_actions_of, played, record_of
from q_functions import QFunction
from training import evaluator
from training.writes import WriteError, stop, writing

GIF_MAX_FRAMES = 2000
# One GIF frame per agent step (4 emulator frames at 60 Hz) is 15 per second;
# GIF delays are in hundredths of a second, so 70, 70, 60 ms in turn averages it.
GIF_DELAYS_MS = (70, 70, 60)
# Each environment a model file may record: its name, and the demo that plays its models.
DEMOS = {'ale': ('Atari', 'demo_a3c_ale.py'), 'doom': ('ViZDoom', 'demo_a3c_doom.py'),
         'gym': ('Gymnasium', 'demo_a3c_gym.py')}


class Recorder:
    """Keeps the colour screen after every step of the first episode, every
    other pixel each way, so that the episode can become a GIF of README size."""

    def __init__(self, env, max_frames=GIF_MAX_FRAMES):
        self.env = env
        self.max_frames = max_frames
        self.frames = []
        self.episodes = 0

    def __getattr__(self, name):
        return getattr(self.env, name)

    def reset(self):
        obs = self.env.reset()
        self.episodes += 1
        self._grab()
        return obs

    def step(self, action):
        result = self.env.step(action)
        self._grab()
        return result

    def _grab(self):
        if self.episodes == 1 and len(self.frames) < self.max_frames:
            self.frames.append(self.env.rgb_frame()[::2, ::2].copy())


class Player:
    """What `evaluator.run_episodes` drives: the agent, greedy or sampling."""

    def __init__(self, agent, greedy):
        self.agent = agent
        self.greedy = greedy

    def act(self, obs):
        return self.agent.act(obs, greedy=self.greedy)

    def stop_episode(self):
        self.agent.stop_episode()


def number(x):
    """Whole scores whole (some games reach millions), others to two decimals."""
    return '{:.{}f}'.format(x, 0 if float(x).is_integer() else 2)


def write_gif(path, frames):
    """Through a temporary file and a rename, so `path` is never half written;
    raises WriteError."""
    images = [Image.fromarray(f) for f in frames]
    delays = [GIF_DELAYS_MS[i % len(GIF_DELAYS_MS)] for i in range(len(images))]
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, f'.{name}.{os.getpid()}.tmp')
    with writing(path, lambda: os.remove(tmp)):
        images[0].save(tmp, format='GIF', save_all=True, append_images=images[1:],
                       duration=delays, loop=0)
        os.replace(tmp, path)


def check_environment(path, environment, required=False):
    """The record of the model file at `path`; bad input ends here: a file
    recorded for another environment than `environment` (a `DEMOS` key) names
    the demo that plays it.  One that records none passes unless `required`
    (the original repository's models record nothing)."""
    record = record_of(path)
    recorded = record.get('environment')
    if recorded == environment or (recorded is None and not required):
        return record
    name = DEMOS[environment][0]
    if recorded is None:  # saved before files recorded it, when only Atari was trained
        fail('{} is no {} model: it records no environment, as Atari models saved before '
             'files recorded it; play it with {}'.format(path, name, DEMOS['ale'][1]))
    what = played(record)
    fail('{} is no {} model: it records environment {!r}{}; {}'.format(
        path, name, recorded, f' ({what})' if what else '',
        'play it with ' + DEMOS[recorded][1] if recorded in DEMOS else 'no demo here plays it'))


def add_arguments(parser):
    """The demo flags every environment shares, after its own positional ones."""
    parser.add_argument('--n-runs', type=positive_int, default=10,
                        help='games to play (default 10)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seeds the environment and the sampling of actions')
    parser.add_argument('--deterministic', action='store_true',
                        help='always take the most probable action instead of sampling '
                        '(a Q network: the greedy one instead of epsilon-greedy)')
    parser.add_argument('--record', metavar='FILE.gif',
                        help='write the first game as an animated GIF in colour: '
                        'every other pixel each way, 15 frames per second '
                        f'(one per agent step), at most the first {GIF_MAX_FRAMES} frames')


def player_for(model, seed, deterministic):
    """(the Player of a loaded network, how it chooses its actions)."""
    if isinstance(model, QFunction):  # the target network (here: itself) is for training only
        agent = q_learning.QAgent(model, model, None, seed=seed)
        policy = 'greedy' if deterministic else f'epsilon-greedy ({agent.eval_epsilon})'
    else:
        agent = a3c.A3C(model, None, seed=seed)
        policy = 'most probable' if deterministic else 'sampled'
    return Player(agent, deterministic), policy


def fitting_player(model, env, args, offers):
    """(env, model, the Player of the model, how it chooses), once the model's
    action count and screen channels are the environment's; bad input ends here.  `offers` says what
    the environment has, given its count ('breakout has {}')."""
    if n_actions_of(model) != env.action_space.n:
        fail(f'{args.model} chooses among {n_actions_of(model)} actions, '
             f'but {offers.format(env.action_space.n)}')
    channels = model[0][0].W.shape[1]
    if channels != env.observation_shape[0]:
        fail('{} sees {} screen channels, but {} preprocessing gives {}'.format(
            args.model, channels, env.record['preprocessing'], env.observation_shape[0]))
    return (env, model) + player_for(model, args.seed, args.deterministic)


def announce_and_play(args, name, env, model, player, policy):
    """One line of what plays what, then the games; returns the exit status."""
    print('{} from {} playing {}, {} actions, {} preprocessing, seed {}'.format(
        type(model).__name__, args.model, name, policy, env.record['preprocessing'],
        args.seed), flush=True)
    return play(env, player, args.n_runs, args.record)


def play(env, player, n_runs, record=None):
    """Plays and prints the games and their summary; returns the exit status."""
    if record:
        env = Recorder(env)
    scores = []
    try:
        for i in range(n_runs):
            scores += evaluator.run_episodes(env, player, 1)
            capped = f' (stopped at the {env.step_cap}-step cap)' \
                if env.step_cap and env.steps >= env.step_cap else ''
            print(f'run {i + 1}: score {number(scores[-1])} in {env.steps} steps{capped}',
                  flush=True)
    except KeyboardInterrupt:
        print(f'interrupted after {len(scores)} of {n_runs} runs')
        if not scores:
            return 130
    s = evaluator.summary(scores)
    for key in ('mean', 'median', 'stdev', 'min', 'max'):
        print(f'{key}: {number(s[key])}')
    if record:
        try:
            write_gif(record, env.frames)
        except WriteError as e:
            stop(e)
        print(f'recorded {len(env.frames)} frames of the first game in {record}')
    return 130 if len(scores) < n_runs else 0
