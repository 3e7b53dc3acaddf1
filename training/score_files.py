"""scores.txt and games.txt: tab-separated rows, only ever appended to."""
import os

from training.writes import writing

COLUMNS = ('steps', 'episodes', 'elapsed', 'mean', 'median', 'stdev', 'max', 'min')
# games.txt: every whole game the workers played, as the game scores it (unclipped).
GAME_COLUMNS = ('steps', 'worker', 'score', 'length')


def read_table(path, needed):
    """(header, [(line number, fields)]) of a tab-separated file's non-blank
    lines, ([], []) for an empty one.  ValueError, naming the file, for what is
    not text or whose header lacks a `needed` column; open's OSError as it is."""
    try:
        with open(path) as f:
            lines = [(n, line.rstrip('\n').split('\t')) for n, line in enumerate(f, 1)
                     if line.strip()]
    except UnicodeDecodeError:
        raise ValueError(f'{path} is not a text file')
    if not lines:
        return [], []
    header = lines[0][1]
    missing = [c for c in needed if c not in header]
    if missing:
        raise ValueError('{}: the header line has no {} column (it has: {})'.format(
            path, ', '.join(missing), ' '.join(header)[:200]))
    return header, lines[1:]


def games_file(outdir):
    """The run's games.txt."""
    return ScoresFile(os.path.join(outdir, 'games.txt'), columns=GAME_COLUMNS)


class ScoresFile:
    """Tab-separated, one header line, one row per evaluation (or per training
    game, with `columns=GAME_COLUMNS`); only ever appended to, but for the rows
    a resume from an older checkpoint moves aside."""

    def __init__(self, path, extra_columns=(), columns=COLUMNS):
        self.path = path
        self.required = columns
        self.columns = columns + tuple(extra_columns)

    def _table(self):
        if not os.path.exists(self.path):
            return [], []
        try:
            return read_table(self.path, self.required)
        except OSError as e:  # a directory, say
            raise ValueError(f'cannot read {self.path}: {e.strerror or e}')

    def rows(self):
        """Raises ValueError, naming the line, for what is no scores file of ours."""
        return self._rows(*self._table())

    def _rows(self, header, lines):
        rows = []
        for n, fields in lines:
            try:
                if len(fields) != len(header):
                    raise ValueError
                rows.append(dict(zip(header, map(float, fields))))
            except ValueError:
                raise ValueError(f'{self.path} line {n}: expected {len(header)} numbers, '
                                 'as in its header')
        return rows

    def move_rows_after(self, step, path):
        """Moves the rows beyond `step` to the end of `path`; returns their steps.

        For a run resumed from a checkpoint older than its last evaluations:
        scores.txt keeps one history, and nothing written is lost."""
        header, numbered = self._table()
        rows = self._rows(header, numbered)
        lines = ['\t'.join(fields) for fields in [header] + [f for _, f in numbered]]
        later = [line for line, row in zip(lines[1:], rows) if row['steps'] > step]
        if not later:
            return []
        with writing(path, lambda: _trim_to_whole_lines(path)), open(path, 'a') as f:
            f.write('\n'.join(([] if f.tell() else lines[:1]) + later) + '\n')
            f.flush()
            os.fsync(f.fileno())
        kept = [line for line, row in zip(lines[1:], rows) if row['steps'] <= step]
        tmp = f'{self.path}.{os.getpid()}.tmp'
        with writing(self.path, lambda: os.remove(tmp)):
            with open(tmp, 'w') as f:
                f.write('\n'.join(lines[:1] + kept) + '\n')
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        return [int(row['steps']) for row in rows if row['steps'] > step]

    def _header(self):
        """The header line if the file has none yet, else ''."""
        new = not os.path.exists(self.path) or os.path.getsize(self.path) == 0
        return '\t'.join(self.columns) + '\n' if new else ''

    def append(self, row):
        """One write of one line: processes appending at once never mix lines;
        one cut short by a full disk goes, and the rows before it stay."""
        with writing(self.path, lambda: _trim_to_whole_lines(self.path)), \
                open(self.path, 'a') as f:
            f.write(self._header() + '\t'.join(_fmt(row[c]) for c in self.columns) + '\n')
            f.flush()
            os.fsync(f.fileno())

    def start(self):
        """Writes the header now, before several processes append to the file."""
        header = self._header()
        if header:
            with writing(self.path, lambda: os.remove(self.path)), open(self.path, 'w') as f:
                f.write(header)


def _trim_to_whole_lines(path):
    """Cuts what follows the last newline: the part of a line a failed write left."""
    with open(path, 'rb+') as f:
        f.truncate(f.read().rfind(b'\n') + 1)


def _fmt(x):
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f'{x:.6g}'
