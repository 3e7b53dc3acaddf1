"""The checks every environment makes of a file the user names (a ROM, a .cfg),
so that each failure is a sentence naming the file, not the library's own."""
import os


def check_readable(path, what, kind, error):
    """Raises `error` unless `path` is a readable file: `what` names it in the
    message ('ROM', 'scenario'), `kind` says what a directory is not ('a ROM file')."""
    if os.path.isdir(path):
        raise error('{} {!r} is a directory, not {}'.format(what, path, kind))
    if not os.path.isfile(path):
        raise error('{} file {!r} does not exist'.format(what, path))
    if not os.access(path, os.R_OK):
        raise error('{} file {!r} is not readable'.format(what, path))
