"""The stage floor: house floor, boards, marks, edges and the Vaganova numbers 1-8, drawn with skia.

Conventions
-----------
- The floor is the brief's :class:`kanat.body.stage.Stage` (10 x 8 m by
  default: x in [-5, 5], z in [-4, 4]), with boards running up and down
  stage, metre marks along the front edge and a centre mark, in front of a
  plain backdrop along its back edge.
- The Vaganova numbers of the room are painted on the floor just inside its
  edges, read from the audience: 1 front centre (the audience), then round to
  the dancer's right as :mod:`kanat.body.stage` numbers them: 2 the front
  corner on the dancer's right (-X as the dancer faces the audience), 3 that
  side, 4 its back corner, 5 the back, 6, 7, 8 on the dancer's left. In a
  mirror view the numbers still read the right way round.
- Colours are skia ARGB ints (0xAARRGGBB).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import skia

from kanat.body.stage import Stage
from kanat.render.camera import NEAR_M, Camera, clip_polygon, clip_segments
from kanat.render.overlay import font

BACKDROP_TOP = np.array([0.80, 0.84, 0.89])
BACKDROP_BOTTOM = np.array([0.91, 0.92, 0.93])
HOUSE_FLOOR = 0xFFC4BFB8
BOARD_LINE = 0x22806A50
GRID_LINE = 0x33806A50
EDGE_LINE = 0xFF8F8170
NUMBER_INK = 0x9A7A6450
#: Height of the painted numbers, metres; their centres sit this far inside the edges.
NUMBER_M = 0.7
NUMBER_INSET_M = 0.7


def _argb(rgb: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    c = np.clip(np.round(np.asarray(rgb) * 255.0), 0, 255).astype(np.int64)
    a = int(round(alpha * 255))
    return (a << 24) | (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]


def _poly_path(pts: np.ndarray) -> skia.Path:
    return skia.Path.Polygon([skia.Point(x, y) for x, y in np.asarray(pts, dtype=float).tolist()], True)


def stage_corners(stage: Stage) -> np.ndarray:
    """The drawn floor's corners, world metres, shape (4, 3): back left, back right, front right, front left."""
    w, dz = stage.half_width_m, stage.half_depth_m
    return np.array([[-w, 0, -dz], [w, 0, -dz], [w, 0, dz], [-w, 0, dz]], dtype=float)


@lru_cache(maxsize=8)
def stage_lines(stage: Stage):
    """World segments (a, b), shape (S, 3) each, of ``stage``: (boards, grid marks and centre mark)."""
    w, dz = stage.half_width_m, stage.half_depth_m
    xs = np.arange(-w + 0.25, w, 0.25)
    boards_a = np.stack([xs, np.zeros_like(xs), np.full_like(xs, -dz)], -1)
    boards_b = np.stack([xs, np.zeros_like(xs), np.full_like(xs, dz)], -1)
    # Metre marks along the front edge, and a centre cross.
    mx = np.arange(-w + 1, w, 1.0)
    marks_a = np.stack([mx, np.zeros_like(mx), np.full_like(mx, dz)], -1)
    marks_b = np.stack([mx, np.zeros_like(mx), np.full_like(mx, dz - 0.25)], -1)
    centre_a = np.array([[-0.15, 0, 0], [0, 0, -0.15]])
    centre_b = np.array([[0.15, 0, 0], [0, 0, 0.15]])
    return (boards_a, boards_b), (np.concatenate([marks_a, centre_a]), np.concatenate([marks_b, centre_b]))


def _world_poly(canvas, cam, corners, paint) -> None:
    corners = np.asarray(corners, dtype=float)
    clipped = clip_polygon(corners, cam.depth(corners))
    if len(clipped) < 3:
        return
    xy, _ = cam.project(clipped)
    canvas.drawPath(_poly_path(xy), paint)


def _world_lines(canvas, cam, seg, paint) -> None:
    a, b = seg
    a, b = clip_segments(a, b, cam.depth(a), cam.depth(b))
    if len(a) == 0:
        return
    pab, _ = cam.project(np.stack([a, b], axis=1).reshape(-1, 3))
    canvas.drawPoints(skia.Canvas.kLines_PointMode, [skia.Point(x, y) for x, y in pab.tolist()], paint)


def backdrop(width: int, height: int) -> np.ndarray:
    """The backdrop behind everything: a soft vertical gradient, RGBA (H, W, 4) uint8.

    Painted once per worker and copied into every frame (a full-frame skia
    gradient costs ~9 ms a frame on the CPU raster backend; the copy ~0.1 ms).
    """
    f = np.linspace(0.0, 1.0, height)[:, None]
    rgb = BACKDROP_TOP * (1 - f) + BACKDROP_BOTTOM * f
    out = np.empty((height, width, 4), dtype=np.uint8)
    out[..., :3] = np.round(rgb * 255).astype(np.uint8)[:, None, :]
    out[..., 3] = 255
    return out


