"""The listen stage: a music file in, a :class:`~kanat.listen.musicmap.MusicMap` out.

Conventions
-----------
- Audio is analysed mono at :data:`kanat.listen.audio.SAMPLE_RATE` (22050 Hz);
  an array given at another rate is resampled first.
- Times are seconds from the start of the audio; tempo is in BPM at the level
  a dancer counts (see :mod:`kanat.listen.beats`).
- ``progress(fraction, message)`` is called with fractions rising from 0 to 1.
- This stage knows nothing of bodies or dance steps; it only hears music.

Steps: beats (:mod:`.beats`), bars and meter (:mod:`.meter`), counts,
phrases, sections and dynamics (:mod:`.structure`).
"""

from __future__ import annotations

import os
import time
from typing import Callable

import numpy as np

from kanat.errors import ParameterError
from kanat.listen import beats as beats_mod
from kanat.listen import meter as meter_mod
from kanat.listen import hinted, structure
from kanat.listen.audio import SAMPLE_RATE, check_signal, load_audio
from kanat.listen.hints import ListenHints
from kanat.listen.musicmap import MusicMap

Progress = Callable[[float, str], None]

#: Fewest beats for which a map makes sense (about 2 s of music at 60 BPM).
MIN_BEATS = 2
#: Below this pulse clarity (:func:`kanat.listen.beats.pulse_clarity`) the
#: attacks show no pulse: noise measures about 0.1, piano 0.5-0.8, but bowed
#: strings and flutes 0.05-0.3 as well; tonal music is then listened to again
#: for its new notes, and anything else gets a steady grid and a warning.
MIN_PULSE_CLARITY = 0.3
#: Below this :func:`kanat.listen.meter.tonality` a sound with no pulse is not
#: taken for music (white noise 0.2-0.35, music 0.84-0.97).
MIN_TONALITY = 0.6
#: Listen with the beat network (:mod:`kanat.listen.beatnet`) when its weights are installed.
USE_NETWORK = True


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(float(fraction), message)


def _fallback_beats(duration_s: float) -> np.ndarray:
    """A steady 120 BPM grid for music with no detectable pulse, shape (B,)."""
    return np.arange(0.0, max(duration_s - 0.25, 0.5), 0.5)


