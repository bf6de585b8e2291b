"""Rotation maths as pure, batch-first functions.

Conventions
-----------
- Quaternions are arrays of shape (..., 4), real part first: (w, x, y, z).
- Functions broadcast over leading dimensions and never modify their inputs.
- ``standardize`` is the one place that fixes the quaternion sign (w >= 0).
- Angles in radians. Euler angles (used by the human-edited step files, in
  degrees there) are applied X first, then Y, then Z, about the parent's fixed
  axes: ``R = Rz @ Ry @ Rx`` (:func:`from_euler`). File formats with their own
  orders (BVH's ZXY, ...) use :func:`euler_to_quat` and :func:`quat_to_euler`,
  intrinsic angles in the order named.
"""

from __future__ import annotations

import numpy as np


def normalize(q: np.ndarray) -> np.ndarray:
    """Unit quaternions, shape (..., 4). Zero quaternions become the identity."""
    q = np.asarray(q, dtype=float)
    n = np.linalg.norm(q, axis=-1, keepdims=True)
    ok = n > 1e-12
    out = q / np.where(ok, n, 1.0)
    if not ok.all():  # written so, an hour of quaternions needs no identity array beside it
        out[~ok[..., 0]] = (1.0, 0.0, 0.0, 0.0)
    return out


def standardize(q: np.ndarray) -> np.ndarray:
    """Fix the sign so the real part is non-negative, shape (..., 4)."""
    q = np.asarray(q, dtype=float)
    return np.where(q[..., :1] < 0, -q, q)


def identity(shape: tuple[int, ...] = ()) -> np.ndarray:
    """Identity quaternions of shape ``shape + (4,)``."""
    q = np.zeros(tuple(shape) + (4,))
    q[..., 0] = 1.0
    return q


def multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product ``a * b`` (apply ``b`` first, then ``a``), shape (..., 4)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    aw, ax, ay, az = np.moveaxis(a, -1, 0)
    bw, bx, by, bz = np.moveaxis(b, -1, 0)
    return np.stack(
        [
            aw * bw - ax * bx - ay * by - az * bz,
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
        ],
        axis=-1,
    )


def conjugate(q: np.ndarray) -> np.ndarray:
    """Conjugate (the inverse of a unit quaternion), shape (..., 4)."""
    q = np.asarray(q, dtype=float)
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def from_axis_angle(axis: np.ndarray, angle_rad: np.ndarray) -> np.ndarray:
    """Quaternion rotating by ``angle_rad`` about ``axis``.

    axis : shape (..., 3), need not be unit length.
    angle_rad : shape (...), radians, right-hand rule.
    Returns shape (..., 4).
    """
    axis = np.asarray(axis, dtype=float)
    angle = np.asarray(angle_rad, dtype=float)
    n = np.linalg.norm(axis, axis=-1, keepdims=True)
    axis = axis / np.where(n > 1e-12, n, 1.0)
    half = angle[..., None] / 2.0
    return np.concatenate([np.cos(half), np.sin(half) * axis], axis=-1)


def to_axis_angle(q: np.ndarray) -> np.ndarray:
    """Rotation vectors (axis times angle in radians), shape (..., 3)."""
    q = standardize(normalize(q))
    v = q[..., 1:]
    s = np.linalg.norm(v, axis=-1, keepdims=True)
    angle = 2.0 * np.arctan2(s, q[..., :1])
    scale = np.where(s > 1e-12, angle / np.where(s > 1e-12, s, 1.0), 2.0)
    return v * scale


def from_euler(angles_rad: np.ndarray) -> np.ndarray:
    """Quaternions from Euler angles (x, y, z), applied X then Y then Z.

    angles_rad : shape (..., 3), radians.
    Returns shape (..., 4).
    """
    a = np.asarray(angles_rad, dtype=float)
    ex = np.array([1.0, 0.0, 0.0])
    ey = np.array([0.0, 1.0, 0.0])
    ez = np.array([0.0, 0.0, 1.0])
    qx = from_axis_angle(np.broadcast_to(ex, a.shape), a[..., 0])
    qy = from_axis_angle(np.broadcast_to(ey, a.shape), a[..., 1])
    qz = from_axis_angle(np.broadcast_to(ez, a.shape), a[..., 2])
    return multiply(qz, multiply(qy, qx))


