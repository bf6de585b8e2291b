"""Compose: a choreography that follows the music's counts, phrases and sections.

Conventions
-----------
- One score phrase per MusicMap phrase; steps start and end on beats.
- A phrase is filled by a beam search over step sequences. Each candidate
  sequence is scored by the sum of the terms below (higher is better); the
  seed adds a small random preference so different seeds give different
  dances and the same seed the same dance.

Scoring terms (per placed step unless noted)
--------------------------------------------
energy     -|step energy - phrase energy| * 2: movement follows the music's
           loudness and density.
character  +1 when the step is made for the phrase's character (adagio,
           allegro, waltz ...), -0.5 when not.
chain      -3 * (1 - innovation) when the step does not start in the stance
           the previous one ended in (the grammar's first rule).
prepared   -2 * (1 - innovation) for a big jump or turn not right after one
           of its preparing steps.
accent     +0.5 when the step's accent lands on a downbeat.
repeat     -1.5 for the same step as the one before, -0.5 if used earlier
           in the phrase.
side       +0.4 for the side other than the last sided step's (right is
           soon done on the left).
family     -2.5 * (1 - innovation) for a modern step in a classical phrase;
           +innovation for it when innovation > 0.5.
stage      -4 when the step would end off the safe area of the stage;
           -0.3 for facing a side wall, -1.5 * (1 - innovation) for turning
           the back to the audience; travelling steps prefer the diagonals;
           in the piece's big moments (its loudest phrases, see climaxes())
           up to +3 for ending downstage.
bar        in 3/4, steps take whole bars (a 2-beat step is danced over one
           bar, a 4-beat one over two); -1.5 * (1 - innovation) for a step
           that would start off the "1" of a bar.
usage      -0.6 for every earlier use of the step in the dance (variety);
           the opening préparation is not used again.
ending     (per phrase) +3 when the phrase's last step is a held pose or a
           finished turn ending on the phrase's last beat.
difficulty -|step difficulty - wanted difficulty| * 0.3.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from kanat.body.stage import facing_to_yaw, local_to_world, yaw_to_facing
from kanat.compose.score import Phrase, PlacedStep, Score
from kanat.errors import ParameterError, ScoreError
from kanat.listen.musicmap import MusicMap
from kanat.vocabulary import Library, Step, load_library

OPENING = "préparation"
REPRISE = "port de bras with cambré"  # danced where a repeat would bring back the opening pose
CLOSINGS = ("révérence", "pose croisée", "préparation")
ENDING_NAMES = ("pose", "arabesque", "attitude", "pirouette", "révérence", "soutenu", "préparation", "balancé")


@dataclass
class Stage:
    """The stage floor: ``width_m`` across (x), ``depth_m`` deep (z), centred at the origin."""

    width_m: float = 10.0
    depth_m: float = 8.0
    margin_m: float = 1.0

    def inside(self, xz: np.ndarray) -> bool:
        return abs(xz[0]) <= self.width_m / 2 - self.margin_m and abs(xz[1]) <= self.depth_m / 2 - self.margin_m


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


def _phrase_character(music_map: MusicMap, a: int, z: int) -> tuple[str, float]:
    beats = music_map.beats_s[a : z + 2] if z + 1 < music_map.n_beats else music_map.beats_s[a : z + 1]
    bpm = 60.0 / float(np.median(np.diff(beats))) if beats.size > 1 else music_map.tempo_bpm
    meter = int(music_map.meter[a])
    if bpm < 85:
        return "adagio", bpm
    if meter == 3:
        return "waltz", bpm
    if bpm >= 110:
        return "allegro", bpm
    return "any", bpm


@functools.lru_cache(maxsize=None)
def _move(travel: tuple[float, float], turn_deg: float, side: str, facing: int) -> tuple[int, float, float]:
    """A step's effect from a facing: the facing it ends in and its (x, z) displacement, metres."""
    yaw = facing_to_yaw(facing)
    d = local_to_world(travel, yaw, side)
    turn = np.radians(turn_deg) * (-1.0 if side == "R" else 1.0)
    return yaw_to_facing(yaw + turn), float(d[0]), float(d[1])


