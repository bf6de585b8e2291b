"""The dancer's measures between the poses: turns, flights, pops, pulse, space, lines.

Conventions
-----------
As :mod:`kanat.critique.metrics`: ``positions`` (T, 24, 3) world joint
positions in metres, Y up, the floor at y = 0, the audience at +Z, SMPL joint
order; ``fps`` the frame rate of the array passed in; seconds, metres, m/s.

- Yaw is read from the hips (the pelvis's facing), radians about +Y, 0 facing
  the audience, unwrapped frame by frame (so a full turn reads 2 pi, not 0);
  at 60 fps no body turns half a turn between two frames.
- A step "turns toward its working side" (:class:`kanat.vocabulary.Step`,
  ``turn_deg`` > 0): for side R that is the dancer's right, clockwise seen from
  above, so the yaw falls; for side L it rises.
- Pops are counted at 60 fps (the issue's and the literature's frame), the
  limbs' ends being the hands (wrist, hand) and the feet (ankle, toe).

Every threshold here is our own heuristic (DANCE.md and the ballet master's
notes of issue 15), a named module constant.
"""

from __future__ import annotations

import numpy as np

from kanat.body.kinematics import sole_points
from kanat.body.skeleton import J, Skeleton
from kanat.critique.metrics import resample_positions, runs

#: Frame rate at which pops are counted.
POP_FPS = 60.0
#: A hand or foot moving more than this in one 60-fps frame ...
POP_STEP_M = 0.06
#: ... and more than this many times as far as in the slower of its neighbouring frames pops.
POP_RATIO = 3.0
#: The limbs' ends: each limb's joints (its largest displacement per frame counts).
LIMB_ENDS = {
    "left hand": (J["left_wrist"], J["left_hand"]), "right hand": (J["right_wrist"], J["right_hand"]),
    "left foot": (J["left_ankle"], J["left_foot"]), "right foot": (J["right_ankle"], J["right_foot"]),
}
#: Pulse: the limbs' speed within this fraction of a beat on either side of it ("on the beat") ...
PULSE_ON_BEATS = 0.1
#: ... against their mean speed over the beat around it (half a beat on either side);
#: beats where the limbs move slower than this on average are stillness, not judged.
PULSE_MOVING_MPS = 0.15
#: A flight's toes must clear the floor by this much through its middle half (metres).
TOE_CLEARANCE_M = 0.03


# ------------------------------------------------------------------ turns
def pelvis_yaw(positions: np.ndarray) -> np.ndarray:
    """The pelvis's facing about +Y, shape (T,), radians, unwrapped; 0 faces the audience (+Z).

    Read from the hip line: forward = (left hip - right hip) x up.
    """
    p = np.asarray(positions, dtype=float)
    hips = p[:, J["left_hip"]] - p[:, J["right_hip"]]
    fwd_x, fwd_z = -hips[:, 2], hips[:, 0]  # (hx, hy, hz) x (0, 1, 0) = (-hz, 0, hx)
    return np.unwrap(np.arctan2(fwd_x, fwd_z))


def wanted_yaw_change_rad(turn_deg: float, side: str) -> float:
    """The yaw change (radians) a step of ``turn_deg`` toward the working side asks for on ``side``."""
    return float(np.radians(turn_deg)) * (1.0 if side == "L" else -1.0)


def turn_made_rad(yaw: np.ndarray, fps: float, t0_s: float, t1_s: float) -> float:
    """Net yaw change (radians) between two times: the turn the body actually made.

    A twist out and back nets 0; a wobble of +-60 degrees nets about 0.
    """
    y = np.asarray(yaw, dtype=float)
    i0 = int(np.clip(round(t0_s * fps), 0, len(y) - 1))
    i1 = int(np.clip(round(t1_s * fps), 0, len(y) - 1))
    return float(y[i1] - y[i0])


# ---------------------------------------------------------------- flights
def standing_pelvis_m(skeleton: Skeleton) -> float:
    """Height of the pelvis above the floor in the rest pose (standing, legs straight), metres."""
    rest = skeleton.rest_positions
    return float(rest[J["pelvis"], 1] - sole_points(rest[None])[0, :, 1].min())


