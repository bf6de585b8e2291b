"""Builders for the critique tests: motions, music maps and scores made by hand,
so every figure has a known answer (imported by tests; the fixtures are in tests/critique/conftest.py)."""

from __future__ import annotations

import numpy as np

from kanat.body import J, Motion, rotations
from kanat.compose.score import Phrase, PlacedStep, Score
from kanat.listen.musicmap import MusicMap

FPS = 60.0
PELVIS_Y = 0.955  # Skeleton().offsets[0, 1]: the pelvis height of the rest pose


def make_motion(root_pos, *, fps: float = FPS, contacts=None, rot=None, rots=None) -> Motion:
    """A rigid rest-pose body (T-pose) carried along ``root_pos`` (T, 3); ``rot``
    sets the pelvis orientation, ``rots`` (T, 24, 4) every local rotation."""
    root_pos = np.asarray(root_pos, dtype=float)
    T = root_pos.shape[0]
    rots = rotations.identity((T, 24)) if rots is None else np.array(rots, dtype=float)
    if rot is not None:
        rots[:, 0] = rot
    if contacts is None:
        contacts = np.ones((T, 2), dtype=bool)
    return Motion(fps=fps, root_pos=root_pos, rotations=rots, contacts=contacts)


def standing_root(n_frames: int) -> np.ndarray:
    root = np.zeros((n_frames, 3))
    root[:, 1] = PELVIS_Y
    return root


def make_music_map(n_beats: int = 32, *, ibi_s: float = 0.5, first_s: float = 0.5, energy=None,
                   section_letters: str | None = None) -> MusicMap:
    """4/4 music, one count per beat, 8-count phrases, optional section letter per phrase."""
    beats = first_s + ibi_s * np.arange(n_beats)
    idx = np.arange(n_beats)
    phrases = [(a, min(a + 7, n_beats - 1)) for a in range(0, n_beats, 8)]
    letters = section_letters or "A" * len(phrases)
    duration = float(beats[-1] + ibi_s)
    sections = []
    for k, (a, z) in enumerate(phrases):
        end = float(beats[z + 1]) if z + 1 < n_beats else duration
        sections.append({"start_s": float(beats[a]), "end_s": end, "label": letters[k]})
    return MusicMap(
        duration_s=duration, tempo_bpm=60.0 / ibi_s, beats_s=beats, downbeats_s=beats[::4], beats_per_bar=4,
        meter=np.full(n_beats, 4), beat_in_bar=idx % 4 + 1, counts=idx % 8 + 1,
        count_labels=[str(c) for c in idx % 8 + 1], phrases=phrases, sections=sections,
        energy=np.full(n_beats, 0.5) if energy is None else energy, accent=np.where(idx % 4 == 0, 0.8, 0.2),
    )


def make_score(phrase_steps: list[list[tuple]], *, sections: str | None = None) -> Score:
    """phrase_steps[k] = [(at, step, beats, side), ...] for phrase k (8 beats each)."""
    phrases = []
    for k, steps in enumerate(phrase_steps):
        ph = Phrase(index=k + 1, first_beat=8 * k, n_beats=8, section=(sections[k] if sections else ""))
        for at, name, beats, side, *rest in steps:
            ph.steps.append(PlacedStep(step=name, at=at, beats=beats, side=side, facing=rest[0] if rest else 1))
        phrases.append(ph)
    return Score(music="test.ogg", settings={}, phrases=phrases)


def pulsing_root(
    n_frames: int, beats_s, *, fps: float = FPS, shift_s: float = 0.0, amplitude_m: float = 0.3
) -> np.ndarray:
    """A root travelling along x whose speed drops to zero on every beat (+ shift_s).

    Between consecutive marks b0, b1 the speed is A (1 - cos(2 pi (t - b0) / (b1 - b0))),
    integrated exactly, so the speed minima sit exactly on the marks.
    """
    beats = np.asarray(beats_s, dtype=float) + shift_s
    ibi = float(np.median(np.diff(beats)))
    marks = np.concatenate([[beats[0] - ibi], beats, [beats[-1] + ibi], [1e6]])
    offsets = np.concatenate([[0.0], np.cumsum(amplitude_m * np.diff(marks))])
    t = np.arange(n_frames) / fps
    k = np.clip(np.searchsorted(marks, t, side="right") - 1, 0, len(marks) - 2)
    b0, period = marks[k], marks[k + 1] - marks[k]
    u = t - b0
    x = offsets[k] + amplitude_m * (u - period / (2 * np.pi) * np.sin(2 * np.pi * u / period))
    root = standing_root(n_frames)
    root[:, 0] = x - x.mean()
    return root


