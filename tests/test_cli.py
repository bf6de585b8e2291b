"""The command line in-process, and the whole pipeline once on the demo music."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pytest

from kanat.cli import main

FILES = ("music.json", "score.yaml", "counts.md", "counts.html", "dance.bvh", "dance.glb", "joints.npz",
         "critique.json", "critique.md", "dance.mp4", "motion.npz")


@pytest.fixture(scope="session")
def demo_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    assert main(["demo", "--out", str(out)]) == 0
    return out


def probe(path) -> dict:
    """Streams and duration of a media file, from ffmpeg's own report."""
    import imageio_ffmpeg

    r = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    text = r.stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", text).groups()
    return {
        "duration_s": int(h) * 3600 + int(m) * 60 + float(s),
        "video": re.findall(r"Video: (\w+).*?(\d{3,4})x(\d{3,4})", text),
        "audio": re.findall(r"Audio: (\w+)", text),
    }


def test_demo_writes_every_file(demo_out):
    for name in FILES:
        assert (demo_out / name).is_file() and (demo_out / name).stat().st_size > 0, name


def test_demo_video_has_picture_and_sound(demo_out):
    info = probe(demo_out / "dance.mp4")
    music = json.loads((demo_out / "music.json").read_text())
    assert info["video"] and info["video"][0][0] == "h264"
    assert info["video"][0][1:] == ("1280", "720")
    assert info["audio"] == ["aac"]
    assert abs(info["duration_s"] - music["duration_s"]) < 0.5


def test_demo_music_has_three_and_two(demo_out):
    music = json.loads((demo_out / "music.json").read_text())
    assert 3 in music["meter"] and ({2, 4} & set(music["meter"]))
    assert music["duration_s"] >= 60


def test_render_reperforms_the_same_dance(demo_out, tmp_path):
    again = tmp_path / "again"
    assert main(["render", str(demo_out / "score.yaml"), "-o", str(again), "--no-video"]) == 0
    a = np.load(demo_out / "joints.npz")
    b = np.load(again / "joints.npz")
    assert np.array_equal(a["positions"], b["positions"])
    assert (again / "critique.md").is_file()


def test_an_edited_score_renders_the_edit(demo_out, tmp_path):
    edited = tmp_path / "edited"
    edited.mkdir()
    text = (demo_out / "score.yaml").read_text()
    (edited / "score.yaml").write_text(text.replace("side: R", "side: L"))
    (edited / "music.json").write_text((demo_out / "music.json").read_text())
    assert main(["render", str(edited / "score.yaml"), "-o", str(edited), "--no-video"]) == 0
    assert (edited / "score.yaml").read_text() == text.replace("side: R", "side: L")  # never overwritten
    a = np.load(demo_out / "joints.npz")["positions"]
    b = np.load(edited / "joints.npz")["positions"]
    assert not np.allclose(a, b)


def test_critique_command(demo_out, capsys):
    assert main(["critique", str(demo_out)]) == 0
    assert "ballet master" in capsys.readouterr().out.lower()


def test_counts_sheet_reads_like_counts(demo_out):
    text = (demo_out / "counts.md").read_text()
    assert "## Phrase 1" in text and "| counts | step |" in text
    assert "préparation" in text


def test_steps_and_help(capsys):
    assert main(["steps"]) == 0
    assert "pirouette" in capsys.readouterr().out
    for cmd in ("demo", "choreograph", "listen", "render", "critique", "steps"):
        assert main([cmd, "--help"]) == 0
        assert "Usage" in capsys.readouterr().out


def test_listen_command(tmp_path, capsys):
    from kanat.pipeline import demo_music_path

    out = tmp_path / "m.json"
    assert main(["listen", str(demo_music_path()), "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["format_version"] == 1 and len(data["beats_s"]) > 100


@pytest.mark.skipif(__import__("shutil").which("blender") is None,
                    reason="blender not installed: install Debian's 'blender' to check the demo's exports")
def test_blender_opens_the_demo_exports(demo_out, tmp_path):
    """Blender imports the demo's dance.bvh and dance.glb; the joints match joints.npz (1 mm BVH, 1 cm glTF)."""
    import shutil
    import sys
    from pathlib import Path

    from kanat.body import JOINT_NAMES

    joints = np.load(demo_out / "joints.npz")
    n = joints["positions"].shape[0]
    frames = sorted({0, n // 5, n // 2, (4 * n) // 5, n - 1})
    args = {
        "bvh": str(demo_out / "dance.bvh"), "glb": str(demo_out / "dance.glb"), "out": str(tmp_path / "r.json"),
        "fps": float(joints["fps"]), "frames": frames, "names": list(JOINT_NAMES),
        "site_packages": str(Path(np.__file__).resolve().parent.parent), "python": "%d.%d" % sys.version_info[:2],
    }
    script = Path(__file__).parent / "formats" / "blender_check.py"
    proc = subprocess.run([shutil.which("blender"), "-b", "--factory-startup", "--python-exit-code", "1", "--python",
                           str(script), "--", json.dumps(args)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads((tmp_path / "r.json").read_text())
    want = joints["positions"][frames]
    assert np.abs(np.array(result["bvh"]["positions"]) - want).max() < 0.001
    if isinstance(result.get("glb"), dict) and "positions" in result["glb"]:
        assert np.abs(np.array(result["glb"]["positions"]) - want).max() < 0.01
    else:
        pytest.skip(f"Blender's glTF importer could not run here: {result.get('glb')}")


def test_alternatives_and_a_partial_score(demo_out, tmp_path):
    """--alternatives 2 writes two dances; --score keeps the locked step in both."""
    from kanat.pipeline import demo_music_path

    text = (demo_out / "score.yaml").read_text()
    lines = text.splitlines()
    i = next(k for k, l in enumerate(lines) if "step: préparation" in l)
    lines[i] = lines[i].replace("}", ", locked: true}") + "  # keep my opening"
    (tmp_path / "partial.yaml").write_text("\n".join(lines) + "\n")
    out = tmp_path / "alts"
    assert main(["choreograph", str(demo_music_path()), "-o", str(out), "--no-video", "--seed", "4",
                 "--alternatives", "2", "--score", str(tmp_path / "partial.yaml")]) == 0
    first, second = (out / "score.yaml").read_text(), (out / "alt-2" / "score.yaml").read_text()
    assert first != second
    for t in (first, second):
        assert "keep my opening" in t and "locked: true" in t
    assert (out / "alt-2" / "joints.npz").is_file()


def test_choreograph_never_overwrites_an_edited_score(demo_out, tmp_path, capfd):
    from kanat.pipeline import demo_music_path

    out = tmp_path / "mine"
    assert main(["choreograph", str(demo_music_path()), "-o", str(out), "--no-video"]) == 0
    edited = (out / "score.yaml").read_text().replace("side: R", "side: L", 1)
    (out / "score.yaml").write_text(edited)
    capfd.readouterr()
    assert main(["choreograph", str(demo_music_path()), "-o", str(out), "--no-video", "--seed", "3"]) == 2
    assert "edited since kanat wrote it" in capfd.readouterr().err
    assert (out / "score.yaml").read_text() == edited
