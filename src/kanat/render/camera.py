"""Perspective cameras for the dance video.

Conventions
-----------
- World frame as everywhere in kanat: metres, Y up, the audience at +Z, the
  stage floor at y = 0, stage centre at the origin.
- Screen frame: pixels, x to the right, y down, origin at the top-left corner.
- A camera looks from ``eye`` towards ``target``; ``depth`` is the distance of
  a point in front of the camera along the viewing axis (metres, > 0 when in
  front). Points closer than :data:`NEAR_M` are clipped by callers.
- :func:`camera_path` makes one camera per video frame for a view
  (:data:`VIEWS`): where it stands around the dancer (azimuth from the
  audience, elevation) and whether the picture is mirrored. It follows the
  dancer's floor position smoothed by a Gaussian (non-causal: it sees the
  travel coming) and read :data:`LEAD_S` ahead, so the dancer travels into
  the picture rather than out of it. The distance is chosen per frame so the
  dancer's height on screen stays within :data:`FIGURE_BAND` of the frame
  height (a crouch, a jump, arms in fifth), smoothed so the zoom breathes
  rather than jitters. The track is kept on the brief's
  :class:`kanat.body.stage.Stage`.
- A mirrored camera flips the picture left to right (the rehearsal-studio
  mirror: the dancer sees their own right on the right).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.ndimage import gaussian_filter1d, maximum_filter1d, minimum_filter1d

from kanat.body.skeleton import J
from kanat.body.stage import Stage
from kanat.errors import ParameterError

_HEAD = J["head"]

#: Near clipping distance in metres.
NEAR_M = 0.2
#: Vertical field of view of both camera modes, degrees.
FOV_DEG = 30.0
#: The views of the dance: (azimuth from the audience toward +X in degrees, elevation in degrees, mirrored).
VIEW_ANGLES = {
    "audience": (0.0, 12.0, False),
    "mirror": (0.0, 12.0, True),
    "side": (90.0, 8.0, False),
    "three-quarter": (40.0, 12.0, False),
}
#: The views a video can show ("split": audience and side, side by side).
VIEWS = ("audience", "mirror", "side", "three-quarter", "split")
#: Camera modes accepted by :func:`camera_path` and the video: the views, and "follow" (a slow orbit).
CAMERA_MODES = VIEWS + ("follow",)
#: The dancer's height on screen, as fractions of the frame (or pane) height, always within this band.
FIGURE_BAND = (0.45, 0.65)
#: The camera reads the dancer's travel this far ahead (seconds).
LEAD_S = 0.35

# The part of the frame the dancer is framed in (fractions of the height);
# the rest belongs to the overlays (the phrase strip at the bottom).
_REGION_TOP = 0.05
_REGION_BOTTOM = 0.80


@dataclass(frozen=True)
class Camera:
    """One pinhole camera.

    eye, target : np.ndarray, shape (3,)
        Camera position and the point it looks at, metres.
    focal_px : float
        Focal length in pixels.
    cx, cy : float
        Principal point in pixels (where ``target`` appears).
    mirror : bool
        Flip the picture left to right (a mirror view).
    """

    eye: np.ndarray
    target: np.ndarray
    focal_px: float
    cx: float
    cy: float
    mirror: bool = False

    @cached_property
    def basis(self) -> np.ndarray:
        """Rows right, up, forward (unit vectors, world frame), shape (3, 3); computed once per camera."""
        fx, fy, fz = (float(v) for v in self.target - self.eye)
        n = math.sqrt(fx * fx + fy * fy + fz * fz) or 1e-9
        fx, fy, fz = fx / n, fy / n, fz / n
        rx, rz = -fz, fx  # forward x (0, 1, 0)
        n = math.hypot(rx, rz)
        rx, rz = (rx / n, rz / n) if n > 1e-9 else (1.0, 0.0)
        up = (-rz * fy, rz * fx - rx * fz, rx * fy)  # right x forward
        return np.array([[rx, 0.0, rz], up, [fx, fy, fz]])

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """Camera coordinates (right, up, depth), shape (..., 3), of world points (..., 3)."""
        return (np.asarray(points, dtype=float) - self.eye) @ self.basis.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Screen positions (..., 2) in pixels and depths (...) in metres.

        Depths below :data:`NEAR_M` are clamped for the division only; callers
        that may see such points clip them first (:func:`clip_polygon`).
        """
        c = self.to_camera(points)
        depth = c[..., 2]
        d = np.maximum(depth, NEAR_M * 0.5)
        sx = -self.focal_px if self.mirror else self.focal_px
        xy = np.stack([self.cx + sx * c[..., 0] / d, self.cy - self.focal_px * c[..., 1] / d], axis=-1)
        return xy, depth

    def depth(self, points: np.ndarray) -> np.ndarray:
        """Depth along the viewing axis, metres, shape (...)."""
        return (np.asarray(points, dtype=float) - self.eye) @ self.basis[2]

    def pixels_per_metre(self, depth: np.ndarray) -> np.ndarray:
        """Screen size in pixels of one metre seen face-on at ``depth``."""
        return self.focal_px / np.maximum(depth, NEAR_M * 0.5)


