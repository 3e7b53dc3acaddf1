"""`make setup` with an interpreter the project does not support."""
import glob
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def older_python():
    """A Python 3.10 or earlier on this machine, real rather than a pyenv shim."""
    found = sorted(glob.glob(os.path.expanduser('~/.pyenv/versions/3.[6-9]*/bin/python3')))
    found += sorted(glob.glob(os.path.expanduser('~/.pyenv/versions/3.10*/bin/python3')))
    return found[-1] if found else None


def setup_errors(tmp_path, python):
    for name in ('Makefile', 'requirements.txt'):
        shutil.copy(os.path.join(ROOT, name), tmp_path)
    shutil.copytree(os.path.join(ROOT, 'patches'), tmp_path / 'patches')
    run = subprocess.run(['make', 'setup', 'PYTHON=' + python], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode != 0
    assert not (tmp_path / '.venv').exists()  # stopped before creating anything
    return [line for line in run.stderr.splitlines()
            if not re.match(r'make(\[\d+\])?: ', line)]  # make's own line


@pytest.mark.skipif(older_python() is None, reason='no Python 3.10 or earlier here')
def test_setup_with_an_older_python_stops_at_once_with_one_line(tmp_path):
    errors = setup_errors(tmp_path, older_python())
    assert len(errors) == 1 and errors[0].startswith('error: ') and 'is Python 3.' in errors[0]
    assert 'supports 3.11, 3.12 and 3.13' in errors[0]


def test_setup_with_a_python_that_is_not_there_stops_with_one_line(tmp_path):
    errors = setup_errors(tmp_path, 'python3.99-none')
    assert errors == [('error: python3.99-none does not run here; name a Python 3.11, '
                       '3.12 or 3.13: make PYTHON=python3.13 ...')]
