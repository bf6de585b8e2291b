"""Beats: where a dancer's counts fall, tracked from the audio.

Conventions
-----------
- Audio is mono float, sample rate ``sr`` in Hz (22050 throughout kanat.listen).
- Frame-level signals use ``hop_length`` samples per frame (:data:`HOP`, about
  11.6 ms at 22050 Hz); frame ``t`` is centred at ``t * hop_length / sr`` seconds.
- Beat times are in seconds from the start of the audio, increasing.
- Tempo is in beats per minute (BPM) at the metric level a dancer counts:
  the tracker looks for a pulse between :data:`MIN_BPM` and :data:`MAX_BPM`,
  preferring the middle of that range.

Method
------
1. An onset-strength envelope (spectral flux on a mel spectrogram).
2. A local tempo curve: an autocorrelation tempogram (about 8 s windows),
   restricted to the dancer's range and weighted by a log-normal prior, then
   smoothed by a Viterbi pass over tempo bins, so the tempo can change between
   passages without flickering between metric levels.
3. Dynamic-programming beat tracking (Ellis 2007, ``librosa.beat.beat_track``)
   driven by that time-varying tempo.
4. Each beat is nudged to the nearest onset peak within a few frames, and
   the envelope's small systematic lag is taken off.
5. Beats the tracker bridged across a silent pause between passages of
   different tempo are dropped.
"""

from __future__ import annotations

import librosa
import numpy as np

from kanat.listen.audio import blockwise

HOP = 256
MIN_BPM = 38.0
MAX_BPM = 190.0
PRIOR_BPM = 112.0
PRIOR_OCTAVES = 0.9
#: Spread of the tempo prior around the choreographer's tempo (``--bpm``, taps): rubato, not another count level.
HINT_OCTAVES = 0.12
#: The prior's spread when the pulse is faint (soft attacks): the music says
#: less, so a dancer's usual tempo says more.
FAINT_PRIOR_OCTAVES = 0.5
TEMPOGRAM_WINDOW_S = 8.0
TEMPO_STEP_S = 0.25
N_FFT = 1024
#: How much a tempo f is helped by the tempogram at f times each multiple:
#: its subdivision (2f) and its grouping (f/2).
HARMONIC_SUPPORT = ((2.0, 0.35), (0.5, 0.35))
#: The onset envelope peaks this long after a sharp attack (measured on clicks).
LAG_S = 0.01


def onset_envelope(y: np.ndarray, sr: int, *, hop_length: int = HOP) -> np.ndarray:
    """Onset strength per frame.

    Parameters
    ----------
    y : np.ndarray, shape (N,)
        Mono audio.
    sr : int
        Sample rate in Hz.
    hop_length : int
        Samples per frame.

    Returns
    -------
    env : np.ndarray, shape (T,)
        Non-negative onset strength (spectral flux, median over mel bands),
        frame ``t`` at ``t * hop_length / sr`` seconds.
    """
    def one(block: np.ndarray) -> np.ndarray:
        return librosa.onset.onset_strength(y=block, sr=sr, hop_length=hop_length, n_fft=N_FFT, aggregate=np.median, n_mels=128)

    return blockwise(one, y, hop_length, sr=sr)


def soft_onset_envelope(env: np.ndarray, chroma: np.ndarray, *, lag: int = 2) -> np.ndarray:
    """Onset strength for soft attacks: spectral flux plus the rise of new pitch classes.

    Bowed strings, a flute or a voice start notes too gently for spectral
    flux alone to show a pulse; a new note still brings its pitch class in.
    The positive change of the chromagram over ``lag`` of its frames (about
    46 ms) is added to the flux, each scaled by its 99th percentile.

    Parameters
    ----------
    env : np.ndarray, shape (T,)
        Onset strength from :func:`onset_envelope`.
    chroma : np.ndarray, shape (12, T2)
        Chromagram at twice the hop of ``env``.
    lag : int
        Chroma frames over which a rise is measured.

    Returns
    -------
    env : np.ndarray, shape (T,)
    """
    rise = np.maximum(0.0, chroma[:, lag:] - chroma[:, :-lag]).sum(axis=0)
    rise = np.r_[np.zeros(lag), rise]
    rise = np.interp(np.arange(len(env)) / 2.0, np.arange(len(rise)), rise)
    return _unit(env) + _unit(rise)


def _unit(x: np.ndarray) -> np.ndarray:
    """``x`` over its 99th percentile (over its maximum where that is 0; unchanged where all is 0)."""
    scale = np.percentile(x, 99) if len(x) else 0.0
    scale = scale if scale > 0 else (x.max() if len(x) else 0.0)
    return x / scale if scale > 0 else x