def arm_circles(n_frames: int, beats_s, *, fps: float = FPS, shift_s: float = 0.0) -> np.ndarray:
    """Local rotations (T, 24, 4): both arms circle forward, pausing on every beat
    (+ shift_s); the legs and the pelvis stay still, so the feet stay planted."""
    angle = pulsing_root(n_frames, beats_s, fps=fps, shift_s=shift_s, amplitude_m=1.5)[:, 0]
    rots = rotations.identity((n_frames, 24))
    q = rotations.yaw(angle)  # the arms sweep round in the horizontal plane
    rots[:, J["left_shoulder"]] = q
    rots[:, J["right_shoulder"]] = q
    return rots


# ------------------------------------------------ motions a ballet master would fault (and their good twins)
def turning_rotations(n_frames: int, yaw_rad) -> np.ndarray:
    """Local rotations (T, 24, 4): the rest pose with the pelvis turned ``yaw_rad`` (T,) about the vertical."""
    rots = rotations.identity((n_frames, 24))
    rots[:, 0] = rotations.yaw(np.asarray(yaw_rad, dtype=float))
    return rots


def ramp(n_frames: int, t0_s: float, t1_s: float, total, *, fps: float = FPS) -> np.ndarray:
    """0 before ``t0_s``, ``total`` after ``t1_s``, a smooth (cosine) ramp between, shape (T,)."""
    u = np.clip((np.arange(n_frames) / fps - t0_s) / (t1_s - t0_s), 0.0, 1.0)
    return total * (1.0 - np.cos(np.pi * u)) / 2.0


def jumping_root(n_frames: int, start_s: float, air_s: float, *, fps: float = FPS,
                 rise_m: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A rest-pose body jumping once: (root (T, 3), contacts (T, 2)).

    In the air for ``air_s`` from ``start_s``; the pelvis follows the ballistic
    arc (g t (air - t) / 2) or, with ``rise_m``, hovers that high (a float).
    """
    t = np.arange(n_frames) / fps
    u = t - start_s
    air = (u > 0) & (u < air_s)
    root = standing_root(n_frames)
    root[air, 1] += (9.81 / 2 * u[air] * (air_s - u[air])) if rise_m is None else rise_m
    return root, np.repeat(~air[:, None], 2, axis=1)


def steady_arm_circles(n_frames: int, *, fps: float = FPS, rad_per_s: float = 3.0) -> np.ndarray:
    """Local rotations (T, 24, 4): both arms circling at one steady speed, never pausing."""
    rots = rotations.identity((n_frames, 24))
    q = rotations.yaw(rad_per_s * np.arange(n_frames) / fps)
    rots[:, J["left_shoulder"]] = q
    rots[:, J["right_shoulder"]] = q
    return rots


def raised_leg_rotations(n_frames: int, *, facing_yaw_rad: float = 0.0, lift_rad: float = np.pi / 2) -> np.ndarray:
    """Local rotations (T, 24, 4): the right leg raised ``lift_rad`` to the back (an arabesque line),
    the pelvis turned ``facing_yaw_rad`` (0: en face to the audience; pi/4: to a corner)."""
    rots = rotations.identity((n_frames, 24))
    rots[:, 0] = rotations.yaw(np.full(n_frames, facing_yaw_rad))
    rots[:, J["right_hip"]] = rotations.from_axis_angle(np.array([1.0, 0.0, 0.0]), np.full(n_frames, lift_rad))
    return rots


def click_audio(beats_s, duration_s: float, *, sr: int = 22050) -> np.ndarray:
    """Mono float32 audio (N,): a short decaying 1.5 kHz click with a little noise on every beat."""
    rng = np.random.default_rng(0)
    y = np.zeros(int(duration_s * sr))
    n = int(0.06 * sr)
    t = np.arange(n) / sr
    click = np.sin(2 * np.pi * 1500 * t) * np.exp(-t / 0.012) + 0.2 * rng.standard_normal(n) * np.exp(-t / 0.004)
    for k, b in enumerate(beats_s):
        i = int(round(b * sr))
        seg = y[i : i + n]
        seg += (0.8 if k % 4 == 0 else 0.4) * click[: len(seg)]
    return y.astype(np.float32)
