"""Train A3C (FF or LSTM) on a ViZDoom scenario with Hogwild workers or the queue learner.

    python a3c_doom.py PROCESSES SCENARIO [--use-lstm] [--steps 8e7] ...

SCENARIO is one bundled with ViZDoom (basic, defend_the_center, ...) or the
path of a .cfg; the flags and what a run writes are a3c_ale.py's.
"""
import functools
import sys

from cli import cpu

cpu.configure()  # before numpy loads

import a3c_ale  # noqa: E402
from envs import doom  # noqa: E402

# This script's flags, for zoo.py to read a command with.
add_arguments = functools.partial(a3c_ale.add_arguments, env=doom)

if __name__ == '__main__':
    sys.exit(a3c_ale.main(doom, __doc__.splitlines()[0]))
