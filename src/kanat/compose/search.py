"""The beam search that fills one phrase with steps.

Conventions
-----------
- A search state is a partial phrase: the steps placed so far as entries
  ``(Step, beats, side, facing, spot, at, locked)`` (``at`` 1-based within the
  phrase, ``spot`` where the step starts, metres), the beats used, the stance
  and facing reached, the spot and the last working side.
- Each step placed adds :func:`kanat.compose.terms.step_terms` and the seed's
  preference to the state's score; the ``brief.beam`` best states go on.
- At innovation at most ``STRICT_BELOW`` the grammar is a rule: only lawful
  steps (chained, prepared) are placed while any exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kanat.compose.score import PlacedStep
from kanat.compose.terms import (
    CLOSINGS, PhraseTask, after, durations, facing_for, placed_from, sides, step_terms,
)
from kanat.vocabulary import Library, Step
from kanat.vocabulary.danced import min_beat_s

OPENING = "préparation"
STRICT_BELOW = 0.05  # at innovation this low the grammar is a rule, not a preference


@dataclass(order=True)
class _State:
    score: float
    steps: list = field(compare=False)  # (Step, beats, side, facing, spot, at, locked)
    beats: int = field(compare=False)
    stance: str = field(compare=False)
    facing: int = field(compare=False)
    xz: np.ndarray = field(compare=False)
    last_side: str = field(compare=False)
    before: Step | None = field(default=None, compare=False)  # the step danced just before this phrase

    @property
    def prev(self) -> Step | None:
        return self.steps[-1][0] if self.steps else self.before


@dataclass
class Filled:
    """A filled phrase and where it leaves the dancer."""

    steps: list[PlacedStep]
    stance: str
    facing: int
    xz: np.ndarray
    last_side: str


def lawful(entry: tuple, stance: str, prev: Step | None) -> bool:
    """Does a placed step keep the classical grammar: chain from ``stance``, and come prepared?"""
    step, side = entry[0], entry[2]
    start = step.start_stance(side) if side != "-" else step.start
    if start != stance:
        return False
    return not step.prepared_by or (prev is not None and prev.name in step.prepared_by)


def way_on(library: Library, stance: str, prev: Step | None) -> bool:
    """Can some step lawfully follow ``prev`` ending in ``stance``?"""
    for step in library:
        for side in sides(step):
            if (step.start_stance(side) if side != "-" else step.start) == stance and (
                not step.prepared_by or (prev is not None and prev.name in step.prepared_by)
            ):
                return True
    return False


def extend(task: PhraseTask, st: _State, step: Step, beats: int, side: str, *, n: int | None = None,
           closing: bool = False, lock: PlacedStep | None = None, climax: float | None = None) -> _State:
    """Place one more step on a partial phrase; its score is the sum of :func:`step_terms`.

    ``n`` is the length the search is filling (the phrase's, or what is left
    before its closing step). A ``lock`` (the choreographer's own step) keeps
    its facing and spot. ``climax`` overrides the phrase's (the closing bow and
    a locked step are not drawn downstage).
    """
    climax = task.climax if climax is None else climax
    if lock is not None:
        f, here = lock.facing, np.array(lock.spot, dtype=float)
    else:
        f, here = facing_for(step, side, st.facing, st.xz, task.stage, task.innovation, climax), st.xz
    facing, xz = after(step, side, f, here)
    terms = step_terms(task, st, step, beats, side, n=n, closing=closing, facing=f if lock is None else None,
                       inside=task.stage.inside(xz), end_z=float(xz[1]), climax=climax)
    score = st.score + task.noise.get(step.name, 0.0) + sum(terms.values())
    end = step.end_stance(side) if side != "-" else step.end
    entry = (step, beats, side, f, (float(here[0]), float(here[1])), st.beats + 1, lock is not None)
    return _State(score, st.steps + [entry], st.beats + beats, end, facing, xz,
                  side if side in ("R", "L") else st.last_side, st.before)


def _pool(task: PhraseTask) -> list[tuple[Step, tuple[int, ...]]]:
    """The steps this phrase may use and over how many beats: made for its meter, short enough, the opening left out.

    A jump danced over beats whose tempo leaves no room for its air time is
    left out: the flight is never shortened, another step is chosen
    (:func:`kanat.vocabulary.danced.min_beat_s`).
    """
    meter, n, brief = task.meter, task.n, task.brief
    pool = []
    for s in task.library:
        if meter not in s.meters or s.name == OPENING:
            continue
        fits = tuple(b for b in durations(s, meter, brief.innovation) if min_beat_s(s, b) <= task.beat_s)
        if fits and min(fits) <= n:
            pool.append((s, fits))
    if brief.style == "classical" and brief.innovation < 0.5:
        classical = [p for p in pool if p[0].family in ("classical", "linking")]
        pool = classical or pool
    return pool


def _start(task: PhraseTask, stance: str, facing: int, xz, last_side: str) -> list[_State]:
    """The states a phrase starts from: the first phrase opens with the préparation."""
    beams = [_State(0.0, [], 0, stance, facing, np.asarray(xz, float), last_side, task.before)]
    lib, forced = task.library, task.forced
    if task.first and 1 not in forced and OPENING in lib:
        s = lib.get(OPENING)
        d = min(durations(s, task.meter))
        if d <= task.n and not any(at <= d for at in forced):
            beams = [_State(1.0, [(s, d, "R", 1, (0.0, 0.0), 1, False)], d, s.end, 1, np.zeros(2), last_side,
                            task.before)]
    return beams


def _grow(task: PhraseTask, st: _State, pool: list[tuple[Step, tuple[int, ...]]], n: int) -> tuple[list[_State], bool]:
    """Every state one step longer than ``st``; True when the strict grammar left it cornered."""
    at = st.beats + 1
    forced = task.forced
    if at in forced:
        lock = forced[at]
        return [extend(task, st, task.library.get(lock.step), lock.beats, lock.side, lock=lock, climax=0.0)], False
    upcoming = [f for f in forced if f > at]
    limit = (min(upcoming) - at) if upcoming else n - st.beats
    grown = []
    for step, fits in pool:
        for beats in fits:
            if beats > limit:
                continue
            for side in sides(step):
                grown.append(extend(task, st, step, beats, side, n=n, closing=task.last and beats == n - st.beats))
    if task.innovation <= STRICT_BELOW:
        # strict grammar: only steps that start where the last one ended, big jumps
        # prepared; a sequence that has painted itself into a corner is dropped
        legal = [g for g in grown if lawful(g.steps[-1], st.stance, st.prev)]
        if not legal and grown:
            return grown, True
        grown = legal
    if not grown:  # nothing fits before the locked step: hold the pose until it
        grown = [_State(st.score - 1.5, st.steps, st.beats + limit, st.stance, st.facing, st.xz, st.last_side,
                        st.before)]
    return grown, False


def search(task: PhraseTask, start: list[_State], n: int) -> list[_State]:
    """Beam search for ``n`` beats from the ``start`` states; the finished (or fullest) states."""
    pool = _pool(task)
    beams = start
    finished: list[_State] = []
    for _ in range(n + 2):
        nxt: list[_State] = []
        cornered: list[_State] = []
        for st in beams:
            if st.beats >= n:
                finished.append(st)
                continue
            grown, stuck = _grow(task, st, pool, n)
            (cornered if stuck else nxt).extend(grown)
        if not nxt:
            nxt = cornered  # every sequence is cornered: break the rule rather than stop
        if not nxt:
            break
        nxt.sort(key=lambda s: -s.score)
        beams = nxt[: task.brief.beam]
    finished += [b for b in beams if b.beats >= n and b not in finished]
    if not finished:  # nothing fits exactly: take the fullest sequence, the pose is held for the rest
        finished = sorted(beams, key=lambda s: (s.beats, s.score), reverse=True)[:1]
    return finished


def _closings(task: PhraseTask, used: int) -> list[tuple[Step, int]]:
    """The closing steps (révérence, a final pose) that fit at the very end of the last phrase."""
    out = []
    for name in CLOSINGS:
        if name in task.library and name != OPENING:
            c = task.library.get(name)
            d = min(durations(c, task.meter))
            if d <= task.n - used and not any(at > task.n - d for at in task.forced):
                out.append((c, d))
    return out


def fill(task: PhraseTask, stance: str, facing: int, xz, last_side: str) -> Filled:
    """Fill the phrase: the best sequence of steps from ``stance``, ``facing`` and spot ``xz``.

    The search places locked steps exactly where they are and composes the
    rest so it chains into and out of them. Where no step fits the beats
    before a locked one, the dancer holds the pose (penalised like a broken
    rule). The last phrase keeps room for a closing step.
    """
    start = _start(task, stance, facing, xz, last_side)
    n = task.n
    closings = _closings(task, start[0].beats if start[0].steps else 0) if task.last else []
    if not closings:
        done = search(task, start, n)
        if task.innovation <= STRICT_BELOW:  # end the phrase where the next one can lawfully begin
            onward = [d for d in done if way_on(task.library, d.stance, d.prev)]
            done = onward or done
        best = max(done, key=lambda s: s.score)
    else:
        options = []
        for c, d in closings:
            for fin in search(task, start, n - d):
                for side in sides(c):
                    if fin.beats != n - d:
                        continue
                    legal = (c.start_stance(side) if side != "-" else c.start) == fin.stance
                    done = extend(task, fin, c, d, side, closing=True, climax=0.0)
                    options.append((legal or task.innovation > STRICT_BELOW, done.score, done))
        if options:
            best = max(options, key=lambda o: (o[0], o[1]))[2]
        else:
            best = max(search(task, start, n), key=lambda s: s.score)
    return Filled([placed_from(e) for e in best.steps], best.stance, best.facing, best.xz, best.last_side)