def _after(step: Step, side: str, facing: int, xz: np.ndarray) -> tuple[int, np.ndarray]:
    """Facing and stage spot after dancing ``step`` from ``xz`` facing ``facing``."""
    f, dx, dz = _move(step.travel, step.turn_deg, side, facing)
    return f, np.array([xz[0] + dx, xz[1] + dz])


_FACING_COST = {1: 0.0, 2: 0.0, 8: 0.0, 3: 0.3, 7: 0.3, 4: 1.5, 6: 1.5, 5: 1.5}


def _facing_for(step: Step, side: str, facing: int, xz: np.ndarray, stage: Stage, innovation: float = 0.0,
                climax: float = 0.0) -> int:
    """The direction to dance a step in: keep the facing for steps in place;
    travelling steps prefer the diagonals, stay on the stage and come back
    toward the centre when far out."""
    if step.travel == (0.0, 0.0):
        return facing
    best, best_cost = facing, np.inf
    x0, z0 = float(xz[0]), float(xz[1])
    for f in (facing, 2, 8, 1, 3, 7, 4, 6, 5):
        _f, dx, dz = _move(step.travel, step.turn_deg, side, f)
        end = (x0 + dx, z0 + dz)
        dist = math.hypot(*end)
        cost = _FACING_COST[f] * (1.0 - innovation if f in (4, 5, 6) else 1.0)
        cost += 0.0 if f in (2, 8) else 0.1
        cost += 0.0 if stage.inside(end) else 10.0 + dist
        cost += 0.3 * max(0.0, dist - 2.5) * (1.0 - climax)
        cost -= 2.0 * climax * float(np.clip(end[1] / 2.0, -1.0, 1.0))  # big moments travel downstage
        if cost < best_cost - 1e-9:
            best, best_cost = f, cost
    return best


def durations(step: Step, meter: int, innovation: float = 0.0) -> tuple[int, ...]:
    """How many beats a step may take in this meter.

    In 3/4 a step takes whole bars: 1- and 2-beat steps one bar, 4-beat steps
    two; steps made in 3 keep their length. With innovation above 0.6 a step
    may also keep its own length against the bar.
    """
    if meter != 3 or step.beats % 3 == 0:
        return (step.beats,)
    bars = max(1, int(round(step.beats / 2.0)))
    out = (3 * bars,)
    if innovation > 0.6:
        out += (step.beats,)
    return out


