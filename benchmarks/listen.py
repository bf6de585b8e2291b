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
import os
import shutil
import subprocess
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


def score_events(passage):
    """The benchmark's reading of a corpus passage into notes and a beat grid.

    Like ``make_demo_music.score_events`` (same accents, same
    :class:`ScoreEvents`), with three differences the extra pieces need:

    - a pickup bar's length is where its notes and rests end, the longest over
      all parts, and every part uses that one length. music21 lengthens some
      encoded measures past their notes (in Mozart K. 155/iii the first
      violin's pickup bar is 1.5 quarters long because of a dynamic marking
      placed at offset 1.5, while the real pickup is one eighth); taking each
      part's own ``duration`` then shifted the first violin a beat against the
      other three parts and against the truth grid, so the "truth" downbeats
      fell on the bass's beat 2;
    - ``corpus_path`` may name one tune of a collection as ``"file.abc#number"``;
    - 6/8 (and 9/8, 12/8) are counted in dotted quarters, as a dancer counts a
      jig: two beats to a 6/8 bar.
    """
    from music21 import corpus, meter

    path, _, number = passage.corpus_path.partition("#")
    score = corpus.parse(path, number=int(number)) if number else corpus.parse(path)
    ts = next(iter(score.recurse().getElementsByClass(meter.TimeSignature)))
    bar_ql = float(ts.barDuration.quarterLength)
    if ts.denominator == 8 and ts.numerator % 3 == 0:
        beat_ql = 1.5
    elif ts.denominator == 4:
        beat_ql = 1.0
    else:
        raise ValueError(f"{passage.corpus_path}: meter {ts.ratioString} is not supported here")
    beats_per_bar = int(round(bar_ql / beat_ql))
    parts = list(score.parts) if len(score.parts) else [score]

    # one length per measure number, from where its notes and rests end
    lengths: dict[int, float] = {}
    for part in parts:
        for m in part.getElementsByClass("Measure"):
            end = max((float(e.offset + e.quarterLength) for e in m.notesAndRests), default=0.0)
            lengths[m.number] = max(lengths.get(m.number, 0.0), min(end, bar_ql))

    def in_bar_accent(in_bar: float) -> int:
        if abs(in_bar) < 1e-6:
            return 16
        q = in_bar / beat_ql
        return 5 if abs(q - round(q)) < 1e-6 else -4

    notes: list[tuple[float, float, int, int]] = []
    downbeats: list[float] = []
    length_ql = 0.0
    n_parts = len(parts)
    for part_index, part in enumerate(parts):
        measures = {}
        for m in part.stripTies(inPlace=False).getElementsByClass("Measure"):
            measures.setdefault(m.number, m)  # a repeated ending's second bar of the same number is skipped
        cursor = 0.0
        base = 78 if part_index == 0 else (70 if part_index == n_parts - 1 else 60)
        for first, last in passage.segments:
            for number in range(first, last + 1):
                if number not in measures:
                    continue
                m = measures[number]
                dur = lengths[number]
                full = abs(dur - bar_ql) < 1e-6
                if part_index == 0 and full:
                    downbeats.append(cursor)
                # a short bar's notes sit at its end (a pickup) when it is the first bar
                shift = 0.0 if full or number != passage.segments[0][0] else bar_ql - dur
                for n in m.flatten().notes:
                    if n.duration.isGrace or n.quarterLength <= 0:
                        continue
                    pos = float(n.offset)
                    if pos >= dur - 1e-6:
                        continue
                    vel = int(np.clip(base + in_bar_accent(pos + shift), 30, 120))
                    for p in n.pitches:
                        notes.append((cursor + pos, float(n.quarterLength), int(p.midi), vel))
                cursor += dur
        length_ql = max(length_ql, cursor)
    downbeats_ql = np.asarray(downbeats, dtype=float)
    first_db = downbeats_ql[0]
    start = first_db - beat_ql * np.floor(first_db / beat_ql)  # earliest beat >= 0 on the bar grid
    beats_ql = np.arange(start, length_ql - 1e-6, beat_ql)
    return _demo_script().ScoreEvents(notes, beats_ql, downbeats_ql, beats_per_bar, length_ql)


