"""The stage plan: a small map of the whole stage from above, in a corner of the video.

Conventions
-----------
- Drawn in screen space at the top right, under the section card and the
  legend; the audience at the bottom of the map (downstage, +Z), stage left
  (+X) on the map's right, as a choreographer's floor plan is drawn. It is
  never mirrored.
- It shows the stage's outline, the Vaganova numbers 1-8 round it (placed as
  :func:`kanat.render.floor.number_spots` paints them), the dancer's path over
  the last :data:`TRAIL_S` seconds, the dancer as a dot and the way the
  dancer faces as a tick (from the hips), so the whole stage is always in view
  however far the dance travels.
"""

from __future__ import annotations

import numpy as np
import skia

from kanat.body.skeleton import J
from kanat.body.stage import Stage
from kanat.render.floor import number_spots
from kanat.render.overlay import CARD, INK, INK_SOFT, PILL, font

TRAIL_S = 4.0
#: Width of the plan at 720p, pixels (it scales with the frame height).
PLAN_W = 150.0


def facing(pose: np.ndarray) -> np.ndarray:
    """The way the hips face on the floor, a unit (x, z) vector (the audience is +Z)."""
    left = pose[J["left_hip"]] - pose[J["right_hip"]]
    fwd = np.array([-left[2], left[0]])  # left x up, on the floor
    n = np.linalg.norm(fwd)
    return fwd / n if n > 1e-9 else np.array([0.0, 1.0])


def plan_rect(stage: Stage, width: int, height: int) -> tuple[float, float, float, float]:
    """The plan's card (x, y, w, h) in pixels."""
    u = height / 720.0
    w = PLAN_W * u
    h = (w - 32 * u) * stage.depth_m / stage.width_m + 30 * u
    return width - 24 * u - w, 112 * u, w, h


def draw_plan(canvas: skia.Canvas, stage: Stage, track: np.ndarray, pose: np.ndarray, width: int, height: int) -> None:
    """Draw the plan; ``track`` (K, 2) is the dancer's recent (x, z) path, oldest first, ``pose`` (24, 3) now."""
    u = height / 720.0
    x, y, w, h = plan_rect(stage, width, height)
    canvas.drawRRect(skia.RRect.MakeRectXY(skia.Rect.MakeXYWH(x, y, w, h), 10 * u, 10 * u),
                     skia.Paint(AntiAlias=True, Color=CARD))
    pad = 16 * u
    sw = w - 2 * pad
    sd = sw * stage.depth_m / stage.width_m
    ox, oy = x + pad, y + 8 * u

    def to_px(xz: np.ndarray) -> np.ndarray:
        xz = np.atleast_2d(xz)
        return np.stack([ox + (xz[:, 0] / stage.width_m + 0.5) * sw, oy + (xz[:, 1] / stage.depth_m + 0.5) * sd], -1)

    canvas.drawRect(skia.Rect.MakeXYWH(ox, oy, sw, sd), skia.Paint(AntiAlias=True, Color=0xFFEDE5D8))
    canvas.drawRect(skia.Rect.MakeXYWH(ox, oy, sw, sd),
                    skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=1.2 * u, Color=0xFF8F8170))
    fn = font(11 * u, True)
    for n, spot in number_spots(stage).items():
        p = to_px(np.array(spot) * 1.0)[0]
        s = str(n)
        canvas.drawString(s, float(p[0] - fn.measureText(s) / 2), float(p[1] + 4 * u), fn,
                          skia.Paint(AntiAlias=True, Color=INK_SOFT))
    if len(track) > 1:
        pts = to_px(track)
        path = skia.Path()
        path.moveTo(*map(float, pts[0]))
        for px, py in pts[1:]:
            path.lineTo(float(px), float(py))
        canvas.drawPath(path, skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=2 * u,
                                         Color=0x995E7FA3))
    here = to_px(pose[J["pelvis"], [0, 2]])[0]
    tip = here + facing(pose) * 11 * u
    canvas.drawLine(float(here[0]), float(here[1]), float(tip[0]), float(tip[1]),
                    skia.Paint(AntiAlias=True, StrokeWidth=2.5 * u, Color=INK, StrokeCap=skia.Paint.kRound_Cap))
    canvas.drawCircle(float(here[0]), float(here[1]), 4.5 * u, skia.Paint(AntiAlias=True, Color=PILL))
    fa = font(10 * u)
    s = "audience"
    canvas.drawString(s, float(x + w / 2 - fa.measureText(s) / 2), float(oy + sd + 16 * u), fa,
                      skia.Paint(AntiAlias=True, Color=INK_SOFT))
