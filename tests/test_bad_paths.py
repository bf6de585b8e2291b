"""Output paths are checked before the long work: never over the input, never where nothing can be written."""

from __future__ import annotations

import os

import pytest
from badkit import refused, write_song, snapshot

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@pytest.fixture
def song(tmp_path):
    path = write_song(tmp_path / "x.wav", 6.0)
    (tmp_path / "afile").write_text("my notes\n")
    (tmp_path / "adir").mkdir()
    (tmp_path / "adir.png").mkdir()
    return path


def test_listen_onto_its_own_music_leaves_it_byte_identical(capfd, tmp_path, song):
    before = song.read_bytes()
    refused(capfd, ["listen", song, "-o", song], tmp_path, "input file itself", "x.wav")
    assert song.read_bytes() == before


def test_listen_onto_its_own_music_by_another_name(capfd, tmp_path, song):
    other = tmp_path / "adir" / ".." / "x.wav"
    refused(capfd, ["listen", song, "-o", other], tmp_path, "input file itself")


def test_listen_onto_a_hard_link_of_its_music(capfd, tmp_path, song):
    link = tmp_path / "adir" / "same.json"
    os.link(song, link)
    refused(capfd, ["listen", song, "-o", link], tmp_path, "input file itself")


LISTEN_OUT = [
    ("afile/m.json", ("afile' is a file, not a folder",)),
    ("afile/deeper/m.json", ("afile' is a file, not a folder",)),
    ("adir", ("is a folder", "music.json")),
    ("m.txt", (".json",)),
    ("m", (".json",)),
]


@pytest.mark.parametrize("out, words", LISTEN_OUT)
def test_listen_output_checked_before_listening(capfd, tmp_path, song, out, words):
    refused(capfd, ["listen", song, "-o", tmp_path / out], tmp_path, "-o", *words)


PLOT_OUT = [
    ("afile/p.png", ("afile' is a file, not a folder",)),
    ("adir", (".png",)),
    ("adir.png", ("is a folder",)),
    ("p.jpg", (".png",)),
    ("x.wav", (".png",)),
]


@pytest.mark.parametrize("plot, words", PLOT_OUT)
def test_listen_plot_checked_before_listening(capfd, tmp_path, song, plot, words):
    refused(capfd, ["listen", song, "-o", tmp_path / "m.json", "--plot", tmp_path / plot], tmp_path, *words)


def _dir_commands(tmp_path, song, out):
    return {
        "choreograph": ["choreograph", song, "-o", out, "--no-video"],
        "demo": ["demo", "-o", out, "--no-video"],
        "render": ["render", tmp_path / "score.yaml", "-o", out, "--no-video"],
        "critique": ["critique", tmp_path / "d.bvh", "--music", song, "-o", out],
    }


DIR_OUT = [
    ("afile", ("is a file", "folder")),
    ("afile/o", ("afile' is a file, not a folder",)),
    ("afile/a/b", ("afile' is a file, not a folder",)),
]


@pytest.mark.parametrize("command", ["choreograph", "demo", "render", "critique"])
@pytest.mark.parametrize("out, words", DIR_OUT)
def test_output_folder_checked_before_the_work(capfd, tmp_path, song, command, out, words, demo_score):
    (tmp_path / "score.yaml").write_text(demo_score.to_yaml())
    (tmp_path / "d.bvh").write_text("HIERARCHY\n")
    args = _dir_commands(tmp_path, song, tmp_path / out)[command]
    refused(capfd, args, tmp_path, *words)


@pytest.mark.parametrize("command", ["choreograph", "render"])
def test_output_folder_is_never_the_input(capfd, tmp_path, song, command, demo_score):
    (tmp_path / "score.yaml").write_text(demo_score.to_yaml())
    target = song if command == "choreograph" else tmp_path / "score.yaml"
    args = _dir_commands(tmp_path, song, target)[command]
    refused(capfd, args, tmp_path, "input file itself")


def test_choreograph_alternative_folder_that_is_a_file(capfd, tmp_path, song):
    out = tmp_path / "out"
    out.mkdir()
    (out / "alt-2").write_text("mine\n")
    refused(capfd, ["choreograph", song, "-o", out, "--alternatives", "2", "--no-video"], tmp_path, "alt-2", "is a file")


def test_gallery_and_studio_paths(capfd, tmp_path, song):
    refused(capfd, ["steps", "--gallery", tmp_path / "afile" / "g.png"], tmp_path, "--gallery", "not a folder")
    refused(capfd, ["steps", "--gallery", tmp_path / "adir"], tmp_path, "--gallery", "is a folder")
    refused(capfd, ["studio", "--data", tmp_path / "afile"], tmp_path, "--data", "is a file")
    refused(capfd, ["studio", "--data", tmp_path / "afile" / "p"], tmp_path, "--data", "not a folder")


def _read_only_places(tmp_path):
    places = []
    if os.path.isdir("/sys") and not os.access("/sys", os.W_OK | os.X_OK) or ROOT and os.path.isdir("/sys"):
        places.append("/sys")
    if not ROOT:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        places.append(str(ro))
    return places


def test_read_only_folder_refused_before_the_work(capfd, tmp_path, song):
    places = [p for p in _read_only_places(tmp_path) if _really_read_only(p)]
    if not places:
        pytest.skip("no read-only folder on this machine")
    for place in places:
        refused(capfd, ["listen", song, "-o", f"{place}/m.json"], tmp_path, "not writable")
        refused(capfd, ["choreograph", song, "-o", f"{place}/out", "--no-video"], tmp_path, "not writable")
        refused(capfd, ["steps", "--gallery", f"{place}/g.png"], tmp_path, "not writable")


def _really_read_only(place: str) -> bool:
    import tempfile

    try:
        fd, p = tempfile.mkstemp(dir=place)
    except OSError:
        return True
    os.close(fd)
    os.unlink(p)
    return False


def test_nothing_written_by_a_refused_listen(capfd, tmp_path, song):
    before = snapshot(tmp_path)
    refused(capfd, ["listen", song, "-o", tmp_path / "afile" / "m.json"], tmp_path, "not a folder")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("name", ["dance.bvh", "score.yaml", "dance.mp4", "music.json"])
def test_a_folder_where_an_output_file_goes(capfd, tmp_path, song, name):
    out = tmp_path / "out"
    (out / name).mkdir(parents=True)
    refused(capfd, ["choreograph", song, "-o", out], tmp_path, f"folder named {name}")


def test_stale_temporary_files_are_removed_at_the_next_start(capfd, tmp_path, song):
    import subprocess

    p = subprocess.Popen(["true"])
    p.wait()
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f".dance.kanat-tmp-{p.pid}-abc.mp4"
    stale.write_bytes(b"half a video a killed run left")
    (out / "afile").mkdir()  # the run is refused, but the stale file is cleaned first
    code, _err = __import__("badkit").run(capfd, ["listen", song, "-o", out / "afile"])
    assert code == 2 and not stale.exists()


def test_choreograph_into_the_folder_of_its_music_map_keeps_the_map_byte_identical(capfd, tmp_path):
    import json
    from pathlib import Path

    data = Path(__file__).parent / "data"
    out = tmp_path / "out"
    out.mkdir()
    saved = out / "music.json"
    text = json.dumps(json.loads((data / "listen" / "demo_music.json").read_text()), indent=4)  # the user's layout
    saved.write_text(text)
    code, err = __import__("badkit").run(capfd, ["choreograph", saved, "-o", out, "--no-video"])
    assert code == 0, err
    assert saved.read_text() == text and (out / "score.yaml").is_file() and (out / "dance.bvh").is_file()
