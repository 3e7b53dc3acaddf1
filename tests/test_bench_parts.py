"""bench.py --hogwild-parts times what a worker's step really calls."""
from benchmarks.parts import hogwild_parts


def test_every_part_of_a_hogwild_step_is_timed():
    parts = hogwild_parts('pong', steps=300)
    assert list(parts) == ['env.step', 'choose', 'compute_gradient', 'optimizer.update', 'sync',
                           'the rest']
    # A part the agent or the emulator called around the timer would read 0.
    assert all(parts[name] > 0 for name in list(parts)[:-1])
    # 300 steps of t_max 5 make at least 60 updates: they cost more than a sync.
    assert parts['compute_gradient'] > parts['sync']
