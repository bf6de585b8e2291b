"""Render kanat's demo music and its ground truth from public-domain scores.

Usage::

    .venv/bin/python scripts/make_demo_music.py [--out-dir src/kanat/data]

Writes ``demo.ogg`` (Ogg Vorbis, stereo, 44.1 kHz), ``demo_truth.json`` (beat,
downbeat and meter ground truth) and ``LICENSES.md`` into ``--out-dir``.

The demo is two dance passages played on a piano, as a ballet-class pianist
would: a minuet in 3/4 (Mozart, String Quartet K. 458 "The Hunt", Menuetto)
followed by a rag in 2/4 (Joplin, "Maple Leaf Rag", first strain with its
repeat). Both scores come from music21's corpus. Notes are taken from the
score, timed at a fixed tempo per passage, given a light metric accent (beat 1
louder) and rendered with FluidSynth and the FluidR3 GM soundfont.

Conventions
-----------
- Score positions are in quarter lengths (``ql``); a beat is a quarter note in
  both passages (a dotted quarter in 6/8, an eighth in 3/8, see
  :func:`beat_length`). Seconds = passage start + ql * 60 / tempo_bpm (in
  strict time; a passage with ``rubato`` maps ql through its tempo curve).
- music21 puts a pickup (anacrusis) bar at offset 0; the first downbeat is at
  the pickup's length, so the truth grid is shifted by it.
- The output is reproducible: same scores, same soundfont, no randomness.
  The decoded samples of ``demo.ogg`` are identical from run to run; the
  file's bytes differ only in the Ogg stream's random serial number.

Other functions here (``render_passages``, ``score_events``, per-part
instruments, rubato, and score MIDI files from ``demo_music_files.py``) are reused by ``benchmarks/listen.py``
to render its annotated set of corpus pieces to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# the score MIDI, the Ogg writer and the licence sheet live beside this script
sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_music_files import LICENSES_MD, write_ogg_blocks, write_score_midi  # noqa: E402

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SR = 44100
GAP_S = 0.6  # silence (after the last note's release) between passages
FLUIDSYNTH_TIMEOUT_S = 180


@dataclass
class Passage:
    """One excerpt of a corpus score.

    Attributes
    ----------
    corpus_path : str
        music21 corpus name, e.g. ``"mozart/k458/movement2"``; one tune of a
        collection is ``"file.abc#number"``.
    segments : list of (int, int)
        Measure-number ranges (inclusive) played in order, to spell out repeats.
    tempo_bpm : float
        Quarter notes per minute.
    title, composer, licence : str
        For the truth file and LICENSES.md.
    program : int
        General MIDI program (0 = acoustic grand piano) of every part.
    programs : tuple of int, optional
        General MIDI program per part, top part first (e.g. ``(40, 40, 41, 42)``
        for a string quartet); parts past its end take its last entry.
        Overrides ``program``.
    rubato : float
        Depth of a breathing tempo: the tempo swings by ``+-rubato`` on a slow
        sine (one period per two phrases) and slows by up to ``2 * rubato``
        into every phrase end, back a tempo on the next phrase. 0 plays in
        strict time.
    """

    corpus_path: str
    segments: list[tuple[int, int]]
    tempo_bpm: float
    title: str
    composer: str
    licence: str = "public domain (composer died more than 100 years ago); encoding from the music21 corpus"
    program: int = 0
    programs: tuple[int, ...] | None = None
    rubato: float = 0.0

    def part_program(self, part_index: int) -> int:
        """General MIDI program of part ``part_index``."""
        if not self.programs:
            return self.program
        return self.programs[min(part_index, len(self.programs) - 1)]


DEMO_PASSAGES = [
    Passage(
        corpus_path="mozart/k458/movement2",
        segments=[(1, 8), (1, 8), (9, 28)],
        tempo_bpm=138.0,
        title="String Quartet No. 17 in B-flat major, K. 458 'The Hunt', II. Menuetto (bars 1-8 twice, 9-28)",
        composer="Wolfgang Amadeus Mozart (1756-1791)",
    ),
    Passage(
        corpus_path="joplin/maple_leaf_rag",
        segments=[(0, 16), (1, 15), (17, 17)],
        tempo_bpm=100.0,
        title="Maple Leaf Rag (first strain with its repeat)",
        composer="Scott Joplin (1868-1917), published 1899",
    ),
]


@dataclass
class ScoreEvents:
    """Notes and metric grid of one passage, in quarter lengths from its start.

    Attributes
    ----------
    notes : list of (float, float, int, int, int)
        ``(onset_ql, duration_ql, midi_pitch, velocity, part_index)``.
    beats_ql : np.ndarray, shape (B,)
        Beat positions (quarter notes), the first at or after 0.
    downbeats_ql : np.ndarray, shape (D,)
        Bar starts (a subset of ``beats_ql``).
    beats_per_bar : int
        Beats (as a dancer counts them) per bar: 3 in 3/4 and 3/8, 2 in 2/4
        and 6/8, 4 in 4/4.
    length_ql : float
        Length of the passage.
    beat_ql : float
        Length of one beat: 1 in x/4, 0.5 in 3/8, 1.5 (a dotted quarter) in
        6/8, 9/8 and 12/8.
    time_signature : str
        As written, e.g. ``"6/8"``.
    bars : list of (float, float)
        ``(start_ql, length_ql)`` of every bar played, a pickup included; a
        bar split by a repeat sign is one bar.
    """

    notes: list
    beats_ql: np.ndarray
    downbeats_ql: np.ndarray
    beats_per_bar: int
    length_ql: float
    beat_ql: float
    time_signature: str
    bars: list


def beat_length(numerator: int, denominator: int) -> float:
    """Quarter lengths of one counted beat in a time signature.

    x/4 counts quarters; 6/8, 9/8 and 12/8 count dotted quarters (a jig goes
    in two); 3/8 counts eighths (a quick waltz goes in three).

    Raises
    ------
    ValueError
        For other meters (2/2, 5/8, ...).
    """
    if denominator == 4:
        return 1.0
    if denominator == 8 and numerator == 3:
        return 0.5
    if denominator == 8 and numerator % 3 == 0:
        return 1.5
    raise ValueError(f"meter {numerator}/{denominator} is not supported")


def phrase_bars(beats_per_bar: int) -> int:
    """Bars in one phrase of 8 dancer's counts.

    A count is a beat in 2/4 and 6/8 (4 bars) and in 4/4 (2 bars); in 3/4 a
    dancer counts one per bar (8 bars).
    """
    return {2: 4, 4: 2}.get(beats_per_bar, 8)


def _parse(corpus_path: str):
    """music21 score of ``corpus_path`` (``"file.abc#number"`` picks one tune)."""
    from music21 import corpus

    path, _, number = corpus_path.partition("#")
    return corpus.parse(path, number=int(number)) if number else corpus.parse(path)


def _bar_lengths(parts: list, bar_ql: float) -> dict[int, float]:
    """One length per measure number: where its notes and rests end, the longest over all parts.

    music21 lengthens some encoded measures past their notes (in Mozart
    K. 155/iii the first violin's pickup bar is 1.5 quarters long because of a
    dynamic marking placed at offset 1.5, while the real pickup is one eighth),
    so a measure's own ``duration`` cannot be trusted for a pickup; every part
    uses the one length found here.
    """
    lengths: dict[int, float] = {}
    for part in parts:
        for m in part.getElementsByClass("Measure"):
            end = max((float(e.offset + e.quarterLength) for e in m.notesAndRests), default=0.0)
            lengths[m.number] = max(lengths.get(m.number, 0.0), min(end, bar_ql))
    return lengths


def _accent(in_bar: float, beat_ql: float) -> int:
    """Velocity offset of a note ``in_bar`` quarters into its bar: beat 1 loudest, off-beats softest."""
    if abs(in_bar) < 1e-6:
        return 16
    q = in_bar / beat_ql
    return 5 if abs(q - round(q)) < 1e-6 else -4


def _bar_starts(lengths: list[float], bar_ql: float) -> np.ndarray:
    """Downbeats (quarter lengths) of bars of ``lengths`` laid end to end.

    A full bar starts a bar. A short first bar is a pickup. A later short bar
    starts a bar when it begins on a bar line (a bar cut short before a
    repeat, or the last one) and otherwise completes the bar it is in (the
    pickup bar after a repeat sign, that fills a bar cut there).
    """
    starts, cursor, phase = [], 0.0, 0.0
    for k, dur in enumerate(lengths):
        full = abs(dur - bar_ql) < 1e-6
        if full or (k > 0 and abs(phase) < 1e-6):
            starts.append(cursor)
            phase = 0.0
        elif k == 0:
            phase = bar_ql - dur
        phase = (phase + dur) % bar_ql
        phase = 0.0 if min(phase, bar_ql - phase) < 1e-6 else phase
        cursor += dur
    return np.asarray(starts, dtype=float)


def score_events(passage: Passage) -> ScoreEvents:
    """Read a passage from the music21 corpus into notes and a beat grid.

    Bars are laid end to end in the order of ``passage.segments``; a short
    first bar is a pickup: its notes sit at its end and it only shifts the
    grid (its length is where its notes and rests end, see
    :func:`_bar_lengths`); later short bars are placed by
    :func:`_bar_starts`. Beats run from every downbeat to the next. A repeated
    ending's second bar of the same number and empty bars are skipped.
    Velocities carry a pianist's metric accent: beat 1 loudest, other beats
    medium, off-beats softer; the top part sings a little over the others.
    """
    from music21 import meter

    score = _parse(passage.corpus_path)
    ts = next(iter(score.recurse().getElementsByClass(meter.TimeSignature)))
    bar_ql = float(ts.barDuration.quarterLength)
    try:
        beat_ql = beat_length(ts.numerator, ts.denominator)
    except ValueError as exc:
        raise ValueError(f"{passage.corpus_path}: {exc}") from None
    parts = list(score.parts) if len(score.parts) else [score]
    lengths = _bar_lengths(parts, bar_ql)

    notes: list[tuple[float, float, int, int, int]] = []
    lengths_played: list[float] = []
    length_ql = 0.0
    for part_index, part in enumerate(parts):
        measures = {}
        for m in part.stripTies(inPlace=False).getElementsByClass("Measure"):
            measures.setdefault(m.number, m)
        cursor = 0.0
        base = 78 if part_index == 0 else (70 if part_index == len(parts) - 1 else 60)
        for first, last in passage.segments:
            for number in range(first, last + 1):
                dur = lengths.get(number, 0.0) if number in measures else 0.0
                if dur <= 0.0:
                    continue
                if part_index == 0:
                    lengths_played.append(dur)
                full = abs(dur - bar_ql) < 1e-6
                shift = 0.0 if full or number != passage.segments[0][0] else bar_ql - dur
                for n in measures[number].flatten().notes:
                    pos = float(n.offset)
                    if n.duration.isGrace or n.quarterLength <= 0 or pos >= dur - 1e-6:
                        continue
                    vel = int(np.clip(base + _accent(pos + shift, beat_ql), 30, 120))
                    for p in n.pitches:
                        notes.append((cursor + pos, float(n.quarterLength), int(p.midi), vel, part_index))
                cursor += dur
        length_ql = max(length_ql, cursor)
    downbeats_ql = _bar_starts(lengths_played, bar_ql)
    bar_ends = np.append(downbeats_ql[1:], length_ql)
    first_db = downbeats_ql[0]
    start = first_db - beat_ql * np.floor(first_db / beat_ql)  # earliest beat >= 0 on the bar grid
    beats = [np.arange(start, first_db - 1e-6, beat_ql)]
    beats += [d + beat_ql * np.arange(np.ceil((e - d) / beat_ql - 1e-6)) for d, e in zip(downbeats_ql, bar_ends)]
    beats_ql = np.concatenate(beats)
    bars = ([(0.0, float(first_db))] if first_db > 0 else []) + [(float(d), float(e - d)) for d, e in zip(downbeats_ql, bar_ends)]
    beats_per_bar = int(round(bar_ql / beat_ql))
    return ScoreEvents(notes, beats_ql, downbeats_ql, beats_per_bar, length_ql, beat_ql, ts.ratioString, bars)


def tempo_curve(q: np.ndarray, ev: ScoreEvents, depth: float) -> np.ndarray:
    """Relative tempo (1 = nominal) at quarter positions ``q`` of a breathing performance.

    A slow sine of ``+-depth`` (one period per two phrases, from the first
    downbeat) times a ritardando of up to ``2 * depth`` over the last quarter
    of every phrase (:func:`phrase_bars`), a tempo at the next phrase.
    """
    phrase_ql = phrase_bars(ev.beats_per_bar) * ev.beats_per_bar * ev.beat_ql
    pos = np.asarray(q, dtype=float) - ev.downbeats_ql[0]
    swing = 1.0 + depth * np.sin(np.pi * pos / phrase_ql)
    ramp = np.clip((np.mod(pos, phrase_ql) - 0.75 * phrase_ql) / (0.25 * phrase_ql), 0.0, 1.0)
    ramp[pos < 0] = 0.0
    return swing * (1.0 - 2.0 * depth * ramp**2)


class TimeMap:
    """Where a passage's quarter positions fall, in nominal quarters from its start.

    In strict time (``depth`` 0) positions are returned unchanged. With rubato
    a position maps through the integral of the inverse tempo curve
    (:func:`tempo_curve`), so a slower tempo stretches what follows.
    """

    STEP_QL = 1.0 / 96.0

    def __init__(self, ev: ScoreEvents, depth: float):
        self.ev, self.depth = ev, depth
        if depth:
            self.grid = np.arange(0.0, ev.length_ql + 2 * self.STEP_QL, self.STEP_QL)
            slow = 1.0 / tempo_curve(self.grid, ev, depth)
            self.warped = np.concatenate([[0.0], np.cumsum(0.5 * (slow[1:] + slow[:-1]) * self.STEP_QL)])

    def at(self, q):
        """Warped position of ``q`` (a float or an array)."""
        return np.interp(q, self.grid, self.warped) if self.depth else q

    def stretch(self, q: float) -> float:
        """Local slowing factor at ``q`` (1.0 in strict time), to scale a note's length."""
        return float(1.0 / tempo_curve(np.array([q]), self.ev, self.depth)[0]) if self.depth else 1.0


