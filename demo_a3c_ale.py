"""Watch a trained A3C model (FF or LSTM) or Q network play whole games of an Atari game.

    python demo_a3c_ale.py ROM MODEL [--n-runs 10] [--seed 0] [--deterministic]
                           [--record FILE.gif] [--preprocessing NAME] [--use-lstm]

Evaluation rules, as in training's evaluations: a lost life does not end the
game, 0-30 no-op starts, at most 27,000 agent steps (30 minutes of play).
A Q network (q_ale.py's) acts epsilon-greedily with epsilon 0.05, as there.
The screens are preprocessed as the model was trained: its file says how, and
a file that says nothing and is no run of this project's is taken as one of
the original Chainer repository's models.
"""
import json
import os
import sys

from cli import cpu

cpu.configure()  # before numpy loads

from PIL import Image  # noqa: E402

import a3c  # noqa: E402
from envs import ale  # noqa: E402
from training import evaluator  # noqa: E402
import q_learning  # noqa: E402
from nets.actor_critic import A3CLSTM  # noqa: E402
from envs.preprocessing import DEFAULT, PREPROCESSINGS  # noqa: E402
from nets.model_files import ModelFileError, model_from_file, record_of  # noqa: E402
from cli.arguments import ArgumentParser, fail, positive_int  # noqa: E402
from policies import SoftmaxPolicy  # noqa: E402
from q_functions import QFunction  # noqa: E402

GIF_MAX_FRAMES = 2000
# One GIF frame per agent step (4 emulator frames at 60 Hz) is 15 per second;
# GIF delays are in hundredths of a second, so 70, 70, 60 ms in turn averages it.
GIF_DELAYS_MS = (70, 70, 60)


class Recorder(object):
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


class Player(object):
    """What `evaluator.run_episodes` drives: the agent, greedy or sampling."""

    def __init__(self, agent, greedy):
        self.agent = agent
        self.greedy = greedy

    def act(self, obs):
        return self.agent.act(obs, greedy=self.greedy)

    def stop_episode(self):
        self.agent.stop_episode()


def n_actions_of(model):
    if isinstance(model, QFunction):
        return model.n_actions
    return next(link for link in model if isinstance(link, SoftmaxPolicy))[0].W.shape[0]


def number(x):
    """Whole scores whole (some games reach millions), others to two decimals."""
    return '{:.{}f}'.format(x, 0 if float(x).is_integer() else 2)


def write_gif(path, frames):
    """Through a temporary file and a rename, so `path` is never half written."""
    images = [Image.fromarray(f) for f in frames]
    delays = [GIF_DELAYS_MS[i % len(GIF_DELAYS_MS)] for i in range(len(images))]
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, '.{}.{}.tmp'.format(name, os.getpid()))
    try:
        images[0].save(tmp, format='GIF', save_all=True, append_images=images[1:],
                       duration=delays, loop=0)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def check_record_path(path):
    """Before playing, so a bad path does not cost a whole game."""
    directory = os.path.dirname(path) or '.'
    if os.path.isdir(path):
        fail('--record {} is a directory; give a file name such as play.gif'.format(path))
    if not os.path.isdir(directory):
        fail('--record {}: folder {} does not exist'.format(path, directory))
    if not os.access(directory, os.W_OK):
        fail('--record {}: cannot write to folder {}'.format(path, directory))


def preprocessing_of(path):
    """(name, why) of the preprocessing the model at `path` was trained under."""
    recorded = record_of(path).get('preprocessing')
    if recorded:
        return recorded, None
    if _from_this_project(path):
        return DEFAULT, None  # saved before model files recorded it
    return 'original', ('{} records no preprocessing and is no run of this project\'s: '
                        'playing it as one of the original Chainer repository\'s models '
                        '(--preprocessing original; override with --preprocessing)'.format(path))


def _from_this_project(path):
    """Its .opt holds this project's clock, or its folder this project's args.txt."""
    if 'elapsed' in record_of(path + '.opt'):
        return True
    try:
        with open(os.path.join(os.path.dirname(path) or '.', 'args.txt')) as f:
            return 'git_commit' in json.load(f)
    except (OSError, ValueError, TypeError):
        return False


