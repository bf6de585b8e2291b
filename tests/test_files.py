"""kanat.files: writes that leave nothing half-made, stale temporary files removed, I/O failures as one line."""

from __future__ import annotations

import errno
import os
import subprocess

import pytest
from badkit import snapshot

from kanat.errors import OutputError
from kanat.files import atomic_path, clean_stale_temps, output_error, staged_outputs, write_text


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_stale_temporary_files_of_a_dead_run_are_removed(tmp_path):
    dead = _dead_pid()
    stale = tmp_path / f".dance.kanat-tmp-{dead}-abc123.mp4"
    stale.write_bytes(b"half a video")
    staging = tmp_path / f".kanat-staging.kanat-tmp-{dead}-xyz"
    staging.mkdir()
    (staging / "music.json").write_text("{}")
    live = tmp_path / f".dance.kanat-tmp-{os.getppid()}-def456.mp4"  # a run still going (our parent)
    live.write_bytes(b"being written")
    mine = tmp_path / ".dance.notes.mp4"  # the user's own hidden file
    mine.write_bytes(b"mine")
    removed = clean_stale_temps(tmp_path)
    assert sorted(p.name for p in removed) == sorted([stale.name, staging.name])
    assert live.exists() and mine.exists() and not stale.exists() and not staging.exists()


def test_a_failed_write_leaves_neither_file_nor_temporary(tmp_path):
    target = tmp_path / "a.json"
    target.write_text("old\n")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(target) as tmp:
            tmp.write_text("new, half")
            raise RuntimeError("boom")
    assert target.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_writing_under_a_file_is_one_output_error(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError, match=r"cannot write .*afile/m.json': a part of the path is a file"):
        write_text(tmp_path / "afile" / "m.json", "{}")


def test_writing_onto_a_folder_is_one_output_error(tmp_path):
    (tmp_path / "m.json").mkdir()
    with pytest.raises(OutputError, match="it is a folder"):
        write_text(tmp_path / "m.json", "{}")
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "the disk is full; free some space"),
                                         (errno.EROFS, "read-only"), (errno.EACCES, "permission denied"),
                                         (errno.ENAMETOOLONG, "too long")])
def test_output_error_words(code, words):
    msg = str(output_error(OSError(code, os.strerror(code)), "out/dance.mp4"))
    assert msg.startswith("cannot write 'out/dance.mp4': ") and words in msg and "\n" not in msg


def test_staged_outputs_all_or_none(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "score.yaml").write_text("the old score\n")
    before = snapshot(out)
    with pytest.raises(RuntimeError):
        with staged_outputs(out) as stage:
            (stage / "score.yaml").write_text("new\n")
            (stage / "dance.bvh").write_text("new\n")
            raise RuntimeError("the video failed")
    assert snapshot(out) == before
    with staged_outputs(out) as stage:
        (stage / "score.yaml").write_text("new\n")
        (stage / "dance.bvh").write_text("new\n")
    assert (out / "score.yaml").read_text() == "new\n" and (out / "dance.bvh").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["dance.bvh", "score.yaml"]


def test_staged_outputs_remove_the_folder_they_made(tmp_path):
    out = tmp_path / "a" / "b"
    with pytest.raises(KeyboardInterrupt):
        with staged_outputs(out) as stage:
            (stage / "x.json").write_text("{}")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_staged_outputs_move_nothing_when_one_target_is_a_folder(tmp_path):
    out = tmp_path / "out"
    (out / "dance.mp4").mkdir(parents=True)
    with pytest.raises(OutputError, match="dance.mp4': it is a folder"):
        with staged_outputs(out) as stage:
            (stage / "counts.md").write_text("new\n")
            (stage / "dance.mp4").write_text("new\n")
    assert sorted(p.name for p in out.iterdir()) == ["dance.mp4"]


@pytest.mark.parametrize("crash_at", [2, 3])
def test_a_crash_between_a_file_and_its_mark_never_looks_like_a_persons_edit(tmp_path, monkeypatch, crash_at):
    """score.yaml and its mark change together: killed between the writes, kanat still knows its own file."""
    from kanat import files

    score = tmp_path / "score.yaml"
    files.write_text_guarded(score, "phrases: 1\n")
    real, calls = files.write_text, []

    def dying(path, text):
        calls.append(path)
        if len(calls) == crash_at:
            raise KeyboardInterrupt  # the run is killed here
        return real(path, text)

    monkeypatch.setattr(files, "write_text", dying)
    with pytest.raises(KeyboardInterrupt):
        files.write_text_guarded(score, "phrases: 2\n")
    monkeypatch.setattr(files, "write_text", real)
    files.check_not_edited(score)  # neither the old nor the new text is taken for an edit
    files.write_text_guarded(score, "phrases: 3\n")
    assert score.read_text() == "phrases: 3\n"
    score.write_text("phrases: 4 # a person's edit\n")
    with pytest.raises(files.ParameterError, match="has been edited"):
        files.write_text_guarded(score, "phrases: 5\n")
