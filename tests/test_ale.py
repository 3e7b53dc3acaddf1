import numpy as np
import pytest

from envs import ale
from nets.torso import DQNHead


@pytest.mark.parametrize('game,n_actions', [('pong', 6), ('breakout', 4),
                                            ('space_invaders', 6)])
def test_observations_and_action_counts(game, n_actions):
    env = ale.ALE(game, seed=0)
    assert env.action_space.n == n_actions
    obs = env.reset()
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
    for t in range(30):  # every action in turn: Breakout's FIRE and moves included
        obs, _reward, _terminated, _truncated = env.step(t % n_actions)
    head = DQNHead()
    scaled = head.forward(obs[None])  # what the network sees after its scaling
    assert scaled.shape == (1, 256)
    x = np.asarray(obs, np.float32) * np.float32(1 / 255)
    assert 0 <= x.min() and x.max() <= 1 and x.std() > 0
    assert not np.array_equal(obs[0], obs[-1])  # the stack holds different frames


def test_training_episode_ends_at_a_lost_life_evaluation_does_not():
    def lives_lost_before_end(training):
        env = ale.ALE('breakout', seed=3, training=training)
        env.reset()
        start, rng = env.ale.lives(), np.random.RandomState(0)
        while True:
            _, _, terminated, truncated = env.step(rng.randint(env.action_space.n))
            if terminated or truncated:
                return start - env.ale.lives(), env.ale.game_over()
    assert lives_lost_before_end(True) == (1, False)
    lost, over = lives_lost_before_end(False)
    assert over and lost == 5


def test_game_goes_on_after_a_lost_life_in_training():
    env = ale.ALE('breakout', seed=3)
    env.reset()
    while not env.step(1)[2]:
        pass
    lives, frame = env.ale.lives(), env.ale.getEpisodeFrameNumber()
    env.reset()
    assert env.ale.lives() == lives and env.ale.getEpisodeFrameNumber() == frame


def test_rewards_clipped_in_training_only():
    def rewards(training):
        env = ale.ALE('breakout', seed=1, training=training)
        env.reset()
        seen, rng = set(), np.random.RandomState(0)
        for _ in range(3000):
            _, r, terminated, truncated = env.step(rng.randint(env.action_space.n))
            seen.add(r)
            if terminated or truncated:
                env.reset()
        return seen
    assert rewards(True) <= {0.0, 1.0}
    assert max(rewards(False)) > 1  # Breakout's upper rows give 4 and 7


def test_noop_starts_differ_and_seeds_reproduce():
    firsts = [ale.ALE('pong', seed=s).reset() for s in range(6)]
    assert len({f.tobytes() for f in firsts}) > 1
    np.testing.assert_array_equal(ale.ALE('pong', seed=4).reset(), firsts[4])


def test_step_cap_truncates():
    env = ale.ALE('pong', seed=0, training=False, step_cap=10)
    env.reset()
    results = [env.step(0) for _ in range(10)]
    assert [r[3] for r in results] == [False] * 9 + [True]
    assert not results[-1][2]


def test_max_of_last_two_frames():
    """Objects that flicker on alternate frames still show up in the observation."""
    env = ale.ALE('pong', seed=0)
    env.reset()
    env.step(0)
    frames = env._frames.copy()
    assert np.array_equal(frames[0], np.maximum(frames[0], frames[1]))


@pytest.mark.parametrize('rom,message', [
    ('pongg', 'unknown game'), ('/nonexistent/x.bin', 'does not exist'),
    ('.', 'is a directory')])
def test_bad_roms(rom, message):
    with pytest.raises(ale.RomError, match=message):
        ale.ALE(rom)


@pytest.mark.parametrize('content', [b'hello', bytes(4096)])
def test_file_that_is_no_rom(tmp_path, content):
    path = tmp_path / 'notes.bin'
    path.write_bytes(content)
    with pytest.raises(ale.RomError, match='not an Atari 2600 ROM'):
        ale.ALE(str(path))


def test_rom_file_path_works():
    from ale_py import roms
    assert ale.ALE(str(roms.get_rom_path("pong"))).action_space.n == 6
