"""Render training data for kanat's beat and downbeat network (see scripts/train_beats.py).

Usage::

    .venv/bin/python scripts/make_beat_data.py --out out/beatdata --pieces 900 [--jobs 2]
    .venv/bin/python scripts/make_beat_data.py --out out/beatdata --pieces 200 --seed 1 --bpm 40 70 --first 2000

Excerpts of 12-24 bars from music21's corpus (folk tunes, fiddle tunes,
chorales, quartets, piano music; public domain), rendered with FluidSynth and
FluidR3_GM (MIT) on random General MIDI instruments (piano, strings, winds,
guitar, organ, accordion...), at a dancer's tempo (60-170 counted beats a
minute, and slow adagios of 40-70 with ``--bpm 40 70``) and sometimes with a
breathing tempo. The truth is the score's:
every counted beat and every downbeat (6/8 counted in two, 3/8 in three).
The pieces of ``benchmarks/listen.py`` and the demo are left out, so the
benchmark measures music the network never heard.

Each excerpt is saved as ``NNNN.npz``: ``mel`` (T, 64) log-mel frames at
:data:`kanat.listen.beatnet.HOP` samples of 22050 Hz, ``beats`` and
``downbeats`` (seconds), ``meter`` (per beat) and ``name``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

#: General MIDI programs a part may be played on.
SOLO = (0, 0, 0, 6, 11, 21, 22, 24, 25, 40, 40, 41, 46, 56, 65, 68, 71, 73, 73, 19)
ENSEMBLES = (
    (0,), (0,), (0,), (6,), (19,), (24,), (46,),
    (40, 40, 41, 42), (40, 40, 41, 42), (48,), (73, 68, 71, 70), (56, 60, 57, 58), (21,), (0, 32),
)


#: Most excerpts taken from one collection of the corpus (the rest: all there are).
CAPS = {"essenFolksong": 220, "oneills1850": 120, "airdsAirs": 110, "ryansMammoth": 110, "bach": 160, "miscFolk": 60}


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def held_out() -> set[str]:
    """Corpus names (with ``#number``) of the benchmark's pieces and the demo's."""
    bench = _module("listen_benchmark", ROOT / "benchmarks" / "listen.py")
    demo = _module("make_demo_music", ROOT / "scripts" / "make_demo_music.py")
    return {p.passage.corpus_path for p in bench.pieces()} | {p.corpus_path for p in demo.DEMO_PASSAGES}


def candidates(seed: int) -> list[str]:
    """Corpus pieces in a meter kanat counts, shuffled; benchmark and demo pieces left out."""
    from music21 import corpus

    skip = held_out()
    out = []
    for e in corpus.corpora.CoreCorpus().metadataBundle:
        ts = getattr(e.metadata, "timeSignatureFirst", None)
        if ts not in ("2/4", "3/4", "4/4", "6/8", "3/8", "9/8", "12/8"):
            continue
        path = str(e.sourcePath)
        name = f"{path}#{e.number}" if e.number is not None else path
        if name in skip or path.startswith(("palestrina", "trecento", "josquin", "monteverdi")):
            continue
        out.append(name)
    rng = np.random.default_rng(seed)
    rng.shuffle(out)
    # no collection drowns the others: folk melodies are most of the corpus
    taken: dict[str, int] = {}
    mixed = []
    for name in out:
        source = name.split("/")[0]
        if taken.get(source, 0) < CAPS.get(source, 10**6):
            taken[source] = taken.get(source, 0) + 1
            mixed.append(name)
    rng.shuffle(mixed)
    return mixed


def render_one(job: tuple[int, str, int, Path, tuple[float, float]]) -> str:
    """Render excerpt ``k`` of corpus piece ``name``; return a line for the log."""
    k, name, seed, out, bpm_range = job
    import librosa
    import soundfile as sf

    from kanat.listen import beatnet

    demo = _module("make_demo_music", ROOT / "scripts" / "make_demo_music.py")
    rng = np.random.default_rng(seed)
    try:
        score = demo._parse(name)
        parts = list(score.parts) if len(score.parts) else [score]
        numbers = [m.number for m in parts[0].getElementsByClass("Measure")]
        if len(numbers) < 8:
            return f"{name}: too short"
        ts = next(iter(score.recurse().getElementsByClass("TimeSignature")))
        beat_ql = demo.beat_length(ts.numerator, ts.denominator)
        first = numbers[0]
        last = numbers[min(len(numbers) - 1, int(rng.integers(12, 25)))]
        beat_bpm = float(rng.uniform(*bpm_range))
        programs = (tuple(int(rng.choice(SOLO)) for _ in range(1)) if len(parts) == 1
                    else ENSEMBLES[int(rng.integers(len(ENSEMBLES)))])
        passage = demo.Passage(name, [(first, last)], beat_bpm * beat_ql, name, "", programs=programs,
                               rubato=float(rng.choice([0.0, 0.0, 0.05, 0.1])))
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "x.wav"
            truth = demo.render_passages([passage], wav)
            y, sr = sf.read(str(wav), dtype="float32", always_2d=True)
        y = y[: int((truth["end_s"] + 0.5) * sr)].mean(axis=1)
        y = librosa.resample(y, orig_sr=sr, target_sr=beatnet.SR)
        y *= float(rng.uniform(0.2, 1.0)) / (np.abs(y).max() + 1e-9)
        mel = beatnet.features(y)
        np.savez_compressed(
            out / f"{k:04d}.npz", mel=mel.astype(np.float16), beats=np.asarray(truth["beats_s"]),
            downbeats=np.asarray(truth["downbeats_s"]), meter=np.asarray(truth["meter"]), name=name,
        )
        return f"{name}: {len(truth['beats_s'])} beats, {ts.ratioString}, {beat_bpm:.0f} BPM, programs {programs}"
    except Exception as exc:  # noqa: BLE001 - a corpus piece that cannot be rendered is skipped
        return f"{name}: skipped ({type(exc).__name__}: {str(exc)[:80]})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "beatdata")
    parser.add_argument("--pieces", type=int, default=400, help="corpus pieces to try")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bpm", type=float, nargs=2, default=(60.0, 170.0), metavar=("LOW", "HIGH"),
                        help="range of counted beats a minute")
    parser.add_argument("--first", type=int, default=0, help="number of the first file written (to add to a folder)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    names = candidates(args.seed)[: args.pieces]
    jobs = [(args.first + k, name, args.seed * 100003 + k, args.out, tuple(args.bpm)) for k, name in enumerate(names)]
    with Pool(args.jobs) as pool:
        for line in pool.imap_unordered(render_one, jobs):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
