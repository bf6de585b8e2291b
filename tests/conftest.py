"""Shared fixtures: a seeded random generator, a click track of known tempo and
meter, the rest-pose skeleton, and the saved stage outputs under tests/data/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261125)


@pytest.fixture(scope="session")
def skeleton():
    from kanat.body import default_skeleton

    return default_skeleton()


def click_track(bpm: float, meter: int, duration_s: float, sr: int = 22050, start_s: float = 0.5) -> tuple[np.ndarray, int]:
    """A click track: accented, lower downbeats every ``meter`` beats."""
    y = np.zeros(int(duration_s * sr), dtype=np.float32)
    period = 60.0 / bpm
    t = np.arange(int(0.06 * sr)) / sr
    for k, tb in enumerate(np.arange(start_s, duration_s - 0.1, period)):
        down = k % meter == 0
        f = 880.0 if down else 1760.0
        click = (1.0 if down else 0.45) * np.sin(2 * np.pi * f * t) * np.exp(-t * 60)
        i = int(tb * sr)
        y[i : i + click.size] += click[: max(0, y.size - i)].astype(np.float32)
    return y, sr


@pytest.fixture(scope="session")
def demo_music_map():
    """The demo music's map as saved by scripts/make_test_data.py (the listen stage's output)."""
    from kanat.listen import MusicMap

    return MusicMap.load(DATA / "listen" / "demo_music.json")


@pytest.fixture(scope="session")
def demo_score():
    """A score composed for the demo music, saved by scripts/make_test_data.py (compose's output)."""
    from kanat.compose import Score

    return Score.load(DATA / "compose" / "demo_score.yaml")


@pytest.fixture(scope="session")
def library():
    from kanat.vocabulary import load_library

    return load_library()