def tempo_prior(bpm: np.ndarray, *, octaves: float | None = None, center: float | None = None) -> np.ndarray:
    """Log-normal weight of each tempo (shape like ``bpm``) for the dancer's count level.

    Zero outside :func:`tempo_bounds`, peaking at :data:`PRIOR_BPM` (or at
    ``center``, the choreographer's tempo) with a spread of ``octaves``.
    """
    bpm = np.asarray(bpm, dtype=float)
    octaves = (PRIOR_OCTAVES if center is None else HINT_OCTAVES) if octaves is None else octaves
    with np.errstate(divide="ignore"):
        w = np.exp(-0.5 * (np.log2(np.maximum(bpm, 1e-9) / (center or PRIOR_BPM)) / octaves) ** 2)
    lo, hi = tempo_bounds(center)
    w[(bpm < lo) | (bpm > hi)] = 0.0
    return w


def tempo_bounds(center: float | None = None) -> tuple[float, float]:
    """The tempi the tracker considers: [:data:`MIN_BPM`, :data:`MAX_BPM`], widened around a given tempo."""
    if center is None:
        return MIN_BPM, MAX_BPM
    return min(MIN_BPM, center / 1.3), max(MAX_BPM, center * 1.3)


def strided_tempogram(env: np.ndarray, win: int, step: int, *, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """``librosa.feature.tempogram`` (centred, Hann window, max-normalised) at every ``step``-th frame only.

    The same values as the full tempogram's columns ``0, step, 2 step, ...``,
    computed without the other columns (about ``step`` times less work and
    memory), a block of columns at a time so memory stays bounded on long music.

    Returns
    -------
    tg : np.ndarray, shape (win, F)
        Autocorrelation by lag (frames), each column scaled to max 1.
    frames : np.ndarray of int, shape (F,)
        The envelope frames of the columns.
    """
    env = np.asarray(env, dtype=np.float32)
    n = len(env)
    frames = np.arange(0, n, step)
    half = win // 2
    padded = np.pad(env, (half, half), mode="linear_ramp", end_values=[0, 0])
    window = librosa.filters.get_window("hann", win, fftbins=True).astype(np.float32)
    out = np.empty((win, len(frames)), dtype=np.float32)
    for a in range(0, len(frames), block):
        idx = frames[a : a + block]
        cols = np.lib.stride_tricks.sliding_window_view(padded, win)[idx].T * window[:, None]
        ac = librosa.autocorrelate(cols, axis=0)
        out[:, a : a + len(idx)] = librosa.util.normalize(ac, norm=np.inf, axis=0)
    return out, frames


def pulse_clarity(tg_band: np.ndarray) -> float:
    """How clearly a beat shows in a tempogram, 0 (none) to 1.

    The median over time of each column's peak above its median, over the lags
    of the dancer's tempo range (``tg_band``, shape (lags, F), columns scaled
    to a lag-0 value of 1). Rendered and recorded music measures 0.6-0.9;
    white noise about 0.1 (its onset envelope only correlates with itself
    at short lags, evenly).
    """
    if tg_band.size == 0:
        return 0.0
    return float(np.median(tg_band.max(axis=0) - np.median(tg_band, axis=0)))


def tempo_curve(
    env: np.ndarray, sr: int, *, hop_length: int = HOP, info: dict | None = None, prior_octaves: float | None = None,
    prior_bpm: float | None = None,
) -> np.ndarray:
    """Local tempo per frame, smoothed across time.

    Parameters
    ----------
    env : np.ndarray, shape (T,)
        Onset envelope from :func:`onset_envelope`.
    sr : int
        Sample rate in Hz.
    hop_length : int
        Samples per frame of ``env``.

    info : dict, optional
        Filled with ``clarity``: how clearly a pulse shows (see :func:`pulse_clarity`).
    prior_octaves : float, optional
        Spread of the tempo prior (:func:`tempo_prior`; :data:`PRIOR_OCTAVES`
        by default); narrower for a faint pulse.
    prior_bpm : float, optional
        The choreographer's tempo: the prior peaks there, narrowly
        (:data:`HINT_OCTAVES`).

    Returns
    -------
    bpm : np.ndarray, shape (T,)
        Tempo in BPM at every frame, within :func:`tempo_bounds`.
    """
    fps = sr / hop_length
    win = int(round(TEMPOGRAM_WINDOW_S * fps))
    step = max(1, int(round(TEMPO_STEP_S * fps)))
    tg, frames = strided_tempogram(env, win, step)
    freqs = librosa.tempo_frequencies(win, hop_length=hop_length, sr=sr)
    lo, hi = tempo_bounds(prior_bpm)
    keep = np.flatnonzero((freqs >= lo) & (freqs <= hi))
    freqs = freqs[keep]
    # a pulse at tempo f also shows at 2f's lag multiples; reward f when its
    # half-period (2f) and double-period (f/2) agree, as a dancer's count does
    full_freqs = librosa.tempo_frequencies(win, hop_length=hop_length, sr=sr)
    tgs = np.maximum(tg, 0.0)
    if info is not None:
        info["clarity"] = pulse_clarity(tgs[keep])
    sal = tgs[keep]
    for mult, weight in HARMONIC_SUPPORT:
        idx = np.array([int(np.argmin(np.abs(full_freqs[1:] - f * mult))) + 1 for f in freqs])
        sal = sal + weight * tgs[idx]
    sal = sal * tempo_prior(freqs, octaves=prior_octaves, center=prior_bpm)[:, None]
    sal = sal / (sal.sum(axis=0, keepdims=True) + 1e-9)
    sal = 0.9 * sal + 0.1 / len(freqs)  # never rule a tempo out completely

    # transitions: stay, or drift to nearby tempi; large jumps are rare
    logf = np.log2(freqs)
    dist = np.abs(logf[:, None] - logf[None, :])
    # NB: tempo bins are spaced by lag, so slow tempi have more near
    # neighbours and, after this row normalisation, a lower chance of staying
    # put: the path leans to faster tempi (about 0.3 nats per step between
    # 115 and 172 BPM). The prior and HARMONIC_SUPPORT are tuned with that
    # lean; removing it alone halves 150-180 BPM click tracks.
    trans = np.exp(-dist / 0.03)
    trans /= trans.sum(axis=1, keepdims=True)
    trans = 0.995 * trans + 0.005 / len(freqs)
    path = librosa.sequence.viterbi(sal, trans)
    coarse = freqs[path]
    return np.interp(np.arange(len(env)), frames, coarse)


def snap_to_onsets(beat_frames: np.ndarray, env: np.ndarray, *, radius: int = 4) -> np.ndarray:
    """Move each beat to the strongest onset within ``radius`` frames.

    Parameters
    ----------
    beat_frames : np.ndarray of int, shape (B,)
    env : np.ndarray, shape (T,)
    radius : int
        Frames searched each side.

    Returns
    -------
    frames : np.ndarray of float, shape (B,)
        Refined beat positions in (fractional) frames, strictly increasing.
    """
    out = np.asarray(beat_frames, dtype=float).copy()
    n = len(env)
    for k, f in enumerate(beat_frames):
        lo, hi = max(0, int(f) - radius), min(n, int(f) + radius + 1)
        seg = env[lo:hi]
        if seg.size and seg.max() > 0:
            # weight by closeness so a strong neighbour beat-subdivision does not win
            w = 1.0 - 0.5 * np.abs(np.arange(lo, hi) - f) / (radius + 1)
            out[k] = lo + int(np.argmax(seg * w))
    # keep order
    for k in range(1, len(out)):
        if out[k] <= out[k - 1]:
            out[k] = out[k - 1] + 0.5
    return out


def extend_to_onsets(frames: np.ndarray, env: np.ndarray, *, span: int = 4, tolerance: float = 0.12, min_strength: float = 0.5) -> np.ndarray:
    """Add the beats the tracker trimmed at the very start and end of the music.

    While a clear onset (at least ``min_strength`` times the median onset
    strength at the tracked beats) lies one beat period (the median of the
    ``span`` nearest intervals, within ``tolerance`` of it) before the first
    beat, it becomes the new first beat; the same after the last beat. The
    opening chord of a piece is then counted, as a dancer counts it.

    Parameters
    ----------
    frames : np.ndarray, shape (B,)
        Beat positions in (fractional) frames, increasing.
    env : np.ndarray, shape (T,)
        The onset envelope.

    Returns
    -------
    frames : np.ndarray, shape (B',)
        B' >= B beat positions, increasing.
    """
    frames = np.asarray(frames, dtype=float)
    n = len(env)
    if len(frames) < span + 1:
        return frames
    idx = np.clip(np.round(frames).astype(int), 0, n - 1)
    floor = min_strength * float(np.median(env[idx]))
    if floor <= 0:
        return frames

    def next_beat(last: float, period: float) -> float | None:
        lo = int(np.floor(last + period * (1 - tolerance)))
        hi = int(np.ceil(last + period * (1 + tolerance)))
        if period < 0:
            lo, hi = int(np.floor(last + period * (1 + tolerance))), int(np.ceil(last + period * (1 - tolerance)))
        lo, hi = max(lo, 0), min(hi, n - 1)
        if hi <= lo:
            return None
        k = lo + int(np.argmax(env[lo : hi + 1]))
        return float(k) if env[k] >= floor else None

    head, tail = [], []
    first, last = frames[0], frames[-1]
    p_head = float(np.median(np.diff(frames[: span + 1])))
    p_tail = float(np.median(np.diff(frames[-span - 1 :])))
    while (b := next_beat(first, -p_head)) is not None and b < first:
        head.insert(0, b)
        first = b
    while (b := next_beat(last, p_tail)) is not None and b > last:
        tail.append(b)
        last = b
    return np.concatenate([head, frames, tail])


def drop_gap_beats(beats_s: np.ndarray, strength: np.ndarray, *, span: int = 4) -> np.ndarray:
    """Remove beats the tracker placed in a pause between two passages.

    A beat is dropped when nothing sounds at it (onset strength under 5 % of
    the median beat's) *and* the tempo before and after it differs by more
    than about 10 %: the dynamic programme bridged a pause where the music
    changed. A rest inside a steady passage keeps its beat (dancers count it).

    Parameters
    ----------
    beats_s : np.ndarray, shape (B,)
        Beat times in seconds.
    strength : np.ndarray, shape (B,)
        Onset strength at each beat.
    span : int
        Beats either side used to measure the tempo.

    Returns
    -------
    beats_s : np.ndarray, shape (B',)
        The beats kept, B' <= B.
    """
    beats_s = np.asarray(beats_s, dtype=float)
    b = len(beats_s)
    if b < 2 * span + 2:
        return beats_s
    silent = strength < 0.05 * np.median(strength)
    keep = np.ones(b, dtype=bool)
    ibi = np.diff(beats_s)
    for k in np.flatnonzero(silent):
        if k < span or k + span >= b:
            continue
        before = np.median(ibi[k - span : k - 1])  # intervals ending before beat k-1
        after = np.median(ibi[k + 1 : k + span])  # intervals starting after beat k+1
        if abs(np.log(after / before)) > 0.09:
            keep[k] = False
    return beats_s[keep]


def track_beats(
    y: np.ndarray, sr: int, *, hop_length: int = HOP, env: np.ndarray | None = None, info: dict | None = None,
    prior_octaves: float | None = None, lag_s: float = LAG_S, trim: bool = True, prior_bpm: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Beat times of a piece at the dancer's counting level.

    Parameters
    ----------
    y : np.ndarray, shape (N,)
        Mono audio.
    sr : int
        Sample rate in Hz.
    hop_length : int
        Samples per analysis frame.
    env : np.ndarray, shape (T,), optional
        A precomputed onset envelope.
    info : dict, optional
        Filled with ``clarity`` (see :func:`pulse_clarity`).
    prior_octaves : float, optional
        Spread of the tempo prior (see :func:`tempo_prior`).
    lag_s : float
        How long after a note's start ``env`` peaks (:data:`LAG_S` for
        :func:`onset_envelope`; 0 for the beat network's activation).
    trim : bool
        Let librosa drop weak beats at the ends (right for an onset
        envelope; a network's activation, whose peaks vary in height from
        passage to passage, is trimmed by the caller).
    prior_bpm : float, optional
        The choreographer's tempo (see :func:`tempo_curve`).

    Returns
    -------
    beats_s : np.ndarray, shape (B,)
        Beat times in seconds, increasing.
    env : np.ndarray, shape (T,)
        The onset envelope used.
    bpm : np.ndarray, shape (T,)
        The local tempo curve used, in BPM per frame.

    Examples
    --------
    >>> import numpy as np
    >>> sr = 22050
    >>> y = np.zeros(10 * sr, dtype=np.float32)
    >>> y[:: sr // 2][:20] = 1.0   # clicks at 120 BPM
    >>> beats_s, _, _ = track_beats(y, sr)
    """
    if env is None:
        env = onset_envelope(y, sr, hop_length=hop_length)
    bpm = tempo_curve(env, sr, hop_length=hop_length, info=info, prior_octaves=prior_octaves, prior_bpm=prior_bpm)
    _, frames = librosa.beat.beat_track(onset_envelope=env, sr=sr, hop_length=hop_length, bpm=bpm, tightness=100, trim=trim, units="frames")
    frames = np.asarray(frames, dtype=int)
    refined = extend_to_onsets(snap_to_onsets(frames, env), env)
    beats_s = np.maximum(refined * hop_length / sr - lag_s, 0.0)
    n = len(env)
    strength = np.array([env[max(0, int(f) - 2) : min(n, int(f) + 4)].max() for f in refined])
    beats_s = drop_gap_beats(beats_s, strength)
    return beats_s, env, bpm