def compose(
    music_map: MusicMap,
    *,
    library: Library | None = None,
    style: str = "classical",
    innovation: float = 0.2,
    difficulty: int = 2,
    seed: int = 0,
    stage: Stage | None = None,
    music: str = "",
    beam: int = 12,
    constraints: Score | None = None,
) -> Score:
    """Compose a dance for the music.

    Parameters
    ----------
    music_map : MusicMap
    library : Library, optional
        The vocabulary (kanat's own by default).
    style : {"classical", "modern"}
    innovation : float in [0, 1]
        0 keeps strict classical grammar and vocabulary; 1 is free.
    difficulty : int in [1, 5]
    seed : int
        The same seed gives the same dance.
    stage : Stage, optional
        10 m x 8 m by default.
    constraints : Score, optional
        A partial score written by the choreographer: phrases marked
        ``locked`` are kept whole, steps marked ``locked`` are kept exactly
        (step, beat, side, facing, spot); everything else is composed so it
        chains into and out of them. Checked before any composing: an
        unknown step, a locked step that does not fit its phrase, two locked
        steps that cannot chain, or a phrase that does not match the music
        raise an error naming the line of the score.

    Returns
    -------
    score : Score
    """
    if not 0.0 <= innovation <= 1.0:
        raise ParameterError(f"innovation must be between 0 and 1, got {innovation}")
    if not 1 <= int(difficulty) <= 5:
        raise ParameterError(f"difficulty must be 1-5, got {difficulty}")
    if style not in ("classical", "modern"):
        raise ParameterError(f"style must be 'classical' or 'modern', got {style!r}")
    if not music_map.phrases:
        raise ParameterError("the music map has no phrases; the music is too short or has no beat to dance to")
    library = library or load_library()
    locks = _locks(constraints, music_map, library, innovation) if constraints is not None else {}
    stage = stage or Stage()
    rng = np.random.default_rng(seed)
    usage: dict[str, int] = {}
    downbeat = music_map.beat_in_bar == 1
    places = music_map.phrase_sections()
    tunes = [str(t) for t in music_map.extras.get("phrase_letters", [])]
    by_tune: dict[str, list[Phrase]] = {}
    peaks = climaxes(music_map)

    phrases: list[Phrase] = []
    by_section: dict[tuple[str, int], list[Phrase]] = {}
    stance, facing, xz, last_side = "fifth_R", 1, np.zeros(2), "L"
    n_phr = len(music_map.phrases)
    for k, (a, z) in enumerate(music_map.phrases):
        n = z - a + 1
        letter, place = places[k]
        char, _bpm = _phrase_character(music_map, a, z)
        energy = float(np.mean(music_map.energy[a : z + 1]))
        noise = {s.name: rng.normal(0.0, 0.5) for s in library}
        # the music repeats: the same place in an earlier section of the same letter, or
        # else an earlier phrase of the same music (an eight played twice within a strain)
        template = next((p for p in by_section.get((letter, place), []) if p.n_beats == n), None)
        tune = tunes[k] if k < len(tunes) else ""
        if template is None and tune:
            template = next((p for p in by_tune.get(tune, []) if p.n_beats == n), None)
        ph = Phrase(index=k + 1, first_beat=a, n_beats=n, section=letter)
        facing = facing if facing in (1, 2, 8) else 1  # each phrase starts toward the audience
        lock = locks.get(k)
        before = library.get(phrases[-1].steps[-1].step) if phrases and phrases[-1].steps else None
        if lock is not None and lock[0] == "phrase":
            placed = [PlacedStep(**{**st.__dict__, "line": None}) for st in lock[1].steps]
            ph.locked = True
            if placed:
                last_placed = placed[-1]
                step = library.get(last_placed.step)
                facing, xz = _after(step, last_placed.side, last_placed.facing, np.array(last_placed.spot, float))
                stance = step.end_stance(last_placed.side) if last_placed.side != "-" else step.end
                last_side = next((p.side for p in reversed(placed) if p.side in ("R", "L")), last_side)
        elif template is not None and k != n_phr - 1 and lock is None and (
            innovation > STRICT_BELOW or _chains_into(template, library, stance, True, before)
            or _chains_into(template, library, stance, False, before)
        ):
            # the music repeats: the same phrase on the other side (a recognisable variation),
            # or on the same side where only that chains from the step before
            mirror = (innovation > STRICT_BELOW or _chains_into(template, library, stance, True, before)
                      or not _chains_into(template, library, stance, False, before))
            placed, stance, facing, xz, last_side = _vary(template, library, stance, facing, xz, stage, innovation,
                                                          mirror=mirror)
        else:
            placed, stance, facing, xz, last_side = _fill(
                library, n, a, char, energy, stance, facing, xz, last_side, downbeat, music_map, stage,
                innovation, style, difficulty, noise, usage, beam, first=(k == 0), last=(k == n_phr - 1),
                forced=lock[1] if lock is not None else None,
                before=before, climax=float(peaks[k]),
            )
        for st in placed:
            usage[st.step] = usage.get(st.step, 0) + 1
        ph.steps = placed
        phrases.append(ph)
        by_section.setdefault((letter, place), []).append(ph)
        if tune:
            by_tune.setdefault(tune, []).append(ph)
    settings = {
        "style": style, "innovation": float(innovation), "difficulty": int(difficulty), "seed": int(seed),
        "stage": {"width_m": stage.width_m, "depth_m": stage.depth_m},
    }
    return Score(music=music or music_map.source, settings=settings, phrases=phrases,
                 doc=constraints.doc if constraints is not None else None)


