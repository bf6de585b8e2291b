"""Benchmark the perform stage as a ballet master watches it: turns, jumps, pops, pulse, space, variety.

Usage::

    .venv/bin/python benchmarks/perform.py [--quick]

On TEST PIECES that no tuning used (below: :data:`TEST_PIECES`, synthesised
here, in this file only, at tempi and meters of their own, with seeds nothing
else in kanat uses), each listened to, composed with seed 0, performed and
critiqued (``kanat.critique``, the same measures the report writes), it prints:

* turns completed (% of turning steps whose pelvis yaw reaches the step's turn);
* air time and pelvis rise per kind of jump (median; petit allegro >= 0.28 s,
  batterie >= 0.35 s, grand allegro >= 0.45 s and 20 cm), and how many jumps
  keep a toe within 3 cm of the floor in the air (or never leave it);
* pops a minute (a hand or foot > 6 cm in one 60-fps frame and > 3x its
  slower neighbouring frame);
* pulse: the limbs' speed on the beat over their speed through the beat
  (1 flows, near 0 stops on every count: tick-tock; adagio wants >= 0.6);
* the floor covered (hull of the pelvis path, m^2, with the piece's target)
  and the reach up- and downstage of centre (m; 2 m on a 10 x 8 m stage);
* the correlation of movement and musical energy per beat;
* the beat-align score on kanat's counted beats and by Bailando's protocol
  (librosa's beats of the audio); recorded dancers score 0.17-0.24, far above
  is a warning;
* the sequence overlap between pieces: 1 - Levenshtein / length of their
  first 20 steps, pairwise (issue 15 asks for <= 30 %);
* foot slide, ground penetration, EDGE's PFC, and the time perform takes
  (also on the demo repeated to 3 minutes).

The demo (its minuet and rag were used while tuning kanat) is printed last, for
reference only. Peers (EDGE, Bailando, FACT) need a GPU and weights that are
not here; their published AIST++ figures are printed beside kanat's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kanat.brief import Brief  # noqa: E402
from kanat.compose import compose  # noqa: E402
from kanat.critique import critique  # noqa: E402
from kanat.critique.metrics import sequence_similarity  # noqa: E402
from kanat.listen import MusicMap, listen  # noqa: E402
from kanat.perform import perform  # noqa: E402
from kanat.pipeline import demo_music_path  # noqa: E402
from kanat.vocabulary import load_library  # noqa: E402

SR = 22050
PUBLISHED = [  # (name, PFC, BAS): EDGE's table for PFC, Bailando's (EDGE's for EDGE) for BAS
    ("AIST++ motion capture", 1.33, 0.24), ("EDGE (published)", 1.54, 0.27),
    ("Bailando (published)", 1.75, 0.23), ("FACT (published)", 2.25, 0.22),
]


@dataclass(frozen=True)
class TestPiece:
    """A piece synthesised for this benchmark only: never listened to, composed or performed while tuning."""

    name: str
    tempo_bpm: float  # counted beats a minute
    meter: int  # counted beats a bar (a 6/8 is counted in 2, each beat split in three)
    subdivision: int  # notes a beat in the melody
    bars: int
    dynamics: tuple[float, ...]  # loudness of each 8-bar section, 0-1, repeated
    seed: int
    attack_s: float = 0.004  # 0.004: piano-like; 0.08: bowed, swelling in


#: The test pieces: no tuning used them (seeds 9101-9105 appear nowhere else in kanat).
TEST_PIECES = (
    TestPiece("test waltz 3/4, 152 BPM, soft-loud", 152.0, 3, 2, 48, (0.35, 1.0, 0.5, 0.9), 9101),
    TestPiece("test march 2/4, 112 BPM", 112.0, 2, 2, 64, (0.8, 0.5, 1.0, 0.6), 9102),
    TestPiece("test adagio 4/4, 64 BPM, strings", 64.0, 4, 1, 24, (0.3, 0.6, 0.4), 9103, attack_s=0.08),
    TestPiece("test allegro 4/4, 138 BPM", 138.0, 4, 2, 40, (0.9, 0.4, 1.0, 0.7, 0.5), 9104),
    TestPiece("test jig 6/8 in two, 116 BPM", 116.0, 2, 3, 56, (0.6, 1.0, 0.4, 0.9), 9105),
)


def synthesise(piece: TestPiece) -> np.ndarray:
    """The piece as mono float32 audio at :data:`SR`: a melody of the piece's subdivision over a bass on
    every downbeat and a chord on the other beats; the downbeat louder; loudness by 8-bar section.

    Three decaying harmonics per note and a hammer's noise (as the listen tests' synthesiser).
    """
    rng = np.random.default_rng(piece.seed)
    beat_s = 60.0 / piece.tempo_bpm
    n_beats = piece.bars * piece.meter
    length_s = 0.5 + n_beats * beat_s + 1.5
    y = np.zeros(int(length_s * SR))
    scale = np.array([0, 2, 4, 5, 7, 9, 11, 12, 14, 16])
    root_key = 57 + int(rng.integers(0, 7))
    degree = 4

    def note(on_s: float, dur_s: float, pitch: int, vel: float) -> None:
        f0 = 440.0 * 2 ** ((pitch - 69) / 12)
        n = int((dur_s + 0.3) * SR)
        t = np.arange(n) / SR
        tone = sum(a * np.sin(2 * np.pi * f0 * h * t) for h, a in ((1, 1.0), (2, 0.5), (3, 0.25)))
        env = np.minimum(t / piece.attack_s, 1.0) * np.exp(-t / (0.5 if piece.attack_s < 0.02 else 4.0))
        env *= np.where(t < dur_s, 1.0, np.exp(-(t - dur_s) / 0.05))
        hammer = 0.3 * rng.standard_normal(n) * np.exp(-t / 0.006) * (piece.attack_s < 0.02)
        i = int(on_s * SR)
        seg = y[i : i + n]
        seg += vel * 0.1 * (tone * env + hammer)[: len(seg)]

    for k in range(n_beats):
        t0 = 0.5 + k * beat_s
        bar, in_bar = divmod(k, piece.meter)
        loud = piece.dynamics[(bar // 8) % len(piece.dynamics)]
        accent = 1.0 if in_bar == 0 else 0.6
        chord = root_key - 12 + (0 if (bar // 2) % 2 == 0 else 5)
        if in_bar == 0:
            note(t0, beat_s * 0.9, chord - 12, loud * 1.0)
        else:
            for p in (chord, chord + 4, chord + 7):
                note(t0, beat_s * 0.5, p, loud * 0.4)
        for j in range(piece.subdivision):
            degree = int(np.clip(degree + rng.integers(-2, 3), 0, len(scale) - 1))
            sub = beat_s / piece.subdivision
            note(t0 + j * sub, sub * 0.9, root_key + int(scale[degree]), loud * accent * (1.0 if j == 0 else 0.7))
    return (y / (np.abs(y).max() + 1e-9) * 0.8).astype(np.float32)


def repeated(mm: MusicMap, seconds: float) -> MusicMap:
    """The music map played again and again until ``seconds`` long (for timing perform)."""
    d = dict(mm.to_dict())
    reps = int(np.ceil(seconds / mm.duration_s))
    n = mm.n_beats
    for key in ("beats_s", "downbeats_s"):
        d[key] = [float(t) + k * mm.duration_s for k in range(reps) for t in getattr(mm, key)]
    for key in ("meter", "beat_in_bar", "counts", "count_labels", "energy", "accent"):
        d[key] = list(d[key]) * reps
    d["phrases"] = [[a + k * n, z + k * n] for k in range(reps) for a, z in mm.phrases]
    d["sections"] = [{**s, "start_s": s["start_s"] + k * mm.duration_s, "end_s": s["end_s"] + k * mm.duration_s}
                     for k in range(reps) for s in mm.sections]
    d["duration_s"] = mm.duration_s * reps
    return MusicMap.from_dict(d)


def measure(path: Path, library) -> dict:
    """Listen, compose (seed 0), perform and critique one piece; the critique's figures and the steps."""
    mm = listen(path)
    score = compose(mm, Brief(seed=0), library=library, music=str(path))
    t0 = time.perf_counter()
    motion = perform(score, mm, library=library)
    took = time.perf_counter() - t0
    report = critique(motion, mm, score, library=library, audio=path)
    return {"m": report.metrics, "steps": [st.step for _ph, st, _b in score.placed()], "time": took,
            "dur": motion.duration_s, "mm": mm, "score": score}


