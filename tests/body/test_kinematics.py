import numpy as np

from kanat.body import J, Motion, center_of_mass, forward_kinematics
from kanat.body import rotations as R
from kanat.errors import FormatError


def test_rest_pose_fk_is_rest_positions(skeleton):
    T = 3
    pos, glob = forward_kinematics(skeleton, np.tile(skeleton.offsets[0], (T, 1)), R.identity((T, 24)))
    assert np.allclose(pos[1], skeleton.rest_positions)
    assert np.allclose(glob, R.identity((T, 24)))


def test_adult_dancer_proportions(skeleton):
    assert 1.65 <= skeleton.height_m <= 1.75
    rest = skeleton.rest_positions
    assert np.isclose(rest[J["left_hip"], 0], -rest[J["right_hip"], 0])  # symmetric
    assert rest[[J["left_foot"], J["right_foot"]], 1].min() > 0  # the feet are above the floor


def test_knee_bend_moves_the_ankle_back(skeleton):
    rot = R.identity((1, 24))
    rot[0, J["left_knee"]] = R.from_euler(np.radians([90.0, 0, 0]))
    pos, _ = forward_kinematics(skeleton, skeleton.offsets[0][None], rot)
    knee, ankle = pos[0, J["left_knee"]], pos[0, J["left_ankle"]]
    assert ankle[2] < knee[2] - 0.35  # the shank points backward
    assert abs(ankle[1] - knee[1]) < 0.05


def test_center_of_mass_standing(skeleton):
    com = center_of_mass(skeleton.rest_positions)
    assert abs(com[0]) < 1e-9
    assert 0.85 < com[1] < 1.05  # a standing adult's centre of mass is near the navel


def test_motion_save_load_round_trip(tmp_path, rng, skeleton):
    T = 10
    rot = R.from_euler(rng.normal(0, 0.3, (T, 24, 3)))
    m = Motion(fps=60, root_pos=rng.normal(size=(T, 3)), rotations=rot, contacts=rng.random((T, 2)) > 0.5)
    m.save(tmp_path / "motion.npz")
    m2 = Motion.load(tmp_path / "motion.npz")
    assert np.allclose(m2.positions(), m.positions(), atol=1e-5)
    assert (m2.contacts == m.contacts).all() and m2.fps == 60


def test_motion_rejects_bad_shapes():
    import pytest

    with pytest.raises(FormatError, match="expected root_pos"):
        Motion(fps=60, root_pos=np.zeros((3, 3)), rotations=np.zeros((4, 24, 4)), contacts=np.zeros((3, 2)))
    with pytest.raises(FormatError, match="fps must be > 0"):
        Motion(fps=0, root_pos=np.zeros((3, 3)), rotations=np.zeros((3, 24, 4)), contacts=np.zeros((3, 2)))


def test_joint_positions_by_blocks_are_forward_kinematics():
    from kanat.body.kinematics import joint_positions
    from kanat.body.skeleton import default_skeleton

    rng = np.random.default_rng(2)
    T = 50
    rot = R.normalize(rng.standard_normal((T, 24, 4)))
    root = rng.standard_normal((T, 3))
    sk = default_skeleton()
    assert np.array_equal(joint_positions(sk, root, rot, block=7), forward_kinematics(sk, root, rot)[0])
