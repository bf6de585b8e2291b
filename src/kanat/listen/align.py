"""Score-informed listening, the alignment: the score's counted beats placed in the recording.

Conventions
-----------
- :func:`align_score` maps score seconds to recording seconds: dynamic time
  warping at about 46 ms on chroma (with a silence dimension) and on where
  notes start (the score's onsets against the recording's onset strength),
  then every beat is moved by at most :data:`REFINE_S` to where the score's
  own note onsets around it best match the recording's onset strength (a
  Viterbi pass over the beats keeps the moves smooth; music with soft attacks
  keeps the warping's answer). The counts then follow the performer's rubato.
- The score is read by :mod:`kanat.listen.score` (score seconds, counted
  beats, bars); this module only moves its beats to recording seconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from scipy.interpolate import interp1d

from kanat.listen.score import ScoreTimeline, score_readings

#: Frame of the coarse alignment, in samples at 22050 Hz (about 46 ms).
ALIGN_HOP = 1024
#: Weight of the note-onset dimension in the alignment (beside unit-length chroma).
ONSET_DTW_WEIGHT = 0.6
#: Silence added before and after the score's notes for the alignment, seconds.
PAD_S = 1.0
#: Largest number of coarse frames on either side (longer music uses longer frames).
MAX_ALIGN_FRAMES = 3000
#: How far the onset refinement may move a beat from the coarse alignment, seconds.
REFINE_S = 0.14
#: Viterbi cost of moving the refinement offset by one onset frame between beats.
REFINE_SMOOTH = 0.04
#: Cost per onset frame of the refinement offset itself (a pull toward the DTW answer).
REFINE_PRIOR = 0.03
#: Notes this far from a beat (in beats, a Gaussian's sigma) still help place it.
REFINE_SPREAD = 0.3
#: The onset strength peaks this long after a note starts (measured on rendered piano).
REFINE_LAG_S = 0.025
#: Mean onset strength (over its 99th percentile) of music with sharp attacks (piano: 0.04-0.06),
#: below which the onsets are fully trusted, and of soft attacks (strings, flute: 0.12-0.16),
#: above which they are not used.
SHARP_ONSETS = 0.07
SOFT_ONSETS = 0.12
#: How late the chroma alignment places notes that swell in (bowed strings, flute), seconds
#: (measured on the benchmark's FluidR3 strings and flute: 0.03-0.05 s).
SOFT_LAG_S = 0.04

def _note_chroma(notes: np.ndarray, times: np.ndarray, *, decay_s: float = 1.0) -> np.ndarray:
    """Pitch-class energy of the score's notes at ``times``, shape (12, T).

    Each note sounds from its onset to its end with a piano-like decay; its
    fifth and its third two octaves up (harmonics 3 and 5) add a little.
    """
    out = np.zeros((12, len(times)))
    if len(times) < 2:
        return out
    step = times[1] - times[0]
    for on, end, pitch, vel in notes:
        a = int(np.searchsorted(times, on))
        z = int(np.searchsorted(times, max(end, on + step)))
        if z <= a:
            continue
        w = (vel / 127.0) * np.exp(-(times[a:z] - on) / decay_s)
        pc = int(pitch) % 12
        out[pc, a:z] += w
        out[(pc + 7) % 12, a:z] += w / 3
        out[(pc + 4) % 12, a:z] += w / 5
    return out


def _features(chroma: np.ndarray, loud: np.ndarray) -> np.ndarray:
    """Chroma (log-compressed, unit length) with a 13th 'silence' dimension, shape (13, T)."""
    c = np.log1p(10.0 * chroma / (chroma.max() + 1e-9))
    c = c / (np.linalg.norm(c, axis=0, keepdims=True) + 1e-9)
    silent = loud < 1e-3
    c[:, silent] = 0.0
    return np.vstack([c, silent[None, :].astype(float)])


def coarse_path(
    timeline: ScoreTimeline, chroma: np.ndarray, loudness: np.ndarray, hop_s: float, duration_s: float,
    onsets: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Dynamic time warping of the score onto the recording.

    Parameters
    ----------
    timeline : ScoreTimeline
    chroma : np.ndarray, shape (12, T)
        The recording's chromagram, frame ``t`` at ``t * hop_s`` seconds.
    loudness : np.ndarray, shape (T,)
        The recording's loudness per frame, 0-1 (below 1e-3 counts as silence).
    hop_s : float
        Seconds per frame.
    duration_s : float
        Length of the recording.

    Returns
    -------
    score_s, audio_s : np.ndarray, shape (K,)
        The monotone map from score seconds to recording seconds (knots).
    cost : float
        Mean cosine distance along the path (0 = perfect match), to compare
        readings of the score (with and without repeats).
    """
    import librosa

    sounding = np.flatnonzero(loudness >= 1e-3)
    a0, a1 = (sounding[0] * hop_s, sounding[-1] * hop_s) if len(sounding) else (0.0, duration_s)
    s0, s1 = float(timeline.notes[:, 0].min()), float(timeline.notes[:, 1].max())
    ratio = max(a1 - a0, hop_s) / max(s1 - s0, hop_s)  # score seconds -> recording seconds, on average
    s_hop = hop_s / ratio
    # a second of silence before and after the notes, to meet the recording's own
    s_times = np.arange(s0 - PAD_S / ratio, s1 + PAD_S / ratio, s_hop)
    sc = _note_chroma(timeline.notes, s_times)
    s_loud = sc.sum(axis=0)
    X = _features(sc, s_loud / (s_loud.max() + 1e-9))
    Y = _features(chroma, loudness)
    if onsets is not None and ONSET_DTW_WEIGHT > 0:
        # where notes start: the score's note onsets against the recording's onset strength
        starts = np.zeros(len(s_times))
        idx = np.clip(np.searchsorted(s_times, timeline.notes[:, 0]), 0, len(s_times) - 1)
        np.add.at(starts, idx, timeline.notes[:, 3] / 127.0)
        starts = np.log1p(starts)
        a = onsets[: Y.shape[1]]
        a = np.pad(a, (0, Y.shape[1] - len(a)))
        X = np.vstack([X, ONSET_DTW_WEIGHT * starts / (np.percentile(starts[starts > 0], 90) + 1e-9) if np.any(starts > 0) else 0 * starts])
        Y = np.vstack([Y, ONSET_DTW_WEIGHT * a / (np.percentile(a, 99) + 1e-9)])
    D, wp = librosa.sequence.dtw(X=X, Y=Y, metric="cosine", backtrack=True)
    wp = wp[::-1]
    cost = float(D[-1, -1] / len(wp))
    # one recording time per score frame: the middle of the frames it was matched to
    i, j = wp[:, 0], wp[:, 1]
    first = np.r_[True, i[1:] != i[:-1]]
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(i)]
    score_s = s_times[i[starts]]
    audio_s = np.array([j[a:z].mean() for a, z in zip(starts, ends)]) * hop_s
    # silence on both sides: the first note starts where the recording's sound does
    audio_s = np.maximum.accumulate(audio_s)
    return score_s, audio_s, cost


