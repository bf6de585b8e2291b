"""Framing and views of the video: the dancer at 45-65 % of the height in every view, a camera that leads the
travel and never jitters, the mirror view flipped, the split view two panes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kanat.body import Motion, Skeleton, rotations as R
from kanat.render import render_frame
from kanat.render import video as V
from kanat.render.camera import FIGURE_BAND, VIEWS, figure_fraction

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def demo() -> Motion:
    return Motion.load(DATA / "perform" / "demo_motion.npz")


def travelling(seconds: float = 6.0, fps: float = 30.0, start_s: float = 2.0, metres: float = 4.0) -> Motion:
    """Standing still, then travelling ``metres`` to stage left (+X) at an even speed from ``start_s``."""
    n = int(seconds * fps)
    t = np.arange(n) / fps
    sk = Skeleton()
    root = np.tile(sk.offsets[0], (n, 1))
    root[:, 0] = metres * np.clip((t - start_s) / (seconds - start_s - 1.0), 0, 1)
    return Motion(fps=fps, root_pos=root, rotations=R.identity((n, 24)), contacts=np.ones((n, 2), bool), skeleton=sk)


@pytest.mark.parametrize("view", VIEWS)
def test_the_dancer_fills_45_to_65_percent_of_the_height_in_every_frame(demo, view):
    scene = V.build_scene(demo, camera=view)
    lo, hi = FIGURE_BAND
    for pane in scene.panes:
        x0, _, x1, _ = pane.rect
        fr = np.array([figure_fraction(pane.cameras[k], scene.positions[k], scene.height)
                       for k in range(0, scene.n_frames, 2)])
        assert lo <= fr.min() and fr.max() <= hi, (view, fr.min(), fr.max())
        assert fr.max() - fr.min() > 0.05  # it is measured: crouches and arms in fifth differ
        for k in range(0, scene.n_frames, 10):  # the whole dancer in the pane, above the phrase strip
            xy, depth = pane.cameras[k].project(scene.positions[k])
            assert depth.min() > 1.0
            assert x0 + 10 < xy[:, 0].min() and xy[:, 0].max() < x1 - 10, (view, k)
            assert xy[:, 1].min() > 10 and xy[:, 1].max() < 0.8 * scene.height, (view, k)


@pytest.mark.parametrize("view", ["audience", "side", "three-quarter"])
def test_the_camera_glides_without_jitter(demo, view):
    cams = V.build_scene(demo, camera=view).cameras
    # Metres per frame squared at 30 frames/s: under 5 mm (a pan, a slow zoom), never a jolt.
    assert np.abs(np.diff(cams.eye, 2, axis=0)).max() < 0.005
    assert np.abs(np.diff(cams.target, 2, axis=0)).max() < 0.005


def test_the_camera_anticipates_travel():
    motion = travelling()
    scene = V.build_scene(motion, fps=30)
    k = int(2.0 * 30)  # the first frame of the travel
    root_x = scene.positions[:, 0, 0]
    assert root_x[k] < 0.01
    assert scene.cameras.target[k, 0] > 0.05  # the camera has started before the dancer
    mid = int(3.5 * 30)
    assert scene.cameras.target[mid, 0] > root_x[mid] - 0.05  # not lagging behind while travelling
    assert abs(scene.cameras.target[-1, 0] - 4.0) < 0.1  # and there with the dancer at the end
    assert np.abs(np.diff(scene.cameras.eye, 2, axis=0)).max() < 0.005


def test_the_mirror_view_is_the_audience_view_flipped(demo):
    k = 200
    aud = render_frame(demo, k, camera="audience")
    mir = render_frame(demo, k, camera="mirror")
    band = slice(170, 560)  # under the top cards, above the phrase strip; the overlays are not flipped
    flipped = np.abs(mir[band, ::-1].astype(int) - aud[band].astype(int)).mean()
    same = np.abs(mir[band].astype(int) - aud[band].astype(int)).mean()
    assert flipped < 2.0 < same, (flipped, same)


def test_the_split_view_shows_audience_and_side_in_two_panes(demo):
    scene = V.build_scene(demo, camera="split")
    assert [p.rect for p in scene.panes] == [(0, 0, 640, 720), (640, 0, 1280, 720)]
    k = 300
    left, right = scene.panes[0].cameras[k], scene.panes[1].cameras[k]
    to_eye = [c.eye - c.target for c in (left, right)]
    angle = np.degrees(np.arccos(np.dot(to_eye[0][[0, 2]], to_eye[1][[0, 2]])
                                 / np.linalg.norm(to_eye[0][[0, 2]]) / np.linalg.norm(to_eye[1][[0, 2]])))
    assert 85 < angle < 95
    frame = render_frame(demo, k, camera="split")
    assert frame[300, 639:642].min() > 235  # the divider
    assert frame[150:560, 200:440].std() > 10 and frame[150:560, 840:1080].std() > 10  # a dancer in each
