"""The progress line the parent prints every few seconds."""
import math
import time

from cli.arguments import say


class Progress:
    """Rates over the last interval and over the whole (resumed) stretch."""

    def __init__(self, counters, steps, start_step, lr_schedule=None):
        self.counters = counters
        self.steps = steps
        self.start_step = start_step
        self.lr_schedule = lr_schedule
        self.started = time.time()
        self.mark = (start_step, self.started)

    def print_line(self):
        """Prints it; returns (step, learning rate or None, steps/s) for TensorBoard."""
        c = self.counters
        t, now = c.steps.value, time.time()
        rate = (t - self.mark[0]) / max(now - self.mark[1], 1e-9)
        self.mark = (t, now)
        eta = (self.steps - t) / rate if rate > 0 else math.inf
        overall = (t - self.start_step) / max(now - self.started, 1e-9)
        recent = c.recent_games()
        rate_now = None if self.lr_schedule is None else self.lr_schedule(t)
        lr = '' if rate_now is None else f'  lr {rate_now:.4g}'
        if not math.isnan(c.lag.value):
            lr += f'  policy lag {c.lag.value:.1f}'
        say('steps {}/{} ({:.1f}%){}  {:.0f} steps/s (run {:.0f})  episodes {}  training '
            'games mean {}  last eval mean {}  ETA {}'.format(
                t, self.steps, 100 * t / self.steps, lr, rate, overall, c.episode_count(),
                f'{sum(recent) / len(recent):.2f} (last {len(recent)})'
                if recent else 'none yet',
                'none yet' if math.isnan(c.last_mean.value) else f'{c.last_mean.value:.2f}',
                '?' if math.isinf(eta) else time.strftime('%H:%M:%S', time.gmtime(eta))
                if eta < 86400 else f'{eta / 86400:.1f} days'))
        return t, rate_now, rate
