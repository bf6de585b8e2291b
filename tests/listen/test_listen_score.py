"""Score-informed listening: bars from a MIDI or MusicXML score, time from the recording.

The recordings here are a small waltz (a pickup, bass on 1, chords on 2 and 3,
a moving melody) played with rubato by a decaying-harmonics synthesiser; the
score is the same notes at a steady tempo. Truth is the played beat times.
"""

from __future__ import annotations

import numpy as np
import pretty_midi
import pytest
import soundfile as sf

from kanat.errors import FormatError, ParameterError
from kanat.listen import listen
from kanat.listen.score import _counted_bars, read_score

SR = 22050
BPM = 120.0
BARS = 24


def waltz_notes(bars: int = BARS) -> list[tuple[float, float, int, int]]:
    """``(onset_q, duration_q, pitch, velocity)`` of a waltz with a one-beat pickup.

    Quarter 0 is the pickup; bar ``k`` starts at quarter ``1 + 3 k``.
    """
    rng = np.random.default_rng(3)
    roots = [48, 53, 55, 48, 57, 53, 55, 48]
    notes = [(0.0, 1.0, 67, 70)]
    for k in range(bars):
        q = 1.0 + 3.0 * k
        root = roots[k % len(roots)]
        notes.append((q, 2.9, root, 96))  # the bass on the 1
        for beat in (1.0, 2.0):
            for p in (root + 16, root + 19):
                notes.append((q + beat, 0.8, p, 60))
        melody = 72 + int(rng.integers(-5, 6))
        rhythm = [(0.0, 1.5), (1.5, 0.5), (2.0, 1.0)] if k % 2 else [(0.0, 2.0), (2.0, 1.0)]
        for off, dur in rhythm:
            notes.append((q + off, dur, melody + int(rng.integers(-2, 3)), 84))
    return notes


def rubato(q: np.ndarray, total_q: float, *, depth: float = 0.12) -> np.ndarray:
    """Quarter positions -> seconds for a tempo that breathes (+-depth over 4 bars) and slows at the end."""
    grid = np.linspace(0.0, total_q + 4.0, 4000)
    tempo = BPM * (1.0 + depth * np.sin(2 * np.pi * grid / 12.0)) * np.where(grid > total_q - 6, 0.8, 1.0)
    seconds = np.concatenate([[0.0], np.cumsum(np.diff(grid) * 60.0 / tempo[:-1])])
    return 0.6 + np.interp(q, grid, seconds)


def write_midi(path, notes_s, time_signatures) -> None:
    pm = pretty_midi.PrettyMIDI(initial_tempo=BPM)
    inst = pretty_midi.Instrument(0)
    for on, end, pitch, vel in notes_s:
        inst.notes.append(pretty_midi.Note(velocity=vel, pitch=pitch, start=on, end=end))
    pm.instruments.append(inst)
    pm.time_signature_changes = [pretty_midi.TimeSignature(n, d, t) for n, d, t in time_signatures]
    pm.write(str(path))


@pytest.fixture(scope="module")
def waltz(tmp_path_factory, synth):
    """The played waltz (rubato) as a WAV, its steady score as MIDI, and the true beats."""
    folder = tmp_path_factory.mktemp("waltz")
    notes = waltz_notes()
    total_q = 1.0 + 3.0 * BARS
    spq = 60.0 / BPM
    steady = [(on * spq, (on + d) * spq, p, v) for on, d, p, v in notes]
    write_midi(folder / "score.mid", steady, [(1, 4, 0.0), (3, 4, spq)])
    played = [(float(rubato(on, total_q)), float(rubato(on + d, total_q)), p, v) for on, d, p, v in notes]
    y = synth(played, float(rubato(total_q, total_q)) + 1.5)
    sf.write(str(folder / "played.wav"), y, SR)
    beats_q = np.arange(0.0, total_q - 1e-6)
    return {
        "folder": folder,
        "wav": folder / "played.wav",
        "midi": folder / "score.mid",
        "beats_s": rubato(beats_q, total_q),
        "downbeats_s": rubato(beats_q[1::3], total_q),
    }


def test_counted_bars_split_long_bars():
    assert _counted_bars(3) == (3,)
    assert _counted_bars(5) == (3, 2)
    assert _counted_bars(6) == (3, 3)
    assert _counted_bars(12) == (4, 4, 4)
    assert sum(_counted_bars(11)) == 11 and all(g in (2, 3, 4) for g in _counted_bars(11))


def test_midi_pickup_bar_counts_as_the_end_of_a_bar(waltz):
    tl = read_score(waltz["midi"])
    assert np.all(tl.meter == 3)
    assert tl.beat_in_bar[:5].tolist() == [3, 1, 2, 3, 1]
    np.testing.assert_allclose(tl.beats_s[:3], [0.0, 0.5, 1.0], atol=1e-6)
    assert len(tl.beats_s) == 1 + 3 * BARS


def test_score_informed_counts_follow_rubato(waltz):
    import mir_eval

    music = listen(waltz["wav"], score=waltz["midi"])
    assert music.beats_per_bar == 3
    assert music.extras["meter_from"] == "score"
    f_beat = mir_eval.beat.f_measure(waltz["beats_s"], music.beats_s)
    f_down = mir_eval.beat.f_measure(waltz["downbeats_s"], music.downbeats_s)
    assert f_beat >= 0.97, f_beat
    assert f_down >= 0.97, f_down
    err = np.abs(music.beats_s - waltz["beats_s"])
    assert np.median(err) < 0.03
    # the pickup is not a "1"; the first phrase starts on the first full bar
    assert music.beat_in_bar[0] == 3
    assert music.phrases[0][0] == 1
    assert music.count_labels[1:7] == ["1", "2", "3", "2", "2", "3"]


