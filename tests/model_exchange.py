"""Writes model files on one Python and checks them on another (test_cross_python).

    python tests/model_exchange.py write|check FOLDER

`write` saves an A3C FF and an A3C LSTM model with their .opt, as training does,
and beside them, in .npz (numpy's own format, readable by any numpy), the
weights, the RMSProp statistics, a clock and the networks' outputs for a fixed
batch of screens. `check` loads the files as a resume and a demo do and
compares them with the .npz; it prints one line per difference and exits 1."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

from nets.actor_critic import A3CFF, A3CLSTM  # noqa: E402
from nets.model_files import load, model_from_file  # noqa: E402
from rmsprop_async import RMSpropAsync  # noqa: E402
from training import checkpoints, shared_memory  # noqa: E402

SCREENS = np.random.RandomState(1).rand(2, 4, 84, 84).astype(np.float32)
ELAPSED, EPISODES = 1234.5, 67


def _optimizer(model):
    optimizer = RMSpropAsync()
    optimizer.setup(model)
    shared_memory.share_states(optimizer)
    return optimizer


def _outputs(model):
    pout, vout, _ = model.unroll(SCREENS, model.initial_state())
    return pout.logits.array, vout.array


def write(folder):
    for i, model_class in enumerate((A3CFF, A3CLSTM)):
        np.random.seed(i)
        model = model_class(6)
        optimizer = _optimizer(model)
        for _, param in model.namedparams():  # statistics that are not zeros
            param.update_rule.state['ms'][...] = np.random.rand(*param.shape)
        path = checkpoints.save(folder, 1000 + i, '_finish', model, optimizer,
                                ELAPSED, EPISODES)
        logits, v = _outputs(model)
        np.savez(path + '.npz', logits=logits, v=v,
                 **{'param' + n: p.array for n, p in model.namedparams()},
                 **{'ms' + n: p.update_rule.state['ms'] for n, p in model.namedparams()})


def check(folder):
    problems = []
    for name in sorted(f for f in os.listdir(folder) if f.endswith('_finish.h5')):
        path = os.path.join(folder, name)
        expected = np.load(path + '.npz')
        model = model_from_file(path)
        optimizer = _optimizer(model)
        load(path + '.opt', optimizer)
        if checkpoints.clock(path) != (ELAPSED, EPISODES):
            problems.append(f'{name}: clock {checkpoints.clock(path)}')
        for n, p in model.namedparams():
            if not np.array_equal(p.array, expected['param' + n]):
                problems.append(f'{name}: weights {n} differ')
            if not np.array_equal(p.update_rule.state['ms'], expected['ms' + n]):
                problems.append(f'{name}: RMSProp statistics {n} differ')
        for got, key in zip(_outputs(model), ('logits', 'v')):
            if not np.allclose(got, expected[key], rtol=1e-5, atol=1e-6):
                problems.append(f'{name}: {key} differ by up to '
                                f'{np.abs(got - expected[key]).max():.3g}')
    if not problems and not any(f.endswith('_finish.h5') for f in os.listdir(folder)):
        problems.append('no model files in ' + folder)
    print('\n'.join(problems) or 'ok')
    return 1 if problems else 0


if __name__ == '__main__':
    command, folder = sys.argv[1:]
    sys.exit(write(folder) if command == 'write' else check(folder))