def parse_args(argv):
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('rom', help='a game bundled with ale-py (pong, breakout, ...) '
                        'or the path of a ROM file')
    parser.add_argument('model', help='a model file a3c_ale.py or q_ale.py saved '
                        '(<steps>.h5, <steps>_finish.h5, ...), or one of the original '
                        'repository\'s; the network is read from the file')
    parser.add_argument('--n-runs', type=positive_int, default=10,
                        help='games to play (default 10)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seeds the no-op starts and the sampling of actions')
    parser.add_argument('--deterministic', action='store_true',
                        help='always take the most probable action instead of sampling '
                        '(a Q network: the greedy one instead of epsilon-greedy)')
    parser.add_argument('--record', metavar='FILE.gif',
                        help='write the first game as an animated GIF in colour: '
                        'every other pixel each way (80x105), 15 frames per second '
                        '(one per agent step), at most the first {} frames'.format(
                            GIF_MAX_FRAMES))
    parser.add_argument('--preprocessing', choices=sorted(PREPROCESSINGS),
                        help='override the preprocessing the model file records')
    parser.add_argument('--use-lstm', action='store_true',
                        help='never needed (the file says which network it holds); '
                        'an error if the file holds an FF model')
    args = parser.parse_args(argv)
    if args.record:
        check_record_path(args.record)
    return args


def load_player(args):
    """(the environment, the model, the agent that plays it, how it chooses); bad input ends here."""
    try:
        ale.rom_path(args.rom)
        model = model_from_file(args.model)
    except (ale.RomError, ModelFileError) as e:
        fail(str(e))
    preprocessing, why = preprocessing_of(args.model)
    if args.preprocessing:
        preprocessing = args.preprocessing
    elif why:
        print(why, flush=True)
    try:
        env = ale.ALE(args.rom, seed=args.seed, training=False, preprocessing=preprocessing)
    except ale.RomError as e:
        fail(str(e))
    except KeyError:
        fail('{} records preprocessing {!r}, which this version does not know; name one '
             'with --preprocessing'.format(args.model, preprocessing))
    if args.use_lstm and not isinstance(model, A3CLSTM):
        fail('--use-lstm given, but {} holds {}'.format(
            args.model, 'a Q network' if isinstance(model, QFunction) else 'an A3C FF model'))
    if n_actions_of(model) != env.action_space.n:
        fail('{} chooses among {} actions, but {} has {} (its minimal action set)'.format(
            args.model, n_actions_of(model), args.rom, env.action_space.n))
    if isinstance(model, QFunction):  # the target network (here: itself) is for training only
        agent = q_learning.QAgent(model, model, None, seed=args.seed)
        policy = 'greedy' if args.deterministic else 'epsilon-greedy ({})'.format(
            agent.eval_epsilon)
    else:
        agent = a3c.A3C(model, None, seed=args.seed)
        policy = 'most probable' if args.deterministic else 'sampled'
    return env, model, Player(agent, args.deterministic), policy


def main(argv=None):
    args = parse_args(argv)
    env, model, player, policy = load_player(args)
    if args.record:
        env = Recorder(env)
    print('{} from {} playing {}, {} actions, {} preprocessing, seed {}'.format(
        type(model).__name__, args.model, args.rom, policy,
        env.record['preprocessing'], args.seed), flush=True)
    scores = []
    try:
        for i in range(args.n_runs):
            scores += evaluator.run_episodes(env, player, 1)
            capped = ' (stopped at the {}-step cap)'.format(env.step_cap) \
                if env.steps >= env.step_cap else ''
            print('run {}: score {} in {} steps{}'.format(
                i + 1, number(scores[-1]), env.steps, capped), flush=True)
    except KeyboardInterrupt:
        print('interrupted after {} of {} runs'.format(len(scores), args.n_runs))
        if not scores:
            return 130
    s = evaluator.summary(scores)
    for key in ('mean', 'median', 'stdev', 'min', 'max'):
        print('{}: {}'.format(key, number(s[key])))
    if args.record:
        try:
            write_gif(args.record, env.frames)
        except OSError as e:
            fail('cannot write {}: {}'.format(args.record, e.strerror or e))
        print('recorded {} frames of the first game in {}'.format(
            len(env.frames), args.record))
    return 130 if len(scores) < args.n_runs else 0


if __name__ == '__main__':
    sys.exit(main())
