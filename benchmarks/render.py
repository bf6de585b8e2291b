"""Benchmark: kanat's video renderer against a naive matplotlib 3-D render.

Usage::

    PYTHONPATH=src python benchmarks/render.py [motion.npz | joints.npz] [--seconds 20] [--workers N] [--out dance.mp4]

Without an argument a synthetic 20 s dance is rendered. Prints a table:
frames per second and times real time of kanat's full pipeline (drawing in a
process pool, H.264 encoding, muxing the music) beside matplotlib drawing the
same frames as lines and points with mplot3d into an Agg canvas (timed on 60
frames and extrapolated; no encoding, so the comparison flatters matplotlib).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kanat.body import J, Motion, Skeleton, rotations as R
from kanat.render import Caption, render_video
from kanat.render.video import _sample_positions


def synthetic_motion(seconds: float = 20.0, fps: float = 60.0) -> Motion:
    """A made-up dance: travelling, turning, port de bras, pliés, développés and small jumps."""
    n = int(round(seconds * fps))
    t = np.arange(n) / fps
    sk = Skeleton()
    rot = R.identity((n, 24))
    beat = 0.5  # 120 BPM
    ph = 2 * np.pi * t / (8 * beat)  # one cycle per eight counts
    # Arms: from bras bas (-70 deg) through second to fifth (+75 deg), a little forward.
    lift = np.radians(-70 + 72.5 * (1 - np.cos(ph)))
    fwd = np.radians(-25 * np.sin(ph / 2) ** 2)
    rot[:, J["left_shoulder"]] = R.from_euler(np.stack([0 * t, fwd, lift], -1))
    rot[:, J["right_shoulder"]] = R.from_euler(np.stack([0 * t, -fwd, -lift], -1))
    rot[:, J["left_elbow"]] = R.from_euler(np.stack([0 * t, np.radians(-20) + 0 * t, 0 * t], -1))
    rot[:, J["right_elbow"]] = R.from_euler(np.stack([0 * t, np.radians(20) + 0 * t, 0 * t], -1))
    # Legs: a développé devant with the right leg, then the left, every other eight.
    dev = np.clip(np.sin(ph), 0, 1) ** 2
    side = (np.floor(t / (8 * beat)) % 2 == 0)
    rot[:, J["right_hip"]] = R.from_euler(np.stack([np.radians(-75) * dev * side, 0 * t, 0 * t], -1))
    rot[:, J["left_hip"]] = R.from_euler(np.stack([np.radians(-75) * dev * ~side, 0 * t, 0 * t], -1))
    # Plié on the standing leg, knee bends on the gesture leg during the unfold.
    plie = 0.5 * (1 - np.cos(2 * np.pi * t / beat)) * (np.sin(ph) < 0)
    knee = np.radians(35) * plie
    rot[:, J["left_knee"]] = R.from_euler(np.stack([knee, 0 * t, 0 * t], -1))
    rot[:, J["right_knee"]] = R.from_euler(np.stack([knee, 0 * t, 0 * t], -1))
    rot[:, J["left_hip"]] = R.multiply(rot[:, J["left_hip"]], R.from_euler(np.stack([-knee / 2, 0 * t, 0 * t], -1)))
    rot[:, J["right_hip"]] = R.multiply(rot[:, J["right_hip"]], R.from_euler(np.stack([-knee / 2, 0 * t, 0 * t], -1)))
    # Pelvis: a slow turn plus a full turn every 4 s; root travels a figure of eight.
    turn = 0.4 * np.sin(2 * np.pi * t / 6) + 2 * np.pi * np.clip((t % 4.0) - 3.0, 0, 1) ** 2 * (3 - 2 * np.clip((t % 4.0) - 3.0, 0, 1))
    rot[:, 0] = R.yaw(turn)
    root = np.zeros((n, 3))
    root[:, 0] = 1.6 * np.sin(2 * np.pi * t / 10)
    root[:, 2] = 0.9 * np.sin(4 * np.pi * t / 10)
    hop = np.clip(np.sin(2 * np.pi * t / beat), 0, None) * ((t % 8.0) > 6.0)
    root[:, 1] = sk.offsets[0, 1] - 0.10 * plie * 0.7 + 0.12 * hop
    contacts = np.ones((n, 2), dtype=bool)
    return Motion(fps=fps, root_pos=root, rotations=rot, contacts=contacts, skeleton=sk)


def synthetic_music(path: Path, seconds: float, bpm: float = 120.0, sr: int = 44100) -> None:
    """A click track with a soft drone, written as WAV."""
    import soundfile as sf

    t = np.arange(int(seconds * sr)) / sr
    y = 0.08 * np.sin(2 * np.pi * 220 * t)
    beat_s = 60.0 / bpm
    for k, b in enumerate(np.arange(0, seconds, beat_s)):
        i = int(b * sr)
        m = min(len(t) - i, int(0.05 * sr))
        y[i:i + m] += (0.6 if k % 4 == 0 else 0.35) * np.sin(2 * np.pi * (1760 if k % 4 == 0 else 880) * t[:m]) * np.exp(-t[:m] / 0.01)
    sf.write(str(path), y.astype(np.float32), sr)


def synthetic_music_map(seconds: float, bpm: float = 120.0):
    from kanat.listen.musicmap import MusicMap

    beats = np.arange(0, seconds - 1e-6, 60.0 / bpm)
    b = len(beats)
    counts = (np.arange(b) % 8) + 1
    phrases = [(a, min(a + 7, b - 1)) for a in range(0, b, 8)]
    half = seconds / 2
    return MusicMap(duration_s=seconds, tempo_bpm=bpm, beats_s=beats, downbeats_s=beats[::4], beats_per_bar=4,
                    meter=np.full(b, 4), beat_in_bar=(np.arange(b) % 4) + 1, counts=counts,
                    count_labels=[str(c) for c in counts], phrases=phrases,
                    sections=[{"start_s": 0.0, "end_s": half, "label": "A"}, {"start_s": half, "end_s": seconds, "label": "B"}],
                    energy=np.full(b, 0.5), accent=np.zeros(b))


def synthetic_captions(seconds: float, bpm: float = 120.0) -> list[Caption]:
    names = ["port de bras", "développé devant R", "pas de bourrée", "pirouette en dehors R",
             "développé devant L", "glissade L", "changement", "sauté"]
    beat = 60.0 / bpm
    out, t, i = [], 0.0, 0
    while t < seconds:
        span = 2 * beat if i % 2 else 4 * beat
        out.append(Caption(t, min(seconds, t + span), names[i % len(names)]))
        t += span
        i += 1
    return out


class JointTrack:
    """World joint positions from a ``joints.npz`` (T, 24, 3), shaped like a Motion for the renderer."""

    def __init__(self, path: str):
        data = np.load(path, allow_pickle=False)
        arrays = [data[k] for k in data.files if data[k].ndim == 3 and data[k].shape[1:] == (24, 3)]
        if not arrays:
            raise SystemExit(f"{path}: no (T, 24, 3) joint positions inside (keys: {', '.join(data.files)})")
        self._pos = arrays[0].astype(float)
        self.fps = float(data["fps"])
        self.n_frames = len(self._pos)
        self.duration_s = self.n_frames / self.fps

    def positions(self) -> np.ndarray:
        return self._pos


def load_motion(path: str):
    """A kanat Motion (motion.npz) or a joints.npz; the renderer needs only positions()."""
    with np.load(path, allow_pickle=False) as data:
        is_motion = "rotations" in data.files
    return Motion.load(path) if is_motion else JointTrack(path)


def matplotlib_fps(positions: np.ndarray, width: int, height: int, n: int = 60) -> float:
    """Frames per second of a naive mplot3d render of the skeleton into an Agg buffer."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from kanat.body import PARENTS

    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot(projection="3d")
    n = min(n, len(positions))
    t0 = time.perf_counter()
    for k in range(n):
        ax.cla()
        p = positions[k]
        ax.set_xlim(-5, 5)
        ax.set_ylim(-4, 4)
        ax.set_zlim(0, 2.5)
        for j, par in enumerate(PARENTS):
            if par >= 0:
                ax.plot([p[par, 0], p[j, 0]], [p[par, 2], p[j, 2]], [p[par, 1], p[j, 1]], lw=4)
        ax.scatter(p[:, 0], p[:, 2], p[:, 1], s=12)
        canvas.draw()
        np.asarray(canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return n / (time.perf_counter() - t0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("motion", nargs="?", help="motion.npz (kanat Motion) or joints.npz (T, 24, 3 positions)")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", default=None, help="where to write the mp4 (default: a temp dir)")
    args = ap.parse_args(argv)
    fps, width, height = 30, 1280, 720
    if args.motion:
        motion = load_motion(args.motion)
        seconds = motion.duration_s
    else:
        seconds = args.seconds
        motion = synthetic_motion(seconds)
    workers = args.workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "music.wav"
        synthetic_music(wav, seconds)
        out = Path(args.out) if args.out else Path(tmp) / "dance.mp4"
        t0 = time.perf_counter()
        render_video(motion, out, audio_path=wav, music_map=synthetic_music_map(seconds),
                     captions=synthetic_captions(seconds), width=width, height=height, fps=fps, workers=workers)
        wall = time.perf_counter() - t0
        frames = int(round(seconds * fps))
        kanat_fps = frames / wall
        one_fps = None
        if workers > 1:
            t0 = time.perf_counter()
            render_video(motion, Path(tmp) / "one.mp4", audio_path=wav, music_map=synthetic_music_map(seconds),
                         captions=synthetic_captions(seconds), width=width, height=height, fps=fps, workers=1)
            one_fps = frames / (time.perf_counter() - t0)
        positions = _sample_positions(motion, np.arange(frames) / fps)
        mpl_fps = matplotlib_fps(positions, width, height)
    rows = [
        (f"kanat, {workers} workers (H.264 + AAC)", kanat_fps, kanat_fps / fps, f"{wall:.1f} s for {frames} frames"),
    ]
    if one_fps is not None:
        rows.append(("kanat, 1 worker (H.264 + AAC)", one_fps, one_fps / fps, "drawing in the main process"))
    rows += [
        ("matplotlib mplot3d (draw only)", mpl_fps, mpl_fps / fps, "60 frames, extrapolated"),
    ]
    print(f"\n{seconds:.1f} s of dance at {width}x{height}, {fps} fps, {workers} worker(s), {os.cpu_count()} CPU(s)\n")
    print(f"{'renderer':34s} {'frames/s':>9s} {'x real time':>12s}  note")
    print("-" * 80)
    for name, f, x, note in rows:
        print(f"{name:34s} {f:9.1f} {x:12.2f}  {note}")
    print(f"\nkanat is {kanat_fps / mpl_fps:.1f}x faster than matplotlib (which also has no encoding or audio).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
