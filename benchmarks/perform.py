"""Benchmark the perform stage: physics, musicality and speed.

Usage::

    .venv/bin/python benchmarks/perform.py [--no-extra]

For the bundled demo music and (when FluidSynth is installed) the pieces of
``benchmarks/listen.py``, each listened to and composed with seed 0, prints
for kanat's performed motion:

* mean horizontal foot speed while in contact (m/s; kanat's critique measure:
  the slower of heel and ball);
* worst ground penetration (m);
* EDGE's physical foot contact score, PFC (Tseng et al., CVPR 2023; 30 fps,
  lower is better);
* Bailando's beat-align score, BAS (Li et al., CVPR 2022; 60 fps, higher is
  better);
* the time perform took, and the time for a 3-minute piece (the demo's music
  map repeated to 180 s).

The peers (EDGE, Bailando, FACT) need a large GPU and their weights, which
cannot run here; the table prints their published figures on AIST++ beside
kanat's, measured in the same run as kanat's own ground truth for reference:
AIST++ motion capture PFC 1.33, EDGE 1.54, Bailando 1.75, FACT 2.25 (EDGE's
table); BAS AIST++ 0.24, Bailando 0.23, FACT 0.22 (Bailando's table), EDGE
0.27 (EDGE's table).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from kanat.brief import Brief
from kanat.compose import compose  # noqa: E402
from kanat.critique.metrics import beat_align_score  # noqa: E402
from kanat.critique.physics_metrics import foot_slide_speeds, ground_penetration, physical_foot_contact  # noqa: E402
from kanat.listen import MusicMap, listen  # noqa: E402
from kanat.perform import perform  # noqa: E402
from kanat.pipeline import demo_music_path  # noqa: E402
from kanat.vocabulary import load_library  # noqa: E402

PUBLISHED = [
    ("AIST++ motion capture", 1.33, 0.24),
    ("EDGE (published)", 1.54, 0.27),
    ("Bailando (published)", 1.75, 0.23),
    ("FACT (published)", 2.25, 0.22),
]


def repeated(mm: MusicMap, seconds: float) -> MusicMap:
    """The music map played again and again until ``seconds`` long."""
    d = dict(mm.to_dict())
    reps = int(np.ceil(seconds / mm.duration_s))
    n = mm.n_beats
    for key in ("beats_s", "downbeats_s"):
        d[key] = [float(t) + k * mm.duration_s for k in range(reps) for t in getattr(mm, key)]
    for key in ("meter", "beat_in_bar", "counts", "count_labels", "energy", "accent"):
        d[key] = list(d[key]) * reps
    d["phrases"] = [[a + k * n, z + k * n] for k in range(reps) for a, z in mm.phrases]
    d["sections"] = [
        {**s, "start_s": s["start_s"] + k * mm.duration_s, "end_s": s["end_s"] + k * mm.duration_s}
        for k in range(reps) for s in mm.sections
    ]
    d["duration_s"] = mm.duration_s * reps
    return MusicMap.from_dict(d)


def measure(mm: MusicMap, library) -> dict:
    score = compose(mm, Brief(seed=0), library=library)
    perform(score, mm, library=library)  # warm
    t0 = time.perf_counter()
    motion = perform(score, mm, library=library)
    took = time.perf_counter() - t0
    p = motion.positions()
    slide = foot_slide_speeds(p, motion.contacts, motion.fps)
    return {
        "slide": float(np.nanmean(slide)), "pen": float(ground_penetration(p).max()),
        "pfc": physical_foot_contact(p, motion.fps),
        "bas": beat_align_score(p, motion.fps, mm.beats_s),
        "time": took, "dur": motion.duration_s,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-extra", action="store_true", help="only the demo music")
    args = ap.parse_args(argv)
    library = load_library()
    pieces = [("demo (minuet in 3, rag in 2)", demo_music_path())]
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_extra:
            try:
                from listen import extra_pieces

                pieces += [(name, path) for name, path, _truth in extra_pieces(Path(tmp))]
            except Exception as exc:  # noqa: BLE001 - the extra pieces are optional
                print(f"(extra pieces skipped: {exc})", file=sys.stderr)
        rows = []
        demo_map = None
        for name, path in pieces:
            mm = listen(path)
            demo_map = demo_map or mm
            rows.append((name, measure(mm, library)))
    long = measure(repeated(demo_map, 180.0), library)

    print("\nkanat perform, measured in this run (targets: slide < 0.02 m/s, penetration < 0.01 m, PFC <= 1.0, BAS >= 0.30)\n")
    print(f"{'piece':42s} {'slide m/s':>9s} {'pen. m':>7s} {'PFC':>6s} {'BAS':>6s} {'perform s':>9s} {'music s':>7s}")
    print("-" * 92)
    for name, r in rows + [("the demo repeated to 3 minutes and more", long)]:
        print(f"{name[:42]:42s} {r['slide']:9.4f} {r['pen']:7.4f} {r['pfc']:6.2f} {r['bas']:6.3f} {r['time']:9.3f} {r['dur']:7.1f}")
    print("\npeers on AIST++ (published figures; their models need a GPU and weights not available here)\n")
    print(f"{'':42s} {'':>9s} {'':>7s} {'PFC':>6s} {'BAS':>6s}")
    for name, pfc, bas in PUBLISHED:
        print(f"{name:42s} {'':>9s} {'':>7s} {pfc:6.2f} {bas:6.3f}")
    ok = all(r["slide"] < 0.02 and r["pen"] < 0.01 and r["pfc"] <= 1.0 and r["bas"] >= 0.30 for _n, r in rows)
    print(f"\n3 minutes performed in {long['time']:.2f} s; all targets met: {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
