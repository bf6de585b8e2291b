"""joints.npz: world positions round-trip; other versions and shapes refused."""

from __future__ import annotations

import numpy as np
import pytest

from kanat.body import JOINT_NAMES
from kanat.errors import FormatError
from kanat.formats import read_joints_npz, write_joints_npz


def test_round_trip(tmp_path, motion):
    path = write_joints_npz(motion, tmp_path / "joints.npz")
    joints = read_joints_npz(path)
    assert joints.fps == motion.fps
    assert joints.joint_names == JOINT_NAMES
    assert joints.positions.shape == (motion.n_frames, 24, 3)
    assert joints.positions.dtype == np.float32
    np.testing.assert_allclose(joints.positions, motion.positions(), atol=1e-5)


def test_plain_numpy_reads_it_without_pickle(tmp_path, motion):
    data = np.load(write_joints_npz(motion, tmp_path / "joints.npz"), allow_pickle=False)
    assert set(data.files) == {"positions", "fps", "joint_names", "format_version"}
    assert int(data["format_version"]) == 1
    assert float(data["fps"]) == 60.0
    assert list(data["joint_names"]) == list(JOINT_NAMES)


def test_other_version_refused(tmp_path, motion):
    path = tmp_path / "joints.npz"
    np.savez(path, positions=motion.positions(), fps=60.0, joint_names=np.array(JOINT_NAMES), format_version=2)
    with pytest.raises(FormatError, match=r"joints format_version 2 is not supported \(this kanat reads version 1\)"):
        read_joints_npz(path)


def test_wrong_shape_refused(tmp_path):
    path = tmp_path / "joints.npz"
    np.savez(path, positions=np.zeros((5, 22, 3)), fps=60.0, joint_names=np.array(JOINT_NAMES), format_version=1)
    with pytest.raises(FormatError, match=r"positions must have shape \(T, 24, 3\), got \(5, 22, 3\)"):
        read_joints_npz(path)


def test_not_an_npz(tmp_path):
    path = tmp_path / "joints.npz"
    path.write_text("hello")
    with pytest.raises(FormatError, match=r"joints\.npz: not a joints\.npz file"):
        read_joints_npz(path)
    with pytest.raises(FormatError, match=r"joints file '.*missing\.npz' does not exist"):
        read_joints_npz(tmp_path / "missing.npz")
