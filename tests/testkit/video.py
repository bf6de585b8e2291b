"""Motions, click tracks and music maps made for the video tests, and ffmpeg's report of a written video.

Plain helpers (tests import them).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

from kanat.body import J, Motion, Skeleton, rotations as R
from kanat.listen.musicmap import MusicMap
from kanat.render import video as V

SR = 22050
BPM = 120.0


def moving_motion(seconds: float = 3.0, fps: float = 60.0) -> Motion:
    """Arms rising from bras bas to fifth, the pelvis turning, the root travelling."""
    n = int(round(seconds * fps))
    t = np.arange(n) / fps
    sk = Skeleton()
    rot = R.identity((n, 24))
    lift = np.radians(-70 + 150 * t / seconds)
    zero = np.zeros(n)
    rot[:, J["left_shoulder"]] = R.from_euler(np.stack([zero, zero, lift], -1))
    rot[:, J["right_shoulder"]] = R.from_euler(np.stack([zero, zero, -lift], -1))
    rot[:, J["right_hip"]] = R.from_euler(np.stack([np.radians(-60) * np.sin(np.pi * t / seconds), zero, zero], -1))
    rot[:, 0] = R.yaw(np.pi * t / seconds)
    root = np.tile(sk.offsets[0], (n, 1))
    root[:, 0] = 0.8 * t / seconds
    root[:, 2] = -0.5 * t / seconds
    return Motion(fps=fps, root_pos=root, rotations=rot, contacts=np.ones((n, 2), bool), skeleton=sk)


def still_motion(seconds: float = 2.0, fps: float = 60.0) -> Motion:
    n = int(round(seconds * fps))
    sk = Skeleton()
    return Motion(fps=fps, root_pos=np.tile(sk.offsets[0], (n, 1)), rotations=R.identity((n, 24)),
                  contacts=np.ones((n, 2), bool), skeleton=sk)


def click_track(path: Path, seconds: float) -> Path:
    import soundfile as sf

    t = np.arange(int(seconds * SR)) / SR
    y = 0.1 * np.sin(2 * np.pi * 330 * t)
    for b in np.arange(0, seconds, 60 / BPM):
        i = int(b * SR)
        m = min(len(y) - i, 400)
        y[i:i + m] += 0.5 * np.exp(-np.arange(m) / 80)
    sf.write(str(path), y.astype(np.float32), SR)
    return path


def music_map(seconds: float) -> MusicMap:
    beats = np.arange(0, seconds - 1e-6, 60 / BPM)
    b = len(beats)
    counts = np.arange(b) % 8 + 1
    return MusicMap(duration_s=seconds, tempo_bpm=BPM, beats_s=beats, downbeats_s=beats[::4], beats_per_bar=4,
                    meter=np.full(b, 4), beat_in_bar=np.arange(b) % 4 + 1, counts=counts,
                    count_labels=[str(c) for c in counts], phrases=[(a, min(a + 7, b - 1)) for a in range(0, b, 8)],
                    sections=[{"start_s": 0.0, "end_s": seconds, "label": "A"}], energy=np.full(b, 0.5),
                    accent=np.zeros(b))


def probe(path: Path) -> dict:
    """Streams, size, duration and the number of video frames, from ffmpeg's own report."""
    exe = V.ffmpeg_exe()
    info = subprocess.run([exe, "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    counted = subprocess.run([exe, "-hide_banner", "-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
                             capture_output=True, text=True).stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", info).groups()
    return {
        "video": re.findall(r"Stream #\S+.*Video: (\w+).*?, (\d+)x(\d+)", info),
        "audio": re.findall(r"Stream #\S+.*Audio: (\w+)", info),
        "duration_s": int(h) * 3600 + int(m) * 60 + float(s),
        "frames": int(re.findall(r"frame=\s*(\d+)", counted)[-1]),
    }