def _locks(constraints: Score, music_map: MusicMap, library: Library, innovation: float) -> dict:
    """What the choreographer fixed, by phrase index: ("phrase", Phrase) or ("steps", {at: PlacedStep}).

    Every check names the line of the score so the choreographer can fix it.
    """
    where = constraints.path or "score.yaml"
    out: dict = {}
    for ph in constraints.phrases:
        fixed = [st for st in ph.steps if st.locked or ph.locked]
        if not fixed and not ph.locked:
            continue
        k = ph.index - 1
        line = f"{where} line {ph.line}" if ph.line else where
        if not 0 <= k < len(music_map.phrases):
            raise ScoreError(f"{line}: phrase {ph.index} does not exist in this music (it has {len(music_map.phrases)} phrases)")
        a, z = music_map.phrases[k]
        if (ph.first_beat, ph.n_beats) != (a, z - a + 1):
            raise ScoreError(
                f"{line}: phrase {ph.index} starts on beat {ph.first_beat} and lasts {ph.n_beats} beats, but in this "
                f"music it starts on beat {a} and lasts {z - a + 1}; the score was made for other music or another analysis"
            )
        meter = int(music_map.meter[a])
        taken: dict[int, PlacedStep] = {}
        for st in sorted(fixed, key=lambda s: s.at):
            sline = f"{where} line {st.line}" if st.line else line
            step = library.get(st.step, where=sline)
            if st.beats <= 0:
                st.beats = min(durations(step, meter, innovation))
            if st.side not in _sides(step) and not (st.side in ("R", "L") and step.sided):
                st.side = _sides(step)[0]
            if st.at + st.beats - 1 > ph.n_beats:
                raise ScoreError(
                    f"{sline}: locked step '{st.step}' on beat {st.at} takes {st.beats} beats and runs past the end of "
                    f"phrase {ph.index} ({ph.n_beats} beats); start it earlier or shorten it"
                )
            clash = [o for o in taken.values() if o.at <= st.at < o.at + o.beats]
            if clash:
                raise ScoreError(f"{sline}: locked step '{st.step}' on beat {st.at} overlaps '{clash[0].step}' "
                                 f"(line {clash[0].line}) which takes beats {clash[0].at}-{clash[0].at + clash[0].beats - 1}")
            before = [o for o in taken.values() if o.at + o.beats == st.at]
            if before and innovation < 0.5:
                prev = before[0]
                p_step = library.get(prev.step)
                ends = p_step.end_stance(prev.side) if prev.side != "-" else p_step.end
                starts = step.start_stance(st.side) if st.side != "-" else step.start
                if ends != starts:
                    raise ScoreError(
                        f"{sline}: locked step '{st.step}' starts in {starts} but the locked '{prev.step}' right before it "
                        f"(line {prev.line}) ends in {ends}, with no beat between them for a linking step; "
                        "leave a beat free, change a side, or raise --innovation"
                    )
            taken[st.at] = st
        out[k] = ("phrase", ph) if ph.locked else ("steps", taken)
    return out


def _chains_into(template: Phrase, library: Library, stance: str, mirror: bool, before: Step | None = None) -> bool:
    """Would the repeat of ``template`` (mirrored or not) start lawfully: in ``stance``, prepared if it must be?"""
    if not template.steps:
        return True
    st = template.steps[0]
    step = library.get(st.step)
    if step.name == OPENING and REPRISE in library:
        step = library.get(REPRISE)
    side = _other(st.side) if mirror else st.side
    if step.prepared_by and (before is None or before.name not in step.prepared_by):
        return False
    return (step.start_stance(side) if side != "-" else step.start) == stance