def extra_pieces(tmp: Path, only: list[str] | None = None) -> list[tuple[str, Path, dict]]:
    """Render a few more corpus pieces (one passage each); [] without FluidSynth."""
    mod = _demo_script()
    if shutil.which("fluidsynth") is None or not mod.SOUNDFONT.is_file():
        return []
    import soundfile as sf

    mod.score_events = score_events  # render_passages looks it up in its module
    P = mod.Passage
    pieces = [
        (P("haydn/opus1no1/movement4", [(0, 12), (1, 12)], 132.0, "Haydn Op. 1 No. 1, Menuetto", "Haydn"), "3/4"),
        (P("mozart/k545/movement1_exposition", [(1, 12)], 116.0, "Mozart K. 545, Allegro", "Mozart"), "4/4"),
        (P("schumann_clara/polonaise_op1n1", [(1, 16)], 100.0, "C. Schumann Polonaise Op. 1 No. 1", "C. Schumann"), "3/4"),
        (P("mozart/k155/movement3", [(0, 24)], 104.0, "Mozart K. 155, Molto allegro", "Mozart"), "2/4"),
        # added to keep kanat honest beyond the pieces it was tuned on
        (P("chopin/mazurka06-2", [(1, 24)], 132.0, "Chopin Mazurka Op. 6 No. 2", "Chopin"), "3/4"),
        (P("airdsAirs/book4.abc#690", [(0, 17)], 120.0, "Miss Callander's Minuet (melody)", "trad."), "3/4"),
        (P("airdsAirs/book1.abc#127", [(0, 25)], 112.0, "Quick March by Mr. Handel (melody)", "Handel"), "2/4"),
        (P("airdsAirs/book2.abc#331", [(0, 42)], 174.0, "Chorus Jig (melody)", "trad."), "6/8"),
    ]
    out = []
    for k, (p, signature) in enumerate(pieces):
        if only and not any(word.lower() in p.title.lower() for word in only):
            continue
        wav = tmp / f"piece{k}.wav"
        try:
            truth = mod.render_passages([p], wav)
        except Exception as exc:  # noqa: BLE001 - a benchmark skips what it cannot render
            print(f"(skipped {p.corpus_path}: {exc})", file=sys.stderr)
            continue
        y, sr = sf.read(str(wav), dtype="float32")
        end = int((truth["end_s"] + 0.5) * sr)
        sf.write(str(wav), y[:end], sr)
        out.append((f"{p.title} ({signature})", wav, truth))
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


_COLD = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[2])
from kanat.listen import listen
t1 = time.perf_counter()
listen(sys.argv[1])
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""

_LONG = """
import json, resource, sys, time
import numpy as np, soundfile as sf
sys.path.insert(0, sys.argv[3])
from kanat.listen import listen
path, minutes, sr = sys.argv[1], float(sys.argv[2]), 44100
n, period = int(0.05 * sr), sr // 2
t = np.arange(n) / sr
click = (np.sin(2 * np.pi * 880 * t) * np.exp(-t / 0.01)).astype(np.float32)
thump = (np.sin(2 * np.pi * 110 * t) * np.exp(-t / 0.05)).astype(np.float32)
bar = np.zeros(3 * period, np.float32)
bar[:n] += 0.6 * click + 0.6 * thump
bar[period:period + n] += 0.3 * click
bar[2 * period:2 * period + n] += 0.3 * click
rng = np.random.default_rng(0)
with sf.SoundFile(path, "w", samplerate=sr, channels=2, format="FLAC", subtype="PCM_16") as f:
    for _ in range(int(minutes)):
        x = np.tile(bar, 40) + 0.01 * rng.standard_normal(40 * len(bar)).astype(np.float32)
        f.write(np.stack([x, x], axis=1))
t0 = time.perf_counter()
music = listen(path)
print(json.dumps({"seconds": time.perf_counter() - t0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "beats": music.n_beats, "meter": music.beats_per_bar, "tempo": round(music.tempo_bpm, 1)}))
"""