def _instruments(notes: list, passage: Passage, k: int, tmap: TimeMap, t0: float, spq: float):
    """pretty_midi instruments (one per program, in order of first use) of one passage's notes, and its last note-off."""
    import pretty_midi

    insts: dict[int, pretty_midi.Instrument] = {}
    end_s = t0
    for onset, dur, pitch, vel, part in notes:
        program = passage.part_program(part)
        if program not in insts:
            insts[program] = pretty_midi.Instrument(program=program, name=f"passage{k}" if len(insts) == 0 else f"passage{k}-{program}")
        s = t0 + tmap.at(onset) * spq
        e = s + max(dur * tmap.stretch(onset) * spq * 0.95, 0.05)
        insts[program].notes.append(pretty_midi.Note(velocity=vel, pitch=pitch, start=float(s), end=float(e)))
        end_s = max(end_s, e)
    return list(insts.values()), end_s


def render_passages(passages: list[Passage], wav_path: Path, *, sr: int = SR, score_midi: Path | None = None) -> dict:
    """Render passages one after another to a WAV file with FluidSynth.

    Parameters
    ----------
    passages : list of Passage
    wav_path : Path
        Where the rendered stereo WAV goes.
    sr : int
        Sample rate in Hz.
    score_midi : Path, optional
        Where to also write the score (:func:`write_score_midi`).

    Returns
    -------
    truth : dict
        ``beats_s``, ``downbeats_s``, ``meter`` (per beat), ``passages``
        (start/end/meter/tempo of each) and ``meter_changes_s``; with
        ``score_midi``, also ``score_midi`` (its path), ``score_downbeats_s``
        and ``score_bar_lines_s`` (see :func:`write_score_midi`).
    """
    import pretty_midi

    if shutil.which("fluidsynth") is None:
        raise RuntimeError("fluidsynth is not installed (apt-get install fluidsynth fluid-soundfont-gm)")
    if not SOUNDFONT.is_file():
        raise RuntimeError(f"soundfont {SOUNDFONT} is missing (apt-get install fluid-soundfont-gm)")

    pm = pretty_midi.PrettyMIDI(resolution=960, initial_tempo=120.0)
    beats, downbeats, meters, info, events = [], [], [], [], []
    t0 = 0.25  # a little silence at the very start
    for k, passage in enumerate(passages):
        ev = score_events(passage)
        events.append(ev)
        spq = 60.0 / passage.tempo_bpm
        tmap = TimeMap(ev, passage.rubato)
        insts, end_s = _instruments(ev.notes, passage, k, tmap, t0, spq)
        pm.instruments.extend(insts)
        b = t0 + tmap.at(ev.beats_ql) * spq
        beats.extend(b.tolist())
        downbeats.extend((t0 + tmap.at(ev.downbeats_ql) * spq).tolist())
        meters.extend([ev.beats_per_bar] * len(b))
        info.append(
            {
                "title": passage.title,
                "composer": passage.composer,
                "corpus_path": passage.corpus_path,
                "licence": passage.licence,
                "measures": [list(s) for s in passage.segments],
                "tempo_bpm": passage.tempo_bpm,
                "beats_per_bar": ev.beats_per_bar,
                "time_signature": ev.time_signature,
                "start_s": round(t0, 4),
                "first_downbeat_s": round(float(t0 + tmap.at(ev.downbeats_ql[0]) * spq), 4),
                "end_s": round(float(t0 + tmap.at(ev.length_ql) * spq), 4),
            }
        )
        if passage.rubato:
            info[-1]["rubato"] = passage.rubato
        t0 = max(end_s, t0 + tmap.at(ev.length_ql) * spq) + GAP_S

    with tempfile.TemporaryDirectory() as tmp:
        mid = Path(tmp) / "demo.mid"
        pm.write(str(mid))
        cmd = ["fluidsynth", "-ni", "-q", "-g", "0.5", "-r", str(sr), "-T", "wav", "-F", str(wav_path), str(SOUNDFONT), str(mid)]
        subprocess.run(cmd, check=True, timeout=FLUIDSYNTH_TIMEOUT_S, stdin=subprocess.DEVNULL, capture_output=True)

    changes = [info[k]["first_downbeat_s"] for k in range(1, len(info)) if info[k]["beats_per_bar"] != info[k - 1]["beats_per_bar"]]
    truth = {
        "beats_s": [round(float(t), 4) for t in beats],
        "downbeats_s": [round(float(t), 4) for t in downbeats],
        "meter": meters,
        "meter_changes_s": changes,
        "passages": info,
        "end_s": round(t0, 4),
    }
    if score_midi is not None:
        truth["score_downbeats_s"], truth["score_bar_lines_s"] = write_score_midi(passages, events, score_midi)
        truth["score_midi"] = str(score_midi)
    return truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parents[1] / "src" / "kanat" / "data")
    parser.add_argument("--score-only", action="store_true", help="only (re)write demo.mid, the demo's score")
    args = parser.parse_args(argv)
    import soundfile as sf

    out: Path = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    write_score_midi(DEMO_PASSAGES, [score_events(p) for p in DEMO_PASSAGES], out / "demo.mid")
    print(f"wrote {out / 'demo.mid'}: the demo's score, for `kanat listen demo.ogg --score demo.mid`")
    if args.score_only:
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "demo.wav"
        truth = render_passages(DEMO_PASSAGES, wav)
        y, sr = sf.read(str(wav), dtype="float32", always_2d=True)
    end = min(len(y), int((truth["end_s"] + 0.6) * sr))
    y = y[:end]
    fade = int(0.5 * sr)
    y[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
    y *= 0.89 / max(float(np.max(np.abs(y))), 1e-9)  # peak at -1 dBFS
    write_ogg_blocks(out / "demo.ogg", y, sr)

    truth["duration_s"] = round(len(y) / sr, 4)
    truth["audio"] = "demo.ogg"
    truth["soundfont"] = "FluidR3_GM.sf2 (Frank Wen), MIT licence"
    truth["made_by"] = "scripts/make_demo_music.py"
    truth["conventions"] = (
        "times in seconds from the start of demo.ogg; one beat per quarter note; meter[i] is the "
        "beats per bar of beat i; downbeats_s is the subset of beats_s that start a bar"
    )
    (out / "demo_truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    rows = "\n".join(
        f"| {p['title']} ({p['time_signature']}, {p['tempo_bpm']:g} BPM) | {p['composer']} | music21 corpus `{p['corpus_path']}` | public domain |"
        for p in truth["passages"]
    )
    (out / "LICENSES.md").write_text(LICENSES_MD.format(rows=rows), encoding="utf-8")
    size = (out / "demo.ogg").stat().st_size
    print(f"wrote {out / 'demo.ogg'}: {truth['duration_s']:.1f} s, {size / 1e6:.2f} MB, {len(truth['beats_s'])} beats")
    return 0


if __name__ == "__main__":
    sys.exit(main())
