"""`make setup` with an interpreter Chainer 7.8.1 cannot run on."""
import glob
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def newer_python():
    """A Python 3.12 or later on this machine, real rather than a pyenv shim."""
    found = sorted(glob.glob(os.path.expanduser('~/.pyenv/versions/3.1[2-9]*/bin/python3')))
    found += [p for p in map(shutil.which, ('python3.12', 'python3.13'))
              if p and '/shims/' not in p]
    return found[0] if found else None


NEWER_PYTHON = newer_python()


@pytest.mark.skipif(NEWER_PYTHON is None, reason='no Python 3.12 or later here')
def test_setup_with_python_3_12_or_later_stops_at_once_with_one_line(tmp_path):
    for name in ('Makefile', 'requirements.txt'):
        shutil.copy(os.path.join(ROOT, name), tmp_path)
    run = subprocess.run(['make', 'setup', 'PYTHON=' + NEWER_PYTHON], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode != 0
    errors = [line for line in run.stderr.splitlines()
              if not re.match(r'make(\[\d+\])?: ', line)]  # make's own line
    assert len(errors) == 1 and errors[0].startswith('error: ') and 'Python 3.1' in errors[0]
    assert 'make PYTHON=python3.11' in errors[0]
    assert not (tmp_path / '.venv').exists()  # stopped before creating anything
