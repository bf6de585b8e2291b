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
           the back to the audience; travelling steps prefer the diagonals.
bar        in 3/4, steps take whole bars (a 2-beat step is danced over one
           bar, a 4-beat one over two); -1.5 * (1 - innovation) for a step
           that would start off the "1" of a bar.
usage      -0.6 for every earlier use of the step in the dance (variety);
           the opening préparation is not used again.
ending     (per phrase) +2 when the phrase's last step is a held pose, a
           finished turn or a landing that ends on the phrase's last beat.
difficulty -|step difficulty - wanted difficulty| * 0.3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kanat.body.stage import facing_to_yaw, local_to_world, yaw_to_facing
from kanat.compose.score import Phrase, PlacedStep, Score
from kanat.errors import ParameterError
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
    steps: list = field(compare=False)  # (Step, side, facing, spot)
    beats: int = field(compare=False)
    stance: str = field(compare=False)
    facing: int = field(compare=False)
    xz: np.ndarray = field(compare=False)
    last_side: str = field(compare=False)


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


def _after(step: Step, side: str, facing: int, xz: np.ndarray) -> tuple[int, np.ndarray]:
    yaw = facing_to_yaw(facing)
    new_xz = xz + local_to_world(step.travel, yaw, side)
    turn = np.radians(step.turn_deg) * (-1.0 if side == "R" else 1.0)
    return yaw_to_facing(yaw + turn), new_xz


_FACING_COST = {1: 0.0, 2: 0.0, 8: 0.0, 3: 0.3, 7: 0.3, 4: 1.5, 6: 1.5, 5: 1.5}


def _facing_for(step: Step, side: str, facing: int, xz: np.ndarray, stage: Stage, innovation: float = 0.0) -> int:
    """The direction to dance a step in: keep the facing for steps in place;
    travelling steps prefer the diagonals, stay on the stage and come back
    toward the centre when far out."""
    if step.travel == (0.0, 0.0):
        return facing
    best, best_cost = facing, np.inf
    for f in (facing, 2, 8, 1, 3, 7, 4, 6, 5):
        end = _after(step, side, f, xz)[1]
        cost = _FACING_COST[f] * (1.0 - innovation if f in (4, 5, 6) else 1.0)
        cost += 0.0 if f in (2, 8) else 0.1
        cost += 0.0 if stage.inside(end) else 10.0 + float(np.linalg.norm(end))
        cost += 0.3 * max(0.0, float(np.linalg.norm(end)) - 2.5)
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
    stage = stage or Stage()
    rng = np.random.default_rng(seed)
    usage: dict[str, int] = {}
    downbeat = music_map.beat_in_bar == 1
    sections = music_map.section_of_beat()

    phrases: list[Phrase] = []
    by_section: dict[str, list[Phrase]] = {}
    stance, facing, xz, last_side = "fifth_R", 1, np.zeros(2), "L"
    n_phr = len(music_map.phrases)
    for k, (a, z) in enumerate(music_map.phrases):
        n = z - a + 1
        letter = sections[a] if a < len(sections) else ""
        char, _bpm = _phrase_character(music_map, a, z)
        energy = float(np.mean(music_map.energy[a : z + 1]))
        noise = {s.name: rng.normal(0.0, 0.5) for s in library}
        template = next((p for p in by_section.get(letter, []) if p.n_beats == n), None)
        ph = Phrase(index=k + 1, first_beat=a, n_beats=n, section=letter)
        facing = facing if facing in (1, 2, 8) else 1  # each phrase starts toward the audience
        if template is not None and k != n_phr - 1:
            # the music repeats: the same phrase on the other side (a recognisable variation)
            placed, stance, facing, xz, last_side = _vary(template, library, stance, facing, xz, stage, innovation)
        else:
            placed, stance, facing, xz, last_side = _fill(
                library, n, a, char, energy, stance, facing, xz, last_side, downbeat, music_map, stage,
                innovation, style, difficulty, noise, usage, beam, first=(k == 0), last=(k == n_phr - 1),
            )
        for st in placed:
            usage[st.step] = usage.get(st.step, 0) + 1
        ph.steps = placed
        phrases.append(ph)
        by_section.setdefault(letter, []).append(ph)
    settings = {
        "style": style, "innovation": float(innovation), "difficulty": int(difficulty), "seed": int(seed),
        "stage": {"width_m": stage.width_m, "depth_m": stage.depth_m},
    }
    return Score(music=music or music_map.source, settings=settings, phrases=phrases)


def _vary(template: Phrase, library: Library, stance, facing, xz, stage, innovation):
    """Repeat a phrase on the other side, re-placed on the stage from where the dancer is."""
    placed = []
    last_side = "R"
    for st in template.steps:
        step = library.get(st.step)
        if step.name == OPENING and REPRISE in library:  # the opening pose is not danced again
            step = library.get(REPRISE)
        side = {"R": "L", "L": "R"}.get(st.side, st.side)
        f = _facing_for(step, side, facing, xz, stage, innovation)
        placed.append(PlacedStep(step=step.name, at=st.at, beats=st.beats, side=side, facing=f, spot=(float(xz[0]), float(xz[1]))))
        facing, xz = _after(step, side, f, xz)
        stance = step.end_stance(side) if side != "-" else step.end
        if side in ("R", "L"):
            last_side = side
    return placed, stance, facing, xz, last_side


def _sides(step: Step) -> tuple[str, ...]:
    return ("R", "L") if step.sided else ("-",)


