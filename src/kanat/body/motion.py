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
from kanat.body.kinematics import forward_kinematics, joint_positions
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
            self._positions = joint_positions(self.skeleton, self.root_pos, self.rotations)
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
            with np.load(path, allow_pickle=False) as data:
                version = int(data["format_version"]) if "format_version" in data else None
                if version != FORMAT_VERSION:
                    raise FormatError(f"{path}: motion format_version {version!r} is not supported "
                                      f"(expected {FORMAT_VERSION}); re-create it with 'kanat render'")
                arrays = {k: data[k] for k in ("fps", "root_pos", "rotations", "contacts", "offsets")}
        except FormatError:
            raise
        except KeyError as exc:
            raise FormatError(f"{path}: the motion file lacks {exc}; re-create it with 'kanat render'") from None
        except Exception as exc:  # zipfile, zlib, numpy: a truncated or foreign file
            raise FormatError(f"{path}: not a complete kanat motion file ({type(exc).__name__}: {exc}); "
                              "it may be truncated: re-create it with 'kanat render'") from None
        fps = float(arrays["fps"]) if arrays["fps"].size == 1 else float("nan")
        if not (np.isfinite(fps) and 0 < fps <= 1000):
            raise FormatError(f"{path}: fps must be a number 0-1000, got {arrays['fps']!r}")
        for key in ("root_pos", "rotations", "offsets"):
            if not np.issubdtype(arrays[key].dtype, np.number) or not np.all(np.isfinite(arrays[key])):
                raise FormatError(f"{path}: {key} holds values that are not finite numbers (NaN or infinite); "
                                  "re-create it with 'kanat render'")
        try:
            return cls(
                fps=fps,
                root_pos=arrays["root_pos"].astype(float),
                rotations=arrays["rotations"].astype(float),
                contacts=arrays["contacts"].astype(bool),
                skeleton=Skeleton(offsets=arrays["offsets"].astype(float)),
            )
        except (ValueError, TypeError) as exc:  # FormatError is a ValueError
            raise FormatError(f"{path}: {str(exc).removeprefix('motion: ')}; re-create it with 'kanat render'") from None
