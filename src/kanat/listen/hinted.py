"""Listening with the choreographer's hints: her tempo, her meter, her "1", her tapped beats.

Conventions
-----------
- A hint is believed over the ear, and the map is computed again around it:
  ``--bpm`` (or the taps' tempo) centres the beat tracker's tempo prior
  narrowly there (rubato still bends the beats, a count level twice as fast
  or slow is no longer chosen); tapped beats replace the heard beats over the
  span they cover (each tap moved onto the attack within
  :data:`TAP_SNAP_S`, as a tap is rarely exact); ``--meter`` lets the bars be
  decoded only in that bar length; ``--first-downbeat`` makes the beat
  nearest that time a "1" and the bars are decoded around it.
- Meters are counted as dancers count them: 2/4, 2/2 in 2; 3/4, 3/8 in 3;
  4/4 in 4; 6/8, 9/8, 12/8 in their dotted beats (2, 3, 4). Bars of 5 or 7
  beats are not counted yet: such a hint is refused with that reason.
"""

from __future__ import annotations

import numpy as np

from kanat.errors import ParameterError
from kanat.listen.beats import LAG_S
from kanat.listen.hints import ListenHints

#: How far a tapped beat may move onto the attack it meant (seconds).
TAP_SNAP_S = 0.07
#: The fewest taps that give a tempo.
MIN_TAPS = 2


def counted_meter(hints: ListenHints) -> tuple[int, bool] | None:
    """(counts per bar, compound) of the meter hint, or None without one.

    ``compound`` is True for 6/8, 9/8 and 12/8, whose counts are dotted beats of three quavers.
    """
    parts = hints.meter_parts
    if parts is None:
        return None
    top, bottom = parts
    if bottom >= 8 and top % 3 == 0 and top >= 6:
        counts, compound = top // 3, True
    else:
        counts, compound = top, False
    if counts not in (2, 3, 4):
        raise ParameterError(f"--meter {hints.meter}: kanat counts bars of 2, 3 or 4 counts (2/4, 3/4, 4/4, 6/8, "
                             f"9/8, 12/8, 2/2, 3/8); a bar of {counts} is not counted yet")
    return counts, compound


def hinted_bpm(hints: ListenHints) -> float | None:
    """The counted tempo the hints give: ``bpm``, else the taps' median beat, else None."""
    if hints.bpm is not None:
        return float(hints.bpm)
    if len(hints.taps_s) >= MIN_TAPS:
        return 60.0 / float(np.median(np.diff(hints.taps_s)))
    return None


def check_hints(hints: ListenHints, duration_s: float) -> None:
    """Refuse hints that cannot belong to this music, before any listening."""
    counted_meter(hints)
    if hints.taps_s and len(hints.taps_s) < MIN_TAPS:
        raise ParameterError(f"--taps: {len(hints.taps_s)} tapped beat; tap at least {MIN_TAPS} (better 8 or more)")
    late = [t for t in (*hints.taps_s, hints.first_downbeat_s) if t is not None and t > duration_s]
    if late:
        raise ParameterError(f"a hint at {late[0]:.2f} s is after the end of the music ({duration_s:.2f} s); "
                             "give times from the start of the recording")


def with_taps(beats_s: np.ndarray, taps_s, env: np.ndarray, rate: int, hop: int) -> np.ndarray:
    """The heard beats with the tapped span replaced by the taps, each moved onto its attack."""
    taps = np.asarray(taps_s, dtype=float)
    if len(taps) < MIN_TAPS:
        return beats_s
    radius = int(round(TAP_SNAP_S * rate / hop))
    snapped = []
    for t in taps:
        f = int(round(t * rate / hop))
        a, z = max(0, f - radius), min(len(env), f + radius + 1)
        peak = (a + int(np.argmax(env[a:z]))) * hop / rate - LAG_S  # as the tracker reads its beats
        snapped.append(max(peak, 0.0) if z > a and env[a:z].max() > 0 else t)
    snapped = np.maximum.accumulate(np.asarray(snapped))
    keep = np.diff(snapped, prepend=-np.inf) > 0.5 * TAP_SNAP_S  # two taps never land on one attack
    snapped = snapped[keep]
    half = 0.5 * float(np.median(np.diff(taps)))
    outside = (beats_s < taps[0] - half) | (beats_s > taps[-1] + half)
    return np.sort(np.concatenate([beats_s[outside], snapped]))


def grid_beats(hints: ListenHints, duration_s: float) -> np.ndarray | None:
    """Beats at the hinted tempo, phased on the taps or the first downbeat, for music with no beat to hear."""
    bpm = hinted_bpm(hints)
    if bpm is None:
        return None
    period = 60.0 / bpm
    anchor = hints.taps_s[0] if hints.taps_s else (hints.first_downbeat_s or 0.0)
    first = anchor - period * np.floor(anchor / period)
    return np.arange(first, duration_s - 0.05, period)


def downbeat_index(beats_s: np.ndarray, hints: ListenHints) -> int | None:
    """The beat that the first-downbeat hint names (the nearest), or None."""
    if hints.first_downbeat_s is None or len(beats_s) == 0:
        return None
    return int(np.argmin(np.abs(beats_s - hints.first_downbeat_s)))


def lock_phase(meter: np.ndarray, beat_in_bar: np.ndarray, breaks: np.ndarray, downbeat: int | None):
    """The bars counted from the given downbeat to the end of its passage, and the pickup before it.

    The ear may hear the accents elsewhere; the choreographer's "1" holds until the music starts a new passage
    (a break in :func:`kanat.listen.meter.passage_breaks`), in the meter heard at that beat.
    """
    if downbeat is None or not 0 <= downbeat < len(meter):
        return meter, beat_in_bar
    meter, beat_in_bar = meter.copy(), beat_in_bar.copy()
    m = int(meter[downbeat])
    k = downbeat
    while k < len(meter) and (k == downbeat or breaks[k] <= 0):
        meter[k], beat_in_bar[k] = m, (k - downbeat) % m + 1
        k += 1
    k = downbeat - 1
    while k >= 0 and breaks[k + 1] <= 0:  # the pickup: the last counts of a bar
        meter[k], beat_in_bar[k] = m, m - ((downbeat - 1 - k) % m)
        k -= 1
    return meter, beat_in_bar
