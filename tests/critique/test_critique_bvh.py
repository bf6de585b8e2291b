"""`kanat critique dance.bvh --music ...`: the ballet master on any BVH file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from kanat.cli import main
from kanat.critique import add_import_figures, critique
from kanat.formats import import_bvh
from kanat.listen import MusicMap

DATA = Path(__file__).parents[1] / "data"
MOCAPBANK = DATA / "bvh" / "test_mocapbank.bvh"
MUSIC_JSON = DATA / "listen" / "demo_music.json"


def _one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_critique_of_a_third_party_bvh(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["critique", str(MOCAPBANK), "--music", str(MUSIC_JSON), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "# The ballet master's notes" in printed
    md = (out / "critique.md").read_text()
    assert "Read from test_mocapbank.bvh (biovision skeleton, cm, +Y up, a 1.62 m dancer" in md
    data = json.loads((out / "critique.json").read_text())
    m = data["metrics"]
    assert m["import_height_m"] == pytest.approx(1.62, abs=0.02)
    assert m["import_fit_error_mean_m"] < 0.005
    assert 0.0 <= m["beat_align_score"] <= 1.0
    assert 0.0 <= m["pfc"] < 10.0
    assert m["ground_penetration_max_m"] < 0.05  # the floor sits under the soles
    assert m["foot_slide_mean_mps"] < 0.2
    assert m["step_variety_share"] is None  # no score: no craft figures
    assert "import_fit_error_mean_m" in data["metric_info"]


def test_critique_writes_beside_the_bvh(tmp_path, capsys):
    bvh = tmp_path / "dance.bvh"
    shutil.copy(DATA / "bvh" / "test_freebvh.bvh", bvh)
    assert main(["critique", str(bvh), "--music", str(MUSIC_JSON)]) == 0
    assert (tmp_path / "critique.md").is_file() and (tmp_path / "critique.json").is_file()
    assert "mixamo skeleton" in (tmp_path / "critique.md").read_text()


def test_critique_of_a_bvh_with_audio(tmp_path, capsys):
    sf = pytest.importorskip("soundfile")
    sr, bpm = 22050, 120.0
    y = np.zeros(int(16 * sr), dtype=np.float32)
    t = np.arange(int(0.05 * sr)) / sr
    for k, tb in enumerate(np.arange(0.5, 15.5, 60.0 / bpm)):
        click = (1.0 if k % 4 == 0 else 0.5) * np.sin(2 * np.pi * (880 if k % 4 == 0 else 1760) * t) * np.exp(-t * 60)
        y[int(tb * sr): int(tb * sr) + click.size] += click.astype(np.float32)
    song = tmp_path / "song.wav"
    sf.write(song, y, sr)
    assert main(["critique", str(MOCAPBANK), "--music", str(song), "-o", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "critique.json").read_text())
    assert data["metrics"]["beat_align_score"] is not None


def test_bvh_without_music_is_one_clear_line(capfd):
    assert main(["critique", str(MOCAPBANK)]) == 2
    line = _one_line(capfd.readouterr().err)
    assert line == ("kanat: error: kanat critique test_mocapbank.bvh needs the music it is danced to: "
                    "add --music song.wav (or --music music.json from 'kanat listen')")


def test_missing_music_file(capfd, tmp_path):
    assert main(["critique", str(MOCAPBANK), "--music", str(tmp_path / "nope.wav")]) == 2
    line = _one_line(capfd.readouterr().err)
    assert "nope.wav" in line and "does not exist" in line


def test_unmappable_bvh_from_the_command_line(capfd, tmp_path):
    path = tmp_path / "torso.bvh"
    path.write_text((DATA / "bvh" / "test_mocapbank.bvh").read_text().replace("LeftKnee", "LeftThing"))
    assert main(["critique", str(path), "--music", str(MUSIC_JSON)]) == 2
    line = _one_line(capfd.readouterr().err)
    assert "cannot map this skeleton" in line and "left_knee" in line and "Mixamo" in line


def test_neither_folder_nor_bvh(capfd, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    assert main(["critique", str(notes), "--music", str(MUSIC_JSON)]) == 2
    assert "neither a folder kanat wrote nor a .bvh file" in _one_line(capfd.readouterr().err)
    assert main(["critique", str(tmp_path / "gone.bvh"), "--music", str(MUSIC_JSON)]) == 2
    assert "does not exist" in _one_line(capfd.readouterr().err)


def test_add_import_figures_warns_about_a_loose_fit():
    imported = import_bvh(MOCAPBANK)
    report = critique(imported.motion, MusicMap.load(MUSIC_JSON), None)
    info = dict(imported.info.to_dict(), fit_error_mean_m=0.05)
    add_import_figures(report, info, source="loose.bvh")
    assert report.metrics["import_fit_error_mean_m"] == 0.05
    assert report.summary.endswith("within 5.0 cm on average). The fit is loose: read the physics figures as approximate.")
