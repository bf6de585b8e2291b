"""Benchmark the compose stage: speed and the grammar it keeps or breaks.

Usage::

    .venv/bin/python benchmarks/compose.py

On the demo music's map repeated to three minutes, prints for kanat at
innovation 0, 0.5 and 1, beside a random choreographer (steps drawn at random
from the same vocabulary until each phrase is full: what a generator that
knows no grammar does) measured in the same run:

* time to compose (s), vocabulary loaded beforehand;
* stance breaks: steps that do not start where the previous one ended (%);
* unprepared big jumps and turns (%);
* modern steps in the classical dance (%);
* steps in 3/4 that start off the "1" of a bar (%);
* accents on a downbeat (%);
* repeated music danced as related phrases (%).

The research generators (EDGE, Bailando, FACT) produce joint angles, not
steps, so these figures do not exist for them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from kanat.brief import Brief
from kanat.compose import Phrase, PlacedStep, Score, compose  # noqa: E402
from kanat.listen import listen  # noqa: E402
from kanat.pipeline import demo_music_path  # noqa: E402
from kanat.vocabulary import load_library  # noqa: E402
from perform import repeated  # noqa: E402


def random_dance(mm, library, seed: int = 0) -> Score:
    rng = np.random.default_rng(seed)
    steps = list(library)
    phrases = []
    for k, (a, z) in enumerate(mm.phrases):
        n, at, placed = z - a + 1, 1, []
        while at <= n:
            fits = [s for s in steps if s.beats <= n - at + 1]
            if not fits:
                break
            s = fits[rng.integers(len(fits))]
            placed.append(PlacedStep(step=s.name, at=at, beats=s.beats, side=str(rng.choice(["R", "L"])) if s.sided else "-"))
            at += s.beats
        phrases.append(Phrase(index=k + 1, first_beat=a, n_beats=n, steps=placed))
    return Score(music="", settings={}, phrases=phrases)


def figures(score: Score, mm, library) -> dict:
    down = mm.beat_in_bar == 1
    breaks = unprep = modern = offbar = bar_steps = accents = total = 0
    prev = None
    for _ph, st, b in score.placed():
        step = library.get(st.step)
        side = st.side if st.side in ("R", "L") else "R"
        total += 1
        modern += step.family in ("modern", "contemporary")
        if prev is not None:
            breaks += step.start_stance(side) != prev[1]
            unprep += bool(step.prepared_by) and prev[0] not in step.prepared_by
        if b < mm.n_beats and mm.meter[b] == 3:
            bar_steps += 1
            offbar += not down[b]
        acc = b + int(round(step.accent * st.beats / step.beats))
        accents += acc < mm.n_beats and down[acc]
        prev = (step.name, step.end_stance(side))
    sections = [ph.section for ph in score.phrases]
    related = same = 0
    first: dict[str, list[str]] = {}
    for ph in score.phrases:
        names = [s.step for s in ph.steps]
        if ph.section and ph.section in first:
            same += 1
            related += names == first[ph.section]
        first.setdefault(ph.section, names)
    del sections
    pct = lambda x, n: 100.0 * x / max(n, 1)  # noqa: E731
    return {"breaks": pct(breaks, total - 1), "unprepared": pct(unprep, total), "modern": pct(modern, total),
            "offbar": pct(offbar, bar_steps), "accents": pct(accents, total), "related": pct(related, same)}


def main() -> int:
    library = load_library()
    mm = repeated(listen(demo_music_path()), 180.0)
    rows = []
    for inn in (0.0, 0.5, 1.0):
        compose(mm, Brief(seed=0, innovation=inn), library=library)  # warm
        t0 = time.perf_counter()
        sc = compose(mm, Brief(seed=0, innovation=inn), library=library)
        rows.append((f"kanat, innovation {inn:g}", time.perf_counter() - t0, figures(sc, mm, library)))
    t0 = time.perf_counter()
    rnd = random_dance(mm, library)
    rows.append(("random steps (no grammar)", time.perf_counter() - t0, figures(rnd, mm, library)))
    print(f"\ncompose on {mm.duration_s:.0f} s of music ({mm.n_beats} beats, {len(mm.phrases)} phrases), target < 1 s\n")
    print(f"{'':28s} {'time s':>7s} {'breaks%':>8s} {'unprep%':>8s} {'modern%':>8s} {'off-bar%':>9s} {'accent%':>8s} {'related%':>9s}")
    print("-" * 92)
    for name, t, f in rows:
        print(f"{name:28s} {t:7.3f} {f['breaks']:8.1f} {f['unprepared']:8.1f} {f['modern']:8.1f} {f['offbar']:9.1f} "
              f"{f['accents']:8.1f} {f['related']:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
