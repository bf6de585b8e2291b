"""Every step is physically possible, on both sides, at every keyframe.

The keyframes are compiled and placed as perform places them (see
``physics.py`` beside this file): joints within a trained dancer's range
(kanat.body.limits), weight-bearing feet on the floor and nothing under it,
held balances over the supporting foot, honest flights, no limb through another.
"""

from __future__ import annotations

import numpy as np
import pytest

from kanat.body.limits import check_joint_limits
from kanat.vocabulary import load_library

from .physics import G, SUPPORT_FEET, TEMPO_BPM, collisions, com_offset, flights, lowest_body_points, place

LIBRARY = load_library()
CASES = [(s, side) for s in LIBRARY for side in "RL"]
IDS = [f"{s.name}-{side}" for s, side in CASES]

FLOOR_TOL_M = 0.01  # a weight-bearing foot touches the floor within 1 cm; nothing is deeper than 1 cm under it
COM_PELVIS_MAX_M = 0.25  # a held balance needs no absurd shift of the pelvis
COM_FOOT_MAX_M = 0.15  # ... and the weight comes over the foot with a small lean of the supporting leg
MAX_AIR_S = 0.7  # a grand jeté rarely exceeds 0.7 s (DANCE.md)


@pytest.mark.parametrize("step, side", CASES, ids=IDS)
def test_joints_stay_within_a_trained_dancers_range(step, side):
    v = check_joint_limits(step.keyframe_rotations(side))
    assert not v, f"{step.name} ({side}): " + "; ".join(f"keyframe {x.frame + 1} {x.joint} {x.motion} {x.angle_deg:.0f} (limit {x.limit_deg:.0f})" for x in v)


@pytest.mark.parametrize("step, side", CASES, ids=IDS)
def test_weight_bearing_feet_touch_the_floor_and_nothing_goes_under_it(step, side):
    pos, soles = place(step, side)
    for k, (kf, sup) in enumerate(zip(step.keyframes, step.supports(side))):
        where = f"{step.name} ({side}) keyframe {k + 1} at {kf.at:g} ({sup})"
        low = [soles[k, :2, 1].min(), soles[k, 2:, 1].min()]
        for i, bears in enumerate(SUPPORT_FEET[sup]):
            if bears:
                assert abs(low[i]) <= FLOOR_TOL_M, f"{where}: the {'left right'.split()[i]} foot bears weight {low[i]:.3f} m off the floor"
        assert soles[k, :, 1].min() >= -FLOOR_TOL_M, f"{where}: a sole {soles[k, :, 1].min():.3f} m under the floor"
        under = {n: round(y, 3) for n, y in lowest_body_points(pos[k]).items() if y < -FLOOR_TOL_M}
        assert not under, f"{where}: under the floor {under}"


def _held(step, side):
    """Keyframes on one foot held for at least a beat: (index, supporting foot 0 left / 1 right)."""
    ks, sup = step.keyframes, step.supports(side)
    for k in range(len(ks) - 1):
        feet = SUPPORT_FEET[sup[k]]
        if sum(feet) == 1 and sup[k] != "floor" and ks[k + 1].at - ks[k].at >= 1.0:
            yield k, 0 if feet[0] else 1


@pytest.mark.parametrize("step, side", CASES, ids=IDS)
def test_a_held_balance_on_one_foot_is_achievable(step, side):
    pos, _ = place(step, side)
    for k, foot in _held(step, side):
        to_pelvis, to_foot = com_offset(pos[k], foot)
        where = f"{step.name} ({side}) keyframe {k + 1} at {step.keyframes[k].at:g}"
        assert to_pelvis < COM_PELVIS_MAX_M, f"{where}: the centre of mass is {to_pelvis:.2f} m from the pelvis"
        assert to_foot < COM_FOOT_MAX_M, f"{where}: the centre of mass is {to_foot:.2f} m from the supporting foot"


def test_some_steps_hold_a_balance():
    held = {s.name for s, side in CASES if any(True for _ in _held(s, side))}
    assert {"first arabesque", "attitude derrière", "développé à la seconde"} <= held


@pytest.mark.parametrize("step", [s for s in LIBRARY if s.is_jump], ids=[s.name for s in LIBRARY if s.is_jump])
def test_flights_obey_gravity(step):
    for a, b, t in flights(step):
        assert 0.1 <= t <= MAX_AIR_S, f"{step.name}: {t:.2f} s in the air at {TEMPO_BPM:g} BPM"
        assert G * t**2 / 8 <= 0.6  # a rise of at most 60 cm
        assert step.keyframes[b].support != "air"


@pytest.mark.parametrize("step, side", CASES, ids=IDS)
def test_no_limb_passes_through_another(step, side):
    pos, _ = place(step, side)
    for k, kf in enumerate(step.keyframes):
        arms = kf.pose.get("arms", "bras_bas")
        touching = set()
        for i, a in enumerate([arms] * 2 if isinstance(arms, str) else arms):
            if a == "hips":  # a hand on the hip touches the trunk
                touching.add(frozenset((("right_arm", "left_arm")[i], "trunk")))
        hits = collisions(pos[k], touching=touching)
        assert not hits, f"{step.name} ({side}) keyframe {k + 1} at {kf.at:g}: " + ", ".join(f"{a}/{b} {d:.3f} m" for a, b, d in hits)


def test_the_checks_catch_a_broken_pose():
    """The physics checks are not vacuous: a knee through the other leg, a foot in the air and a lean are caught."""
    from kanat.body import rotations as R
    from kanat.vocabulary import compile_pose
    from kanat.body import default_skeleton, forward_kinematics

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
    assert com_offset(pos[0], 0)[1] > COM_FOOT_MAX_M
