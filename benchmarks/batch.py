"""kanat batch on Ray: tracks per minute at 1 and 2 workers, on a local two-node Ray cluster, memory per worker.

Tracks are ``--tracks`` slices of ``--seconds`` seconds of the demo music
(each from another offset, so each is its own track with its own hash),
written as WAV, danced with kanat's defaults (``--no-video`` unless
``--video``). For each layout:

- ``tracks/min``: the tracks per minute of a batch on a Ray that is already
  up and whose workers have danced one warm-up track each (imports and the
  vocabulary loaded): what a long batch runs at; the median of ``--rounds``
  batches;
- ``whole command``: ``kanat batch DIR -o OUT --workers N`` in a fresh
  process, Ray's start and the workers' warm-up included (1 and 2 workers);
- ``task s``: the median seconds one track's task took (it grows when the
  cores are shared);
- ``CPU s``: the median CPU seconds one track used: when it stays the same
  from 1 to 2 workers while ``task s`` grows, the tracks wait for cores
  other work holds, not for each other;
- ``peak RSS / worker``: the largest resident memory of a worker process
  while dancing (``ru_maxrss``, from the catalogue's ``worker_peak_rss_mb``).

Layouts: one local Ray with 1 CPU, one local Ray with 2 CPUs (``kanat
batch`` without ``--address``), and two Ray nodes of 1 CPU each on this
machine (``ray.cluster_utils.Cluster``, as ``ray start --head`` and ``ray
start --address`` would make them), joined with ``--address``. Every track
is danced anew in each run (a fresh output folder).

Run: ``.venv/bin/python benchmarks/batch.py [--tracks 12] [--seconds 30] [--rounds 3] [--video]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
GOAL_SCALING = 1.7


def _tracks(folder: Path, n: int, seconds: float) -> Path:
    y, sr = sf.read(ROOT / "src" / "kanat" / "data" / "demo.ogg")
    span = len(y) - int(seconds * sr)
    for k in range(n):
        i = int(span * k / max(1, n - 1))
        sf.write(str(folder / f"track{k:02d}.wav"), y[i : i + int(seconds * sr)], sr)
    return folder


def _steady(music: Path, out: Path, *, workers: int, address: str | None, video: bool, rounds: int) -> dict:
    """Batches on a Ray already up (started here or a cluster), after one warm-up track per worker.

    The median over ``rounds`` batches of all the tracks, each into a fresh folder.
    """
    import ray

    from kanat.batch import run_batch

    if address is None:
        ray.init(address="local", num_cpus=workers, include_dashboard=False, log_to_driver=False,
                 logging_level="ERROR")
    else:
        ray.init(address=address, log_to_driver=False, logging_level="ERROR")
    walls, rows = [], []
    try:
        warm = out.parent / f"{out.name}-warm"
        warm.mkdir()
        for k, p in enumerate(sorted(music.glob("*.wav"))[:workers]):
            (warm / f"w{k}.wav").write_bytes(p.read_bytes())
        run_batch(warm, out.parent / f"{out.name}-warm-out", workers=workers, address=address, video=video)
        for k in range(rounds):
            t0 = time.perf_counter()
            report = run_batch(music, out / f"round{k}", workers=workers, address=address, video=video)
            walls.append(time.perf_counter() - t0)
            bad = [r.get("error") for r in report.rows if r["status"] != "done"]
            assert not bad, bad
            rows += report.rows
    finally:
        ray.shutdown()
    wall = statistics.median(walls)
    rss = [r["worker_peak_rss_mb"] for r in rows]
    return {"wall_s": wall, "per_min": 60.0 * len(report.rows) / wall, "rss_max": max(rss),
            "rss_median": statistics.median(rss), "task_s": statistics.median(r["seconds"] for r in rows),
            "cpu_s": statistics.median(r["cpu_s"] for r in rows),
            "workers_seen": len({(r["node"], r["pid"]) for r in rows})}


def _whole(music: Path, out: Path, *, workers: int, video: bool) -> float:
    cmd = [sys.executable, "-m", "kanat", "batch", str(music), "-o", str(out), "--workers", str(workers)]
    t0 = time.perf_counter()
    subprocess.run(cmd + ([] if video else ["--no-video"]), check=True, capture_output=True)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracks", type=int, default=12)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--rounds", type=int, default=3, help="timed batches per layout (the median is shown)")
    ap.add_argument("--video", action="store_true", help="make each track's video too (720p, 30 fps)")
    args = ap.parse_args(argv)
    from ray.cluster_utils import Cluster

    load0 = os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="kanat-bench-batch-") as tmp:
        tmp = Path(tmp)
        (tmp / "music").mkdir()
        music = _tracks(tmp / "music", args.tracks, args.seconds)
        res = {}
        for w in (1, 2):
            res[f"local Ray, {w} worker{'s' * (w > 1)}"] = _steady(music, tmp / f"local{w}", workers=w, address=None,
                                                                  video=args.video, rounds=args.rounds)
        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
        try:
            cluster.add_node(num_cpus=1)
            cluster.wait_for_nodes()
            res["2 Ray nodes x 1 CPU (--address)"] = _steady(music, tmp / "cluster", workers=2,
                                                             address=cluster.address, video=args.video,
                                                             rounds=args.rounds)
        finally:
            cluster.shutdown()
        whole = {w: _whole(music, tmp / f"whole{w}", workers=w, video=args.video) for w in (1, 2)}

    one = res["local Ray, 1 worker"]["per_min"]
    what = "with video" if args.video else "--no-video"
    print(f"kanat batch: {args.tracks} tracks of {args.seconds:g} s of the demo music, {what}, on this machine")
    print(f"load average (1 min) of this {os.cpu_count()}-core machine: {load0:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after (other work shares the cores)")
    print(f"{'layout':36} {'tracks/min':>10} {'vs 1 worker':>11} {'wall s':>7} {'task s':>7} {'CPU s':>6} "
          f"{'workers':>7} {'peak RSS/worker MB':>19}")
    for name, r in res.items():
        print(f"{name:36} {r['per_min']:10.1f} {r['per_min'] / one:10.2f}x {r['wall_s']:7.1f} {r['task_s']:7.2f} "
              f"{r['cpu_s']:6.2f} {r['workers_seen']:7d} {r['rss_max']:8.0f} (median {r['rss_median']:.0f})")
    for w, s in whole.items():
        print(f"whole command, {w} worker{'s' * (w > 1)} (Ray start incl.) {60 * args.tracks / s:7.1f} tracks/min "
              f"({s:.1f} s)")
    scale = res["local Ray, 2 workers"]["per_min"] / one
    print(f"scaling 1 -> 2 workers: {scale:.2f}x (goal >= {GOAL_SCALING}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
