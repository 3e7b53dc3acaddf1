"""Command-line helpers shared by the scripts: typed arguments and one-line errors."""
import argparse
import os
import sys


def fail(message):
    """Bad input ends here: one line on stderr, exit status 2, no traceback."""
    print(f'{os.path.basename(sys.argv[0])}: error: {message}', file=sys.stderr)
    sys.exit(2)


class ArgumentParser(argparse.ArgumentParser):

    def error(self, message):
        fail(message)


def _number(kind, name, ok, text):
    def parse(s):
        try:
            x = float(s)
            if kind is int:
                if not x.is_integer():
                    raise ValueError
                x = int(x)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f'{s!r} is not {name}')
        if kind is int and abs(x) >= 2 ** 63:  # the counters are 64-bit
            raise argparse.ArgumentTypeError(f'{s!r} is too large (at most 2^63 - 1)')
        if not ok(x):
            raise argparse.ArgumentTypeError(f'{s!r} is not {text}')
        return x
    parse.__name__ = name
    return parse


positive_int = _number(int, 'an integer', lambda x: x > 0, 'a positive integer')
nonnegative_int = _number(int, 'an integer', lambda x: x >= 0, 'an integer >= 0')
positive_float = _number(float, 'a number', lambda x: x > 0 and x < float('inf'),
                         'a positive number')
nonnegative_float = _number(float, 'a number', lambda x: 0 <= x < float('inf'),
                            'a number >= 0')
finite_float = _number(float, 'a number', lambda x: abs(x) < float('inf'), 'a finite number')
probability = _number(float, 'a number', lambda x: 0 <= x <= 1, 'a number in [0, 1]')


def check_output_file(flag, path):
    """Before the work whose result goes to `path`, so that a bad path does not cost it."""
    directory = os.path.dirname(path) or '.'
    if os.path.isdir(path):
        fail(f'{flag} {path} is a directory; give a file name')
    if not os.path.isdir(directory):
        fail(f'{flag} {path}: folder {directory} does not exist')
    if not os.access(directory, os.W_OK) or (os.path.exists(path) and
                                             not os.access(path, os.W_OK)):
        fail(f'{flag} {path}: cannot write it')


def say(line, file=None):
    """One line in one write, so lines from several processes never splice
    (print() may write the text and its newline separately)."""
    file = file or sys.stdout
    file.write(line + '\n')
    file.flush()
