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
  both passages. Seconds = passage start + ql * 60 / tempo_bpm.
- music21 puts a pickup (anacrusis) bar at offset 0; the first downbeat is at
  the pickup's length, so the truth grid is shifted by it.
- The output is reproducible: same scores, same soundfont, no randomness.
  The decoded samples of ``demo.ogg`` are identical from run to run; the
  file's bytes differ only in the Ogg stream's random serial number.

Other functions here (``render_passages``, ``score_events``) are reused by
``benchmarks/listen.py`` to render extra corpus pieces to a temporary folder.
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
        music21 corpus name, e.g. ``"mozart/k458/movement2"``.
    segments : list of (int, int)
        Measure-number ranges (inclusive) played in order, to spell out repeats.
    tempo_bpm : float
        Quarter notes per minute.
    title, composer, licence : str
        For the truth file and LICENSES.md.
    program : int
        General MIDI program (0 = acoustic grand piano).
    """

    corpus_path: str
    segments: list[tuple[int, int]]
    tempo_bpm: float
    title: str
    composer: str
    licence: str = "public domain (composer died more than 100 years ago); encoding from the music21 corpus"
    program: int = 0


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
    notes : list of (float, float, int, int)
        ``(onset_ql, duration_ql, midi_pitch, velocity)``.
    beats_ql : np.ndarray, shape (B,)
        Beat positions (quarter notes), the first at or after 0.
    downbeats_ql : np.ndarray, shape (D,)
        Bar starts (a subset of ``beats_ql``).
    beats_per_bar : int
        Quarter notes per bar (3 or 2 or 4).
    length_ql : float
        Length of the passage.
    """

    notes: list
    beats_ql: np.ndarray
    downbeats_ql: np.ndarray
    beats_per_bar: int
    length_ql: float


def score_events(passage: Passage) -> ScoreEvents:
    """Read a passage from the music21 corpus into notes and a beat grid.

    Bars are laid end to end in the order of ``passage.segments``; a pickup
    bar (shorter than the time signature) only shifts the grid. Velocities
    carry a pianist's metric accent: beat 1 loudest, other beats medium,
    off-beats softer; the top part sings a little over the others.
    """
    from music21 import corpus, meter

    score = corpus.parse(passage.corpus_path)
    ts = next(iter(score.recurse().getElementsByClass(meter.TimeSignature)))
    bar_ql = float(ts.barDuration.quarterLength)
    if ts.denominator != 4:
        raise ValueError(f"{passage.corpus_path}: only x/4 meters are supported, got {ts.ratioString}")
    beats_per_bar = int(round(bar_ql))

    notes: list[tuple[float, float, int, int]] = []
    downbeats: list[float] = []
    length_ql = 0.0
    n_parts = len(score.parts)
    for part_index, part in enumerate(score.parts):
        # measure lengths from the score as written: stripTies() lengthens tied
        # notes past their bar, which would stretch the bar's duration
        lengths = {m.number: float(m.duration.quarterLength) for m in part.getElementsByClass("Measure")}
        measures = {m.number: m for m in part.stripTies(inPlace=False).getElementsByClass("Measure")}
        cursor = 0.0
        base = 78 if part_index == 0 else (70 if part_index == n_parts - 1 else 60)
        for first, last in passage.segments:
            for number in range(first, last + 1):
                m = measures[number]
                dur = lengths[number]
                full = abs(dur - bar_ql) < 1e-6
                if part_index == 0 and full:
                    downbeats.append(cursor)
                for n in m.flatten().notes:
                    if n.duration.isGrace or n.quarterLength <= 0:
                        continue
                    pos = float(n.offset)
                    in_bar = pos + (0.0 if full else bar_ql - dur)
                    if abs(in_bar) < 1e-6:
                        accent = 16
                    elif abs(in_bar - round(in_bar)) < 1e-6:
                        accent = 5
                    else:
                        accent = -4
                    vel = int(np.clip(base + accent, 30, 120))
                    for p in n.pitches:
                        notes.append((cursor + pos, float(n.quarterLength), int(p.midi), vel))
                cursor += dur
        length_ql = max(length_ql, cursor)
    downbeats_ql = np.asarray(downbeats, dtype=float)
    first_db = downbeats_ql[0]
    start = first_db - np.floor(first_db)  # earliest beat >= 0 on the bar grid
    beats_ql = np.arange(start, length_ql - 1e-6, 1.0)
    return ScoreEvents(notes, beats_ql, downbeats_ql, beats_per_bar, length_ql)


