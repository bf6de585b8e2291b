"""The ballet master's measures: small pure functions over arrays.

Conventions
-----------
- ``positions`` are world joint positions, shape (T, 24, 3), metres, Y up,
  floor at y = 0, audience at +Z, in SMPL joint order (``Motion.positions()``).
- ``fps`` is the frame rate of the array passed in. Metrics defined at a fixed
  rate in the literature resample first: the beat-alignment scores at 60 fps
  (Bailando, FACT), the physical foot contact score at 30 fps (EDGE). Resampling
  interpolates joint positions linearly (:func:`resample_positions`).
- ``contacts`` (T, 2) bool: left foot, right foot bearing weight.
- Times in seconds (``_s``), speeds in m/s (``_mps``), lengths in metres
  (``_m``), areas in m^2 (``_m2``). Beat times ``beats_s`` increase.
- Velocities are central differences (``np.gradient``), so a velocity sample
  sits on its frame. Bailando differences forward and FACT backward, each half
  a frame (8 ms at 60 fps) off the frame; the central difference is their mean.

Every function documents its source. Thresholds that are our own (not from a
paper) are named module constants, so a reader can see and change them.
"""

from __future__ import annotations


import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.spatial import ConvexHull, QhullError


#: Frame rate at which Bailando and FACT compute their beat scores.
BEAT_FPS = 60.0
#: A phrase's last counts are "held" when the body moves at most this fast ...
HOLD_STILL_MPS = 0.15
#: ... or at most this fraction of the phrase's mean speed.
HOLD_RATIO = 0.5


# ----------------------------------------------------------------- helpers
def resample_positions(positions: np.ndarray, fps: float, new_fps: float) -> np.ndarray:
    """Joint positions at another frame rate, by linear interpolation.

    positions : np.ndarray, shape (T, ...)
    fps, new_fps : float > 0
    Returns shape (round(T / fps * new_fps), ...); frame k is at k / new_fps s. At the same rate, the input
    itself (not a copy): read it, do not write it.
    """
    p = np.asarray(positions, dtype=float)
    if abs(fps - new_fps) < 1e-9 or p.shape[0] < 2:
        return p  # the input itself (read, never written, by the critique): an hour is not copied
    n = max(1, int(round(p.shape[0] / fps * new_fps)))
    src = np.arange(n) / new_fps * fps
    i0 = np.clip(np.floor(src).astype(int), 0, p.shape[0] - 1)
    i1 = np.clip(i0 + 1, 0, p.shape[0] - 1)
    w = np.clip(src - i0, 0.0, 1.0).reshape((n,) + (1,) * (p.ndim - 1))
    return p[i0] * (1.0 - w) + p[i1] * w


def joint_speeds(positions: np.ndarray, fps: float) -> np.ndarray:
    """Speed of every joint, shape (T, J), m/s (central differences)."""
    p = np.asarray(positions, dtype=float)
    if p.shape[0] < 2:
        return np.zeros(p.shape[:2])
    return np.linalg.norm(np.gradient(p, axis=0), axis=-1) * fps


def mean_joint_speed(positions: np.ndarray, fps: float) -> np.ndarray:
    """Mean speed over the 24 joints, shape (T,), m/s: how much the body moves."""
    return joint_speeds(positions, fps).mean(axis=1)


def window_means(values: np.ndarray, fps: float, edges_s: np.ndarray) -> np.ndarray:
    """Mean of a per-frame signal in each window ``[edges_s[i], edges_s[i+1])``.

    values : np.ndarray, shape (T,), may hold NaN (ignored).
    Returns shape (len(edges_s) - 1,); NaN where a window holds no valid frame.
    """
    v = np.asarray(values, dtype=float)
    t = np.arange(v.shape[0]) / fps
    out = np.full(max(len(edges_s) - 1, 0), np.nan)
    for i in range(len(out)):
        m = (t >= edges_s[i]) & (t < edges_s[i + 1]) & ~np.isnan(v)
        if m.any():
            out[i] = float(v[m].mean())
    return out


