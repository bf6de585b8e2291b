"""The critique's metric functions on constructed motions whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest
from testkit.critique import FPS, PELVIS_Y, make_motion, make_music_map, pulsing_root, standing_root
from hypothesis import given, settings
from hypothesis import strategies as st

from kanat.body import center_of_mass, rotations, sole_points
from kanat.critique import metrics as M
from kanat.critique import physics_metrics as PM


def _positions(root, **kw):
    return make_motion(root, **kw).positions()


# ------------------------------------------------------------------ musicality
@pytest.fixture
def beats_s():
    return make_music_map(32).beats_s


def test_bas_near_one_when_the_body_settles_on_every_beat(beats_s):
    pos = _positions(pulsing_root(1000, beats_s))
    assert M.beat_align_score(pos, FPS, beats_s) > 0.95
    assert M.fact_beat_alignment(pos, FPS, beats_s) > 0.95


def test_bas_low_when_settles_are_half_a_beat_late(beats_s):
    pos = _positions(pulsing_root(1000, beats_s, shift_s=0.25))
    assert M.beat_align_score(pos, FPS, beats_s) < 0.05
    assert M.fact_beat_alignment(pos, FPS, beats_s) < 0.05


def test_bas_resamples_other_frame_rates(beats_s):
    pos = _positions(pulsing_root(500, beats_s, fps=30.0), fps=30.0)
    assert M.beat_align_score(pos, 30.0, beats_s) > 0.9


def test_bas_of_a_still_body_is_zero(beats_s):
    pos = _positions(standing_root(600))
    assert M.beat_align_score(pos, FPS, beats_s) == 0.0
    assert M.fact_beat_alignment(pos, FPS, beats_s) == 0.0


def test_bas_per_beat_is_nan_after_the_motion_ends(beats_s):
    pos = _positions(pulsing_root(300, beats_s))  # 5 s: beats from 5 s on are not danced
    terms = M.beat_align_per_beat(pos, FPS, beats_s)
    assert np.all(np.isnan(terms[beats_s > 5.0]))
    assert np.all(~np.isnan(terms[beats_s < 4.9]))


def test_strong_beats_and_share():
    bib = np.array([1, 2, 3, 4, 1, 2, 3, 4])
    strong = M.strong_beats(bib, np.full(8, 4), np.array([0, 0, 0, 0, 0, 0.9, 0, 0]))
    assert strong.tolist() == [True, False, True, False, True, True, True, False]
    share, ok = M.strong_beat_share(np.array([0, 1, 3]), np.array([1, 1, 3]), strong)
    assert ok.tolist() == [True, False, False]
    assert share == pytest.approx(1 / 3)


def test_pearson_ignores_nan_and_constant_series():
    assert M.pearson([1, 2, 3, np.nan], [2, 4, 6, 1]) == pytest.approx(1.0)
    assert np.isnan(M.pearson([1, 1, 1, 1], [1, 2, 3, 4]))


def test_phrase_end_holds_sees_a_held_finish():
    mm = make_music_map(16)
    T = int(mm.duration_s * FPS)
    t = np.arange(T) / FPS
    moving = standing_root(T)
    moving[:, 0] = 0.5 * t  # never stops
    held = moving.copy()
    for a, z in mm.phrases:  # freeze from half a beat before count 7 onwards
        freeze = t >= mm.beats_s[z - 1] - 0.25
        nxt = t >= (mm.beats_s[z] + 0.5)
        held[freeze & ~nxt, 0] = held[np.argmax(freeze), 0]
    held[:, 0] = np.maximum.accumulate(held[:, 0])
    v_moving = M.mean_joint_speed(_positions(moving), FPS)
    v_held = M.mean_joint_speed(_positions(held), FPS)
    _, ok_moving = M.phrase_end_holds(v_moving, FPS, mm.beats_s, mm.phrases)
    ratios, ok_held = M.phrase_end_holds(v_held, FPS, mm.beats_s, mm.phrases)
    assert not ok_moving.any()
    assert ok_held.all() and np.all(ratios < 0.5)


# --------------------------------------------------------------------- physics
def test_pfc_of_a_still_pose_is_zero():
    assert PM.physical_foot_contact(_positions(standing_root(120)), FPS) == 0.0


def test_pfc_of_a_sliding_body_is_positive():
    root = standing_root(240)
    t = np.arange(240) / FPS
    root[:, 0] = 0.3 * np.sin(2 * np.pi * t)  # feet glide with the accelerating pelvis
    pfc = PM.physical_foot_contact(_positions(root), FPS)
    assert pfc > 0.5
    terms, times = PM.physical_foot_contact_frames(_positions(root), FPS)
    assert terms.shape == times.shape == (118,)  # 120 frames at 30 fps, minus two
    assert times[0] == pytest.approx(1 / 30)


def test_foot_slide_measures_a_known_speed():
    root = standing_root(120)
    root[:, 0] = 0.04 * np.arange(120) / FPS  # 4 cm/s
    slide = PM.foot_slide_speeds(_positions(root), np.ones((120, 2), bool), FPS)
    assert np.nanmean(slide) == pytest.approx(0.04, rel=1e-6)
    assert np.isnan(slide[0]).all() and np.isnan(slide[-1]).all()


def test_foot_slide_ignores_feet_in_the_air_and_a_planted_pose():
    root = standing_root(60)
    root[:, 0] = 0.5 * np.arange(60) / FPS
    assert np.isnan(PM.foot_slide_speeds(_positions(root), np.zeros((60, 2), bool), FPS)).all()
    still = PM.foot_slide_speeds(_positions(standing_root(60)), np.ones((60, 2), bool), FPS)
    assert np.nanmax(still) == pytest.approx(0.0, abs=1e-12)


def test_ground_penetration_of_a_sunken_and_a_buried_root():
    assert PM.ground_penetration(_positions(standing_root(5))).max() == 0.0
    sunk = standing_root(5)
    sunk[:, 1] -= 0.1
    assert PM.ground_penetration(_positions(sunk)).max() == pytest.approx(0.1, abs=1e-9)
    buried = standing_root(5)
    buried[:, 1] = -0.2
    assert PM.ground_penetration(_positions(buried)).max() >= 0.2


def _leaning(n_frames: int, angle_rad: float):
    """The rigid rest pose tilted forward about the pelvis, lowered until the soles touch the floor."""
    rot = rotations.from_euler(np.array([angle_rad, 0.0, 0.0]))
    root = standing_root(n_frames)
    pos = make_motion(root, rot=rot).positions()
    root[:, 1] -= sole_points(pos)[..., 1].min(axis=-1)
    return root, rot


def test_balance_flags_a_body_leaning_out_of_its_feet():
    root, rot = _leaning(30, np.radians(20))
    pos = make_motion(root, rot=rot).positions()
    com = center_of_mass(pos)
    soles = sole_points(pos)
    assert com[0, 2] > soles[0, :, 2].max() + 0.2  # the weight is well in front of the toes
    dist = PM.support_distance(com, soles, np.ones((30, 2), bool))
    assert np.all(dist > PM.BALANCE_TOLERANCE_M)


def test_balance_accepts_standing_and_finds_single_support_distance():
    pos = _positions(standing_root(10))
    com, soles = center_of_mass(pos), sole_points(pos)
    assert np.allclose(PM.support_distance(com, soles, np.ones((10, 2), bool)), 0.0)
    left_only = np.zeros((10, 2), bool)
    left_only[:, 0] = True
    # the rest pose's centre of mass is midway between the feet: 8.5 cm from the left foot
    assert np.allclose(PM.support_distance(com, soles, left_only), 0.085, atol=1e-6)
    assert np.isnan(PM.support_distance(com, soles, np.zeros((10, 2), bool))).all()


def test_support_distance_of_explicit_points():
    soles = np.array([[[0, 0, 0], [0, 0, 0.2], [0.2, 0, 0], [0.2, 0, 0.2]]], dtype=float)
    both = np.ones((1, 2), bool)
    assert PM.support_distance(np.array([[0.1, 1.0, 0.1]]), soles, both)[0] == 0.0
    assert PM.support_distance(np.array([[0.5, 1.0, 0.1]]), soles, both)[0] == pytest.approx(0.3)
    left = np.array([[True, False]])
    assert PM.support_distance(np.array([[0.0, 1.0, 0.5]]), soles, left)[0] == pytest.approx(0.3)


def _jump(air_s: float, *, rise_m: float | None = None, before_s: float = 1.0, after_s: float = 1.0):
    """Standing, a flight of air_s seconds (ballistic unless rise_m is given), standing."""
    n = int(round((before_s + air_s + after_s) * FPS))
    t = np.arange(n) / FPS
    u = t - before_s
    in_air = (u > 0) & (u < air_s)
    root = standing_root(n)
    if rise_m is None:
        root[in_air, 1] += 9.81 / 2 * u[in_air] * (air_s - u[in_air])
    else:
        root[in_air, 1] += rise_m * np.sin(np.pi * u[in_air] / air_s)
    contacts = np.repeat(~in_air[:, None], 2, axis=1)
    return root, contacts


def test_a_ballistic_jump_of_0_4_s_is_plausible():
    root, contacts = _jump(0.4)
    phases = PM.air_phases(contacts, FPS, center_of_mass(_positions(root))[:, 1])
    assert len(phases) == 1
    p = phases[0]
    assert p["air_s"] == pytest.approx(0.4, abs=2 / FPS)
    assert p["rise_m"] == pytest.approx(9.81 * 0.4**2 / 8, abs=0.01)
    assert p["air_s"] <= PM.MAX_AIR_S and not PM.implausible_rise(p)


def test_a_float_of_1_2_s_is_too_long_and_too_low():
    root, contacts = _jump(1.2, rise_m=0.3)
    (p,) = PM.air_phases(contacts, FPS, center_of_mass(_positions(root))[:, 1])
    assert p["air_s"] > PM.MAX_AIR_S
    assert PM.implausible_rise(p)  # 1.2 s of air would rise 1.77 m


def test_a_short_jump_that_rises_too_high_is_implausible():
    root, contacts = _jump(0.4, rise_m=0.6)
    (p,) = PM.air_phases(contacts, FPS, root[:, 1])
    assert PM.rise_error_m(p) == pytest.approx(0.6 - p["ballistic_rise_m"], abs=0.01)
    assert PM.implausible_rise(p)


# ----------------------------------------------------------------------- craft
def test_step_variety_and_longest_run():
    v = M.step_variety(["glissade", "jete", "jete", "jete", "assemble", "jete"])
    assert v["distinct_ratio"] == pytest.approx(0.5)
    assert (v["longest_run"], v["longest_run_start"], v["longest_run_step"]) == (3, 1, "jete")
    assert np.isnan(M.step_variety([])["distinct_ratio"])


def test_sequence_similarity_known_values():
    assert M.sequence_similarity(["a", "b", "c"], ["a", "b", "c"]) == 1.0
    assert M.sequence_similarity(["a", "b", "c", "d"], ["a", "x", "c", "d"]) == 0.75
    assert M.sequence_similarity(["a"], ["b", "c"]) == 0.0


@given(st.lists(st.sampled_from("abcd"), max_size=8), st.lists(st.sampled_from("abcd"), max_size=8))
def test_sequence_similarity_is_symmetric_and_bounded(a, b):
    s = M.sequence_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == M.sequence_similarity(b, a)


def test_right_side_share():
    assert M.right_side_share(["R", "R", "L", "-", "R"]) == 0.75
    assert np.isnan(M.right_side_share(["-", "-"]))


def test_stage_use_of_a_square_path():
    side = np.linspace(-1, 1, 50)
    xz = np.concatenate([np.c_[side, -np.ones(50)], np.c_[np.ones(50), side], np.c_[-side, np.ones(50) * 1.5]])
    s = M.stage_use(xz, FPS)
    assert s["hull_area_m2"] == pytest.approx(2 * 2.5, rel=1e-6)  # trapezoid from z=-1 to z=1.5, 2 m wide
    assert s["downstage_share"] == pytest.approx(1 / 3)  # only the leg at z = 1.5 is downstage of z = 1
    assert s["off_stage_s"] == 0.0
    assert M.stage_use(np.zeros((10, 2)), FPS)["hull_area_m2"] == 0.0  # a point has no area


def test_stage_use_sees_the_wings():
    xz = np.c_[np.linspace(0, 6, 61), np.zeros(61)]
    s = M.stage_use(xz, 10.0)
    assert s["off_stage_s"] == pytest.approx(1.0)
    assert s["max_from_centre_m"] == pytest.approx(6.0)


def test_resample_positions_keeps_times():
    p = np.arange(60, dtype=float)[:, None] / 60.0  # value = time in s
    q = M.resample_positions(p, 60.0, 30.0)
    assert q.shape == (30, 1)
    assert np.allclose(q[:, 0], np.arange(30) / 30.0)
    assert PELVIS_Y == pytest.approx(0.955)


@pytest.mark.parametrize("order", [1, 3, 10])
def test_strict_minima_are_scipys_argrelextrema(order):
    from scipy.signal import argrelextrema

    rng = np.random.default_rng(order)
    for x in (rng.normal(size=500), np.round(rng.normal(size=300), 1), np.zeros(20), np.arange(5.0), np.array([1.0])):
        assert np.array_equal(M.strict_minima(x, order), argrelextrema(x, np.less, order=order)[0])


@settings(max_examples=60, deadline=None)
@given(x=st.lists(st.floats(-1e4, 1e4), min_size=0, max_size=40), ref=st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=40))
def test_nearest_gap_is_the_matrix_minimum(x, ref):
    from kanat.critique.metrics import nearest_gap

    x, ref = np.array(x, dtype=float), np.array(ref, dtype=float)
    expected = np.min(np.abs(x[:, None] - ref[None, :]), axis=1) if x.size else np.zeros(0)
    assert np.array_equal(nearest_gap(x, ref), expected)