def _fill(library, n, a, char, energy, stance, facing, xz, last_side, downbeat, music_map, stage, innovation,
          style, difficulty, noise, usage, beam, *, first: bool, last: bool):
    """Beam search for one phrase of ``n`` beats starting at beat ``a``."""
    meter = int(music_map.meter[a])
    pool = [s for s in library if meter in s.meters and min(durations(s, meter, innovation)) <= n and s.name != OPENING]
    if style == "classical" and innovation < 0.5:
        classical = [s for s in pool if s.family in ("classical", "linking")]
        pool = classical or pool
    beams = [_State(0.0, [], 0, stance, facing, np.asarray(xz, float), last_side)]
    if first and OPENING in library and min(durations(library.get(OPENING), meter)) <= n:
        s = library.get(OPENING)
        d = min(durations(s, meter))
        beams = [_State(1.0, [(s, d, "R", 1, (0.0, 0.0))], d, s.end, 1, np.zeros(2), last_side)]
    closing = None
    if last:  # keep room for the révérence (or a final pose) at the very end
        for name in CLOSINGS:
            if name in library and name != OPENING:
                c = library.get(name)
                d = min(durations(c, meter))
                if d <= n - (beams[0].beats if beams[0].steps else 0):
                    closing = (c, d)
                    break
    full = n
    if closing is not None:
        n = n - closing[1]
    finished: list[_State] = []
    for _ in range(max(n, 0)):
        nxt: list[_State] = []
        for st in beams:
            if st.beats >= n:
                finished.append(st)
                continue
            remaining = n - st.beats
            for step in pool:
                for beats in durations(step, meter, innovation):
                    if beats > remaining:
                        continue
                    for side in _sides(step):
                        nxt.append(_extend(st, step, beats, side, a, n, meter, char, energy, downbeat, stage, innovation,
                                           style, difficulty, noise, usage, last and beats == remaining))
        if not nxt:
            break
        nxt.sort(key=lambda s: -s.score)
        beams = nxt[:beam]
    finished += [b for b in beams if b.beats >= n]
    if not finished:  # nothing fits exactly: take the fullest sequence, the pose is held for the rest
        finished = sorted(beams, key=lambda s: (s.beats, s.score), reverse=True)[:1]
    best = max(finished, key=lambda s: s.score)
    if closing is not None:
        c, d = closing
        side = "-" if not c.sided else ("L" if best.last_side == "R" else "R")
        best = _extend(best, c, d, side, a, full, meter, char, energy, downbeat, stage, innovation, style, difficulty,
                       noise, usage, True)
    placed, at = [], 1
    for step, beats, side, f, spot in best.steps:
        placed.append(PlacedStep(step=step.name, at=at, beats=beats, side=side, facing=int(f), spot=(float(spot[0]), float(spot[1]))))
        at += beats
    return placed, best.stance, best.facing, best.xz, best.last_side


def _extend(st: _State, step: Step, beats: int, side: str, a: int, n: int, meter: int, char: str, energy: float,
            downbeat: np.ndarray, stage: Stage, innovation: float, style: str, difficulty: int, noise: dict,
            usage: dict, closing: bool) -> _State:
    """Score one more step on a partial phrase (see the module docstring for each term)."""
    strict = 1.0 - innovation
    score = st.score + noise[step.name]
    start = step.start_stance(side) if side != "-" else step.start
    score -= 2.0 * abs(step.energy - energy)
    score += 1.0 if (char in step.character or "any" in step.character) else -0.5
    if start != st.stance:
        score -= 3.0 * strict
    prev = st.steps[-1][0] if st.steps else None
    if step.prepared_by and (prev is None or prev.name not in step.prepared_by):
        score -= 2.0 * strict
    stretch = beats / step.beats
    accent_beat = a + st.beats + int(np.floor(step.accent * stretch))
    if accent_beat < downbeat.shape[0] and downbeat[accent_beat] and float(step.accent * stretch).is_integer():
        score += 0.5
    if meter == 3 and not (a + st.beats < downbeat.shape[0] and downbeat[a + st.beats]):
        score -= 1.5 * strict
    if prev is not None and prev.name == step.name:
        score -= 1.5
    elif any(s[0].name == step.name for s in st.steps):
        score -= 0.5
    score -= 0.6 * min(usage.get(step.name, 0), 4)
    if side in ("R", "L") and side != st.last_side:
        score += 0.4
    if step.family in ("modern", "contemporary"):
        if style == "classical":
            score -= 2.5 * strict
        if innovation > 0.5:
            score += innovation
    elif style == "modern":
        score -= 1.0 * strict
    score -= 0.3 * abs(step.difficulty - difficulty)
    f = _facing_for(step, side, st.facing, st.xz, stage, innovation)
    score -= _FACING_COST[f] * (strict if f in (4, 5, 6) else 1.0)
    facing, xz = _after(step, side, f, st.xz)
    if not stage.inside(xz):
        score -= 4.0
    total = st.beats + beats
    if total == n:
        if any(k in step.name for k in ENDING_NAMES) or step.is_jump:
            score += 2.0
        if closing and step.name in CLOSINGS:
            score += 4.0
    end = step.end_stance(side) if side != "-" else step.end
    return _State(score, st.steps + [(step, beats, side, f, (float(st.xz[0]), float(st.xz[1])))], total, end, facing, xz,
                  side if side in ("R", "L") else st.last_side)
