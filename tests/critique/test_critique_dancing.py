"""The ballet master's eye between the poses: each fault is shown on a deliberately broken motion
and left unsaid on its good twin (turns, jumps, pops, tick-tock, stage, en-face lines, character, statues)."""

from __future__ import annotations

import numpy as np
import pytest
from testkit.critique import (
    FPS, arm_circles, jumping_root, make_motion, make_music_map, make_score, raised_leg_rotations, ramp,
    standing_root, steady_arm_circles, turning_rotations,
)

from kanat.body import J
from kanat.critique import critique
from kanat.critique import dance_metrics as D


def _fix(c, metric):
    return [f for f in c.fixes if f.metric == metric]


def _frames(mm):
    return int(mm.duration_s * FPS)


# ------------------------------------------------------------------ turns
@pytest.mark.parametrize("side", ["R", "L"])
def test_a_pirouette_that_does_not_turn_is_named_and_a_full_one_is_not(music_map, side):
    mm, T = music_map, _frames(music_map)
    score = make_score([[(1, "pirouette en dehors", 2, side), (5, "double pirouette en dehors", 2, side)]])
    t0, t1, t2 = mm.beats_s[0], mm.beats_s[2], mm.beats_s[4]
    toward = -1.0 if side == "R" else 1.0  # toward the working side: clockwise from above for R
    full = ramp(T, t0 + 0.05, t1 - 0.05, toward * 2 * np.pi) + ramp(T, t2 + 0.05, mm.beats_s[6] - 0.05, toward * 4 * np.pi)
    good = critique(make_motion(standing_root(T), rots=turning_rotations(T, full)), mm, score)
    assert good.metrics["turns_judged"] == 2
    assert good.metrics["turns_completed_share"] == 1.0
    assert not _fix(good, "turns_completed_share")

    # the soutenu fault: twist 144 degrees out and back; the double nets nothing at all
    twist = np.radians(144) * np.sin(np.pi * np.clip((np.arange(T) / FPS - t0) / (t1 - t0), 0, 1))
    bad = critique(make_motion(standing_root(T), rots=turning_rotations(T, toward * twist)), mm, score)
    assert bad.metrics["turns_completed_share"] == 0.0
    f = _fix(bad, "turns_completed_share")[0]
    assert f.area == "physics" and "does not complete its turn" in f.text
    assert "0° of 720°" in f.text and "2 of 2 turning steps" in f.text
    assert f.where == "phrase 1, counts 5-6" and f.steps == [f"double pirouette en dehors {side}"]


def test_a_turn_the_wrong_way_is_named(music_map):
    mm, T = music_map, _frames(music_map)
    score = make_score([[(1, "pirouette en dehors", 2, "R")]])
    wrong = ramp(T, mm.beats_s[0] + 0.05, mm.beats_s[2] - 0.05, +2 * np.pi)  # anticlockwise: en dedans for R
    c = critique(make_motion(standing_root(T), rots=turning_rotations(T, wrong)), mm, score)
    assert "turns the wrong way" in _fix(c, "turns_completed_share")[0].text


def test_pelvis_yaw_counts_whole_turns():
    T = 121
    yaw = D.pelvis_yaw(make_motion(standing_root(T), rots=turning_rotations(T, np.linspace(0, -4 * np.pi, T))).positions())
    assert yaw[-1] == pytest.approx(-4 * np.pi, abs=1e-6)  # keys 0, 360, 720 do not unwrap to 0


# ------------------------------------------------------------------ jumps
def test_floor_level_and_short_jumps_are_named_and_real_ones_are_not(music_map):
    mm, T = music_map, _frames(music_map)
    score = make_score([[(1, "changement", 1, "-"), (5, "grand jeté", 2, "R")]])
    b = mm.beats_s

    def dance(petit_air, grand_air, grand_rise=None):
        r1, c1 = jumping_root(T, b[0], petit_air)
        r2, c2 = jumping_root(T, b[4] + 0.2, grand_air, rise_m=grand_rise)
        root = standing_root(T)
        root[:, 1] += (r1[:, 1] - root[:, 1]) + (r2[:, 1] - root[:, 1])
        return make_motion(root, contacts=c1 & c2)

    good = critique(dance(0.34, 0.5), mm, score)
    assert good.metrics["jumps_judged"] == 2 and good.metrics["jumps_good_share"] == 0.5  # no split in a T-pose
    assert good.metrics["air_petit_allegro_median_s"] == pytest.approx(0.34, abs=0.02)
    assert good.metrics["rise_grand_allegro_median_m"] == pytest.approx(9.81 * 0.5**2 / 8, abs=0.01)
    f = _fix(good, "jumps_good_share")[0]
    assert f.text.startswith("jumps without their line: the grand jeté opens the legs") and "a split is 160°" in f.text

    bad = critique(dance(0.2, 0.3, grand_rise=0.01), mm, score)
    assert bad.metrics["jumps_good_share"] == 0.0
    assert bad.metrics["jumps_floor_level"] == 1  # the hovering grand jeté; the short changement clears 3 cm
    assert bad.metrics["air_petit_allegro_median_s"] == pytest.approx(0.2, abs=0.02)
    f = _fix(bad, "jumps_good_share")[0]
    assert f.text.startswith("floor-level jumps: the grand jeté flies 0.30 s (a grand allegro jump needs 0.45 s)")
    assert "rises 1 cm at the pelvis (needs 20)" in f.text and "keeps a toe 1.0 cm off the floor" in f.text
    assert "2 of 2 jumps fall short (1 barely leave the floor)" in f.text and f.where == "phrase 1, counts 5-6"


