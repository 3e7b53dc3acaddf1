"""Train one-step Q-learning, one-step Sarsa or n-step Q-learning on a ViZDoom scenario.

    python q_doom.py PROCESSES SCENARIO --method one-step-q|sarsa|n-step-q [--steps 8e7] ...

SCENARIO is one bundled with ViZDoom (basic, defend_the_center, ...) or the
path of a .cfg; the flags and what a run writes are q_ale.py's.
"""
import functools
import sys

from cli import cpu

cpu.configure()  # before numpy loads

import q_ale  # noqa: E402
from envs import doom  # noqa: E402

# This script's flags, for zoo.py to read a command with.
add_arguments = functools.partial(q_ale.add_arguments, env=doom)

if __name__ == '__main__':
    sys.exit(q_ale.main(doom, __doc__.splitlines()[0]))
