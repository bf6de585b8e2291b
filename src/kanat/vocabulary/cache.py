"""The checked vocabulary, kept between runs: step files are read, compiled and checked once per content.

Conventions
-----------
- The cache key is a SHA-256 of the step files' bytes, of the source of the
  modules that turn them into steps (the pose language, the fitting, joint
  limits, the skeleton, rotations, kinematics) and of kanat's and numpy's
  versions: editing a step file or upgrading kanat reads the files again.
- The cache lives in the user's cache folder (``platformdirs``), or in
  ``$KANAT_CACHE_DIR``; it is written atomically, and a cache that cannot be
  read or written is simply ignored (the files are read as before).
- What is kept is the list of :class:`~kanat.vocabulary.step.Step` with their
  compiled keyframe rotations, as a pickle; only kanat writes it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from importlib import resources
from pathlib import Path

import numpy as np

#: Modules whose code decides what a step file compiles to.
_CODE = (("kanat.vocabulary", "pose.py"), ("kanat.vocabulary", "fit.py"), ("kanat.vocabulary", "step.py"),
         ("kanat.body", "limits.py"), ("kanat.body", "skeleton.py"), ("kanat.body", "rotations.py"),
         ("kanat.body", "kinematics.py"))
_FORMAT = 1


def cache_dir() -> Path:
    """Where kanat keeps what it can compute again: ``$KANAT_CACHE_DIR`` or the user's cache folder."""
    env = os.environ.get("KANAT_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kanat", appauthor=False))


def key(paths) -> str:
    """The content key of a vocabulary made from the step files ``paths``."""
    import kanat

    h = hashlib.sha256(f"{_FORMAT} {getattr(kanat, '__version__', '')} {np.__version__}".encode())
    for pkg, name in _CODE:
        h.update((resources.files(pkg) / name).read_bytes())
    for p in paths:
        h.update(str(Path(p).name).encode())
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def load(paths, build):
    """The steps of ``paths``: from the cache when their content is known, else ``build()`` (then cached)."""
    try:
        k = key(paths)
    except OSError:
        return build()
    where = cache_dir() / f"vocabulary-{k[:32]}.pickle"
    try:
        with open(where, "rb") as f:
            steps = pickle.load(f)
        if isinstance(steps, list):
            return steps
    except Exception:  # noqa: BLE001 - a missing, stale or damaged cache is only a slower start
        pass
    steps = build()
    _store(where, steps)
    return steps


def _store(where: Path, steps) -> None:
    tmp = where.with_name(f".{where.name}.{os.getpid()}.tmp")
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        for s in steps:  # compile now, so the cache holds the rotations
            s.keyframe_rotations()
        with open(tmp, "wb") as f:
            pickle.dump(steps, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, where)
    except OSError:
        tmp.unlink(missing_ok=True)
