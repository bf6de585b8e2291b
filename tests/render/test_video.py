"""Tests of the dance video renderer (kanat.render.video)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from kanat.body import J, Motion, Skeleton, rotations as R
from kanat.errors import AudioError, ParameterError
from kanat.listen.musicmap import MusicMap
from kanat.render import Caption, render_frame, render_stills, render_video
from kanat.render import video as V
from kanat.render.camera import camera_path
from kanat.render.draw import backdrop, cap_outline, draw_stage

SR = 22050
BPM = 120.0


def moving_motion(seconds: float = 3.0, fps: float = 60.0) -> Motion:
    """Arms rising from bras bas to fifth, the pelvis turning, the root travelling."""
    n = int(round(seconds * fps))
    t = np.arange(n) / fps
    sk = Skeleton()
    rot = R.identity((n, 24))
    lift = np.radians(-70 + 150 * t / seconds)
    zero = np.zeros(n)
    rot[:, J["left_shoulder"]] = R.from_euler(np.stack([zero, zero, lift], -1))
    rot[:, J["right_shoulder"]] = R.from_euler(np.stack([zero, zero, -lift], -1))
    rot[:, J["right_hip"]] = R.from_euler(np.stack([np.radians(-60) * np.sin(np.pi * t / seconds), zero, zero], -1))
    rot[:, 0] = R.yaw(np.pi * t / seconds)
    root = np.tile(sk.offsets[0], (n, 1))
    root[:, 0] = 0.8 * t / seconds
    root[:, 2] = -0.5 * t / seconds
    return Motion(fps=fps, root_pos=root, rotations=rot, contacts=np.ones((n, 2), bool), skeleton=sk)


def still_motion(seconds: float = 2.0, fps: float = 60.0) -> Motion:
    n = int(round(seconds * fps))
    sk = Skeleton()
    return Motion(fps=fps, root_pos=np.tile(sk.offsets[0], (n, 1)), rotations=R.identity((n, 24)),
                  contacts=np.ones((n, 2), bool), skeleton=sk)


def click_track(path: Path, seconds: float) -> Path:
    import soundfile as sf

    t = np.arange(int(seconds * SR)) / SR
    y = 0.1 * np.sin(2 * np.pi * 330 * t)
    for b in np.arange(0, seconds, 60 / BPM):
        i = int(b * SR)
        m = min(len(y) - i, 400)
        y[i:i + m] += 0.5 * np.exp(-np.arange(m) / 80)
    sf.write(str(path), y.astype(np.float32), SR)
    return path


def music_map(seconds: float) -> MusicMap:
    beats = np.arange(0, seconds - 1e-6, 60 / BPM)
    b = len(beats)
    counts = np.arange(b) % 8 + 1
    return MusicMap(duration_s=seconds, tempo_bpm=BPM, beats_s=beats, downbeats_s=beats[::4], beats_per_bar=4,
                    meter=np.full(b, 4), beat_in_bar=np.arange(b) % 4 + 1, counts=counts,
                    count_labels=[str(c) for c in counts], phrases=[(a, min(a + 7, b - 1)) for a in range(0, b, 8)],
                    sections=[{"start_s": 0.0, "end_s": seconds, "label": "A"}], energy=np.full(b, 0.5),
                    accent=np.zeros(b))


def probe(path: Path) -> dict:
    """Streams, size, duration and the number of video frames, from ffmpeg's own report."""
    exe = V.ffmpeg_exe()
    info = subprocess.run([exe, "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    counted = subprocess.run([exe, "-hide_banner", "-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
                             capture_output=True, text=True).stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", info).groups()
    return {
        "video": re.findall(r"Stream #\S+.*Video: (\w+).*?, (\d+)x(\d+)", info),
        "audio": re.findall(r"Stream #\S+.*Audio: (\w+)", info),
        "duration_s": int(h) * 3600 + int(m) * 60 + float(s),
        "frames": int(re.findall(r"frame=\s*(\d+)", counted)[-1]),
    }


def test_render_video_has_h264_video_and_aac_audio_of_the_music_length(tmp_path):
    seconds = 3.5
    wav = click_track(tmp_path / "music.wav", seconds)
    motion = moving_motion(3.0)  # shorter than the music: the music decides the length
    out = tmp_path / "out" / "dance.mp4"
    calls = []
    got = render_video(motion, out, audio_path=wav, music_map=music_map(seconds),
                       captions=[Caption(0.0, 2.0, "port de bras"), Caption(2.0, 3.5, "glissade R")],
                       workers=2, progress=lambda f, m: calls.append(f))
    assert got == out and out.is_file()
    info = probe(out)
    assert info["video"] == [("h264", "1280", "720")]
    assert info["audio"] == ["aac"]
    assert abs(info["duration_s"] - seconds) <= 0.5
    assert abs(info["frames"] - round(seconds * 30)) <= 1
    assert calls[-1] == 1.0 and calls == sorted(calls)
    assert sorted(p.name for p in out.parent.iterdir()) == ["dance.mp4"]  # no temporary file left


def test_render_video_without_audio_follows_the_motion(tmp_path):
    out = render_video(moving_motion(1.0), tmp_path / "silent.mp4", width=320, height=180, fps=24, workers=1)
    info = probe(out)
    assert info["video"] == [("h264", "320", "180")]
    assert info["audio"] == []
    assert info["frames"] == 24


def test_render_video_without_fork_sends_frames_as_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(V.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    out = render_video(moving_motion(1.0), tmp_path / "spawned.mp4", width=320, height=180, fps=20, workers=2)
    assert probe(out)["frames"] == 20


def test_render_frame_shows_the_dancer_on_the_stage():
    motion = still_motion()
    frame = render_frame(motion, 10)
    assert frame.shape == (720, 1280, 3) and frame.dtype == np.uint8
    # The empty stage seen by the same camera.
    scene = V.build_scene(motion)
    painter = V._Painter(1280, 720)
    np.copyto(painter.buf, backdrop(1280, 720))
    draw_stage(painter.surface.getCanvas(), scene.cameras[10])
    empty = painter.buf[..., :3]
    differs = np.abs(frame.astype(int) - empty.astype(int)).sum(-1) > 30
    cam = scene.cameras[10]
    xy, _ = cam.project(motion.positions()[10])
    x0, y0 = np.floor(xy.min(0)).astype(int) - 15
    x1, y1 = np.ceil(xy.max(0)).astype(int) + 15
    inside = differs[y0:y1, x0:x1].sum()
    assert inside > 0.2 * (x1 - x0) * (y1 - y0)  # the mannequin fills its box
    # Pelvis and head are drawn where the camera puts them.
    for j in (J["pelvis"], J["spine2"], J["head"]):
        x, y = np.round(xy[j]).astype(int)
        assert differs[y, x]


def test_frames_differ_when_the_dancer_moves_and_not_when_still():
    moving, still = moving_motion(), still_motion(3.0)
    centre = (slice(150, 560), slice(300, 980))  # the dancer's area, clear of the overlays
    a, b = render_frame(moving, 0)[centre], render_frame(moving, 60)[centre]
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 2.0
    c, d = render_frame(still, 0)[centre], render_frame(still, 60)[centre]
    assert np.abs(c.astype(int) - d.astype(int)).max() == 0


def test_render_frame_overlays_show_the_count(tmp_path):
    motion, mm = still_motion(4.0), music_map(4.0)
    plain = render_frame(motion, 15)
    counted = render_frame(motion, 15, music_map=mm, captions=[Caption(0, 2, "sauté")])
    box = (slice(24, 152), slice(24, 174))  # the count card, top left
    assert np.abs(counted[box].astype(int) - plain[box].astype(int)).mean() > 10


def test_camera_keeps_the_whole_dancer_in_view_above_the_strip():
    motion = moving_motion(3.0)
    for mode in ("audience", "follow"):
        scene = V.build_scene(motion, camera=mode)
        for k in range(0, scene.n_frames, 5):
            xy, depth = scene.cameras[k].project(scene.positions[k])
            assert depth.min() > 1.0
            assert xy[:, 0].min() > 40 and xy[:, 0].max() < 1240
            assert xy[:, 1].min() > 30 and xy[:, 1].max() < 0.8 * 720
    # Smooth: the camera never jumps between frames.
    path = camera_path(moving_motion(3.0).positions()[::2], 30)
    assert np.abs(np.diff(path.eye, axis=0)).max() < 0.05


def test_render_stills_writes_pngs(tmp_path):
    from PIL import Image

    paths = render_stills(moving_motion(), tmp_path / "stills", [0.0, 1.5], width=640, height=360)
    assert [p.name for p in paths] == ["frame_0000000.png", "frame_0001500.png"]
    assert Image.open(paths[1]).size == (640, 360)


def test_cap_outline_geometry():
    full = cap_outline(np.array([0.0, 0.0, 1.0]), 0.0)  # the near hemisphere: the whole disk
    assert np.allclose(np.linalg.norm(full, axis=1), 1.0)
    assert cap_outline(np.array([0.0, 0.0, -1.0]), 0.5) is None  # a cap on the far side
    top = cap_outline(np.array([0.0, -1.0, 0.0]), 0.0)  # top half (screen y down)
    assert top[:, 1].max() <= 1e-9 and top[:, 1].min() < -0.99


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"width": 1281}, ParameterError, "must be even"),
        ({"fps": 0}, ParameterError, "fps must be > 0"),
        ({"camera": "drone"}, ParameterError, "camera must be one of audience, mirror, side, three-quarter, split, follow; got .drone."),
        ({"audio_path": "nowhere.wav"}, AudioError, "nowhere.wav' does not exist"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        render_video(still_motion(), tmp_path / "x.mp4", **kwargs)
    assert not any(tmp_path.iterdir())


def test_not_audio_is_an_audio_error(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("la la la")
    with pytest.raises(AudioError, match="no audio stream"):
        render_video(still_motion(), tmp_path / "x.mp4", audio_path=bad)
