"""Saved models have exactly the original Chainer repository's HDF5 layout."""
import h5py
import numpy as np
import pytest

from nets.actor_critic import A3CFF, A3CLSTM
from nets.model_files import ModelFileError, model_from_file
from rmsprop_async import RMSpropAsync
from training import checkpoints, shared_memory

HEAD = {'0/0/W': (16, 4, 8, 8), '0/0/b': (16,), '0/1/W': (32, 16, 4, 4), '0/1/b': (32,),
        '0/2/W': (256, 2592), '0/2/b': (256,)}
FF = dict(HEAD, **{'1/0/W': (6, 256), '1/0/b': (6,), '2/0/W': (1, 256), '2/0/b': (1,)})
LSTM = dict(HEAD, **{'1/upward/W': (1024, 256), '1/upward/b': (1024,),
                     '1/lateral/W': (1024, 256), '2/0/W': (6, 256), '2/0/b': (6,),
                     '3/0/W': (1, 256), '3/0/b': (1,)})


def datasets(path):
    found = {}
    with h5py.File(path, 'r') as f:
        f.visititems(lambda n, o: found.__setitem__(n, (o.shape, o.dtype))
                     if isinstance(o, h5py.Dataset) else None)
    return found


@pytest.mark.parametrize('model_class,layout', [(A3CFF, FF), (A3CLSTM, LSTM)])
def test_layout_and_round_trip(tmp_path, model_class, layout):
    model = model_class(6)
    optimizer = RMSpropAsync()
    optimizer.setup(model)
    shared_memory.share_states(optimizer)  # as training does: the statistics exist from the start
    path = checkpoints.save(str(tmp_path), 1000, '_finish', model, optimizer)
    found = datasets(path)
    assert {n: s for n, (s, _) in found.items()} == layout
    assert all(d == np.float32 for _, d in found.values())
    opt = datasets(path + '.opt')
    assert {n[:-len('/ms')] for n in opt if n.endswith('/ms')} == set(layout)

    loaded = model_from_file(path)
    assert type(loaded) is model_class
    for (n, a), (m, b) in zip(sorted(model.namedparams()), sorted(loaded.namedparams())):
        assert n == m
        np.testing.assert_array_equal(a.array, b.array)


def test_rejects_other_files(tmp_path):
    bad = tmp_path / 'x.h5'
    bad.write_text('not hdf5')
    with pytest.raises(ModelFileError, match='not a readable HDF5'):
        model_from_file(str(bad))
    with h5py.File(tmp_path / 'y.h5', 'w') as f:
        f['weights'] = np.zeros(3)
    with pytest.raises(ModelFileError, match='no A3C FF or LSTM'):
        model_from_file(str(tmp_path / 'y.h5'))