def draw_stage(canvas: skia.Canvas, cam: Camera, stage: Stage = Stage()) -> None:
    """House floor and ``stage`` with its boards and marks (over the backdrop).

    Only solid fills (fast on the CPU backend): the stage floor's fade from
    downstage to upstage is laid down as thin bands across the stage. The
    stage's points are projected in one go (Python overhead, not pixels, is
    most of a frame's cost); clipping at the near plane only when needed.
    """
    w, dz = stage.half_width_m, stage.half_depth_m
    boards, marks = stage_lines(stage)
    paint = skia.Paint(AntiAlias=True)
    # House floor in front of and beside the stage, up to the backdrop.
    paint.setColor(HOUSE_FLOOR)
    far = 60.0
    _world_poly(canvas, cam, [[-far, 0, -dz], [far, 0, -dz], [far, 0, far], [-far, 0, far]], paint)
    # Stage floor, lighter downstage, in bands (no antialiasing: the edges
    # meet each other or are covered by the stage's outline).
    paint.setAntiAlias(False)
    grid = _band_grid(stage)
    if cam.depth(grid).min() >= NEAR_M:
        xy, _ = cam.project(grid)
        left, right = xy[: _N_BANDS + 1], xy[_N_BANDS + 1:]
        for i in range(_N_BANDS):
            paint.setColor(int(_BAND_COLOURS[i]))
            canvas.drawPath(_poly_path(np.stack([left[i], right[i], right[i + 1], left[i + 1]])), paint)
    else:
        edges = np.linspace(-dz, dz, _N_BANDS + 1)
        for i in range(_N_BANDS):
            paint.setColor(int(_BAND_COLOURS[i]))
            z0, z1 = edges[i], edges[i + 1]
            _world_poly(canvas, cam, [[-w, 0, z0], [w, 0, z0], [w, 0, z1], [-w, 0, z1]], paint)
    paint.setAntiAlias(True)
    # Front lip of the stage (a raised stage, 0.6 m).
    paint.setColor(0xFF9C9184)
    _world_poly(canvas, cam, [[-w, 0, dz], [w, 0, dz], [w, -0.6, dz], [-w, -0.6, dz]], paint)
    line = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=0.0, Color=BOARD_LINE)  # hairlines
    _world_lines(canvas, cam, boards, line)
    line.setColor(GRID_LINE)
    line.setStrokeWidth(2.0)
    _world_lines(canvas, cam, marks, line)
    line.setColor(EDGE_LINE)
    line.setStrokeWidth(1.5)
    corners = stage_corners(stage)
    _world_lines(canvas, cam, (corners, np.roll(corners, -1, axis=0)), line)
    draw_numbers(canvas, cam, stage)


@lru_cache(maxsize=8)
def _band_grid(stage: Stage) -> np.ndarray:
    """The bands' corners: the left edge's points front to back, then the right edge's, shape (2 (B + 1), 3)."""
    zs = np.linspace(-stage.half_depth_m, stage.half_depth_m, _N_BANDS + 1)
    side = [np.stack([np.full_like(zs, x), np.zeros_like(zs), zs], -1) for x in (-stage.half_width_m, stage.half_width_m)]
    return np.concatenate(side)


_N_BANDS = 16
_BAND_COLOURS = _argb(
    np.array([0xDC, 0xD3, 0xC4]) / 255 * (1 - np.linspace(0, 1, _N_BANDS))[:, None]
    + np.array([0xEB, 0xE3, 0xD5]) / 255 * np.linspace(0, 1, _N_BANDS)[:, None]
)


def number_spots(stage: Stage) -> dict[int, tuple[float, float]]:
    """Where each Vaganova number 1-8 is painted, world (x, z) metres."""
    x = stage.half_width_m - NUMBER_INSET_M
    z = stage.half_depth_m - NUMBER_INSET_M
    return {1: (0.0, z), 2: (-x, z), 3: (-x, 0.0), 4: (-x, -z), 5: (0.0, -z), 6: (x, -z), 7: (x, 0.0), 8: (x, z)}


def draw_numbers(canvas: skia.Canvas, cam: Camera, stage: Stage) -> None:
    """The numbers 1-8 painted flat on the floor, in perspective (each glyph mapped by a homography)."""
    f = font(100.0, True)
    boxes, quads = _number_quads(stage, f)
    depth = cam.depth(quads.reshape(-1, 3)).reshape(8, 4)
    xy, _ = cam.project(quads.reshape(-1, 3))
    xy = xy.reshape(8, 4, 2)
    dev = canvas.getDeviceClipBounds()
    paint = skia.Paint(AntiAlias=True, Color=NUMBER_INK)
    for i, (s, local) in enumerate(boxes):
        q = xy[i]
        if depth[i].min() < NEAR_M * 2 or q[:, 0].max() < dev.left() or q[:, 0].min() > dev.right() \
                or q[:, 1].max() < dev.top() or q[:, 1].min() > dev.bottom():
            continue
        src = [skia.Point(-u if cam.mirror else u, v) for u, v in local]  # mirrored: it still reads right
        m = skia.Matrix()
        if not m.setPolyToPoly(src, [skia.Point(float(px), float(py)) for px, py in q]):
            continue
        canvas.save()
        canvas.concat(m)
        canvas.drawString(s, float(local[0][0]), 0.0, f, paint)
        canvas.restore()


_QUADS: dict = {}


def _number_quads(stage: Stage, f: skia.Font):
    """Each number's glyph box (text, local corners in font pixels) and its floor quad, world (8, 4, 3)."""
    if stage not in _QUADS:
        cap = 73.0  # cap height of the 100 px font
        scale = NUMBER_M / cap
        boxes, quads = [], []
        for n, (x, z) in number_spots(stage).items():
            s = str(n)
            w = f.measureText(s)
            # Baseline at 0, cap at -cap; the text's "up" points upstage (-z), read from the audience.
            local = [(-w / 2, 0.0), (w / 2, 0.0), (w / 2, -cap), (-w / 2, -cap)]
            boxes.append((s, local))
            quads.append([[x + u * scale, 0.002, z + (v + cap / 2) * scale] for u, v in local])
        _QUADS[stage] = (boxes, np.array(quads))
    return _QUADS[stage]


