"""What the training loop is told of a run, beside the network and its agents."""
import dataclasses
from collections.abc import Callable


@dataclasses.dataclass
class RunSettings:
    outdir: str
    processes: int
    steps: int  # global steps to train to
    seed: int = 0
    start_step: int = 0  # where a resumed run stands
    start_episodes: int = 0
    start_elapsed: float = 0.0  # seconds of training before this stretch
    eval_frequency: int = 10 ** 6
    eval_n_runs: int = 10
    statistics: tuple = ()  # the agent's, as scores.txt columns
    log_interval: float = 5.0
    checkpoint_interval: float = 600.0  # seconds; inf for none
    target_score: float | None = None
    record: dict | None = None  # what model files keep of the environment
    lr_schedule: Callable | None = None  # for the progress line