def nearest_gap(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """``min_k |x_i - ref_k|`` for every ``x_i``, shape like ``x``; ``ref`` non-empty.

    The same numbers as ``np.min(np.abs(x[:, None] - ref[None, :]), axis=1)``
    without the len(x) x len(ref) matrix (an hour of beats against an hour of
    kinematic beats is a gigabyte).
    """
    x = np.asarray(x, dtype=float)
    ref = np.sort(np.asarray(ref, dtype=float))
    i = np.searchsorted(ref, x)
    lo = ref[np.clip(i - 1, 0, len(ref) - 1)]
    hi = ref[np.clip(i, 0, len(ref) - 1)]
    return np.minimum(np.abs(x - lo), np.abs(x - hi))


def beat_edges_s(beats_s: np.ndarray, end_s: float) -> np.ndarray:
    """Window edges, one window per beat: from each beat to the next, the last
    beat closing one median beat later (or at ``end_s``, whichever is first)."""
    b = np.asarray(beats_s, dtype=float)
    if b.size == 0:
        return b
    ibi = float(np.median(np.diff(b))) if b.size > 1 else 0.5
    return np.append(b, min(b[-1] + ibi, max(end_s, b[-1] + 1e-6)))


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True as (start, stop) index pairs, stop exclusive."""
    m = np.asarray(mask, dtype=bool).astype(np.int8)
    d = np.diff(np.concatenate([[0], m, [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


# ------------------------------------------------------------- musicality
def strict_minima(x: np.ndarray, order: int = 1) -> np.ndarray:
    """Indices of strict local minima of ``x`` (lower than ``order`` neighbours on each side), shape (M,).

    The same as ``scipy.signal.argrelextrema(x, np.less, order=order)[0]``
    (mode "clip": the ends are never minima), which the published
    protocols call; written here because importing ``scipy.signal`` costs
    half a second of every command (tested equal to scipy's in
    ``tests/critique``).
    """
    x = np.asarray(x)
    n = x.shape[0]
    idx = np.arange(n)
    keep = np.ones(n, dtype=bool)
    for shift in range(1, order + 1):
        keep &= (x < x[np.minimum(idx + shift, n - 1)]) & (x < x[np.maximum(idx - shift, 0)])
        if not keep.any():
            break
    return np.flatnonzero(keep)


def kinematic_beats_bailando(positions: np.ndarray, *, smooth_sigma_frames: float = 5.0) -> np.ndarray:
    """Kinematic beats as Bailando finds them, frame indices at 60 fps.

    Source: Li et al., "Bailando", CVPR 2022, ``utils/beat_align_score.py``
    (``calc_db``): the per-frame joint speed averaged over the 24 joints, smoothed
    by a Gaussian of sigma 5 frames, and its strict local minima
    (``argrelextrema(..., np.less)``). Here the speed is a central difference.

    positions : np.ndarray, shape (T, 24, 3), metres, at 60 fps.
    """
    env = joint_speeds(positions, 1.0).mean(axis=1)
    env = gaussian_filter1d(env, smooth_sigma_frames)
    return strict_minima(env)


def kinematic_beats_fact(positions: np.ndarray, *, order: int = 10) -> np.ndarray:
    """Kinematic beats as FACT finds them, frame indices at 60 fps.

    Source: Li et al., "AI Choreographer" (FACT, AIST++), ICCV 2021,
    ``tools/calculate_beat_scores.py`` (``motion_peak_onehot``): the joint speeds
    summed over joints, unsmoothed, and its local minima that are lowest within
    ``order`` = 10 frames on either side ("10 for 60FPS").
    """
    env = joint_speeds(positions, 1.0).sum(axis=1)
    return strict_minima(env, order)


def beat_align_per_beat(
    positions: np.ndarray, fps: float, beats_s: np.ndarray, *, sigma_frames: float = 3.0
) -> np.ndarray:
    """Each music beat's term of Bailando's beat-align score, shape (B,).

    exp(-d^2 / (2 sigma^2)) with d the distance (frames at 60 fps) from the beat
    to the nearest kinematic beat; NaN for beats after the motion ends; 0 when
    the motion has no kinematic beat. See :func:`beat_align_score`.
    """
    p = resample_positions(positions, fps, BEAT_FPS)
    frames = np.asarray(beats_s, dtype=float) * BEAT_FPS
    inside = (frames >= 0) & (frames <= p.shape[0] - 1)
    out = np.full(frames.shape, np.nan)
    motion = kinematic_beats_bailando(p)
    if motion.size == 0:
        out[inside] = 0.0
        return out
    d = nearest_gap(frames[inside], motion)
    out[inside] = np.exp(-(d**2) / (2.0 * sigma_frames**2))
    return out


def beat_align_score(positions: np.ndarray, fps: float, beats_s: np.ndarray, *, sigma_frames: float = 3.0) -> float:
    """Bailando's beat-align score (BAS), in [0, 1]; higher is better.

    Source: Li et al., "Bailando", CVPR 2022, ``utils/beat_align_score.py``
    (``BA``): for every MUSIC beat, the distance d (frames at 60 fps) to the
    nearest kinematic beat (:func:`kinematic_beats_bailando`);
    BAS = mean over music beats of exp(-d^2 / (2 sigma^2)), sigma = 3 frames
    (50 ms). Music beats are taken at their exact times (fractional frames)
    rather than rounded to frames; beats after the motion ends are left out.
    A motion with no kinematic beat scores 0 (the reference would fail).
    The AIST++ ground truth scores about 0.24 with this measure.

    positions : np.ndarray, shape (T, 24, 3), metres, at ``fps``.
    beats_s : np.ndarray, shape (B,), seconds.
    """
    terms = beat_align_per_beat(positions, fps, beats_s, sigma_frames=sigma_frames)
    terms = terms[~np.isnan(terms)]
    return float(terms.mean()) if terms.size else 0.0


def fact_beat_alignment(positions: np.ndarray, fps: float, beats_s: np.ndarray, *, sigma_frames: float = 3.0) -> float:
    """FACT's beat alignment score, in [0, 1]; higher is better.

    Source: Li et al., "AI Choreographer" (FACT), ICCV 2021,
    ``tools/calculate_beat_scores.py`` (``alignment_score``): the reverse
    direction of Bailando's: for every KINEMATIC beat
    (:func:`kinematic_beats_fact`), the distance d (frames at 60 fps) to the
    nearest music beat; score = mean over kinematic beats of
    exp(-d^2 / (2 sigma^2)), sigma = 3 frames. No kinematic beat scores 0.
    It asks "does the body pause only on beats?", BAS "is there a pause on
    every beat?".
    """
    p = resample_positions(positions, fps, BEAT_FPS)
    music = np.asarray(beats_s, dtype=float) * BEAT_FPS
    music = music[(music >= 0) & (music <= p.shape[0] - 1)]
    motion = kinematic_beats_fact(p)
    if music.size == 0 or motion.size == 0:
        return 0.0
    d = nearest_gap(motion, music)
    return float(np.mean(np.exp(-(d**2) / (2.0 * sigma_frames**2))))


def strong_beats(
    beat_in_bar: np.ndarray, meter: np.ndarray, accent: np.ndarray, *, accent_min: float = 0.6
) -> np.ndarray:
    """Which beats are strong, shape (B,) bool.

    Our definition (DANCE.md: "the accent belongs on a strong beat, the biggest
    accents on downbeats and on the music's own accents"): every downbeat, the
    third beat of a 4/4 bar (the secondary strong beat), and any beat whose
    musical accent is at least ``accent_min``.
    """
    bib = np.asarray(beat_in_bar)
    return (bib == 1) | ((np.asarray(meter) == 4) & (bib == 3)) | (np.asarray(accent, dtype=float) >= accent_min)


def strong_beat_share(first_beats: np.ndarray, last_beats: np.ndarray, strong: np.ndarray) -> tuple[float, np.ndarray]:
    """Share of steps whose accent falls on a strong beat.

    Until steps carry their own accent beat, a step's accent candidates are its
    first and its last beat; the step counts as accented on a strong beat when
    either is strong.

    first_beats, last_beats : np.ndarray of int, shape (S,), absolute beat indices.
    strong : np.ndarray of bool, shape (B,), from :func:`strong_beats`.
    Returns (share in [0, 1] or NaN when S = 0, per-step bool (S,)).
    """
    strong = np.asarray(strong, dtype=bool)
    a = np.clip(np.asarray(first_beats, dtype=int), 0, len(strong) - 1)
    z = np.clip(np.asarray(last_beats, dtype=int), 0, len(strong) - 1)
    ok = strong[a] | strong[z] if len(strong) else np.zeros(len(a), bool)
    return (float(ok.mean()) if ok.size else float("nan")), ok


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two series, ignoring pairs with a NaN; NaN when
    fewer than 3 pairs or either series is constant."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    m = ~(np.isnan(a) | np.isnan(b))
    if m.sum() < 3 or np.std(a[m]) < 1e-12 or np.std(b[m]) < 1e-12:
        return float("nan")
    return float(np.corrcoef(a[m], b[m])[0, 1])


def phrase_end_holds(
    speed_mps: np.ndarray, fps: float, beats_s: np.ndarray, phrases: list[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """How still the body is at the end of each phrase.

    Our measure, after DANCE.md ("a phrase ends on a held pose or a finished
    turn, usually on count 7 or 8"): the mean joint speed over the count that
    each of the phrase's last two beats begins (from the beat to one beat
    later: holding a count means being still through it); the stiller is
    the phrase's end speed. The ending is held when that speed is at most
    ``HOLD_STILL_MPS`` (0.15 m/s) or at most ``HOLD_RATIO`` (half) the phrase's
    mean speed.

    speed_mps : np.ndarray, shape (T,), mean joint speed (:func:`mean_joint_speed`).
    Returns (end speed / phrase speed ratio (P,), held (P,) bool); phrases
    ending after the motion get NaN and False.
    """
    v = np.asarray(speed_mps, dtype=float)
    b = np.asarray(beats_s, dtype=float)
    end_s = v.shape[0] / fps
    ibi = float(np.median(np.diff(b))) if b.size > 1 else 0.5
    ratios = np.full(len(phrases), np.nan)
    held = np.zeros(len(phrases), dtype=bool)
    for k, (a, z) in enumerate(phrases):
        if b[z] > end_s:
            continue
        ends = [b[i] for i in (z, z - 1) if i >= a]
        end_speed = np.nanmin([window_means(v, fps, np.array([t, t + ibi]))[0] for t in ends])
        whole = window_means(v, fps, np.array([b[a], b[z] + ibi / 2]))[0]
        if np.isnan(end_speed):
            continue
        ratios[k] = end_speed / whole if whole > 1e-9 else 0.0
        held[k] = end_speed <= HOLD_STILL_MPS or ratios[k] <= HOLD_RATIO
    return ratios, held


# ------------------------------------------------------------------ craft
def step_variety(names: list[str]) -> dict:
    """Distinct steps over all steps, and the longest run of one step.

    Returns ``distinct_ratio`` (NaN for no steps), ``longest_run`` (count),
    ``longest_run_start`` (index into ``names``), ``longest_run_step``.
    """
    if not names:
        return {"distinct_ratio": float("nan"), "longest_run": 0, "longest_run_start": 0, "longest_run_step": ""}
    best, best_start, start = 1, 0, 0
    for i in range(1, len(names) + 1):
        if i == len(names) or names[i] != names[start]:
            if i - start > best:
                best, best_start = i - start, start
            start = i
    return {
        "distinct_ratio": len(set(names)) / len(names), "longest_run": best,
        "longest_run_start": best_start, "longest_run_step": names[best_start],
    }


def sequence_similarity(a: list, b: list) -> float:
    """1 - Levenshtein distance / longer length, in [0, 1]; 1 for two empty sequences."""
    if not a and not b:
        return 1.0
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))


def right_side_share(sides: list[str]) -> float:
    """Share of right-sided steps among the sided ones (R or L); NaN if none."""
    sided = [s for s in sides if s in ("R", "L")]
    return sided.count("R") / len(sided) if sided else float("nan")


def stage_use(
    root_xz: np.ndarray, fps: float, *, half_width_m: float = 5.0, half_depth_m: float = 4.0, downstage_z_m: float = 1.0
) -> dict:
    """How the dancer uses the stage floor.

    root_xz : np.ndarray, shape (T, 2), the pelvis's floor position (x, z), metres.
    Returns ``hull_area_m2`` (convex hull of the floor path; 0 when it is a
    point or a line), ``downstage_share`` (time with z > ``downstage_z_m``),
    ``max_from_centre_m``, ``off_stage_s`` (time with |x| > ``half_width_m`` or
    |z| > ``half_depth_m``) and ``off_stage`` (per-frame bool (T,)).
    """
    xz = np.asarray(root_xz, dtype=float)
    try:
        area = float(ConvexHull(xz).volume) if xz.shape[0] >= 3 else 0.0
    except QhullError:
        area = 0.0
    off = (np.abs(xz[:, 0]) > half_width_m) | (np.abs(xz[:, 1]) > half_depth_m)
    return {
        "hull_area_m2": area,
        "downstage_share": float(np.mean(xz[:, 1] > downstage_z_m)) if xz.size else 0.0,
        "max_from_centre_m": float(np.linalg.norm(xz, axis=1).max()) if xz.size else 0.0,
        "off_stage_s": float(off.sum() / fps),
        "off_stage": off,
    }
