"""A3C learns ViZDoom's `basic`: a3c_doom.py itself, 2 processes, the real engine.

Stopping at the target keeps the test short once the policy has learned.  A
random policy scores about -150 a game here (single games from -385 to +95,
standard deviation about 180): the target of 0 for the mean of 30 games is
4.5 standard errors above it, which an evaluation of a policy that has not
learned reaches by chance a few times in a million."""
import os
import subprocess
import sys

from training.score_files import ScoresFile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = 0


def test_a3c_learns_basic_in_colour(tmp_path):
    out = str(tmp_path / 'out')
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'a3c_doom.py'), '2', 'basic',
         '--preprocessing', 'rgb160x120', '--reward-scale', '0.01', '--steps', '400000',
         '--eval-frequency', '25000', '--eval-n-runs', '30', '--target-score', str(TARGET),
         '--no-tensorboard', '--outdir', out],
        capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    rows = ScoresFile(os.path.join(out, 'scores.txt')).rows()
    assert rows[-1]['mean'] >= TARGET, rows
    assert all(row['mean'] < TARGET for row in rows[:-1])