def to_euler(q: np.ndarray) -> np.ndarray:
    """Euler angles (x, y, z) in radians with ``from_euler(to_euler(q)) == q``, shape (..., 3)."""
    m = to_matrix(q)
    # R = Rz Ry Rx: R[2,0] = -sin(y)
    y = np.arcsin(np.clip(-m[..., 2, 0], -1.0, 1.0))
    x = np.arctan2(m[..., 2, 1], m[..., 2, 2])
    z = np.arctan2(m[..., 1, 0], m[..., 0, 0])
    return np.stack([x, y, z], axis=-1)


def to_matrix(q: np.ndarray) -> np.ndarray:
    """Rotation matrices, shape (..., 3, 3), from quaternions (..., 4)."""
    q = normalize(q)
    w, x, y, z = np.moveaxis(q, -1, 0)
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
            np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
            np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1),
        ],
        axis=-2,
    )


def from_matrix(m: np.ndarray) -> np.ndarray:
    """Quaternions (..., 4), w >= 0, from rotation matrices (..., 3, 3)."""
    m = np.asarray(m, dtype=float)
    m00, m11, m22 = m[..., 0, 0], m[..., 1, 1], m[..., 2, 2]
    cand = np.stack(
        [
            np.stack([1 + m00 + m11 + m22, m[..., 2, 1] - m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0], m[..., 1, 0] - m[..., 0, 1]], -1),
            np.stack([m[..., 2, 1] - m[..., 1, 2], 1 + m00 - m11 - m22, m[..., 1, 0] + m[..., 0, 1], m[..., 0, 2] + m[..., 2, 0]], -1),
            np.stack([m[..., 0, 2] - m[..., 2, 0], m[..., 1, 0] + m[..., 0, 1], 1 - m00 + m11 - m22, m[..., 2, 1] + m[..., 1, 2]], -1),
            np.stack([m[..., 1, 0] - m[..., 0, 1], m[..., 0, 2] + m[..., 2, 0], m[..., 2, 1] + m[..., 1, 2], 1 - m00 - m11 + m22], -1),
        ],
        axis=-2,
    )
    diag = np.stack([1 + m00 + m11 + m22, 1 + m00 - m11 - m22, 1 - m00 + m11 - m22, 1 - m00 - m11 + m22], -1)
    best = np.argmax(diag, axis=-1)
    q = np.take_along_axis(cand, best[..., None, None], axis=-2)[..., 0, :]
    return standardize(normalize(q))


def rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (..., 3) by quaternions ``q`` (..., 4); broadcasts."""
    q = np.asarray(q, dtype=float)
    v = np.asarray(v, dtype=float)
    qv = q[..., 1:]
    t = 2.0 * np.cross(qv, v)
    return v + q[..., :1] * t + np.cross(qv, t)


def between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking direction ``a`` to direction ``b``, shape (..., 4).

    a, b : np.ndarray, shape (..., 3)
        Directions (need not be unit length); they broadcast.
    Opposite directions give half a turn about an axis perpendicular to
    ``a``; a zero ``b`` gives the identity.
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    a = a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-12)
    nb = np.linalg.norm(b, axis=-1, keepdims=True)
    zero = nb[..., 0] < 1e-9
    b = b / np.maximum(nb, 1e-12)
    d = np.sum(a * b, axis=-1)
    c = np.cross(a, b)
    perp = np.cross(a, np.broadcast_to([1.0, 0.0, 0.0], a.shape))
    perp = np.where(np.linalg.norm(perp, axis=-1, keepdims=True) < 1e-6, np.cross(a, [0.0, 0.0, 1.0]), perp)
    perp = perp / np.maximum(np.linalg.norm(perp, axis=-1, keepdims=True), 1e-12)
    q = np.concatenate([(1.0 + d)[..., None], c], axis=-1)
    q = np.where((d < -1 + 1e-9)[..., None], np.concatenate([np.zeros(d.shape + (1,)), perp], -1), q)
    q = np.where(zero[..., None], identity(d.shape), q)
    return normalize(q)


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation from ``a`` (t=0) to ``b`` (t=1) along the short arc.

    a, b : shape (..., 4); t : shape broadcastable to (...).
    """
    a = normalize(a)
    b = normalize(b)
    t = np.asarray(t, dtype=float)[..., None]
    dot = np.sum(a * b, axis=-1, keepdims=True)
    b = np.where(dot < 0, -b, b)
    dot = np.abs(dot)
    theta = np.arccos(np.clip(dot, -1.0, 1.0))
    sin_t = np.sin(theta)
    small = sin_t < 1e-6
    safe = np.where(small, 1.0, sin_t)
    wa = np.where(small, 1.0 - t, np.sin((1.0 - t) * theta) / safe)
    wb = np.where(small, t, np.sin(t * theta) / safe)
    return normalize(wa * a + wb * b)