def test_a_jump_that_never_leaves_the_floor(music_map):
    mm, T = music_map, _frames(music_map)
    score = make_score([[(1, "sauté", 1, "-")]])
    c = critique(make_motion(standing_root(T), rots=arm_circles(T, mm.beats_s)), mm, score)
    assert "never leaves the floor" in _fix(c, "jumps_good_share")[0].text


def test_flights_measure_air_rise_and_toes():
    root, contacts = jumping_root(120, 0.5, 0.4)
    fl = D.flights(make_motion(root, contacts=contacts).positions(), contacts, FPS, standing_m=0.955)
    assert len(fl) == 1
    assert fl[0]["air_s"] == pytest.approx(0.4, abs=0.02)
    assert fl[0]["rise_m"] == pytest.approx(9.81 * 0.16 / 8, abs=0.005)
    assert fl[0]["toe_clearance_m"] > 0.05


# ------------------------------------------------------------------- pops
def test_a_foot_that_pops_is_named_and_a_fast_smooth_arm_is_not(music_map):
    mm, T = music_map, _frames(music_map)
    rots = steady_arm_circles(T, rad_per_s=6.0)  # hands at about 4 m/s: fast, but no frame jumps
    smooth = critique(make_motion(standing_root(T), rots=rots), mm)
    assert smooth.metrics["pops_per_min"] == 0.0
    assert not _fix(smooth, "pops_per_min")

    popped = rots.copy()
    for k in (200, 500, 800):  # the right leg snaps 40 degrees for one frame, three times
        popped[k, J["right_hip"]] = np.array([np.cos(0.35), np.sin(0.35), 0.0, 0.0])
    c = critique(make_motion(standing_root(T), rots=popped), mm)
    assert c.metrics["pops_per_min"] == pytest.approx(3 / (T / FPS / 60), rel=0.01)
    f = _fix(c, "pops_per_min")[0]
    assert "the right foot pops" in f.text and "3 pops" in f.text


# ------------------------------------------------------------------ pulse
def test_tick_tock_is_named_and_flowing_arms_are_praised(music_map):
    mm, T = music_map, _frames(music_map)
    tick = critique(make_motion(standing_root(T), rots=arm_circles(T, mm.beats_s)), mm)
    assert tick.metrics["pulse"] < 0.2 and tick.metrics["beats_stopped_share"] > 0.8
    f = _fix(tick, "pulse")[0]
    assert f.text.startswith("tick-tock") and f.area == "musicality"
    flow = critique(make_motion(standing_root(T), rots=steady_arm_circles(T)), mm)
    assert flow.metrics["pulse"] == pytest.approx(1.0, abs=0.05)
    assert not _fix(flow, "pulse")
    assert any(p.metric == "pulse" for p in flow.praise)


def test_an_adagio_that_stops_on_its_counts(music_map):
    mm, T = music_map, _frames(music_map)
    score = make_score([[(1, "first arabesque", 4, "R"), (5, "attitude derrière", 4, "R")]])
    rots = steady_arm_circles(T)
    ticking = arm_circles(T, mm.beats_s)
    rots[: int(mm.beats_s[8] * FPS)] = ticking[: int(mm.beats_s[8] * FPS)]  # the adagio phrase ticks, the rest flows
    c = critique(make_motion(standing_root(T), rots=rots), mm, score)
    assert c.metrics["adagio_pulse"] < 0.3


# ------------------------------------------------------------------ space
def test_unused_stage_is_named_and_a_travelling_dance_is_not():
    mm = make_music_map(120)  # 60 s
    T = _frames(mm)
    still = critique(make_motion(standing_root(T), rots=steady_arm_circles(T)), mm)
    f = _fix(still, "stage_hull_area_m2")[0]
    assert f.text.startswith("unused stage") and "upstage" in f.text and "downstage" in f.text
    assert still.metrics["upstage_reach_m"] == pytest.approx(0.0, abs=1e-9)
    root = standing_root(T)
    t = np.arange(T) / FPS
    root[:, 0], root[:, 2] = 3.0 * np.sin(2 * np.pi * t / 30), 2.5 * np.cos(2 * np.pi * t / 30)
    moving = critique(make_motion(root, rots=steady_arm_circles(T)), mm)
    assert moving.metrics["stage_hull_area_m2"] > moving.metrics["stage_hull_target_m2"]
    assert moving.metrics["downstage_reach_m"] == pytest.approx(2.5, abs=0.01)
    assert not _fix(moving, "stage_hull_area_m2")


