"""From placed steps to timed keyframes: when every pose sounds, when the body flies, when it turns.

Conventions
-----------
- A :class:`Key` is a pose (local rotations (24, 4), w first, the pelvis
  without facing) at a time in seconds, with the support that holds from it
  until the next key and the ease of the segment that arrives at it.
- Keyframes are warped onto the MusicMap's beat times (rubato included): a
  keyframe ``at`` beats into a step that starts on beat ``b`` sounds at
  ``beats_to_time(b + at)``; a step danced over more beats than written
  stretches its ground segments (:func:`stretched_beats`), never its flights.
- Flights are physics, not tempo: each touches down ``LAND_S`` before its
  landing count and leaves ``Step.air_s`` earlier; the preparation on the
  ground before it is compressed to make room (at least ``PUSH_S``). The legs
  leave the floor straight and pointed and open into the flight's shape a
  little into the air; they reach the floor straight and the plié of the
  landing comes after the touchdown.
- Turns: a step's turn happens between its turn window's keyframes
  (``Step.turn_window``); a turn on relevé (pirouette, piqué, soutenu,
  fouetté, chaînés...) spins one revolution in at most ``MAX_REV_S``.
  The per-step :class:`StepTiming` carries what the yaw track needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kanat.body import J
from kanat.body import rotations as R
from kanat.compose.score import Score
from kanat.errors import ScoreError
from kanat.listen.musicmap import MusicMap
from kanat.perform.timing import beats_to_time, facing_to_yaw, local_to_world
from kanat.vocabulary import Library, Step
from kanat.vocabulary.step import LAND_S, PUSH_S

TAKEOFF_OPEN = 0.3  # how far the hips have opened toward the flight's shape as the feet leave the floor
LANDING_CLOSE = 0.8  # how far the hips have closed toward the landing as the feet touch the floor
FLIGHT_SHAPE = 0.4  # share of the first flight segment after which the flight's shape is reached
MAX_STRETCH = 1.5  # a step is never danced slower than this factor of its written tempo
PHRASE_END_HOLD_BEATS = 1.0  # the last step of a phrase finishes this early and holds
#: A turn on relevé spins one revolution in at most this long (DANCE.md: a single pirouette 0.4-0.7 s).
MAX_REV_S = 0.65
_HIPS = [J[n] for n in ("left_hip", "right_hip")]
_LOWER_LEGS = [J[n] for n in ("left_knee", "right_knee", "left_ankle", "right_ankle", "left_foot", "right_foot")]
_LEGS = _HIPS + _LOWER_LEGS
_UPPER = [j for j in range(24) if j not in _LEGS]


@dataclass
class Key:
    time_s: float
    rot: np.ndarray  # (24, 4) local, pelvis without facing
    support: str
    ease: str
    step: int  # index into the placed steps


@dataclass
class StepTiming:
    """One placed step as perform dances it."""

    start_s: float
    end_s: float
    travel: np.ndarray  # (2,) world metres
    spot: np.ndarray  # (2,) where the score puts its start
    name: str
    yaw0: float  # facing at the start, radians
    turn: float  # radians turned (signed)
    turn_s: tuple[float, float]  # when the turn starts and ends
    spotting: bool  # a quick turn: the head spots
    flights: list  # (take-off s, touchdown s, air_s wanted)


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


def _flight_times(step: Step, t: np.ndarray) -> tuple[np.ndarray, dict, list]:
    """Retime the flights: (new key times, {landing key: touchdown s}, [(take-off, touchdown, air_s)])."""
    t2 = t.copy()
    touchdowns: dict[int, float] = {}
    flights = []
    for k, e in step.flights():
        if k == 0 or e >= len(t):
            continue
        j = step.preparation_of(k)
        t_land = t[e]
        t_td = t_land - LAND_S
        t_off = max(t_td - step.air_s, t[j] + PUSH_S)  # a tempo too quick for the flight: the composer avoids it
        t_off = min(t_off, t_td - 0.05)
        for i in range(j + 1, k):  # the preparation, compressed (or stretched) to end at the take-off
            t2[i] = t[j] + (t[i] - t[j]) * (t_off - t[j]) / max(t[k] - t[j], 1e-9)
        for i in range(k, e):  # the flight's keys, within the flight
            t2[i] = t_off + (t[i] - t[k]) * (t_td - t_off) / max(t[e] - t[k], 1e-9)
        touchdowns[e] = t_td
        flights.append((t_off, t_td, step.air_s))
    return t2, touchdowns, flights


def _touchdown_pose(flight: np.ndarray, landing: np.ndarray) -> np.ndarray:
    """The pose as the feet reach the floor: the legs have closed toward the landing, knees straight, feet pointed."""
    pose = flight.copy()
    pose[_HIPS] = R.slerp(flight[_HIPS], landing[_HIPS], LANDING_CLOSE)
    pose[_UPPER] = R.slerp(flight[_UPPER], landing[_UPPER], 0.5)
    return pose


def _takeoff_pose(before: np.ndarray, flight: np.ndarray) -> np.ndarray:
    """The pose as the feet leave the floor: knees straight and feet pointed as in the air, the hips still opening."""
    pose = flight.copy()
    pose[_HIPS] = R.slerp(before[_HIPS], flight[_HIPS], TAKEOFF_OPEN)
    return pose


def _turn_times(step: Step, t2: np.ndarray, turn: float) -> tuple[tuple[float, float], bool]:
    """When the step's turn runs, and whether it is a quick turn that spots."""
    k0, k1 = step.turn_window
    a, z = float(t2[k0]), float(t2[k1])
    quick = abs(turn) >= np.radians(90) and (step.level in ("releve", "air") or step.name in ("chaînés",))
    if quick:
        revs = abs(turn) / (2 * np.pi)
        z = min(z, a + MAX_REV_S * max(revs, 0.5))
    return (a, max(z, a + 1e-3)), quick


