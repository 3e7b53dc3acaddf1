"""A write that failed: a full disk, a folder gone or turned read-only, a quota.

Every writer of a run's folder (checkpoints, scores.txt and games.txt,
args.txt, TensorBoard's events) writes inside `writing`, which takes back what
it half wrote and raises WriteError naming the file and the cause; the run's
parent (training/supervisor.py) stops the run on it as on Ctrl-C, and the
scripts that write one file end with `stop`.
"""
import contextlib
import os
import sys

# sysexits.h's EX_IOERR: "an error occurred while doing I/O on some file".
EXIT_WRITE_FAILED = 74


class WriteError(Exception):
    """'cannot write PATH: CAUSE', in one line."""


@contextlib.contextmanager
def writing(path, undo=None):
    """An OSError inside becomes a WriteError naming `path`, once `undo()` (if
    given) has removed what the write left half done."""
    try:
        yield
    except OSError as e:
        if undo:
            with contextlib.suppress(OSError):
                undo()
        raise WriteError(f'cannot write {path}: {e.strerror or e}') from None


def stop(error):
    """A script whose one output could not be written ends here: one line, no traceback."""
    print(f'{os.path.basename(sys.argv[0])}: error: {error}', file=sys.stderr)
    sys.exit(EXIT_WRITE_FAILED)
