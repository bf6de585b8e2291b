"""The video draws the brief's stage: ``--stage 12x9`` is the floor drawn and framed, not 10 x 8 m."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from kanat.body import Motion
from kanat.body.stage import Stage
from kanat.compose import Score
from kanat.listen import MusicMap
from kanat.pipeline import make_video
from kanat.render import render_frame
from kanat.render import video as V
from kanat.render.floor import stage_corners, stage_lines

DATA = Path(__file__).parents[1] / "data"
WIDE = Stage(width_m=12.0, depth_m=9.0)


@pytest.fixture(scope="module")
def demo():
    return (Motion.load(DATA / "perform" / "demo_motion.npz"), MusicMap.load(DATA / "listen" / "demo_music.json"))


def test_the_drawn_floor_has_the_stages_corners_and_marks():
    np.testing.assert_allclose(stage_corners(WIDE)[:, [0, 2]], [[-6, -4.5], [6, -4.5], [6, 4.5], [-6, 4.5]])
    np.testing.assert_allclose(stage_corners(Stage())[:, [0, 2]], [[-5, -4], [5, -4], [5, 4], [-5, 4]])
    (board_a, board_b), (mark_a, _) = stage_lines(WIDE)
    assert board_a[:, 0].min() > -6 and board_a[:, 0].max() < 6 and board_a[:, 0].max() > 5.5  # boards to the wings
    assert np.all(board_a[:, 2] == -4.5) and np.all(board_b[:, 2] == 4.5)
    assert mark_a[:-2, 0].max() == 5.0 and np.all(mark_a[:-2, 2] == 4.5)  # metre marks on the 12 m front edge


def _floor_like(px: np.ndarray) -> bool:
    """A stage-board colour (warm, light: #DCD3C4..#EBE3D5), not the cool backdrop nor the greyer house floor."""
    r, g, b = (int(v) for v in px)
    return r >= 0xC8 and r - b >= 20


def test_a_frame_shows_the_wider_stage_where_the_default_has_none(demo):
    motion, mm = demo
    k = 300
    scene = V.build_scene(motion, music_map=mm, stage=WIDE)
    cam = scene.cameras[k]
    # Floor points on the 12 x 9 stage but off the 10 x 8 one: just upstage of z = -4, and out in the wings.
    probes = np.array([[x, 0, -4.3] for x in (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)])
    xy, _ = cam.project(probes)
    body, _ = cam.project(scene.positions[k])
    clear = np.min(np.linalg.norm(xy[:, None] - body[None], axis=-1), axis=1) > 60  # not behind the dancer
    assert clear.sum() >= 3
    xy = xy[clear]
    assert np.all((xy[:, 1] > 0) & (xy[:, 1] < scene.height * 0.8)), "the probes are in the picture, above the strip"
    wide = render_frame(motion, k, music_map=mm, stage=WIDE)
    narrow = render_frame(motion, k, music_map=mm)
    ij = [(int(round(y)), int(round(x))) for x, y in xy]
    assert all(_floor_like(wide[i, j]) for i, j in ij), [wide[i, j] for i, j in ij]
    assert not any(_floor_like(narrow[i, j]) for i, j in ij), [narrow[i, j] for i, j in ij]
    # More of the picture is stage floor.
    floor = lambda img: np.mean((img[..., 0] >= 0xC8) & (img[..., 0].astype(int) - img[..., 2] >= 20))  # noqa: E731
    assert floor(wide) > floor(narrow) + 0.01


def test_the_default_stage_is_the_10_by_8_floor(demo):
    motion, mm = demo
    np.testing.assert_array_equal(render_frame(motion, 120, music_map=mm, stage=Stage()),
                                  render_frame(motion, 120, music_map=mm))


def _decoded_frame(path: Path, k: int, width: int, height: int) -> np.ndarray:
    raw = subprocess.run([V.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)[k]


def test_the_pipelines_video_draws_the_composed_stage(demo, tmp_path):
    """``make_video`` (the CLI's and the studio's one path) with a score composed on --stage 12x9."""
    motion, mm = demo
    score = Score.load(DATA / "compose" / "demo_score_stage12x9.yaml")
    assert score.brief.stage == WIDE
    opts = {"width": 320, "height": 180, "fps": 4}
    out = make_video(score, mm, motion, tmp_path, brief=score.brief, video_options=opts)
    k = 75
    got = _decoded_frame(out, k, 320, 180).astype(float)
    as_wide = render_frame(motion, k, music_map=mm, stage=WIDE, **opts).astype(float)
    as_default = render_frame(motion, k, music_map=mm, **opts).astype(float)
    differ = np.abs(as_wide - as_default).max(axis=-1) > 12  # where the two floors look different
    assert differ.mean() > 0.01
    err_wide, err_default = np.abs(got - as_wide)[differ].mean(), np.abs(got - as_default)[differ].mean()
    assert err_wide < 0.5 * err_default, (err_wide, err_default)