def listen(
    audio: str | os.PathLike | np.ndarray, *, sr: int | None = None, score: str | os.PathLike | None = None,
    progress: Progress | None = None, hints: ListenHints | None = None,
) -> MusicMap:
    """Hear a piece of music the way a dancer counts it.

    Parameters
    ----------
    audio : str, PathLike or np.ndarray
        A music file (wav, flac, ogg, mp3), or mono samples of shape (N,)
        (then ``sr`` is required).
    sr : int, optional
        Sample rate of ``audio`` in Hz when it is an array. Must be omitted
        for a file (files are read at 22050 Hz).
    hints : ListenHints, optional
        What the choreographer knows about the music (meter, tempo, the
        first "1", tapped beats): believed over the ear, and the beats and
        bars are found again around them (:mod:`kanat.listen.hinted`); kept
        in ``extras["hints"]``. Not with ``score``, which gives all of it.
    score : str or PathLike, optional
        The piece's MIDI (``.mid``) or MusicXML (``.musicxml``, ``.xml``,
        ``.mxl``). The meter, the bars and the pickup then come from the
        score, aligned to the recording (:mod:`kanat.listen.score`, :mod:`kanat.listen.align`), so the
        counts follow the performer's rubato; a MIDI file without a time
        signature gives the beats and the meter is heard.
    progress : callable(fraction: float, message: str), optional
        Told how far the analysis has got, for a progress bar.

    Returns
    -------
    music : MusicMap
        Beats, downbeats, meter, counts, phrases, sections, energy and accent.
        ``extras`` holds ``meter_changes_s`` (times where the meter changes),
        ``tempo_curve_bpm`` (per beat), ``pulse_clarity`` (0-1),
        ``beats_fallback`` (True when no beat was heard and the beats are a
        steady 120 BPM grid; ``warning`` then says so; ``warning`` also says
        when the pulse is faint), ``phrase_letters``
        (one lower-case letter per phrase; phrases of the same music share
        one, also within a section), ``analysis_s``, and
        with a score ``score`` (its file), ``score_align_cost`` and
        ``score_repeats``.

    Raises
    ------
    AudioError
        The file is missing, empty, not audio, too short or silent.
    ParameterError
        ``sr`` is missing for an array, or given for a file; the score is
        missing or not MIDI/MusicXML.
    FormatError
        The score cannot be read or holds no notes.

    Examples
    --------
    >>> import kanat, pathlib
    >>> music = listen(pathlib.Path(kanat.__file__).parent / "data" / "demo.ogg")
    >>> music.beats_per_bar in (2, 3, 4)
    True
    """
    t_start = time.perf_counter()
    _report(progress, 0.0, "reading the music")
    hints = hints if hints is not None else ListenHints()
    if not isinstance(hints, ListenHints):
        raise ParameterError(f"listen(): hints must be ListenHints, got {type(hints).__name__}")
    if score is not None and not hints.empty:
        raise ParameterError("the score gives the meter, the bars and the tempo: give either the score (--score) or "
                             "listening hints (--meter, --bpm, --first-downbeat, --taps), not both")
    y, rate, source = _read_input(audio, sr, score)
    duration_s = len(y) / rate
    hinted.check_hints(hints, duration_s)

    if score is not None:
        _report(progress, 0.1, "following the score")
        beats_s, meter, beat_in_bar, breaks, env, chroma, score_extras = _from_score(score, y, rate, duration_s)
        clarity, warning, fallback = 1.0, "", False
    else:
        beats_s, meter, beat_in_bar, breaks, env, chroma, clarity, warning, fallback = _from_audio(
            y, rate, duration_s, progress, hints)
        score_extras = {}
    hop = beats_mod.HOP

    _report(progress, 0.7, "counting phrases and sections")
    counts, labels, phrases = structure.count_beats(meter, beat_in_bar, breaks)
    bchroma = structure.beat_chroma(chroma, beats_s, rate, hop * 2)
    sim = structure.phrase_similarity(bchroma, phrases, meter)
    letters = structure.phrase_letters(sim)
    sections = structure.label_sections(beats_s, phrases, letters, duration_s)

    _report(progress, 0.85, "measuring energy and accents")
    energy = structure.beat_energy(y, rate, beats_s, env, hop)
    accent = structure.normalise_accent(meter_mod.peak_near(env, beats_s, rate, hop))

    tempo_bpm, local_bpm = _tempo(beats_s)
    values, n = np.unique(meter, return_counts=True)
    beats_per_bar = int(values[np.argmax(n)]) if len(values) else 4
    extras = _extras(beats_s, meter, beat_in_bar, breaks, local_bpm, letters, clarity=clarity, fallback=fallback,
                     score_extras=score_extras)
    if not hints.empty:
        extras["hints"] = hints.to_dict()
    extras["analysis_s"] = round(time.perf_counter() - t_start, 3)

    music = MusicMap(
        duration_s=duration_s,
        tempo_bpm=tempo_bpm,
        beats_s=beats_s,
        downbeats_s=beats_s[beat_in_bar == 1],
        beats_per_bar=beats_per_bar,
        meter=meter,
        beat_in_bar=beat_in_bar,
        counts=counts,
        count_labels=labels,
        phrases=phrases,
        sections=sections,
        energy=energy,
        accent=accent,
        source=source,
        extras=extras,
    )
    if warning:
        music.extras["warning"] = warning
    _report(progress, 1.0, "done")
    return music


def _read_input(
    audio: str | os.PathLike | np.ndarray, sr: int | None, score: str | os.PathLike | None,
) -> tuple[np.ndarray, int, str]:
    """Check :func:`listen`'s inputs; the mono samples at :data:`SAMPLE_RATE`, their rate and the source file."""
    if score is not None:
        from kanat.listen.score import check_score_path

        check_score_path(score)
    if isinstance(audio, np.ndarray):
        if sr is None:
            raise ParameterError("listen(): sr (the sample rate in Hz) is required when audio is an array of samples")
        if not isinstance(sr, (int, np.integer)) or sr <= 0:
            raise ParameterError(f"listen(): sr must be a positive whole number of Hz, got {sr!r}")
        y = check_signal(audio, int(sr))
        if sr != SAMPLE_RATE:
            import librosa

            y = librosa.resample(y, orig_sr=int(sr), target_sr=SAMPLE_RATE).astype(np.float32)
        return y, SAMPLE_RATE, ""
    if isinstance(audio, (str, os.PathLike)):
        if sr is not None:
            raise ParameterError(f"listen(): sr={sr!r} is only for arrays of samples; a file is read at its own rate")
        y, rate = load_audio(audio, sr=SAMPLE_RATE)
        return y, rate, str(audio)
    raise ParameterError(f"listen(): audio must be a file path or a numpy array of samples, got {type(audio).__name__}")