def _vary(template: Phrase, library: Library, stance, facing, xz, stage, innovation, mirror: bool = True):
    """Repeat a phrase (on the other side when ``mirror``), re-placed on the stage from where the dancer is."""
    placed = []
    last_side = "R"
    for st in template.steps:
        step = library.get(st.step)
        if step.name == OPENING and REPRISE in library:  # the opening pose is not danced again
            step = library.get(REPRISE)
        side = _other(st.side) if mirror else st.side
        f = _facing_for(step, side, facing, xz, stage, innovation)
        placed.append(PlacedStep(step=step.name, at=st.at, beats=st.beats, side=side, facing=f, spot=(float(xz[0]), float(xz[1]))))
        facing, xz = _after(step, side, f, xz)
        stance = step.end_stance(side) if side != "-" else step.end
        if side in ("R", "L"):
            last_side = side
    return placed, stance, facing, xz, last_side


CLIMAX_QUANTILE = 0.75  # phrases louder than this share of the piece's phrases are its big moments
STRICT_BELOW = 0.05  # at innovation this low the grammar is a rule, not a preference


def _lawful(entry: tuple, stance: str, prev: Step | None) -> bool:
    """Does a placed step keep the classical grammar: chain from ``stance``, and come prepared?"""
    step, side = entry[0], entry[2]
    start = step.start_stance(side) if side != "-" else step.start
    if start != stance:
        return False
    return not step.prepared_by or (prev is not None and prev.name in step.prepared_by)


def _way_on(library: Library, stance: str, prev: Step | None) -> bool:
    """Can some step lawfully follow ``prev`` ending in ``stance``?"""
    for step in library:
        for side in _sides(step):
            if (step.start_stance(side) if side != "-" else step.start) == stance and (
                not step.prepared_by or (prev is not None and prev.name in step.prepared_by)
            ):
                return True
    return False


def climaxes(music_map: MusicMap) -> np.ndarray:
    """How much each phrase is one of the piece's big moments, 0-1, shape (P,).

    A phrase counts when its mean energy is above the piece's
    ``CLIMAX_QUANTILE`` of phrase energies and clearly above its median;
    the loudest phrase gets 1.
    """
    e = np.array([float(np.mean(music_map.energy[a : z + 1])) for a, z in music_map.phrases])
    if e.size < 3:
        return np.zeros(e.size)
    lo, top = max(np.quantile(e, CLIMAX_QUANTILE), np.median(e) + 0.05), e.max()
    if top <= lo:
        return np.zeros(e.size)
    return np.clip((e - lo) / (top - lo), 0.0, 1.0)


def _other(side: str) -> str:
    return {"R": "L", "L": "R"}.get(side, side)


def _sides(step: Step) -> tuple[str, ...]:
    return ("R", "L") if step.sided else ("-",)


