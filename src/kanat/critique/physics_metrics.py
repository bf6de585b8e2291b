"""The physics measures: foot contact, sliding, the floor, balance, flights. Small pure functions over arrays.

Conventions
-----------
As :mod:`kanat.critique.metrics` (positions (T, 24, 3) in metres, Y up, the
floor at y = 0; contacts (T, 2) left, right; seconds, m/s); the physical foot
contact score is EDGE's, at 30 fps. Every function documents its source;
our own thresholds are named constants.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from kanat.body.kinematics import sole_points
from kanat.body.skeleton import J
from kanat.critique.metrics import resample_positions, runs

#: Gravity, m/s^2.
G_MPS2 = 9.81
#: Frame rate at which EDGE computes PFC.
PFC_FPS = 30.0
#: EDGE's foot joints: left ankle, left foot (toe), right ankle, right foot.
PFC_FOOT_JOINTS = (J["left_ankle"], J["left_foot"], J["right_ankle"], J["right_foot"])
#: Longest believable time with no foot on the floor (DANCE.md: a grand jeté rarely exceeds 0.7 s).
MAX_AIR_S = 0.7
#: Half the width of a foot (0.045 m) plus a margin (0.035 m): how far the centre of
#: mass's ground projection may lie outside the heel-ball line / support polygon.
BALANCE_TOLERANCE_M = 0.08


def physical_foot_contact_frames(positions: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """EDGE's per-frame physical foot contact terms at 30 fps, and their times (s).

    Source: Tseng et al., "EDGE", CVPR 2023, ``eval/eval_pfc.py``
    (``calc_physical_score``), with Y up instead of EDGE's Z up. At 30 fps:
    the root (pelvis) acceleration by second differences, its upward component
    clamped at 0 (pushing off the floor is allowed, falling is not), its norm
    divided by its maximum over the clip; each foot's horizontal speed as the
    smaller of its ankle's and toe's displacement per frame (metres per 1/30 s);
    the term is  a_root / max(a_root) * v_left * v_right.  A still clip (no root
    acceleration) gives zeros where EDGE would divide by zero.

    Returns (terms (S-2,), times_s (S-2,)), S frames at 30 fps.
    """
    p = resample_positions(positions, fps, PFC_FPS)
    if p.shape[0] < 3:
        return np.zeros(0), np.zeros(0)
    dt = 1.0 / PFC_FPS
    root_v = np.diff(p[:, 0], axis=0) / dt
    root_a = np.diff(root_v, axis=0) / dt
    root_a[:, 1] = np.maximum(root_a[:, 1], 0.0)
    acc = np.linalg.norm(root_a, axis=-1)
    scale = acc.max()
    acc = acc / scale if scale > 1e-9 else np.zeros_like(acc)
    feet = p[:, list(PFC_FOOT_JOINTS)][:, :, [0, 2]]
    foot_v = np.linalg.norm(feet[2:] - feet[1:-1], axis=-1)  # (S-2, 4)
    left = np.minimum(foot_v[:, 0], foot_v[:, 1])
    right = np.minimum(foot_v[:, 2], foot_v[:, 3])
    return acc * left * right, (np.arange(acc.shape[0]) + 1) / PFC_FPS


def physical_foot_contact(positions: np.ndarray, fps: float) -> float:
    """EDGE's physical foot contact score (PFC): mean of
    :func:`physical_foot_contact_frames` times 10,000; lower is better.

    EDGE reports 1.33 for the AIST++ ground truth, 1.54 for EDGE, 1.75 for
    Bailando, 2.25 for FACT. Unitless as EDGE defines it (metres^2 per frame^2
    at 30 fps, scaled by 1e4).
    """
    terms, _ = physical_foot_contact_frames(positions, fps)
    return float(terms.mean() * 1e4) if terms.size else 0.0


def foot_slide_speeds(positions: np.ndarray, contacts: np.ndarray, fps: float) -> np.ndarray:
    """Horizontal speed of each foot while it bears weight, shape (T, 2), m/s.

    Our measure (foot skating, as in the motion-synthesis literature): each
    foot's heel and ball sole points (:func:`kanat.body.sole_points`), their
    horizontal (x, z) speeds by central differences, and the smaller of the two,
    so a foot that pivots on its ball or its heel does not count as sliding.
    NaN where the foot is not in contact, and on the first and last frame of
    each contact (the difference there mixes in the flight before or after).
    """
    soles = sole_points(positions)[..., [0, 2]]  # (T, 4, 2)
    T = soles.shape[0]
    if T < 3:
        return np.full((T, 2), np.nan)
    v = np.linalg.norm(np.gradient(soles, axis=0), axis=-1) * fps  # (T, 4)
    per_foot = np.stack([np.minimum(v[:, 0], v[:, 1]), np.minimum(v[:, 2], v[:, 3])], axis=1)
    c = np.asarray(contacts, dtype=bool)
    inner = c.copy()
    inner[1:] &= c[:-1]
    inner[:-1] &= c[1:]
    inner[0] = inner[-1] = False
    return np.where(inner, per_foot, np.nan)


def ground_penetration(positions: np.ndarray) -> np.ndarray:
    """How deep the body is below the floor in each frame, shape (T,), metres >= 0.

    Our measure: the lowest of the four sole points (heel and ball of each foot)
    and the 24 joint centres; its depth below y = 0, or 0 when above.
    """
    p = np.asarray(positions, dtype=float)
    lowest = np.minimum(sole_points(p)[..., 1].min(axis=-1), p[..., 1].min(axis=-1))
    depth = np.maximum(0.0, -lowest)
    return np.where(depth < 1e-9, 0.0, depth)  # rounding noise of the kinematics is not depth


def _point_segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    t = np.clip(np.sum((p - a) * ab, axis=-1) / np.maximum(np.sum(ab * ab, axis=-1), 1e-12), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[..., None] * ab), axis=-1)


def _in_triangle(p: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    def cross(o, u, w):
        return (u[..., 0] - o[..., 0]) * (w[..., 1] - o[..., 1]) - (u[..., 1] - o[..., 1]) * (w[..., 0] - o[..., 0])

    d1, d2, d3 = cross(a, b, p), cross(b, c, p), cross(c, a, p)
    neg = (d1 < 0) | (d2 < 0) | (d3 < 0)
    pos = (d1 > 0) | (d2 > 0) | (d3 > 0)
    degenerate = np.abs(cross(a, b, c)) < 1e-12
    return ~(neg & pos) & ~degenerate


def support_distance(com: np.ndarray, soles: np.ndarray, contacts: np.ndarray) -> np.ndarray:
    """Distance from the centre of mass's ground projection to the base of support.

    Our measure: the base of support is the heel-ball line of the foot in
    contact (single support) or the convex hull of both feet's heels and balls
    (double support); 0 inside it. Feet are lines here; their width enters the
    tolerance :data:`BALANCE_TOLERANCE_M`.

    com : np.ndarray, shape (T, 3), metres (:func:`kanat.body.center_of_mass`).
    soles : np.ndarray, shape (T, 4, 3), left heel, left ball, right heel, right ball.
    contacts : np.ndarray of bool, shape (T, 2).
    Returns shape (T,), metres; NaN where no foot is in contact.
    """
    p = np.asarray(com, dtype=float)[:, [0, 2]]
    s = np.asarray(soles, dtype=float)[..., [0, 2]]
    c = np.asarray(contacts, dtype=bool)
    out = np.full(p.shape[0], np.nan)
    for f in (0, 1):
        m = c[:, f] & ~c[:, 1 - f]
        out[m] = _point_segment_distance(p[m], s[m, 2 * f], s[m, 2 * f + 1])
    m = c[:, 0] & c[:, 1]
    if m.any():
        pm, sm = p[m], s[m]
        inside = np.zeros(pm.shape[0], dtype=bool)
        for i, j, k in combinations(range(4), 3):
            inside |= _in_triangle(pm, sm[:, i], sm[:, j], sm[:, k])
        dist = np.min([_point_segment_distance(pm, sm[:, i], sm[:, j]) for i, j in combinations(range(4), 2)], axis=0)
        out[m] = np.where(inside, 0.0, dist)
    return out


def air_phases(contacts: np.ndarray, fps: float, height_m: np.ndarray) -> list[dict]:
    """Every stretch with no foot on the floor, and how high the body rose.

    The physics (DANCE.md): a body in free flight for t seconds rises
    g t^2 / 8 above its take-off height (0.3 s: 11 cm, 0.6 s: 44 cm). The air
    time of a run of n airborne frames is n / fps; the rise is the highest
    ``height_m`` in the run above the mean of the last frame before it and the
    first frame after it.

    contacts : np.ndarray of bool, shape (T, 2).
    height_m : np.ndarray, shape (T,), height of the centre of mass (or root), metres.
    Returns a list of dicts: ``start`` and ``stop`` (frames, stop exclusive),
    ``start_s``, ``air_s``, ``rise_m``, ``ballistic_rise_m``.
    """
    c = np.asarray(contacts, dtype=bool)
    h = np.asarray(height_m, dtype=float)
    out = []
    for a, z in runs(~c.any(axis=1)):
        ends = [h[i] for i in (a - 1, z) if 0 <= i < len(h)]
        base = float(np.mean(ends)) if ends else float(h[a:z].min())
        air_s = (z - a) / fps
        out.append(
            {
                "start": int(a), "stop": int(z), "start_s": a / fps, "air_s": air_s,
                "rise_m": float(h[a:z].max() - base), "ballistic_rise_m": G_MPS2 * air_s**2 / 8.0,
            }
        )
    return out


def rise_error_m(phase: dict) -> float:
    """How far an air phase's rise is from the ballistic g t^2 / 8, metres (>= 0)."""
    return abs(phase["rise_m"] - phase["ballistic_rise_m"])


def implausible_rise(phase: dict, *, tolerance_m: float = 0.08, tolerance_ratio: float = 0.5) -> bool:
    """Our threshold: the rise misses g t^2 / 8 by more than 8 cm and by more
    than half of g t^2 / 8 (short hops and leg tucks leave some slack)."""
    err = rise_error_m(phase)
    return err > tolerance_m and err > tolerance_ratio * phase["ballistic_rise_m"]