def _tempo(beats_s: np.ndarray) -> tuple[float, np.ndarray]:
    """The median tempo (BPM) and the local tempo at each beat (a 3-beat mean), shape (B,); 120 BPM without beats."""
    ibis = np.diff(beats_s)
    tempo_bpm = float(np.median(60.0 / ibis)) if len(ibis) else 120.0
    if not len(ibis):
        return tempo_bpm, np.full(len(beats_s), 120.0)
    return tempo_bpm, 60.0 / np.convolve(np.append(ibis, ibis[-1:]), np.ones(3) / 3, mode="same")


def _extras(
    beats_s: np.ndarray, meter: np.ndarray, beat_in_bar: np.ndarray, breaks: np.ndarray, local_bpm: np.ndarray,
    letters: list, *, clarity: float, fallback: bool, score_extras: dict,
) -> dict:
    """The map's ``extras`` (see :func:`listen`) but ``analysis_s`` and ``warning``."""
    changes = [float(beats_s[i]) for i in range(1, len(meter)) if meter[i] != meter[i - 1] and beat_in_bar[i] == 1]
    return {
        "meter_changes_s": [round(t, 4) for t in changes],
        "passage_starts_s": [round(float(t), 4) for t in beats_s[breaks > 0]],
        "tempo_curve_bpm": [round(float(v), 2) for v in local_bpm],
        "pulse_clarity": round(clarity, 3),
        "beats_fallback": bool(fallback),
        "phrase_letters": [x.lower() for x in letters],
        **score_extras,
    }


def _from_audio(y: np.ndarray, rate: int, duration_s: float, progress: Progress | None,
                hints: ListenHints | None = None):
    """Beats by ear, then bars and meter by ear, around the choreographer's hints.

    Two listeners track the beats: the spectral flux of the attacks, and the
    beat network (:mod:`kanat.listen.beatnet`) when its weights are there.
    The one whose beats show the clearer pulse is believed: the network for
    music (0.55-0.95 on the benchmark, where the flux reads 0.1-0.8), the
    flux for a click track, which the network never heard. With the network
    its downbeat activation also helps find the bars.
    """
    hints = hints or ListenHints()
    hop = beats_mod.HOP
    _report(progress, 0.1, "finding the beats")
    env = beats_mod.onset_envelope(y, rate, hop_length=hop)
    beats_s, clarity, act = _heard_beats(y, rate, env, hinted.hinted_bpm(hints))
    chroma = meter_mod.chromagram(y, rate, hop_length=hop * 2)
    beats_s, clarity, act, warning, fallback = _faint_or_none(y, rate, env, chroma, beats_s, clarity, act,
                                                              duration_s, hints)
    if hints.taps_s:
        beats_s = hinted.with_taps(beats_s, hints.taps_s, env, rate, hop)

    _report(progress, 0.45, "finding the bars and the meter")
    downs = act[1] if act is not None else None
    told = hinted.counted_meter(hints)
    if told is not None:
        return (*_bars_as_told(y, rate, env, chroma, beats_s, downs, told, hints), env, chroma, clarity, warning,
                fallback)
    bars = meter_mod.estimate_meter(y, rate, beats_s, env=env, hop_length=hop, chroma=chroma, downbeat_act=downs,
                                    downbeat=hinted.downbeat_index(beats_s, hints))
    compound = meter_mod.compound_beats(env, beats_s, bars["meter"], bars["beat_in_bar"], rate, hop)
    if compound is not None and act is None and hinted.hinted_bpm(hints) is None:
        beats_s = compound  # a jig heard in quavers: count its dotted beats, in two
        bars = meter_mod.estimate_meter(y, rate, beats_s, env=env, hop_length=hop, chroma=chroma,
                                        downbeat=hinted.downbeat_index(beats_s, hints))
    meter, beat_in_bar = hinted.lock_phase(bars["meter"], bars["beat_in_bar"], bars["breaks"],
                                           hinted.downbeat_index(beats_s, hints))
    return beats_s, meter, beat_in_bar, bars["breaks"], env, chroma, clarity, warning, fallback


