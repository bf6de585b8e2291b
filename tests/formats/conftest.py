"""Fixtures of the format tests; the motions they are made of are in ``tests/testkit/motions.py``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from testkit import motions

from kanat.body import Motion


@pytest.fixture(name="random_dance")
def random_dance_fixture():
    """The :func:`testkit.motions.random_dance` factory."""
    return motions.random_dance


@pytest.fixture
def motion() -> Motion:
    """Four seconds at 60 fps of a random dance with 2.5 turns."""
    return motions.random_dance(seed=7)


@pytest.fixture(scope="module", name="random_dance_module")
def random_dance_module_fixture():
    """:func:`testkit.motions.random_dance` for module-scoped fixtures."""
    return motions.random_dance


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator."""
    return np.random.default_rng(20240601)


@pytest.fixture(scope="session")
def demo_dance() -> Motion:
    """Six seconds of kanat's own demo dance (tests/data/perform/demo_motion.npz)."""
    m = Motion.load(Path(__file__).parents[1] / "data" / "perform" / "demo_motion.npz")
    n = 360
    return Motion(fps=m.fps, root_pos=m.root_pos[:n], rotations=m.rotations[:n], contacts=m.contacts[:n],
                  skeleton=m.skeleton)


@pytest.fixture(name="write_renamed_bvh")
def write_renamed_bvh_fixture():
    """:func:`testkit.motions.write_renamed_bvh`."""
    return motions.write_renamed_bvh


@pytest.fixture
def layouts() -> dict:
    return motions.layouts()
