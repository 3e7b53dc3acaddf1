"""Model and optimizer files on disk: atomic saves, and finding what to resume.

A checkpoint is `<steps><suffix>.h5` (the weights, in Chainer's HDF5 layout)
with `<steps><suffix>.h5.opt` beside it (the optimizer's statistics).  The
global step count is in the name, so a resumed run knows where it stands; the
.opt file's attributes hold the run's training time and episode count at the
save, so that a resume goes on counting from there (not from the last
evaluation, which would drop the time and episodes since).
"""
import os
import re
import tempfile

import chainer
import h5py

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
    `path` is always whole or absent."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or '.',
                               prefix='.' + os.path.basename(path), suffix='.tmp')
    os.close(fd)
    try:
        chainer.serializers.save_hdf5(tmp, obj)
        if attrs:
            with h5py.File(tmp, 'a') as f:
                f.attrs.update(attrs)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private
        with open(tmp, 'rb') as f:  # on disk before the rename, or a power cut
            os.fsync(f.fileno())    # could leave an empty file under the name
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def path_of(outdir, steps, suffix):
    return os.path.join(outdir, '{}{}.h5'.format(steps, suffix))


def save(outdir, steps, suffix, model, optimizer, elapsed=None, episodes=None, record=None):
    """Saves `<steps><suffix>.h5` and its `.opt`; returns the model's path.
    `elapsed` (seconds of training) and `episodes` go with the .opt; `record`
    (the environment and preprocessing, strings) with the model."""
    path = path_of(outdir, steps, suffix)
    attrs = None if elapsed is None else {'elapsed': elapsed, 'episodes': episodes}
    atomic_save(path + '.opt', optimizer, attrs)
    atomic_save(path, model, record)
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
            'cannot tell the step count from the name {!r}; expected '
            '<steps>[{}].h5'.format(path, _SUFFIX))
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
            raise CheckpointError('{} holds no checkpoint (<steps>.h5 with its .opt) '
                                  'to resume from'.format(path))
    elif os.path.isfile(path):
        model = path
        if not os.path.isfile(model + '.opt'):
            raise CheckpointError('{} has no optimizer file {} beside it'.format(
                path, os.path.basename(path) + '.opt'))
    else:
        raise CheckpointError('--resume {}: no such file or directory'.format(path))
    return os.path.dirname(os.path.abspath(model)), model, steps_of(model)


def move_after(outdir, step, folder):
    """Moves the models (with their .opt) of steps beyond `step` into `folder`,
    where `latest` no longer sees them; returns their names.  For a run resumed
    from an older checkpoint: its abandoned stretch is kept, out of the way."""
    names = sorted(n for n in os.listdir(outdir)
                   if _NAME.match(n) and steps_of(n) > step)
    for name in names:
        os.makedirs(folder, exist_ok=True)
        for n in (name, name + '.opt'):
            if os.path.exists(os.path.join(outdir, n)):
                os.replace(os.path.join(outdir, n), os.path.join(folder, n))
    return names


def remove_temporary(outdir):
    """Deletes what saves cut short by a kill left behind; returns their names."""
    names = sorted(n for n in os.listdir(outdir) if _TEMPORARY.match(n))
    for name in names:
        os.remove(os.path.join(outdir, name))
    return names


def remove(path):
    for p in (path, path + '.opt'):
        if os.path.exists(p):
            os.remove(p)