def _fill(library, n, a, char, energy, stance, facing, xz, last_side, downbeat, music_map, stage, innovation,
          style, difficulty, noise, usage, beam, *, first: bool, last: bool, forced: dict | None = None,
          before: Step | None = None, climax: float = 0.0):
    """Beam search for one phrase of ``n`` beats starting at beat ``a``.

    ``forced`` maps a 1-based beat of the phrase to a locked
    :class:`PlacedStep`: the search places it exactly there and composes the
    rest so it chains into and out of it. Where no step fits the beats before
    a locked one, the dancer holds the pose (penalised like a broken rule).
    """
    forced = forced or {}
    meter = int(music_map.meter[a])
    pool = [s for s in library if meter in s.meters and min(durations(s, meter, innovation)) <= n and s.name != OPENING]
    if style == "classical" and innovation < 0.5:
        classical = [s for s in pool if s.family in ("classical", "linking")]
        pool = classical or pool
    beams = [_State(0.0, [], 0, stance, facing, np.asarray(xz, float), last_side, before)]
    if first and 1 not in forced and OPENING in library:
        s = library.get(OPENING)
        d = min(durations(s, meter))
        if d <= n and not any(at <= d for at in forced):
            beams = [_State(1.0, [(s, d, "R", 1, (0.0, 0.0), 1, False)], d, s.end, 1, np.zeros(2), last_side, before)]
    start_beams = beams

    def search(n: int) -> list[_State]:
        beams = start_beams
        finished: list[_State] = []
        for _ in range(n + 2):
            nxt: list[_State] = []
            cornered: list[_State] = []
            for st in beams:
                if st.beats >= n:
                    finished.append(st)
                    continue
                at = st.beats + 1
                if at in forced:
                    lock = forced[at]
                    step = library.get(lock.step)
                    nxt.append(_extend(st, step, lock.beats, lock.side, a, full, meter, char, energy, downbeat, stage,
                                       innovation, style, difficulty, noise, usage, False, lock=lock))
                    continue
                upcoming = [f for f in forced if f > at]
                limit = (min(upcoming) - at) if upcoming else n - st.beats
                grown = []
                prev = st.prev
                for step in pool:
                    for beats in durations(step, meter, innovation):
                        if beats > limit:
                            continue
                        for side in _sides(step):
                            grown.append(_extend(st, step, beats, side, a, n, meter, char, energy, downbeat, stage,
                                                 innovation, style, difficulty, noise, usage,
                                                 last and beats == n - st.beats, climax=climax))
                if innovation <= STRICT_BELOW:
                    # strict grammar: only steps that start where the last one ended, big jumps
                    # prepared; a sequence that has painted itself into a corner is dropped
                    lawful = [g for g in grown if _lawful(g.steps[-1], st.stance, prev)]
                    if not lawful and grown:
                        cornered += grown
                        continue
                    grown = lawful
                nxt += grown
                if not grown:  # nothing fits before the locked step: hold the pose until it
                    nxt.append(_State(st.score - 1.5, st.steps, st.beats + limit, st.stance, st.facing, st.xz,
                                      st.last_side, st.before))
            if not nxt:
                nxt = cornered  # every sequence is cornered: break the rule rather than stop
            if not nxt:
                break
            nxt.sort(key=lambda s: -s.score)
            beams = nxt[:beam]
        finished += [b for b in beams if b.beats >= n and b not in finished]
        if not finished:  # nothing fits exactly: take the fullest sequence, the pose is held for the rest
            finished = sorted(beams, key=lambda s: (s.beats, s.score), reverse=True)[:1]
        return finished

    full = n
    closings = []
    if last:  # keep room for the révérence (or a final pose) at the very end
        used = start_beams[0].beats if start_beams[0].steps else 0
        for name in CLOSINGS:
            if name in library and name != OPENING:
                c = library.get(name)
                d = min(durations(c, meter))
                if d <= n - used and not any(at > n - d for at in forced):
                    closings.append((c, d))
    if not closings:
        done = search(n)
        if innovation <= STRICT_BELOW:  # end the phrase where the next one can lawfully begin
            onward = [d for d in done if _way_on(library, d.stance, d.prev)]
            done = onward or done
        best = max(done, key=lambda s: s.score)
    else:
        options = []
        for c, d in closings:
            for fin in search(n - d):
                for side in _sides(c):
                    if fin.beats != n - d:
                        continue
                    lawful = (c.start_stance(side) if side != "-" else c.start) == fin.stance
                    done = _extend(fin, c, d, side, a, full, meter, char, energy, downbeat, stage, innovation, style,
                                   difficulty, noise, usage, True)
                    options.append((lawful or innovation > STRICT_BELOW, done.score, done))
        if options:
            best = max(options, key=lambda o: (o[0], o[1]))[2]
        else:
            best = max(search(n), key=lambda s: s.score)
    placed = []
    for step, beats, side, f, spot, at, locked in best.steps:
        placed.append(PlacedStep(step=step.name, at=at, beats=beats, side=side, facing=int(f),
                                 spot=(float(spot[0]), float(spot[1])), locked=locked))
    return placed, best.stance, best.facing, best.xz, best.last_side


