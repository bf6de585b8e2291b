"""The stage: its floor (:class:`Stage`) and the directions on it.

Conventions
-----------
- World frame: Y up, the audience at +Z, stage centre at the origin.
- :class:`Stage` is the one definition of the floor every stage of kanat
  uses: compose keeps the dancer on it, perform and critique measure against
  it, render draws it. ``width_m`` across (x), ``depth_m`` deep (z); the
  ``margin_m`` at the edges is kept free (the wings, the front of the stage).
- Vaganova stage directions: 1 faces the audience (+Z); the numbers go round
  to the dancer's right: 2 is the front corner on the dancer's right, 3 the
  right wall, 5 the back, 7 the left wall. Yaw in radians about +Y; a dancer
  with yaw 0 faces +Z.
- A step's travel is written (side, forward) in metres, side > 0 toward the
  working side (the dancer's right for side R).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kanat.errors import ParameterError

STAGE_MIN_M = 3.0
STAGE_MAX_M = 40.0


@dataclass(frozen=True)
class Stage:
    """The stage floor, centred at the origin: ``width_m`` across (x), ``depth_m`` deep (z).

    ``margin_m`` is the band along the edges a dancer does not end a step in.
    Sizes are checked on creation (3-40 m, the margin less than half of either).
    """

    width_m: float = 10.0
    depth_m: float = 8.0
    margin_m: float = 1.0

    def __post_init__(self) -> None:
        for name in ("width_m", "depth_m", "margin_m"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ParameterError(f"stage {name} must be a number of metres, got {v!r}")
            object.__setattr__(self, name, float(v))
        if not (STAGE_MIN_M <= self.width_m <= STAGE_MAX_M and STAGE_MIN_M <= self.depth_m <= STAGE_MAX_M):
            raise ParameterError(
                f"the stage must be {STAGE_MIN_M:g}-{STAGE_MAX_M:g} m wide and deep, got {self.width_m:g} x {self.depth_m:g} m")
        if not 0.0 <= self.margin_m < min(self.width_m, self.depth_m) / 2:
            raise ParameterError(f"stage margin_m must be 0 to under half the stage, got {self.margin_m:g}")

    @property
    def half_width_m(self) -> float:
        return self.width_m / 2

    @property
    def half_depth_m(self) -> float:
        return self.depth_m / 2

    def inside(self, xz) -> bool:
        """Is the point ``(x, z)`` (metres) on the safe area, inside the margin?"""
        return abs(xz[0]) <= self.half_width_m - self.margin_m and abs(xz[1]) <= self.half_depth_m - self.margin_m

    @classmethod
    def parse(cls, text: str) -> "Stage":
        """A stage from ``"WIDTHxDEPTH"`` in metres, e.g. ``"12x9"``."""
        try:
            w, d = (float(v) for v in str(text).lower().split("x"))
        except ValueError:
            raise ParameterError(f"the stage must look like 10x8 (width x depth in metres), got {text!r}") from None
        return cls(width_m=w, depth_m=d)

    def to_dict(self) -> dict:
        return {"width_m": self.width_m, "depth_m": self.depth_m}

    @classmethod
    def from_dict(cls, data, *, where: str = "stage") -> "Stage":
        """A stage from ``{width_m, depth_m}`` (as a score's settings hold it); errors name ``where``."""
        if not isinstance(data, dict):
            raise ParameterError(f"{where}: the stage must be a mapping like {{width_m: 10, depth_m: 8}}, got {data!r}")
        try:
            return cls(width_m=data.get("width_m", data.get("width", 10.0)),
                       depth_m=data.get("depth_m", data.get("depth", 8.0)))
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc}") from None


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
