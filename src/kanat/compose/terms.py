"""The composer's scoring terms: how much a step placed here is worth.

Conventions
-----------
- Every term is a float, higher is better; a placed step's worth is the sum
  of :func:`step_terms` (plus the seed's small random preference). The names
  and weights are listed in :mod:`kanat.compose.composer`'s docstring.
- A :class:`PhraseTask` is the phrase being filled: where it sits in the
  music, its character and energy, and the :class:`~kanat.brief.Brief`; the
  search (:mod:`kanat.compose.search`) passes it whole.
- Facings are Vaganova directions 1-8; spots ``(x, z)`` metres on the stage.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from kanat.body.stage import Stage, facing_to_yaw, local_to_world, yaw_to_facing
from kanat.brief import Brief
from kanat.compose.score import PlacedStep
from kanat.listen.musicmap import MusicMap
from kanat.vocabulary import Library, Step
from kanat.vocabulary.tempo import tempo_character

ENDING_NAMES = ("pose", "arabesque", "attitude", "pirouette", "révérence", "soutenu", "préparation", "balancé")
CLOSINGS = ("révérence", "pose croisée", "préparation")
#: What facing a direction costs: the audience and its corners are free, a wall a little, the back a lot.
FACING_COST = {1: 0.0, 2: 0.0, 8: 0.0, 3: 0.3, 7: 0.3, 4: 1.5, 6: 1.5, 5: 1.5}


@dataclass
class PhraseTask:
    """One phrase to fill: ``n`` beats from beat ``a`` of the music, and everything the terms read.

    ``forced`` maps a 1-based beat of the phrase to the choreographer's locked
    :class:`PlacedStep`; ``before`` is the step danced just before the phrase;
    ``usage`` counts the steps danced so far in the piece; ``noise`` is the
    seed's preference per step name; ``climax`` how much of a big moment the
    phrase is (0-1).
    """

    library: Library
    brief: Brief
    music_map: MusicMap
    a: int
    n: int
    energy: float
    char: str = "any"
    noise: dict = field(default_factory=dict)
    usage: dict = field(default_factory=dict)
    first: bool = False
    last: bool = False
    climax: float = 0.0
    forced: dict = field(default_factory=dict)
    before: Step | None = None

    @property
    def meter(self) -> int:
        return int(self.music_map.meter[self.a])

    @functools.cached_property
    def beat_s(self) -> float:
        """The phrase's typical beat, seconds (the quickest quarter of its beats: a ritardando does not count)."""
        b = self.music_map.beats_s[self.a : self.a + self.n + 1]
        d = np.diff(b) if len(b) > 1 else np.diff(self.music_map.beats_s[-2:])
        return float(np.percentile(d, 25)) if len(d) else 0.5

    @functools.cached_property
    def downbeat(self) -> np.ndarray:
        return self.music_map.beat_in_bar == 1

    @property
    def stage(self) -> Stage:
        return self.brief.stage

    @property
    def innovation(self) -> float:
        return self.brief.innovation


def phrase_character(music_map: MusicMap, a: int, z: int) -> tuple[str, float]:
    """The character of the phrase from beat ``a`` to beat ``z`` and its tempo (BPM)."""
    beats = music_map.beats_s[a : z + 2] if z + 1 < music_map.n_beats else music_map.beats_s[a : z + 1]
    bpm = 60.0 / float(np.median(np.diff(beats))) if beats.size > 1 else music_map.tempo_bpm
    return tempo_character(bpm, int(music_map.meter[a])), bpm


@functools.lru_cache(maxsize=None)
def _move(travel: tuple[float, float], turn_deg: float, side: str, facing: int) -> tuple[int, float, float]:
    """A step's effect from a facing: the facing it ends in and its (x, z) displacement, metres."""
    yaw = facing_to_yaw(facing)
    d = local_to_world(travel, yaw, side)
    turn = np.radians(turn_deg) * (-1.0 if side == "R" else 1.0)
    return yaw_to_facing(yaw + turn), float(d[0]), float(d[1])


def after(step: Step, side: str, facing: int, xz: np.ndarray) -> tuple[int, np.ndarray]:
    """Facing and stage spot after dancing ``step`` from ``xz`` facing ``facing``."""
    f, dx, dz = _move(step.travel, step.turn_deg, side, facing)
    return f, np.array([xz[0] + dx, xz[1] + dz])


LINE_WORDS = ("arabesque", "attitude")


def is_line(step: Step) -> bool:
    """An arabesque or attitude: a line the audience must see from the side or a diagonal."""
    return any(w in step.name for w in LINE_WORDS)