def _f(v, fmt: str, width: int) -> str:
    return f"{'n/a':>{width}s}" if v is None else f"{v:{width}{fmt}}"


def print_tables(rows: list[tuple[str, dict]]) -> None:
    print("\nkanat perform on the test pieces (targets: turns 100 %, air by kind, pops 0/min, pulse >= 0.6, "
          "hull >= target, reach >= 2 m, energy r >= 0.5)\n")
    head = (f"{'piece':38s} {'turns':>6s} {'pops/min':>8s} {'pulse':>6s} {'adagio':>6s} {'hull m2':>7s} "
            f"{'target':>6s} {'up m':>5s} {'down m':>6s} {'energy r':>8s} {'BAS cnt':>7s} {'BAS Bail':>8s}")
    print(head + "\n" + "-" * len(head))
    for name, r in rows:
        m = r["m"]
        turns = None if m["turns_completed_share"] is None else 100 * m["turns_completed_share"]
        print(f"{name[:38]:38s} {_f(turns, '.0f', 5)}% {_f(m['pops_per_min'], '.1f', 8)} {_f(m['pulse'], '.2f', 6)} "
              f"{_f(m['adagio_pulse'], '.2f', 6)} {_f(m['stage_hull_area_m2'], '.1f', 7)} "
              f"{_f(m['stage_hull_target_m2'], '.1f', 6)} {_f(m['upstage_reach_m'], '.1f', 5)} "
              f"{_f(m['downstage_reach_m'], '.1f', 6)} {_f(m['energy_correlation'], '.2f', 8)} "
              f"{_f(m['beat_align_score'], '.3f', 7)} {_f(m['bailando_beat_align_score'], '.3f', 8)}")
    print("\njumps: median air time (s) / pelvis rise (m) per kind, and jumps at floor level (toe < 3 cm or no flight)\n")
    head = f"{'piece':38s} {'petit allegro':>14s} {'batterie':>14s} {'grand allegro':>14s} {'floor-level':>11s}"
    print(head + "\n" + "-" * len(head))
    for name, r in rows:
        m = r["m"]
        cells = []
        for kind in ("petit_allegro", "batterie", "grand_allegro"):
            air, rise = m[f"air_{kind}_median_s"], m[f"rise_{kind}_median_m"]
            cells.append(f"{'-':>14s}" if air is None else f"{air:6.2f} / {rise:5.2f}")
        floor = f"{m['jumps_floor_level']} of {m['jumps_judged']}" if m["jumps_floor_level"] is not None else "-"
        print(f"{name[:38]:38s} {cells[0]:>14s} {cells[1]:>14s} {cells[2]:>14s} {floor:>11s}")
    print("\nphysics and speed\n")
    head = (f"{'piece':38s} {'slide m/s':>9s} {'pen. m':>7s} {'PFC':>6s} {'perform s':>9s} {'music s':>7s} "
            f"{'heard':>10s}")
    print(head + "\n" + "-" * len(head))
    for name, r in rows:
        m = r["m"]
        print(f"{name[:38]:38s} {m['foot_slide_mean_mps'] or 0.0:9.4f} {m['ground_penetration_max_m']:7.4f} "
              f"{m['pfc']:6.2f} {r['time']:9.3f} {r['dur']:7.1f} {r['mm'].tempo_bpm:5.0f} in {r['mm'].beats_per_bar}")


