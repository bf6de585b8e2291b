"""Killed or interrupted runs: nothing left behind, one line, the folder as it was, a rerun that works.

These run the real command line in a child process and send it real signals
while it renders the video (the longest step).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from badkit import snapshot, write_song

import kanat

SRC = str(Path(kanat.__file__).resolve().parents[1])
ARGS = ["--video-fps", "24", "--seed", "3"]


def _start(args, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-m", "kanat", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_video(proc: subprocess.Popen, out: Path) -> None:
    """Until the video's temporary file exists in the run's staging folder."""
    while proc.poll() is None:
        if list(out.glob(".kanat-staging*/.dance*.mp4")):
            time.sleep(0.5)  # some frames into the encoder
            return
        time.sleep(0.05)
    pytest.fail(f"the run ended (exit {proc.returncode}) before the video began: {proc.stderr.read()[-2000:]}")


def _leftovers(out: Path) -> list[str]:
    return [p.name for p in out.rglob("*") if "kanat-tmp" in p.name or "kanat-staging" in p.name]


@pytest.fixture
def song(tmp_path):
    return write_song(tmp_path / "song.wav", 6.0)


def test_sigkill_during_the_video_then_rerun(tmp_path, song):
    out = tmp_path / "out"
    proc = _start(["choreograph", song, "-o", out, *ARGS], tmp_path)
    _wait_for_video(proc, out)
    proc.send_signal(signal.SIGKILL)
    _stdout, err = proc.communicate(timeout=120)  # returns once every worker holding stderr has gone
    assert proc.returncode == -signal.SIGKILL
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert _leftovers(out), "the killed run should have left its staging folder (the rerun must clean it)"
    assert not (out / "dance.mp4").exists()

    again = _start(["choreograph", song, "-o", out, *ARGS], tmp_path)
    _stdout, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert "Traceback" not in err
    assert _leftovers(out) == []
    assert (out / "dance.mp4").stat().st_size > 10_000 and (out / "score.yaml").is_file()


def test_ctrl_c_during_the_video_leaves_the_folder_as_it_was(tmp_path, song):
    out = tmp_path / "out"
    first = _start(["choreograph", song, "-o", out, "--no-video", *ARGS], tmp_path)
    assert first.wait(timeout=600) == 0, first.stderr.read()
    before = snapshot(out)

    proc = _start(["choreograph", song, "-o", out, *ARGS], tmp_path)
    _wait_for_video(proc, out)
    proc.send_signal(signal.SIGINT)
    _stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == ["kanat: interrupted; nothing half-written was left behind"], err
    assert snapshot(out) == before  # no new file, no changed file, nothing hidden left


def test_sigterm_is_an_interruption_too(tmp_path, song):
    out = tmp_path / "new"
    proc = _start(["choreograph", song, "-o", out, *ARGS], tmp_path)
    _wait_for_video(proc, out)
    proc.send_signal(signal.SIGTERM)
    _stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    assert not out.exists()  # the folder this run made is gone again
