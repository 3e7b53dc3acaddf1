"""plot_scores.py: what it draws, counted from matplotlib's objects, and its errors."""
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import plot_scores

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

OURS = 'steps\tepisodes\telapsed\tmean\tmedian\tstdev\tmax\tmin\n'
ORIGINAL = 'steps\telapsed\tmean\tmedian\tstdev\n'


def scores_file(path, means, steps=None, header=OURS):
    """A scores.txt with the given means; the median is the mean plus one."""
    steps = steps or [1000000 * (i + 1) for i in range(len(means))]
    columns = header.split()
    with open(path, 'w') as f:
        f.write(header)
        for t, m in zip(steps, means):
            row = {'steps': t, 'episodes': t // 1000, 'elapsed': t / 1000, 'mean': m,
                   'median': m + 1, 'stdev': 2, 'max': m + 3, 'min': m - 3}
            f.write('\t'.join(str(row[c]) for c in columns) + '\n')
    return str(path)


def test_one_file_draws_mean_and_median(tmp_path):
    path = scores_file(tmp_path / 'scores.txt', [1, 5, 3])
    ax = plot_scores.plot([path]).axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ['mean', 'median']
    assert list(lines[0].get_xdata()) == [1, 2, 3]  # millions of steps
    assert list(lines[0].get_ydata()) == [1, 5, 3]
    assert list(lines[1].get_ydata()) == [2, 6, 4]
    assert not ax.collections


def test_the_training_games_beside_one_file_draw_their_running_mean(tmp_path):
    path = scores_file(tmp_path / 'scores.txt', [1, 5, 3])
    # Appended in the order the workers' games ended: not sorted by steps.
    games = [(2000000, 0, 4.0), (1000000, 1, 2.0), (1500000, 0, -3.0)]
    games += [(2000000 + 1000 * i, i % 2, float(i)) for i in range(1, 201)]
    (tmp_path / 'games.txt').write_text('steps\tworker\tscore\tlength\n' + ''.join(
        '{}\t{}\t{}\t800\n'.format(*g) for g in games))
    ax = plot_scores.plot([path]).axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines][1:] == ['mean', 'median']
    x, y = lines[0].get_xdata(), lines[0].get_ydata()
    assert list(x[:4]) == [1, 1.5, 2, 2.001]
    assert list(y[:4]) == [2, -0.5, 1, 1]  # the first games: the mean of those so far
    assert y[-1] == np.mean(np.arange(101, 201))  # later: of the last 100


def test_a_damaged_games_file_is_named(tmp_path, capsys):
    path = scores_file(tmp_path / 'scores.txt', [1, 5, 3])
    (tmp_path / 'games.txt').write_text('steps\tworker\tscore\tlength\n1\t0\tx\t3\n')
    with pytest.raises(SystemExit) as exit:
        plot_scores.main([path])
    assert exit.value.code == 2
    assert 'games.txt line 2: not all numbers' in capsys.readouterr().err


def test_three_runs_draw_their_mean_a_band_and_each_run_faintly(tmp_path):
    paths = [scores_file(tmp_path / 'a.txt', [0, 10, 20, 30]),
             scores_file(tmp_path / 'b.txt', [2, 12, 22]),
             # Evaluated at other steps: interpolated onto the others' steps.
             scores_file(tmp_path / 'c.txt', [4, 14, 24, 34],
                         steps=[1500000, 2500000, 3500000, 4500000])]
    ax = plot_scores.plot(paths, title='three seeds').axes[0]
    lines = ax.get_lines()
    faint = [line for line in lines if (line.get_alpha() or 1) < 0.5]
    bold = [line for line in lines if line not in faint]
    assert len(faint) == 3 and len(bold) == 1 and len(ax.collections) == 1
    # The common range is 1.5 to 3 million steps, where all three have data.
    x, y = bold[0].get_xdata(), bold[0].get_ydata()
    assert list(x) == [1.5, 2, 2.5, 3]
    runs = np.array([[5, 10, 15, 20], [7, 12, 17, 22], [4, 9, 14, 19]])
    assert np.allclose(y, runs.mean(axis=0))
    band = ax.collections[0].get_paths()[0].vertices
    assert np.isclose(band[:, 1].min(), 4) and np.isclose(band[:, 1].max(), 22)
    assert ax.get_title() == 'three seeds'


