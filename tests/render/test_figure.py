"""The figure a dancer learns from: tapered limbs, pointed feet, a face that shows which way the head looks."""

from __future__ import annotations

import numpy as np

from kanat.body import J
from kanat.render.camera import Camera
from kanat.render.draw import JOINT_NAMES, _BONES, body_shapes, draw_body
from kanat.render.floor import backdrop

from testkit.video import still_motion


def _bone(name: str) -> int:
    return next(i for i, r in enumerate(_BONES) if JOINT_NAMES[r[1]] == name)


def test_limbs_taper_and_the_feet_and_hands_reach_past_their_joints():
    pose = still_motion(0.1).positions()[0]
    body = body_shapes(pose)
    for name in ("left_knee", "left_ankle", "left_elbow", "left_wrist", "left_foot", "left_hand"):
        i = _bone(name)
        assert body.radius[i] > 1.3 * body.radius_b[i], name  # thigh wider at the hip than at the knee, ...
    foot = _bone("left_foot")
    ball = pose[J["left_foot"]]
    ankle = pose[J["left_ankle"]]
    assert np.linalg.norm(body.b[foot] - ankle) > 1.4 * np.linalg.norm(ball - ankle)  # the toes past the ball
    hand = _bone("left_hand")
    assert np.linalg.norm(body.b[hand] - pose[J["left_wrist"]]) > 1.5 * np.linalg.norm(
        pose[J["left_hand"]] - pose[J["left_wrist"]])  # fingers
    # The rib cage is the widest part of the trunk, the waist narrower.
    assert body.radius[-1] > body.radius_b[_bone("spine1")]


def _head(camera_z: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The rest pose's head seen from the front (+Z) or from behind (-Z): the picture, the head's centre and
    radius on it, pixels."""
    import skia

    pose = still_motion(0.1).positions()[0]
    body = body_shapes(pose)
    cam = Camera(eye=body.head + [0, 0, camera_z], target=body.head, focal_px=900.0, cx=160, cy=120)
    buf = backdrop(320, 240).copy()
    surface = skia.Surface(buf, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    draw_body(surface.getCanvas(), cam, pose)
    (c,), (d,) = cam.project(body.head[None])
    return buf[..., :3].astype(int), c, float(0.10 * cam.pixels_per_metre(d))


def test_the_face_shows_from_the_front_and_the_hair_from_behind():
    parts = {}
    for name, z in (("front", 3.0), ("back", -3.0)):
        img, c, r = _head(z)
        yy, xx = np.mgrid[: img.shape[0], : img.shape[1]]
        disk = (xx - c[0]) ** 2 + (yy - c[1]) ** 2 < (0.9 * r) ** 2
        dark = img.sum(-1) < 250  # hair and eyes
        lower = disk & (yy > c[1] + 0.1 * r)
        parts[name] = (dark[disk].mean(), dark & lower, c)
    assert parts["back"][0] > parts["front"][0] + 0.2  # more hair seen from behind than from the front
    eyes, c = parts["front"][1], parts["front"][2]
    ii, jj = np.nonzero(eyes)
    assert (jj < c[0] - 3).sum() > 3 and (jj > c[0] + 3).sum() > 3  # two eyes, either side of the nose
