"""Meter and downbeats: which beat is the "1", and how many beats to a bar.

Conventions
-----------
- Input beats are times in seconds, increasing, shape (B,).
- Per-beat features are arrays of shape (B,); a beat's *span* runs from the
  beat to the next one (the last beat's span has the median beat length).
- Meters are 2, 3 or 4 beats per bar; positions in a bar run 1..meter.
- The meter may change between passages, but only at a bar line.

Method
------
Bars are heard through three cues that fall on the "1": a louder attack,
a bass note, and a change of harmony. For every beat we measure

* ``accent``: onset strength at the beat (all frequencies),
* ``level``: how loud the attack at the beat is (RMS in dB),
* ``bass``: onset strength of the low band (below about 300 Hz) at the beat,
* ``low``: loudness of the low band over the beat's span,
* ``harmony``: chroma distance between the beat's span and the previous one,

remove each feature's local mean over 12 beats (12 is a multiple of 2, 3 and
4, so a periodic accent pattern keeps its shape while slow changes of loudness
vanish), scale it to unit spread, and sum them into one downbeat score per
beat. A Viterbi pass over the states (meter, position in bar) then finds the
bar grid whose "1"s collect the most score: positions advance by one each beat,
a bar ends after ``meter`` beats, and changing the meter or cutting a bar short
costs a fixed penalty, so the meter only changes where the music clearly does.
"""

from __future__ import annotations

import librosa
import numpy as np

from kanat.listen.audio import blockwise

METERS = (2, 3, 4)
#: Penalty (in units of the downbeat score) for changing meter at a bar line
#: inside a passage ...
METER_CHANGE_COST = 12.0
#: ... and at a break between passages (a tempo jump or a silence).
METER_CHANGE_COST_AT_BREAK = 1.0
#: Penalty for a bar cut short or lengthened (a beat tracker's slip).
PHASE_SLIP_COST = 6.0
#: A per-bar preference between meters, in score units (none: see QUADRUPLE_SHRINK).
METER_BONUS = {2: 0.0, 3: 0.0, 4: 0.0}
FEATURE_WEIGHTS = {"accent": 1.0, "level": 1.0, "bass": 0.5, "low": 0.5, "harmony": 2.0}
#: Weight of the beat network's downbeat activation beside those cues.
NET_WEIGHT = 6.0
LOCAL_BEATS = 12
#: The low band (below 300 Hz) is analysed at the sample rate divided by this.
LOW_DECIMATE = 8
#: Seconds of music the tuning (for the chromagram) is measured on.
TUNING_S = 120.0
#: How each position of a bar should score: the "1" high, the beat after it low.
#: Zero-mean, so no meter gains from sheer numbers of downbeats.
#: Each is scaled to unit mean square per beat, so that a meter wins by fitting
#: the pattern, not by having a louder template (a matched filter).
_SHAPES = {2: (1.0, -1.0), 3: (1.0, -0.5, -0.5), 4: (1.0, -0.5, -0.2, -0.3)}
#: 4/4 is scaled lower: a bar of four must fit clearly (25 %) better than two
#: bars of two before kanat counts in four (the dancer's counts are the same;
#: only the downbeats on beat 3 differ). At 0.88 the melody-only march (2/4)
#: and minuet (3/4) of benchmarks/listen.py came out in 4; Mozart K. 545 (4/4)
#: fits four 42 % better than two.
QUADRUPLE_SHRINK = 0.8
#: With the beat network's downbeat cue (:mod:`kanat.listen.beatnet`) four is
#: told from two well enough to lean the other way, slightly. Chosen on
#: benchmarks/listen.py (there is no other annotated set): at 0.8-1.0 three
#: 4/4 pieces came out in 2; at 1.1-1.15 all but one (a 2/4 quartet finale,
#: then in 4); at 1.25 two 2/4 pieces and a 3/4 one came out in 4.
NET_QUADRUPLE = 1.1