def leg_angle_deg(positions: np.ndarray, frame: int) -> float:
    """Angle between the two legs (hip -> ankle) at one frame, degrees: a split is 180."""
    p = np.asarray(positions, dtype=float)[frame]
    a = p[J["left_ankle"]] - p[J["left_hip"]]
    b = p[J["right_ankle"]] - p[J["right_hip"]]
    c = np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12)
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def knee_angle_deg(positions: np.ndarray, frame: int) -> float:
    """The more bent knee at one frame: the angle hip-knee-ankle, degrees (180 straight)."""
    p = np.asarray(positions, dtype=float)[frame]
    out = []
    for side in ("left", "right"):
        a = p[J[f"{side}_hip"]] - p[J[f"{side}_knee"]]
        b = p[J[f"{side}_ankle"]] - p[J[f"{side}_knee"]]
        c = np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12)
        out.append(float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))))
    return min(out)


def flights(positions: np.ndarray, contacts: np.ndarray, fps: float, *, standing_m: float) -> list[dict]:
    """Every stretch with neither foot on the floor, measured as a ballet master sees a jump.

    Airborne: the contacts say no foot bears weight, or every heel and ball is
    more than :data:`TOE_CLEARANCE_M` above the floor (so contacts flagged
    wrongly cannot hide a flight).

    contacts : np.ndarray of bool, shape (T, 2), left and right foot bearing weight.
    standing_m : float, the pelvis's standing height (:func:`standing_pelvis_m`).

    Returns a list of dicts: ``start``, ``stop`` (frames, stop exclusive),
    ``start_s``, ``stop_s``, ``air_s`` (n frames / fps), ``rise_m`` (the
    pelvis's highest point above its standing height), ``apex`` (frame of
    that point), ``toe_clearance_m`` (the lowest heel or ball of either foot
    through the middle half of the flight: a real jump's feet leave the
    floor), ``split_deg`` (the angle between the legs at the apex),
    ``knee_deg`` (the more bent knee at the apex, 180 straight).
    """
    p = np.asarray(positions, dtype=float)
    soles = sole_points(p)[..., 1].min(axis=-1)  # (T,)
    out = []
    airborne = ~np.asarray(contacts, dtype=bool).any(axis=1) | (soles > TOE_CLEARANCE_M)
    for a, z in runs(airborne):
        n = z - a
        apex = a + int(np.argmax(p[a:z, J["pelvis"], 1]))
        mid = soles[a + n // 4 : max(z - n // 4, a + n // 4 + 1)]
        out.append({
            "start": int(a), "stop": int(z), "start_s": a / fps, "stop_s": z / fps, "air_s": n / fps,
            "rise_m": float(p[apex, J["pelvis"], 1] - standing_m), "apex": int(apex),
            "toe_clearance_m": float(mid.min()), "split_deg": leg_angle_deg(p, apex), "knee_deg": knee_angle_deg(p, apex),
        })
    return out


# ------------------------------------------------------------------- pops
def limb_steps(positions: np.ndarray, fps: float) -> tuple[np.ndarray, list[str]]:
    """How far each limb's end moves from one 60-fps frame to the next, shape (S - 1, 4), metres.

    S frames at 60 fps; column order as :data:`LIMB_ENDS` (its names returned too).
    """
    p = resample_positions(positions, fps, POP_FPS)
    d = np.linalg.norm(np.diff(p, axis=0), axis=-1)  # (S-1, 24)
    return np.stack([d[:, list(js)].max(axis=1) for js in LIMB_ENDS.values()], axis=1), list(LIMB_ENDS)


def pops(positions: np.ndarray, fps: float) -> list[dict]:
    """Every pop: a hand or foot jumping more than :data:`POP_STEP_M` in one 60-fps frame and
    more than :data:`POP_RATIO` times as far as in the slower of the frames beside it.

    Pops of one limb within 3 frames of each other are one pop. Returns dicts
    ``time_s``, ``limb``, ``step_m`` (the largest jump of the pop).
    """
    d, names = limb_steps(positions, fps)
    if d.shape[0] < 3:
        return []
    edge = np.full_like(d[:1], np.inf)
    before, after = np.vstack([edge, d[:-1]]), np.vstack([d[1:], edge])
    popped = (d > POP_STEP_M) & (d > POP_RATIO * np.minimum(before, after))
    out = []
    for j, name in enumerate(names):
        frames = np.flatnonzero(popped[:, j])
        groups = np.split(frames, np.flatnonzero(np.diff(frames) > 3) + 1) if frames.size else []
        for g in groups:
            k = int(g[np.argmax(d[g, j])])
            out.append({"time_s": (k + 0.5) / POP_FPS, "limb": name, "step_m": float(d[k, j])})
    return sorted(out, key=lambda x: x["time_s"])


# ------------------------------------------------------------------ pulse
def limb_speed(positions: np.ndarray, fps: float) -> np.ndarray:
    """Summed speed of the four limbs' ends (wrists and ankles), shape (T,), m/s (central differences)."""
    p = np.asarray(positions, dtype=float)[:, [J["left_wrist"], J["right_wrist"], J["left_ankle"], J["right_ankle"]]]
    if p.shape[0] < 2:
        return np.zeros(p.shape[0])
    return (np.linalg.norm(np.gradient(p, axis=0), axis=-1) * fps).sum(axis=1)


def pulse_per_beat(positions: np.ndarray, fps: float, beats_s: np.ndarray) -> np.ndarray:
    """How much of their speed the limbs keep on each beat, shape (B,).

    The limbs' speed (:func:`limb_speed`) within :data:`PULSE_ON_BEATS` of a
    beat on either side, over their mean speed through the beat around it
    (half a beat on either side). 1: the movement flows through the count;
    near 0: it stops on it (tick-tock). NaN where the limbs are still
    (mean under :data:`PULSE_MOVING_MPS`) or the beat lies outside the motion:
    a statue is not judged.
    """
    v = limb_speed(positions, fps)
    t = np.arange(v.shape[0]) / fps
    b = np.asarray(beats_s, dtype=float)
    ibi = np.gradient(b) if b.size > 1 else np.full(b.shape, 0.5)
    out = np.full(b.shape, np.nan)
    for i, (tb, w) in enumerate(zip(b, ibi)):
        around = (t >= tb - w / 2) & (t <= tb + w / 2)
        on = (t >= tb - PULSE_ON_BEATS * w) & (t <= tb + PULSE_ON_BEATS * w)
        if tb - w / 2 < 0 or tb + w / 2 > t[-1] or not on.any():
            continue
        mean = float(v[around].mean())
        if mean >= PULSE_MOVING_MPS:
            out[i] = float(v[on].mean()) / mean
    return out


# ------------------------------------------------------------------ space
def stage_reach(root_xz: np.ndarray) -> dict:
    """How far the pelvis goes up- and downstage of centre (metres, >= 0) and across.

    root_xz : np.ndarray, shape (T, 2), the pelvis's floor position (x, z); +z is downstage.
    """
    xz = np.asarray(root_xz, dtype=float)
    return {"upstage_reach_m": float(max(0.0, -xz[:, 1].min())), "downstage_reach_m": float(max(0.0, xz[:, 1].max())),
            "across_m": float(xz[:, 0].max() - xz[:, 0].min())}


# ------------------------------------------------------------------ lines
def raised_leg(positions: np.ndarray, frame: int) -> tuple[str, float]:
    """The higher foot at one frame ("left" or "right") and its height above the floor (metres)."""
    p = np.asarray(positions, dtype=float)[frame]
    lf, rf = p[J["left_ankle"], 1], p[J["right_ankle"], 1]
    return ("left", float(lf)) if lf >= rf else ("right", float(rf))


def line_to_audience_deg(positions: np.ndarray, frame: int) -> float:
    """Angle between the raised leg's floor direction (hip -> ankle) and the audience axis (z), degrees 0-90.

    0: the leg points straight at the audience or straight away from it, so it
    is hidden behind the body or foreshortened (an en-face arabesque or
    attitude); 90: the leg is seen full length, across the stage.
    """
    side, _ = raised_leg(positions, frame)
    p = np.asarray(positions, dtype=float)[frame]
    d = p[J[f"{side}_ankle"], [0, 2]] - p[J[f"{side}_hip"], [0, 2]]
    if np.linalg.norm(d) < 1e-6:
        return 0.0
    return float(np.degrees(np.arctan2(abs(d[0]), abs(d[1]))))
