"""TensorBoard's view of a run, written by the parent process alone.

At each progress line the parent reads the rows appended to scores.txt and
games.txt since its last read and writes exactly those numbers, at their
steps, with the learning rate and steps/s of the progress line and any
per-worker numbers the script computes from the step (the value methods'
epsilon).  The text files stay the record; the workers do nothing for this.
"""
import glob
import os
import socket
import struct
import time

from cli.arguments import say
from training.writes import writing

TEXT_FILES = ('scores', 'games')  # each file's columns become `<file>/<column>`
NOT_CURVES = ('steps', 'worker')


class Board:
    """One event-file writer for a run's folder.

    A resumed run goes on in the same curves.  Event files that hold points
    past the resume step (an abandoned stretch) move to before_resume_<step>/,
    as the models past it do, and the new file starts with the text files'
    rows (as the resume left them) and the old files' other points up to the
    step; purge markers would not do, as TensorBoard's own server ignores
    them.  Otherwise the old files stay, and the new one starts with the rows
    they lack (a run killed between two progress lines)."""

    def __init__(self, outdir, start_step, workers=0, worker_scalars=None):
        """`worker_scalars(index, step)`: {name: number} for that worker at
        that step; each becomes `<name>/worker_<index>`."""
        self.outdir, self.start_step = outdir, start_step
        self.workers = range(workers) if worker_scalars else range(0)
        self.worker_scalars = worker_scalars
        paths, points = _read_event_files(outdir)
        kept = [p for p in points if p[1] <= start_step]
        self.old_files = paths if len(kept) < len(points) else []
        self.history = [p for p in kept if p[0].split('/')[0] not in TEXT_FILES
                        and self.old_files]
        # The text files' rows keep the times they were first shown at.
        self.wall_times = {(tag, step): t for tag, step, _, t in kept}
        self.shown = {} if self.old_files else {tag: step for tag, step, _, _ in kept}
        self.tails = [_Tail(os.path.join(outdir, name + '.txt'), name) for name in TEXT_FILES]
        self.writer, self.last_step = None, start_step

    def _writer(self):
        """Opened at the first write."""
        if self.writer is None:
            if self.old_files:
                folder = os.path.join(self.outdir, f'before_resume_{self.start_step}')
                with writing(folder):
                    os.makedirs(folder, exist_ok=True)
                    for path in self.old_files:
                        os.replace(path, os.path.join(folder, os.path.basename(path)))
                say(f'moved {len(self.old_files)} TensorBoard event file(s) to {folder}; their '
                    f'points up to step {self.start_step} go on in a new one')
            self.writer = _EventFile(self.outdir)
            for tag, step, value, wall_time in self.history:
                self.writer.add_scalar(tag, value, step, wall_time)
        return self.writer

    def _new_rows(self):
        writer = self._writer()
        for tail in self.tails:
            # two workers that end games at nearly the same step may append
            # their games.txt rows in either order
            for row in sorted(tail.rows(), key=lambda r: r['steps']):
                step = int(row['steps'])
                for column, value in row.items():
                    tag = f'{tail.name}/{column}'
                    if column not in NOT_CURVES and step > self.shown.get(tag, -1):
                        writer.add_scalar(tag, value, step, self.wall_times.get((tag, step)))

    def write(self, step, lr, steps_per_s):
        """At each progress line; none while the step stands still (the
        final evaluation): one point per step.  Raises WriteError."""
        self._new_rows()
        if step > self.last_step:
            self.last_step = step
            writer = self._writer()
            writer.add_scalar('train/learning_rate', lr, step)
            writer.add_scalar('train/steps_per_s', steps_per_s, step)
            for index in self.workers:
                for name, value in self.worker_scalars(index, step).items():
                    writer.add_scalar(f'{name}/worker_{index}', value, step)
        self.writer.flush()

    def close(self):
        """After the workers and the evaluator have stopped: their last rows."""
        self._new_rows()
        self.writer.flush()


