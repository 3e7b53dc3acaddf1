"""The table of a sweep's runs, one line each, rewritten as they progress:
run, seed, flags, steps and hours trained, best and last evaluation mean, and
its state (waiting, running on a host, finished, stopped, failed and why)."""
import os

from sweeps import folder, progress

HEADER = ('run', 'seed', 'flags', 'steps', 'hours', 'best', 'final', 'state')


def rows(path, plan, states):
    """The table's rows for the sweep in `path`; `states`: run name -> state."""
    table = []
    for run in plan['runs']:
        try:
            found = progress.numbers(folder.run_dir(path, run))
            state = states.get(run['name'], '')
        except ValueError as e:  # a damaged scores.txt: say so, go on
            found, state = {}, f'unreadable: {e}'
        table.append((run['name'], str(run['seed']), folder.flags_text(run),
                      _number(found.get('steps'), '{:d}'), _number(found.get('hours'), '{:.2f}'),
                      _number(found.get('best'), '{:.1f}'),
                      _number(found.get('final'), '{:.1f}'),
                      state))
    return table


def text(table):
    """Aligned columns; the state last, since a failure's cause may be long."""
    lines = [HEADER] + list(table)
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER) - 1)]
    return ''.join('  '.join(cell.ljust(w) for cell, w in zip(line, widths)) + '  ' +
                   line[-1] + '\n' for line in lines)


def write(path, plan, states):
    """Rewrites `table.txt` in the sweep's folder; returns its text."""
    body = text(rows(path, plan, states))
    folder.write_atomic(os.path.join(path, folder.TABLE), body)
    return body


def _number(x, form):
    return '-' if x is None else form.format(x)
