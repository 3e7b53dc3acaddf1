"""Model and optimizer files on disk: atomic saves, and finding what to resume.

A checkpoint is `<steps><suffix>.h5` (the weights, in Chainer's HDF5 layout)
with `<steps><suffix>.h5.opt` beside it (the optimizer's statistics).  The
global step count is in the name, so a resumed run knows where it stands; the
.opt file's attributes hold the run's training time and episode count at the
save, so that a resume goes on counting from there (not from the last
evaluation, which would drop the time and episodes since).
"""
import contextlib
import io
import os
import re
import tempfile

import chainer
import h5py

from training.writes import WriteError, writing

SUFFIXES = ('', '_checkpoint', '_finish', '_except')
_SUFFIX = '|'.join(s for s in SUFFIXES if s)  # for the patterns below and their message
_UMASK = os.umask(0)
os.umask(_UMASK)
_NAME = re.compile(r'^(\d+)(' + _SUFFIX + r')?\.h5$')
# What `atomic_save` writes before the rename: `.<name><8 random characters>.tmp`.
_TEMPORARY = re.compile(r'^\.\d+(' + _SUFFIX + r')?\.h5(\.opt)?\w{8}\.tmp$')


class CheckpointError(ValueError):
    """A resume target with no usable checkpoint."""


def atomic_save(path, obj, attrs=None):
    """Writes beside `path` (with `attrs` on the HDF5 root) and renames, so
    `path` is always whole or absent; raises WriteError."""
    _rename(_write_beside(path, obj, attrs))


def _write_beside(path, obj, attrs):
    """{path: the temporary file beside it, whole and on disk}.  HDF5 writes
    to memory: a full disk under HDF5 itself left tracebacks at its close and
    crashed the process."""
    buffer = io.BytesIO()
    chainer.serializers.save_hdf5(buffer, obj)
    if attrs:
        with h5py.File(buffer, 'a') as f:
            f.attrs.update(attrs)
    tmp = []
    with writing(path, lambda: _remove(tmp)):
        fd, name = tempfile.mkstemp(dir=os.path.dirname(path) or '.',
                                    prefix='.' + os.path.basename(path), suffix='.tmp')
        tmp.append(name)
        with os.fdopen(fd, 'wb') as f:
            f.write(buffer.getbuffer())
            f.flush()
            os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes it private
            # On disk before the rename, or a power cut could leave an empty
            # file under the name.
            os.fsync(fd)
    return {path: name}


def _rename(temporary):
    """Each into place; once one fails, no temporary file stays."""
    for path, tmp in temporary.items():
        with writing(path, lambda: _remove(temporary.values())):
            os.replace(tmp, path)


def _remove(paths):
    for path in paths:
        if os.path.exists(path):
            os.remove(path)


def path_of(outdir, steps, suffix):
    return os.path.join(outdir, f'{steps}{suffix}.h5')


def save(outdir, steps, suffix, model, optimizer, elapsed=None, episodes=None, record=None):
    """Saves `<steps><suffix>.h5` and its `.opt`; returns the model's path.
    `elapsed` (seconds of training) and `episodes` go with the .opt; `record`
    (the environment and preprocessing, strings) with the model."""
    path = path_of(outdir, steps, suffix)
    attrs = None if elapsed is None else {'elapsed': elapsed, 'episodes': episodes}
    # Both written before either is renamed: a model that cannot be written
    # leaves no .opt without it.
    temporary = _write_beside(path + '.opt', optimizer, attrs)
    try:
        temporary.update(_write_beside(path, model, record))
    except WriteError:
        with contextlib.suppress(OSError):  # a folder turned read-only: the resume's
            _remove(temporary.values())     # remove_temporary
        raise
    _rename(temporary)
    return path


def clock(path):
    """(elapsed, episodes) saved with the model at `path`; None for a file
    saved without them (by an older version, or by hand)."""
    with h5py.File(path + '.opt', 'r') as f:
        if 'elapsed' not in f.attrs:
            return None
        return float(f.attrs['elapsed']), int(f.attrs['episodes'])


def steps_of(path):
    m = _NAME.match(os.path.basename(path))
    if not m:
        raise CheckpointError(
            f'cannot tell the step count from the name {path!r}; expected '
            f'<steps>[{_SUFFIX}].h5')
    return int(m.group(1))


def latest(outdir):
    """The checkpoint with the most steps (a finish/except/checkpoint file over
    a best-so-far model of the same step count); None if there is none."""
    found = []
    for name in os.listdir(outdir):
        m = _NAME.match(name)
        if m and os.path.exists(os.path.join(outdir, name + '.opt')):
            found.append((int(m.group(1)), bool(m.group(2)), name))
    return os.path.join(outdir, max(found)[2]) if found else None


def resume_target(path):
    """(outdir, model path, steps) for `--resume PATH`, an outdir or a model file."""
    if os.path.isdir(path):
        model = latest(path)
        if model is None:
            raise CheckpointError(f'{path} holds no checkpoint (<steps>.h5 with its .opt) '
                                  'to resume from')
    elif os.path.isfile(path):
        model = path
        if not os.path.isfile(model + '.opt'):
            raise CheckpointError('{} has no optimizer file {} beside it'.format(
                path, os.path.basename(path) + '.opt'))
    else:
        raise CheckpointError(f'--resume {path}: no such file or directory')
    return os.path.dirname(os.path.abspath(model)), model, steps_of(model)


def move_after(outdir, step, folder):
    """Moves the models (with their .opt) of steps beyond `step` into `folder`,
    where `latest` no longer sees them; returns their names.  For a run resumed
    from an older checkpoint: its abandoned stretch is kept, out of the way."""
    names = sorted(n for n in os.listdir(outdir)
                   if _NAME.match(n) and steps_of(n) > step)
    for name in names:
        with writing(os.path.join(folder, name)):
            os.makedirs(folder, exist_ok=True)
            for n in (name, name + '.opt'):
                if os.path.exists(os.path.join(outdir, n)):
                    os.replace(os.path.join(outdir, n), os.path.join(folder, n))
    return names


def remove_temporary(outdir):
    """Deletes what saves cut short left behind: temporary files, and a .opt
    without its model (a kill between the two renames, or a full disk under
    a version that renamed the .opt first); returns their names."""
    found = os.listdir(outdir)
    names = sorted(n for n in found if _TEMPORARY.match(n) or (
        n.endswith('.opt') and _NAME.match(n[:-len('.opt')]) and n[:-len('.opt')] not in found))
    for name in names:
        os.remove(os.path.join(outdir, name))
    return names


def remove(path):
    _remove((path, path + '.opt'))
