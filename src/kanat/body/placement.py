"""Where the body stands: the pelvis height that puts the supporting feet on the floor, and flight.

Conventions
-----------
- Heights in metres, Y up, the floor at y = 0; times in seconds.
- On the ground the lowest supporting sole point (heel or ball,
  :func:`kanat.body.sole_points`) touches the floor and no other sole is
  under it (stepping onto a straight leg lifts the body: a piqué); for
  ``floor`` (kneeling, lying) both feet count.
- A flight is ballistic: from take-off (height ``y0`` at ``t0``) to landing
  (``y1`` at ``t1``) the pelvis follows
  ``y(t) = y0 + (y1 - y0) (t - t0) / T + g (t - t0) (t1 - t) / 2``.
- perform places every frame with these functions; :func:`place_poses`
  applies the same rules to a few poses (a step's keyframes, see
  :func:`kanat.vocabulary.checks.place_keyframes`), so what the physics
  checks and the step gallery see is what perform does.
"""

from __future__ import annotations

import numpy as np

from kanat.body.kinematics import forward_kinematics, sole_points
from kanat.body.skeleton import Skeleton, default_skeleton

G = 9.81
#: Which feet (left, right) bear weight under each support.
SUPPORT_FEET = {"both": (True, True), "left": (True, False), "right": (False, True), "air": (False, False),
                "floor": (True, True)}


def air_runs(supports) -> list[tuple[int, int]]:
    """Every run of poses in the air as (first pose in the air, first pose back on the floor).

    The second index is ``len(supports)`` when the run ends in the air.
    """
    out, k = [], 0
    while k < len(supports):
        if supports[k] != "air":
            k += 1
            continue
        e = k
        while e < len(supports) and supports[e] == "air":
            e += 1
        out.append((k, e))
        k = e
    return out


def sole_lows(rel: np.ndarray) -> np.ndarray:
    """Lowest point of each foot's sole (heel or ball), shape (T, 2): left, right, metres.

    rel : np.ndarray, shape (T, 24, 3)
        Joint positions (relative to the pelvis, or in the world).
    """
    soles = sole_points(rel)[..., 1]
    return np.stack([soles[:, :2].min(axis=1), soles[:, 2:].min(axis=1)], axis=1)


def ground_heights(lows: np.ndarray, supports) -> np.ndarray:
    """Pelvis heights that rest the supporting feet on the floor, shape (T,); NaN in the air.

    lows : np.ndarray, shape (T, 2)
        :func:`sole_lows` of poses with the pelvis at height 0.
    supports : sequence of str, length T
        ``both``, ``left``, ``right``, ``air`` or ``floor`` per pose.
    """
    y = np.full(len(supports), np.nan)
    for t, s in enumerate(supports):
        feet = SUPPORT_FEET[s]
        if any(feet):
            y[t] = max(-min(lows[t, i] for i in (0, 1) if feet[i]), -lows[t].min())
    return y


def ballistic(y0: float, y1: float, t0: float, t1: float, t: np.ndarray) -> np.ndarray:
    """Heights of a flight from ``(t0, y0)`` to ``(t1, y1)`` at times ``t``, metres."""
    dur = max(t1 - t0, 1e-6)
    tt = np.asarray(t, dtype=float) - t0
    return y0 + (y1 - y0) * tt / dur + 0.5 * G * tt * (dur - tt)


def fill_flights(y: np.ndarray, times: np.ndarray, stand: np.ndarray | None = None) -> np.ndarray:
    """Frame heights with every airborne run (NaN) filled by its ballistic flight, shape (T,).

    A flight leaves from the last frame on the ground before it and lands on
    the first frame on the ground after it (at the end of the motion it lands
    at the height it left). With ``stand`` (per frame, the height at which
    that frame's pose would rest its lowest sole on the floor) it lands just
    after its last frame in the air, at that frame's ``stand``: the feet reach
    the floor as the flight ends, even when the next frame is already bending
    into the landing's plié.
    """
    y = np.array(y, dtype=float)
    T = y.shape[0]
    air = np.isnan(y)
    if air.all():
        return y
    starts = np.flatnonzero(air & ~np.r_[False, air[:-1]])
    for a in starts:
        b = a
        while b < T and air[b]:
            b += 1
        y0 = y[a - 1] if a > 0 else y[b]
        y1 = y[b] if b < T else y0
        t0 = times[a - 1] if a > 0 else times[a]
        t1 = times[b] if b < T else times[T - 1]
        if stand is not None and 0 < a and b < T:
            y1 = max(stand[b - 1], y[b])
        y[a:b] = ballistic(y0, y1, t0, t1, times[a:b])
    return y


def place_poses(rotations: np.ndarray, supports, times_s: np.ndarray, flights, *,
                skeleton: Skeleton | None = None) -> np.ndarray:
    """World joint positions of a few poses placed as perform places the body, shape (K, 24, 3).

    rotations : np.ndarray, shape (K, 24, 4)
        Local joint rotations (the pelvis over the origin; no facing, no travel).
    supports : sequence of str, length K
    times_s : np.ndarray, shape (K,)
    flights : sequence of (k, e)
        Each flight's first pose in the air and its first pose back on the
        ground (``e == K`` when it never lands).

    On the ground, :func:`ground_heights`; a flight takes off at its first pose
    in the air (from the height at which that pose's lowest sole rests on the
    floor) and lands at the next pose on the ground, ballistic in between.
    """
    sk = skeleton or default_skeleton()
    K = len(rotations)
    pos, _ = forward_kinematics(sk, np.zeros((K, 3)), rotations)
    lows = sole_lows(pos)
    y = ground_heights(lows, supports)
    for k, e in flights:
        land = min(e, K - 1)
        y0 = -lows[k].min()
        y1 = y[land] if not np.isnan(y[land]) else y0
        y[k:e] = ballistic(y0, y1, times_s[k], times_s[land], times_s[k:e])
    pos[..., 1] += y[:, None]
    return pos
