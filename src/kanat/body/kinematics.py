"""Forward kinematics and centre of mass.

Conventions
-----------
- ``rotations`` are local joint rotations, shape (T, 24, 4), quaternions w
  first; ``rotations[:, 0]`` is the pelvis orientation in the world.
- ``root_pos`` is the pelvis position in the world, shape (T, 3), metres.
- Positions are world coordinates in metres, Y up.
"""

from __future__ import annotations

import numpy as np

from kanat.body import rotations as R
from kanat.body.skeleton import J, PARENTS, Skeleton

# de Leva (1996), adjusted Zatsiorsky-Seluyanov segment parameters (mean of the
# female and male tables): segment mass fraction and centre-of-mass position as
# a fraction of the segment from its proximal joint.
_SEGMENTS: tuple[tuple[str, str, float, float], ...] = (
    ("pelvis", "spine1", 0.1247, 0.40),  # lower trunk
    ("spine1", "spine3", 0.1596, 0.45),  # middle trunk
    ("spine3", "neck", 0.1560, 0.50),    # upper trunk
    ("neck", "head", 0.0681, 0.60),      # head and neck
    ("left_hip", "left_knee", 0.1478 / 1.0, 0.40),
    ("right_hip", "right_knee", 0.1478 / 1.0, 0.40),
    ("left_knee", "left_ankle", 0.0481, 0.44),
    ("right_knee", "right_ankle", 0.0481, 0.44),
    ("left_ankle", "left_foot", 0.0133, 0.45),
    ("right_ankle", "right_foot", 0.0133, 0.45),
    ("left_shoulder", "left_elbow", 0.0260, 0.57),
    ("right_shoulder", "right_elbow", 0.0260, 0.57),
    ("left_elbow", "left_wrist", 0.0150, 0.46),
    ("right_elbow", "right_wrist", 0.0150, 0.46),
    ("left_wrist", "left_hand", 0.0059, 0.79),
    ("right_wrist", "right_hand", 0.0059, 0.79),
)


def forward_kinematics(
    skeleton: Skeleton, root_pos: np.ndarray, rotations: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """World joint positions and orientations.

    Parameters
    ----------
    skeleton : Skeleton
    root_pos : np.ndarray, shape (T, 3)
        Pelvis position in metres.
    rotations : np.ndarray, shape (T, 24, 4)
        Local joint rotations, unit quaternions, w first.

    Returns
    -------
    positions : np.ndarray, shape (T, 24, 3)
        World joint positions in metres, Y up.
    global_rot : np.ndarray, shape (T, 24, 4)
        World orientation of each joint's frame.
    """
    rotations = np.asarray(rotations, dtype=float)
    root_pos = np.asarray(root_pos, dtype=float)
    T = rotations.shape[0]
    pos = np.zeros((T, 24, 3))
    glob = np.zeros((T, 24, 4))
    for j, p in enumerate(skeleton.parents):
        if p < 0:
            glob[:, j] = rotations[:, j]
            pos[:, j] = root_pos
        else:
            glob[:, j] = R.multiply(glob[:, p], rotations[:, j])
            pos[:, j] = pos[:, p] + R.rotate(glob[:, p], np.broadcast_to(skeleton.offsets[j], (T, 3)))
    return pos, glob


def joint_positions(skeleton: Skeleton, root_pos: np.ndarray, rotations: np.ndarray, *, block: int = 8192) -> np.ndarray:
    """The positions of :func:`forward_kinematics` (T, 24, 3), computed ``block`` frames at a time.

    The same numbers, without holding the world orientations (T, 24, 4) of a long take.
    """
    T = rotations.shape[0]
    pos = np.empty((T, 24, 3))
    for a in range(0, T, block):
        pos[a : a + block] = forward_kinematics(skeleton, root_pos[a : a + block], rotations[a : a + block])[0]
    return pos


def center_of_mass(positions: np.ndarray) -> np.ndarray:
    """Whole-body centre of mass from world joint positions (de Leva 1996).

    positions : np.ndarray, shape (..., 24, 3)
    Returns shape (..., 3), metres.
    """
    positions = np.asarray(positions, dtype=float)
    total = np.zeros(positions.shape[:-2] + (3,))
    mass = 0.0
    for a, b, m, f in _SEGMENTS:
        pa, pb = positions[..., J[a], :], positions[..., J[b], :]
        total += m * (pa + f * (pb - pa))
        mass += m
    return total / mass


def sole_points(positions: np.ndarray) -> np.ndarray:
    """Heel and ball of each foot on the sole, shape (..., 4, 3).

    Order: left heel, left ball, right heel, right ball. The foot's pitch
    and roll are read from the ankle -> ball vector (so this works for any
    Motion, an imported BVH included): the heel, ``ANKLE_HEIGHT_M`` below
    and 3 cm behind the ankle in the rest pose, is turned by the smallest
    rotation taking the rest foot direction to the current one; the ball's
    contact point is straight below the foot joint (the ball is round, so a
    foot rolling onto demi-pointe keeps it in place).
    """
    from kanat.body import rotations as R
    from kanat.body.skeleton import ANKLE_HEIGHT_M, BALL_HEIGHT_M, _rest_offsets

    p = np.asarray(positions, dtype=float)
    rest_dir = _rest_offsets()[J["left_foot"]]
    out = []
    for ankle, foot in (("left_ankle", "left_foot"), ("right_ankle", "right_foot")):
        pa, pf = p[..., J[ankle], :], p[..., J[foot], :]
        d = pf - pa
        q = R.between(rest_dir, d)
        heel = pa + R.rotate(q, np.broadcast_to([0.0, -ANKLE_HEIGHT_M, -0.03], pa.shape))
        # the ball is a round pad: its contact point lies straight below the foot joint
        ball = pf - np.array([0.0, BALL_HEIGHT_M, 0.0])
        out += [heel, ball]
    return np.stack(out, axis=-2)


def bones() -> list[tuple[int, int]]:
    """(parent, child) joint index pairs of every bone."""
    return [(p, j) for j, p in enumerate(PARENTS) if p >= 0]