def print_overlap(rows: list[tuple[str, dict]], first: int = 20) -> float:
    """Pairwise sequence overlap of the pieces' first ``first`` steps; returns the largest."""
    print(f"\nsequence overlap of the first {first} steps (1 - Levenshtein / length; target <= 30 %)\n")
    worst = 0.0
    for (na, a), (nb, b) in combinations(rows, 2):
        sim = sequence_similarity(a["steps"][:first], b["steps"][:first])
        worst = max(worst, sim)
        print(f"  {na[:34]:34s} ~ {nb[:34]:34s} {100 * sim:4.0f} %")
    return worst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two test pieces, no demo, no 3-minute timing")
    args = ap.parse_args(argv)
    import soundfile as sf

    library = load_library()
    pieces = TEST_PIECES[:2] if args.quick else TEST_PIECES
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for piece in pieces:
            wav = Path(tmp) / f"{piece.seed}.wav"
            sf.write(wav, synthesise(piece), SR)
            r = measure(wav, library)
            rows.append((piece.name, r))
            print(f"measured {piece.name}: heard {r['mm'].tempo_bpm:.0f} BPM in {r['mm'].beats_per_bar}", file=sys.stderr)
        demo = None if args.quick else measure(demo_music_path(), library)
    print_tables(rows + ([("demo (used in tuning: reference only)", demo)] if demo else []))
    worst = print_overlap(rows)
    if demo is not None:
        long_mm = repeated(demo["mm"], 180.0)
        long_score = compose(long_mm, Brief(seed=0), library=library)
        t0 = time.perf_counter()
        perform(long_score, long_mm, library=library)
        print(f"\nthe demo repeated to {long_mm.duration_s:.0f} s performed in {time.perf_counter() - t0:.2f} s")
    print("\npeers on AIST++ (published figures; their models need a GPU and weights not available here)\n")
    for name, pfc, bas in PUBLISHED:
        print(f"  {name:24s} PFC {pfc:5.2f}   BAS {bas:5.3f}")
    turns = [r["m"]["turns_completed_share"] for _n, r in rows if r["m"]["turns_completed_share"] is not None]
    pops = [r["m"]["pops_per_min"] for _n, r in rows]
    print(f"\ntest pieces: turns completed {100 * np.mean(turns) if turns else float('nan'):.0f} % on average, "
          f"{np.mean(pops):.1f} pops a minute, largest sequence overlap {100 * worst:.0f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
