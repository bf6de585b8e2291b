"""Perspective cameras for the dance video.

Conventions
-----------
- World frame as everywhere in kanat: metres, Y up, the audience at +Z, the
  stage floor at y = 0, stage centre at the origin.
- Screen frame: pixels, x to the right, y down, origin at the top-left corner.
- A camera looks from ``eye`` towards ``target``; ``depth`` is the distance of
  a point in front of the camera along the viewing axis (metres, > 0 when in
  front). Points closer than :data:`NEAR_M` are clipped by callers.
- :func:`camera_path` makes one camera per video frame. It smooths the
  dancer's floor position with a wide Gaussian (non-causal, so the camera
  neither lags nor jerks) and keeps the framing (distance, field of view)
  constant over the whole video, chosen once from the dancer's full extent.
  The camera follows the dancer only over the stage it is given (the brief's
  :class:`kanat.body.stage.Stage`): the smoothed track is kept on that floor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from kanat.body.stage import Stage
from kanat.errors import ParameterError

#: Near clipping distance in metres.
NEAR_M = 0.2
#: Vertical field of view of both camera modes, degrees.
FOV_DEG = 30.0
#: Camera modes accepted by :func:`camera_path`.
CAMERA_MODES = ("audience", "follow")

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
    """

    eye: np.ndarray
    target: np.ndarray
    focal_px: float
    cx: float
    cy: float

    @property
    def basis(self) -> np.ndarray:
        """Rows right, up, forward (unit vectors, world frame), shape (3, 3)."""
        fwd = self.target - self.eye
        fwd = fwd / max(np.linalg.norm(fwd), 1e-9)
        right = np.cross(fwd, [0.0, 1.0, 0.0])
        n = np.linalg.norm(right)
        right = right / n if n > 1e-9 else np.array([1.0, 0.0, 0.0])
        up = np.cross(right, fwd)
        return np.stack([right, up, fwd])

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
        xy = np.stack([self.cx + self.focal_px * c[..., 0] / d, self.cy - self.focal_px * c[..., 1] / d], axis=-1)
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
    """One camera per video frame.

    eye, target : np.ndarray, shape (N, 3)
    focal_px, cx, cy : float
        Constant for the whole video.
    """

    eye: np.ndarray
    target: np.ndarray
    focal_px: float
    cx: float
    cy: float

    def __len__(self) -> int:
        return int(self.eye.shape[0])

    def __getitem__(self, k: int) -> Camera:
        return Camera(self.eye[k], self.target[k], self.focal_px, self.cx, self.cy)


def camera_path(positions: np.ndarray, fps: float, *, mode: str = "audience", width: int = 1280, height: int = 720,
                stage: Stage | None = None) -> CameraPath:
    """Smooth cameras that keep the whole dancer in view.

    Parameters
    ----------
    positions : np.ndarray, shape (N, 24, 3)
        World joint positions at the video frame rate, metres.
    fps : float
        Video frames per second.
    mode : {"audience", "follow"}
        "audience": from the front (+Z) at eye height slightly above the stage,
        panning gently with the dancer across the stage. "follow": closer, the
        camera slowly orbits the dancer (about +-30 degrees).
    width, height : int
        Frame size in pixels.
    stage : Stage, optional
        The floor being danced on (default 10 x 8 m); the camera's track stays on it.

    Returns
    -------
    CameraPath
    """
    if mode not in CAMERA_MODES:
        raise ParameterError(f"camera must be one of {', '.join(CAMERA_MODES)}; got {mode!r}")
    positions = np.asarray(positions, dtype=float)
    n = positions.shape[0]
    focal = (height / 2.0) / np.tan(np.radians(FOV_DEG) / 2.0)
    region = (_REGION_BOTTOM - _REGION_TOP) * height
    cy = (_REGION_TOP + _REGION_BOTTOM) / 2.0 * height

    # Framing: from the floor to the highest the dancer ever reaches (crown of
    # the head, raised hands, jumps), with a margin; fixed for the whole video.
    top = float(np.percentile(positions[..., 1].max(axis=1), 99.5)) + 0.15 if n else 1.9
    top = max(top, 1.9)
    span = top + 0.45
    target_y = top / 2.0 - 0.05
    dist = span * focal / region
    # Floor position, smoothed over ~1 s so the camera glides.
    root = positions[:, 0, :] if n else np.zeros((1, 3))
    stage = Stage() if stage is None else stage
    root = root.copy()
    root[:, 0] = np.clip(root[:, 0], -stage.half_width_m, stage.half_width_m)
    root[:, 2] = np.clip(root[:, 2], -stage.half_depth_m, stage.half_depth_m)
    t = np.arange(len(root)) / fps
    if mode == "audience":
        sigma = 0.9 * fps
        sx = gaussian_filter1d(root[:, 0], sigma, mode="nearest") if len(root) > 1 else root[:, 0]
        sz = gaussian_filter1d(root[:, 2], sigma, mode="nearest") if len(root) > 1 else root[:, 2]
        elev = np.radians(9.0)
        target = np.stack([sx, np.full_like(sx, target_y), sz * 0.8], axis=-1)
        eye = np.stack([0.55 * sx, target_y + dist * np.sin(elev) + 0 * sx, sz * 0.8 + dist * np.cos(elev)], axis=-1)
    else:
        sigma = 0.6 * fps
        sx = gaussian_filter1d(root[:, 0], sigma, mode="nearest") if len(root) > 1 else root[:, 0]
        sz = gaussian_filter1d(root[:, 2], sigma, mode="nearest") if len(root) > 1 else root[:, 2]
        d = dist * (top + 0.2) / span  # closer: a tighter margin, the whole dancer still in view
        elev = np.radians(13.0)
        az = 0.5 * np.sin(2 * np.pi * t / 24.0)
        target = np.stack([sx, np.full_like(sx, target_y), sz], axis=-1)
        eye = target + np.stack([d * np.cos(elev) * np.sin(az), d * np.sin(elev) + 0 * az, d * np.cos(elev) * np.cos(az)], axis=-1)
    return CameraPath(eye=eye, target=target, focal_px=float(focal), cx=width / 2.0, cy=float(cy))