def _heard_beats(y: np.ndarray, rate: int, env: np.ndarray, bpm: float | None):
    """Beats of the spectral flux or of the network, whichever shows the clearer pulse; (beats, clarity, act)."""
    hop = beats_mod.HOP
    info: dict = {}
    beats_s, _, _ = beats_mod.track_beats(y, rate, hop_length=hop, env=env, info=info, prior_bpm=bpm)
    clarity = float(info.get("clarity", 0.0))
    act = _network(y, rate, len(env)) if USE_NETWORK else None
    if act is not None:
        heard: dict = {}
        net_beats, _, _ = beats_mod.track_beats(y, rate, hop_length=hop, env=act[0], info=heard, lag_s=0.0,
                                                trim=False, prior_bpm=bpm)
        if float(heard.get("clarity", 0.0)) >= clarity:
            beats_s, clarity = _drop_silent_beats(net_beats, env, rate, hop), float(heard["clarity"])
        else:
            act = None
    return beats_s, clarity, act


def _faint_or_none(y, rate, env, chroma, beats_s, clarity, act, duration_s, hints: ListenHints):
    """A faint pulse listened to again for new notes; no beat at all replaced by a grid, with the warning."""
    bpm = hinted.hinted_bpm(hints)
    warning, fallback = "", False
    faint = clarity < MIN_PULSE_CLARITY or len(beats_s) < MIN_BEATS
    tonal = meter_mod.tonality(chroma) if faint else 1.0
    if faint and tonal >= MIN_TONALITY:
        # soft attacks (bowed strings, a flute, a voice): listen for new notes as well as for attacks
        soft: dict = {}
        beats_s, _, _ = beats_mod.track_beats(
            y, rate, hop_length=beats_mod.HOP, env=beats_mod.soft_onset_envelope(env, chroma), info=soft,
            prior_octaves=None if bpm else beats_mod.FAINT_PRIOR_OCTAVES, prior_bpm=bpm,
        )
        clarity, act = max(clarity, float(soft.get("clarity", 0.0))), None
        if clarity < MIN_PULSE_CLARITY:
            warning = (f"the pulse is faint (clarity {clarity:.2f}; music with clear attacks is above 0.5): "
                       "check the counts in music.png, or give the piece's score (--score) for exact bars")
    if len(beats_s) < MIN_BEATS or tonal < MIN_TONALITY:
        why = ("too few beats were heard" if len(beats_s) < MIN_BEATS else
               f"no steady beat was heard (pulse clarity {clarity:.2f}, music is usually above 0.5) and it "
               f"hardly sounds like notes (tonality {tonal:.2f}, music is above 0.8)")
        grid = hinted.grid_beats(hints, duration_s)
        if grid is not None and len(grid) >= MIN_BEATS:
            warning = f"{why}; the beats are a steady grid at your {60.0 / np.median(np.diff(grid)):.0f} BPM"
            beats_s = grid
        else:
            warning = (f"{why}; the beats are a steady 120 BPM grid, not the music's own: "
                       "check the file is music with a pulse, or give the beats by hand (--bpm, --taps)")
            beats_s = _fallback_beats(duration_s)
        fallback, act = True, None
    return beats_s, clarity, act, warning, fallback


