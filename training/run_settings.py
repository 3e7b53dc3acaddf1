"""What the training loop is told of a run, beside the network and its agents."""
import dataclasses
from typing import Callable, Optional


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
    target_score: Optional[float] = None
    record: Optional[dict] = None  # what model files keep of the environment
    lr_schedule: Optional[Callable] = None  # for the progress line
