"""Shared fixtures for the format tests: seeded, non-trivial test motions."""

from __future__ import annotations

import numpy as np
import pytest

from kanat.body import J, Motion, rotations as R


def make_motion(*, seed: int = 0, n_frames: int = 240, fps: float = 60.0, amplitude_rad: float = 0.5,
                turns: float = 2.5) -> Motion:
    """A smooth random dance: every joint swinging on random sinusoids.

    The pelvis turns ``turns`` full turns about the vertical and tilts a
    little; the root walks a circle and bobs around (0, 0.955, 0); the knees
    bend from straight to 150 degrees and back, through ZXY's gimbal lock at
    90 degrees about X.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_frames) / fps
    freq = rng.uniform(0.3, 2.0, size=(2, 24, 3))
    phase = rng.uniform(0, 2 * np.pi, size=(2, 24, 3))
    amp = rng.uniform(0.3, 1.0, size=(2, 24, 3)) * amplitude_rad / 2
    angles = np.sum(amp * np.sin(2 * np.pi * freq * t[:, None, None, None] + phase), axis=1)  # (T, 24, 3)
    rot = R.from_euler(angles)
    duration = max(t[-1], 1e-9)
    bend = 2.6 * np.sin(np.pi * t / duration) ** 2  # 0 -> 150 degrees -> 0
    for knee in ("left_knee", "right_knee"):
        rot[:, J[knee]] = R.multiply(R.from_euler(np.stack([bend, 0 * bend, 0 * bend], -1)), rot[:, J[knee]])
    yaw = 2 * np.pi * turns * t / duration
    rot[:, 0] = R.multiply(R.yaw(yaw), R.from_euler(angles[:, 0] * 0.4))
    root = np.stack([0.8 * np.sin(2 * np.pi * t / duration), 0.955 + 0.05 * np.sin(4 * np.pi * t), 0.8 * np.cos(2 * np.pi * t / duration) - 0.8], -1)
    return Motion(fps=fps, root_pos=root, rotations=rot, contacts=np.zeros((n_frames, 2), bool))


@pytest.fixture(name="make_motion")
def make_motion_fixture():
    """The :func:`make_motion` factory (a fixture, so tests need no imports from here)."""
    return make_motion


@pytest.fixture
def motion() -> Motion:
    """Four seconds at 60 fps of a random dance with 2.5 turns."""
    return make_motion(seed=7)


@pytest.fixture(scope="module", name="make_motion_module")
def make_motion_module_fixture():
    """:func:`make_motion` for module-scoped fixtures."""
    return make_motion


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator."""
    return np.random.default_rng(20240601)