class _EventFile:
    """A new event file, appended to in whole records at each flush; what a
    failed flush wrote goes, so the file ends with a whole record.  Written
    here, not by tensorboardX's writer thread, so that a full disk is this
    process's WriteError, not a thread's traceback and a writer that hangs."""

    def __init__(self, outdir):
        from tensorboardX.proto.event_pb2 import Event  # only runs that write pay
        from tensorboardX.record_writer import masked_crc32c  # these imports
        from tensorboardX.summary import scalar
        self.event, self.crc, self.scalar = Event, masked_crc32c, scalar
        self.path = os.path.join(
            outdir, f'events.out.tfevents.{time.time():.0f}.{socket.gethostname()}')
        self.size, self.pending = 0, []
        self._add(Event(wall_time=time.time(), file_version='brain.Event:2'))
        self.flush()

    def add_scalar(self, tag, value, step, wall_time=None):
        self._add(self.event(wall_time=wall_time or time.time(), step=step,
                             summary=self.scalar(tag, value)))

    def _add(self, event):
        """TFRecord framing: the length, its checksum, the record, its checksum."""
        data = event.SerializeToString()
        header = struct.pack('<Q', len(data))
        self.pending.append(header + struct.pack('<I', self.crc(header)) + data +
                            struct.pack('<I', self.crc(data)))

    def flush(self):
        data, self.pending = b''.join(self.pending), []
        with writing(self.path, lambda: os.truncate(self.path, self.size)), \
                open(self.path, 'ab') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        self.size += len(data)


class _Tail:
    """The rows appended to a text file since the last read; whole lines only,
    since a process may be writing one."""

    def __init__(self, path, name):
        self.path, self.name = path, name
        self.offset, self.header = 0, None

    def rows(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path, 'rb') as f:
            f.seek(self.offset)
            chunk = f.read()
        whole = chunk[:chunk.rfind(b'\n') + 1]
        self.offset += len(whole)
        lines = [line for line in whole.decode().split('\n') if line.strip()]
        if self.header is None and lines:
            self.header = lines.pop(0).split('\t')
        return [dict(zip(self.header, map(float, line.split('\t')))) for line in lines]


def _read_event_files(outdir):
    """(the event files in `outdir`, their scalars as [(tag, step, value,
    wall time)]), read in TensorBoard's order, where a purge marker drops the
    points at or past its step.  A file that is no event file is named in one
    line and left alone; of one cut short, the whole records count."""
    paths, points = [], []
    for path in sorted(glob.glob(os.path.join(outdir, '*tfevents*'))):
        try:
            for event in _events(path):
                if path not in paths:
                    paths.append(path)
                if event.session_log.status == event.session_log.START:
                    points = [p for p in points if p[1] < event.step]
                points += [(v.tag, event.step, v.simple_value, event.wall_time)
                           for v in event.summary.value if v.HasField('simple_value')]
        except ValueError as e:
            say('note: {}; {}'.format(e, 'its whole records count' if path in paths
                                      else 'it is left as it is'))
    return paths, points


def _events(path):
    """The Event records of a TensorBoard event file (TFRecord framing: the
    length, its checksum, the record, its checksum); ValueError naming the
    file for what is not one."""
    from google.protobuf.message import DecodeError
    from tensorboardX.proto.event_pb2 import Event
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise ValueError(f'{path} cannot be read ({e.strerror or e})')
    at = 0
    while at < len(data):
        size = struct.unpack_from('<Q', data, at)[0] if len(data) - at >= 8 else None
        try:
            if size is None or at + size + 16 > len(data):
                raise DecodeError('cut short')
            event = Event.FromString(data[at + 12:at + 12 + size])
            if at == 0 and not event.file_version.startswith('brain.Event:'):
                raise DecodeError('no file version')
        except DecodeError:
            if at == 0:
                raise ValueError(f'{path} is not a TensorBoard event file')
            raise ValueError(f'{path} is cut short or damaged at byte {at}')
        yield event
        at += size + 16