def render_passages(passages: list[Passage], wav_path: Path, *, sr: int = SR) -> dict:
    """Render passages one after another to a WAV file with FluidSynth.

    Parameters
    ----------
    passages : list of Passage
    wav_path : Path
        Where the rendered stereo WAV goes.
    sr : int
        Sample rate in Hz.

    Returns
    -------
    truth : dict
        ``beats_s``, ``downbeats_s``, ``meter`` (per beat), ``passages``
        (start/end/meter/tempo of each) and ``meter_changes_s``.
    """
    import pretty_midi

    if shutil.which("fluidsynth") is None:
        raise RuntimeError("fluidsynth is not installed (apt-get install fluidsynth fluid-soundfont-gm)")
    if not SOUNDFONT.is_file():
        raise RuntimeError(f"soundfont {SOUNDFONT} is missing (apt-get install fluid-soundfont-gm)")

    pm = pretty_midi.PrettyMIDI(resolution=960, initial_tempo=120.0)
    beats, downbeats, meters, info = [], [], [], []
    t0 = 0.25  # a little silence at the very start
    for k, passage in enumerate(passages):
        ev = score_events(passage)
        spq = 60.0 / passage.tempo_bpm
        inst = pretty_midi.Instrument(program=passage.program, name=f"passage{k}")
        end_s = t0
        for onset, dur, pitch, vel in ev.notes:
            s = t0 + onset * spq
            e = s + max(dur * spq * 0.95, 0.05)
            inst.notes.append(pretty_midi.Note(velocity=vel, pitch=pitch, start=s, end=e))
            end_s = max(end_s, e)
        pm.instruments.append(inst)
        b = t0 + ev.beats_ql * spq
        beats.extend(b.tolist())
        downbeats.extend((t0 + ev.downbeats_ql * spq).tolist())
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
                "time_signature": f"{ev.beats_per_bar}/4",
                "start_s": round(t0, 4),
                "first_downbeat_s": round(float(t0 + ev.downbeats_ql[0] * spq), 4),
                "end_s": round(float(t0 + ev.length_ql * spq), 4),
            }
        )
        t0 = max(end_s, t0 + ev.length_ql * spq) + GAP_S

    with tempfile.TemporaryDirectory() as tmp:
        mid = Path(tmp) / "demo.mid"
        pm.write(str(mid))
        cmd = ["fluidsynth", "-ni", "-q", "-g", "0.5", "-r", str(sr), "-T", "wav", "-F", str(wav_path), str(SOUNDFONT), str(mid)]
        subprocess.run(cmd, check=True, timeout=FLUIDSYNTH_TIMEOUT_S, stdin=subprocess.DEVNULL, capture_output=True)

    changes = [info[k]["first_downbeat_s"] for k in range(1, len(info)) if info[k]["beats_per_bar"] != info[k - 1]["beats_per_bar"]]
    return {
        "beats_s": [round(float(t), 4) for t in beats],
        "downbeats_s": [round(float(t), 4) for t in downbeats],
        "meter": meters,
        "meter_changes_s": changes,
        "passages": info,
        "end_s": round(t0, 4),
    }


def write_ogg_blocks(path: Path, y: np.ndarray, sr: int, *, block: int = 1 << 15) -> None:
    """Write ``y`` (shape (N,) or (N, C), float in [-1, 1]) as Ogg Vorbis, block by block.

    One-shot writes of long signals can crash libvorbis, so frames go in
    chunks of ``block``.
    """
    import soundfile as sf

    channels = 1 if y.ndim == 1 else y.shape[1]
    tmp = path.with_name(f".{path.stem}.tmp.ogg")
    with sf.SoundFile(str(tmp), "w", samplerate=sr, channels=channels, format="OGG", subtype="VORBIS") as f:
        for i in range(0, len(y), block):
            f.write(y[i : i + block])
    tmp.replace(path)


LICENSES_MD = """# Licences of the bundled data

## demo.ogg, demo_truth.json

Rendered by `scripts/make_demo_music.py` (run it to reproduce them).

| passage | composer | score source | licence |
|---|---|---|---|
{rows}

The compositions are in the public domain (their composers died more than
100 years ago). The encodings were read from the corpus shipped with
[music21](https://github.com/cuthbertLab/music21) (BSD-3-Clause licence;
see music21's corpus documentation for the notes of each encoding's source).
Only the notes are used, re-timed and re-voiced here: they are played
on a piano sound at a fixed tempo with a light accent on beat 1.

Sound: FluidR3_GM.sf2 soundfont by Frank Wen, MIT licence (Debian package
`fluid-soundfont-gm`), rendered with FluidSynth (LGPL-2.1; used as a tool only,
nothing of it is shipped).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parents[1] / "src" / "kanat" / "data")
    args = parser.parse_args(argv)
    import soundfile as sf

    out: Path = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
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
