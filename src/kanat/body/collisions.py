"""Limbs through limbs: the body as capsules, and the pairs that interpenetrate.

Conventions
-----------
- Each bone is a capsule around the segment parent -> child with the radius
  ``BONE_RADIUS_M[child]`` (:mod:`kanat.body.skeleton`); positions in metres.
- Bones fewer than ``min_hops`` apart in the skeleton never count (they meet
  at joints). Leg against leg may touch along their whole length (first,
  fifth, a retiré foot on the knee), so for them only the bone lines count:
  closer than ``LEG_CROSS_M`` is a limb through another.
- Functions take one pose (24, 3) or a batch (T, 24, 3).
"""

from __future__ import annotations

import numpy as np

from kanat.body.skeleton import BONE_RADIUS_M, JOINT_NAMES, PARENTS

BONES = [(p, j) for j, p in enumerate(PARENTS) if p >= 0]
#: Leg bone lines closer than this pass through each other (metres).
LEG_CROSS_M = 0.015
_LEGS = {"left": ("left_hip", "left_knee", "left_ankle", "left_foot"),
         "right": ("right_hip", "right_knee", "right_ankle", "right_foot")}


def body_group(joint: str) -> str:
    """left_leg, right_leg, left_arm, right_arm or trunk: the part of the body a bone (named by its child) is in."""
    for side, names in _LEGS.items():
        if joint in names:
            return f"{side}_leg"
    if joint.startswith("left_"):
        return "left_arm"
    if joint.startswith("right_"):
        return "right_arm"
    return "trunk"


def _bone_hops() -> np.ndarray:
    n = len(BONES)
    adj = np.full((n, n), 99)
    for i, (a, b) in enumerate(BONES):
        for j, (c, d) in enumerate(BONES):
            adj[i, j] = 0 if i == j else (1 if {a, b} & {c, d} else 99)
    for k in range(n):  # Floyd-Warshall
        adj = np.minimum(adj, adj[:, k:k + 1] + adj[k:k + 1, :])
    return adj


_HOPS = _bone_hops()


def segment_distances(p1: np.ndarray, q1: np.ndarray, p2: np.ndarray, q2: np.ndarray) -> np.ndarray:
    """Shortest distances between segments p1-q1 and p2-q2, shape (...,); inputs (..., 3), metres."""
    d1, d2, r = q1 - p1, q2 - p2, p1 - p2
    a = np.sum(d1 * d1, -1)
    e = np.sum(d2 * d2, -1)
    f = np.sum(d2 * r, -1)
    c = np.sum(d1 * r, -1)
    b = np.sum(d1 * d2, -1)
    den = a * e - b * b
    s = np.where(den > 1e-12, np.clip((b * f - c * e) / np.where(den > 1e-12, den, 1.0), 0, 1), 0.0)
    t = np.where(e > 1e-12, (b * s + f) / np.where(e > 1e-12, e, 1.0), 0.0)
    safe_a = np.where(a > 1e-12, a, 1.0)
    s = np.where(t < 0, np.where(a > 1e-12, np.clip(-c / safe_a, 0, 1), 0.0), s)
    s = np.where(t > 1, np.where(a > 1e-12, np.clip((b - c) / safe_a, 0, 1), 0.0), s)
    t = np.clip(t, 0.0, 1.0)
    return np.linalg.norm((p1 + d1 * s[..., None]) - (p2 + d2 * t[..., None]), axis=-1)


def _pairs(min_hops: int, touching: set) -> list[tuple[int, int, str, str]]:
    out = []
    for i, (_a, b) in enumerate(BONES):
        for j in range(i + 1, len(BONES)):
            d = BONES[j][1]
            if _HOPS[i, j] < min_hops:
                continue
            gi, gj = body_group(JOINT_NAMES[b]), body_group(JOINT_NAMES[d])
            if frozenset((gi, gj)) not in touching:
                out.append((i, j, gi, gj))
    return out


def collisions(pos: np.ndarray, *, min_hops: int = 3, depth_m: float = 0.03,
               touching: set | None = None) -> list[tuple[str, str, float]]:
    """Pairs of body capsules that interpenetrate by more than ``depth_m`` in one pose (24, 3).

    Returns ``(bone, bone, depth)`` with bones named by their child joint;
    for legs against legs the depth is how close the bone lines come.
    ``touching`` holds group pairs allowed to touch in this pose (e.g.
    ``{frozenset({"right_arm", "trunk"})}`` for a hand on the hip).
    """
    hits = collision_depths(np.asarray(pos)[None], min_hops=min_hops, depth_m=depth_m, touching=touching)
    return [(a, b, float(d[0])) for (a, b), d in hits.items() if d[0] > 0]


def collision_depths(pos: np.ndarray, *, min_hops: int = 3, depth_m: float = 0.03,
                     touching: set | None = None) -> dict[tuple[str, str], np.ndarray]:
    """Per bone pair, how far each frame of ``pos`` (T, 24, 3) goes through (0 where it does not), metres."""
    pairs = _pairs(min_hops, touching or set())
    if not pairs:
        return {}
    bi = np.array([BONES[i] for i, _j, _g, _h in pairs])
    bj = np.array([BONES[j] for _i, j, _g, _h in pairs])
    dist = segment_distances(pos[:, bi[:, 0]], pos[:, bi[:, 1]], pos[:, bj[:, 0]], pos[:, bj[:, 1]])  # (T, P)
    out = {}
    for k, (i, j, gi, gj) in enumerate(pairs):
        a, b = JOINT_NAMES[BONES[i][1]], JOINT_NAMES[BONES[j][1]]
        if gi.endswith("_leg") and gj.endswith("_leg") and gi != gj:
            depth = np.where(dist[:, k] < LEG_CROSS_M, dist[:, k], 0.0)
            depth = np.where(dist[:, k] < LEG_CROSS_M, np.maximum(depth, 1e-6), 0.0)
        else:
            allowed = BONE_RADIUS_M[a] + BONE_RADIUS_M[b] - depth_m
            depth = np.where(dist[:, k] < allowed, allowed + depth_m - dist[:, k], 0.0)
        if depth.any():
            out[(a, b)] = depth
    return out
