"""Memory of a long piece: the peak resident memory of kanat's commands on an hour of music, as the user runs them.

The piece is the demo music repeated to ``--minutes`` minutes (60 by default),
written as a 44.1 kHz stereo 16-bit WAV (what a CD rip gives: 635 MB an hour).
Each command runs in a fresh process; its peak resident memory is read from
the kernel (``ru_maxrss`` of a process that waits for that command alone):

- ``kanat listen PIECE -o music.json``;
- ``kanat choreograph music.json -o OUT --no-video`` (compose, perform,
  BVH, glTF, counts sheet, critique with Bailando's beats heard from the
  file): the rest of the wait, on what was heard;
- with ``--whole``, also ``kanat choreograph PIECE -o OUT --no-video``.

The goal (issue "Every mistake refused clearly"): under 1 GB (10^9 bytes; ``ru_maxrss`` counts MiB). Run:
``.venv/bin/python benchmarks/memory.py [--minutes 60] [--whole]`` (about 10 minutes for an hour on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
GOAL_MB = 1e9 / 2**20  # 1 GB (10^9 bytes) in MiB, the unit ru_maxrss gives
_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, "
         "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def _piece(path: Path, minutes: float) -> Path:
    y, sr = sf.read(ROOT / "src" / "kanat" / "data" / "demo.ogg", dtype="float32", always_2d=True)
    y = np.repeat(y, 2, axis=1) if y.shape[1] == 1 else y
    n = int(minutes * 60 * 44100)
    if sr != 44100:
        import soxr

        y = soxr.resample(y, sr, 44100)
    y = y.copy()
    y[0] = np.random.default_rng().uniform(-1e-3, 1e-3, 2)  # a new file each run: nothing of it is in a cache
    with sf.SoundFile(str(path), "w", 44100, 2, subtype="PCM_16") as f:  # in blocks (libsndfile)
        done = 0
        while done < n:
            k = min(len(y), n - done)
            f.write(y[:k])
            done += k
    return path


def _peak_mb(args: list[str], env: dict) -> tuple[float, float]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _PEAK, sys.executable, "-m", "kanat", *args], check=True,
                         capture_output=True, text=True, env=env).stdout
    return int(out.strip().splitlines()[-1]) / 1024.0, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--whole", action="store_true", help="also choreograph the audio file in one command")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kanat-bench-memory-") as tmp:
        tmp = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        piece = _piece(tmp / "hour.wav", args.minutes)
        music = tmp / "music.json"
        rows.append(("kanat listen PIECE", *_peak_mb(["listen", str(piece), "-o", str(music)], env)))
        rows.append(("kanat choreograph music.json --no-video",
                     *_peak_mb(["choreograph", str(music), "-o", str(tmp / "a"), "--no-video"], env)))
        if args.whole:
            rows.append(("kanat choreograph PIECE --no-video",
                         *_peak_mb(["choreograph", str(piece), "-o", str(tmp / "b"), "--no-video"], env)))
        size_mb = piece.stat().st_size / 2**20
    print(f"{args.minutes:g} minutes of music ({size_mb:.0f} MB of 44.1 kHz stereo WAV), os.cpu_count() = "
          f"{os.cpu_count()}")
    print(f"{'command':44s} {'peak MiB':>8s} {'GB':>6s} {'seconds':>8s}")
    for name, mb, s in rows:
        print(f"{name:44s} {mb:8.0f} {mb * 2**20 / 1e9:6.2f} {s:8.1f}")
    worst = max(mb for _, mb, _ in rows)
    ok = worst < GOAL_MB
    print(f"{'PASS' if ok else 'FAIL'}: largest peak {worst * 2**20 / 1e9:.2f} GB (goal < 1 GB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