def test_original_five_column_files_work(tmp_path):
    path = scores_file(tmp_path / 'scores.txt', [7, 8], header=ORIGINAL)
    lines = plot_scores.plot([path]).axes[0].get_lines()
    assert list(lines[0].get_ydata()) == [7, 8] and list(lines[1].get_ydata()) == [8, 9]


def test_a_resumed_run_replaces_the_rows_it_went_back_over(tmp_path):
    path = scores_file(tmp_path / 'scores.txt', [1, 2, 3, 20, 30, 40],
                       steps=[1, 2, 3, 2, 3, 4])
    table = plot_scores.read_scores(path)
    assert list(table['steps']) == [1, 2, 3, 4]
    assert list(table['mean']) == [1, 20, 30, 40]


def test_the_command_writes_the_png_beside_the_file(tmp_path):
    path = scores_file(tmp_path / 'scores.txt', [1, 2, 3])
    result = subprocess.run([sys.executable, os.path.join(ROOT, 'plot_scores.py'), path],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / 'scores.png') as im:
        assert im.format == 'PNG'
    assert sorted(os.listdir(tmp_path)) == ['scores.png', 'scores.txt']


BAD = {  # case: (file contents or None for no file, what the message must name)
    'empty': ('', 'is empty'),
    'header only': (OURS, 'no evaluations'),
    'not numbers': (OURS + 'a\tb\tc\td\te\tf\tg\th\n', 'line 2: not all numbers'),
    'too few fields': (OURS + '1\t2\t3\n', 'line 2: 3 fields'),
    'no mean column': ('steps\tscore\n1\t2\n', 'no mean, median column'),
    'not finite': (OURS + '1\t1\t1\tinf\t1\t1\t1\t1\n', 'not a finite number'),
    'missing': (None, 'cannot read'),
}


@pytest.mark.parametrize('case', sorted(BAD))
def test_bad_file_is_one_line_and_status_2(case, tmp_path, capsys):
    contents, expected = BAD[case]
    path = tmp_path / 'scores.txt'
    if contents is not None:
        path.write_text(contents)
    with pytest.raises(SystemExit) as exit:
        plot_scores.main([str(path)])
    err = capsys.readouterr().err
    assert exit.value.code == 2
    assert len(err.strip().splitlines()) == 1 and expected in err, err
    assert not (tmp_path / 'scores.png').exists()


@pytest.mark.parametrize('case', ['directory', 'several without --out', 'disjoint runs'])
def test_bad_arguments_are_one_line_and_status_2(case, tmp_path, capsys):
    a = scores_file(tmp_path / 'a.txt', [1, 2], steps=[1, 2])
    b = scores_file(tmp_path / 'b.txt', [1, 2], steps=[3, 4])
    argv = {'directory': [str(tmp_path)],
            'several without --out': [a, b],
            'disjoint runs': [a, b, '--out', str(tmp_path / 'x.png')]}[case]
    with pytest.raises(SystemExit) as exit:
        plot_scores.main(argv)
    err = capsys.readouterr().err
    assert exit.value.code == 2 and len(err.strip().splitlines()) == 1, err


def sweep_folder(path, finals):
    """A sweep whose run i ends its learning curve at finals[i], with lr 10^-(i+1)."""
    from sweeps import folder
    runs = [{'name': f'run_{i:02d}', 'seed': i, 'flags': [['lr', str(10.0 ** -(i + 1))]]}
            for i in range(len(finals))]
    folder.create(str(path), folder.new_plan('a3c_ale.py', ['1', 'pong'], 1, runs))
    for i, final in enumerate(finals):
        os.makedirs(path / runs[i]['name'])
        scores_file(path / runs[i]['name'] / 'scores.txt', [0, final / 2, final])
        (path / runs[i]['name'] / 'args.txt').write_text(
            f'{{"args": {{"lr": {10.0 ** -(i + 1)!r}, "seed": {i:d}}}}}')
    return str(path)