def _extend(st: _State, step: Step, beats: int, side: str, a: int, n: int, meter: int, char: str, energy: float,
            downbeat: np.ndarray, stage: Stage, innovation: float, style: str, difficulty: int, noise: dict,
            usage: dict, closing: bool, lock: PlacedStep | None = None, climax: float = 0.0) -> _State:
    """Place one more step on a partial phrase; its score is the sum of :func:`step_terms`.

    A ``lock`` (the choreographer's own step) keeps its facing and spot.
    """
    if lock is not None:
        f, here = lock.facing, np.array(lock.spot, dtype=float)
    else:
        f, here = _facing_for(step, side, st.facing, st.xz, stage, innovation, climax), st.xz
    facing, xz = _after(step, side, f, here)
    terms = step_terms(st, step, beats, side, a=a, n=n, meter=meter, char=char, energy=energy, downbeat=downbeat,
                       innovation=innovation, style=style, difficulty=difficulty, usage=usage, closing=closing,
                       facing=f if lock is None else None, inside=stage.inside(xz), end_z=float(xz[1]),
                       climax=climax)
    score = st.score + noise.get(step.name, 0.0) + sum(terms.values())
    end = step.end_stance(side) if side != "-" else step.end
    entry = (step, beats, side, f, (float(here[0]), float(here[1])), st.beats + 1, lock is not None)
    return _State(score, st.steps + [entry], st.beats + beats, end, facing, xz,
                  side if side in ("R", "L") else st.last_side, st.before)


def step_terms(st: _State, step: Step, beats: int, side: str, *, a: int, n: int, meter: int, char: str,
               energy: float, downbeat: np.ndarray, innovation: float, style: str, difficulty: int, usage: dict,
               closing: bool, facing: int | None, inside: bool, end_z: float | None = None,
               climax: float = 0.0) -> dict[str, float]:
    """Every term of the composer's score for placing ``step`` after the partial phrase ``st``.

    The names and weights are those of the module docstring; higher is better.
    ``facing`` is the direction chosen for the step (None for a locked one),
    ``inside`` whether it ends on the safe area of the stage, ``end_z`` how
    far downstage (metres, + toward the audience), ``climax`` how much of a
    big moment this phrase is (0-1, see :func:`climaxes`).
    """
    strict = 1.0 - innovation
    t: dict[str, float] = {}
    start = step.start_stance(side) if side != "-" else step.start
    t["energy"] = -2.0 * abs(step.energy - energy)
    t["character"] = 1.0 if (char in step.character or "any" in step.character) else -0.5
    t["chain"] = -3.0 * strict if start != st.stance else 0.0
    prev = st.prev
    t["prepared"] = -2.0 * strict if step.prepared_by and (prev is None or prev.name not in step.prepared_by) else 0.0
    stretch = beats / step.beats
    accent_beat = a + st.beats + int(np.floor(step.accent * stretch))
    on_down = accent_beat < downbeat.shape[0] and downbeat[accent_beat]
    t["accent"] = 0.5 if on_down and float(step.accent * stretch).is_integer() else 0.0
    starts_bar = a + st.beats < downbeat.shape[0] and downbeat[a + st.beats]
    t["bar"] = -1.5 * strict if meter == 3 and not starts_bar else 0.0
    if prev is not None and prev.name == step.name:
        t["repeat"] = -1.5
    elif any(s[0].name == step.name for s in st.steps):
        t["repeat"] = -0.5
    else:
        t["repeat"] = 0.0
    t["usage"] = -0.6 * min(usage.get(step.name, 0), 4)
    t["side"] = 0.4 if side in ("R", "L") and side != st.last_side else 0.0
    fam = 0.0
    if step.family in ("modern", "contemporary"):
        if style == "classical":
            fam -= 2.5 * strict
        if innovation > 0.5:
            fam += innovation
    elif style == "modern":
        fam -= 1.0 * strict
    t["family"] = fam
    t["difficulty"] = -0.3 * abs(step.difficulty - difficulty)
    stage_term = 0.0 if inside else -4.0
    if climax > 0 and end_z is not None:  # big moments come downstage
        stage_term += 3.0 * climax * float(np.clip(end_z / 2.0, -1.0, 1.0))
    if facing is not None:
        stage_term -= _FACING_COST[facing] * (strict if facing in (4, 5, 6) else 1.0)
    t["stage"] = stage_term
    ending = 0.0
    if st.beats + beats == n:
        if any(k in step.name for k in ENDING_NAMES):
            ending += 3.0
        if closing and step.name in CLOSINGS:
            ending += 4.0
    t["ending"] = ending
    return t
