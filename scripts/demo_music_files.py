"""The demo music's files besides the sound: its score as a MIDI file, Ogg writing, the licence sheet.

Used by ``scripts/make_demo_music.py`` (which re-exports ``write_score_midi``
for ``benchmarks/listen.py``). Score positions are in quarter lengths, as
there; a passage's notes come from its ``ScoreEvents``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _signature_of(length_ql: float, ev: ScoreEvents) -> tuple[int, int]:
    """Time signature ``(numerator, denominator)`` of a bar ``length_ql`` quarters long.

    The written one for a full bar, else the shortest spelling of the length:
    1/4, 2/4, 1/8, 3/8, 1/16 ...
    """
    num, den = (int(v) for v in ev.time_signature.split("/"))
    if abs(length_ql - num * 4.0 / den) < 1e-6:
        return num, den
    for den in (4, 8, 16, 32):
        n = length_ql * den / 4.0
        if abs(n - round(n)) < 1e-6:
            return int(round(n)), den
    raise ValueError(f"a bar of {length_ql} quarters has no time signature")


def write_score_midi(passages: list[Passage], events: list[ScoreEvents], path: Path) -> tuple[list[float], list[float]]:
    """Write the passages' score as a MIDI file, in strict time at each passage's tempo.

    The passages follow one another with no gap; a tempo event starts each,
    and a note tied past a passage's end stops there. A time-signature event starts every bar whose length differs from the
    bar before, so a pickup of ``p`` quarters is a bar of its own (1/4 before
    a 3/4 bar for a one-beat pickup, 1/8 before a 2/4 or 6/8 bar for an eighth)
    and ``pretty_midi``'s ``get_downbeats()`` gives the bar lines, the
    pickup's start included.

    Returns
    -------
    downbeats_s : list of float
        The true downbeats in the file's seconds.
    bar_lines_s : list of float
        Where every bar starts, pickups included: what ``get_downbeats()``
        of the file should give.
    """
    import mido

    tpq = 960
    tracks: dict[int, list] = {}
    marks: list[tuple[int, int, object]] = []  # (tick, order, message): meta events first at a tick
    downbeats, bar_lines, offset_ql, offset_s = [], [], 0.0, 0.0
    previous = None
    for passage, ev in zip(passages, events):
        marks.append((int(round(offset_ql * tpq)), 0, mido.MetaMessage("set_tempo", tempo=int(round(60e6 / passage.tempo_bpm)), time=0)))
        for start, length in ev.bars:
            sig = _signature_of(length, ev)
            if sig != previous:
                marks.append((int(round((offset_ql + start) * tpq)), 1, mido.MetaMessage("time_signature", numerator=sig[0], denominator=sig[1], time=0)))
                previous = sig
        end = int(round((offset_ql + ev.length_ql) * tpq))  # a note tied past the excerpt stops at its end
        for onset, dur, pitch, vel, part in ev.notes:
            program = passage.part_program(part)
            on = int(round((offset_ql + onset) * tpq))
            off = max(on + 1, min(end, int(round((offset_ql + onset + dur * 0.95) * tpq))))
            tracks.setdefault(program, []).extend([(on, 3, ("note_on", pitch, vel)), (off, 2, ("note_off", pitch, 0))])
        downbeats.extend((offset_s + ev.downbeats_ql * 60.0 / passage.tempo_bpm).tolist())
        bar_lines.extend(offset_s + start * 60.0 / passage.tempo_bpm for start, _ in ev.bars)
        offset_ql += ev.length_ql
        offset_s += ev.length_ql * 60.0 / passage.tempo_bpm
    midi = mido.MidiFile(ticks_per_beat=tpq)
    midi.tracks.append(_delta_track(mido.MidiTrack(), marks))
    for channel, (program, notes) in enumerate(sorted(tracks.items())):
        channel += channel >= 9  # channel 10 is percussion
        track = mido.MidiTrack([mido.Message("program_change", program=program, channel=channel, time=0)])
        msgs = [(t, o, mido.Message(kind, note=pitch, velocity=vel, channel=channel)) for t, o, (kind, pitch, vel) in notes]
        midi.tracks.append(_delta_track(track, msgs))
    midi.save(str(path))
    return [round(float(t), 4) for t in downbeats], [round(float(t), 4) for t in bar_lines]


def _delta_track(track, marks: list):
    """Append ``(tick, order, message)`` marks to a mido track in time order, with delta times."""
    now = 0
    for tick, _, msg in sorted(marks, key=lambda m: (m[0], m[1])):
        track.append(msg.copy(time=tick - now))
        now = tick
    return track


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

## demo.ogg, demo.mid, demo_truth.json

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

## Fonts

`fonts/DejaVuSans.ttf` and `fonts/DejaVuSans-Bold.ttf` are DejaVu Sans (Bitstream Vera
licence with DejaVu changes in the public domain; free to use, copy and redistribute),
taken from matplotlib's distribution. The licence text is `fonts/LICENSE_DEJAVU`.

## beatnet.npz

The weights of kanat's beat and downbeat network (`kanat.listen.beatnet`),
trained here by `scripts/train_beats.py` and part of kanat (same licence as
kanat). Training data, made by `scripts/make_beat_data.py` and not shipped:
about a thousand excerpts of public-domain music from music21's corpus
(folk and fiddle tunes, chorales, quartets, piano music; encodings under the
corpus's terms as above), played by FluidSynth with FluidR3_GM (MIT). The
pieces of `benchmarks/listen.py` and the demo are left out of training. No
third-party model or weights are used.
"""