def bar_templates(quadruple_shrink: float = QUADRUPLE_SHRINK) -> dict[int, tuple[float, ...]]:
    """The score each position of a bar of 2, 3 and 4 should have (see ``_SHAPES``)."""
    return {
        m: tuple((quadruple_shrink if m == 4 else 1.0) * np.asarray(v) / np.sqrt(np.mean(np.square(v))))
        for m, v in _SHAPES.items()
    }


BAR_TEMPLATES = bar_templates()


def _frame_spans(beats_s: np.ndarray, sr: int, hop_length: int, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """First and one-past-last frame of each beat's span, shape (B,) each."""
    beats_s = np.asarray(beats_s, dtype=float)
    if len(beats_s) > 1:
        ibi = float(np.median(np.diff(beats_s)))
    else:
        ibi = 0.5
    ends = np.append(beats_s[1:], beats_s[-1] + ibi)
    f0 = np.clip(np.round(beats_s * sr / hop_length).astype(int), 0, n_frames - 1)
    f1 = np.clip(np.round(ends * sr / hop_length).astype(int), 1, n_frames)
    f1 = np.maximum(f1, f0 + 1)
    return f0, f1


def peak_near(env: np.ndarray, beats_s: np.ndarray, sr: int, hop_length: int, *, before_s: float = 0.03, after_s: float = 0.06) -> np.ndarray:
    """Largest value of a frame signal ``env`` (shape (T,)) near each beat; shape (B,)."""
    n = len(env)
    centre = np.round(np.asarray(beats_s) * sr / hop_length).astype(int)
    lo = np.clip(centre - int(round(before_s * sr / hop_length)), 0, n - 1)
    hi = np.clip(centre + int(round(after_s * sr / hop_length)) + 1, 1, n)
    return np.array([env[a:max(b, a + 1)].max() for a, b in zip(lo, hi)])


def chromagram(y: np.ndarray, sr: int, *, hop_length: int) -> np.ndarray:
    """Pitch-class energy, shape (12, T), from C3 (131 Hz) up five octaves.

    Starting at C3 keeps the slow, smeared low CQT bins (and drum thumps) out;
    a bass note still shows through its harmonics.
    """
    fmin = librosa.note_to_hz("C3")
    # the tuning is measured once (on the middle two minutes of long music),
    # not again in every block
    half = int(TUNING_S * sr / 2)
    mid = len(y) // 2
    excerpt = y if len(y) <= 2 * half else y[mid - half : mid + half]
    tuning = librosa.estimate_tuning(y=excerpt, sr=sr, bins_per_octave=36)

    def one(block: np.ndarray) -> np.ndarray:
        return librosa.feature.chroma_cqt(y=block, sr=sr, hop_length=hop_length, fmin=fmin, n_octaves=5, tuning=tuning)

    return blockwise(one, y, hop_length, sr=sr)


def tonality(chroma: np.ndarray) -> float:
    """How much a sound is made of notes, 0-1: the median over frames of (strongest - median pitch class).

    ``chroma`` (shape (12, T)) is normalised per frame (strongest class 1), as
    :func:`chromagram` gives it. White noise measures 0.2-0.35; piano,
    strings, a flute or a fiddle 0.84-0.97.
    """
    if chroma.size == 0:
        return 0.0
    return float(np.median(chroma.max(axis=0) - np.median(chroma, axis=0)))


def beat_features(
    y: np.ndarray, sr: int, beats_s: np.ndarray, *, env: np.ndarray, hop_length: int, chroma: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Per-beat cues of a bar's first beat.

    Parameters
    ----------
    y : np.ndarray, shape (N,)
        Mono audio.
    sr : int
        Sample rate in Hz.
    beats_s : np.ndarray, shape (B,)
        Beat times in seconds.
    env : np.ndarray, shape (T,)
        Full-band onset envelope at ``hop_length``.
    hop_length : int
        Samples per frame of ``env``.
    chroma : np.ndarray, shape (12, T2), optional
        Chromagram at ``2 * hop_length`` (computed when not given).

    Returns
    -------
    features : dict of str to np.ndarray, shape (B,)
        ``accent`` (onset strength), ``level`` (dB, loudest RMS just after
        the beat), ``bass`` (low-band onset strength), ``low`` (dB) and
        ``harmony`` (0-2 cosine distance), the cues of a downbeat; ``loudness`` (dB, full band, over
        the beat's span) for finding silences between passages.
    """
    # the band below 300 Hz, heard at an eighth of the rate: the same 5.4 Hz
    # bins and frame times as a 4096-point FFT at full rate, at a fraction of the cost
    low_sr, low_hop = sr / LOW_DECIMATE, hop_length // LOW_DECIMATE
    y_low = librosa.resample(y, orig_sr=sr, target_sr=low_sr, res_type="soxr_hq")

    def low_band(block: np.ndarray) -> np.ndarray:
        mel = librosa.feature.melspectrogram(y=block, sr=low_sr, hop_length=low_hop, n_fft=4096 // LOW_DECIMATE, n_mels=24, fmin=30.0, fmax=300.0)
        return mel.astype(np.float32)

    mel_low = blockwise(low_band, y_low, low_hop, sr=int(low_sr))
    del y_low
    want = 1 + len(y) // hop_length
    mel_low = mel_low[:, :want] if mel_low.shape[1] >= want else np.pad(mel_low, ((0, 0), (0, want - mel_low.shape[1])), mode="edge")
    low_db = librosa.power_to_db(mel_low, ref=np.max, top_db=80.0)
    del mel_low
    bass_env = librosa.onset.onset_strength(S=low_db, sr=sr, hop_length=hop_length, aggregate=np.mean)
    if chroma is None:
        chroma = chromagram(y, sr, hop_length=hop_length * 2)

    n = min(len(env), low_db.shape[1])
    f0, f1 = _frame_spans(beats_s, sr, hop_length, n)
    low_span = np.array([low_db[:, a:b].mean() for a, b in zip(f0, f1)])
    rms = blockwise(lambda b: librosa.feature.rms(y=b, frame_length=1024, hop_length=hop_length)[0], y, hop_length, sr=sr)
    loudness = np.array([20 * np.log10(np.sqrt(np.mean(rms[a:b] ** 2)) + 1e-9) for a, b in zip(f0, f1)])
    level = 20 * np.log10(peak_near(rms, beats_s, sr, hop_length, before_s=0.01, after_s=0.08) + 1e-9)

    c0, c1 = _frame_spans(beats_s, sr, hop_length * 2, chroma.shape[1])
    cb = np.stack([chroma[:, a:b].mean(axis=1) for a, b in zip(c0, c1)], axis=0)
    cb = cb / (np.linalg.norm(cb, axis=1, keepdims=True) + 1e-9)
    harmony = np.zeros(len(beats_s))
    if len(beats_s) > 1:
        harmony[1:] = 1.0 - np.sum(cb[1:] * cb[:-1], axis=1)
    return {
        "accent": peak_near(env, beats_s, sr, hop_length),
        "level": level,
        "bass": peak_near(bass_env, beats_s, sr, hop_length),
        "low": low_span,
        "harmony": harmony,
        "loudness": loudness,
    }


def local_standardise(x: np.ndarray, *, width: int = LOCAL_BEATS, floor: float = 0.0) -> np.ndarray:
    """Remove a centred moving mean over ``width`` beats and scale to unit spread.

    Parameters
    ----------
    x : np.ndarray, shape (B,)
    width : int
        Beats in the moving mean.
    floor : float
        Smallest spread, in the units of ``x``: differences far below it are
        noise and must not be blown up to unit size.

    Returns
    -------
    z : np.ndarray, shape (B,)
        Zero local mean, divided by the standard deviation and clipped to
        [-3, 3] so one huge accent cannot outvote a whole passage.
    """
    x = np.asarray(x, dtype=float)
    if len(x) < 2:
        return np.zeros_like(x)
    kernel = np.ones(width) / width
    pad = width // 2
    xp = np.pad(x, (pad, width - pad - 1), mode="reflect" if len(x) > width else "edge")
    mean = np.convolve(xp, kernel, mode="valid")
    d = x - mean[: len(x)]
    # the standard deviation, not the median absolute deviation: a feature
    # that spikes once a bar (a metronome's accent) has a MAD near zero
    spread = max(float(np.std(d)), floor) + 1e-9
    return np.clip(d / spread, -3.0, 3.0)


def _floor(name: str, x: np.ndarray) -> float:
    """Smallest meaningful spread of a feature (see :func:`local_standardise`)."""
    if name == "harmony":
        return 0.05  # cosine distance between chroma vectors
    if name in ("low", "loudness", "level"):
        return 1.0  # dB
    if name == "net":
        return 0.05  # activation, 0-1
    return 0.05 * float(np.median(np.abs(x)))  # onset strengths: relative


def downbeat_score(features: dict[str, np.ndarray], weights: dict[str, float] | None = None) -> np.ndarray:
    """Combine per-beat features into one downbeat score per beat, shape (B,).

    Positive where the beat sounds like a "1"; zero local mean.
    """
    weights = FEATURE_WEIGHTS if weights is None else weights
    total = sum(weights.values())
    score = sum(w * local_standardise(features[k], floor=_floor(k, features[k])) for k, w in weights.items())
    return score / total


def _states(meters: tuple[int, ...] = METERS) -> list[tuple[int, int]]:
    return [(m, p) for m in meters for p in range(1, m + 1)]


#: A change of beat length (log ratio of the medians before and after) that starts a new passage
#: (0.09 restarted the count at every phrase-end ritardando of a breathing waltz).
BREAK_TEMPO_JUMP = 0.2


def passage_breaks(beats_s: np.ndarray, loudness_db: np.ndarray | None = None, *, span: int = 4) -> np.ndarray:
    """Beats that start a new passage, shape (B,), 1.0 there and 0.0 elsewhere.

    A passage break is a jump of tempo (the median beat length of the ``span``
    beats after a beat differs from the ``span`` before it by more than
    :data:`BREAK_TEMPO_JUMP`, about 22 %: a ritardando into a cadence and the
    return to tempo are not a new passage) or a near-silence (loudness 25 dB under the piece's median). The
    beat tracker blurs a tempo jump over a few beats (it may put a beat or two
    in the pause), so within each blurred region the new passage is taken to
    start on the beat after the quietest beat.

    Parameters
    ----------
    beats_s : np.ndarray, shape (B,)
        Beat times in seconds.
    loudness_db : np.ndarray, shape (B,), optional
        Loudness of each beat's span in dB.
    span : int
        Beats compared on each side.
    """
    beats_s = np.asarray(beats_s, dtype=float)
    b = len(beats_s)
    out = np.zeros(b)
    if b < 2 * span + 1:
        return out
    loud = np.zeros(b) if loudness_db is None or len(loudness_db) != b else np.asarray(loudness_db, dtype=float)
    ibi = np.diff(beats_s)  # ibi[k] = beats[k+1] - beats[k]
    jump = np.zeros(b, dtype=bool)
    for i in range(span, b - span):
        before = np.median(ibi[i - span : i])
        after = np.median(ibi[i : i + span])
        jump[i] = abs(np.log(after / before)) > BREAK_TEMPO_JUMP
    if loudness_db is not None:
        jump[1:] |= loud[:-1] < np.median(loud) - 25.0
    i = 0
    while i < b:
        if not jump[i]:
            i += 1
            continue
        j = i
        while j + 1 < b and jump[j + 1]:
            j += 1
        lo, hi = max(0, i - 2), min(b - 1, j + 1)
        quietest = lo + int(np.argmin(loud[lo:hi]))
        out[min(quietest + 1, b - 1)] = 1.0
        i = j + 1
    return out


def decode_bars(
    score: np.ndarray, breaks: np.ndarray | None = None, templates: dict[int, tuple[float, ...]] | None = None, *,
    meters: tuple[int, ...] = METERS, downbeat: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Most likely bar grid for a per-beat downbeat score.

    Parameters
    ----------
    score : np.ndarray, shape (B,)
        Downbeat score of each beat (see :func:`downbeat_score`).
    breaks : np.ndarray, shape (B,), optional
        Passage-break strength of each beat (see :func:`passage_breaks`); a
        meter change costs :data:`METER_CHANGE_COST` where it is 0 and
        :data:`METER_CHANGE_COST_AT_BREAK` where it is 1 (or was 1 one or two
        beats before).
    templates : dict, optional
        :func:`bar_templates` (:data:`BAR_TEMPLATES` by default).
    meters : tuple of int
        The bar lengths allowed (:data:`METERS`; one, when the choreographer
        gave the meter).
    downbeat : int, optional
        A beat that is a "1" (the choreographer's first downbeat): the bars
        are decoded around it.

    Returns
    -------
    meter : np.ndarray of int, shape (B,)
        Beats per bar (2, 3 or 4) of the bar holding each beat.
    beat_in_bar : np.ndarray of int, shape (B,)
        Position of each beat in its bar, 1 = downbeat.
    """
    states = _states(meters)
    s = len(states)
    b = len(score)
    if b == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    index = {st: k for k, st in enumerate(states)}
    # transition log-weights: trans[i, j] from state i to state j; a meter
    # change is charged separately (its cost depends on the beat)
    trans = np.full((s, s), -np.inf)
    change = np.zeros((s, s))
    for (m, p), i in index.items():
        for (m2, p2), j in index.items():
            if m2 == m and p2 == p + 1:
                trans[i, j] = 0.0
            elif p == m and p2 == 1:
                trans[i, j] = METER_BONUS[m2]
                change[i, j] = float(m2 != m)
            elif p2 == 1 and p != m:  # bar cut short
                trans[i, j] = -PHASE_SLIP_COST
                change[i, j] = float(m2 != m)
    templates = BAR_TEMPLATES if templates is None else templates
    emit_db = np.array([templates[m][p - 1] for (m, p) in states])
    not_one = np.array([0.0 if p == 1 else -1e9 for (_m, p) in states])  # at the given downbeat

    delta = score[0] * emit_db + (not_one if downbeat == 0 else 0.0)
    back = np.zeros((b, s), dtype=int)
    brk = np.zeros(b) if breaks is None else np.clip(np.asarray(breaks, dtype=float), 0.0, 1.0)
    for d in (1, 2):  # the new meter's first bar line may fall a beat or two after the break
        brk[d:] = np.maximum(brk[d:], brk[:-d])
    cost = METER_CHANGE_COST * (1.0 - brk) + METER_CHANGE_COST_AT_BREAK * brk
    for t in range(1, b):
        cand = delta[:, None] + trans - cost[t] * change
        back[t] = np.argmax(cand, axis=0)
        delta = cand[back[t], np.arange(s)] + score[t] * emit_db + (not_one if downbeat == t else 0.0)
    path = np.zeros(b, dtype=int)
    path[-1] = int(np.argmax(delta))
    for t in range(b - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    meter = np.array([states[k][0] for k in path], dtype=int)
    pos = np.array([states[k][1] for k in path], dtype=int)
    return meter, pos


def estimate_meter(
    y: np.ndarray, sr: int, beats_s: np.ndarray, *, env: np.ndarray, hop_length: int, chroma: np.ndarray | None = None,
    downbeat_act: np.ndarray | None = None, meters: tuple[int, ...] = METERS, downbeat: int | None = None,
) -> dict:
    """Meter per beat and the position of each beat in its bar.

    Parameters
    ----------
    y : np.ndarray, shape (N,)
        Mono audio.
    sr : int
        Sample rate in Hz.
    beats_s : np.ndarray, shape (B,)
        Beat times in seconds.
    env : np.ndarray, shape (T,)
        Onset envelope at ``hop_length``.
    hop_length : int
        Samples per frame.
    chroma : np.ndarray, shape (12, T2), optional
        Chromagram at ``2 * hop_length``.
    downbeat_act : np.ndarray, shape (T,), optional
        How much each frame (at ``hop_length``) sounds like a "1", from
        :mod:`kanat.listen.beatnet`; one more cue, weighted :data:`NET_WEIGHT`.
    meters, downbeat
        What the choreographer said (see :func:`decode_bars`).

    Returns
    -------
    result : dict
        ``meter`` (B,) int, ``beat_in_bar`` (B,) int, ``score`` (B,) float
        downbeat score, ``breaks`` (B,) 1.0 where a new passage starts,
        ``features`` dict of (B,) arrays.
    """
    beats_s = np.asarray(beats_s, dtype=float)
    if len(beats_s) < 4:
        n = len(beats_s)
        return {
            "meter": np.full(n, 4, dtype=int),
            "beat_in_bar": (np.arange(n) % 4 + 1).astype(int),
            "score": np.zeros(n),
            "breaks": np.zeros(n),
            "features": {},
        }
    feats = beat_features(y, sr, beats_s, env=env, hop_length=hop_length, chroma=chroma)
    weights = dict(FEATURE_WEIGHTS)
    if downbeat_act is not None and NET_WEIGHT > 0:
        feats["net"] = peak_near(downbeat_act, beats_s, sr, hop_length)
        weights["net"] = NET_WEIGHT
    score = downbeat_score(feats, weights)
    breaks = passage_breaks(beats_s, feats["loudness"])
    meter, pos = decode_bars(score, breaks, bar_templates(NET_QUADRUPLE) if "net" in feats else None,
                             meters=meters, downbeat=downbeat)
    return {"meter": meter, "beat_in_bar": pos, "score": score, "breaks": breaks, "features": feats}


#: Above this tempo (BPM), a bar of three is checked for being two dotted beats (6/8).
COMPOUND_MIN_BPM = 140.0
#: How much louder the onset halfway through a bar of three must be than at
#: its beats 2 and 3 for the bar to be heard as two dotted beats (measured:
#: 1.26 in a melody-only 6/8 jig, 0.0-0.79 in five 3/4 pieces).
COMPOUND_RATIO = 1.15


def compound_beats(env: np.ndarray, beats_s: np.ndarray, meter: np.ndarray, beat_in_bar: np.ndarray, sr: int, hop_length: int) -> np.ndarray | None:
    """Beats of a 6/8 (or 6/4) piece heard at the quaver-pair level, re-counted in two; or None.

    A fast bar of three (over :data:`COMPOUND_MIN_BPM`) is a 6/8 bar when its
    strongest onsets fall halfway through it (the second dotted beat) rather
    than on its beats 2 and 3. A dancer counts such a jig in two, so when
    nearly all bars are of three and the half-bar onsets are
    :data:`COMPOUND_RATIO` times stronger than beats 2 and 3, the beats are
    rebuilt as each bar's start and middle.

    Returns
    -------
    beats_s : np.ndarray, shape (B',), or None
        The new beats, or None when the music is not heard as compound.
    """
    beats_s = np.asarray(beats_s, dtype=float)
    if len(beats_s) < 12 or np.mean(meter == 3) < 0.8:
        return None
    if 60.0 / float(np.median(np.diff(beats_s))) < COMPOUND_MIN_BPM:
        return None
    starts = np.flatnonzero((beat_in_bar == 1) & (meter == 3))
    starts = starts[starts + 3 < len(beats_s)]
    if len(starts) < 4:
        return None
    d0, d1 = beats_s[starts], beats_s[starts + 3]
    mid = peak_near(env, (d0 + d1) / 2, sr, hop_length, before_s=0.03, after_s=0.03)
    on = 0.5 * (peak_near(env, beats_s[starts + 1], sr, hop_length, before_s=0.03, after_s=0.03)
                + peak_near(env, beats_s[starts + 2], sr, hop_length, before_s=0.03, after_s=0.03))
    if float(np.median(mid)) < COMPOUND_RATIO * float(np.median(on)) + 1e-9:
        return None
    # every bar start of three, plus its middle; other beats (a pickup, a bar of 2 or 4) kept
    out = []
    k = 0
    in_bar3 = set(starts.tolist())
    while k < len(beats_s):
        if k in in_bar3:
            out += [beats_s[k], 0.5 * (beats_s[k] + beats_s[k + 3])]
            k += 3
        else:
            out.append(beats_s[k])
            k += 1
    return np.asarray(out)
