"""Two-bone inverse kinematics for the legs, batch over frames.

Conventions
-----------
- Quaternions (..., 4), w first; positions in metres, world frame.
- The chain is hip -> knee -> ankle; the knee's bend plane is kept from the
  input pose, so a turned-out plié stays turned out.
"""

from __future__ import annotations

import numpy as np

from kanat.body import rotations as R


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n > 1e-9, n, 1.0)


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.arccos(np.clip(np.sum(_unit(a) * _unit(b), axis=-1), -1.0, 1.0))


def two_bone_ik(
    parent_glob: np.ndarray,
    hip_pos: np.ndarray,
    hip_local: np.ndarray,
    knee_local: np.ndarray,
    ankle_local: np.ndarray,
    knee_offset: np.ndarray,
    ankle_offset: np.ndarray,
    target: np.ndarray,
    *,
    max_reach: float = 0.999,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rotate hip and knee so the ankle reaches ``target``; keep the foot's world orientation.

    Parameters
    ----------
    parent_glob : np.ndarray, shape (N, 4)
        World orientation of the hip's parent (the pelvis).
    hip_pos : np.ndarray, shape (N, 3)
        World position of the hip joint.
    hip_local, knee_local, ankle_local : np.ndarray, shape (N, 4)
        Local rotations of hip, knee and ankle.
    knee_offset, ankle_offset : np.ndarray, shape (3,)
        Rest offsets of knee (from hip) and ankle (from knee), metres.
    target : np.ndarray, shape (N, 3)
        Wanted world ankle positions. Out-of-reach targets are reached as far
        as the straight leg allows (``max_reach`` of its length).

    Returns
    -------
    hip_local, knee_local, ankle_local : np.ndarray, shape (N, 4)
    """
    l1 = float(np.linalg.norm(knee_offset))
    l2 = float(np.linalg.norm(ankle_offset))
    hip_g = R.multiply(parent_glob, hip_local)
    knee_g = R.multiply(hip_g, knee_local)
    foot_g = R.multiply(knee_g, ankle_local)
    a = hip_pos
    b = a + R.rotate(hip_g, np.broadcast_to(knee_offset, a.shape))
    c = b + R.rotate(knee_g, np.broadcast_to(ankle_offset, a.shape))
    d = np.clip(np.linalg.norm(target - a, axis=-1), 1e-4, max_reach * (l1 + l2))

    # 1) set the knee angle so the hip-ankle distance is d
    ac_ab_0 = _angle(c - a, b - a)
    ba_bc_0 = _angle(a - b, c - b)
    ac_ab_1 = np.arccos(np.clip((l2 * l2 - l1 * l1 - d * d) / (-2 * l1 * d), -1.0, 1.0))
    ba_bc_1 = np.arccos(np.clip((d * d - l1 * l1 - l2 * l2) / (-2 * l1 * l2), -1.0, 1.0))
    axis0 = np.cross(c - a, b - a)
    # a straight leg has no bend plane: bend forward about the hip's local x axis
    fallback = R.rotate(hip_g, np.broadcast_to([1.0, 0.0, 0.0], a.shape))
    bad = np.linalg.norm(axis0, axis=-1) < 1e-6
    axis0 = _unit(np.where(bad[:, None], -fallback, axis0))
    r0 = R.from_axis_angle(R.rotate(R.conjugate(hip_g), axis0), ac_ab_1 - ac_ab_0)
    r1 = R.from_axis_angle(R.rotate(R.conjugate(knee_g), axis0), ba_bc_1 - ba_bc_0)
    hip_local = R.multiply(hip_local, r0)
    knee_local = R.multiply(knee_local, r1)

    # 2) swing the whole leg about the hip so the ankle points at the target
    hip_g = R.multiply(parent_glob, hip_local)
    knee_g = R.multiply(hip_g, knee_local)
    b = a + R.rotate(hip_g, np.broadcast_to(knee_offset, a.shape))
    c = b + R.rotate(knee_g, np.broadcast_to(ankle_offset, a.shape))
    axis1 = np.cross(c - a, target - a)
    ang1 = _angle(c - a, target - a)
    ok = np.linalg.norm(axis1, axis=-1) > 1e-9
    axis1 = _unit(np.where(ok[:, None], axis1, [1.0, 0.0, 0.0]))
    r2 = R.from_axis_angle(R.rotate(R.conjugate(hip_g), axis1), np.where(ok, ang1, 0.0))
    hip_local = R.multiply(hip_local, r2)

    # 3) keep the foot's world orientation
    hip_g = R.multiply(parent_glob, hip_local)
    knee_g = R.multiply(hip_g, knee_local)
    ankle_local = R.multiply(R.conjugate(knee_g), foot_g)
    return R.normalize(hip_local), R.normalize(knee_local), R.normalize(ankle_local)
