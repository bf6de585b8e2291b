"""The pipeline from a saved music map: `kanat choreograph music.json` dances without listening again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from kanat.cli import main
from kanat.compose import Score

DATA = Path(__file__).parent / "data"


def test_choreograph_from_a_saved_music_map(tmp_path, capfd):
    saved = tmp_path / "music.json"
    shutil.copy(DATA / "listen" / "demo_music.json", saved)
    out = tmp_path / "out"
    assert main(["choreograph", str(saved), "-o", str(out), "--no-video", "--stage", "12x9", "--seed", "3"]) == 0
    capfd.readouterr()
    for name in ("music.json", "score.yaml", "motion.npz", "joints.npz", "dance.bvh", "dance.glb", "counts.md",
                 "critique.json"):
        assert (out / name).is_file(), name
    # nothing was listened to: the map is the one given, beat for beat
    assert json.loads((out / "music.json").read_text())["beats_s"] == json.loads(saved.read_text())["beats_s"]
    brief = Score.load(out / "score.yaml").brief
    assert (brief.stage.width_m, brief.stage.depth_m, brief.seed) == (12.0, 9.0, 3)


def test_a_sheet_needs_the_audio_not_a_saved_map(tmp_path, capfd):
    saved = tmp_path / "music.json"
    shutil.copy(DATA / "listen" / "demo_music.json", saved)
    sheet = Path(__file__).parents[1] / "src" / "kanat" / "data" / "demo.mid"
    assert main(["choreograph", str(saved), "-o", str(tmp_path / "o"), "--sheet", str(sheet)]) == 2
    assert "music.json was already counted" in capfd.readouterr().err
