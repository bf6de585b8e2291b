"""Tests of the dance video renderer (kanat.render.video)."""

from __future__ import annotations

import numpy as np
import pytest

from kanat.body import J
from kanat.errors import AudioError, ParameterError
from kanat.render import Caption, render_frame, render_stills, render_video
from kanat.render import video as V
from kanat.render.camera import camera_path
from kanat.render.draw import cap_outline
from kanat.render.floor import backdrop, draw_stage
from testkit.video import click_track, moving_motion, music_map, probe, still_motion


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
    assert inside > 0.15 * (x1 - x0) * (y1 - y0)  # the mannequin (a T-pose: slim limbs, arms wide) fills its box
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
