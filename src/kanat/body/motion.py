"""Motion: what perform makes and what an imported BVH becomes.

Conventions
-----------
- ``fps`` frames per second (60 by default); frame ``t`` is at ``t / fps`` s.
- ``root_pos`` (T, 3): pelvis position, metres, world frame (Y up, audience +Z).
- ``rotations`` (T, 24, 4): local joint rotations, unit quaternions, w first;
  ``rotations[:, 0]`` is the pelvis orientation in the world.
- ``contacts`` (T, 2) bool: left foot, right foot bearing weight.
- Saved as ``motion.npz`` with ``format_version`` 1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kanat.body import rotations as R
from kanat.body.kinematics import forward_kinematics
from kanat.body.skeleton import JOINT_NAMES, Skeleton, default_skeleton
from kanat.errors import FormatError
from kanat.files import atomic_path

FORMAT_VERSION = 1


@dataclass
class Motion:
    """A body moving over time.

    Attributes
    ----------
    fps : float
        Frames per second.
    root_pos : np.ndarray, shape (T, 3)
    rotations : np.ndarray, shape (T, 24, 4)
    contacts : np.ndarray of bool, shape (T, 2)
    skeleton : Skeleton
    """

    fps: float
    root_pos: np.ndarray
    rotations: np.ndarray
    contacts: np.ndarray
    skeleton: Skeleton = field(default_factory=default_skeleton)
    _positions: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.root_pos = np.asarray(self.root_pos, dtype=float)
        self.rotations = R.normalize(np.asarray(self.rotations, dtype=float))
        self.contacts = np.asarray(self.contacts, dtype=bool)
        T = self.root_pos.shape[0]
        if self.fps <= 0:
            raise FormatError(f"motion: fps must be > 0, got {self.fps}")
        if self.root_pos.shape != (T, 3) or self.rotations.shape != (T, 24, 4) or self.contacts.shape != (T, 2):
            raise FormatError(
                "motion: expected root_pos (T, 3), rotations (T, 24, 4), contacts (T, 2); got "
                f"{self.root_pos.shape}, {self.rotations.shape}, {self.contacts.shape}"
            )

    @property
    def n_frames(self) -> int:
        return int(self.root_pos.shape[0])

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.fps

    @property
    def times_s(self) -> np.ndarray:
        return np.arange(self.n_frames) / self.fps

    def positions(self) -> np.ndarray:
        """World joint positions, shape (T, 24, 3), metres (cached)."""
        if self._positions is None:
            self._positions, _ = forward_kinematics(self.skeleton, self.root_pos, self.rotations)
        return self._positions

    def global_rotations(self) -> np.ndarray:
        """World orientation of each joint, shape (T, 24, 4)."""
        return forward_kinematics(self.skeleton, self.root_pos, self.rotations)[1]

    def resample(self, fps: float) -> "Motion":
        """The same motion at another frame rate (slerp for rotations)."""
        n = max(1, int(round(self.duration_s * fps)))
        src = np.arange(n) / fps * self.fps
        i0 = np.clip(np.floor(src).astype(int), 0, self.n_frames - 1)
        i1 = np.clip(i0 + 1, 0, self.n_frames - 1)
        w = np.clip(src - i0, 0.0, 1.0)
        root = self.root_pos[i0] * (1 - w)[:, None] + self.root_pos[i1] * w[:, None]
        rots = R.slerp(self.rotations[i0], self.rotations[i1], np.broadcast_to(w[:, None], (n, 24)))
        contacts = np.where((w < 0.5)[:, None], self.contacts[i0], self.contacts[i1])
        return Motion(fps=fps, root_pos=root, rotations=rots, contacts=contacts, skeleton=self.skeleton)

    # ------------------------------------------------------------------ I/O
    def save(self, path: str | os.PathLike) -> Path:
        """Write ``motion.npz`` atomically."""
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez(  # uncompressed: float data barely compresses, and it is 4x quicker

                    fh,
                    format_version=np.int64(FORMAT_VERSION),
                    fps=np.float64(self.fps),
                    root_pos=self.root_pos.astype(np.float32),
                    rotations=self.rotations.astype(np.float32),
                    contacts=self.contacts,
                    offsets=self.skeleton.offsets,
                    joint_names=np.array(JOINT_NAMES),
                )
        return Path(path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Motion":
        path = Path(path)
        if not path.is_file():
            raise FormatError(f"motion file {str(path)!r} does not exist; check the path")
        try:
            data = np.load(path, allow_pickle=False)
            version = int(data["format_version"]) if "format_version" in data else None
        except (OSError, ValueError) as exc:
            raise FormatError(f"{path}: not a kanat motion file ({exc})") from None
        if version != FORMAT_VERSION:
            raise FormatError(f"{path}: motion format_version {version!r} is not supported (expected {FORMAT_VERSION})")
        return cls(
            fps=float(data["fps"]),
            root_pos=data["root_pos"].astype(float),
            rotations=data["rotations"].astype(float),
            contacts=data["contacts"].astype(bool),
            skeleton=Skeleton(offsets=data["offsets"].astype(float)),
        )
