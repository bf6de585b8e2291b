"""Directions on the stage.

Conventions
-----------
- World frame: Y up, the audience at +Z, stage centre at the origin.
- Vaganova stage directions: 1 faces the audience (+Z); the numbers go round
  to the dancer's right: 2 is the front corner on the dancer's right, 3 the
  right wall, 5 the back, 7 the left wall. Yaw in radians about +Y; a dancer
  with yaw 0 faces +Z.
- A step's travel is written (side, forward) in metres, side > 0 toward the
  working side (the dancer's right for side R).
"""

from __future__ import annotations

import numpy as np


def facing_to_yaw(facing: int) -> float:
    """Yaw (radians, about +Y) of a Vaganova direction 1-8."""
    return float(-np.radians(45.0 * (int(facing) - 1)))


def yaw_to_facing(yaw_rad: float) -> int:
    """The nearest Vaganova direction 1-8 of a yaw."""
    k = int(np.round(-np.degrees(yaw_rad) / 45.0)) % 8
    return k + 1


def local_to_world(vec_side_fwd: tuple[float, float], yaw_rad: float, side: str) -> np.ndarray:
    """A step's travel (toward the working side, forward) to world (x, z) metres."""
    s, f = vec_side_fwd
    right = -1.0 if side != "L" else 1.0  # the dancer's right is -X when facing +Z
    lx, lz = right * s, f
    c, sn = np.cos(yaw_rad), np.sin(yaw_rad)
    return np.array([c * lx + sn * lz, -sn * lx + c * lz])
