"""The ViZDoom environment on real bundled scenarios."""
import os
import shutil

import numpy as np
import pytest
import vizdoom

from envs import doom
from nets.torso import DQNHead


@pytest.mark.parametrize('scenario,buttons', [
    ('basic', ['MOVE_LEFT', 'MOVE_RIGHT', 'ATTACK']),
    ('defend_the_center', ['TURN_LEFT', 'TURN_RIGHT', 'ATTACK']),
    ('health_gathering', ['TURN_LEFT', 'TURN_RIGHT', 'MOVE_FORWARD']),
    ('my_way_home', ['TURN_LEFT', 'TURN_RIGHT', 'MOVE_FORWARD', 'MOVE_LEFT', 'MOVE_RIGHT']),
])
def test_observations_and_the_scenarios_buttons_as_actions(scenario, buttons):
    env = doom.Doom(scenario, seed=0)
    assert env.action_space.n == len(buttons)
    assert [b.name for b in env.game.get_available_buttons()] == buttons
    assert env.record == {'environment': 'doom', 'scenario': scenario,
                          'preprocessing': 'rgb160x120'}
    obs = env.reset()
    assert obs.shape == (12, 84, 84) and obs.dtype == np.uint8
    # The stack starts as four copies of the first screen, in colour.
    assert (obs.reshape(4, 3, 84, 84) == obs[:3]).all() and (obs[0] != obs[2]).any()
    for action in range(env.action_space.n):  # each action presses its button alone
        obs = env.step(action)[0]
        assert env.game.get_last_action() == [float(i == action) for i in range(len(buttons))]
    assert not np.array_equal(obs[:3], obs[-3:])
    assert DQNHead(12).forward(obs[None]).shape == (1, 256)  # the Atari torso on 12 channels
    rgb = env.rgb_frame()
    assert rgb.shape == (120, 160, 3) and (rgb[..., 0] != rgb[..., 2]).any()
    assert obs.std() > 0



def test_colour_stacks_four_rgb_screens_that_the_gray_one_averages():
    gray = doom.Doom('basic', seed=0, preprocessing='gray160x120')
    colour = doom.Doom('basic', seed=0, preprocessing='rgb160x120')
    assert colour.record['preprocessing'] == 'rgb160x120'
    for env in (gray, colour):
        env.reset()
    for action in (0, 0, 1):
        g, c = gray.step(action)[0], colour.step(action)[0]
    assert c.shape == colour.observation_shape == (12, 84, 84) and c.dtype == np.uint8
    # Screen by screen, R, G and B: their luma is the gray screen (to rounding).
    luma = (c.reshape(4, 3, 84, 84).astype(float) * [[[.299]], [[.587]], [[.114]]]).sum(1)
    assert np.abs(luma - g).max() <= 2
    assert not np.array_equal(c[:3], c[-3:]) and (c[-3] != c[-1]).any()
    assert DQNHead(12).forward(c[None]).shape == (1, 256)


def play(env, action):
    """One episode of the same action: (rewards, terminated, truncated)."""
    env.reset()
    rewards = []
    while True:
        _, reward, terminated, truncated = env.step(action)
        rewards.append(reward)
        if terminated or truncated:
            return rewards, terminated, truncated


def test_a_timeout_truncates_and_the_score_is_the_scenarios_total():
    env = doom.Doom('basic', seed=0, training=False)
    rewards, terminated, truncated = play(env, 0)  # strafe left, never shoot
    assert truncated and not terminated and env.game_over
    assert env.steps == 75  # basic's 300 tics at 4 a step
    # A living reward of -1 a tic, and no shot missed.
    assert env.game_score == sum(rewards) == env.game.get_total_reward() == -300


def test_death_terminates_and_scores_the_death_penalty():
    env = doom.Doom('health_gathering', seed=0, training=False)
    rewards, terminated, truncated = play(env, 0)  # turning on the acid floor, no medkit
    assert terminated and not truncated and env.game.is_player_dead()
    # +1 a tic alive, -100 at death.
    assert env.game_score == sum(rewards) == env.game.get_total_reward()
    assert env.game_score == pytest.approx(4 * env.steps - 100, abs=4)


