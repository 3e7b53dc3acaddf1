"""sweep.py without Ray: the drawn settings, the table from run folders, and
bad input (one line, exit status 2, nothing on disk)."""
import json
import os

import numpy as np
import pytest

import sweep
from sweeps import folder, settings, table
from training.score_files import ScoresFile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_learning_rates_are_drawn_log_uniformly_from_the_papers_range():
    runs = settings.draw(2000, [], settings.PAPER_LR_RANGE, seed=0)
    lrs = np.array([float(dict(r['flags'])['lr']) for r in runs])
    assert lrs.min() >= 1e-4 and lrs.max() <= 1e-2
    # LogUniform: half in each decade (a uniform draw would put 90% in the upper
    # one); over 2000 draws the fraction's standard error is 0.011.
    assert abs(np.mean(lrs < 1e-3) - 0.5) < 0.05
    assert [r['seed'] for r in runs] == list(range(2000))
    assert runs[0]['name'] == 'run_0000' and runs[-1]['name'] == 'run_1999'
    # The same seed draws the same sweep; another seed another one.
    first = settings.draw(3, [], (1e-4, 1e-2), 0)
    assert [r['flags'] for r in first] == [r['flags'] for r in runs[:3]]
    assert settings.draw(3, [], (1e-4, 1e-2), 7) != first


def test_a_grid_gives_every_combination_runs_times():
    grid = settings.parse_grid(['beta=0.01,0.001', '--t-max=5,20'])
    runs = settings.draw(2, grid, (1e-3, 1e-3), seed=5)
    combinations = [tuple(map(tuple, r['flags'][:2])) for r in runs]
    assert len(runs) == 8 and len(set(combinations)) == 4
    assert all(combinations.count(c) == 2 for c in combinations)
    assert all(r['flags'][2] == ['lr', '1.00e-03'] for r in runs)
    assert [r['seed'] for r in runs] == list(range(5, 13))
    # A grid that sets the rate: nothing drawn.
    runs = settings.draw(1, settings.parse_grid(['lr=1e-3,1e-2']), (1e-4, 1e-2), 0)
    assert [r['flags'] for r in runs] == [[['lr', '1e-3']], [['lr', '1e-2']]]


def test_the_command_line_of_a_run_new_and_resumed():
    plan = folder.new_plan('/p/a3c_ale.py', ['1', 'pong'], 1,
                           [{'name': 'run_00', 'seed': 3, 'flags': [['lr', '1e-3']]}])
    run = plan['runs'][0]
    assert folder.command(plan, run, '/s/run_00', False) == [
        '/p/a3c_ale.py', '1', 'pong', '--lr', '1e-3', '--seed', '3', '--outdir', '/s/run_00']
    assert folder.command(plan, run, '/s/run_00', True)[-2:] == ['--resume', '/s/run_00']


def test_the_table_reads_each_run_from_its_folder(tmp_path):
    plan = folder.new_plan('/p/a3c_ale.py', ['1', 'pong'], 1, settings.draw(
        2, [], (1e-4, 1e-2), 0))
    folder.create(str(tmp_path), plan)
    scores = ScoresFile(str(tmp_path / 'run_00' / 'scores.txt'))
    os.makedirs(tmp_path / 'run_00')
    for steps, mean in ((1000, -21.0), (2000, -15.5), (3000, -18.0)):
        scores.append({'steps': steps, 'episodes': 1, 'elapsed': steps * 3.6, 'mean': mean,
                       'median': mean, 'stdev': 0, 'max': mean, 'min': mean})
    text = table.write(str(tmp_path), plan, {'run_00': 'stopped', 'run_01': 'waiting'})
    assert (tmp_path / folder.TABLE).read_text() == text
    header, first, second = [line.split() for line in text.splitlines()]
    assert header == list(table.HEADER)
    assert first == ['run_00', '0', 'lr=' + dict(plan['runs'][0]['flags'])['lr'], '3000',
                     '3.00', '-15.5', '-18.0', 'stopped']
    assert second[3:] == ['-', '-', '-', '-', 'waiting']


def run_main(argv, capsys):
    with pytest.raises(SystemExit) as exit:
        sweep.main(argv)
    err = capsys.readouterr().err
    assert exit.value.code == 2 and len(err.strip().splitlines()) == 1, err
    return err


