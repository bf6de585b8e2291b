"""Score-informed listening, the reading: the piece's MIDI or MusicXML gives the bars (the recording gives
the time: :mod:`kanat.listen.align`).

Conventions
-----------
- A :class:`ScoreTimeline` holds the score in *score seconds*: the tempo the
  score asks for (its MIDI tempo map, or its metronome marks; 120 quarter
  notes a minute where it names none). Beats are at the level a dancer counts:
  quarter notes in x/4, dotted quarters in 6/8, 9/8 and 12/8 (a jig is counted
  in two), quavers in 3/8, half notes in 2/2 and 3/2. Bars of 5 or more
  counted beats are split into bars of 2, 3 and 4 (5 = 3 + 2, 6 = 3 + 3,
  7 = 4 + 3).
- A short first bar is a pickup: its beats count as the end of a bar, not as
  a "1". A bar cut short later (before a repeat, or the last bar) keeps the
  meter around it, and the two halves of a bar split by a repeat sign count
  as one bar.
- :func:`kanat.listen.align.align_score` places these beats in a recording.
- MIDI is read with pretty_midi; MusicXML (``.musicxml``, ``.xml``, ``.mxl``)
  with music21, repeats written out when the recording plays them (the
  alignment with and without repeats is compared).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kanat.errors import FormatError, ParameterError

MIDI_SUFFIXES = (".mid", ".midi")
MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")
#: Bars of this many counted beats are split into counted bars like this.
SPLIT_BARS = {1: (1,), 5: (3, 2), 6: (3, 3), 7: (4, 3), 8: (4, 4), 9: (3, 3, 3)}


@dataclass
class ScoreTimeline:
    """A score's notes and counted beats, in score seconds.

    Attributes
    ----------
    notes : np.ndarray, shape (N, 4)
        ``onset_s, end_s, midi_pitch, velocity`` (velocity 1-127), by onset.
    beats_s : np.ndarray, shape (B,)
        Counted beats, increasing.
    meter : np.ndarray of int, shape (B,), or None
        Beats in each beat's bar (2, 3 or 4); None when the score names no
        time signature (a bare MIDI file), and the meter is then heard.
    beat_in_bar : np.ndarray of int, shape (B,), or None
        1 on the "1" of a bar; pickup beats count as the end of a bar.
    source : str
        The file it was read from.
    """

    notes: np.ndarray
    beats_s: np.ndarray
    meter: np.ndarray | None
    beat_in_bar: np.ndarray | None
    source: str = ""

    @property
    def end_s(self) -> float:
        return float(max(self.notes[:, 1].max() if len(self.notes) else 0.0, self.beats_s[-1] if len(self.beats_s) else 0.0))


# ---------------------------------------------------------------- reading
def read_score(path: str | os.PathLike, *, repeats: bool = True) -> ScoreTimeline:
    """Read a MIDI or MusicXML file into a :class:`ScoreTimeline`.

    Parameters
    ----------
    path : str or PathLike
        ``.mid``/``.midi`` or ``.musicxml``/``.xml``/``.mxl``.
    repeats : bool
        MusicXML only: write out the repeats (as most recordings play them).

    Raises
    ------
    ParameterError
        The file is missing or of another kind.
    FormatError
        The file cannot be read as a score, or holds no notes.
    """
    readings = score_readings(path)
    return next((timeline for written_out, timeline in readings if written_out == repeats), readings[0][1])


def score_readings(path: str | os.PathLike) -> list[tuple[bool, ScoreTimeline]]:
    """The ways a recording may play the score: ``(repeats written out, timeline)``, read from one parse.

    The first has the repeats written out; a MusicXML score whose repeats
    change its length also gives the score as written. A MIDI file is
    already as played. Raises as :func:`read_score`.
    """
    p = check_score_path(path)
    if p.suffix.lower() in MIDI_SUFFIXES:
        readings = [(True, _read_midi(p))]
    else:
        score = _parse_musicxml(p)
        try:
            expanded = score.expandRepeats()
        except Exception:  # noqa: BLE001 - badly formed repeats: read it as written
            expanded = None
        readings = [(True, _timeline_from_music21(expanded if expanded is not None else score, str(p)))]
        if expanded is not None:
            plain = _timeline_from_music21(score, str(p))
            if len(plain.beats_s) != len(readings[0][1].beats_s):
                readings.append((False, plain))
    for _, timeline in readings:
        if len(timeline.notes) == 0:
            raise FormatError(f"score {p}: it holds no notes; check it is the piece's score")
        if len(timeline.beats_s) < 2:
            raise FormatError(f"score {p}: it is shorter than two beats; check it is the whole piece")
    return readings


def check_score_path(path: str | os.PathLike) -> Path:
    """The score's path if it is an existing MIDI or MusicXML file; else a clear :class:`ParameterError`."""
    p = Path(path)
    if p.is_dir():
        raise ParameterError(f"score {p}: a folder; give the piece's MIDI (.mid) or MusicXML (.musicxml, .xml, .mxl) file")
    if not p.is_file():
        raise ParameterError(f"score {p}: no such file; give the piece's MIDI (.mid) or MusicXML (.musicxml, .xml, .mxl)")
    if p.suffix.lower() not in MIDI_SUFFIXES + MUSICXML_SUFFIXES:
        raise ParameterError(
            f"score {p}: '{p.suffix or '(no extension)'}' is not a score kanat reads; "
            "give the piece's MIDI (.mid) or MusicXML (.musicxml, .xml, .mxl)"
        )
    return p


