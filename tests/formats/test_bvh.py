"""BVH: kanat's files round-trip within 1 mm; other SMPL-named BVH read; bad files refused."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kanat.body import JOINT_NAMES, PARENTS, Motion, rotations as R
from kanat.errors import FormatError
from kanat.formats import estimate_contacts, read_bvh, write_bvh
from kanat.body.rotations import euler_to_quat, quat_to_euler


def test_round_trip_positions_within_1mm(tmp_path, motion):
    path = write_bvh(motion, tmp_path / "dance.bvh")
    back = read_bvh(path)
    assert back.n_frames == motion.n_frames
    assert back.fps == motion.fps
    np.testing.assert_allclose(back.skeleton.offsets, motion.skeleton.offsets, atol=1e-8)
    err = np.abs(back.positions() - motion.positions()).max()
    assert err < 1e-3, f"max joint error {err * 1000:.3f} mm"
    np.testing.assert_allclose(back.root_pos, motion.root_pos, atol=1e-5)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31 - 1), fps=st.sampled_from([24.0, 25.0, 30.0, 60.0]),
       amplitude=st.floats(0.1, 1.5), turns=st.floats(-4.0, 4.0))
def test_round_trip_random_motions(tmp_path, random_dance, seed, fps, amplitude, turns):
    motion = random_dance(seed=seed, n_frames=40, fps=fps, amplitude_rad=amplitude, turns=turns)
    back = read_bvh(write_bvh(motion, tmp_path / "random.bvh"))
    assert back.fps == fps
    assert np.abs(back.positions() - motion.positions()).max() < 1e-3


@pytest.mark.parametrize("order", ["XYZ", "XZY", "YXZ", "YZX", "ZXY", "ZYX"])
def test_euler_round_trip_every_order_including_gimbal_lock(rng, order):
    q = R.normalize(rng.normal(size=(500, 4)))
    lock = euler_to_quat(np.stack([rng.uniform(-3, 3, 200), np.full(200, np.pi / 2), rng.uniform(-3, 3, 200)], -1), order)
    for qq in (q, lock):
        back = euler_to_quat(quat_to_euler(qq, order), order)
        np.testing.assert_allclose(R.to_matrix(back), R.to_matrix(qq), atol=1e-12)


def test_euler_matches_bvh_channel_semantics():
    # Channels "Zrotation Xrotation Yrotation" = intrinsic Z, then X, then Y: R = Rz @ Rx @ Ry.
    z, x, y = 0.3, -0.7, 1.1
    rz = R.to_matrix(R.from_axis_angle(np.array([0, 0, 1.0]), np.array(z)))
    rx = R.to_matrix(R.from_axis_angle(np.array([1.0, 0, 0]), np.array(x)))
    ry = R.to_matrix(R.from_axis_angle(np.array([0, 1.0, 0]), np.array(y)))
    np.testing.assert_allclose(R.to_matrix(euler_to_quat(np.array([z, x, y]), "ZXY")), rz @ rx @ ry, atol=1e-12)


def test_header_names_units_and_frame_time(tmp_path, motion):
    text = write_bvh(motion, tmp_path / "dance.bvh").read_text()
    assert text.startswith("HIERARCHY\nROOT pelvis\n")
    assert "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation" in text
    assert text.count("CHANNELS 3 Zrotation Xrotation Yrotation") == 23
    assert re.findall(r"(?:ROOT|JOINT) (\w+)", text) and set(re.findall(r"(?:ROOT|JOINT) (\w+)", text)) == set(JOINT_NAMES)
    assert text.count("End Site") == 5
    assert "OFFSET 0.000000 -38.500000 0.000000" in text  # the left knee, in centimetres
    assert f"Frames: {motion.n_frames}\nFrame Time: 0.0166666667\n" in text
    assert "-0.0000 " not in text


def _write_foreign_bvh(path, motion: Motion, *, order: str, names: list[str], scale: float, root_offset_zero: bool) -> None:
    """A BVH as another tool might write it: other channel order and units, channels before rotation."""
    children = [[j for j, p in enumerate(PARENTS) if p == i] for i in range(24)]
    lines = ["HIERARCHY"]

    def emit(j, depth):
        pad = "  " * depth
        off = np.zeros(3) if (j == 0 and root_offset_zero) else motion.skeleton.offsets[j] * scale
        lines.append(f"{pad}{'ROOT' if j == 0 else 'JOINT'} {names[j]}\n{pad}{{\n{pad}  OFFSET {off[0]:.8f} {off[1]:.8f} {off[2]:.8f}")
        rot = " ".join(f"{c}rotation" for c in order)
        lines.append(f"{pad}  CHANNELS 6 {rot} Zposition Xposition Yposition" if j == 0 else f"{pad}  CHANNELS 3 {rot}")
        for c in children[j]:
            emit(c, depth + 1)
        if not children[j]:
            lines.append(f"{pad}  End Site\n{pad}  {{\n{pad}    OFFSET 0 1 0\n{pad}  }}")
        lines.append(pad + "}")

    emit(0, 0)
    serial = []
    stack = [0]
    while stack:
        j = stack.pop()
        serial.append(j)
        stack.extend(reversed(children[j]))
    eul = np.degrees(quat_to_euler(motion.rotations[:, serial], order))
    root = motion.root_pos[:, [2, 0, 1]] * scale
    rows = []
    for t in range(motion.n_frames):
        vals = list(eul[t, 0]) + list(root[t]) + list(eul[t, 1:].reshape(-1))
        rows.append(" ".join(f"{v:.6f}" for v in vals))
    lines += ["MOTION", f"Frames:\t{motion.n_frames}", f"Frame Time:\t{1 / motion.fps:.6f}", *rows, ""]
    path.write_text("\n".join(lines))


@pytest.mark.parametrize("order, scale, style", [("XYZ", 1.0, "smpl"), ("YXZ", 100.0, "smpl_old"), ("ZYX", 100.0, "upper")])
def test_reads_smpl_bvh_from_other_tools(tmp_path, motion, order, scale, style):
    old = {"left_foot": "L_Toe", "right_foot": "R_Toe", "left_collar": "L_Thorax", "right_collar": "R_Thorax"}
    if style == "smpl":
        names = list(JOINT_NAMES)
    elif style == "smpl_old":
        names = [old.get(n, n.replace("left_", "L_").replace("right_", "R_").title()) for n in JOINT_NAMES]
    else:
        names = [n.upper() for n in JOINT_NAMES]
    path = tmp_path / "foreign.bvh"
    _write_foreign_bvh(path, motion, order=order, names=names, scale=scale, root_offset_zero=(style == "smpl_old"))
    back = read_bvh(path)
    assert back.fps == 60.0
    err = np.abs(back.positions() - motion.positions()).max()
    assert err < 1e-3, f"{order} x{scale} {style}: max joint error {err * 1000:.3f} mm"
    np.testing.assert_allclose(back.skeleton.offsets[1:], motion.skeleton.offsets[1:], atol=1e-7)
    # A zero root OFFSET leaves the pelvis rest height to be estimated from the legs.
    assert abs(back.skeleton.offsets[0, 1] - motion.skeleton.offsets[0, 1]) < 0.02


def test_contacts_from_foot_height_and_speed(random_dance):
    standing = random_dance(seed=1, n_frames=30, amplitude_rad=0.0, turns=0.0)
    pos = standing.positions().copy()
    pos[..., 0] = pos[:1, :, 0]  # stand still
    pos[..., 2] = pos[:1, :, 2]
    pos[..., 1] = pos[:1, :, 1]
    pos[..., 1] -= pos[0, :, 1].min() - 0.025  # the ball of the lowest foot on the floor
    assert estimate_contacts(pos, 60.0).all()
    lifted = pos.copy()
    lifted[:, [4, 7, 10], 1] += 0.3  # left knee, ankle, foot up: a passé
    contacts = estimate_contacts(lifted, 60.0)
    assert not contacts[:, 0].any() and contacts[:, 1].all()
    sliding = pos + np.arange(30)[:, None, None] * np.array([0.02, 0.0, 0.0])  # 1.2 m/s
    assert not estimate_contacts(sliding, 60.0).any()


# ------------------------------------------------------------------ bad input
def test_garbage_is_not_a_bvh(tmp_path):
    path = tmp_path / "garbage.bvh"
    path.write_text("this is not\na motion file {{ 1 2 3\n")
    with pytest.raises(FormatError, match=r"garbage\.bvh: not a BVH file: expected 'HIERARCHY' on the first line, got 'this is not'"):
        read_bvh(path)


def test_binary_garbage_is_not_a_bvh(tmp_path):
    path = tmp_path / "noise.bvh"
    path.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 500, dtype=np.uint8)))
    with pytest.raises(FormatError, match=r"not a BVH file"):
        read_bvh(path)


def test_truncated_motion_section(tmp_path, motion):
    lines = write_bvh(motion, tmp_path / "dance.bvh").read_text().splitlines()
    cut = tmp_path / "cut.bvh"
    cut.write_text("\n".join(lines[:-100]) + "\n")
    with pytest.raises(FormatError, match=rf"declares {motion.n_frames} frames but holds only {motion.n_frames - 100}; the file is truncated"):
        read_bvh(cut)
    half_line = tmp_path / "half_line.bvh"
    half_line.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2])
    with pytest.raises(FormatError, match=r"frame 239 has \d+ values, expected 75 \(one per channel\)"):
        read_bvh(half_line)


def test_no_motion_section(tmp_path, motion):
    text = write_bvh(motion, tmp_path / "dance.bvh").read_text()
    cut = tmp_path / "no_motion.bvh"
    cut.write_text(text[: text.index("MOTION")])
    with pytest.raises(FormatError, match=r"no MOTION section; the file is truncated"):
        read_bvh(cut)


def test_truncated_hierarchy(tmp_path, motion):
    text = write_bvh(motion, tmp_path / "dance.bvh").read_text()
    cut = tmp_path / "cut.bvh"
    cut.write_text(text[: text.index("JOINT left_elbow") + 16] + "\nMOTION\nFrames: 1\nFrame Time: 0.1\n0 0 0\n")
    with pytest.raises(FormatError, match=r"cut\.bvh line \d+: the HIERARCHY ends early \(expected '\{'\); the file is truncated"):
        read_bvh(cut)


MIXAMO = """HIERARCHY
ROOT mixamorig:Hips
{
  OFFSET 0 100 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT mixamorig:Spine
  {
    OFFSET 0 10 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 0 10 0
    }
  }
  JOINT left_hip
  {
    OFFSET 10 -10 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 0 -40 0
    }
  }
}
MOTION
Frames: 1
Frame Time: 0.0333333
0 100 0 0 0 0 0 0 0 0 0 0
"""


def test_unknown_skeleton_names_the_joints(tmp_path):
    path = tmp_path / "mixamo.bvh"
    path.write_text(MIXAMO)
    with pytest.raises(FormatError, match=(
        r"mixamo\.bvh: cannot map this skeleton onto kanat's 24 SMPL joints: found no joint for left_knee, "
        r"left_ankle, .*right_hip, .*head \(the file's joints: \['mixamorig:Hips', 'mixamorig:Spine', 'left_hip'\] \(3\)\)"
    )):
        read_bvh(path)


def test_smpl_names_in_another_hierarchy(tmp_path, motion):
    text = write_bvh(motion, tmp_path / "dance.bvh").read_text()
    swapped = text.replace("JOINT left_knee", "JOINT tmp").replace("JOINT left_ankle", "JOINT left_knee").replace("JOINT tmp", "JOINT left_ankle")
    path = tmp_path / "swapped.bvh"
    path.write_text(swapped)
    with pytest.raises(FormatError, match=r"swapped\.bvh line 10: joint 'left_ankle' hangs from 'left_hip', but SMPL's left_ankle hangs from left_knee; the hierarchy is not SMPL's"):
        read_bvh(path)


def test_missing_file(tmp_path):
    with pytest.raises(FormatError, match=r"BVH file '.*nowhere\.bvh' does not exist"):
        read_bvh(tmp_path / "nowhere.bvh")


def test_failed_write_leaves_no_file(tmp_path, motion):
    bad = Motion(fps=motion.fps, root_pos=motion.root_pos, rotations=motion.rotations, contacts=motion.contacts,
                 skeleton=type(motion.skeleton)(names=("pelvis",)))  # too few names: writing fails
    with pytest.raises(IndexError):
        write_bvh(bad, tmp_path / "dance.bvh")
    assert list(tmp_path.iterdir()) == []


def test_written_a_block_at_a_time_the_file_is_the_same(tmp_path, random_dance, monkeypatch):
    """Frames are formatted in blocks (an hour's text is never held); angles stay unwrapped across the blocks."""
    from kanat.formats import bvh

    m = random_dance(seed=5, n_frames=200, fps=60.0, amplitude_rad=1.2, turns=6.0)
    whole = write_bvh(m, tmp_path / "whole.bvh").read_bytes()
    monkeypatch.setattr(bvh, "_ROWS_AT_ONCE", 7)
    assert m.n_frames > 70
    assert write_bvh(m, tmp_path / "blocks.bvh").read_bytes() == whole
    yaw = [float(line.split()[3]) for line in whole.decode().split("Frame Time:")[1].splitlines()[1:]]
    assert max(abs(b - a) for a, b in zip(yaw, yaw[1:])) < 90.0  # no 360-degree jump between two frames
