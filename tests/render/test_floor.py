"""The floor a dancer reads directions from: the Vaganova numbers 1-8 on the stage and the stage plan."""

from __future__ import annotations

import numpy as np
import skia

from kanat.body.stage import Stage, facing_to_yaw
from kanat.render.camera import Camera
from kanat.render.floor import NUMBER_INK, backdrop, draw_stage, number_spots
from kanat.render.plan import draw_plan, facing, plan_rect

from testkit.video import still_motion


def test_the_numbers_sit_where_the_dancer_faces_for_that_direction():
    for stage in (Stage(), Stage(width_m=12.0, depth_m=9.0)):
        spots = number_spots(stage)
        assert sorted(spots) == list(range(1, 9))
        for n, (x, z) in spots.items():
            yaw = facing_to_yaw(n)
            fwd = np.array([np.sin(yaw), np.cos(yaw)])  # where a dancer with this yaw faces, (x, z)
            d = np.array([x, z]) / np.linalg.norm([x, z])
            assert np.dot(fwd, d) > 0.7, (n, fwd, d)
            assert abs(x) < stage.half_width_m and abs(z) < stage.half_depth_m


def _paint(draw, width=640, height=360) -> np.ndarray:
    buf = backdrop(width, height).copy()
    surface = skia.Surface(buf, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    draw(surface.getCanvas())
    return buf[..., :3].astype(int)


def test_the_numbers_are_painted_on_the_floor_and_read_the_right_way_in_the_mirror():
    stage = Stage()
    cam = Camera(eye=np.array([0.0, 4.0, 9.0]), target=np.array([0.0, 0.0, -1.0]), focal_px=300.0, cx=320, cy=180)
    mirror = Camera(cam.eye, cam.target, cam.focal_px, cam.cx, cam.cy, mirror=True)
    img = _paint(lambda c: draw_stage(c, cam, stage))
    ink = np.array([(NUMBER_INK >> 16) & 255, (NUMBER_INK >> 8) & 255, NUMBER_INK & 255])
    for n in (3, 5, 7):
        (p,), _ = cam.project(np.array([[number_spots(stage)[n][0], 0, number_spots(stage)[n][1]]]))
        i, j = int(p[1]), int(p[0])
        patch = img[i - 6:i + 7, j - 8:j + 9]
        assert np.abs(patch - ink).sum(-1).min() < np.abs(img[i + 30, j] - ink).sum() - 40, n  # ink there
    # The mirror flips the stage, not the glyphs: brought back by a flip, the mirror's "5" is a reversed 5.
    cam = Camera(eye=np.array([0.0, 3.0, 1.0]), target=np.array([0.0, 0.0, -3.3]), focal_px=300.0, cx=320, cy=180)
    mirror = Camera(cam.eye, cam.target, cam.focal_px, cam.cx, cam.cy, mirror=True)
    img = _paint(lambda c: draw_stage(c, cam, stage))
    flipped = _paint(lambda c: draw_stage(c, mirror, stage))
    (p,), _ = cam.project(np.array([[number_spots(stage)[5][0], 0, number_spots(stage)[5][1]]]))
    box = (slice(int(p[1]) - 34, int(p[1]) + 40), slice(int(p[0]) - 40, int(p[0]) + 40))  # below the back edge
    glyph, back = _ink(img[box]), _ink(flipped[:, ::-1][box])
    assert glyph.sum() > 30 and back.sum() > 30
    assert _iou(glyph[:, ::-1], back) > max(0.8, _iou(glyph, back) + 0.2)


def _ink(patch: np.ndarray) -> np.ndarray:
    """The painted glyph's pixels in a patch of floor, cropped to their bounding box."""
    dark = patch.sum(-1) < np.median(patch.sum(-1)) - 60
    dark[dark.mean(axis=1) > 0.9] = False  # an edge of the stage across the patch
    ii, jj = np.nonzero(dark)
    return dark[ii.min():ii.max() + 1, jj.min():jj.max() + 1]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    a, b = a[:h, :w], b[:h, :w]
    return float((a & b).sum() / max((a | b).sum(), 1))


def test_the_plan_shows_where_the_dancer_is_and_faces():
    pose = still_motion(0.1).positions()[0]
    stage = Stage()
    x, y, w, h = plan_rect(stage, 1280, 720)
    assert x + w < 1280 and y > 100 and h < w
    centres = []
    for dx in (-3.0, 3.0):
        moved = pose + [dx, 0, 0]
        img = _paint(lambda c: draw_plan(c, stage, moved[None, 0, [0, 2]], moved, 1280, 720), 1280, 720)
        dot = (np.abs(img - [0x5E, 0x7F, 0xA3]).sum(-1) < 20)
        ii, jj = np.nonzero(dot)
        centres.append(jj.mean())
    assert centres[1] - centres[0] > 0.5 * (w - 32)  # 6 m across a 10 m stage, on the map
    np.testing.assert_allclose(facing(pose), [0.0, 1.0], atol=1e-6)  # the rest pose faces the audience