def _counted_bars(n_beats: int) -> tuple[int, ...]:
    """How a notated bar of ``n_beats`` counted beats is counted: (2,), (3,), (3, 2), ..."""
    if n_beats in (2, 3, 4):
        return (n_beats,)
    if n_beats in SPLIT_BARS:
        return SPLIT_BARS[n_beats]
    fours = n_beats // 4 - 1
    return (4,) * fours + _counted_bars(n_beats - 4 * fours)


def _grid_from_bars(bars: list[tuple[str, list[float]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Beats, meter and beat-in-bar from notated bars ``(kind, beat times)``.

    ``kind`` is "full", "pickup" (a short first bar: its beats are the end of
    a bar) or "short" (a bar cut short later on, as before a repeat or at the
    end). A short bar keeps the meter around it rather than changing it;
    two short bars that together make one full bar (a bar split by a repeat
    sign, both halves played) are counted as that one bar.
    """
    beats, meter, pos = [], [], []
    regular = next((len(t) for kind, t in bars if kind == "full"), 3)
    k = 0
    while k < len(bars):
        kind, times = bars[k]
        if kind == "full":
            regular = len(times)
        elif kind == "short" and k + 1 < len(bars) and bars[k + 1][0] == "short" and len(times) + len(bars[k + 1][1]) == regular:
            times = times + bars[k + 1][1]  # the two halves of a bar split by a repeat sign
            kind = "full"
            k += 1
        groups = _counted_bars(regular)
        if kind == "pickup":
            m, n = groups[-1], len(times)
            for j, t in enumerate(times):
                beats.append(t)
                meter.append(m)
                pos.append(max(1, m - (n - 1 - j)) if n < m else (j % m) + 1)
        else:
            if kind == "full":
                groups = _counted_bars(len(times))
            j = 0
            for g in groups:
                for i in range(g):
                    if j < len(times):
                        beats.append(times[j])
                        meter.append(g)
                        pos.append(i + 1)
                    j += 1
        k += 1
    return np.asarray(beats, float), np.asarray(meter, int), np.asarray(pos, int)


def _read_midi(p: Path) -> ScoreTimeline:
    import pretty_midi

    try:
        pm = pretty_midi.PrettyMIDI(str(p))
    except Exception as exc:  # noqa: BLE001 - pretty_midi and mido raise many kinds
        raise FormatError(f"score {p}: not a readable MIDI file ({type(exc).__name__}: {exc}); export it again as a standard MIDI file") from None
    notes = [(n.start, n.end, n.pitch, n.velocity) for inst in pm.instruments if not inst.is_drum for n in inst.notes]
    notes_arr = np.asarray(sorted(notes), float).reshape(-1, 4)
    end = float(notes_arr[:, 1].max()) if len(notes_arr) else 0.0
    beats = np.asarray(pm.get_beats(), float)
    beats = beats[beats < end - 1e-6] if len(beats) else beats
    if not pm.time_signature_changes or len(beats) < 2:
        return ScoreTimeline(notes_arr, beats, None, None, str(p))
    lines = np.asarray(pm.get_downbeats(), float)
    lines = lines[lines < end - 1e-6]
    bounds = np.r_[lines, max(end, beats[-1] + 1e-3)]
    spans = [(a, z, beats[(beats >= a - 1e-6) & (beats < z - 1e-6)]) for a, z in zip(bounds[:-1], bounds[1:])]
    durations = np.array([z - a for a, z, _ in spans])
    bars: list[tuple[str, list[float]]] = []
    for k, (a, z, times) in enumerate(spans):
        # the bar it is short against: the one before (the one after, for the first)
        ref = k - 1 if k > 0 else min(1, len(spans) - 1)
        if durations[k] >= durations[ref] - 1e-3 or len(spans[ref][2]) < 2:
            bars.append(("full", list(times)))
            continue
        # pretty_midi counts a short bar's own denominator (a 3/8 cut from 6/8 gets three quavers):
        # count it in the beats of the bar beside it
        step = float(np.median(np.diff(spans[ref][2])))
        if k == 0:
            n = int(np.floor((z - a) / step + 1e-6))
            bars.append(("pickup", [z - step * j for j in range(n, 0, -1)]))
        else:  # the last bar ends where its notes do, a little before its bar line
            n = max(1, int(np.round((z - a) / step)))
            bars.append(("short", [a + step * j for j in range(n)]))
    bars = [(kind, t) for kind, t in bars if t]
    b, m, pos = _grid_from_bars(bars)
    return ScoreTimeline(notes_arr, b, m, pos, str(p))


def _parse_musicxml(p: Path):
    import warnings

    try:
        from music21 import converter

        with warnings.catch_warnings():  # music21's notes on overfull bars and the like are not the user's concern
            warnings.simplefilter("ignore")
            return converter.parse(str(p))
    except Exception as exc:  # noqa: BLE001 - music21 raises many kinds
        raise FormatError(f"score {p}: not a readable MusicXML file ({type(exc).__name__}: {exc}); export it again from your notation program") from None


def _quarter_seconds(score) -> Callable[[np.ndarray], np.ndarray]:
    """Score offset (quarter notes) -> score seconds, from the metronome marks."""
    marks = [(float(a), float(z), mm) for a, z, mm in score.metronomeMarkBoundaries() if z > a]
    knots_q, knots_s, spq = [0.0], [0.0], []
    for a, z, mm in marks:
        bpm = mm.getQuarterBPM() or 120.0
        knots_q.append(z)
        knots_s.append(knots_s[-1] + (z - a) * 60.0 / bpm)
        spq.append(60.0 / bpm)
    last = spq[-1] if spq else 0.5
    kq, ks = np.asarray(knots_q), np.asarray(knots_s)

    def to_s(q):
        q = np.asarray(q, float)
        return np.where(q <= kq[-1], np.interp(q, kq, ks), ks[-1] + (q - kq[-1]) * last)

    return to_s


def _timeline_from_music21(score, source: str) -> ScoreTimeline:
    from music21 import meter as m21meter

    parts = list(score.parts) if len(score.parts) else [score]
    measures = [list(part.getElementsByClass("Measure")) for part in parts]
    to_s = _quarter_seconds(score)
    notes: list[tuple[float, float, int, int]] = []
    if not measures[0]:  # no bars at all: notes as they stand, beats every quarter
        for n in score.flatten().notes:
            for pitch in n.pitches:
                notes.append((float(n.offset), float(n.offset + n.quarterLength), pitch.midi, 80))
        q_end = max((z for _, z, _, _ in notes), default=0.0)
        beats_q = np.arange(0.0, q_end, 1.0)
        arr = np.asarray(sorted(notes), float).reshape(-1, 4)
        arr[:, :2] = to_s(arr[:, :2])
        return ScoreTimeline(arr, to_s(beats_q), None, None, source)

    # one length per bar, from the first part; a pickup's is where its notes and rests end (longest part)
    first = measures[0]
    ts = None
    bar_info = []  # (start_q, length_q, time signature)
    cursor = 0.0
    for k, m in enumerate(first):
        ts = m.timeSignature or ts or m.getContextByClass(m21meter.TimeSignature) or m21meter.TimeSignature("4/4")
        bar_q = float(ts.barDuration.quarterLength)
        length = float(m.duration.quarterLength)
        if k == 0 and (m.paddingLeft > 0 or length < bar_q - 1e-6):
            length = max((max((float(e.offset + e.quarterLength) for e in part_ms[0].notesAndRests), default=0.0)
                          for part_ms in measures if part_ms), default=length)
            length = min(length, bar_q)
        bar_info.append((cursor, length, ts))
        cursor += length

    for part_ms in measures:
        aligned = len(part_ms) == len(first)
        for k, m in enumerate(part_ms):
            start = bar_info[k][0] if aligned else float(m.offset)
            for n in m.flatten().notes:
                if n.duration.isGrace or n.quarterLength <= 0:
                    continue
                vel = n.volume.velocity if n.volume is not None and n.volume.velocity else 80
                on = start + float(n.offset)
                for pitch in n.pitches:
                    notes.append((on, on + float(n.quarterLength), int(pitch.midi), int(vel)))

    bars: list[tuple[str, list[float]]] = []
    for k, (start, length, ts) in enumerate(bar_info):
        beat_q = float(ts.beatDuration.quarterLength)
        count = int(ts.beatCount)
        bar_q = float(ts.barDuration.quarterLength)
        if count == 1:  # 3/8 and the like: count the three quavers
            beat_q = bar_q / max(int(ts.numerator), 1)
        short = length < bar_q - 1e-6
        if short and k == 0:  # a pickup: beats counted back from the bar line
            times = sorted(start + length - beat_q * j for j in range(1, int(np.floor(length / beat_q + 1e-6)) + 1))
        else:
            times = [start + beat_q * j for j in range(int(round(bar_q / beat_q))) if beat_q * j < length - 1e-6]
        if times:
            bars.append(("pickup" if short and k == 0 else "short" if short else "full", times))
    b_q, meter, pos = _grid_from_bars(bars)
    arr = np.asarray(sorted(notes), float).reshape(-1, 4)
    arr[:, :2] = to_s(arr[:, :2])
    return ScoreTimeline(arr, to_s(b_q), meter, pos, source)
