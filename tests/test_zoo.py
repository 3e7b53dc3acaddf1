"""The zoo's entries, and the check itself on a stand-in entry made by a short real run."""
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys

import pytest
from PIL import Image

import zoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


ENTRIES = zoo.entries()


@pytest.mark.parametrize('entry', ENTRIES, ids=[os.path.basename(e) for e in ENTRIES])
def test_zoo_entry(entry):
    assert zoo.check_entry(entry) == []


def script(*args):
    result = subprocess.run([sys.executable] + [str(a) for a in args], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope='session')
def stand_in(tmp_path_factory):
    """trained_model/pong_ff as it would look after a (very) short training run."""
    run = tmp_path_factory.mktemp('run') / 'out'
    script('a3c_ale.py', 2, 'pong', '--steps', 2000, '--eval-frequency', 1000,
           '--eval-n-runs', 1, '--outdir', run)
    entry = tmp_path_factory.mktemp('zoo') / 'pong_ff'
    entry.mkdir()
    for name in ('2000_finish.h5', '2000_finish.h5.opt', 'scores.txt'):
        shutil.copy(run / name, entry / name)
    script('demo_a3c_ale.py', 'pong', entry / '2000_finish.h5', '--n-runs', 1,
           '--deterministic', '--record', entry / 'animation.gif')
    script('plot_scores.py', entry / 'scores.txt')
    with open(run / 'args.txt') as f:
        record = json.load(f)
    with open(run / 'scores.txt') as f:
        lines = [line.rstrip('\n').split('\t') for line in f]
    last = dict(zip(lines[0], lines[-1]))
    (entry / 'README.md').write_text('\n'.join([
        '# Pong, A3C FF (a stand-in from a test)', '',
        '- command: `python {}`'.format(shlex.join(record['command'])),
        '- steps: 2000',
        '- processes: 2',
        '- machine: {}, {} cores'.format(platform.machine(), os.cpu_count()),
        '- wall-clock hours: {:.4f}'.format(float(last['elapsed']) / 3600),
        '- final evaluation mean: {}'.format(last['mean']),
        '- final evaluation median: {}'.format(last['median']),
        '- final evaluation episodes: 1', '']))
    return entry


def test_a_complete_entry_has_no_problems(stand_in):
    assert zoo.check_entry(str(stand_in)) == []


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _readme_line(entry, name, value):
    lines = (entry / 'README.md').read_text().splitlines()
    (entry / 'README.md').write_text('\n'.join(
        '- {}: {}'.format(name, value) if line.startswith('- {}:'.format(name)) else line
        for line in lines if value is not None or not line.startswith('- ' + name)))


BREAKS = {  # case: (what to do to a good entry, what a problem must say)
    'no animation': (lambda e: os.remove(e / 'animation.gif'), 'no animation.gif'),
    'no optimizer file': (lambda e: os.remove(e / '2000_finish.h5.opt'), '.opt'),
    'a second model': (lambda e: shutil.copy(e / '2000_finish.h5', e / '1002.h5'),
                       '2 model files'),
    'a still GIF': (lambda e: Image.new('RGB', (8, 8)).save(e / 'animation.gif'),
                    'still image'),
    'the plot is no PNG': (lambda e: shutil.copy(e / 'animation.gif', e / 'scores.png'),
                           'not PNG'),
    'README mean changed': (lambda e: _readme_line(e, 'final evaluation mean', 21),
                            'final evaluation mean as 21'),
    'README median changed': (lambda e: _readme_line(e, 'final evaluation median', 3.5),
                              'final evaluation median as 3.5'),
    'README without machine': (lambda e: _readme_line(e, 'machine', None), 'machine'),
    'README steps': (lambda e: _readme_line(e, 'steps', 'many'), 'not a whole number'),
    'README hours': (lambda e: _readme_line(e, 'wall-clock hours', 5), 'wall-clock hours'),
    'README processes': (lambda e: _readme_line(e, 'processes', 16), 'processes 2'),
    'mean below the target': (lambda e: _edit(e / 'README.md', '--steps 2000',
                                              '--steps 8000 --target-score 21'),
                              "below the training command's --target-score 21"),
    'scores end elsewhere': (lambda e: _edit(e / 'scores.txt', '\n2000\t', '\n1000\t'),
                       'last row of scores.txt 1000'),
}


def test_an_entry_may_stop_at_its_target_score(stand_in, tmp_path):
    """Before its --steps, at the evaluation that reached --target-score."""
    entry = tmp_path / 'pong_ff'
    shutil.copytree(stand_in, entry)
    _edit(entry / 'README.md', '--steps 2000', '--steps 8000 --target-score -21')
    assert zoo.check_entry(str(entry)) == []
    _edit(entry / 'README.md', '--target-score -21', '--eval-n-runs 1')
    assert any('steps 8000, the entry 2000' in p for p in zoo.check_entry(str(entry)))


@pytest.mark.parametrize('case', sorted(BREAKS))
def test_a_broken_entry_has_problems(case, stand_in, tmp_path):
    entry = tmp_path / 'pong_ff'
    shutil.copytree(stand_in, entry)
    breaks, expected = BREAKS[case]
    breaks(entry)
    problems = zoo.check_entry(str(entry))
    assert any(expected in p for p in problems), problems


def test_the_folder_name_must_say_the_network(stand_in, tmp_path):
    entry = tmp_path / 'pong_lstm'
    shutil.copytree(stand_in, entry)
    problems = zoo.check_entry(str(entry))
    assert any('the model is A3C FF, the folder name says A3C LSTM' in p for p in problems)
    assert any('--use-lstm False, the entry True' in p for p in problems)
    assert zoo.check_entry(str(tmp_path / 'nogame_ff')) != []
    os.rename(entry, tmp_path / 'not_a_game_ff')
    assert 'folder name' in zoo.check_entry(str(tmp_path / 'not_a_game_ff'))[0]



def test_value_method_and_queue_entries_are_named_for_what_trained_them(stand_in, tmp_path):
    args = zoo.parse_command('`python q_ale.py 2 pong --method n-step-q --target-score 18`')
    assert (args.script, args.method, args.processes, args.target_score) == (
        'q_ale.py', 'n-step-q', 2, 18)
    entry = tmp_path / 'pong_nstep_q'
    shutil.copytree(stand_in, entry)
    problems = zoo.check_entry(str(entry))
    assert any('the model is A3C FF, the folder name says a Q network' in p
               for p in problems), problems
    queued = tmp_path / 'pong_ff_queue'
    shutil.copytree(stand_in, queued)
    assert any('--architecture hogwild, the entry queue' in p
               for p in zoo.check_entry(str(queued)))
    _edit(queued / 'README.md', '--steps 2000', '--steps 2000 --architecture queue')
    assert zoo.check_entry(str(queued)) == []
