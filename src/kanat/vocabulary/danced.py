"""A step's keys as they are danced: flights timed by physics, take-off and touchdown poses.

Conventions
-----------
- Input: the step's keyframe times in seconds (however the caller maps counts
  to time: perform through the MusicMap's beats, the checks at a fixed tempo).
- Flights are physics, not tempo: each touches down ``LAND_S`` before its
  landing count and leaves ``Step.air_s`` earlier; the preparation on the
  ground before it is compressed to make room (at least ``PUSH_S``). The legs
  leave the floor straight and pointed and open into the flight's shape a
  little into the air; they reach the floor straight and the plié of the
  landing comes after the touchdown.
- One rule for everyone: perform (:mod:`kanat.perform.keys`), the physics
  checks and the gallery (:func:`kanat.vocabulary.checks.place_keyframes`)
  all dance a step's keys through :func:`danced_keys`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kanat.body import J
from kanat.body import rotations as R
from kanat.vocabulary.step import LAND_S, PUSH_S, Step

TAKEOFF_OPEN = 0.5  # how far the hips have opened toward the flight's shape as the feet leave the floor
LANDING_CLOSE = 0.6  # how far the hips have closed toward the landing as the feet touch the floor
FLIGHT_SHAPE = 0.4  # share of the first flight segment after which the flight's shape is reached
MAX_STRETCH = 1.5  # a step is never danced slower than this factor of its written tempo
_HIPS = [J[n] for n in ("left_hip", "right_hip")]
_LOWER_LEGS = [J[n] for n in ("left_knee", "right_knee", "left_ankle", "right_ankle", "left_foot", "right_foot")]
_UPPER = [j for j in range(24) if j not in _HIPS + _LOWER_LEGS]


@dataclass
class DancedKey:
    time_s: float
    rot: np.ndarray  # (24, 4) local, pelvis without facing
    support: str
    ease: str
    keyframe: int | None  # the written keyframe this key dances, None for an added take-off or touchdown


def stretched_beats(step: Step, beats: float) -> np.ndarray:
    """Keyframe times (beats) of a step danced over ``beats`` beats.

    Flights keep their written length; the other segments share the extra (or
    missing) time in proportion; a landing still falls on a whole count.
    """
    ats = np.array([k.at for k in step.keyframes], dtype=float)
    if beats == step.beats:
        return ats
    seg = np.diff(ats)
    air = np.array([k.support == "air" for k in step.keyframes[:-1]])
    ground = seg[~air].sum()
    if ground <= 0 or beats < seg[air].sum():
        return ats * (beats / step.beats)
    scale = (beats - seg[air].sum()) / ground
    seg = np.where(air, seg, seg * scale)
    out = np.concatenate([[0.0], np.cumsum(seg)])
    supports = [k.support for k in step.keyframes]
    for i in range(1, len(out)):  # move each flight so it lands on the nearest whole beat
        if air[i - 1] and (i == len(air) or not air[i]):
            j = i - 1
            while j > 0 and air[j - 1]:
                j -= 1
            while j > 1 and supports[j - 1] in ("left", "right"):  # the push-off on one foot moves with it
                j -= 1
            lo = out[j - 1] if j > 0 else -np.inf
            hi = out[i + 1] if i + 1 < len(out) else np.inf
            for shift in sorted((np.floor(out[i]) - out[i], np.ceil(out[i]) - out[i]), key=abs):
                if j > 0 and out[j] + shift > lo and out[i] + shift < hi:
                    out[j : i + 1] += shift
                    break
    return out


def min_beat_s(step: Step, beats: float | None = None) -> float:
    """The shortest beat (seconds) at which every flight fits with its preparation and landing, 0 without flights.

    Danced over ``beats`` beats (default: as written; at most ``MAX_STRETCH``
    slower). A flight touches down ``LAND_S`` before its landing keyframe's
    count and leaves ``air_s`` earlier; its preparation (the keyframes on the
    ground since the step began or last landed) needs ``PUSH_S`` at least.
    """
    if not step.is_jump:
        return 0.0
    ats = stretched_beats(step, min(step.beats if beats is None else beats, step.beats * MAX_STRETCH))
    out = 0.0
    for k, e in step.flights():
        if e < len(ats) and k > 0:
            out = max(out, (step.air_s + PUSH_S + LAND_S) / max(ats[e] - ats[step.preparation_of(k)], 1e-6))
    return out


def flight_times(step: Step, t: np.ndarray) -> tuple[np.ndarray, dict, list]:
    """Retime the flights: (new key times, {landing key: touchdown s}, [(take-off, touchdown, air_s)])."""
    t2 = np.array(t, dtype=float)
    touchdowns: dict[int, float] = {}
    flights = []
    for k, e in step.flights():
        if k == 0 or e >= len(t):
            continue
        j = step.preparation_of(k)
        t_td = t[e] - LAND_S
        t_off = max(t_td - step.air_s, t[j] + PUSH_S)  # a tempo too quick for the flight: the composer avoids it
        t_off = min(t_off, t_td - 0.05)
        for i in range(j + 1, k):  # the preparation, compressed (or stretched) to end at the take-off
            t2[i] = t[j] + (t[i] - t[j]) * (t_off - t[j]) / max(t[k] - t[j], 1e-9)
        for i in range(k, e):  # the flight's keys, within the flight
            t2[i] = t_off + (t[i] - t[k]) * (t_td - t_off) / max(t[e] - t[k], 1e-9)
        touchdowns[e] = t_td
        flights.append((t_off, t_td, step.air_s))
    return t2, touchdowns, flights


def touchdown_pose(flight: np.ndarray, landing: np.ndarray) -> np.ndarray:
    """The pose as the feet reach the floor: the legs have closed toward the landing, knees straight, feet pointed."""
    pose = flight.copy()
    pose[_HIPS] = R.slerp(flight[_HIPS], landing[_HIPS], LANDING_CLOSE)
    pose[_UPPER] = R.slerp(flight[_UPPER], landing[_UPPER], 0.5)
    return pose


def takeoff_pose(before: np.ndarray, flight: np.ndarray) -> np.ndarray:
    """The pose as the feet leave the floor: knees straight and feet pointed as in the air, the hips still opening."""
    pose = flight.copy()
    pose[_HIPS] = R.slerp(before[_HIPS], flight[_HIPS], TAKEOFF_OPEN)
    return pose


def danced_keys(step: Step, side: str, t: np.ndarray) -> tuple[list[DancedKey], np.ndarray, list]:
    """The step's keys as danced from keyframe times ``t`` (s): (keys, retimed keyframe times, flights).

    A flight's first keyframe becomes a take-off key (at the retimed
    keyframe's time) followed by the flight's shape a little later; its
    landing keyframe is preceded by a touchdown key ``LAND_S`` earlier.
    """
    rots = step.keyframe_rotations(side)
    sup = step.supports(side)
    t2, touchdowns, flights = flight_times(step, t)
    takeoffs = {k for k, e in step.flights() if k > 0 and e < len(t)}
    keys: list[DancedKey] = []
    for i, kf in enumerate(step.keyframes):
        if i in takeoffs:
            nxt = t2[i + 1] if sup[i + 1] == "air" else touchdowns[i + 1]
            keys.append(DancedKey(float(t2[i]), takeoff_pose(rots[i - 1], rots[i]), "air", kf.ease, None))
            keys.append(DancedKey(float(t2[i] + FLIGHT_SHAPE * (nxt - t2[i])), rots[i], "air", "smooth", i))
            continue
        if i in touchdowns:  # the legs reach the floor as they were in the air; the plié comes after
            keys.append(DancedKey(touchdowns[i], touchdown_pose(rots[i - 1], rots[i]), sup[i], "linear", None))
        keys.append(DancedKey(float(t2[i]), rots[i], sup[i], kf.ease, i))
    return keys, t2, flights
