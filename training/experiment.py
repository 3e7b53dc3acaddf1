"""What every training script shares: the harness's flags (the paper's
settings are the defaults), and `train`, which turns the parsed flags, an
environment, a network and an agent into a run: the output folder, resuming,
the shared model, optimizer and target network, and the training loop."""
import copy
import os
import types

import numpy as np

from agents.lr_schedule import LinearDecay
from cli.arguments import (
    fail,
    finite_float,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
    probability,
)
from nets.model_files import load, played
from rmsprop_async import RMSpropAsync
from training import checkpoints, run_folder, shared_memory
from training.hogwild import train_async
from training.queue import QueueSettings, segment_buffer, train_queue
from training.run_settings import RunSettings
from training.score_files import ScoresFile, games_file
from training.tensorboard import Board
from training.writes import WriteError, stop


def add_arguments(parser):
    """The harness's flags; the environment adds its own after these."""
    parser.add_argument('processes', type=positive_int,
                        help='worker processes (the paper: 16)')
    parser.add_argument('--steps', type=positive_int, default=8 * 10 ** 7,
                        help='global agent steps (4 frames each) to train for; '
                        'the learning rate decays linearly to 0 over them (default 8e7)')
    parser.add_argument('--lr', type=positive_float, default=7e-4)
    parser.add_argument('--rmsprop-alpha', type=probability, default=0.99)
    parser.add_argument('--rmsprop-eps', type=positive_float, default=0.1,
                        help='inside the square root')
    parser.add_argument('--grad-clip', type=positive_float, default=40.0,
                        help='global gradient norm limit')
    parser.add_argument('--gamma', type=probability, default=0.99)
    parser.add_argument('--t-max', type=positive_int, default=5)
    parser.add_argument('--seed', type=nonnegative_int, default=0,
                        help='every process derives its own seed from this and its index')
    parser.add_argument('--eval-frequency', type=positive_int, default=10 ** 6,
                        help='global steps between evaluations')
    parser.add_argument('--eval-n-runs', type=positive_int, default=10,
                        help='whole games per evaluation')
    parser.add_argument('--target-score', type=finite_float,
                        help='stop when an evaluation\'s mean reaches this; the model it '
                        'scored is saved as <steps>_finish.h5 (default: train all --steps)')
    parser.add_argument('--outdir', help='default: results/<date-time>')
    parser.add_argument('--resume', metavar='PATH',
                        help='an output folder or a model file to continue from')
    parser.add_argument('--log-interval', type=positive_float, default=5.0,
                        help='seconds between progress lines')
    parser.add_argument('--checkpoint-interval', type=nonnegative_float, default=600.0,
                        help='seconds between checkpoints of a running run (0: none)')
    parser.add_argument('--no-tensorboard', action='store_true',
                        help='write no TensorBoard event files')
    parser.add_argument('--architecture', choices=('hogwild', 'queue'), default='hogwild',
                        help='hogwild (the paper): PROCESSES workers that each act and '
                        'learn; queue: PROCESSES actors feeding one learner')
    parser.add_argument('--envs-per-actor', type=positive_int, default=8,
                        help='queue: games each actor plays, one forward pass for all')
    parser.add_argument('--batch-size', type=positive_int, default=16,
                        help='queue: segments per update of the learner')
    parser.add_argument('--queue-length', type=positive_int, default=256,
                        help='queue: segments played and not yet learnt from, at most')