def _step_keys(n: int, phrase, st, b0: int, step: Step, beats_s: np.ndarray) -> tuple[list[Key], StepTiming]:
    side = st.side if st.side in ("R", "L") else "R"
    rots = step.keyframe_rotations(side)
    sup = step.supports(side)
    yaw0 = facing_to_yaw(st.facing)
    turn = np.radians(step.turn_deg) * (-1.0 if side == "R" else 1.0)
    # a step may be danced over more (or fewer) beats than it is written for,
    # e.g. a 2-beat step over one bar of 3/4: its keyframes stretch with it
    beats_n = st.beats if st.beats > 0 else step.beats
    ends_phrase = st is phrase.steps[-1] and st.at + beats_n - 1 >= phrase.n_beats
    hold = PHRASE_END_HOLD_BEATS if ends_phrase and beats_n >= 2 and not step.is_jump else 0.0
    # a phrase finishes a beat early and holds its last pose through the final count;
    # a short step given a long time (a tombé over a bar of 3/4) is danced at most
    # MAX_STRETCH slower than written and holds its last pose for the rest
    danced = min(beats_n - hold, step.beats * MAX_STRETCH)
    ats = stretched_beats(step, danced)
    t = beats_to_time(b0 + ats, beats_s)
    t2, touchdowns, flights = _flight_times(step, t)
    takeoffs = {k for k, e in step.flights() if k > 0 and e < len(t)}
    keys: list[Key] = []
    for i, kf in enumerate(step.keyframes):
        if i in takeoffs:
            nxt = t2[i + 1] if sup[i + 1] == "air" else touchdowns[i + 1]
            keys.append(Key(float(t2[i]), _takeoff_pose(rots[i - 1], rots[i]), "air", kf.ease, n))
            keys.append(Key(float(t2[i] + FLIGHT_SHAPE * (nxt - t2[i])), rots[i], "air", "smooth", n))
            continue
        if i in touchdowns:  # the legs reach the floor as they were in the air; the plié comes after
            keys.append(Key(touchdowns[i], _touchdown_pose(rots[i - 1], rots[i]), sup[i], "linear", n))
        keys.append(Key(float(t2[i]), rots[i], sup[i], kf.ease, n))
    t_end = float(beats_to_time(b0 + beats_n, beats_s)) if beats_n - danced > 1e-9 else float(t2[-1])
    if t_end > keys[-1].time_s + 1e-3:
        last = keys[-1]
        keys.append(Key(t_end, last.rot, last.support, "smooth", n))
    turn_s, spotting = _turn_times(step, t2, turn)
    timing = StepTiming(start_s=float(t2[0]), end_s=t_end, travel=local_to_world(step.travel, yaw0, side),
                        spot=np.array(st.spot, dtype=float), name=step.name, yaw0=yaw0, turn=float(turn),
                        turn_s=turn_s, spotting=spotting, flights=flights)
    return keys, timing


def score_keys(score: Score, music_map: MusicMap, library: Library) -> tuple[list[Key], list[StepTiming]]:
    """Every key of the dance in time order, and each placed step's timing."""
    keys: list[Key] = []
    timings: list[StepTiming] = []
    for n, (phrase, st, b0) in enumerate(score.placed()):
        where = f"{score.path or 'score'}" + (f" line {st.line}" if st.line else "")
        step = library.get(st.step, where=where)
        ks, timing = _step_keys(n, phrase, st, b0, step, music_map.beats_s)
        if timings and timing.start_s < timings[-1].end_s - 1e-3:
            raise ScoreError(
                f"{where}: step '{st.step}' at beat {st.at} of phrase {phrase.index} starts before the previous step ends; "
                "shorten or move one of them"
            )
        keys += ks
        timings.append(timing)
    # where one step ends as the next begins, keep the next step's first keyframe
    merged: list[Key] = []
    for k in keys:
        if merged and abs(k.time_s - merged[-1].time_s) < 1e-3:
            merged[-1] = k
        else:
            merged.append(k)
    return merged, timings
