"""Benchmark: the video as the user waits for it, ``kanat render OUT/score.yaml -o NEW``, end to end.

Usage::

    PYTHONPATH=src python benchmarks/render.py [OUT/score.yaml] [--size 720p] [--view audience] [--repeat 1]
                                               [--workers 1,2]

Without a score it first makes the demo (``kanat demo --no-video``, not timed). Then it runs the user's command
in a fresh process, ``python -m kanat render SCORE -o NEW --video-size SIZE --view VIEW`` (perform, exports,
critique and the video with its music: everything the user waits for), and prints its wall time, the times
real time (music length / wall time), and the CPU seconds of the command and its children (drawing, ffmpeg),
which do not depend on what else the machine runs. With ``--workers`` it also renders the video alone in
this process with that many drawing processes (to choose the default, kanat.render.video.default_workers).

The machine's load average is printed before and after: on a shared machine the wall time is only what it was
then; the CPU seconds divided by the cores bound what an idle machine would take.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{SRC}{os.pathsep}{env['PYTHONPATH']}" if env.get("PYTHONPATH") else str(SRC)
    return env


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed_command(args: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (it and its children) of ``python -m kanat ARGS`` in a new process."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kanat", *args], env=_env(), capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode != 0:
        sys.exit(f"kanat {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")
    return wall, cpu


def render_alone(score: Path, new: Path, workers: int, width: int, height: int, view: str) -> tuple[float, float]:
    """Wall and CPU seconds of the video alone (render_video on the saved motion), ``workers`` drawing processes."""
    sys.path.insert(0, str(SRC))
    from kanat.body import Motion
    from kanat.compose import Score
    from kanat.listen import MusicMap
    from kanat.pipeline import captions_for
    from kanat.render import render_video

    sc, mm = Score.load(score), MusicMap.load(score.parent / "music.json")
    motion = Motion.load(new / "motion.npz")
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0, t0 = _children_cpu(), time.perf_counter()
    audio = Path(sc.music) if Path(sc.music).is_file() else None
    render_video(motion, new / f"alone_{workers}.mp4", audio_path=audio, music_map=mm, captions=captions_for(sc, mm),
                 width=width, height=height, fps=30, camera=view, stage=sc.brief.stage, workers=workers)
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    own = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    return time.perf_counter() - t0, own + _children_cpu() - cpu0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("score", nargs="?", help="a score.yaml kanat wrote (music.json beside it); default: the demo")
    ap.add_argument("--size", default="720p", choices=["720p", "1080p"])
    ap.add_argument("--view", default="audience")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--workers", default="", help="also time the video alone with these worker counts, e.g. 1,2")
    args = ap.parse_args(argv)
    width, height = {"720p": (1280, 720), "1080p": (1920, 1080)}[args.size]
    with tempfile.TemporaryDirectory() as tmp:
        if args.score:
            score = Path(args.score)
        else:
            timed_command(["demo", "--no-video", "-o", f"{tmp}/demo"])
            score = Path(tmp) / "demo" / "score.yaml"
        sys.path.insert(0, str(SRC))
        from kanat.listen import MusicMap

        seconds = MusicMap.load(score.parent / "music.json").duration_s
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        print(f"\n{seconds:.1f} s of music, {args.size} at 30 fps, view {args.view}, {cores} CPU(s); "
              f"load average before: {os.getloadavg()[0]:.1f}\n")
        print(f"{'what':44s} {'wall s':>7s} {'x real time':>12s} {'CPU s':>7s}")
        print("-" * 74)
        new = Path(tmp) / "new"
        for _ in range(args.repeat):
            wall, cpu = timed_command(["render", str(score), "-o", str(new), "--video-size", args.size,
                                       "--view", args.view])
            print(f"{'kanat render score.yaml -o NEW (the user)':44s} {wall:7.1f} {seconds / wall:12.2f} {cpu:7.1f}")
        for w in [int(x) for x in args.workers.split(",") if x.strip()]:
            wall, cpu = render_alone(score, new, w, width, height, args.view)
            print(f"{f'video alone, {w} drawing process(es)':44s} {wall:7.1f} {seconds / wall:12.2f} {cpu:7.1f}")
        print(f"\nload average after: {os.getloadavg()[0]:.1f} (the others' work on a shared machine slows wall time; "
              f"CPU s / {cores} is the wall time bound on idle cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