# ------------------------------------------------------------------ lines
def test_an_en_face_arabesque_is_named_and_one_to_the_corner_is_not(music_map):
    mm, T = music_map, _frames(music_map)
    score = make_score([[(1, "first arabesque", 4, "R")]])
    en_face = critique(make_motion(standing_root(T), rots=raised_leg_rotations(T)), mm, score)
    assert en_face.metrics["lines_en_face_share"] == 1.0
    f = _fix(en_face, "lines_en_face_share")[0]
    assert f.text.startswith("en-face line") and f.steps == ["first arabesque R"]
    corner = critique(make_motion(standing_root(T), rots=raised_leg_rotations(T, facing_yaw_rad=np.pi / 4)), mm, score)
    assert corner.metrics["lines_en_face_share"] == 0.0
    assert not _fix(corner, "lines_en_face_share")


# -------------------------------------------------------------- character
def test_adagio_steps_on_quick_music_lack_character():
    steps = [[(1, "first arabesque", 4, "R"), (5, "attitude derrière", 4, "L")]] * 4
    quick = make_music_map(32, ibi_s=60 / 136)
    c = critique(make_motion(standing_root(_frames(quick)), rots=steady_arm_circles(_frames(quick))), quick,
                 make_score(steps))
    f = _fix(c, "meter_fit_share")[0]
    assert f.text.startswith("missing character") and "8 adagio steps on quick music (136 BPM)" in f.text
    slow = make_music_map(32, ibi_s=1.0)
    c = critique(make_motion(standing_root(_frames(slow)), rots=steady_arm_circles(_frames(slow))), slow,
                 make_score(steps))
    assert c.metrics["adagio_on_quick_music_share"] == 0.0
    assert not _fix(c, "meter_fit_share")


def test_one_energy_on_music_that_swells_lacks_character():
    energy = np.r_[np.full(16, 0.1), np.full(16, 0.9)]
    mm = make_music_map(32, energy=energy)
    steps = [[(1, "glissade", 2, "R"), (3, "assemblé", 2, "R"), (5, "changement", 1, "-")]] * 4
    c = critique(make_motion(standing_root(_frames(mm)), rots=steady_arm_circles(_frames(mm))), mm, make_score(steps))
    assert c.metrics["movement_phrase_spread"] < 0.05
    assert "one energy" in _fix(c, "meter_fit_share")[0].text


# ----------------------------------------------------------------- statue
def test_a_statue_earns_no_praise(music_map):
    mm, T = music_map, _frames(music_map)
    score = make_score([[(1, "glissade", 2, "R"), (3, "assemblé", 2, "L"), (5, "port de bras", 4, "-")]] * 4)
    c = critique(make_motion(standing_root(T)), mm, score)
    assert not c.praise
    assert c.metrics["pulse"] is None and c.metrics["pops_per_min"] == 0.0
    assert any("hardly moves" in f.text for f in c.fixes)


def test_standing_on_both_feet_waving_the_arms_earns_no_praise_for_feet_or_balance(music_map):
    mm, T = music_map, _frames(music_map)
    c = critique(make_motion(standing_root(T), rots=steady_arm_circles(T)), mm)
    assert c.metrics["foot_slide_mean_mps"] == pytest.approx(0.0, abs=1e-9)
    assert c.metrics["balance_outside_share"] == 0.0
    assert not [p for p in c.praise if p.metric in ("foot_slide_mean_mps", "balance_outside_share")]


def test_bent_knees_in_the_air_are_named(music_map):
    from kanat.body import rotations

    mm, T = music_map, _frames(music_map)
    score = make_score([[(1, "changement", 1, "-")]])
    root, contacts = jumping_root(T, mm.beats_s[0], 0.34)
    straight = critique(make_motion(root, contacts=contacts), mm, score)
    assert straight.metrics["jumps_good_share"] == 1.0
    rots = rotations.identity((T, 24))
    rots[:, J["left_knee"]] = rotations.from_axis_angle(np.array([1.0, 0.0, 0.0]), np.full(T, np.radians(40)))
    bent = critique(make_motion(root, contacts=contacts, rots=rots), mm, score)
    f = _fix(bent, "jumps_good_share")[0]
    assert f.text.startswith("jumps without their line: the changement bends a knee to 13")  # 140 less the rest pose's bend
    assert "legs straight and pointed" in f.text
