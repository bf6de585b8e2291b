"""From placed steps to timed keyframes: when every pose sounds, when the body flies, when it turns.

Conventions
-----------
- A :class:`Key` is a pose (local rotations (24, 4), w first, the pelvis
  without facing) at a time in seconds, with the support that holds from it
  until the next key and the ease of the segment that arrives at it.
- Keyframes are warped onto the MusicMap's beat times (rubato included): a
  keyframe ``at`` beats into a step that starts on beat ``b`` sounds at
  ``beats_to_time(b + at)``; a step danced over more beats than written
  stretches its ground segments (:func:`kanat.vocabulary.danced.stretched_beats`), never its flights.
- Flights are physics, not tempo: a step's keys are danced by
  :func:`kanat.vocabulary.danced.danced_keys` (take-off, air time, touchdown),
  the rule the physics checks and the gallery use too.
- Turns: a step's turn happens between its turn window's keyframes
  (``Step.turn_window``); a turn on relevé (pirouette, piqué, soutenu,
  fouetté, chaînés...) spins one revolution in at most ``MAX_REV_S``.
  The per-step :class:`StepTiming` carries what the yaw track needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kanat.compose.score import Score
from kanat.errors import ScoreError
from kanat.listen.musicmap import MusicMap
from kanat.perform.timing import beats_to_time, facing_to_yaw, local_to_world
from kanat.vocabulary import Library, Step
from kanat.vocabulary.danced import MAX_STRETCH, danced_keys, stretched_beats

PHRASE_END_HOLD_BEATS = 1.0  # the last step of a phrase finishes this early and holds
#: A turn on relevé spins one revolution in at most this long (DANCE.md: a single pirouette 0.4-0.7 s).
MAX_REV_S = 0.65


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
    dks, t2, flights = danced_keys(step, side, t)
    keys = [Key(k.time_s, k.rot, k.support, k.ease, n) for k in dks]
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