def facing_for(step: Step, side: str, facing: int, xz: np.ndarray, stage: Stage, innovation: float = 0.0,
               climax: float = 0.0) -> int:
    """The direction to dance a step in: keep the facing for steps in place;
    travelling steps prefer the diagonals, stay on the stage and come back
    toward the centre when far out."""
    line = is_line(step)
    if step.travel == (0.0, 0.0):
        if line and facing == 1:  # a line is shown from a diagonal, never en face (the leg would hide)
            return 8 if side == "R" else 2
        return facing
    best, best_cost = facing, np.inf
    x0, z0 = float(xz[0]), float(xz[1])
    for f in (facing, 2, 8, 1, 3, 7, 4, 6, 5):
        if line and f == 1:
            continue
        _f, dx, dz = _move(step.travel, step.turn_deg, side, f)
        end = (x0 + dx, z0 + dz)
        dist = math.hypot(*end)
        cost = FACING_COST[f] * (1.0 - innovation if f in (4, 5, 6) else 1.0)
        cost += 0.0 if f in (2, 8) else 0.1
        cost += 0.0 if stage.inside(end) else 10.0 + dist
        cost += 0.3 * max(0.0, dist - 2.5) * (1.0 - climax)
        cost -= 2.0 * climax * _clip1(end[1] / 2.0)  # big moments travel downstage
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


def _clip1(x: float) -> float:
    """``x`` clipped to [-1, 1] (plain floats: the search calls this a hundred thousand times)."""
    return -1.0 if x < -1.0 else (1.0 if x > 1.0 else x)


def sides(step: Step) -> tuple[str, ...]:
    return ("R", "L") if step.sided else ("-",)


def other_side(side: str) -> str:
    return {"R": "L", "L": "R"}.get(side, side)


def step_terms(task: PhraseTask, st, step: Step, beats: int, side: str, *, n: int | None = None,
               closing: bool = False, facing: int | None = None, inside: bool = True,
               end_z: float | None = None, climax: float | None = None) -> dict[str, float]:
    """Every term of the composer's score for placing ``step`` after the partial phrase ``st``.

    ``st`` is the search's state (its steps, beats used, stance, last side);
    ``n`` the beats being filled (the phrase's own by default: a step ending
    there ends the phrase);
    ``facing`` is the direction chosen for the step (None for a locked one),
    ``inside`` whether it ends on the safe area of the stage, ``end_z`` how
    far downstage (metres, + toward the audience), ``climax`` how much of a
    big moment the step is danced in (the phrase's by default).
    """
    brief = task.brief
    strict = 1.0 - brief.innovation
    t: dict[str, float] = {}
    start = step.start_stance(side) if side != "-" else step.start
    t["energy"] = -2.0 * abs(step.energy - task.energy)
    t["character"] = 1.0 if (task.char in step.character or "any" in step.character) else -0.5
    t["chain"] = -3.0 * strict if start != st.stance else 0.0
    prev = st.prev
    t["prepared"] = -2.0 * strict if step.prepared_by and (prev is None or prev.name not in step.prepared_by) else 0.0
    downbeat = task.downbeat
    stretch = beats / step.beats
    accent_beat = task.a + st.beats + math.floor(step.accent * stretch)
    on_down = accent_beat < downbeat.shape[0] and downbeat[accent_beat]
    t["accent"] = 0.5 if on_down and float(step.accent * stretch).is_integer() else 0.0
    starts_bar = task.a + st.beats < downbeat.shape[0] and downbeat[task.a + st.beats]
    t["bar"] = -1.5 * strict if task.meter == 3 and not starts_bar else 0.0
    if prev is not None and prev.name == step.name:
        t["repeat"] = -1.5
    elif any(s[0].name == step.name for s in st.steps):
        t["repeat"] = -0.5
    else:
        t["repeat"] = 0.0
    t["usage"] = -0.6 * min(task.usage.get(step.name, 0), 4)
    t["side"] = 0.4 if side in ("R", "L") and side != st.last_side else 0.0
    t["family"] = _family_term(step, brief)
    t["difficulty"] = -0.3 * abs(step.difficulty - brief.difficulty)
    climax = task.climax if climax is None else climax
    stage_term = 0.0 if inside else -4.0
    if climax > 0 and end_z is not None:  # big moments come downstage
        stage_term += 3.0 * climax * _clip1(end_z / 2.0)
    if facing is not None:
        stage_term -= FACING_COST[facing] * (strict if facing in (4, 5, 6) else 1.0)
    t["stage"] = stage_term
    ending = 0.0
    if st.beats + beats == (task.n if n is None else n):
        if any(k in step.name for k in ENDING_NAMES):
            ending += 3.0
        if closing and step.name in CLOSINGS:
            ending += 4.0
    t["ending"] = ending
    return t


def _family_term(step: Step, brief: Brief) -> float:
    strict = 1.0 - brief.innovation
    fam = 0.0
    if step.family in ("modern", "contemporary"):
        if brief.style == "classical":
            fam -= 2.5 * strict
        if brief.innovation > 0.5:
            fam += brief.innovation
    elif brief.style == "modern":
        fam -= 1.0 * strict
    return fam


def placed_from(entry: tuple) -> PlacedStep:
    """A search entry ``(Step, beats, side, facing, spot, at, locked)`` as a :class:`PlacedStep`."""
    step, beats, side, f, spot, at, locked = entry
    return PlacedStep(step=step.name, at=at, beats=beats, side=side, facing=int(f),
                      spot=(float(spot[0]), float(spot[1])), locked=locked)
