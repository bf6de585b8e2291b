"""Benchmark the listen stage against plain librosa beat tracking.

Usage::

    .venv/bin/python benchmarks/listen.py [--no-extra] [--only WORD ...] [--no-speed] [--long MINUTES] [--json OUT]

Builds its own annotated set: the bundled demo music (a 3/4 minuet then a 2/4
rag) and, when FluidSynth and the FluidR3 GM soundfont are installed, some
thirty public-domain pieces from music21's corpus (:data:`PIECES`: 3/4, 2/4,
4/4, 6/8 and a 3/8 waltz, many with a pickup; on piano, on strings and as a
single melody on fiddle or flute; three with a breathing tempo), rendered into
a temporary folder by ``scripts/make_demo_music.py``, which also gives the
truth (beats, downbeats and meter from the score) and a MIDI file of each
score. For every piece it prints

* beat F-measure and downbeat F-measure (``mir_eval.beat.f_measure``, 70 ms
  window, nothing trimmed);
* whether the meter is right in every passage (the most common estimated
  meter among the beats of the passage);
* phrase F-measure: true phrase starts every 8 counts from each passage's
  first downbeat (:func:`make_demo_music.phrase_bars`), estimated ones at the
  first beat of every phrase, 70 ms window;
* the wall time of the analysis (including reading the file) and how many
  times faster than real time it is;
* a note when kanat heard no steady pulse and fell back to its 120 BPM grid,

for

* ``kanat``: :func:`kanat.listen.listen` (with its beat network);
* ``kanat-dsp``: the same without the network (signal processing alone),
  while the network's weights are installed;
* ``kanat+score``: ``listen(path, score=midi)`` with the piece's score, when
  ``listen`` takes a ``score`` argument;
* ``librosa``: ``librosa.beat.beat_track`` with its defaults, downbeats
  guessed as every 4th beat from the first, meter assumed 4, phrases every 8
  beats from the first,

then the means and the acceptance checks. All run in the same process, one
after the other, on the same files.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import librosa  # noqa: E402
import mir_eval  # noqa: E402

from kanat.listen import analyze, listen  # noqa: E402

DATA = ROOT / "src" / "kanat" / "data"
WINDOW_S = 0.07  # mir_eval's default beat window, used for phrases too
QUARTET = (40, 40, 41, 42)  # violin, violin, viola, cello
STRINGS = (48,)  # string ensemble on every part
FIDDLE, FLUTE = 40, 73


def _demo_script():
    """``scripts/make_demo_music.py`` as a module (loaded once)."""
    if "make_demo_music" not in sys.modules:
        spec = importlib.util.spec_from_file_location("make_demo_music", ROOT / "scripts" / "make_demo_music.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules["make_demo_music"] = mod  # dataclasses look their module up
        spec.loader.exec_module(mod)
    return sys.modules["make_demo_music"]


class Piece(NamedTuple):
    """One benchmark piece: a corpus passage, its written meter and its sound (piano, strings or melody)."""

    passage: object
    signature: str
    sound: str


def pieces() -> list[Piece]:
    """The benchmark's corpus pieces, each an excerpt of whole bars of some 20-40 s.

    Tempi are a ballet pianist's (quarter = 60-180, a jig's dotted quarter
    110-125); ``rubato`` pieces breathe (:class:`make_demo_music.TimeMap`).
    """
    P = _demo_script().Passage
    trad = "trad."
    return [
        # the first eight, kept from earlier versions of this benchmark
        Piece(P("haydn/opus1no1/movement4", [(0, 12), (1, 12)], 132.0, "Haydn Op. 1 No. 1, Menuetto", "Haydn"), "3/4", "piano"),
        Piece(P("mozart/k545/movement1_exposition", [(1, 12)], 116.0, "Mozart K. 545, Allegro", "Mozart"), "4/4", "piano"),
        Piece(P("schumann_clara/polonaise_op1n1", [(1, 16)], 100.0, "C. Schumann Polonaise Op. 1 No. 1", "C. Schumann"), "3/4", "piano"),
        Piece(P("mozart/k155/movement3", [(0, 24)], 104.0, "Mozart K. 155, Molto allegro", "Mozart"), "2/4", "piano"),
        Piece(P("chopin/mazurka06-2", [(1, 24)], 132.0, "Chopin Mazurka Op. 6 No. 2", "Chopin"), "3/4", "piano"),
        Piece(P("airdsAirs/book4.abc#690", [(0, 17)], 120.0, "Miss Callander's Minuet (melody)", trad), "3/4", "melody"),
        Piece(P("airdsAirs/book1.abc#127", [(0, 25)], 112.0, "Quick March by Mr. Handel (melody)", "Handel"), "2/4", "melody"),
        Piece(P("airdsAirs/book2.abc#331", [(0, 42)], 174.0, "Chorus Jig (melody)", trad), "6/8", "melody"),
        # 3/4
        Piece(P("mozart/k80/movement3", [(1, 20)], 126.0, "Mozart K. 80, Menuetto", "Mozart", programs=QUARTET), "3/4", "strings"),
        Piece(P("haydn/opus74no1/movement3", [(1, 24)], 138.0, "Haydn Op. 74 No. 1, Menuetto", "Haydn", programs=QUARTET), "3/4", "strings"),
        Piece(P("bach/bwv269", [(0, 12)], 84.0, "Bach chorale BWV 269 (strings)", "J. S. Bach", programs=STRINGS), "3/4", "strings"),
        Piece(P("mozart/k156/movement3", [(1, 16)], 120.0, "Mozart K. 156, Tempo di Menuetto", "Mozart"), "3/4", "piano"),
        Piece(P("schumann_clara/polonaise_op1n4", [(1, 12)], 92.0, "C. Schumann Polonaise Op. 1 No. 4", "C. Schumann"), "3/4", "piano"),
        Piece(P("airdsAirs/book5.abc#868", [(0, 15)], 132.0, "Lady Coventry's Minuet (flute)", trad, program=FLUTE), "3/4", "melody"),
        # 2/4
        Piece(P("haydn/opus74no1/movement4", [(0, 32)], 132.0, "Haydn Op. 74 No. 1, Finale", "Haydn", programs=QUARTET), "2/4", "strings"),
        Piece(P("mozart/k458/movement4", [(1, 36)], 144.0, "Mozart K. 458, Allegro assai", "Mozart", programs=QUARTET), "2/4", "strings"),
        Piece(P("haydn/opus1no1/movement5", [(1, 32)], 132.0, "Haydn Op. 1 No. 1, Presto", "Haydn"), "2/4", "piano"),
        Piece(P("airdsAirs/book4.abc#606", [(0, 23)], 112.0, "German Hornpipe (fiddle)", trad, program=FIDDLE), "2/4", "melody"),
        Piece(P("airdsAirs/book1.abc#76", [(0, 17)], 116.0, "Miss Ramsay's Reel (fiddle)", trad, program=FIDDLE), "2/4", "melody"),
        # 4/4
        Piece(P("mozart/k155/movement1", [(1, 14)], 120.0, "Mozart K. 155, Allegro", "Mozart", programs=QUARTET), "4/4", "strings"),
        Piece(P("bach/bwv153.1", [(0, 11)], 76.0, "Bach chorale BWV 153.1 (strings)", "J. S. Bach", programs=STRINGS), "4/4", "strings"),
        Piece(P("bach/bwv66.6", [(0, 9)], 80.0, "Bach chorale BWV 66.6 (piano)", "J. S. Bach"), "4/4", "piano"),
        Piece(P("cpebach/h186", [(1, 12)], 100.0, "C. P. E. Bach H. 186", "C. P. E. Bach"), "4/4", "piano"),
        Piece(P("ryansMammoth/42dHighlandRegimentStrathspey.abc", [(0, 6), (8, 15)], 84.0, "42d Highland Regiment Strathspey (fiddle)", trad, program=FIDDLE), "4/4", "melody"),
        # 6/8
        Piece(P("mozart/k458/movement1", [(0, 28)], 174.0, "Mozart K. 458, Allegro vivace assai", "Mozart", programs=QUARTET), "6/8", "strings"),
        Piece(P("haydn/opus1no1/movement1", [(0, 28)], 168.0, "Haydn Op. 1 No. 1, Presto", "Haydn"), "6/8", "piano"),
        Piece(P("ryansMammoth/BottleOfBrandyJig.abc", [(0, 17)], 180.0, "Bottle of Brandy Jig (flute)", trad, program=FLUTE), "6/8", "melody"),
        Piece(P("ryansMammoth/BridalJig.abc", [(0, 17)], 174.0, "Bridal Jig (fiddle)", trad, program=FIDDLE), "6/8", "melody"),
        # breathing tempo
        Piece(P("airdsAirs/book6.abc#1063", [(0, 34)], 84.0, "The new German Waltz (rubato)", trad, rubato=0.12), "3/8", "piano"),
        Piece(P("haydn/opus1no1/movement3", [(1, 8)], 60.0, "Haydn Op. 1 No. 1, Adagio (rubato)", "Haydn", rubato=0.12), "4/4", "piano"),
        Piece(P("airdsAirs/book1.abc#13", [(0, 17)], 108.0, "Duke of Gloucester's Quick March (rubato)", trad, rubato=0.12), "2/4", "piano"),
    ]


def check_score_midi(truth: dict) -> None:
    """Check the score MIDI's bar lines (``pretty_midi``'s ``get_downbeats()``) against the truth.

    They must be the bar starts of the score (pickups included) at its
    nominal tempo, the truth downbeats among them; in strict time the truth
    downbeats of a one-passage piece are the score's shifted by the passage's
    start.

    Raises
    ------
    AssertionError
        When they differ by more than a millisecond.
    """
    import pretty_midi

    lines = pretty_midi.PrettyMIDI(truth["score_midi"]).get_downbeats()
    want, downbeats = np.asarray(truth["score_bar_lines_s"]), np.asarray(truth["score_downbeats_s"])
    assert len(lines) == len(want) and np.allclose(lines, want, atol=1e-3), f"{truth['score_midi']}: bar lines {lines[:6]} != {want[:6]}"
    assert np.all(np.min(np.abs(downbeats[:, None] - want[None, :]), axis=1) < 1e-3), f"{truth['score_midi']}: downbeats off the bar lines"
    if len(truth["passages"]) == 1 and not truth["passages"][0].get("rubato"):
        got = np.asarray(truth["downbeats_s"]) - truth["passages"][0]["start_s"]
        assert np.allclose(got, downbeats, atol=1e-3), f"{truth['score_midi']}: truth downbeats are not the score's"


def render_piece(piece: Piece, wav: Path) -> dict:
    """Render one piece to ``wav`` (cut 0.5 s after its end) and its score next to it; return the truth."""
    import soundfile as sf

    truth = _demo_script().render_passages([piece.passage], wav, score_midi=wav.with_suffix(".mid"))
    check_score_midi(truth)
    y, sr = sf.read(str(wav), dtype="float32")
    sf.write(str(wav), y[: int((truth["end_s"] + 0.5) * sr)], sr)
    return truth


def extra_pieces(tmp: Path, only: list[str] | None = None) -> list[tuple[str, Path, dict]]:
    """Render the corpus pieces whose title holds one of ``only`` (all without it); [] without FluidSynth.

    Returns
    -------
    list of (name, wav_path, truth)
    """
    import shutil

    mod = _demo_script()
    if shutil.which("fluidsynth") is None or not mod.SOUNDFONT.is_file():
        return []
    out = []
    for k, piece in enumerate(pieces()):
        if only and not any(word.lower() in piece.passage.title.lower() for word in only):
            continue
        try:
            truth = render_piece(piece, tmp / f"piece{k}.wav")
        except Exception as exc:  # noqa: BLE001 - a benchmark skips what it cannot render
            print(f"(skipped {piece.passage.corpus_path}: {type(exc).__name__}: {exc})", file=sys.stderr)
            continue
        out.append((f"{piece.passage.title} ({piece.signature}, {piece.sound})", tmp / f"piece{k}.wav", truth))
    return out


def demo_item(tmp: Path) -> tuple[str, Path, dict]:
    """The bundled demo with its shipped truth, plus its score MIDI written to ``tmp``."""
    mod = _demo_script()
    truth = json.loads((DATA / "demo_truth.json").read_text(encoding="utf-8"))
    midi = tmp / "demo.mid"
    events = [mod.score_events(p) for p in mod.DEMO_PASSAGES]
    truth["score_downbeats_s"], truth["score_bar_lines_s"] = mod.write_score_midi(mod.DEMO_PASSAGES, events, midi)
    truth["score_midi"] = str(midi)
    check_score_midi(truth)
    return "demo: minuet + rag (3/4+2/4, piano)", DATA / "demo.ogg", truth


def _in_passage(times: np.ndarray, passage: dict) -> np.ndarray:
    """Mask of ``times`` from the passage's first downbeat to its end."""
    return (times >= passage["first_downbeat_s"] - WINDOW_S) & (times < passage["end_s"])


