"""envs/gym.py: Gymnasium tasks behind the environment interface."""
import numpy as np
import pytest

from envs import gym
from envs.environment import Box, Discrete


def test_a_box_task_clips_the_drawn_action_and_scores_the_episode():
    env = gym.Gym('Pendulum-v1', seed=3)
    assert isinstance(env.action_space, Box) and env.action_space.high[0] == 2
    assert env.observation_shape == (3,) and env.step_cap == 200
    assert env.record == {'environment': 'gym', 'task': 'Pendulum-v1'}
    twin = gym.Gym('Pendulum-v1', seed=3)
    obs, same = env.reset(), twin.reset()
    assert obs.dtype == np.float32 and (obs == same).all()
    total = 0.0
    for t in range(200):
        # Far out of bounds: the task sees +-2, the largest torque it allows.
        obs, reward, terminated, truncated = env.step(np.array([50.0 * (-1) ** t]))
        same = twin.step(np.array([2.0 * (-1) ** t]))
        assert (obs == same[0]).all() and reward == same[1]
        total += reward
    assert truncated and not terminated and env.game_over and env.steps == 200
    assert env.game_score == pytest.approx(total)


def test_a_discrete_task_ends_its_game_when_it_terminates():
    env = gym.Gym('CartPole-v1')
    assert env.action_space == Discrete(2)
    env.reset()
    terminated = False
    while not terminated:  # always pushing left: the pole falls within 100 steps
        _, _, terminated, truncated = env.step(np.int64(0))
        assert env.steps < 100 and not truncated
    assert env.game_over and env.game_score == env.steps


def test_a_mujoco_task_steps():
    env = gym.Gym('InvertedPendulum-v5', seed=1)
    assert env.observation_shape == (4,) and env.action_space.high[0] == 3
    assert env.reset().dtype == np.float32
    obs, reward, _terminated, _truncated = env.step(np.zeros(1, np.float32))
    assert obs.shape == (4,) and reward == 1.0


@pytest.mark.parametrize('task,message', [
    ('Foo-v1', "Gymnasium task 'Foo-v1': Environment `Foo` doesn't exist."),
    ('CartPole-v9', "Environment version `v9` for environment `CartPole` doesn't exist"),
    ('LunarLander-v3', 'Box2D is not installed'),
    ('FrozenLake-v1', 'only a vector can be learned here'),
    ('Blackjack-v1', 'only a vector can be learned here'),
])
def test_what_cannot_be_played_is_a_task_error(task, message):
    with pytest.raises(gym.TaskError) as e:
        gym.Gym(task)
    assert message in str(e.value) and '\n' not in str(e.value)


def test_training_rewards_are_scaled_and_scores_are_not():
    env, raw = gym.Gym('CartPole-v1', reward_scale=0.1), gym.Gym('CartPole-v1')
    env.reset(), raw.reset()
    assert env.step(0)[1] == pytest.approx(0.1) and raw.step(0)[1] == 1.0
    assert env.game_score == raw.game_score == 1.0


def test_the_observation_scale_standardises_random_play():
    """Measured on one stretch of random play, the scale makes another
    stretch's observations about 0 in mean and 1 in deviation; Pendulum's
    angular velocity (up to 8) and cosine (up to 1) come out alike."""
    mean, std = gym.observation_scale(gym.Gym('Pendulum-v1', seed=1), 4000, seed=1)
    assert std.shape == (3,) and std[2] > 3 * std[0]
    later = gym.Gym('Pendulum-v1', seed=2)
    rng, seen = np.random.RandomState(2), [later.reset()]
    for _ in range(4000):
        obs, _, terminated, truncated = later.step(rng.uniform(-2, 2, size=1))
        seen.append(later.reset() if terminated or truncated else obs)
    z = (np.array(seen) - mean) / std
    assert np.abs(z.mean(axis=0)).max() < 0.2 and np.abs(z.std(axis=0) - 1).max() < 0.2
