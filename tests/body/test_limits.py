"""Joint limits: the rest pose is fine, impossible joints are flagged by joint, motion and frame."""

from __future__ import annotations

import numpy as np
import pytest

from kanat.body import J, limits
from kanat.body import rotations as R
from kanat.body.limits import JOINT_LIMITS, check_joint_limits, joint_angles


def _pose(**joints) -> np.ndarray:
    """Rest pose with some joints set from Euler degrees, shape (1, 24, 4)."""
    rot = R.identity((1, 24))
    for name, xyz in joints.items():
        rot[0, J[name]] = R.from_euler(np.radians(xyz))
    return rot


def test_rest_pose_and_small_motions_are_fine():
    assert check_joint_limits(R.identity((3, 24))) == []
    assert check_joint_limits(R.identity((24,))) == []
    assert check_joint_limits(_pose(right_knee=(60, 0, 0), left_ankle=(-20, 0, 0), spine2=(15, 5, 5))) == []


def test_pelvis_is_the_world_orientation_and_never_checked():
    rot = R.identity((1, 24))
    rot[0, 0] = R.from_euler(np.radians([170.0, 120.0, -90.0]))
    assert check_joint_limits(rot) == []


@pytest.mark.parametrize("side", ["left", "right"])
def test_knee_bent_backwards_is_flagged_on_either_side(side):
    rot = np.concatenate([R.identity((2, 24)), _pose(**{f"{side}_knee": (-40, 0, 0)})])
    v = check_joint_limits(rot)
    assert len(v) == 1
    assert (v[0].frame, v[0].joint, v[0].motion) == (2, f"{side}_knee", "flexion")
    assert v[0].angle_deg == pytest.approx(-40.0) and v[0].limit_deg == -10.0
    assert "frame 2: " in str(v[0]) and "beyond its limit -10 deg" in str(v[0])


def test_knee_flexion_range_and_tolerance():
    assert check_joint_limits(_pose(right_knee=(150, 0, 0))) == []
    assert check_joint_limits(_pose(right_knee=(151, 0, 0))) == []  # within the default 2 degree tolerance
    assert check_joint_limits(_pose(right_knee=(151, 0, 0)), tolerance_deg=0.0)[0].motion == "flexion"
    assert check_joint_limits(_pose(right_knee=(170, 0, 0)))[0].joint == "right_knee"


def test_ankle_from_flexed_to_pointe():
    assert check_joint_limits(_pose(right_ankle=(-30, 0, 0), left_ankle=(90, 0, 0))) == []
    (v,) = check_joint_limits(_pose(right_ankle=(-60, 0, 0)))
    assert (v.joint, v.motion, v.limit_deg) == ("right_ankle", "plantar", -40.0)
    (v,) = check_joint_limits(_pose(left_ankle=(120, 0, 0)))
    assert (v.joint, v.motion, v.limit_deg) == ("left_ankle", "plantar", 100.0)


def _hip(flex: float, abd: float, turn: float, *, right: bool = True) -> np.ndarray:
    """A hip rotation in the pose language's order: abduction * flexion * turn-out (flexion < 0 is to the front)."""
    s = 1.0 if right else -1.0
    q = R.multiply(R.from_euler(np.radians([0, 0, -s * abd])), R.multiply(R.from_euler(np.radians([flex, 0, 0])),
                                                                       R.from_euler(np.radians([0, -s * turn, 0]))))
    rot = R.identity((1, 24))
    rot[0, J["right_hip" if right else "left_hip"]] = q
    return rot


@pytest.mark.parametrize("right", [True, False])
def test_hip_ranges_depend_on_the_direction(right):
    name = "right_hip" if right else "left_hip"
    assert check_joint_limits(_hip(-120, 0, 40, right=right)) == []  # a grand battement devant
    assert check_joint_limits(_hip(0, 110, 40, right=right)) == []  # à la seconde
    assert check_joint_limits(_hip(70, 0, 40, right=right)) == []  # arabesque (pelvis tilt included)
    (v,) = check_joint_limits(_hip(-175, 0, 0, right=right))
    assert (v.joint, v.motion) == (name, "hip flexion")
    (v,) = check_joint_limits(_hip(110, 0, 0, right=right))
    assert (v.joint, v.motion) == (name, "hip extension")
    (v,) = check_joint_limits(_hip(0, -60, 0, right=right))  # across the body
    assert (v.joint, v.motion) == (name, "hip adduction")
    (v,) = check_joint_limits(_hip(0, 0, 120, right=right))
    assert (v.joint, v.motion) == (name, "external rotation")
    (v,) = check_joint_limits(_hip(0, 0, -70, right=right))
    assert (v.joint, v.motion) == (name, "internal rotation")


def test_joint_angles_read_back_the_pose_language():
    a = joint_angles(_hip(-90, 0, 40))["right_hip"]
    assert a["elevation"][0] == pytest.approx(90.0) and a["azimuth"][0] == pytest.approx(0.0, abs=1e-6)
    assert a["twist"][0] == pytest.approx(40.0)
    b = joint_angles(_hip(0, 45, 0, right=False))["left_hip"]
    assert b["elevation"][0] == pytest.approx(45.0) and b["azimuth"][0] == pytest.approx(90.0)


def test_spine_neck_and_shoulders():
    assert check_joint_limits(_pose(spine1=(30, 0, 0), spine2=(-25, 0, 0), neck=(40, 30, 0))) == []
    (v,) = check_joint_limits(_pose(spine1=(80, 0, 0)))
    assert (v.joint, v.motion) == ("spine1", "flexion")
    (v,) = check_joint_limits(_pose(neck=(0, 90, 0)))
    assert (v.joint, v.motion) == ("neck", "twist")
    # arms: down (bras bas), up (fifth), forward are fine; the arm far behind the back is not
    down = R.from_axis_angle(np.array([0.0, 0.0, 1.0]), np.radians(80.0))  # right arm (rest -X) turned down
    up = R.conjugate(down)
    back = R.from_axis_angle(np.array([0.0, 1.0, 0.0]), np.radians(-80.0))  # -X turned toward -Z
    for q, ok in ((down, True), (up, True), (back, False)):
        rot = R.identity((1, 24))
        rot[0, J["right_shoulder"]] = q
        assert (check_joint_limits(rot) == []) == ok


def test_input_shape_is_checked():
    with pytest.raises(ValueError, match=r"rotations must have shape \(T, 24, 4\), got \(3, 4\)"):
        joint_angles(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="tolerance_deg must be >= 0, got -1"):
        check_joint_limits(R.identity((24,)), tolerance_deg=-1)


def test_the_table_covers_every_joint_but_the_pelvis():
    kinds = {n.removeprefix("left_").removeprefix("right_") for n in J if n != "pelvis"}
    assert kinds == set(JOINT_LIMITS)
    for motions in JOINT_LIMITS.values():
        for lo, hi in motions.values():
            assert lo < hi
    assert "Sources" in limits.__doc__ or "AAOS" in limits.__doc__