BAD = {  # case: (arguments, what the message must name)
    'unknown script': (['--', 'a3c_al.py', '1', 'pong'], 'unknown training script a3c_al.py'),
    'no script': ([], 'name the training script after --'),
    'no process count': (['--', 'a3c_ale.py', 'pong'], "first argument is its process count"),
    'range the wrong way': (['--lr-range', '1e-2', '1e-4', '--', 'a3c_ale.py', '1', 'pong'],
                            'expected 0 < LOW <= HIGH'),
    'range not a number': (['--lr-range', '1e-4', 'x', '--', 'a3c_ale.py', '1', 'pong'],
                           "'x' is not a number"),
    'bad grid': (['--grid', 'beta', '--', 'a3c_ale.py', '1', 'pong'], 'expected FLAG=VALUE'),
    'a flag the sweep sets': (['--', 'a3c_ale.py', '1', 'pong', '--seed=3'],
                              'the sweep sets --seed'),
    'a rate beside the drawn one': (['--', 'a3c_ale.py', '1', 'pong', '--lr', '1e-3'],
                                    'the sweep sets --lr'),
    'cpus with a cluster': (['--cpus', '2', '--address', '127.0.0.1:1', '--',
                             'a3c_ale.py', '1', 'pong'], '--cpus is for the local Ray'),
    'nothing at the address': (['--address', '127.0.0.1:1', '--', 'a3c_ale.py', '1', 'pong'],
                               'nothing answers at 127.0.0.1:1'),
    'resume no sweep': (['--resume', ROOT], 'is not a sweep folder'),
    # (an address where nothing answers: were the grid taken, no sweep would run)
    'a grid of seeds': (['--grid', 'seed=1,2', '--address', '127.0.0.1:1', '--', 'a3c_ale.py',
                         '1', 'pong'], '--grid seed: the sweep sets --seed for each run itself'),
    'a grid of outdirs': (['--grid', 'outdir=a,b', '--address', '127.0.0.1:1', '--',
                           'a3c_ale.py', '1', 'pong'], '--grid outdir: the sweep sets --outdir'),
}


@pytest.mark.parametrize('case', sorted(BAD))
def test_bad_input_is_one_line_and_status_2(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    argv, expected = BAD[case]
    out = str(tmp_path / 'sweep')
    err = run_main(['--outdir', out] + argv if '--resume' not in argv else argv, capsys)
    assert expected in err, err
    assert not os.path.exists(out)


def test_an_existing_sweep_needs_resume(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    (tmp_path / 'old').mkdir()
    (tmp_path / 'old' / 'x').write_text('')
    err = run_main(['--outdir', str(tmp_path / 'old'), '--', 'a3c_ale.py', '1', 'pong'],
                   capsys)
    assert 'already exists; pass --resume' in err
    plan = folder.new_plan(os.path.join(ROOT, 'a3c_ale.py'), ['1', 'pong'], 1, [])
    folder.create(str(tmp_path / 'new'), plan)
    err = run_main(['--resume', str(tmp_path / 'new'), '--', 'a3c_ale.py'], capsys)
    assert 'give no script' in err
    for flags in (['--runs', '3'], ['--seed', '0'], ['--lr-range', '1e-3', '1e-2']):
        err = run_main(['--resume', str(tmp_path / 'new'), '--address', '127.0.0.1:1'] + flags,
                       capsys)
        assert 'continues that sweep as it was planned' in err, flags
    (tmp_path / 'new' / folder.PLAN).write_text(json.dumps({'runs': []}))
    err = run_main(['--resume', str(tmp_path / 'new')], capsys)
    assert 'is not a sweep.json this project wrote' in err


def test_a_run_is_finished_by_its_finish_model_or_a_checkpoint_at_its_last_step(tmp_path):
    """A stop that comes as the training ends saves `<steps>_except.h5`: done too."""
    from sweeps import progress

    def checkpoint(name):
        (tmp_path / name).write_text('')
        (tmp_path / (name + '.opt')).write_text('')

    (tmp_path / 'args.txt').write_text(json.dumps({'args': {'steps': 6000}}))
    assert progress.begun(str(tmp_path)) and not progress.finished(str(tmp_path))
    checkpoint('5808_except.h5')
    assert not progress.finished(str(tmp_path))
    checkpoint('6000_except.h5')
    assert progress.finished(str(tmp_path))
    # Resumed with more steps: not any more.
    (tmp_path / 'args_resumed_6000.txt').write_text(json.dumps({'args': {'steps': 9000}}))
    assert not progress.finished(str(tmp_path))
    checkpoint('9000_finish.h5')
    assert progress.finished(str(tmp_path))


def test_a_machine_that_does_not_see_the_sweep_folder_says_so(tmp_path):
    """On a cluster the folder must be on a file system every machine mounts."""
    from sweeps import task
    plan = folder.new_plan(os.path.join(ROOT, 'a3c_ale.py'), ['1', 'pong'], 1, [])
    folder.create(str(tmp_path / 'here'), plan)
    assert task._cannot_run_here(str(tmp_path / 'here'), plan, ROOT) is None
    other = dict(plan, id='another sweep at the same path')
    assert 'is not here: put it on a file system every machine mounts' in \
        task._cannot_run_here(str(tmp_path / 'here'), other, ROOT)
    assert 'is not here' in task._cannot_run_here(str(tmp_path / 'gone'), plan, ROOT)
    assert 'no /nowhere here: install the project at the same path' in \
        task._cannot_run_here(str(tmp_path / 'here'), dict(plan, script='/nowhere'), ROOT)
