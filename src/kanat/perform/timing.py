"""Timing: beats to seconds, easing curves, stage directions.

Conventions
-----------
- A fractional beat index ``x`` means ``x`` beats after beat 0 of the
  MusicMap; 2.5 is the "and" after beat 2. Times are in seconds.
- Outside the analysed beats the grid is extended with the first and last
  beat periods.
"""

from __future__ import annotations

import numpy as np

from kanat.body.stage import facing_to_yaw, local_to_world, yaw_to_facing  # noqa: F401  (re-exported)


def beats_to_time(beat_index: np.ndarray, beats_s: np.ndarray) -> np.ndarray:
    """Seconds of fractional beat indices, shape like ``beat_index``.

    beats_s : np.ndarray, shape (B,), B >= 2, increasing.
    """
    x = np.asarray(beat_index, dtype=float)
    b = np.asarray(beats_s, dtype=float)
    idx = np.arange(b.shape[0], dtype=float)
    t = np.interp(x, idx, b)
    first = b[1] - b[0]
    last = b[-1] - b[-2]
    t = np.where(x < 0, b[0] + x * first, t)
    return np.where(x > idx[-1], b[-1] + (x - idx[-1]) * last, t)


def ease(u: np.ndarray, kind: str) -> np.ndarray:
    """Map progress 0-1 through a musical easing curve.

    smooth    : smoothstep, starts and arrives softly
    sustained : smootherstep, an adagio's slow unfolding
    sharp     : fast then settling (arrives crisply on the count)
    linear    : constant speed (inside turns and flights)
    """
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    if kind == "linear":
        return u
    if kind == "sharp":
        return 1.0 - (1.0 - u) ** 3
    if kind == "sustained":
        return u * u * u * (u * (u * 6 - 15) + 10)
    return u * u * (3 - 2 * u)