def train(args, make_env, build_model, make_agent, make_actor, make_learner, statistics=(),
          must_match=(), target_network=False, worker_scalars=None):
    """Runs a training script to its end; returns its exit status.

    `make_env(seed, training)` makes an environment (a ValueError is bad
    input); `build_model(action_space, observation_shape)` the network; `make_agent(shared, seed,
    worker)` one process's agent around `shared`: the shared `model`,
    `optimizer` and `target` network (None without `target_network`), and the
    `lr_schedule`.  `statistics` are the agent's scores.txt columns.  The queue
    architecture's actors and learner come from `make_actor(shared, seed,
    index)` and `make_learner(shared)`.
    `worker` is a worker's (or actor's) index, None for the evaluator, so that
    what differs between workers survives a resume; `worker_scalars(index,
    step)`: numbers TensorBoard shows for each worker."""
    queue = QueueSettings(args.t_max, args.envs_per_actor, args.batch_size, args.queue_length)
    if args.architecture == 'queue' and args.batch_size > args.queue_length:
        fail(f'--batch-size {args.batch_size} is more than --queue-length '
             f'{args.queue_length}: no batch would ever fill')
    try:
        env = make_env(0, False)
    except ValueError as e:
        fail(str(e))
    np.random.seed(args.seed)  # the initial weights
    model = build_model(env.action_space, env.observation_shape)
    buffer = _segment_buffer(queue, env, model) if args.architecture == 'queue' else None
    record = env.record
    del env  # a Doom engine would idle on
    outdir, resume, start = run_folder.prepare(args, tuple(must_match))
    # The schedule is the one source of the rate: each agent sets it at each step.
    schedule = LinearDecay(args.lr, args.steps)
    optimizer = RMSpropAsync(lr=schedule(start), alpha=args.rmsprop_alpha,
                             eps=args.rmsprop_eps, grad_clip=args.grad_clip)
    optimizer.setup(model)
    shared_memory.share_params(model)
    shared_memory.share_states(optimizer)
    elapsed, episodes = _first_writes(args, outdir, resume, start, model, optimizer)
    target = None
    if target_network:  # theta-minus starts from the (resumed) weights
        target = copy.deepcopy(model)
        shared_memory.share_params(target)
    board = None if args.no_tensorboard else Board(outdir, start, args.processes,
                                                       worker_scalars)
    print('training {} on {} with {} processes; output in {}{}'.format(
        type(model).__name__, played(record), args.processes, outdir,
        f', resumed at step {start}' if start else ''), flush=True)
    shared = types.SimpleNamespace(model=model, optimizer=optimizer, target=target,
                                   lr_schedule=schedule)
    settings = RunSettings(
        outdir, args.processes, args.steps, seed=args.seed, start_step=start,
        start_episodes=episodes, start_elapsed=elapsed, eval_frequency=args.eval_frequency,
        eval_n_runs=args.eval_n_runs, statistics=tuple(statistics),
        log_interval=args.log_interval,
        checkpoint_interval=args.checkpoint_interval or float('inf'),
        target_score=args.target_score, record=record, lr_schedule=schedule)
    agent = lambda seed, worker: make_agent(shared, seed, worker)  # noqa: E731
    if args.architecture == 'hogwild':
        return train_async(settings, make_env, agent, model, optimizer, board)
    actor = lambda seed, index: make_actor(shared, seed, index)  # noqa: E731
    return train_queue(settings, queue, buffer, make_env, actor, lambda: make_learner(shared),
                       agent, model, optimizer, board)


def _segment_buffer(queue, env, model):
    """Made before anything is written, so that one memory cannot hold is bad input."""
    try:
        return segment_buffer(queue, env, model)
    except (OSError, MemoryError) as e:
        fail('--queue-length {} segments of --t-max {} steps do not fit in shared memory '
             '({}); lower either'.format(queue.queue_length, queue.t_max,
                                         getattr(e, 'strerror', None) or e))


def _first_writes(args, outdir, resume, start, model, optimizer):
    """A resume's tidying, args.txt and games.txt's header, before any child
    starts: one that fails ends the script here.  Returns `_resume`'s."""
    try:
        clock = _resume(args, outdir, resume, start, model, optimizer)
        run_folder.write_args(args, start)
        games_file(outdir).start()  # before several processes append to it
    except WriteError as e:
        stop(e)
    return clock


def _resume(args, outdir, resume, start, model, optimizer):
    """Loads what a resumed run saved; returns its (elapsed seconds, episodes)."""
    if not args.resume:
        return 0.0, 0
    try:
        if resume:  # None for a run stopped before its first save
            load(resume, model)
            load(resume + '.opt', optimizer)
        rows = [r for r in ScoresFile(os.path.join(outdir, 'scores.txt')).rows()
                if r['steps'] <= start]
        games_file(outdir).rows()
    except ValueError as e:  # a ModelFileError, or a damaged scores.txt or games.txt
        fail(str(e))
    saved = checkpoints.clock(resume) if resume else None
    if saved is None and rows:  # a file saved before the clock was
        saved = rows[-1]['elapsed'], int(rows[-1]['episodes'])
    run_folder.tidy_for_resume(outdir, start)
    return saved or (0.0, 0)
