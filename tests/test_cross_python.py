"""Model files written on one supported Python load on the others unchanged: the
weights, the RMSProp statistics and the clock, and the networks give the same outputs.

CI names the other Pythons' interpreters (its virtualenvs for 3.12 and 3.13) in
ASYNC_RL_OTHER_PYTHONS, separated by ':'; `make test` alone has no others to ask."""
import os
import subprocess
import sys

import h5py
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
OTHERS = [p for p in os.environ.get('ASYNC_RL_OTHER_PYTHONS', '').split(os.pathsep) if p]


def exchange(python, command, folder):
    return subprocess.run([python, os.path.join(HERE, 'model_exchange.py'), command, str(folder)],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not OTHERS, reason='ASYNC_RL_OTHER_PYTHONS names no other Python; '
                                       'CI sets it')
@pytest.mark.parametrize('other', OTHERS)
def test_model_files_pass_both_ways_between_pythons(other, tmp_path):
    for writer, reader, folder in ((other, sys.executable, tmp_path / 'theirs'),
                                   (sys.executable, other, tmp_path / 'ours')):
        folder.mkdir()
        wrote = exchange(writer, 'write', folder)
        assert wrote.returncode == 0, wrote.stderr
        checked = exchange(reader, 'check', folder)
        assert (checked.returncode, checked.stdout) == (0, 'ok\n'), (writer, reader, checked)


def test_the_check_finds_a_changed_weight(tmp_path):
    assert exchange(sys.executable, 'write', tmp_path).returncode == 0
    with h5py.File(tmp_path / '1000_finish.h5', 'r+') as f:
        f['2/0/b'][0] += 0.5
    checked = exchange(sys.executable, 'check', tmp_path)
    assert checked.returncode == 1
    assert checked.stdout.startswith('1000_finish.h5: weights /2/0/b differ\n')
    assert '1000_finish.h5: v differ by up to' in checked.stdout
