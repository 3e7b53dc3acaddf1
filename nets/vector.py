"""A3C for low-dimensional state (Gymnasium's vector observations), as the
paper built it for its continuous control: 200 ReLU units, then a 128-cell
LSTM in the LSTM variant; a softmax over a discrete action set, or the
Gaussian over a box of real actions."""
import numpy as np

from envs.environment import Discrete
from nets.actor_critic import A3CFF, A3CLSTM
from nets.torso import MLPHead
from policies import GaussianPolicy, SoftmaxPolicy

N_HIDDEN = 200
N_CELLS = 128


def a3c_network(n_input, action_space, use_lstm, scale=None):
    """A3C FF or LSTM over `n_input` numbers, for a Discrete or Box action
    space; `scale`: the observations' (mean, std), to standardise them."""
    if isinstance(action_space, Discrete):
        return build(n_input, action_space.n, False, use_lstm, scale=scale)
    return build(n_input, len(action_space.low), True, use_lstm, scale=scale)


def build(n_input, n_actions, gaussian, use_lstm, n_hidden=N_HIDDEN, n_cells=N_CELLS,
          scale=None):
    """`n_actions`: the softmax's count, or the Gaussian's action length."""
    policy = GaussianPolicy if gaussian else SoftmaxPolicy
    head = MLPHead(n_input, n_hidden, scale)
    if use_lstm:
        return A3CLSTM(n_actions, head=head, n_cells=n_cells, policy=policy)
    return A3CFF(n_actions, head=head, policy=policy)


def from_shapes(shapes):
    """The network whose datasets have these shapes (name -> shape), or None
    if they are not one of these."""
    torso = shapes.get('0/0/W', ())
    standardised = '0/obs_mean' in shapes
    if len(torso) != 2 or {n for n in shapes if n.startswith('0/')} != {
            '0/0/W', '0/0/b'} | ({'0/obs_mean', '0/obs_std'} if standardised else set()):
        return None
    lstm = '1/upward/W' in shapes
    pi = '2/' if lstm else '1/'
    mean = shapes.get(pi + '0/W', ())
    value = shapes.get(('3/' if lstm else '2/') + '0/W', ())
    if len(mean) != 2 or mean[0] == 0 or value[:1] != (1,):
        return None
    n_cells = shapes.get('1/lateral/W', (0, 0))[1]
    # the file's scale replaces this one when it is loaded
    scale = (np.zeros(torso[1]), np.ones(torso[1])) if standardised else None
    return build(torso[1], mean[0], pi + '1/W' in shapes, lstm, n_hidden=torso[0],
                 n_cells=n_cells, scale=scale)


def misfit(model, env, task):
    """Why a network of these (its head an MLPHead) cannot play `env`, the
    Gymnasium `task`: words to follow its name ('observes 4 numbers, but
    Pendulum-v1 gives 3'); None if it can."""
    n_input, policy = model[0][0].W.shape[1], model[-2]
    if n_input != env.observation_shape[0]:
        return f'observes {n_input} numbers, but {task} gives {env.observation_shape[0]}'
    discrete = isinstance(env.action_space, Discrete)
    size = env.action_space.n if discrete else len(env.action_space.low)
    if discrete == isinstance(policy, GaussianPolicy) or policy[0].W.shape[0] != size:
        return '{} {}, but {} takes {} {}'.format(
            'draws a vector of' if isinstance(policy, GaussianPolicy) else 'chooses among',
            policy[0].W.shape[0], task, 'one of' if discrete else 'a vector of', size)
    return None