def passage_meters(beats_s: np.ndarray, meter: np.ndarray, truth: dict) -> list[int]:
    """For each true passage, the most common estimated meter among its beats (0 when it has none)."""
    found = []
    for p in truth["passages"]:
        inside = meter[_in_passage(beats_s, p)]
        found.append(int(np.bincount(inside).argmax()) if len(inside) else 0)
    return found


def true_phrase_starts(truth: dict) -> np.ndarray:
    """Phrase starts: every 8 counts (:func:`make_demo_music.phrase_bars` bars) from each passage's first downbeat."""
    downbeats = np.asarray(truth["downbeats_s"])
    starts = [downbeats[_in_passage(downbeats, p)][:: _demo_script().phrase_bars(p["beats_per_bar"])] for p in truth["passages"]]
    return np.concatenate(starts)


def score_row(method: str, beats: np.ndarray, downbeats: np.ndarray, meter: np.ndarray, phrase_starts: np.ndarray, truth: dict, seconds: float, duration_s: float) -> dict:
    """The figures of one method on one piece."""
    found = passage_meters(beats, meter, truth)
    right = [f == p["beats_per_bar"] for f, p in zip(found, truth["passages"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mir_eval warns on empty estimates and scores them 0
        return {
            "method": method,
            "beat_f": float(mir_eval.beat.f_measure(np.asarray(truth["beats_s"]), beats)),
            "downbeat_f": float(mir_eval.beat.f_measure(np.asarray(truth["downbeats_s"]), downbeats)),
            "meter_ok": all(right),
            "meter": f"{sum(right)}/{len(right)}",
            "meters": "/".join(str(m) for m in found),
            "phrase_f": float(mir_eval.onset.f_measure(true_phrase_starts(truth), phrase_starts, window=WINDOW_S)[0]),
            "time_s": seconds,
            "x_real_time": duration_s / seconds,
        }


def kanat_row(method: str, path: Path, truth: dict, duration_s: float, **kwargs) -> dict:
    """Run :func:`kanat.listen.listen` (with ``kwargs``) and score it."""
    t0 = time.perf_counter()
    music = listen(path, **kwargs)
    seconds = time.perf_counter() - t0
    starts = np.asarray([music.beats_s[a] for a, _ in music.phrases])
    row = score_row(method, music.beats_s, music.downbeats_s, music.meter, starts, truth, seconds, duration_s)
    extras = getattr(music, "extras", {})
    row["note"] = f"no pulse heard (clarity {extras.get('pulse_clarity', float('nan')):.2f}): 120 BPM fallback" if extras.get("beats_fallback") else ""
    return row


def librosa_row(path: Path, truth: dict, duration_s: float) -> dict:
    """Run ``librosa.beat.beat_track`` and score it (downbeats every 4th beat, meter 4, phrases every 8 beats)."""
    t0 = time.perf_counter()
    y, sr = librosa.load(str(path), sr=22050)
    _, beats = librosa.beat.beat_track(y=y, sr=sr, units="time")
    seconds = time.perf_counter() - t0
    return {**score_row("librosa", beats, beats[::4], np.full(len(beats), 4), beats[::8], truth, seconds, duration_s), "note": ""}


def takes_score() -> bool:
    """Whether :func:`kanat.listen.listen` takes a ``score`` argument (score-informed listening)."""
    return "score" in inspect.signature(listen).parameters


def evaluate(path: Path, truth: dict) -> list[dict]:
    """Rows for kanat, kanat+score (when ``listen`` takes a score; an error is printed and skipped) and librosa."""
    import soundfile as sf

    duration_s = sf.info(str(path)).duration
    rows = [kanat_row("kanat", path, truth, duration_s)]
    if analyze.USE_NETWORK:  # the same without the beat network: signal processing alone
        analyze.USE_NETWORK = False
        try:
            rows.append(kanat_row("kanat-dsp", path, truth, duration_s))
        finally:
            analyze.USE_NETWORK = True
    if takes_score():
        try:
            rows.append(kanat_row("kanat+score", path, truth, duration_s, score=truth["score_midi"]))
        except Exception as exc:  # noqa: BLE001 - report and go on with the next piece
            print(f"  kanat+score failed on {path.name}: {type(exc).__name__}: {exc}")
    rows.append(librosa_row(path, truth, duration_s))
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


#: The figures on which kanat must be ahead of librosa (speed has its own goal: 60x real time).
FIGURES = (("beat_f", "beat F"), ("downbeat_f", "downbeat F"), ("meter_ok", "meter ok"), ("phrase_f", "phrase F"))


def print_row(name: str, row: dict) -> None:
    """One line of the per-piece table."""
    print(
        f"{name[:52]:52s} {row['method']:11s} {row['beat_f']:6.3f} {row['downbeat_f']:10.3f} {row['meter']:>5s} "
        f"{row['meters']:>6s} {row['phrase_f']:8.3f} {row['time_s']:6.2f} {row['x_real_time']:5.0f}x  {row['note']}"
    )


def means(rows: list[dict]) -> dict:
    """Mean figures of one method: F-measures and the share of pieces with the right meter averaged, time summed."""
    return {
        "beat_f": float(np.mean([r["beat_f"] for r in rows])),
        "downbeat_f": float(np.mean([r["downbeat_f"] for r in rows])),
        "meter_ok": float(np.mean([r["meter_ok"] for r in rows])),
        "phrase_f": float(np.mean([r["phrase_f"] for r in rows])),
        "time_s": float(np.sum([r["time_s"] for r in rows])),
        "passages": f"{sum(int(r['meter'].split('/')[0]) for r in rows)}/{sum(int(r['meter'].split('/')[1]) for r in rows)}",
    }


def print_summary(totals: dict[str, list[dict]]) -> None:
    """Means per method and figure, then the acceptance checks with PASS/FAIL computed from them."""
    mean = {method: means(rows) for method, rows in totals.items() if rows}
    print(f"\n{'means over ' + str(len(totals['kanat'])) + ' pieces':24s} {'beat F':>7s} {'downbeat F':>10s} {'meter ok':>9s} {'passages':>9s} {'phrase F':>8s} {'time s':>7s}")
    for method, m in mean.items():
        print(
            f"{method:24s} {m['beat_f']:7.3f} {m['downbeat_f']:10.3f} {m['meter_ok']:8.0%} {m['passages']:>9s} "
            f"{m['phrase_f']:8.3f} {m['time_s']:7.2f}"
        )
    print("\nacceptance:")
    for method in (k for k in mean if k != "librosa"):
        m, lib = mean[method], mean["librosa"]
        checks = [
            (f"beat F {m['beat_f']:.3f} >= 0.95", m["beat_f"] >= 0.95),
            (f"downbeat F {m['downbeat_f']:.3f} >= 0.90", m["downbeat_f"] >= 0.90),
            (f"meter right on {m['meter_ok']:.0%} >= 95% of pieces", m["meter_ok"] >= 0.95),
        ]
        for key, label in FIGURES:
            checks.append((f"{label} ahead of librosa ({m[key]:.3f} vs {lib[key]:.3f})", m[key] > lib[key]))
        slowest = min(r["x_real_time"] for r in totals[method])
        checks.append((f"every piece analysed at >= 60x real time (slowest {slowest:.0f}x; all pieces "
                       f"{m['time_s']:.1f} s, librosa's beat tracker alone {lib['time_s']:.1f} s)", slowest >= 60))
        for text, ok in checks:
            print(f"  {method:11s} {'PASS' if ok else 'FAIL'}  {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kanat listen vs librosa beat_track")
    parser.add_argument("--no-extra", action="store_true", help="only the bundled demo music")
    parser.add_argument("--only", nargs="*", default=None, help="only the corpus pieces whose title holds one of these words (and the demo)")
    parser.add_argument("--no-speed", action="store_true", help="skip the 3-minute speed run")
    parser.add_argument("--long", type=float, default=0.0, metavar="MINUTES", help="also time a synthetic file this long and report its peak memory (60 for the acceptance)")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write every per-piece row to this JSON file")
    args = parser.parse_args(argv)

    # warm up numba-compiled parts of librosa so the first timing is fair
    warm = np.random.default_rng(0).standard_normal(22050 * 4).astype(np.float32) * 0.1
    librosa.beat.beat_track(y=warm, sr=22050)
    listen(warm, sr=22050)

    with tempfile.TemporaryDirectory() as tmp:
        items = [demo_item(Path(tmp))]
        if not args.no_extra:
            items += extra_pieces(Path(tmp), args.only)
        header = f"{'piece':52s} {'method':11s} {'beat F':>6s} {'downbeat F':>10s} {'meter':>5s} {'meters':>6s} {'phrase F':>8s} {'time s':>6s} {'speed':>6s}"
        print(header)
        print("-" * len(header))
        totals: dict[str, list] = {"kanat": [], "kanat-dsp": [], "kanat+score": [], "librosa": []}
        records = []
        for name, path, truth in items:
            for row in evaluate(path, truth):
                totals[row["method"]].append(row)
                records.append({"piece": name, **row})
                print_row(name, row)
            true_m = "/".join(str(p["beats_per_bar"]) for p in truth["passages"])
            print(f"{'':52s} {'truth':11s} {'':6s} {'':10s} {'':5s} {true_m:>6s}")
        print("-" * len(header))
        print_summary(totals)
        if args.json:
            args.json.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
        if not args.no_speed:
            speed(Path(tmp), long_minutes=args.long)
    return 0


if __name__ == "__main__":
    sys.exit(main())
