"""bench.py times what a worker's step really calls, and what each process costs."""
from benchmarks.parts import hogwild_parts


def test_every_part_of_a_hogwild_step_is_timed():
    parts = hogwild_parts('pong', steps=300)
    assert list(parts) == ['env.step', 'choose', 'compute_gradient', 'optimizer.update', 'sync',
                           'the rest']
    # A part the agent or the emulator called around the timer would read 0.
    assert all(parts[name] > 0 for name in list(parts)[:-1])
    # 300 steps of t_max 5 make at least 60 updates: they cost more than a sync.
    assert parts['compute_gradient'] > parts['sync']


def test_a_training_run_is_charged_to_each_of_its_processes():
    """The queue's actor and learner each do real work every step; the
    evaluator, with no evaluation due, next to none."""
    import bench
    rate, _, cpu_ms = bench.training_rate('a3c-ff-queue', 1, 'pong', seconds=8, warmup=3)
    actor, learner, evaluator = cpu_ms
    assert rate > 0 and actor > 0.05 and learner > 0.05
    assert evaluator < min(actor, learner) / 5