def test_midi_without_time_signature_hears_the_meter(waltz):
    import mido

    mid = mido.MidiFile(str(waltz["midi"]))
    for track in mid.tracks:
        track[:] = [msg for msg in track if msg.type != "time_signature"]
    bare = waltz["folder"] / "bare.mid"
    mid.save(str(bare))
    music = listen(waltz["wav"], score=bare)
    assert music.extras["meter_from"] == "heard"
    assert music.beats_per_bar == 3


def test_musicxml_with_pickup_and_compound_meter(tmp_path):
    from music21 import meter, note, stream

    part = stream.Part()
    pickup = stream.Measure(number=0)
    pickup.append(meter.TimeSignature("6/8"))
    pickup.append(note.Note("G4", quarterLength=0.5))
    pickup.paddingLeft = 2.5
    part.append(pickup)
    for k in range(4):
        m = stream.Measure(number=k + 1)
        for pitch in ("C5", "E5"):
            m.append(note.Note(pitch, quarterLength=1.0))
            m.append(note.Note("D5", quarterLength=0.5))
        part.append(m)
    path = tmp_path / "jig.musicxml"
    stream.Score([part]).write("musicxml", fp=str(path))
    tl = read_score(path)
    # counted in two dotted quarters (0.75 s at the default 120 quarters a minute); the eighth pickup holds no beat
    assert np.all(tl.meter == 2)
    assert tl.beat_in_bar[:4].tolist() == [1, 2, 1, 2]
    np.testing.assert_allclose(np.diff(tl.beats_s), 0.75, atol=1e-6)
    np.testing.assert_allclose(tl.beats_s[0], 0.25, atol=1e-6)


def test_bad_scores_say_what_to_do(tmp_path, waltz):
    with pytest.raises(ParameterError, match="no such file"):
        listen(waltz["wav"], score=tmp_path / "missing.mid")
    odd = tmp_path / "piece.pdf"
    odd.write_bytes(b"%PDF-1.4")
    with pytest.raises(ParameterError, match="MIDI"):
        listen(waltz["wav"], score=odd)
    broken = tmp_path / "broken.mid"
    broken.write_bytes(b"MThd this is not really midi")
    with pytest.raises(FormatError, match="not a readable MIDI"):
        read_score(broken)
    empty = tmp_path / "empty.mid"
    write_midi(empty, [], [(3, 4, 0.0)])
    with pytest.raises(FormatError, match="no notes"):
        read_score(empty)


def test_command_line_listen_with_a_score(waltz, tmp_path, capsys):
    from kanat.cli import main

    out = tmp_path / "music.json"
    assert main(["listen", str(waltz["wav"]), "-o", str(out), "--score", str(waltz["midi"])]) == 0
    assert "meter 3" in capsys.readouterr().out
    assert main(["choreograph", str(waltz["wav"]), "-o", str(tmp_path / "dance"), "--sheet", str(tmp_path / "nope.mid"),
                 "--no-video"]) == 2
    err = capsys.readouterr()
    assert "no such file" in err.out + err.err
    assert not (tmp_path / "dance").exists()


def test_a_bar_cut_short_before_a_repeat_keeps_the_meter(tmp_path):
    """3/4 for four bars, a bar of two (cut before the repeat), 3/4 again: still counted in three."""
    spq = 60.0 / BPM
    notes = [(q * spq, (q + 0.9) * spq, 60 + int(q) % 12, 80) for q in range(4 * 3 + 2 + 4 * 3)]
    write_midi(tmp_path / "cut.mid", notes, [(3, 4, 0.0), (2, 4, 12 * spq), (3, 4, 14 * spq)])
    tl = read_score(tmp_path / "cut.mid")
    assert np.all(tl.meter == 3)
    assert tl.beat_in_bar[12:15].tolist() == [1, 2, 1]
    # a bar split in two by a repeat sign (two beats, then one) is one bar of three
    write_midi(tmp_path / "split.mid", notes[:15], [(3, 4, 0.0), (2, 4, 9 * spq), (1, 4, 11 * spq), (3, 4, 12 * spq)])
    tl = read_score(tmp_path / "split.mid")
    assert np.all(tl.meter == 3)
    assert tl.beat_in_bar[9:13].tolist() == [1, 2, 3, 1]


def test_demo_with_its_score(demo_path, demo_truth):
    """The shipped demo (FluidSynth piano, a pause and a change of tempo and meter between its passages) with demo.mid."""
    import mir_eval

    music = listen(demo_path, score=demo_path.with_name("demo.mid"))
    assert mir_eval.beat.f_measure(np.asarray(demo_truth["beats_s"]), music.beats_s) >= 0.95
    assert mir_eval.beat.f_measure(np.asarray(demo_truth["downbeats_s"]), music.downbeats_s) >= 0.95
    assert [p["beats_per_bar"] for p in demo_truth["passages"]] == [3, 2]
    assert music.extras["meter_changes_s"][0] == pytest.approx(demo_truth["meter_changes_s"][0], abs=0.07)
    assert [s["label"] for s in music.sections][:3] == ["A", "A", "B"]
