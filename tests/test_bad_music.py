"""Music with nothing to dance to: silence refused, no beat warned on the terminal and in music.json."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from badkit import one_line, refused, run

SR = 22050
N = SR * 8


def _signal(kind: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    if kind == "white noise":
        return (0.3 * rng.standard_normal(N)).astype(np.float32)
    if kind == "a click in silence":
        y = np.zeros(N, np.float32)
        y[N // 2 : N // 2 + 200] = 0.9
        return y
    if kind == "a DC offset":
        return np.full(N, 0.01, np.float32)
    if kind == "near silence":
        return (1e-5 * rng.standard_normal(N)).astype(np.float32)
    if kind == "digital silence":
        return np.zeros(N, np.float32)
    if kind == "NaN samples":
        y = (0.3 * rng.standard_normal(N)).astype(np.float32)
        y[1000:1100] = np.nan
        return y
    raise KeyError(kind)


@pytest.mark.parametrize("kind", ["white noise", "a click in silence", "a DC offset"])
def test_no_beat_is_warned_on_the_terminal_and_in_the_map(capfd, tmp_path, kind):
    wav = tmp_path / "m.wav"
    sf.write(wav, _signal(kind), SR, subtype="FLOAT")
    code, err = run(capfd, ["listen", wav, "-o", tmp_path / "music.json"])
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("kanat: warning:")]
    assert len(warnings) == 1 and "no steady beat" in warnings[0], err
    assert "Traceback" not in err
    saved = json.loads((tmp_path / "music.json").read_text())
    assert saved["extras"]["beats_fallback"] is True and "no steady beat" in saved["extras"]["warning"]


@pytest.mark.parametrize("kind", ["near silence", "digital silence"])
def test_silence_is_refused(capfd, tmp_path, kind):
    wav = tmp_path / "m.wav"
    sf.write(wav, _signal(kind), SR, subtype="FLOAT")
    refused(capfd, ["listen", wav, "-o", tmp_path / "music.json"], tmp_path, "m.wav", "silent")


def test_nan_samples_are_one_clear_line(capfd, tmp_path):
    wav = tmp_path / "m.wav"
    sf.write(wav, _signal("NaN samples"), SR, subtype="FLOAT")
    code, err = run(capfd, ["listen", wav, "-o", tmp_path / "music.json"])
    line = one_line(err) if code != 0 else ""
    assert code == 2 and "m.wav" in line and "NaN or infinity" in line and "ParameterError" not in line, err


def _other_piece(path):
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    inst = pretty_midi.Instrument(0)
    for k in range(600):  # a fast run in 4/4 that is no part of the demo
        inst.notes.append(pretty_midi.Note(velocity=90, pitch=60 + (k * 7) % 24, start=k * 0.1, end=k * 0.1 + 0.09))
    pm.instruments.append(inst)
    pm.time_signature_changes = [pretty_midi.TimeSignature(4, 4, 0.0)]
    pm.write(str(path))
    return path


def test_a_sheet_of_another_piece_is_refused(capfd, tmp_path):
    from kanat.pipeline import demo_music_path

    sheet = _other_piece(tmp_path / "other.mid")
    line = refused(capfd, ["listen", demo_music_path(), "--score", sheet, "-o", tmp_path / "m.json"], tmp_path,
                   "other.mid", "does not match", "demo.ogg")
    assert "alignment cost" in line


def test_a_sheet_that_gives_an_impossible_tempo_is_refused(capfd, tmp_path):
    from badkit import write_song

    from kanat.pipeline import demo_music_path

    song = write_song(tmp_path / "click.wav", 8.0)
    args = ["choreograph", song, "--sheet", demo_music_path().with_name("demo.mid"), "-o", tmp_path / "out", "--no-video"]
    refused(capfd, args, tmp_path, "demo.mid", "BPM")


def test_the_demo_with_its_own_sheet_is_accepted(capfd, tmp_path):
    from kanat.pipeline import demo_music_path

    demo = demo_music_path()
    code, err = run(capfd, ["listen", demo, "--score", demo.with_name("demo.mid"), "-o", tmp_path / "m.json"])
    assert code == 0, err
    assert json.loads((tmp_path / "m.json").read_text())["extras"]["score_align_cost"] < 0.25


@pytest.fixture
def damaged_mp3(tmp_path):
    import random
    import subprocess

    import imageio_ffmpeg
    from badkit import write_song

    wav = write_song(tmp_path / "song.wav", 8.0)
    mp3 = tmp_path / "song.mp3"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(wav), "-b:a", "128k",
                    str(mp3)], check=True)
    data = bytearray(mp3.read_bytes())
    r = random.Random(1)
    for i in range(len(data) // 3, len(data) // 3 + 4000):
        data[i] = r.randrange(256)
    mp3.write_bytes(bytes(data))
    wav.unlink()
    return mp3


def test_library_notes_stay_off_the_terminal(capfd, tmp_path, damaged_mp3):
    code, err = run(capfd, ["listen", damaged_mp3, "-o", tmp_path / "m.json"])
    line = one_line(err)  # mpg123's "Note: Illegal Audio-MPEG-Header ..." lines are not there
    assert "mpg123" not in err and "Note:" not in err
    assert code in (0, 2) and (code == 0) == (tmp_path / "m.json").is_file(), line


def test_verbose_shows_the_library_notes(tmp_path, damaged_mp3):
    import os
    import subprocess
    import sys

    import kanat

    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(kanat.__file__))}
    quiet = subprocess.run([sys.executable, "-m", "kanat", "listen", str(damaged_mp3), "-o", str(tmp_path / "q.json")],
                           capture_output=True, text=True, env=env)
    loud = subprocess.run([sys.executable, "-m", "kanat", "--verbose", "listen", str(damaged_mp3), "-o",
                           str(tmp_path / "l.json")], capture_output=True, text=True, env=env)
    assert "Note:" not in quiet.stderr and len([x for x in quiet.stderr.splitlines() if x.strip()]) == 1, quiet.stderr
    assert "Note:" in loud.stderr or "mpg123" in loud.stderr, loud.stderr
    assert quiet.returncode == loud.returncode


def test_no_beat_warning_heads_the_counts_sheet(capfd, tmp_path):
    """The dancers read the counts sheet, not the terminal: a grid kanat invented is said there too."""
    wav = tmp_path / "noise.wav"
    rng = np.random.default_rng(3)
    sf.write(wav, (0.3 * rng.standard_normal(SR * 40)).astype(np.float32), SR, subtype="FLOAT")
    code, err = run(capfd, ["choreograph", wav, "-o", tmp_path / "out", "--no-video"])
    assert code == 0, err
    md = (tmp_path / "out" / "counts.md").read_text(encoding="utf-8")
    page = (tmp_path / "out" / "counts.html").read_text(encoding="utf-8")
    assert "> **Warning: " in md and "no steady beat" in md.split("Warning: ", 1)[1].splitlines()[0]
    assert "class='warn'" in page and "no steady beat" in page


def test_a_clear_beat_gives_a_sheet_without_warning(capfd, tmp_path):
    code, err = run(capfd, ["demo", "--out", tmp_path / "out", "--no-video"])
    assert code == 0, err
    assert "Warning" not in (tmp_path / "out" / "counts.md").read_text(encoding="utf-8")
