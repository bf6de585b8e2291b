"""Reading BVH files whose skeleton is not SMPL's: Mixamo, CMU, Biovision.

Two third-party files from bvhtoolbox (MIT, see tests/data/bvh/README.md) and
kanat's own demo dance written under Mixamo and CMU names, in other units, axes
and channel orders, whose true joint positions are known.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kanat.body import J, sole_points
from kanat.errors import FormatError
from kanat.formats import import_bvh, read_bvh
from kanat.formats.skeleton_names import name_parts

BVH = Path(__file__).parents[1] / "data" / "bvh"


def _distances(positions: np.ndarray) -> np.ndarray:
    """Every joint-to-joint distance per frame: the same whatever the dancer's place, facing and axes."""
    return np.linalg.norm(positions[:, :, None] - positions[:, None], axis=-1)


def _figure_is_sensible(motion, *, frames: int, fps: float) -> None:
    pos = motion.positions()
    assert motion.n_frames == frames and motion.fps == pytest.approx(fps)
    assert 1.4 <= motion.skeleton.height_m <= 2.0
    soles = sole_points(pos)[..., 1].min(axis=1)
    assert np.percentile(soles, 1) == pytest.approx(0.0, abs=1e-6)  # the floor under the soles
    assert np.median(soles) < 0.05  # standing on it most of the time
    assert np.all(pos[:, J["head"], 1] > pos[:, J["pelvis"], 1] - 0.3)  # upright, head over hips
    assert motion.contacts.any()


@pytest.mark.parametrize("name, frames, convention, height", [
    ("test_mocapbank.bvh", 455, "biovision", 1.62), ("test_freebvh.bvh", 69, "mixamo", 1.69)])
def test_third_party_files(name, frames, convention, height):
    result = import_bvh(BVH / name)
    info = result.info
    _figure_is_sensible(result.motion, frames=frames, fps=30.0)
    assert result.motion.duration_s == pytest.approx(frames / 30.0, abs=1e-3)
    assert (info.convention, info.unit, info.up_axis) == (convention, "cm", "+Y")
    assert info.height_m == pytest.approx(height, abs=0.02)
    assert info.fit_error_mean_m < 0.005 and info.fit_error_max_m < 0.03


def test_mocapbank_joint_map():
    info = import_bvh(BVH / "test_mocapbank.bvh").info
    assert info.joint_map["left_collar"] == "LeftCollar"
    assert info.joint_map["left_shoulder"] == "LeftShoulder"  # Biovision's shoulder is the upper arm
    assert info.joint_map["left_knee"] == "LeftKnee"
    assert "End Site of 'LeftAnkle'" in info.joint_map["left_foot"]  # no toe joint: placed towards the End Site


def test_mixamo_joint_map():
    info = import_bvh(BVH / "test_freebvh.bvh").info
    assert info.joint_map["left_collar"] == "mixamorig:LeftShoulder"  # Mixamo's shoulder is the collar bone
    assert info.joint_map["left_shoulder"] == "mixamorig:LeftArm"
    assert info.joint_map["left_wrist"] == "mixamorig:LeftHand"
    assert info.joint_map["left_hand"] == "mixamorig:LeftHandMiddle1"
    assert info.joint_map["right_foot"] == "mixamorig:RightToeBase"


@pytest.mark.parametrize("layout, options, unit, up", [
    ("mixamo", {"prefix": "mixamorig:", "metres_per_unit": 0.01}, "cm", "+Y"),
    ("mixamo", {"prefix": "", "metres_per_unit": 0.0254, "order": "XYZ", "z_up": True}, "inch", "+Z"),
    ("mixamo", {"prefix": "", "metres_per_unit": 1.0, "order": "YXZ"}, "m", "+Y"),
    ("cmu", {"metres_per_unit": 0.0254 / 0.45, "order": "ZYX"}, "cmu", "+Y"),  # CMU's inches / 0.45
    ("cmu", {"metres_per_unit": 0.2, "order": "ZXY"}, "normalised", "+Y"),  # no known unit: a standard dancer
])
def test_renamed_kanat_dance_comes_back(tmp_path, demo_dance, write_renamed_bvh, layouts, layout, options, unit, up):
    path = write_renamed_bvh(demo_dance, tmp_path / "dance.bvh", layouts[layout], **options)
    result = import_bvh(path)
    motion, info = result.motion, result.info
    _figure_is_sensible(motion, frames=demo_dance.n_frames, fps=demo_dance.fps)
    assert motion.duration_s == pytest.approx(demo_dance.duration_s)
    assert (info.convention, info.unit, info.up_axis) == (layout, unit, up)
    assert info.height_m == pytest.approx(demo_dance.skeleton.height_m, abs=0.01)
    assert info.metres_per_unit == pytest.approx(options["metres_per_unit"], rel=0.01)
    assert info.fit_error_mean_m < 1e-3 and info.fit_error_max_m < 5e-3
    # the same body in the same poses: every joint-to-joint distance as in kanat's own dance
    assert np.abs(_distances(motion.positions()) - _distances(demo_dance.positions())).max() < 0.005
    # facing the audience on the first frame: the left hip at +X of the right one
    pos = motion.positions()
    assert pos[0, J["left_hip"], 0] > pos[0, J["right_hip"], 0]


