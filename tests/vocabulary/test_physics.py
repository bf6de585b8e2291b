"""Every step is physically possible, on both sides, at every keyframe.

The checks are the product's own (kanat.vocabulary.checks, also behind
``kanat steps --json``): keyframes placed by perform's rule
(kanat.body.placement), joints within a trained dancer's range, weight-bearing
feet on the floor and nothing under it, held balances over the supporting
foot, honest flights, no limb through another.
"""

from __future__ import annotations

import numpy as np
import pytest

from kanat.body import default_skeleton, forward_kinematics
from kanat.body import rotations as R
from kanat.body.collisions import collisions
from kanat.vocabulary import compile_pose, load_library
from kanat.vocabulary import checks as C

LIBRARY = load_library()
CASES = [(s, side) for s in LIBRARY for side in "RL"]
IDS = [f"{s.name}-{side}" for s, side in CASES]

@pytest.mark.parametrize("step, side", CASES, ids=IDS)
def test_joints_stay_within_a_trained_dancers_range(step, side):
    assert not C.limit_problems(step, side)


@pytest.mark.parametrize("step, side", CASES, ids=IDS)
def test_weight_bearing_feet_touch_the_floor_and_nothing_goes_under_it(step, side):
    assert not C.floor_problems(step, side)


@pytest.mark.parametrize("step, side", CASES, ids=IDS)
def test_a_held_balance_on_one_foot_is_achievable(step, side):
    assert not C.balance_problems(step, side)


def test_some_steps_hold_a_balance():
    held = {s.name for s, side in CASES if any(True for _ in C.held_balances(s, side))}
    assert {"first arabesque", "attitude derrière", "développé à la seconde"} <= held


@pytest.mark.parametrize("step", [s for s in LIBRARY if s.is_jump], ids=[s.name for s in LIBRARY if s.is_jump])
def test_flights_obey_gravity(step):
    assert not C.flight_problems(step)


@pytest.mark.parametrize("step, side", CASES, ids=IDS)
def test_no_limb_passes_through_another(step, side):
    assert not C.collision_problems(step, side)


def test_the_checks_catch_a_broken_pose():
    """The physics checks are not vacuous: a knee through the other leg, a foot in the air and a lean are caught."""
    rot = compile_pose({"legs": "parallel"})
    # the right thigh swung across through the left leg
    bad = rot.copy()
    bad[2] = R.from_euler(np.radians([0.0, 0.0, 14.0]))
    pos, _ = forward_kinematics(default_skeleton(), np.zeros((1, 3)), bad[None])
    assert collisions(pos[0])
    # a 60 degree lean of the whole body over one foot puts the centre of mass far from it
    lean = compile_pose({"gesture": "retire"})
    lean[0] = R.from_euler(np.radians([0.0, 0.0, 40.0]))
    pos, _ = forward_kinematics(default_skeleton(), np.zeros((1, 3)), lean[None])
    assert C.com_offset(pos[0], 0)[1] > C.COM_FOOT_MAX_M


def test_check_step_reports_every_check_and_a_broken_step(library):
    from dataclasses import replace

    good = library.get("glissade")
    report = C.check_step(good)
    assert list(report) == list(C.CHECKS) and not any(report.values())
    jump = library.get("sauté")
    assert C.check_step(replace(jump, air_s=1.2))["flights"]  # 1.2 s in the air is caught
    assert C.check_step(replace(jump, air_s=0.05))["flights"]  # and a hop that hardly leaves the floor