def refine_beats(
    timeline: ScoreTimeline, beats_audio: np.ndarray, warp: Callable[[np.ndarray], np.ndarray], env: np.ndarray, env_hop_s: float
) -> np.ndarray:
    """Move each beat to where the score's onsets around it best meet the recording's onsets.

    Parameters
    ----------
    timeline : ScoreTimeline
    beats_audio : np.ndarray, shape (B,)
        Beats placed by the coarse alignment, recording seconds.
    warp : callable
        Score seconds -> recording seconds (the coarse alignment).
    env : np.ndarray, shape (T,)
        The recording's onset strength, frame ``t`` at ``t * env_hop_s``.
    env_hop_s : float

    Returns
    -------
    beats_s : np.ndarray, shape (B,)
        Refined beats, increasing.
    """
    n_env = len(env)
    e = env / (np.percentile(env, 99) + 1e-9)
    # sharp attacks (piano, plucked strings) leave a sparse onset strength whose
    # peaks place a beat within a frame; soft ones (bowed strings, a flute)
    # leave a busy one whose peaks mislead, and the chroma alignment holds there
    trust = float(np.clip((SOFT_ONSETS - e.mean()) / (SOFT_ONSETS - SHARP_ONSETS), 0.0, 1.0))
    e = np.maximum(e, np.r_[e[1:], 0.0])  # tolerate one frame of lateness
    r = int(round(trust * REFINE_S / env_hop_s))
    shifts = np.arange(-r, r + 1)
    onsets = timeline.notes[:, 0]
    weight_n = timeline.notes[:, 3] / 127.0
    on_audio = np.asarray(warp(onsets))
    beats_score = timeline.beats_s
    b = len(beats_score)
    ibi = np.diff(beats_score).mean() if b > 1 else 0.5
    score = np.zeros((b, len(shifts)))
    for k in range(b):
        near = np.flatnonzero(np.abs(onsets - beats_score[k]) <= ibi)
        if not len(near):
            continue
        g = np.exp(-0.5 * ((onsets[near] - beats_score[k]) / (REFINE_SPREAD * ibi)) ** 2) * weight_n[near]
        f = np.round(on_audio[near] / env_hop_s).astype(int)[:, None] + shifts[None, :]
        vals = np.where((f >= 0) & (f < n_env), e[np.clip(f, 0, n_env - 1)], 0.0)
        score[k] = (g[:, None] * vals).sum(axis=0) / (g.sum() + 1e-9)
    score -= REFINE_PRIOR * np.abs(shifts)[None, :]
    # Viterbi over the shifts, beat by beat
    trans = -REFINE_SMOOTH * np.abs(shifts[:, None] - shifts[None, :])
    acc = score[0].copy()
    back = np.zeros((b, len(shifts)), dtype=int)
    for k in range(1, b):
        cand = acc[:, None] + trans
        back[k] = np.argmax(cand, axis=0)
        acc = cand[back[k], np.arange(len(shifts))] + score[k]
    path = np.zeros(b, dtype=int)
    path[-1] = int(np.argmax(acc))
    for k in range(b - 1, 0, -1):
        path[k - 1] = back[k, path[k]]
    # onsets heard late by the onset strength (sharp) or by the chroma (soft) are put back on the note's start
    out = beats_audio + shifts[path] * env_hop_s - (trust * REFINE_LAG_S + (1.0 - trust) * SOFT_LAG_S)
    # a beat on which no note starts has nothing to hear: it falls in proportion
    # between the beats around it that do (at the local tempo past the last one)
    heard = np.flatnonzero([np.any(np.abs(onsets - t) <= 0.1 * ibi) for t in beats_score])
    if len(heard) >= 2:
        known_s, known_a = beats_score[heard], out[heard]
        f = interp1d(known_s, known_a, kind="linear", fill_value="extrapolate", assume_sorted=True)
        deaf = np.setdiff1d(np.arange(b), heard)
        out[deaf] = f(beats_score[deaf])
    for k in range(1, b):  # strictly increasing
        out[k] = max(out[k], out[k - 1] + env_hop_s)
    return out


