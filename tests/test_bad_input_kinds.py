"""Inputs of the wrong kind, for every command that reads one: one line, exit 2, nothing written."""

from __future__ import annotations

import os
import zlib

import pytest
from badkit import refused

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def _make(tmp_path, kind: str, name: str):
    p = tmp_path / name
    if kind == "missing":
        pass
    elif kind == "folder":
        p.mkdir()
    elif kind == "fifo":
        os.mkfifo(p)
    elif kind == "empty":
        p.write_bytes(b"")
    elif kind == "text":
        p.write_text("these are my notes\n" * 40)
    elif kind == "garbage":
        p.write_bytes(zlib.compress(os.urandom(4000)) * 3)
    elif kind == "png":
        p.write_bytes(PNG)
    elif kind == "dangling link":
        p.symlink_to(tmp_path / "gone")
    elif kind == "link loop":
        p.symlink_to(p)
    else:
        raise KeyError(kind)
    return p


AUDIO_KINDS = ["missing", "folder", "fifo", "empty", "text", "garbage", "png", "dangling link", "link loop"]
AUDIO_NAMES = ["m.wav", "m.mp3", "m.flac", "m.ogg"]


@pytest.mark.parametrize("kind", AUDIO_KINDS)
@pytest.mark.parametrize("name", AUDIO_NAMES)
def test_listen_refuses_what_is_not_music(capfd, tmp_path, kind, name):
    music = _make(tmp_path, kind, name)
    refused(capfd, ["listen", music, "-o", tmp_path / "out.json"], tmp_path, name)


@pytest.mark.parametrize("kind", AUDIO_KINDS)
def test_choreograph_refuses_what_is_not_music(capfd, tmp_path, kind):
    music = _make(tmp_path, kind, "m.wav")
    refused(capfd, ["choreograph", music, "-o", tmp_path / "out", "--no-video"], tmp_path, "m.wav")


@pytest.mark.parametrize("kind", ["missing", "folder", "empty", "text", "garbage", "png", "dangling link",
                                  "link loop"])
def test_render_refuses_what_is_not_a_score(capfd, tmp_path, kind):
    score = _make(tmp_path, kind, "score.yaml")
    refused(capfd, ["render", score, "-o", tmp_path / "out", "--no-video"], tmp_path, "score.yaml")


@pytest.mark.parametrize("kind", ["missing", "folder", "empty", "text", "garbage", "dangling link"])
def test_critique_refuses_what_is_not_a_bvh(capfd, tmp_path, kind):
    bvh = _make(tmp_path, kind, "d.bvh")
    music = _make(tmp_path, "text", "m.json")
    refused(capfd, ["critique", bvh, "--music", music], tmp_path, "d.bvh")


@pytest.mark.parametrize("kind", ["missing", "folder", "empty", "text", "garbage"])
def test_critique_refuses_music_that_is_not_music(capfd, tmp_path, kind):
    from pathlib import Path

    bvh = tmp_path / "d.bvh"
    bvh.write_text((Path(__file__).parent / "data" / "bvh" / "test_freebvh.bvh").read_text())
    music = _make(tmp_path, kind, "m.wav")
    refused(capfd, ["critique", bvh, "--music", music], tmp_path, "m.wav")


@pytest.mark.parametrize("kind", ["missing", "folder", "empty", "text", "garbage", "png"])
def test_sheet_that_is_not_a_score(capfd, tmp_path, kind):
    from badkit import write_song

    song = write_song(tmp_path / "song.wav", 4.0)
    sheet = _make(tmp_path, kind, "sheet.mid")
    refused(capfd, ["choreograph", song, "--sheet", sheet, "-o", tmp_path / "out", "--no-video"], tmp_path, "sheet.mid")


def test_long_and_looping_output_names(capfd, tmp_path):
    from badkit import write_song

    song = write_song(tmp_path / "song.wav", 4.0)
    loop = _make(tmp_path, "link loop", "loop")
    refused(capfd, ["listen", song, "-o", loop], tmp_path, "loop of symbolic links")
    refused(capfd, ["choreograph", song, "-o", loop, "--no-video"], tmp_path, "loop of symbolic links")
    refused(capfd, ["listen", song, "-o", tmp_path / ("a" * 300 + ".json")], tmp_path, "too long")
    refused(capfd, ["choreograph", song, "-o", tmp_path / ("b" * 300), "--no-video"], tmp_path, "too long")
