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
import zoo_entries
import zoo_table
from nets import vector
from nets.actor_critic import A3CFF
from training import checkpoints

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


ENTRIES = zoo_entries.entries()


@pytest.mark.parametrize('entry', ENTRIES, ids=[os.path.basename(e) for e in ENTRIES])
def test_zoo_entry(entry):
    assert zoo.check_entry(entry) == []


def script(*args):
    result = subprocess.run([sys.executable] + [str(a) for a in args], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def make_stand_in(factory, folder, train, demo, played):
    """trained_model/<folder> as it would look after a (very) short run of
    `train` (a script and its arguments), its GIF recorded by the `demo` script."""
    run = factory.mktemp('run') / 'out'
    script(*train, '--outdir', run)
    entry = factory.mktemp('zoo') / folder
    entry.mkdir()
    model = next(run.glob('*_finish.h5')).name
    for name in (model, model + '.opt', 'scores.txt'):
        shutil.copy(run / name, entry / name)
    script(demo, played, entry / model, '--n-runs', 1, '--deterministic',
           '--record', entry / 'animation.gif')
    script('plot_scores.py', entry / 'scores.txt')
    with open(run / 'args.txt') as f:
        record = json.load(f)
    with open(run / 'scores.txt') as f:
        lines = [line.rstrip('\n').split('\t') for line in f]
    last = dict(zip(lines[0], lines[-1]))
    (entry / 'README.md').write_text('\n'.join([
        f'# {folder} (a stand-in from a test)', '',
        '- command: `python {}`'.format(shlex.join(record['command'])),
        '- steps: {}'.format(last['steps']),
        '- processes: {}'.format(record['args']['processes']),
        f'- machine: {platform.machine()}, {os.cpu_count()} cores',
        '- wall-clock hours: {:.4f}'.format(float(last['elapsed']) / 3600),
        '- final evaluation mean: {}'.format(last['mean']),
        '- final evaluation median: {}'.format(last['median']),
        '- final evaluation episodes: {}'.format(record['args']['eval_n_runs']), '']))
    return entry


@pytest.fixture(scope='session')
def stand_in(tmp_path_factory):
    return make_stand_in(tmp_path_factory, 'pong_ff', (
        'a3c_ale.py', 2, 'pong', '--steps', 2000, '--eval-frequency', 1000,
        '--eval-n-runs', 1), 'demo_a3c_ale.py', 'pong')


def test_a_complete_entry_has_no_problems(stand_in):
    assert zoo.check_entry(str(stand_in)) == []


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _readme_line(entry, name, value):
    lines = (entry / 'README.md').read_text().splitlines()
    (entry / 'README.md').write_text('\n'.join(
        f'- {name}: {value}' if line.startswith(f'- {name}:') else line
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
    """Before its --steps, at the evaluation that reached --target-score; or at
    its --steps without reaching it."""
    entry = tmp_path / 'pong_ff'
    shutil.copytree(stand_in, entry)
    _edit(entry / 'README.md', '--steps 2000', '--steps 2000 --target-score 21')
    assert zoo.check_entry(str(entry)) == []
    _edit(entry / 'README.md', '--steps 2000 --target-score 21', '--steps 8000 --target-score -21')
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
    args = zoo_entries.parse_command('`python q_ale.py 2 pong --method n-step-q --target-score 18`')
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


def copy(entry, tmp_path, folder):
    shutil.copytree(entry, tmp_path / folder)
    return tmp_path / folder


def problems_of(entry):
    return '\n'.join(zoo.check_entry(str(entry)))


def resave(entry, model, record):
    """The entry's model file replaced by the untrained `model`, recording `record`."""
    checkpoints.atomic_save(str(next(entry.glob('*_finish.h5'))), model, record)


@pytest.fixture(scope='session')
def gym_stand_in(tmp_path_factory):
    return make_stand_in(tmp_path_factory, 'cart_pole_ff', (
        'a3c_gym.py', 2, 'CartPole-v1', '--steps', 2000, '--eval-frequency', 1000,
        '--eval-n-runs', 1), 'demo_a3c_gym.py', 'CartPole-v1')


@pytest.fixture(scope='session')
def doom_stand_in(tmp_path_factory):
    return make_stand_in(tmp_path_factory, 'defend_the_center_ff', (
        'a3c_doom.py', 2, 'defend_the_center', '--steps', 1000, '--eval-frequency', 1000,
        '--eval-n-runs', 1), 'demo_a3c_doom.py', 'defend_the_center')


def test_gymnasium_and_doom_entries_have_no_problems(gym_stand_in, doom_stand_in):
    assert zoo.check_entry(str(gym_stand_in)) == []
    assert zoo.check_entry(str(doom_stand_in)) == []


@pytest.mark.parametrize('task,folder', [
    ('InvertedPendulum-v5', 'inverted_pendulum'), ('HalfCheetah-v5', 'half_cheetah'),
    ('CartPole-v1', 'cart_pole'), ('MountainCarContinuous-v0', 'mountain_car_continuous'),
    ('Pendulum-v1', 'pendulum')])
def test_a_gymnasium_folder_is_its_task_in_snake_case(task, folder):
    assert zoo_entries.snake_case(task) == folder


def test_a_gymnasium_folder_names_the_task_the_model_records(gym_stand_in, tmp_path):
    problems = problems_of(copy(gym_stand_in, tmp_path, 'inverted_pendulum_ff'))
    assert 'the folder name says inverted_pendulum, but the model file records the ' \
        'Gymnasium task CartPole-v1, so the folder is cart_pole_ff' in problems
    assert 'training command has task CartPole-v1, the entry inverted_pendulum' in problems
    problems = problems_of(copy(gym_stand_in, tmp_path, 'cart_pole_lstm'))
    assert 'the model is A3C FF on vectors, the folder name says A3C LSTM on vectors' \
        in problems
    assert '--use-lstm False, the entry True' in problems


def test_a_gymnasium_command_must_play_the_recorded_task(gym_stand_in, tmp_path):
    entry = copy(gym_stand_in, tmp_path, 'cart_pole_ff')
    _edit(entry / 'README.md', 'a3c_gym.py 2 CartPole-v1', 'a3c_gym.py 2 Acrobot-v1')
    assert 'training command has task Acrobot-v1, the entry cart_pole' in problems_of(entry)
    _edit(entry / 'README.md', 'a3c_gym.py 2 Acrobot-v1', 'a3c_ale.py 2 pong')
    assert zoo.check_entry(str(entry)) == [
        ('README.md training command runs a3c_ale.py, but the model file records the '
         'Gymnasium task CartPole-v1 (a3c_gym.py train there)')]


def test_a_gymnasium_model_must_fit_its_task(gym_stand_in, tmp_path):
    entry = copy(gym_stand_in, tmp_path, 'cart_pole_ff')
    task = {'environment': 'gym', 'task': 'CartPole-v1'}
    resave(entry, vector.build(4, 1, True, False), task)
    assert 'the model draws a vector of 1, but CartPole-v1 takes one of 2' in problems_of(entry)
    resave(entry, vector.build(3, 2, False, False), task)
    assert 'the model observes 3 numbers, but CartPole-v1 gives 4' in problems_of(entry)
    resave(entry, A3CFF(2), task)
    assert 'the model is A3C FF, the folder name says A3C FF on vectors' in problems_of(entry)
    resave(entry, vector.build(4, 2, False, False), {'environment': 'nes', 'game': 'mario'})
    assert 'the model file records environment nes, game mario, no environment the zoo ' \
        'knows' in problems_of(entry)


def test_a_gymnasium_entry_may_say_why_it_has_no_animation(gym_stand_in, tmp_path):
    entry = copy(gym_stand_in, tmp_path, 'cart_pole_ff')
    _readme_line(entry, 'no animation', 'no OpenGL')  # not there yet: nothing changes
    _edit(entry / 'README.md', '- steps:', '- no animation: no OpenGL here\n- steps:')
    assert 'the folder holds animation.gif' in problems_of(entry)  # a GIF is still checked
    os.remove(entry / 'animation.gif')
    assert zoo.check_entry(str(entry)) == []
    _readme_line(entry, 'no animation', '')
    assert 'the "- no animation:" line of README.md gives no reason' in problems_of(entry)
    _readme_line(entry, 'no animation', None)
    assert 'no animation.gif (a Gymnasium entry may say why instead' in problems_of(entry)


def test_doom_entries_are_named_and_checked_as_atari_ones(doom_stand_in, tmp_path):
    args = zoo_entries.parse_command('`python q_doom.py 2 health_gathering --method sarsa '
                             '--reward-scale 0.01`')
    assert (args.script, args.scenario, args.method, args.reward_scale) == (
        'q_doom.py', 'health_gathering', 'sarsa', 0.01)
    problems = problems_of(copy(doom_stand_in, tmp_path, 'health_gathering_ff'))
    assert 'the folder name says health_gathering, but the model file records the ViZDoom ' \
        'scenario defend_the_center, so the folder is defend_the_center_ff' in problems
    assert 'training command has scenario defend_the_center, the entry health_gathering' \
        in problems
    entry = copy(doom_stand_in, tmp_path, 'defend_the_center_ff')
    os.remove(entry / 'animation.gif')
    _edit(entry / 'README.md', '- steps:', '- no animation: none\n- steps:')
    assert 'no animation.gif (a "- no animation:" line excuses only a Gymnasium entry)' \
        in problems_of(entry)
    resave(entry, A3CFF(7), {'environment': 'doom', 'scenario': 'defend_the_center',
                             'preprocessing': 'gray160x120'})
    assert 'the model has 7 actions, defend_the_center has 3' in problems_of(entry)


def test_the_readme_shows_the_table_that_zoo_py_makes_now():
    table = script('zoo.py', '--table').stdout
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as f:
        readme = f.read()
    assert table.count('\n') > 2  # the header, its rule and at least one entry
    assert table in readme, 'README.md: paste the output of `python zoo.py --table`'


def test_the_human_normalised_score():
    # Pong, DQN Zoo's random -20.7 and human 14.6: (18.6 + 20.7) / (14.6 + 20.7) = 39.3 / 35.3
    assert zoo_table.human_normalised(18.6, 'pong') == pytest.approx(1.113314, abs=1e-6)
    assert zoo_table.human_normalised(1.7, 'breakout') == 0
    assert zoo_table.human_normalised(30.5, 'breakout') == pytest.approx(1)


def _args_file(entry, name, start, processes):
    """An args*.txt as the training script writes it, with the fields the table reads."""
    (entry / name).write_text(json.dumps({
        'args': {'processes': processes, 'target_score': None}, 'start_step': start,
        'machine': {'cpus': processes}}))


def test_a_table_row_is_read_from_the_entry_s_files(stand_in, tmp_path):
    entry = copy(stand_in, tmp_path, 'pong_ff')
    model = next(entry.glob('*_finish.h5'))
    hours = f'{checkpoints.clock(str(model))[0] / 3600:.2f} h'
    with open(entry / 'scores.txt') as f:
        lines = [line.rstrip('\n').split('\t') for line in f]
    mean = float(dict(zip(lines[0], lines[-1]))['mean'])
    rows = zoo_table.markdown([str(entry)]).splitlines()
    assert len(rows) == 3
    cells = rows[2].split(' | ')
    assert cells[:3] == ['| Pong (`pong_ff`)', 'A3C FF', f'{mean:g}']
    assert cells[3] == f'0.002 M steps, {hours}, processes not recorded'
    assert cells[4] == '{:.0%}'.format(zoo_table.human_normalised(mean, 'pong'))
    assert cells[5:] == ['11.4', '20.9', '20.7 |']
    _args_file(entry, 'args.txt', 0, 2)
    _args_file(entry, 'args_resumed_500.txt', 500, 16)
    _args_file(entry, 'args_resumed_900.txt', 900, 16)
    assert (f'0.002 M steps, {hours}, 16 processes on 16 cores; 2 on 2 cores for steps 0–0.0005 M'
            in zoo_table.markdown([str(entry)]))


def test_the_table_leaves_out_other_environments_and_refuses_a_broken_entry(
        gym_stand_in, stand_in, tmp_path):
    assert zoo_table.markdown([str(gym_stand_in)]).count('\n') == 2
    entry = copy(stand_in, tmp_path, 'pong_ff')
    shutil.copy(entry / '2000_finish.h5', entry / '1002.h5')
    with pytest.raises(ValueError, match='2 model files'):
        zoo_table.markdown([str(entry)])


@pytest.mark.parametrize('argv,expected', [
    (['--table', 'trained_model/pong_ff'], 'it takes no entry folders'),
    (['--table', '--steps', '3'], 'unrecognized arguments: --steps')])
def test_bad_table_arguments_get_one_line(argv, expected):
    result = subprocess.run([sys.executable, 'zoo.py'] + argv, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr.count('\n') == 1 and expected in result.stderr, result.stderr
