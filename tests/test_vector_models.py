"""Model files of the vector-state networks: each is recognised and loads as saved."""
import numpy as np
import pytest

from envs.environment import Box, Discrete
from nets.model_files import model_from_file, n_actions_of
from nets.vector import a3c_network
from policies import GaussianPolicy, SoftmaxPolicy
from rmsprop_async import RMSpropAsync
from training import checkpoints


@pytest.mark.parametrize('use_lstm', [False, True])
@pytest.mark.parametrize('space', [Discrete(3), Box(-np.ones(2), np.ones(2))])
@pytest.mark.parametrize('scale', [None, (np.arange(5), np.arange(1, 6))])
def test_a_saved_network_comes_back_whole(tmp_path, use_lstm, space, scale):
    model = a3c_network(5, space, use_lstm, scale)
    optimizer = RMSpropAsync()
    optimizer.setup(model)
    path = checkpoints.save(str(tmp_path), 7, '', model, optimizer,
                            record={'environment': 'gym', 'task': 'X-v0'})
    loaded = model_from_file(path)
    assert type(loaded) is type(model) and type(loaded[-2]) is type(model[-2])
    assert isinstance(loaded[-2], GaussianPolicy if isinstance(space, Box) else SoftmaxPolicy)
    assert n_actions_of(loaded) == (2 if isinstance(space, Box) else 3)
    assert loaded[0].standardises == (scale is not None)
    if scale is not None:
        assert loaded[0].obs_mean.tolist() == list(range(5))
        assert loaded[0].obs_std.tolist() == list(range(1, 6))
    saved = dict(model.namedparams())
    for name, param in loaded.namedparams():
        assert (param.array == saved[name].array).all(), name