def align_score(
    path: str | os.PathLike, chroma: np.ndarray, loudness: np.ndarray, hop_s: float,
    env: np.ndarray, env_hop_s: float, duration_s: float,
) -> tuple[ScoreTimeline, np.ndarray, dict]:
    """Read a score and place its counted beats in the recording.

    Parameters
    ----------
    path : str or PathLike
        The piece's MIDI or MusicXML.
    chroma : np.ndarray, shape (12, T)
        The recording's chromagram at ``hop_s``.
    loudness : np.ndarray, shape (T,)
        The recording's loudness per chroma frame, 0-1.
    hop_s : float
    env : np.ndarray, shape (T2,)
        The recording's onset strength at ``env_hop_s``.
    env_hop_s : float
    duration_s : float

    Returns
    -------
    timeline : ScoreTimeline
        The reading of the score that matched the recording best (repeats
        written out or not), restricted to the beats that fall in the recording.
    beats_s : np.ndarray, shape (B,)
        Its counted beats in recording seconds.
    info : dict
        ``align_cost`` (mean cosine distance along the path) and ``repeats``
        (whether the repeats were written out).
    """
    readings = score_readings(path)
    pool = max(1, int(np.ceil(chroma.shape[1] / MAX_ALIGN_FRAMES)))
    n = chroma.shape[1] // pool * pool
    c = chroma[:, :n].reshape(12, -1, pool).mean(axis=2) if pool > 1 else chroma
    loud = loudness[:n].reshape(-1, pool).max(axis=1) if pool > 1 else loudness
    per = int(round(hop_s * pool / env_hop_s))  # onset frames per alignment frame
    m = len(env) // per * per
    ons = env[:m].reshape(-1, per).max(axis=1)
    best = None
    for repeats, timeline in readings:
        score_s, audio_s, cost = coarse_path(timeline, c, loud, hop_s * pool, duration_s, onsets=ons)
        if best is None or cost < best[0]:
            best = (cost, repeats, timeline, score_s, audio_s)
    cost, repeats, timeline, score_s, audio_s = best

    def warp(t):
        return np.interp(t, score_s, audio_s)

    beats = refine_beats(timeline, warp(timeline.beats_s), warp, env, env_hop_s)
    keep = (beats >= 0.0) & (beats < duration_s)
    timeline = ScoreTimeline(
        timeline.notes, timeline.beats_s[keep],
        None if timeline.meter is None else timeline.meter[keep],
        None if timeline.beat_in_bar is None else timeline.beat_in_bar[keep],
        timeline.source,
    )
    return timeline, beats[keep], {"align_cost": round(cost, 4), "repeats": bool(repeats)}
