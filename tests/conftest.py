import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from cli import cpu  # noqa: E402

cpu.configure()


@pytest.fixture(scope='session')
def zoo_model():
    """The model file of a trained_model/ entry, by the entry's name: real
    models each environment's scripts saved."""
    def path(entry):
        folder = os.path.join(ROOT, 'trained_model', entry)
        return os.path.join(folder, next(f for f in os.listdir(folder) if f.endswith('_finish.h5')))
    return path
