"""Physical checks of a step's keyframes, shared by test_physics.py and scripts/step_gallery.py.

Conventions: a keyframe is compiled (kanat.vocabulary.pose) and placed as
perform places it: the pelvis over the origin, then raised so the lowest
supporting sole point (kanat.body.sole_points) touches y = 0 and no other sole
is under it. A flight starts at the first keyframe in the air (the toes
leave the floor: its lowest sole on y = 0) and ends at the landing keyframe;
the toes meet the floor again at the take-off height, the plié of the landing
absorbing it, and in between the body rises g/2 (t - t0)(t1 - t) at 120 BPM.
Metres, seconds.
"""

from __future__ import annotations

import numpy as np

from kanat.body import BONE_RADIUS_M, J, JOINT_NAMES, PARENTS, center_of_mass, default_skeleton, forward_kinematics, sole_points

G = 9.81
TEMPO_BPM = 120.0
SUPPORT_FEET = {"both": (True, True), "left": (True, False), "right": (False, True), "air": (False, False), "floor": (True, True)}
_FOOT_BONES = {"left_foot", "right_foot"}  # the sole points stand for them
BONES = [(p, j) for j, p in enumerate(PARENTS) if p >= 0]


def place(step, side: str = "R") -> tuple[np.ndarray, np.ndarray]:
    """World joint positions (K, 24, 3) and sole points (K, 4, 3) of every keyframe, placed as perform does."""
    sk = default_skeleton()
    rot = step.keyframe_rotations(side)
    K = len(rot)
    pos, _ = forward_kinematics(sk, np.zeros((K, 3)), rot)
    soles = sole_points(pos)[..., 1]  # (K, 4): heel, ball of left then right
    feet_low = np.stack([soles[:, :2].min(1), soles[:, 2:].min(1)], 1)
    sup = step.supports(side)
    y = np.full(K, np.nan)
    for k, s in enumerate(sup):
        feet = SUPPORT_FEET[s]
        if any(feet):
            y[k] = max(-min(feet_low[k, i] for i in (0, 1) if feet[i]), -feet_low[k].min())
    # a flight: the toes leave the floor at the first keyframe in the air (its lowest sole on
    # the floor), the body rises ballistically and lands at the next keyframe on the ground
    spb = 60.0 / TEMPO_BPM
    for a, b, _t in flights(step):
        y0 = -feet_low[a].min()
        y1 = y0  # the toes meet the floor again as they left it; the plié on the count absorbs the landing
        t0, t1 = step.keyframes[a].at * spb, step.keyframes[b].at * spb
        for i in range(a, b):
            t = step.keyframes[i].at * spb
            y[i] = y0 + (y1 - y0) * (t - t0) / (t1 - t0) + G / 2 * (t - t0) * (t1 - t)
    pos[..., 1] += y[:, None]
    return pos, sole_points(pos)


def flights(step) -> list[tuple[int, int, float]]:
    """(take-off keyframe: the first in the air, landing keyframe, air time at 120 BPM in s) of every flight."""
    ks = step.keyframes
    return [(k, e, (ks[e].at - ks[k].at) * 60.0 / TEMPO_BPM) for k, e in step.flights()]


def _seg_dist(p1, q1, p2, q2) -> float:
    """Shortest distance between segments p1-q1 and p2-q2."""
    d1, d2, r = q1 - p1, q2 - p2, p1 - p2
    a, e, f = d1 @ d1, d2 @ d2, d2 @ r
    c, b = d1 @ r, d1 @ d2
    den = a * e - b * b
    s = np.clip((b * f - c * e) / den, 0, 1) if den > 1e-12 else 0.0
    t = (b * s + f) / e if e > 1e-12 else 0.0
    if t < 0:
        t, s = 0.0, np.clip(-c / a, 0, 1) if a > 1e-12 else 0.0
    elif t > 1:
        t, s = 1.0, np.clip((b - c) / a, 0, 1) if a > 1e-12 else 0.0
    return float(np.linalg.norm((p1 + d1 * s) - (p2 + d2 * t)))


