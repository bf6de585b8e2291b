"""perform, alone, from the saved demo score and music map (tests/data)."""

import numpy as np
import pytest

from kanat.body import J, center_of_mass, sole_points
from kanat.perform import beats_to_time, perform
from kanat.vocabulary.danced import stretched_beats
from kanat.vocabulary.step import LAND_S


@pytest.fixture(scope="module")
def motion(demo_score, demo_music_map, library):
    return perform(demo_score, demo_music_map, library=library)


def test_covers_the_music(motion, demo_music_map):
    assert motion.fps == 60
    assert abs(motion.duration_s - demo_music_map.duration_s) < 1 / 30
    assert motion.rotations.shape == (motion.n_frames, 24, 4)


def test_deterministic(motion, demo_score, demo_music_map, library):
    again = perform(demo_score, demo_music_map, library=library)
    assert np.array_equal(again.root_pos, motion.root_pos)
    assert np.array_equal(again.rotations, motion.rotations)


def test_blended_a_block_of_frames_at_a_time_the_motion_is_the_same(motion, demo_score, demo_music_map, library,
                                                                    monkeypatch):
    """An hour is blended and smoothed a block of frames at a time (bounded memory); the blocks change nothing."""
    from kanat.perform import curves, performer

    monkeypatch.setattr(curves, "_FRAMES_AT_ONCE", 997)
    monkeypatch.setattr(performer, "_FRAMES_AT_ONCE", 997)
    assert motion.n_frames > 3 * 997
    again = perform(demo_score, demo_music_map, library=library)
    assert np.array_equal(again.rotations, motion.rotations) and np.array_equal(again.root_pos, motion.root_pos)


def _foot_speeds(motion):
    """Horizontal speed of each weight-bearing foot: the slower of its heel and ball
    (a foot pivoting on its ball or rolling through the heel is planted)."""
    soles = sole_points(motion.positions())
    out = []
    for i in (0, 1):
        heel = np.linalg.norm(np.diff(soles[:, 2 * i, [0, 2]], axis=0), axis=1)
        ball = np.linalg.norm(np.diff(soles[:, 2 * i + 1, [0, 2]], axis=0), axis=1)
        both = motion.contacts[1:, i] & motion.contacts[:-1, i]
        out.append(np.minimum(heel, ball)[both] * motion.fps)
    return np.concatenate(out)


def test_planted_feet_do_not_slide(motion):
    speeds = _foot_speeds(motion)
    assert speeds.size > 0
    assert speeds.mean() < 0.02, f"mean foot speed in contact {speeds.mean():.3f} m/s"


def test_nothing_goes_through_the_floor(motion):
    p = motion.positions()
    soles = sole_points(p)
    assert p[:, :, 1].min() > -0.01
    assert soles[..., 1].min() > -0.02


def test_supported_feet_touch_the_floor(motion):
    p = motion.positions()
    for i, (a, f) in enumerate(((J["left_ankle"], J["left_foot"]), (J["right_ankle"], J["right_foot"]))):
        low = np.minimum(p[:, a, 1] - 0.08, p[:, f, 1] - 0.025)
        c = motion.contacts[:, i]
        assert np.abs(low[c]).max() < 0.06  # the lowest sole point is on the floor (flat or on demi-pointe)


def test_balanced_on_one_foot(motion):
    p = motion.positions()
    com = center_of_mass(p)[:, [0, 2]]
    single = motion.contacts[:, 0] ^ motion.contacts[:, 1]
    # after the weight has settled (skip the first 0.2 s of each single-support run)
    runs = np.flatnonzero(single)
    settled = [t for t in runs if single[max(0, t - 12) : t + 1].all()]
    foot = np.where(motion.contacts[:, :1], 0.5 * (p[:, J["left_ankle"]] + p[:, J["left_foot"]]),
                    0.5 * (p[:, J["right_ankle"]] + p[:, J["right_foot"]]))[:, [0, 2]]
    off = np.linalg.norm(com[settled] - foot[settled], axis=1)
    assert np.median(off) < 0.06 and np.percentile(off, 95) < 0.12


def test_jumps_are_ballistic(motion):
    """In flight the pelvis follows a parabola under g: its height's second difference is -g dt^2 every frame."""
    air = ~motion.contacts.any(axis=1)
    if not air.any():
        pytest.skip("no jump in this score")
    starts = np.flatnonzero(air & ~np.r_[False, air[:-1]])
    checked = 0
    for a in starts:
        b = a
        while b < air.size and air[b]:
            b += 1
        if b >= air.size or b - a < 4:
            continue
        assert (b - a) / motion.fps < 0.7
        y = motion.root_pos[a:b, 1]
        assert np.allclose(np.diff(y, 2), -9.81 / motion.fps**2, atol=2e-4)
        checked += 1
    assert checked


def test_landings_fall_on_the_counts(motion, demo_score, demo_music_map, library):
    """A jump's landing keyframe sounds on its beat: the feet touch down LAND_S before it, the plié is on it."""
    checked = 0
    for _ph, st, b in demo_score.placed():
        step = library.get(st.step)
        if not step.is_jump:
            continue
        ats = stretched_beats(step, st.beats)
        for i in range(1, len(step.keyframes)):
            if step.keyframes[i - 1].support == "air" and step.keyframes[i].support != "air":
                assert float(ats[i]).is_integer(), f"{st.step} lands off the count"
                t = float(beats_to_time(b + ats[i], demo_music_map.beats_s))
                f = int(round(t * motion.fps))
                if f + 2 >= motion.n_frames:
                    continue
                td = int(round(LAND_S * motion.fps))
                assert motion.contacts[f - td + 1 : f + 1].any(axis=1).all()
                assert not motion.contacts[f - td - 2].any()
                checked += 1
    if not checked:
        pytest.skip("no jump in this score")


LIMBS = ("left_ankle", "right_ankle", "left_foot", "right_foot", "left_wrist", "right_wrist", "left_hand", "right_hand")


def test_no_hand_or_foot_pops_in_the_whole_dance(motion):
    """No hand or foot jumps within one 60-fps frame: never more than 4 cm and 3x both neighbouring frames
    (a whip such as a grand battement is fast on its neighbours too), never faster than 12 m/s."""
    p = motion.positions()
    for name in LIMBS:
        d = np.linalg.norm(np.diff(p[:, J[name]], axis=0), axis=1)
        around = np.maximum(np.r_[d[1:], 0.0], np.r_[0.0, d[:-1]])
        pops = np.flatnonzero((d > 0.04) & (d > 3 * around))
        assert not pops.size, f"{name} pops at {pops[:5] / motion.fps} s"
        assert d.max() * motion.fps < 16.0, f"{name} at {d.max() * motion.fps:.1f} m/s"
