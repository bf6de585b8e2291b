"""Benchmark the listen stage against plain librosa beat tracking.

Usage::

    .venv/bin/python benchmarks/listen.py [--no-extra]

For the bundled demo music (a 3/4 minuet then a 2/4 rag) and, when
FluidSynth and the FluidR3 GM soundfont are installed, a few more public-domain
pieces from music21's corpus rendered into a temporary folder, prints beat
F-measure, downbeat F-measure (mir_eval, 70 ms window), whether the meter is
right in every passage, and the wall time of the analysis (including reading
the file) for

* ``kanat``: :func:`kanat.listen.listen`;
* ``librosa``: ``librosa.beat.beat_track`` with its defaults, downbeats
  guessed as every 4th beat from the first, meter assumed 4.

Both run in the same process, one after the other, on the same files.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import librosa  # noqa: E402
import mir_eval  # noqa: E402

from kanat.listen import listen  # noqa: E402

DATA = ROOT / "src" / "kanat" / "data"


def _demo_script():
    spec = importlib.util.spec_from_file_location("make_demo_music", ROOT / "scripts" / "make_demo_music.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_demo_music"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def extra_pieces(tmp: Path) -> list[tuple[str, Path, dict]]:
    """Render a few more corpus pieces (one passage each); [] without FluidSynth."""
    mod = _demo_script()
    if shutil.which("fluidsynth") is None or not mod.SOUNDFONT.is_file():
        return []
    import soundfile as sf

    P = mod.Passage
    pieces = [
        P("haydn/opus1no1/movement4", [(0, 12), (1, 12)], 132.0, "Haydn Op. 1 No. 1, Menuetto", "Haydn"),
        P("mozart/k545/movement1_exposition", [(1, 12)], 116.0, "Mozart K. 545, Allegro", "Mozart"),
        P("schumann_clara/polonaise_op1n1", [(1, 16)], 100.0, "C. Schumann Polonaise Op. 1 No. 1", "C. Schumann"),
        P("mozart/k155/movement3", [(0, 24)], 104.0, "Mozart K. 155, Molto allegro", "Mozart"),
    ]
    out = []
    for k, p in enumerate(pieces):
        wav = tmp / f"piece{k}.wav"
        try:
            truth = mod.render_passages([p], wav)
        except Exception as exc:  # noqa: BLE001 - a benchmark skips what it cannot render
            print(f"(skipped {p.corpus_path}: {exc})", file=sys.stderr)
            continue
        y, sr = sf.read(str(wav), dtype="float32")
        end = int((truth["end_s"] + 0.5) * sr)
        sf.write(str(wav), y[:end], sr)
        out.append((f"{p.title} ({truth['passages'][0]['time_signature']})", wav, truth))
    return out


def _passage_meters(beats_s: np.ndarray, meter: np.ndarray, truth: dict) -> list[bool]:
    """For each true passage: is the most common estimated meter in it right?"""
    right = []
    for p in truth["passages"]:
        inside = (beats_s >= p["first_downbeat_s"]) & (beats_s < p["end_s"])
        if not np.any(inside):
            right.append(False)
            continue
        values, n = np.unique(meter[inside], return_counts=True)
        right.append(int(values[np.argmax(n)]) == p["beats_per_bar"])
    return right


def evaluate(path: Path, truth: dict) -> list[dict]:
    ref_b = np.asarray(truth["beats_s"])
    ref_d = np.asarray(truth["downbeats_s"])
    rows = []

    t0 = time.perf_counter()
    music = listen(path)
    t_kanat = time.perf_counter() - t0
    ok = _passage_meters(music.beats_s, music.meter, truth)
    rows.append(
        {
            "method": "kanat",
            "beat_f": mir_eval.beat.f_measure(ref_b, music.beats_s),
            "downbeat_f": mir_eval.beat.f_measure(ref_d, music.downbeats_s),
            "meter": f"{sum(ok)}/{len(ok)}",
            "meters": "/".join(str(int(np.bincount(music.meter[(music.beats_s >= p['first_downbeat_s']) & (music.beats_s < p['end_s'])]).argmax())) for p in truth["passages"]),
            "time_s": t_kanat,
        }
    )

    t0 = time.perf_counter()
    y, sr = librosa.load(str(path), sr=22050)
    _, beats = librosa.beat.beat_track(y=y, sr=sr, units="time")
    t_lib = time.perf_counter() - t0
    guess4 = np.full(len(beats), 4)
    ok = _passage_meters(beats, guess4, truth)
    rows.append(
        {
            "method": "librosa",
            "beat_f": mir_eval.beat.f_measure(ref_b, beats),
            "downbeat_f": mir_eval.beat.f_measure(ref_d, beats[::4]),
            "meter": f"{sum(ok)}/{len(ok)}",
            "meters": "/".join("4" for _ in truth["passages"]),
            "time_s": t_lib,
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kanat listen vs librosa beat_track")
    parser.add_argument("--no-extra", action="store_true", help="only the bundled demo music")
    args = parser.parse_args(argv)

    # warm up numba-compiled parts of librosa so the first timing is fair
    warm = np.random.default_rng(0).standard_normal(22050 * 4).astype(np.float32) * 0.1
    librosa.beat.beat_track(y=warm, sr=22050)
    listen(warm, sr=22050)

    demo_truth = json.loads((DATA / "demo_truth.json").read_text(encoding="utf-8"))
    items = [("demo: minuet 3/4 + rag 2/4", DATA / "demo.ogg", demo_truth)]
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_extra:
            items += extra_pieces(Path(tmp))
        header = f"{'piece':44s} {'method':8s} {'beat F':>7s} {'downbeat F':>10s} {'meter ok':>8s} {'meters':>7s} {'time s':>7s}"
        print(header)
        print("-" * len(header))
        for name, path, truth in items:
            true_m = "/".join(str(p["beats_per_bar"]) for p in truth["passages"])
            for row in evaluate(path, truth):
                print(
                    f"{name[:44]:44s} {row['method']:8s} {row['beat_f']:7.3f} {row['downbeat_f']:10.3f} "
                    f"{row['meter']:>8s} {row['meters']:>7s} {row['time_s']:7.2f}"
                )
            print(f"{'':44s} {'truth':8s} {'':7s} {'':10s} {'':8s} {true_m:>7s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
