"""Model files: loading one into a network, and building the network a file holds."""
import os

import chainer
import h5py
import numpy as np

from nets import vector
from nets.actor_critic import A3CFF, A3CLSTM
from nets.torso import DQNHead
from policies import GaussianPolicy, SoftmaxPolicy
from q_functions import QFunction


class ModelFileError(ValueError):
    """A file that is no model this project can load."""


def _datasets(path):
    try:
        with h5py.File(path, 'r') as f:
            shapes = {}
            f.visititems(lambda name, obj: shapes.__setitem__(name, obj.shape)
                         if isinstance(obj, h5py.Dataset) else None)
            return shapes
    except (OSError, KeyError) as e:
        raise ModelFileError(f'{path} is not a readable HDF5 model file ({_reason(e)})')


def _reason(error):
    """`No such file or directory`, `truncated file`, `file signature not found`
    (not HDF5) out of h5py's long messages."""
    if getattr(error, 'errno', None):
        return os.strerror(error.errno)
    text = str(error)
    return text[text.find('(') + 1:].split(':')[0].rstrip(')') if '(' in text \
        else type(error).__name__


def model_from_file(path):
    """Builds the network a file holds (A3C FF or LSTM, or q_ale.py's Q network:
    the head and `1/0/...` alone; its action count; on vector state,
    `nets.vector`'s, with a softmax or a Gaussian policy) and loads it."""
    shapes = _datasets(path)
    model = vector.from_shapes(shapes)
    if model is None:
        model = _on_frames(path, shapes)
    load(path, model)
    return model


def _on_frames(path, shapes):
    """The paper's networks on stacked screens (4 gray ones, or Doom's 4 in colour)."""
    pi = shapes.get('2/0/W' if '1/upward/W' in shapes else '1/0/W', ())
    conv = shapes.get('0/0/W', ())
    head = DQNHead(conv[1]) if len(conv) == 4 and conv[1] > 0 else None
    if len(pi) == 2 and pi[0] > 0 and '1/upward/W' in shapes:
        return A3CLSTM(pi[0], head=head)
    if len(pi) == 2 and pi[0] > 0 and shapes.get('2/0/W', ())[:1] == (1,):
        return A3CFF(pi[0], head=head)
    if len(pi) == 2 and pi[0] > 0 and {
            name for name in shapes if not name.startswith('0/')} == {'1/0/W', '1/0/b'}:
        return QFunction(pi[0], head=head)
    raise ModelFileError('{} holds no A3C FF or LSTM model or Q network (datasets: '
                         '{})'.format(path, ', '.join(sorted(shapes)[:6]) or 'none'))


def _contents(link):
    """Name -> array of what a network or an optimizer saves, as in its files."""
    serializer = chainer.serializers.DictionarySerializer()
    serializer.save(link)
    return serializer.target


def _few(names):
    return ', '.join(names[:3]) + (' ...' if len(names) > 3 else '')


def load(path, link):
    """A model file into a network, or an optimizer file into an optimizer.

    The file must hold exactly the datasets it needs, in its shapes: Chainer
    would take a Q network's layers from an A3C FF file and ignore the rest.
    And no NaN or infinity: the file of a run that diverged would only spread it."""
    found = _datasets(path)
    needed = {name: np.shape(a) for name, a in _contents(link).items()}
    network = isinstance(link, chainer.Link)
    what = 'this {} network{}'.format(type(link if network else link.target).__name__,
                                      '' if network else "'s optimizer")
    missing, extra = sorted(set(needed) - set(found)), sorted(set(found) - set(needed))
    problems = []
    if missing:
        problems.append('it lacks ' + _few(missing))
    if extra:
        problems.append(f'it holds {_few(extra)}, which {what} does not have')
    if problems:
        raise ModelFileError('{} does not fit {}: {}'.format(path, what, ' and '.join(problems)))
    for name in sorted(needed):
        if found[name] != needed[name]:
            raise ModelFileError(f'{path} does not fit {what}: {name} is {found[name]} in the '
                                 f'file but {needed[name]} here')
    try:
        chainer.serializers.load_hdf5(path, link)
    except (KeyError, ValueError, TypeError, OSError) as e:
        raise ModelFileError(f'{path} does not fit {what}: {str(e).splitlines()[0][:200]}')
    for name, a in sorted(_contents(link).items()):
        if a is not None and not np.isfinite(a).all():
            raise ModelFileError(f'{path} holds NaN or infinity (in {name}): the run that saved it '
                                 'had diverged; take an earlier file')


def record_of(path):
    """What a model file says of the environment it was trained in (its HDF5
    root attributes, as strings); {} for a file that says nothing."""
    try:
        with h5py.File(path, 'r') as f:
            return {k: v.decode() if isinstance(v, bytes) else str(v)
                    for k, v in f.attrs.items()}
    except OSError:
        return {}


def played(record):
    """The game, scenario or task a record names."""
    return ' '.join(v for k, v in record.items() if k not in ('environment', 'preprocessing'))


def n_actions_of(model):
    if isinstance(model, QFunction):
        return model.n_actions
    policy = next(link for link in model if isinstance(link, (SoftmaxPolicy, GaussianPolicy)))
    return policy[0].W.shape[0]