def _bars_as_told(y, rate, env, chroma, beats_s, downs, told: tuple[int, bool], hints: ListenHints):
    """Bars in the meter the choreographer gave: (beats, meter, beat_in_bar, breaks).

    A compound meter heard in quavers (faster than :data:`meter_mod.COMPOUND_MIN_BPM` and no tempo given)
    is grouped in threes first, and its dotted beats are the counts.
    """
    hop = beats_mod.HOP
    counts, compound = told
    tempo = 60.0 / float(np.median(np.diff(beats_s))) if len(beats_s) > 1 else 0.0
    if compound and hinted.hinted_bpm(hints) is None and tempo >= meter_mod.COMPOUND_MIN_BPM:
        quavers = meter_mod.estimate_meter(y, rate, beats_s, env=env, hop_length=hop, chroma=chroma, meters=(3,))
        beats_s, downs = beats_s[quavers["beat_in_bar"] == 1], None
    first = hinted.downbeat_index(beats_s, hints)
    bars = meter_mod.estimate_meter(y, rate, beats_s, env=env, hop_length=hop, chroma=chroma, downbeat_act=downs,
                                    meters=(counts,), downbeat=first)
    meter, beat_in_bar = hinted.lock_phase(bars["meter"], bars["beat_in_bar"], bars["breaks"], first)
    return beats_s, meter, beat_in_bar, bars["breaks"]


def _drop_silent_beats(beats_s: np.ndarray, env: np.ndarray, rate: int, hop: int) -> np.ndarray:
    """Beats where nothing starts to sound: dropped at the ends and in a pause between passages.

    The network hears a pulse go on through a short pause or a fade-out;
    the spectral flux ``env`` says whether anything sounds there (see
    :func:`kanat.listen.beats.drop_gap_beats`).
    """
    if len(beats_s) < 3:
        return beats_s
    strength = meter_mod.peak_near(env, beats_s, rate, hop, before_s=0.05, after_s=0.08)
    quiet = strength < 0.05 * np.median(strength)
    a, z = 0, len(beats_s)
    while a < z - 2 and quiet[a]:
        a += 1
    while z > a + 2 and quiet[z - 1]:
        z -= 1
    return beats_mod.drop_gap_beats(beats_s[a:z], strength[a:z])


def _network(y: np.ndarray, rate: int, n_frames: int) -> np.ndarray | None:
    """The beat network's beat and downbeat activations at the onset envelope's frames, shape (2, n_frames).

    None when kanat was installed without the network's weights.
    """
    from kanat.listen import beatnet

    if beatnet.load_weights() is None:
        return None
    act = beatnet.activations(beatnet.features(y, rate))  # (T, 2) at beatnet.HOP
    ratio = beatnet.HOP / beats_mod.HOP
    frames = np.arange(n_frames) / ratio
    return np.stack([np.interp(frames, np.arange(len(act)), act[:, k]) for k in range(2)])


def _from_score(score: str | os.PathLike, y: np.ndarray, rate: int, duration_s: float):
    """Beats, bars and meter from the score, placed in the recording by alignment."""
    import librosa

    from kanat.listen import align as align_mod
    from kanat.listen.audio import blockwise

    hop = beats_mod.HOP
    env = beats_mod.onset_envelope(y, rate, hop_length=hop)
    chroma = meter_mod.chromagram(y, rate, hop_length=hop * 2)
    align_hop = align_mod.ALIGN_HOP
    pool = align_hop // (hop * 2)
    n = chroma.shape[1] // pool * pool
    coarse = chroma[:, :n].reshape(12, -1, pool).mean(axis=2)
    rms = blockwise(lambda b: librosa.feature.rms(y=b, frame_length=align_hop, hop_length=align_hop)[0], y, align_hop, sr=rate)
    rms = np.pad(rms, (0, max(0, coarse.shape[1] - len(rms))))[: coarse.shape[1]]
    loud = rms / (rms.max() + 1e-12)
    timeline, beats_s, info = align_mod.align_score(
        score, coarse, loud, align_hop / rate, env, hop / rate, duration_s
    )
    if len(beats_s) < MIN_BEATS:
        raise ParameterError(
            f"score {score}: fewer than two of its beats fall inside the recording; check the score is of this music"
        )
    if timeline.meter is None:  # a bare MIDI file: the beats are the score's, the bars are heard
        bars = meter_mod.estimate_meter(y, rate, beats_s, env=env, hop_length=hop, chroma=chroma)
        meter, pos = bars["meter"], bars["beat_in_bar"]
    else:
        meter, pos = timeline.meter, timeline.beat_in_bar
    extras = {"score": str(score), "score_align_cost": info["align_cost"], "score_repeats": info["repeats"],
              "meter_from": "score" if timeline.meter is not None else "heard"}
    return beats_s, meter, pos, np.zeros(len(beats_s)), env, chroma, extras