def test_a_sweep_draws_its_best_runs_and_the_final_score_against_the_rate(tmp_path):
    finals = [3, 9, 1, 7, 5, 8, 2]
    curves, lr = plot_scores.plot_sweep(sweep_folder(tmp_path / 's', finals), best=3)
    ax = curves.axes[0]
    faint = [line for line in ax.get_lines() if (line.get_alpha() or 1) < 0.5]
    assert sorted(line.get_ydata()[-1] for line in faint) == [7, 8, 9]  # the best 3
    bold = [line for line in ax.get_lines() if line not in faint]
    assert list(bold[0].get_ydata()) == [0, 4, 8]
    assert 'the best 3 of 7 runs' in ax.get_title()
    ax = lr.axes[0]
    assert ax.get_xscale() == 'log'
    points = np.concatenate([c.get_offsets() for c in ax.collections])
    assert sorted(map(tuple, points)) == sorted(
        (10.0 ** -(i + 1), f) for i, f in enumerate(finals))
    assert [c.get_label() for c in ax.collections] == ['the best 3', 'the others']


def test_the_command_writes_a_sweeps_two_plots_into_it(tmp_path, capsys):
    path = sweep_folder(tmp_path / 's', [1, 2])
    assert plot_scores.main([path]) == 0
    for name in plot_scores.SWEEP_PLOTS:
        with Image.open(os.path.join(path, name)) as im:
            assert im.format == 'PNG'
    with pytest.raises(SystemExit) as exit:
        plot_scores.main([path, '--out', str(tmp_path / 'x.png')])
    assert exit.value.code == 2 and 'no --out' in capsys.readouterr().err


def test_a_sweep_with_no_evaluation_yet_is_one_line_and_status_2(tmp_path, capsys):
    path = sweep_folder(tmp_path / 's', [])
    with pytest.raises(SystemExit) as exit:
        plot_scores.main([path])
    err = capsys.readouterr().err
    assert exit.value.code == 2 and 'no run of the sweep' in err and len(err.splitlines()) == 1


def test_compare_draws_each_run_against_steps_or_hours(tmp_path):
    (tmp_path / 'a').mkdir()
    (tmp_path / 'b').mkdir()
    a = scores_file(tmp_path / 'a' / 'scores.txt', [1, 5, 3])
    # elapsed is steps / 1000 seconds: 3,600,000 steps make an hour.
    b = scores_file(tmp_path / 'b' / 'scores.txt', [2, 4], steps=[3600000, 7200000])
    ax = plot_scores.compare([a, b], ['A3C', 'Q'], 'steps').axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ['A3C', 'Q']
    assert list(lines[1].get_xdata()) == [3.6, 7.2] and list(lines[1].get_ydata()) == [2, 4]
    ax = plot_scores.compare([a, b], ['A3C', 'Q'], 'hours').axes[0]
    assert list(ax.get_lines()[1].get_xdata()) == [1, 2]
    assert ax.get_xlabel() == 'training hours'
    out = tmp_path / 'c.png'
    assert plot_scores.main(['--compare', a, b, '--label', 'A3C', '--x', 'hours',
                             '--out', str(out)]) == 0
    with Image.open(out) as im:
        assert im.format == 'PNG'


@pytest.mark.parametrize('argv,expected', [
    (['--compare', 'A', 'B'], 'name it with --out'),
    (['--compare', 'A', '--label', 'x', '--label', 'y', '--out', 'o.png'], '2 labels for 1 files'),
    (['A', '--x', 'hours'], '--label and --x go with --compare'),
])
def test_bad_comparison_arguments_are_one_line_and_status_2(argv, expected, tmp_path, capsys):
    a = scores_file(tmp_path / 'a.txt', [1, 2])
    argv = [a if w == 'A' else a if w == 'B' else w for w in argv]
    with pytest.raises(SystemExit) as exit:
        plot_scores.main(argv)
    err = capsys.readouterr().err
    assert exit.value.code == 2 and len(err.strip().splitlines()) == 1 and expected in err, err