def speed(tmp: Path, *, long_minutes: float = 0.0) -> None:
    """Time a 3-minute track (the demo looped) cold (a fresh process) and warm; optionally an hour's memory."""
    import soundfile as sf

    y, sr = librosa.load(str(DATA / "demo.ogg"), sr=44100, mono=False)
    y = np.atleast_2d(y).T
    reps = int(np.ceil(180.0 * sr / len(y)))
    track = np.concatenate([y] * reps)[: int(180 * sr)]
    path = tmp / "three_minutes.flac"
    sf.write(str(path), track, sr)
    cold = subprocess.run([sys.executable, "-c", _COLD, str(path), str(ROOT / "src")], capture_output=True, text=True, check=True)
    t_import, t_cold = (float(v) for v in cold.stdout.split())
    warm = []
    for _ in range(3):
        t0 = time.perf_counter()
        listen(path)
        warm.append(time.perf_counter() - t0)
    t_warm = float(np.median(warm))
    print(
        f"\nspeed, 3-minute stereo 44.1 kHz FLAC (read + analysis), {os.cpu_count()} cores: "
        f"cold {t_cold:.2f} s (+ {t_import:.2f} s import) = {180 / t_cold:.0f}x real time; "
        f"warm {t_warm:.2f} s (median of 3) = {180 / t_warm:.0f}x real time "
        f"[{'ok' if 180 / t_warm >= 60 else 'BELOW'} the 60x goal]"
    )
    if long_minutes:
        out = subprocess.run(
            [sys.executable, "-c", _LONG, str(tmp / "long.flac"), str(long_minutes), str(ROOT / "src")],
            capture_output=True, text=True, check=True,
        )
        got = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"long file, {long_minutes:g} min stereo 44.1 kHz FLAC (cold process): {got['seconds']:.1f} s "
            f"({long_minutes * 60 / got['seconds']:.0f}x real time), peak RSS {got['peak_mb']:.0f} MB, "
            f"{got['beats']} beats, meter {got['meter']}, {got['tempo']} BPM"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kanat listen vs librosa beat_track")
    parser.add_argument("--no-extra", action="store_true", help="only the bundled demo music")
    parser.add_argument("--only", nargs="*", default=None, help="only the extra pieces whose title holds one of these words")
    parser.add_argument("--no-speed", action="store_true", help="skip the 3-minute speed run")
    parser.add_argument("--long", type=float, default=0.0, metavar="MINUTES", help="also time a synthetic file this long and report its peak memory (60 for the acceptance)")
    args = parser.parse_args(argv)

    # warm up numba-compiled parts of librosa so the first timing is fair
    warm = np.random.default_rng(0).standard_normal(22050 * 4).astype(np.float32) * 0.1
    librosa.beat.beat_track(y=warm, sr=22050)
    listen(warm, sr=22050)

    demo_truth = json.loads((DATA / "demo_truth.json").read_text(encoding="utf-8"))
    items = [("demo: minuet 3/4 + rag 2/4", DATA / "demo.ogg", demo_truth)]
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_extra:
            items += extra_pieces(Path(tmp), args.only)
        header = f"{'piece':44s} {'method':8s} {'beat F':>7s} {'downbeat F':>10s} {'meter ok':>8s} {'meters':>7s} {'time s':>7s}"
        print(header)
        print("-" * len(header))
        totals: dict[str, list] = {"kanat": [], "librosa": []}
        for name, path, truth in items:
            true_m = "/".join(str(p["beats_per_bar"]) for p in truth["passages"])
            for row in evaluate(path, truth):
                totals[row["method"]].append(row)
                print(
                    f"{name[:44]:44s} {row['method']:8s} {row['beat_f']:7.3f} {row['downbeat_f']:10.3f} "
                    f"{row['meter']:>8s} {row['meters']:>7s} {row['time_s']:7.2f}"
                )
            print(f"{'':44s} {'truth':8s} {'':7s} {'':10s} {'':8s} {true_m:>7s}")
        print("-" * len(header))
        for method, rows in totals.items():
            right = sum(int(r["meter"].split("/")[0]) for r in rows)
            passages = sum(int(r["meter"].split("/")[1]) for r in rows)
            print(
                f"{'mean over ' + str(len(rows)) + ' items':44s} {method:8s} {np.mean([r['beat_f'] for r in rows]):7.3f} "
                f"{np.mean([r['downbeat_f'] for r in rows]):10.3f} {f'{right}/{passages}':>8s} {'':7s} "
                f"{np.sum([r['time_s'] for r in rows]):7.2f}"
            )
        print("acceptance: beat F >= 0.95, downbeat F >= 0.90, meter right on >= 95% of passages, ahead of librosa on each")
        if not args.no_speed:
            speed(Path(tmp), long_minutes=args.long)
    return 0


if __name__ == "__main__":
    sys.exit(main())
