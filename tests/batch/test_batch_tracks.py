"""Batch without Ray: finding, naming and keying tracks, bad sources, and the catalogue's files."""

from __future__ import annotations

import csv
import json

import pytest
from testkit.music import write_click_track, write_corrupt_wav

from kanat.batch.catalogue import write_catalogue
from kanat.batch.run import batch_options
from kanat.batch.tracks import find_tracks, key_tracks, name_tracks
from kanat.brief import Brief
from kanat.cli import main
from kanat.errors import ParameterError


def test_a_folder_is_searched_and_every_track_named_once(tmp_path):
    music = tmp_path / "music"
    for rel in ("a.wav", "sub/a.wav", "sub/b c.flac", "A.ogg"):
        (music / rel).parent.mkdir(parents=True, exist_ok=True)
        (music / rel).write_bytes(b"x")
    (music / "notes.txt").write_text("not music")
    tracks = name_tracks(find_tracks(music), music)
    assert [t.name for t in tracks] == ["A", "a-2", "sub__a", "sub__b_c"]
    assert all(t.path.is_absolute() and t.path.is_file() for t in tracks)


def test_a_list_file_with_comments_and_relative_paths(tmp_path):
    write_click_track(tmp_path / "m" / "one.wav", bpm=120, meter=4)
    listing = tmp_path / "tracks.txt"
    listing.write_text("# the term's class music\n\nm/one.wav\nm/missing.wav\n", encoding="utf-8")
    tracks = name_tracks(find_tracks(listing), None)
    assert [t.name for t in tracks] == ["one", "missing"]
    key_tracks(tracks, {"brief": {}})
    assert len(tracks[0].key) == 64 and not tracks[0].problem
    assert "missing.wav' does not exist" in tracks[1].problem and not tracks[1].key


def test_the_key_follows_the_audio_and_the_options(tmp_path):
    a = write_click_track(tmp_path / "a.wav", bpm=120, meter=4)
    b = write_click_track(tmp_path / "b.wav", bpm=120, meter=4, seed=1)

    def key(path, brief, video=False):
        [t] = name_tracks([path], None)
        key_tracks([t], batch_options(brief, video=video, video_options={"fps": 30}))
        return t.key

    base = key(a, Brief())
    assert key(a, Brief()) == base  # the same music and options: the same key, run after run
    assert key(b, Brief()) != base
    assert key(a, Brief(seed=1)) != base
    assert key(a, Brief(), video=True) != base


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "nowhere", "does not exist"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "holds no music files"),
    (lambda p: write_click_track(p / "one.wav", bpm=120, meter=4), "for one track use 'kanat choreograph'"),
    (lambda p: (p / "l.txt").write_text("# nothing\n") and p / "l.txt", "lists no tracks"),
    (lambda p: (p / "l.txt").write_bytes(b"\xff\xfe\x00bad") and p / "l.txt", "not a readable text list"),
])
def test_a_bad_source_is_one_clear_line(tmp_path, capfd, make, message):
    source = make(tmp_path)
    assert main(["batch", str(source), "-o", str(tmp_path / "out"), "--no-video"]) == 2
    err = capfd.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when this returns: nothing listens there


def test_bad_options_before_any_work(tmp_path, capfd):
    music = tmp_path / "m"
    write_click_track(music / "a.wav", bpm=120, meter=4)
    (tmp_path / "file").write_text("x")
    for args, message in ((["--workers", "0"], "--workers must be"), (["--address", "nohost"], "--address must be"),
                          (["--retries", "-1"], "--retries must be"), (["--difficulty", "9"], "difficulty must be"),
                          (["--address", f"127.0.0.1:{_closed_port()}"], "no Ray cluster answers at")):
        assert main(["batch", str(music), "-o", str(tmp_path / "out"), "--no-video", *args]) == 2
        assert message in capfd.readouterr().err
        assert not (tmp_path / "out").exists()
    assert main(["batch", str(music), "-o", str(tmp_path / "file")]) == 2
    assert "is a file" in capfd.readouterr().err
    with pytest.raises(ParameterError, match="is a file"):
        from kanat.batch import run_batch

        run_batch(music, tmp_path / "file")


def test_a_corrupt_file_is_not_found_as_a_problem_before_the_work(tmp_path):
    # the bytes are read and keyed like any track's: decoding (and failing) is the worker's job
    bad = write_corrupt_wav(tmp_path / "bad.wav")
    [t] = name_tracks([bad], None)
    key_tracks([t], {})
    assert t.key and not t.problem


ROWS = [
    {"track": "waltz", "status": "done", "source": "/m/waltz.wav", "folder": "tracks/waltz", "duration_s": 31.5,
     "tempo_bpm": 92.0, "meter": "3", "sections": "A B A", "phrases": 4, "steps": 20, "notes": 5,
     "metrics": {"beat_align_score": 0.41, "pfc": 0.8}, "links": {"video": "dance.mp4", "counts": "counts.html"},
     "seconds": 12.0, "worker_peak_rss_mb": 480.0},
    {"track": "rag", "status": "kept", "source": "/m/rag.wav", "folder": "tracks/rag", "duration_s": 9.0,
     "tempo_bpm": 120.5, "meter": "2", "sections": "A", "phrases": 1, "steps": 4, "notes": 2,
     "metrics": {"beat_align_score": 0.2, "pfc": 1.5}, "links": {"counts": "counts.html"}, "seconds": 3.0},
    {"track": "broken", "status": "failed", "source": "/m/broken.wav", "folder": "tracks/broken",
     "error": "audio file '/m/broken.wav' could not be decoded <damaged>"},
]


def test_the_catalogue_files(tmp_path):
    paths = write_catalogue(tmp_path, ROWS, options={"brief": {"style": "classical", "seed": 0}})
    data = json.loads(paths["catalogue.json"].read_text())
    assert data["counts"] == {"done": 1, "kept": 1, "failed": 1} and [r["track"] for r in data["tracks"]] == [
        "waltz", "rag", "broken"]
    rows = list(csv.DictReader(paths["catalogue.csv"].open()))
    assert rows[0]["tempo_bpm"] == "92.0" and rows[0]["video"] == "tracks/waltz/dance.mp4"
    assert rows[1]["video"] == "" and rows[1]["pfc"] == "1.5" and rows[2]["error"].startswith("audio file")
    page = paths["index.html"].read_text()
    assert 'href="tracks/waltz/dance.mp4"' in page and "&lt;damaged&gt;" in page and "<damaged>" not in page
    assert "http" not in page  # nothing fetched from anywhere
