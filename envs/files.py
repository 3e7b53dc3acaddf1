"""The checks every environment makes of a file the user names (a ROM, a .cfg),
so that each failure is a sentence naming the file, not the library's own."""
import os


def check_readable(path, what, kind, error):
    """Raises `error` unless `path` is a readable file: `what` names it in the
    message ('ROM', 'scenario'), `kind` says what a directory is not ('a ROM file')."""
    if os.path.isdir(path):
        raise error(f'{what} {path!r} is a directory, not {kind}')
    if not os.path.isfile(path):
        raise error(f'{what} file {path!r} does not exist')
    if not os.access(path, os.R_OK):
        raise error(f'{what} file {path!r} is not readable')
