"""Options out of range, usage mistakes: one line, exit status 2, before any work, nothing written."""

from __future__ import annotations

import pytest
from badkit import refused, write_song


@pytest.fixture
def song(tmp_path):
    path = write_song(tmp_path / "x.wav", 4.0)
    return path


RANGES = [
    (["--seed", "-1"], "seed"),
    (["--seed", str(2**32)], "seed"),
    (["--difficulty", "0"], "difficulty"),
    (["--difficulty", "6"], "difficulty"),
    (["--innovation", "-0.1"], "innovation"),
    (["--innovation", "1.5"], "innovation"),
    (["--innovation", "nan"], "innovation"),
    (["--innovation", "inf"], "innovation"),
    (["--style", "hiphop"], "style"),
    (["--alternatives", "0"], "alternatives"),
    (["--alternatives", "11"], "alternatives"),
    (["--alternatives", "-3"], "alternatives"),
    (["--seed", str(2**32 - 1), "--alternatives", "2"], "seed"),
    (["--video-fps", "7"], "video-fps"),
    (["--video-fps", "0"], "video-fps"),
    (["--video-size", "4k"], "video-size"),
    (["--camera", "drone"], "camera"),
    (["--stage", "0x0"], "stage"),
    (["--stage", "wide"], "stage"),
    (["--stage", "-3x8"], "stage"),
]


@pytest.mark.parametrize("extra, word", RANGES, ids=[" ".join(e) for e, _w in RANGES])
def test_choreograph_option_ranges(capfd, tmp_path, song, extra, word):
    refused(capfd, ["choreograph", song, "-o", tmp_path / "out", "--no-video", *extra], tmp_path, word)


DEMO = [(["--seed", "-1"], "seed"), (["--video-fps", "1000"], "video-fps"), (["--video-size", "8k"], "video-size"),
        (["--camera", "x"], "camera")]


@pytest.mark.parametrize("extra, word", DEMO, ids=[" ".join(e) for e, _w in DEMO])
def test_demo_option_ranges(capfd, tmp_path, extra, word):
    refused(capfd, ["demo", "-o", tmp_path / "out", *extra], tmp_path, word)


STUDIO = [(["--port", "0"], "port"), (["--port", "70000"], "port"), (["--port", "-1"], "port"),
          (["--max-upload-mb", "0"], "max-upload-mb"), (["--max-upload-mb", "-5"], "max-upload-mb"),
          (["--max-upload-mb", "nan"], "max-upload-mb"), (["--max-upload-mb", "inf"], "max-upload-mb")]


@pytest.mark.parametrize("extra, word", STUDIO, ids=[" ".join(e) for e, _w in STUDIO])
def test_studio_option_ranges(capfd, tmp_path, extra, word):
    refused(capfd, ["studio", "--data", tmp_path / "d", *extra], tmp_path, word)


USAGE = [
    (["choreograph", "{song}", "-o", "{out}", "--seed", "abc"], "--seed"),
    (["choreograph", "{song}", "-o", "{out}", "--difficulty", "2.5"], "--difficulty"),
    (["choreograph", "{song}", "-o", "{out}", "--innovation", "lots"], "--innovation"),
    (["choreograph", "{song}"], "--out"),
    (["choreograph", "-o", "{out}"], "music"),
    (["choreograph", "{song}", "-o", "{out}", "--tempo", "120"], "--tempo"),
    (["listen"], "music"),
    (["listen", "{song}", "{song}"], "unexpected extra argument"),
    (["listen", "{song}", "-o"], "-o"),
    (["render"], "score"),
    (["critique"], "target"),
    (["steps", "--family"], "--family"),
    (["studio", "--port", "http"], "--port"),
    (["dance", "{song}"], "no such command"),
    (["--no-such-flag"], "--no-such-flag"),
]


@pytest.mark.parametrize("args, word", USAGE, ids=[" ".join(a) for a, _w in USAGE])
def test_usage_errors_are_one_line(capfd, tmp_path, song, args, word):
    args = [a.replace("{song}", str(song)).replace("{out}", str(tmp_path / "out")) for a in args]
    line = refused(capfd, args, tmp_path, word)
    assert "--help" in line


FAMILIES = ["hiphop", "Classical", "", "ballet"]


@pytest.mark.parametrize("family", FAMILIES)
def test_steps_of_an_unknown_family_lists_the_families(capfd, tmp_path, family):
    refused(capfd, ["steps", "--family", family], tmp_path, "classical, modern, contemporary, linking")


def test_help_is_not_an_error(capfd):
    from kanat.cli import main

    assert main(["--help"]) == 0
    assert main(["listen", "--help"]) == 0
    assert "Usage" in capfd.readouterr().out


def test_studio_on_a_port_in_use(capfd, tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        refused(capfd, ["studio", "--data", tmp_path / "d", "--port", port], tmp_path, f"--port {port}",
                "choose another port")
