"""Times the DeepMind screen (the max of the last two frames, resized to 84x84)
as Pillow made it against the compiled kernel (envs/box_resize.py): the
screen alone on real Pong frames, and a whole `env.step` of Pong with each.
Each number is the minimum over the repetitions, old and new alternating
round by round, for a busy machine.

    nice -n 19 python -m benchmarks.resize [--reps 2000] [--rounds 5]
"""
import argparse

import numpy as np
from PIL import Image

from benchmarks.minima import minima
from envs import ale
from envs.preprocessing import SIZE, DeepMind


class PillowDeepMind(DeepMind):
    """The screen as it was before the kernel: numpy's max into the first
    frame, Pillow's BOX resize."""

    def screen(self, frames):
        np.maximum(frames[0], frames[1], out=frames[0])
        return np.asarray(Image.fromarray(frames[0]).resize((SIZE, SIZE), Image.BOX))


def timings(cases, reps, rounds):
    """{name: min us} of one call (`benchmarks.minima`)."""
    return {name: t * 1e6 for name, t in minima(cases, reps, rounds).items()}


def stepper(preprocessing):
    """One Pong step a call, random actions, a new game when one ends."""
    env = ale.ALE('pong', seed=0)
    env.preprocessing = preprocessing
    env.reset()
    rng = np.random.RandomState(0)

    def step():
        _, _, terminated, truncated = env.step(rng.randint(env.action_space.n))
        if terminated or truncated:
            env.reset()
    return step, env


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--reps', type=int, default=2000)
    parser.add_argument('--rounds', type=int, default=5)
    args = parser.parse_args()
    old, new = PillowDeepMind(), DeepMind()
    step_old, env = stepper(old)
    step_new, _ = stepper(new)
    for _ in range(100):
        step_old()
    frames = env._frames.copy()
    scratch = frames.copy()
    assert np.array_equal(old.screen(frames.copy()), new.screen(frames))

    def screen_old():
        scratch[:] = frames  # the old screen overwrites the first frame
        old.screen(scratch)

    def copy_only():
        scratch[:] = frames

    results = timings({'screen, Pillow (+ frame copy)': screen_old,
                       'frame copy alone': copy_only,
                       'screen, kernel': lambda: new.screen(frames),
                       'Pong env.step, Pillow': step_old,
                       'Pong env.step, kernel': step_new}, args.reps, args.rounds)
    for name, us in results.items():
        print(f'{name:32s} {us:8.1f} us  (min of {args.rounds * args.reps})', flush=True)


if __name__ == '__main__':
    main()
