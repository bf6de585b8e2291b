"""``joints.npz``: world joint positions for metrics, plots and other tools.

Conventions
-----------
- ``positions``: float32, shape (T, 24, 3), metres, kanat's world frame
  (Y up, the audience at +Z, the floor at y = 0).
- ``fps``: float64 scalar, frames per second; frame t is at t / fps s.
- ``joint_names``: unicode array of the 24 SMPL names, in SMPL order.
- ``format_version``: int64 scalar, 1. Readers reject any other version.
- Plain arrays only, so ``np.load(path)`` works without ``allow_pickle``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kanat.body.motion import Motion
from kanat.body.skeleton import JOINT_NAMES
from kanat.errors import FormatError
from kanat.files import atomic_path

FORMAT_VERSION = 1


class Joints(NamedTuple):
    """The contents of a ``joints.npz``.

    positions : np.ndarray, shape (T, 24, 3)
        World joint positions, metres, Y up (float32 as stored).
    fps : float
        Frames per second.
    joint_names : tuple of str
        The 24 SMPL joint names.
    """

    positions: np.ndarray
    fps: float
    joint_names: tuple[str, ...]


def write_joints_npz(motion: Motion, path: str | os.PathLike) -> Path:
    """Write the world joint positions of ``motion`` to ``path`` (atomically).

    Parameters
    ----------
    motion : Motion
    path : str or PathLike
        Usually ``OUT/joints.npz``.

    Returns
    -------
    path : Path

    Examples
    --------
    >>> write_joints_npz(motion, "out/joints.npz")  # doctest: +SKIP
    >>> np.load("out/joints.npz")["positions"].shape  # doctest: +SKIP
    (T, 24, 3)
    """
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(  # uncompressed: float data barely compresses, and it is 4x quicker

                fh,
                positions=motion.positions().astype(np.float32),
                fps=np.float64(motion.fps),
                joint_names=np.array(motion.skeleton.names, dtype=str),
                format_version=np.int64(FORMAT_VERSION),
            )
    return Path(path)


def read_joints_npz(path: str | os.PathLike) -> Joints:
    """Read a ``joints.npz`` written by :func:`write_joints_npz`.

    Raises
    ------
    FormatError
        The file is missing, not an npz, of another format version, or its
        arrays have the wrong shapes.
    """
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"joints file {str(path)!r} does not exist; check the path")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError) as exc:
        raise FormatError(f"{path}: not a joints.npz file ({exc})") from None
    version = arrays.get("format_version")
    version = int(version) if version is not None and version.shape == () else version
    if version != FORMAT_VERSION:
        raise FormatError(
            f"{path}: joints format_version {version!r} is not supported (this kanat reads version {FORMAT_VERSION}); "
            "re-create the file with this kanat"
        )
    missing = [k for k in ("positions", "fps", "joint_names") if k not in arrays]
    if missing:
        raise FormatError(f"{path}: joints.npz lacks {missing}; expected positions, fps, joint_names, format_version")
    positions = arrays["positions"]
    names = tuple(str(n) for n in arrays["joint_names"])
    fps = float(arrays["fps"])
    if positions.ndim != 3 or positions.shape[1:] != (24, 3):
        raise FormatError(f"{path}: positions must have shape (T, 24, 3), got {positions.shape}")
    if names != JOINT_NAMES:
        raise FormatError(f"{path}: joint_names are not the 24 SMPL joints in SMPL order, got {list(names)[:5]}...")
    if not fps > 0:
        raise FormatError(f"{path}: fps must be > 0, got {fps}")
    return Joints(positions=positions, fps=fps, joint_names=names)