def test_a_kill_terminates_basic():
    """With seed 0 the monster stands in the line of fire: the first shots kill it."""
    env = doom.Doom('basic', seed=0, training=False)
    rewards, terminated, truncated = play(env, 2)
    assert terminated and not truncated and not env.game.is_player_dead()
    assert rewards[-1] > 90 and env.game_score == sum(rewards) == env.game.get_total_reward()


def test_training_rewards_are_scaled_then_clipped():
    raw = play(doom.Doom('basic', seed=0, training=False), 2)[0]
    for scale in (1.0, 0.01):
        env = doom.Doom('basic', seed=0, training=True, reward_scale=scale)
        rewards = play(env, 2)[0]
        assert rewards == [float(np.clip(r * scale, -1, 1)) for r in raw]
        assert env.game_score == sum(raw)  # the score stays the scenario's own
    assert min(raw) <= -4 and max(raw) > 90  # the clip matters: a tic costs 1, a kill pays 100


def test_the_health_reward_adds_each_health_change_before_the_scale():
    """Forward on health_gathering (seed 0): the acid's damage every 32 tics, a
    medkit's gain; the score stays the scenario's own."""
    raw = play(doom.Doom('health_gathering', seed=0, training=False), 2)[0]
    env = doom.Doom('health_gathering', seed=0, training=True, reward_scale=0.01,
                    health_reward=2.0)
    env.reset()
    healths, rewards = [env.game.get_game_variable(doom.HEALTH)], []
    while not env.game_over:
        rewards.append(env.step(2)[1])
        healths.append(env.game.get_game_variable(doom.HEALTH))
    changes = np.diff(healths)
    assert rewards == [float(np.clip((r + 2.0 * c) * 0.01, -1, 1)) for r, c in zip(raw, changes)]
    assert env.game_score == sum(raw)
    assert changes.min() < 0 and (changes != 0).sum() >= 3


def test_the_health_reward_needs_a_scenario_that_lists_health():
    with pytest.raises(doom.DoomError, match='basic.cfg lists no HEALTH game variable '
                       r'\(available_game_variables\): --health-reward needs it'):
        doom.Doom('basic', health_reward=1.0)


def test_a_scenario_without_timeout_is_cut_at_the_step_cap():
    env = doom.Doom('take_cover', seed=0, training=False, step_cap=3)
    _rewards, terminated, truncated = play(env, 0)
    assert truncated and not terminated and env.steps == 3 and env.game_over


def test_a_cfg_path_with_its_wad(tmp_path):
    shutil.copy(os.path.join(vizdoom.scenarios_path, 'basic.wad'), tmp_path)
    shutil.copy(os.path.join(vizdoom.scenarios_path, 'basic.cfg'), tmp_path / 'mine.cfg')
    env = doom.Doom(str(tmp_path / 'mine.cfg'))
    assert env.action_space.n == 3 and env.record['scenario'] == 'mine.cfg'
    assert env.reset().shape == (12, 84, 84)


def write(path, text):
    path.write_text(text)
    return str(path)


def test_bad_scenarios(tmp_path):
    with pytest.raises(doom.DoomError, match="unknown scenario 'bassic'; bundled scenarios: "
                       "basic, .*defend_the_center, .*health_gathering"):
        doom.Doom('bassic')
    assert 'cig' not in doom.scenario_names() and 'take_cover' in doom.scenario_names()
    cases = [
        (str(tmp_path / 'none.cfg'), 'does not exist'),
        (str(tmp_path), 'is a directory'),
        (write(tmp_path / 'syntax.cfg', 'available_buttons = { ATTACK\nrender_hud = x\n'),
         'is not a valid ViZDoom config: Syntax error in lines 1-3$'),
        (write(tmp_path / 'button.cfg', 'available_buttons = { ATTACK FIRE }\n'),
         'is not a valid ViZDoom config: Unsupported value .*: fire$'),
        (write(tmp_path / 'nowad.cfg', 'doom_scenario_path = gone.wad\n'
               'available_buttons = { ATTACK }\n'), 'gone.wad" does not exist'),
        (write(tmp_path / 'empty.cfg', ''), 'names no buttons'),
        # The engine itself crashes on a multiplayer map played alone.
        (os.path.join(vizdoom.scenarios_path, 'cig.cfg'), 'the Doom engine crashed'),
    ]
    for path, message in cases:
        with pytest.raises(doom.DoomError, match=message):
            doom.Doom(path)