def _bone_graph_distance() -> np.ndarray:
    n = len(BONES)
    adj = np.full((n, n), 99)
    for i, (a, b) in enumerate(BONES):
        for j, (c, d) in enumerate(BONES):
            if i == j:
                adj[i, j] = 0
            elif {a, b} & {c, d}:
                adj[i, j] = 1
    for k in range(n):  # Floyd-Warshall
        adj = np.minimum(adj, adj[:, k:k + 1] + adj[k:k + 1, :])
    return adj


_HOPS = _bone_graph_distance()


def _group(joint: str) -> str:
    if joint in ("left_hip", "left_knee", "left_ankle", "left_foot"):
        return "left_leg"
    if joint in ("right_hip", "right_knee", "right_ankle", "right_foot"):
        return "right_leg"
    if joint.startswith("left_"):
        return "left_arm"
    if joint.startswith("right_"):
        return "right_arm"
    return "trunk"


def collisions(pos: np.ndarray, *, min_hops: int = 3, depth_m: float = 0.03, touching: set | None = None) -> list[tuple[str, str, float]]:
    """Pairs of body capsules (non-adjacent bones) that interpenetrate by more than ``depth_m``.

    Each bone is a capsule around parent -> child with the radius
    BONE_RADIUS_M[child]. Bones fewer than ``min_hops`` apart in the
    skeleton never count (they meet at joints). Legs against legs may touch
    along their whole length (first, fifth, a retiré foot on the knee), so
    for them only the bone lines are checked: they may not cross closer
    than 1.5 cm (a limb through another). ``touching`` holds group pairs
    allowed to touch in this pose (e.g. {"right_arm", "trunk"} for a hand on
    the hip).
    """
    out = []
    touching = touching or set()
    for i, (a, b) in enumerate(BONES):
        for j in range(i + 1, len(BONES)):
            c, d = BONES[j]
            if _HOPS[i, j] < min_hops:
                continue
            gi, gj = _group(JOINT_NAMES[b]), _group(JOINT_NAMES[d])
            if frozenset((gi, gj)) in touching:
                continue
            dist = _seg_dist(pos[a], pos[b], pos[c], pos[d])
            if gi.endswith("_leg") and gj.endswith("_leg") and gi != gj:
                if dist < 0.015:
                    out.append((JOINT_NAMES[b], JOINT_NAMES[d], dist))
                continue
            allowed = BONE_RADIUS_M[JOINT_NAMES[b]] + BONE_RADIUS_M[JOINT_NAMES[d]] - depth_m
            if dist < allowed:
                out.append((JOINT_NAMES[b], JOINT_NAMES[d], allowed + depth_m - dist))
    return out


def lowest_body_points(pos: np.ndarray) -> dict[str, float]:
    """Lowest surface height of every capsule but the feet (whose soles stand for them), metres."""
    out = {}
    for a, b in BONES:
        name = JOINT_NAMES[b]
        if name in _FOOT_BONES:
            continue
        out[name] = float(min(pos[a, 1], pos[b, 1]) - BONE_RADIUS_M[name])
    out["head_top"] = float(pos[J["head"], 1] - BONE_RADIUS_M["head"])
    return out


def com_offset(pos: np.ndarray, foot: int) -> tuple[float, float]:
    """(COM to pelvis, COM to the supporting foot's centre) horizontal distances, metres; foot 0 left, 1 right."""
    com = center_of_mass(pos)[[0, 2]]
    ankle, ball = ("left_ankle", "left_foot") if foot == 0 else ("right_ankle", "right_foot")
    centre = 0.5 * (pos[J[ankle]] + pos[J[ball]])[[0, 2]]
    return float(np.linalg.norm(com - pos[J["pelvis"], [0, 2]])), float(np.linalg.norm(com - centre))
