"""Damaged or hand-edited files (score.yaml, music.json, motion.npz): refused by field, before anything is written."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from badkit import refused, substitution as _sub

DATA = Path(__file__).parent / "data"
SCORE = (DATA / "compose" / "demo_score.yaml").read_text(encoding="utf-8")
def _line_of(text: str) -> int:
    """The 1-based line of the saved score that holds ``text`` (the score is regenerated with the vocabulary)."""
    return next(i for i, line in enumerate(SCORE.splitlines(), 1) if text in line)


MUSIC = json.loads((DATA / "listen" / "demo_music.json").read_text(encoding="utf-8"))


def _settings(new):
    return lambda t: re.sub(r"settings:\n(  .*\n)+", f"settings: {new}\n", t, count=1)


SCORE_EDITS = {
    "phrases a number": (lambda t: t.split("phrases:")[0] + "phrases: 5\n", ("'phrases'", "list", "got 5")),
    "phrases a text": (lambda t: t.split("phrases:")[0] + "phrases: many\n", ("'phrases'", "list")),
    "settings a list": (_settings("[1, 2]"), ("settings", "mapping")),
    "settings a text": (_settings("fast"), ("settings", "mapping")),
    "first_beat -100": (_sub("first_beat: 24", "first_beat: -100"), (f"line {_line_of('first_beat: 24')}", "'first_beat'", "-100")),
    "first_beat text": (_sub("first_beat: 24", "first_beat: soon"), ("'first_beat'", "whole number", "'soon'")),
    "first_beat float": (_sub("first_beat: 24", "first_beat: 24.5"), ("'first_beat'", "whole number")),
    "first_beat overlap": (_sub("first_beat: 24", "first_beat: 10"), ("'first_beat'", "24 or more")),
    "first_beat out of order": (_sub("first_beat: 48", "first_beat: 5"), ("phrase 3", "'first_beat'")),
    "first_beat missing": (_sub("  first_beat: 24\n", ""), ("phrase 2", "missing 'first_beat'")),
    "phrase beats 0": (_sub("beats: 24", "beats: 0"), ("'beats'", "1-")),
    "phrase beats -5": (_sub("beats: 24", "beats: -5"), ("'beats'", "-5")),
    "phrase beats text": (_sub("beats: 24", "beats: lots"), ("'beats'", "whole number")),
    "phrase number text": (_sub("phrase: 1\n", "phrase: first\n"), ("'phrase'", "'first'")),
    "phrase not a mapping": (_sub("- phrase: 1\n", "- hello\n- phrase: 1\n"), ("phrase 1", "mapping", "'hello'")),
    "phrase locked text": (_sub("locked: false", "locked: maybe"), ("'locked'", "true or false")),
    "section a list": (_sub("section: A", "section: [A]"), ("'section'", "text")),
    "steps a number": (_sub("  steps:\n", "  steps: 3\n  old:\n"), ("'steps'", "list", "got 3")),
    "step not a mapping": (_sub("  - {at: 1, step: préparation", "  - 7\n  - {at: 1, step: préparation"),
                           ("step 1", "mapping", "got 7")),
    "step without at": (_sub("{at: 1, step: préparation", "{step: préparation"), ("step 1", "'step' and 'at'")),
    "step name a number": (_sub("step: préparation", "step: 5"), ("'step'", "name", "got 5")),
    "step name a list": (_sub("step: préparation", "step: [a, b]"), ("'step'", "name")),
    "step name empty": (_sub("step: préparation", "step: ''"), ("'step'", "non-empty")),
    "step name unknown": (_sub("step: préparation", "step: preparashun"), ("line 20", "did you mean 'préparation'")),
    "step at text": (_sub("at: 1,", "at: one,"), ("'at'", "whole number", "'one'")),
    "step at 0": (_sub("at: 1,", "at: 0,"), ("at: 0", "outside")),
    "step at past the phrase": (_sub("at: 1,", "at: 99,"), ("at: 99", "outside the phrase's beats 1-24")),
    "step beats -3": (_sub("beats: 6,", "beats: -3,"), ("'beats'", "-3")),
    "step beats text": (_sub("beats: 6,", "beats: six,"), ("'beats'", "'six'")),
    "step facing 9": (_sub("facing: 1,", "facing: 9,"), ("facing", "1-8", "9")),
    "step facing text": (_sub("facing: 1,", "facing: left,"), ("'facing'", "1-8", "'left'")),
    "step side X": (_sub("side: R", "side: X"), ("side", "R, L")),
    "step spot a number": (_sub("spot: [0.0, 0.0]", "spot: 5"), ("'spot'", "[x, z]", "got 5")),
    "step spot nan": (_sub("spot: [0.0, 0.0]", "spot: [.nan, 0.0]"), ("'spot'", "finite")),
    "step spot inf": (_sub("spot: [0.0, 0.0]", "spot: [.inf, 0.0]"), ("'spot'", "finite")),
    "step spot three": (_sub("spot: [0.0, 0.0]", "spot: [0, 0, 0]"), ("'spot'", "[x, z]")),
    "step spot text": (_sub("spot: [0.0, 0.0]", "spot: [a, b]"), ("'spot'", "[x, z]")),
    "step spot 1 km": (_sub("spot: [0.0, 0.0]", "spot: [1000.0, 0.0]"), ("'spot'", "within")),
    "step locked text": (_sub("spot: [0.0, 0.0]}", "spot: [0.0, 0.0], locked: yes please}"), ("'locked'",)),
    "music a number": (_sub("music: demo.ogg", "music: 5"), ("'music'", "text", "got 5")),
    "music a list": (_sub("music: demo.ogg", "music: [a]"), ("'music'", "text")),
    "music missing": (_sub("music: demo.ogg\n", ""), ("missing 'music'",)),
    "seed -1": (_sub("seed: 0", "seed: -1"), ("seed", "-1")),
    "seed text": (_sub("seed: 0", "seed: zero"), ("seed",)),
    "innovation 7": (_sub("innovation: 0.2", "innovation: 7"), ("innovation", "between 0 and 1")),
    "difficulty 0": (_sub("difficulty: 2", "difficulty: 0"), ("difficulty",)),
    "style hiphop": (_sub("style: classical", "style: hiphop"), ("style", "hiphop")),
    "stage a text": (_sub("stage: {width_m: 10.0, depth_m: 8.0}", "stage: big"), ("stage", "mapping")),
    "stage negative": (_sub("width_m: 10.0", "width_m: -10.0"), ("stage", "-10")),
    "format_version text": (_sub("format_version: 1", "format_version: one"), ("format_version", "'one'")),
    "format_version 2": (_sub("format_version: 1", "format_version: 2"), ("format_version 2", "not supported")),
    "a tab": (_sub("  first_beat: 0", "\tfirst_beat: 0"), ("line 15", "not valid YAML")),
    "unclosed bracket": (_sub("spot: [0.0, 0.0]}", "spot: [0.0, 0.0}"), ("not valid YAML",)),
    "empty": (lambda t: "", ("a score must be a YAML mapping",)),
    "a list": (lambda t: "- 1\n- 2\n", ("a score must be a YAML mapping",)),
    "no phrases": (lambda t: t.split("phrases:")[0] + "phrases: []\n", ("no steps",)),
}


@pytest.fixture
def folder(tmp_path):
    """A folder as kanat leaves it: score.yaml and its music.json."""
    (tmp_path / "music.json").write_text(json.dumps(MUSIC), encoding="utf-8")
    (tmp_path / "score.yaml").write_text(SCORE, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("name", SCORE_EDITS)
def test_edited_score_refused_before_anything_is_written(capfd, folder, name):
    edit, words = SCORE_EDITS[name]
    (folder / "score.yaml").write_text(edit(SCORE), encoding="utf-8")
    out = folder / "out"
    refused(capfd, ["render", folder / "score.yaml", "-o", out, "--no-video"], folder, *words)
    assert not out.exists()


def test_binary_score(capfd, folder):
    (folder / "score.yaml").write_bytes(b"\x00\xff\xfe" * 40)
    refused(capfd, ["render", folder / "score.yaml", "-o", folder / "out", "--no-video"], folder, "not a text file")


def test_a_folder_given_as_the_score(capfd, folder):
    (folder / "adir").mkdir()
    refused(capfd, ["render", folder / "adir", "-o", folder / "out", "--no-video"], folder, "adir", "is a folder")


def test_a_folder_given_as_the_partial_score_or_the_sheet(capfd, folder):
    (folder / "adir").mkdir()
    base = ["choreograph", folder / "music.json", "-o", folder / "out", "--no-video"]
    refused(capfd, [*base, "--score", folder / "adir"], folder, "adir", "is a folder")
    refused(capfd, ["listen", folder / "music.json", "--score", folder / "adir", "-o", folder / "m.json"], folder,
            "adir", "a folder")


def test_a_folder_given_as_the_music_map(capfd, folder):
    (folder / "m.json").mkdir()
    refused(capfd, ["choreograph", folder / "m.json", "-o", folder / "out", "--no-video"], folder, "m.json", "folder")


@pytest.mark.parametrize("name", ["first_beat -100", "phrases a number", "step spot nan", "settings a list"])
def test_edited_partial_score_refused_by_choreograph(capfd, folder, name):
    edit, words = SCORE_EDITS[name]
    (folder / "mine.yaml").write_text(edit(SCORE), encoding="utf-8")
    args = ["choreograph", folder / "music.json", "-o", folder / "out", "--score", folder / "mine.yaml", "--no-video"]
    refused(capfd, args, folder, *words)
    assert not (folder / "out").exists()


def _set(key, value):
    def edit(d):
        d[key] = value
        return d
    return edit


def _item(key, i, value):
    def edit(d):
        d[key] = list(d[key])
        d[key][i] = value
        return d
    return edit


MUSIC_EDITS = {
    "duration negative": (_set("duration_s", -1), ("'duration_s'", ">= 0")),
    "duration text": (_set("duration_s", "long"), ("'duration_s'", "number")),
    "duration null": (_set("duration_s", None), ("'duration_s'",)),
    "tempo text": (_set("tempo_bpm", "fast"), ("'tempo_bpm'",)),
    "tempo 1e9": (_set("tempo_bpm", 1e9), ("'tempo_bpm'", "0.0-2000")),
    "beats a number": (_set("beats_s", 5), ("'beats_s'", "list")),
    "beat text": (_item("beats_s", 3, "x"), ("'beats_s'[3]", "number")),
    "beat negative": (_item("beats_s", 0, -4.0), ("'beats_s'[0]", ">= 0")),
    "beats out of order": (_item("beats_s", 5, 0.0), ("beats_s", "increasing")),
    "beats_per_bar 7": (_set("beats_per_bar", 7), ("'beats_per_bar'", "2-4")),
    "beats_per_bar text": (_set("beats_per_bar", "three"), ("'beats_per_bar'",)),
    "meter text": (_item("meter", 0, "3/4"), ("'meter'[0]", "whole number")),
    "meter short": (lambda d: {**d, "meter": d["meter"][:-3]}, ("meter", "one per beat")),
    "counts float": (_item("counts", 2, 1.5), ("'counts'[2]",)),
    "count label number": (_item("count_labels", 1, 7), ("'count_labels'[1]", "text")),
    "energy nan": (_item("energy", 0, float("nan")), ("'energy'[0]", "finite")),
    "accent text": (_item("accent", 0, "loud"), ("'accent'[0]",)),
    "phrases a number": (_set("phrases", 3), ("'phrases'", "list")),
    "phrase one number": (_item("phrases", 0, 4), ("'phrases'[0]", "[first, last]")),
    "phrase past the end": (_item("phrases", 0, [0, 100000]), ("phrase", "outside")),
    "sections a mapping": (_set("sections", {"A": 1}), ("'sections'", "list")),
    "section without label": (lambda d: {**d, "sections": [{"start_s": 0, "end_s": 3}]}, ("label", "text")),
    "section start text": (lambda d: {**d, "sections": [{"start_s": "0", "end_s": 3, "label": "A"}]},
                           ("start_s", "number")),
    "source a number": (_set("source", 5), ("'source'", "text")),
    "extras a list": (_set("extras", [1]), ("'extras'", "mapping")),
    "format_version 9": (_set("format_version", 9), ("format_version 9", "not supported")),
    "missing beats": (lambda d: {k: v for k, v in d.items() if k != "beats_s"}, ("missing", "beats_s")),
    "a list": (lambda d: [1, 2, 3], ("JSON object",)),
}


@pytest.mark.parametrize("name", MUSIC_EDITS)
def test_damaged_music_map_refused_by_render(capfd, folder, name):
    edit, words = MUSIC_EDITS[name]
    (folder / "music.json").write_text(json.dumps(edit(json.loads(json.dumps(MUSIC)))), encoding="utf-8")
    refused(capfd, ["render", folder / "score.yaml", "-o", folder / "out", "--no-video"], folder, "music.json", *words)
    assert not (folder / "out").exists()


@pytest.mark.parametrize("name", ["tempo 1e9", "beat text", "energy nan", "a list"])
def test_damaged_music_map_refused_by_choreograph(capfd, folder, name):
    edit, words = MUSIC_EDITS[name]
    (folder / "music.json").write_text(json.dumps(edit(json.loads(json.dumps(MUSIC)))), encoding="utf-8")
    refused(capfd, ["choreograph", folder / "music.json", "-o", folder / "out", "--no-video"], folder, *words)


@pytest.mark.parametrize("text, words", [("", ("not a valid",)), ("{beats", ("not a valid",)), ("\x00\x01", ("not a valid",)),
                                         ("null", ("JSON object",)), ("[]", ("JSON object",))])
def test_music_map_that_is_not_json(capfd, folder, text, words):
    (folder / "music.json").write_text(text, encoding="utf-8")
    refused(capfd, ["render", folder / "score.yaml", "-o", folder / "out", "--no-video"], folder, *words)


@pytest.fixture
def danced(folder):
    """A folder with music.json, score.yaml and the saved motion of tests/data."""
    shutil.copy(DATA / "perform" / "demo_motion.npz", folder / "motion.npz")
    return folder


def _rewrite_npz(path: Path, **changes):
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays.update(changes)
    for k in [k for k, v in changes.items() if v is None]:
        del arrays[k]
    np.savez(path, **arrays)


def test_truncated_motion(capfd, danced):
    p = danced / "motion.npz"
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    refused(capfd, ["critique", danced], danced, "motion.npz", "truncated")


def test_motion_cut_after_the_header(capfd, danced):
    p = danced / "motion.npz"
    p.write_bytes(p.read_bytes()[:200])
    refused(capfd, ["critique", danced], danced, "motion.npz", "kanat render")


def test_motion_that_is_text(capfd, danced):
    (danced / "motion.npz").write_text("not a motion\n")
    refused(capfd, ["critique", danced], danced, "motion.npz", "not a complete kanat motion file")


@pytest.mark.parametrize("change, words", [
    ({"fps": np.float64(0)}, ("fps",)),
    ({"fps": np.float64(np.nan)}, ("fps",)),
    ({"root_pos": None}, ("lacks", "root_pos")),
    ({"format_version": np.int64(5)}, ("format_version 5",)),
    ({"root_pos": np.full((10, 3), np.nan)}, ("root_pos", "not finite")),
    ({"rotations": np.zeros((4, 24, 4))}, ("expected root_pos",)),
])
def test_damaged_motion_arrays(capfd, danced, change, words):
    _rewrite_npz(danced / "motion.npz", **change)
    refused(capfd, ["critique", danced], danced, "motion.npz", *words)


def test_critique_of_a_folder_with_a_damaged_score(capfd, danced):
    (danced / "score.yaml").write_text(SCORE_EDITS["first_beat -100"][0](SCORE), encoding="utf-8")
    refused(capfd, ["critique", danced], danced, "'first_beat'", "-100")
