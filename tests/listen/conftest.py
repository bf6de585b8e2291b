"""Fixtures for the listen stage: synthetic click tracks and the demo music.

Conventions: audio mono float32 at 22050 Hz; times in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kanat

SR = 22050
DATA = Path(kanat.__file__).parent / "data"


def accented_click_track(bpm: float, meter: int, *, bars: int = 16, sr: int = SR, seed: int = 0, lead_s: float = 0.5):
    """A metronome in ``meter`` at ``bpm`` with accented downbeats.

    Every beat is a short woodblock-like click (a decaying 1.5 kHz tone plus
    a little noise); downbeats are twice as loud and carry a low 110 Hz thump,
    as a pianist's left hand would.

    Returns
    -------
    y : np.ndarray, shape (N,)
        Mono float32 audio.
    beats_s : np.ndarray, shape (bars * meter,)
    downbeats_s : np.ndarray, shape (bars,)
    """
    rng = np.random.default_rng(seed)
    period = 60.0 / bpm
    n_beats = bars * meter
    beats_s = lead_s + period * np.arange(n_beats)
    y = np.zeros(int((beats_s[-1] + 1.5) * sr), dtype=np.float64)
    n = int(0.08 * sr)
    t = np.arange(n) / sr
    click = np.sin(2 * np.pi * 1500 * t) * np.exp(-t / 0.012) + 0.2 * rng.standard_normal(n) * np.exp(-t / 0.004)
    thump = np.sin(2 * np.pi * 110 * t) * np.exp(-t / 0.05)
    for k, bt in enumerate(beats_s):
        i = int(round(bt * sr))
        if k % meter == 0:
            y[i : i + n] += 0.8 * click + 0.8 * thump
        else:
            y[i : i + n] += 0.35 * click
    return y.astype(np.float32), beats_s, beats_s[::meter]


def synthesise(notes_s: list[tuple[float, float, int, int]], length_s: float, *, sr: int = SR, attack_s: float = 0.004) -> np.ndarray:
    """A piano-like rendering: three decaying harmonics and a hammer's noise per note, mono float32.

    With a long ``attack_s`` (say 0.08) and no hammer it is more like bowed strings: each note swells in.
    """
    rng = np.random.default_rng(0)
    y = np.zeros(int(length_s * sr))
    for on, end, pitch, vel in notes_s:
        f0 = 440.0 * 2 ** ((pitch - 69) / 12)
        n = int((end - on + 0.3) * sr)
        t = np.arange(n) / sr
        tone = sum(a * np.sin(2 * np.pi * f0 * h * t) for h, a in ((1, 1.0), (2, 0.5), (3, 0.25)))
        decay = 0.5 if attack_s < 0.02 else 4.0
        env = np.minimum(t / attack_s, 1.0) * np.exp(-t / decay) * np.where(t < end - on, 1.0, np.exp(-(t - (end - on)) / 0.05))
        i = int(on * sr)
        seg = y[i : i + n]
        hammer = 0.3 * rng.standard_normal(n) * np.exp(-t / 0.006) * (attack_s < 0.02)
        seg += (vel / 127.0) * 0.1 * (tone * env + hammer)[: len(seg)]
    return (y / (np.abs(y).max() + 1e-9) * 0.8).astype(np.float32)


@pytest.fixture(scope="session")
def demo_path() -> Path:
    return DATA / "demo.ogg"


@pytest.fixture(scope="session")
def demo_truth() -> dict:
    return json.loads((DATA / "demo_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_music(demo_path):
    """The demo analysed once per test module."""
    from kanat.listen import listen

    return listen(demo_path)


@pytest.fixture(scope="session")
def make_click_track():
    """:func:`accented_click_track`, as a fixture (test modules here are not a package)."""
    return accented_click_track


@pytest.fixture(scope="session")
def synth():
    """:func:`synthesise`, as a fixture."""
    return synthesise