@pytest.mark.parametrize("layout, up", [("unreal", False), ("bandai", False), ("biped", True), ("humanik", False)])
def test_other_conventions(tmp_path, demo_dance, write_renamed_bvh, layouts, layout, up):
    path = write_renamed_bvh(demo_dance, tmp_path / f"{layout}.bvh", layouts[layout], z_up=up)
    result = import_bvh(path)
    assert result.info.fit_error_max_m < 5e-3
    assert result.info.up_axis == ("+Z" if up else "+Y")
    assert np.abs(_distances(result.motion.positions()) - _distances(demo_dance.positions())).max() < 0.005
    names = {row[2]: row[0] for row in layouts[layout] if row[2]}
    for smpl in ("left_collar", "left_shoulder", "left_wrist", "left_hand", "right_hip", "right_knee", "right_foot"):
        assert result.info.joint_map[smpl] == names[smpl]


def test_cmu_hand_skips_the_finger_base_on_the_wrist(tmp_path, demo_dance, write_renamed_bvh, layouts):
    info = import_bvh(write_renamed_bvh(demo_dance, tmp_path / "cmu.bvh", layouts["cmu"])).info
    assert info.joint_map["left_hand"] == "LeftHandIndex1"
    assert info.joint_map["left_hip"] == "LeftUpLeg"  # not LHipJoint, which sits on the pelvis
    assert info.joint_map["neck"] == "Neck"


@pytest.mark.parametrize("name, parts", [
    ("mixamorig:LeftUpLeg", ("left", "upleg")), ("thigh_l", ("left", "thigh")), ("Bip01 R Forearm", ("right", "forearm")),
    ("LHipJoint", ("left", "hipjoint")), ("UpperArm_R", ("right", "upperarm")), ("left_shoulder", ("left", "shoulder")),
    ("Hips", (None, "hips")), ("mixamorig:HeadTop_End", (None, "headtopend")), ("RThumb", ("right", "thumb")),
])
def test_name_parts(name, parts):
    assert name_parts(name) == parts


NO_LEGS = """HIERARCHY
ROOT Hips
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT Spine
  {
    OFFSET 0 10 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    JOINT Head
    {
      OFFSET 0 40 0
      CHANNELS 3 Zrotation Xrotation Yrotation
      End Site
      {
        OFFSET 0 15 0
      }
    }
  }
}
MOTION
Frames: 1
Frame Time: 0.0333333
0 100 0 0 0 0 0 0 0 0 0 0
"""


def test_unmappable_skeleton_names_what_is_missing(tmp_path):
    path = tmp_path / "torso.bvh"
    path.write_text(NO_LEGS)
    with pytest.raises(FormatError, match=(
        r"torso\.bvh: cannot map this skeleton onto kanat's 24 SMPL joints: found no joint for left_hip, left_knee, "
        r"left_ankle, left_shoulder, .*\(the file's joints: \['Hips', 'Spine', 'Head'\] \(3\)\)\. "
        r"kanat reads SMPL .*Mixamo .*CMU .*; the skeleton needs a head and both legs"
    )):
        read_bvh(path)


def test_unknown_names_are_rejected_before_the_frames_are_read(tmp_path):
    text = NO_LEGS.replace("0 100 0 0 0 0 0 0 0 0 0 0", "not numbers at all")
    path = tmp_path / "torso.bvh"
    path.write_text(text)
    with pytest.raises(FormatError, match=r"found no joint for left_hip"):
        read_bvh(path)


def test_foot_without_toe_or_end_site(tmp_path, demo_dance, write_renamed_bvh, layouts):
    layout = [row for row in layouts["mixamo"] if "ToeBase" not in row[0]]
    path = write_renamed_bvh(demo_dance, tmp_path / "no_toes.bvh", layout)
    with pytest.raises(FormatError, match=r"no_toes\.bvh: the left foot 'LeftFoot' has neither a toe joint nor an End Site"):
        read_bvh(path)