def yaw(angle_rad: np.ndarray) -> np.ndarray:
    """Rotation about the vertical (Y) axis, shape (..., 4)."""
    angle = np.asarray(angle_rad, dtype=float)
    return from_axis_angle(np.broadcast_to([0.0, 1.0, 0.0], angle.shape + (3,)), angle)


def mirror_x(q: np.ndarray) -> np.ndarray:
    """Mirror rotations through the sagittal plane (x -> -x): (w, x, y, z) -> (w, x, -y, -z)."""
    q = np.asarray(q, dtype=float)
    return q * np.array([1.0, 1.0, -1.0, -1.0])


_AXIS = {"X": 0, "Y": 1, "Z": 2}


def euler_to_quat(angles_rad: np.ndarray, order: str) -> np.ndarray:
    """Quaternions from intrinsic Euler angles applied in ``order``.

    angles_rad : np.ndarray, shape (..., len(order))
        Angles in radians, one per letter of ``order`` (e.g. "ZXY"; letters may
        repeat or be fewer than three). ``R = R_order[0] @ R_order[1] @ ...``.
    Returns shape (..., 4), w first.
    """
    a = np.asarray(angles_rad, dtype=float)
    q = identity(a.shape[:-1])
    for i, axis in enumerate(order):
        qa = from_axis_angle(np.broadcast_to(np.eye(3)[_AXIS[axis]], a.shape[:-1] + (3,)), a[..., i])
        q = multiply(q, qa)
    return q


def quat_to_euler(q: np.ndarray, order: str) -> np.ndarray:
    """Intrinsic Tait-Bryan angles (radians), shape (..., 3), in ``order``.

    ``euler_to_quat(quat_to_euler(q, order), order)`` is ``q`` (up to sign) for
    every rotation, gimbal lock included: the last angle is solved from the
    residual of the first two, so the product stays exact.
    """
    if len(order) != 3 or set(order) != set("XYZ"):
        raise ValueError(f"order must be a permutation of 'XYZ', got {order!r}")
    i, j, k = (_AXIS[c] for c in order)
    s = 1.0 if (i, j, k) in ((0, 1, 2), (1, 2, 0), (2, 0, 1)) else -1.0
    m = to_matrix(q)
    cos_b = np.hypot(m[..., j, k], m[..., k, k])
    b = np.arctan2(s * m[..., i, k], cos_b)
    a = np.where(cos_b > 1e-9, np.arctan2(-s * m[..., j, k], m[..., k, k]), 0.0)
    first_two = euler_to_quat(np.stack([a, b], axis=-1), order[:2])
    rest = to_matrix(multiply(conjugate(first_two), q))  # pure rotation about k
    p, r = (k + 1) % 3, (k + 2) % 3
    c = np.arctan2(rest[..., r, p], rest[..., p, p])
    return np.stack([a, b, c], axis=-1)