def clip_polygon(points: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Clip a convex world polygon against the near plane.

    points : np.ndarray, shape (K, 3)
        Polygon corners, world metres, in order.
    depth : np.ndarray, shape (K,)
        Their depths (:meth:`Camera.depth`).

    Returns
    -------
    clipped : np.ndarray, shape (M, 3)
        The part with depth >= :data:`NEAR_M` (Sutherland-Hodgman); M may be 0.
    """
    out = []
    k = len(points)
    for i in range(k):
        a, b = points[i], points[(i + 1) % k]
        da, db = depth[i] - NEAR_M, depth[(i + 1) % k] - NEAR_M
        if da >= 0:
            out.append(a)
        if (da >= 0) != (db >= 0):
            out.append(a + (b - a) * (da / (da - db)))
    return np.array(out).reshape(-1, 3)


def clip_segments(a: np.ndarray, b: np.ndarray, depth_a: np.ndarray, depth_b: np.ndarray):
    """Clip world segments ``a[i]-b[i]`` (shape (S, 3)) against the near plane.

    Returns the clipped endpoints (S', 3) and (S', 3) of the visible segments.
    """
    da, db = depth_a - NEAR_M, depth_b - NEAR_M
    keep = (da >= 0) | (db >= 0)
    a, b, da, db = a[keep], b[keep], da[keep], db[keep]
    w = np.where(da < 0, da / np.where(da - db == 0, 1, da - db), 0.0)[:, None]
    a = a + (b - a) * w
    w = np.where(db < 0, db / np.where(db - da == 0, 1, db - da), 0.0)[:, None]
    b = b + (a - b) * w
    return a, b


@dataclass(frozen=True)
class CameraPath:
    """One camera per frame (a view of the whole video).

    eye, target : np.ndarray, shape (N, 3)
    focal_px, cx, cy : float
        Constant for the whole video.
    mirror : bool
    """

    eye: np.ndarray
    target: np.ndarray
    focal_px: float
    cx: float
    cy: float
    mirror: bool = False

    def __len__(self) -> int:
        return int(self.eye.shape[0])

    def __getitem__(self, k: int) -> Camera:
        return Camera(self.eye[k], self.target[k], self.focal_px, self.cx, self.cy, self.mirror)


def body_extent(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest point of the drawn body per frame (soles to crown, hands), metres, shapes (N,), (N,)."""
    y = positions[..., 1]
    low = y.min(axis=1) - 0.04
    high = np.maximum(y.max(axis=1), positions[:, _HEAD, 1] + 0.16)  # the crown above the head joint
    return low, high


def figure_fraction(cam: Camera, pos: np.ndarray, height: int) -> float:
    """The dancer's height on screen as a fraction of ``height``: crown (or hands) to soles."""
    top = pos[_HEAD] + np.array([0.0, 0.16, 0.0])
    low = pos[np.argmin(pos[:, 1])] - np.array([0.0, 0.04, 0.0])
    xy, _ = cam.project(np.concatenate([pos, [top, low]]))
    return float((xy[:, 1].max() - xy[:, 1].min()) / height)


def _screen_heights(eye: np.ndarray, target: np.ndarray, positions: np.ndarray, focal: float) -> np.ndarray:
    """The figure's height on screen per frame, pixels (all frames at once; as :func:`figure_fraction`)."""
    n = len(positions)
    low = positions[np.arange(n), np.argmin(positions[..., 1], axis=1)] - [0.0, 0.04, 0.0]
    pts = np.concatenate([positions, positions[:, _HEAD][:, None] + [0.0, 0.16, 0.0], low[:, None]], axis=1)
    fwd = target - eye
    fwd /= np.linalg.norm(fwd, axis=-1, keepdims=True)
    right = np.cross(fwd, [0.0, 1.0, 0.0])
    right /= np.maximum(np.linalg.norm(right, axis=-1, keepdims=True), 1e-9)
    up = np.cross(right, fwd)
    rel = pts - eye[:, None]
    y = focal * np.sum(rel * up[:, None], -1) / np.maximum(np.sum(rel * fwd[:, None], -1), NEAR_M * 0.5)
    return y.max(axis=1) - y.min(axis=1)


def _smooth(x: np.ndarray, sigma_frames: float) -> np.ndarray:
    return gaussian_filter1d(x, sigma_frames, axis=0, mode="nearest") if len(x) > 1 else x


def _distances(extent: np.ndarray, focal: float, height: int, fps: float) -> np.ndarray:
    """Camera distance per frame: the figure at ~55 % of the height, never outside the band, smoothly."""
    lo_f, hi_f = FIGURE_BAND
    want = extent * focal / (0.55 * height)
    # Closer than ``near`` the figure is too tall, farther than ``far`` too small; both bounds are taken
    # over the frames around (a pose's extent flickers from frame to frame, the camera must not).
    w = max(1, int(round(0.5 * fps)))
    near = _smooth(maximum_filter1d(extent * focal / ((hi_f - 0.025) * height), w, mode="nearest"), 0.1 * fps)
    far = _smooth(minimum_filter1d(extent * focal / ((lo_f + 0.025) * height), w, mode="nearest"), 0.1 * fps)
    far = np.maximum(far, near)
    d = np.exp(_smooth(np.log(want), 1.2 * fps))
    for _ in range(16):  # a smooth path inside the band (alternating projections); the margins take the rest
        d = _smooth(np.clip(d, near, far), 0.3 * fps)
    return d


def _track(positions: np.ndarray, fps: float, stage: Stage) -> np.ndarray:
    """The dancer's floor track (N, 2) = (x, z): smoothed, read LEAD_S ahead, kept on the stage."""
    root = positions[:, 0, [0, 2]].copy()
    root[:, 0] = np.clip(root[:, 0], -stage.half_width_m, stage.half_width_m)
    root[:, 1] = np.clip(root[:, 1], -stage.half_depth_m, stage.half_depth_m)
    smooth = _smooth(root, 0.6 * fps)
    lead = int(round(LEAD_S * fps))
    ahead = np.concatenate([smooth[lead:], np.repeat(smooth[-1:], min(lead, len(smooth)), axis=0)])
    return 0.5 * (smooth + ahead)


def camera_path(positions: np.ndarray, fps: float, *, mode: str = "audience", width: int = 1280, height: int = 720,
                stage: Stage | None = None, x0: float = 0.0) -> CameraPath:
    """Smooth cameras that keep the whole dancer in view, at 45-65 % of the height.

    Parameters
    ----------
    positions : np.ndarray, shape (N, 24, 3)
        World joint positions at the video frame rate, metres.
    fps : float
        Video frames per second.
    mode : one of :data:`VIEW_ANGLES` or "follow"
        "audience" from the house (+Z), "mirror" the same, flipped, "side" from
        stage left (+X), "three-quarter" from between the two; "follow" orbits
        slowly about the dancer (about +-30 degrees). ("split" is two panes:
        see :func:`kanat.render.video.build_scene`.)
    width, height : int
        Frame (or pane) size in pixels; ``x0`` is the pane's left edge in the frame.
    stage : Stage, optional
        The floor being danced on (default 10 x 8 m); the camera's track stays on it.

    Returns
    -------
    CameraPath
    """
    if mode not in VIEW_ANGLES and mode != "follow":
        raise ParameterError(f"camera must be one of {', '.join(CAMERA_MODES)}; got {mode!r}")
    positions = np.asarray(positions, dtype=float)
    if len(positions) == 0:
        positions = np.zeros((1, 24, 3)) + [0.0, 0.9, 0.0]
    n = positions.shape[0]
    stage = Stage() if stage is None else stage
    focal = (height / 2.0) / np.tan(np.radians(FOV_DEG) / 2.0)
    cy = (_REGION_TOP + _REGION_BOTTOM) / 2.0 * height
    low, high = body_extent(positions)
    dist = _distances(high - low, focal, height, fps)
    mid_y = _smooth(0.5 * (low + high), 0.4 * fps)
    xz = _track(positions, fps, stage)
    target = np.stack([xz[:, 0], mid_y, xz[:, 1]], axis=-1)
    if mode == "follow":
        az = 0.5 * np.sin(2 * np.pi * np.arange(n) / fps / 24.0)
        elev, mirror = np.full(n, np.radians(13.0)), False
    else:
        a, e, mirror = VIEW_ANGLES[mode]
        az, elev = np.full(n, np.radians(a)), np.full(n, np.radians(e))
    offset = np.stack([np.cos(elev) * np.sin(az), np.sin(elev), np.cos(elev) * np.cos(az)], axis=-1)
    eye = target + dist[:, None] * offset
    # Once more with the extent as the camera really sees it (perspective, elevation, depth of the pose).
    seen = _screen_heights(eye, target, positions, focal) * dist / focal
    dist = _distances(seen, focal, height, fps)
    eye = target + dist[:, None] * offset
    return CameraPath(eye=eye, target=target, focal_px=float(focal), cx=x0 + width / 2.0, cy=float(cy), mirror=mirror)
