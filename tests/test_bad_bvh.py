"""BVH files a careless export or a damaged copy gives: refused on one line before the work, bounded in memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from badkit import refused

DATA = Path(__file__).parent / "data"
BVH = (DATA / "bvh" / "test_freebvh.bvh").read_text(encoding="utf-8")
MUSIC = json.loads((DATA / "listen" / "demo_music.json").read_text(encoding="utf-8"))


def _header(frames: str | None = None, frame_time: str | None = None):
    def edit(text):
        if frames is not None:
            text = text.replace("Frames: 69", f"Frames: {frames}", 1)
        if frame_time is not None:
            text = text.replace("Frame Time: 0.0333333", f"Frame Time: {frame_time}", 1)
        return text
    return edit


def _frame(k: int, value: str):
    def edit(text):
        lines = text.splitlines()
        at = lines.index("Frame Time: 0.0333333") + 1 + k
        parts = lines[at].split()
        parts[4] = value
        lines[at] = " ".join(parts)
        return "\n".join(lines) + "\n"
    return edit


EDITS = {
    "frame time 1000 s": (_header(frame_time="1000"), ("Frame Time 1000", "1-1000 frames per second")),
    "frame time 0": (_header(frame_time="0"), ("time > 0",)),
    "frame time negative": (_header(frame_time="-0.03"), ("time > 0",)),
    "frame time 1 us": (_header(frame_time="0.000001"), ("Frame Time 1e-06",)),
    "frame time nan": (_header(frame_time="nan"), ("time > 0",)),
    "frame time text": (_header(frame_time="fast"), ("bad MOTION header",)),
    "a billion frames": (_header(frames="1000000000"), ("at most 1000000 frames",)),
    "ten hours of frames": (_header(frames="900000", frame_time="0.04"), ("min",)),
    "more frames than lines": (_header(frames="5000"), ("declares 5000 frames", "truncated")),
    "zero frames": (_header(frames="0"), ("at least 1 frame",)),
    "frames text": (_header(frames="many"), ("bad MOTION header",)),
    "nan in a frame": (_frame(3, "nan"), ("frame 3", "NaN or infinite")),
    "inf in a frame": (_frame(0, "inf"), ("frame 0", "NaN or infinite")),
    "text in a frame": (_frame(2, "x"), ("not all numbers",)),
    "nan offset": (lambda t: t.replace("OFFSET 0.00 0.00 0.00", "OFFSET nan 0.00 0.00", 1), ("finite number", "'nan'")),
    "no motion": (lambda t: t.split("MOTION")[0], ("no MOTION section",)),
    "cut mid-frame": (lambda t: t[: len(t) - 700], ("truncated",)),
    "not a bvh": (lambda t: "hello\n" + t, ("not a BVH file",)),
    "empty": (lambda t: "", ("not a BVH file",)),
}


@pytest.mark.parametrize("name", EDITS)
def test_damaged_bvh_refused(capfd, tmp_path, name):
    edit, words = EDITS[name]
    (tmp_path / "d.bvh").write_text(edit(BVH), encoding="utf-8")
    (tmp_path / "music.json").write_text(json.dumps(MUSIC), encoding="utf-8")
    refused(capfd, ["critique", tmp_path / "d.bvh", "--music", tmp_path / "music.json"], tmp_path, "d.bvh", *words)
