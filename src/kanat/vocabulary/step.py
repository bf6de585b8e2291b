"""Steps: named movements, loaded from human-editable YAML files.

Conventions
-----------
- A step is written for the RIGHT side (the working leg is the right leg);
  :meth:`Step.keyframe_rotations` mirrors it for ``side="L"``.
- ``beats``: how many beats the step takes. Keyframe times ``at`` are in
  beats from the step's start, 0 <= at <= beats; 0.5 is the "and" of the
  first count. ``accent`` is the beat (same units) where the step's accent
  falls (a landing, the arrival of a leg, the end of a turn).
- ``support`` per keyframe, for side R: ``both``, ``left``, ``right``,
  ``air`` or ``floor``; it holds from that keyframe until the next one.
  Mirrored for side L.
- ``travel``: metres the step moves the dancer, ``[side, forward]`` relative
  to the facing at the start, side > 0 toward the working side.
- ``turn_deg``: degrees turned over the step, > 0 toward the working side
  (en dehors for a pirouette on the left leg with the right working).
  ``turn_keys: [i, j]`` names the keyframes (0-based) between which the turn
  happens (default: the second and the second-to-last).
- ``air_s``: seconds in the air of each of the step's flights. Air time is
  physics, not tempo (DANCE.md): a flight keeps it at any tempo, and a tempo
  too quick for it is not danced (see :func:`kanat.vocabulary.danced.min_beat_s`). Default by
  kind: ``AIR_S``.
- ``stance``: start and end stances, named after the feet: fifth_R (fifth,
  right foot front), fifth_L, first, second, fourth_R, fourth_L, parallel,
  lunge_R, lunge_L, floor. For side L, _R and _L swap.
- Degrees in the data files; radians in code.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from kanat.body.limits import check_joint_limits
from kanat.body.placement import SUPPORT_FEET, air_runs  # noqa: F401  (SUPPORT_FEET: the supports' feet, with SUPPORTS)
from kanat.errors import VocabularyError
from kanat.schema import check_step_data
from kanat.vocabulary.pose import check_pose, compile_pose

FAMILIES = ("classical", "modern", "contemporary", "linking")
LEVELS = ("floor", "low", "standing", "releve", "air")
SUPPORTS = ("both", "left", "right", "air", "floor")

CHARACTERS = ("adagio", "allegro", "grand_allegro", "waltz", "any")
#: Seconds in the air by kind of jump (DANCE.md: petit allegro about 0.3 s, batterie 0.35-0.45 s,
#: grand allegro 0.45-0.65 s).
AIR_S = {"petit": 0.30, "batterie": 0.38, "grand": 0.52}
#: A push-off from the plié before a flight and a landing through plié after it take at least this long (s).
PUSH_S, LAND_S = 0.08, 0.08
STANCES = ("fifth_R", "fifth_L", "first", "second", "fourth_R", "fourth_L", "parallel", "lunge_R", "lunge_L", "floor")


def mirror_stance(stance: str) -> str:
    """The stance seen in a mirror: fifth_R <-> fifth_L, ..."""
    if stance.endswith("_R"):
        return stance[:-2] + "_L"
    if stance.endswith("_L"):
        return stance[:-2] + "_R"
    return stance


def mirror_support(support: str) -> str:
    return {"left": "right", "right": "left"}.get(support, support)


@dataclass(frozen=True)
class Keyframe:
    """One keyframe: a time in beats, a pose in the pose language, the support."""

    at: float
    pose: dict
    support: str
    ease: str = "smooth"  # smooth | sharp (arrive fast, settle) | sustained (slow in and out) | linear


@dataclass(frozen=True)
class Step:
    """A named movement a dancer recognises.

    Attributes
    ----------
    name : str
        The dancer's name for the step ("glissade", "pirouette en dehors").
    family : str
        classical, modern, contemporary or linking.
    beats : int
        Beats the step takes.
    accent : float
        Beat (from the step's start) where the accent falls.
    start, end : str
        Start and end stances (for side R).
    energy : float
        0 (still) to 1 (the most effortful).
    level : str
        floor, low, standing, releve or air.
    travel : tuple of float
        (side, forward) metres.
    turn_deg : float
        Degrees turned, > 0 toward the working side.
    difficulty : int
        1 (first-year student) to 5 (principal).
    meters : tuple of int
        Meters the step is made for (2, 3, 4).
    character : tuple of str
        adagio, allegro, grand_allegro, waltz or any.
    keyframes : tuple of Keyframe
    sided : bool
        False for steps with no working side (sauté in first, révérence...).
    prepared_by : tuple of str
        For big jumps and turns: steps that should come right before.
    description : str
    """

    name: str
    family: str
    beats: int
    accent: float
    start: str
    end: str
    energy: float
    level: str
    travel: tuple[float, float]
    turn_deg: float
    difficulty: int
    meters: tuple[int, ...]
    character: tuple[str, ...]
    keyframes: tuple[Keyframe, ...]
    sided: bool = True
    prepared_by: tuple[str, ...] = ()
    description: str = ""
    source: str = field(default="", compare=False)
    air_s: float = 0.0
    turn_keys: tuple[int, int] | None = None

    @property
    def is_jump(self) -> bool:
        return any(k.support == "air" for k in self.keyframes)

    def flights(self) -> list[tuple[int, int]]:
        """Every flight as (first keyframe in the air, first keyframe back on the floor).

        The second index is ``len(keyframes)`` when the step ends in the air.
        """
        return air_runs([k.support for k in self.keyframes])

    @property
    def air_beats(self) -> float:
        """Total time in the air, in beats."""
        ks = self.keyframes
        return float(sum(ks[min(e, len(ks) - 1)].at - ks[k].at for k, e in self.flights()))

    @property
    def turn_window(self) -> tuple[int, int]:
        """The keyframes (indices) between which the step turns."""
        if self.turn_keys is not None:
            return self.turn_keys
        n = len(self.keyframes)
        return (1, n - 2) if n >= 4 else (0, n - 1)

    def preparation_of(self, k: int) -> int:
        """The first keyframe of the run on the ground that leads into the flight taking off at keyframe ``k``."""
        j = k - 1
        while j > 0 and self.keyframes[j - 1].support != "air":
            j -= 1
        return max(j, 0)

    def start_stance(self, side: str) -> str:
        return mirror_stance(self.start) if side == "L" else self.start

    def end_stance(self, side: str) -> str:
        return mirror_stance(self.end) if side == "L" else self.end

    @cached_property
    def _rotations_r(self) -> np.ndarray:
        return np.stack([compile_pose(k.pose, side="R", where=f"{self.source} step '{self.name}'") for k in self.keyframes])

    def keyframe_rotations(self, side: str = "R") -> np.ndarray:
        """Local joint rotations of every keyframe, shape (K, 24, 4), mirrored for side L."""
        from kanat.vocabulary.pose import mirror_rotations

        rot = self._rotations_r
        return mirror_rotations(rot) if side == "L" else rot

    def supports(self, side: str = "R") -> list[str]:
        return [mirror_support(k.support) if side == "L" else k.support for k in self.keyframes]


class Library:
    """The vocabulary: every step by name."""

    def __init__(self, steps: list[Step]):
        self._steps = {s.name: s for s in steps}

    def __len__(self) -> int:
        return len(self._steps)

    def __iter__(self):
        return iter(self._steps.values())

    def __contains__(self, name: str) -> bool:
        return name in self._steps

    def names(self) -> list[str]:
        return list(self._steps)

    def get(self, name: str, *, where: str = "") -> Step:
        """The step called ``name``; an unknown name raises with the nearest valid one."""
        try:
            return self._steps[name]
        except KeyError:
            near = difflib.get_close_matches(name, self._steps, n=1, cutoff=0.5)
            hint = f"; did you mean '{near[0]}'?" if near else "; run 'kanat steps' for the list"
            prefix = f"{where}: " if where else ""
            raise VocabularyError(f"{prefix}step '{name}' is unknown{hint}") from None


_REQUIRED = ("name", "family", "beats", "accent", "start", "end", "energy", "level", "keyframes")


def _parse_step(d: dict, where: str) -> Step:
    """One step from its mapping in a step file, validated; ``where`` is the file and line."""
    _check_fields(d, where)
    name = str(d["name"])
    w = f"{where} step '{name}'"
    family = _choice(w, "family", d["family"], FAMILIES)
    level = _choice(w, "level", d["level"], LEVELS)
    start = _choice(w, "start", d["start"], STANCES)
    end = _choice(w, "end", d["end"], STANCES)
    beats, accent, energy, travel, turn, difficulty, meters = _numbers(d, w)
    character = d.get("character", ["any"])
    character = [character] if isinstance(character, str) else character
    character = tuple(_choice(w, "character", c, CHARACTERS) for c in character)
    raw = d["keyframes"]
    kfs = _parse_keyframes(raw, w, beats)
    step = Step(
        name=name, family=family, beats=beats, accent=accent, start=start, end=end, energy=energy, level=level,
        travel=(travel[0], travel[1]), turn_deg=turn, difficulty=difficulty, meters=meters, character=character,
        keyframes=tuple(kfs), sided=bool(d.get("sided", True)), prepared_by=tuple(d.get("prepared_by", ())),
        air_s=_air_s(d, w, character), turn_keys=_turn_keys(d, w, len(kfs)),
        description=str(d.get("description", "")), source=where,
    )
    _check_limits(step, raw, w)
    return step


def _check_fields(d: dict, where: str) -> None:
    """Raise unless ``d`` is a mapping with every field's type and range right and every required field."""
    if not isinstance(d, dict):
        raise VocabularyError(f"{where}: a step must be a mapping")
    check_step_data(d, where=where)  # every field's type and range, with its line
    for key in _REQUIRED:
        if key not in d:
            raise VocabularyError(f"{where}: step {d.get('name', '?')!r} is missing '{key}'")


def _choice(where: str, key: str, value, allowed) -> str:
    """``value`` if it is one of ``allowed``; otherwise raise with the nearest valid one."""
    if value not in allowed:
        near = difflib.get_close_matches(str(value), allowed, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else f"; valid: {', '.join(allowed)}"
        raise VocabularyError(f"{where}: {key} '{value}' is unknown{hint}")
    return value


def _numbers(d: dict, where: str) -> tuple:
    """The step's beats, accent, energy, travel, turn, difficulty and meters, checked."""
    try:
        beats = int(d["beats"])
        accent = float(d["accent"])
        energy = float(d["energy"])
        travel = tuple(float(v) for v in d.get("travel", (0.0, 0.0)))
        turn = float(d.get("turn", 0.0))
        difficulty = int(d.get("difficulty", 1))
        meters = tuple(int(m) for m in d.get("meters", (2, 3, 4)))
    except (TypeError, ValueError) as exc:
        raise VocabularyError(f"{where}: {exc}") from None
    if beats < 1:
        raise VocabularyError(f"{where}: beats must be >= 1, got {beats}")
    if not 0 <= accent <= beats:
        raise VocabularyError(f"{where}: accent {accent} must lie within the step's beats 0-{beats}")
    if not 0.0 <= energy <= 1.0:
        raise VocabularyError(f"{where}: energy must be 0-1, got {energy}")
    if len(travel) != 2:
        raise VocabularyError(f"{where}: travel must be [side, forward] metres")
    return beats, accent, energy, travel, turn, difficulty, meters


def _parse_keyframes(raw, where: str, beats: int) -> list[Keyframe]:
    """The step's keyframes, checked: times increasing from 0 to ``beats``, supports, eases and poses valid."""
    kfs = []
    if not isinstance(raw, list) or len(raw) < 2:
        raise VocabularyError(f"{where}: needs at least two keyframes (start and end)")
    for i, k in enumerate(raw):
        kline = raw.lc.item(i)[0] + 1 if hasattr(raw, "lc") else None
        kw = f"{where} keyframe {i + 1}" + (f" (line {kline})" if kline else "")
        if not isinstance(k, dict) or "at" not in k:
            raise VocabularyError(f"{kw}: each keyframe needs 'at' (beats) and pose parts")
        k = dict(k)
        at = float(k.pop("at"))
        support = _choice(where, "support", k.pop("support", "both"), SUPPORTS)
        ease = k.pop("ease", "smooth")
        if ease not in ("smooth", "sharp", "sustained", "linear"):
            raise VocabularyError(f"{kw}: ease must be smooth, sharp, sustained or linear, got {ease!r}")
        if not 0 <= at <= beats:
            raise VocabularyError(f"{kw}: at {at} is outside the step's beats 0-{beats}")
        if kfs and at <= kfs[-1].at:
            raise VocabularyError(f"{kw}: keyframe times must increase (at {at} after {kfs[-1].at})")
        check_pose(k, where=kw)  # unknown parts and names, with the keyframe's own line
        kfs.append(Keyframe(at=at, pose=k, support=support, ease=ease))
    if kfs[0].at != 0 or kfs[-1].at != beats:
        raise VocabularyError(f"{where}: the first keyframe must be at 0 and the last at {beats} (the step's beats)")
    return kfs


def _check_limits(step: Step, raw, where: str) -> None:
    """Compile the step's poses now (pose errors surface at load time) and raise on one no dancer can make."""
    rot = step.keyframe_rotations()  # compile now: pose errors surface at load time with file and line
    for v in check_joint_limits(rot):  # and poses no dancer can make
        kline = raw.lc.item(v.frame)[0] + 1 if hasattr(raw, "lc") else "?"
        raise VocabularyError(
            f"{where} keyframe {v.frame + 1} (line {kline}): {v.joint} {v.motion} {v.angle_deg:.0f} deg is beyond "
            f"its limit {v.limit_deg:.0f} deg (kanat.body.limits); bend less"
        )


def _air_s(d: dict, where: str, character: tuple[str, ...]) -> float:
    """A jump's air time: as written, or by its kind (batterie, grand allegro, petit allegro)."""
    if not any(k.get("support") == "air" for k in d["keyframes"] if isinstance(k, dict)):
        return 0.0
    if "air_s" in d:
        try:
            v = float(d["air_s"])
        except (TypeError, ValueError):
            raise VocabularyError(f"{where}: air_s must be seconds, got {d['air_s']!r}") from None
        if not 0.1 <= v <= 0.7:
            raise VocabularyError(f"{where}: air_s {v} is not a jump's air time (0.1-0.7 s; DANCE.md)")
        return v
    kind = d.get("jump", "grand" if "grand_allegro" in character else "petit")
    if kind not in AIR_S:
        raise VocabularyError(f"{where}: jump '{kind}' is unknown; valid: {', '.join(AIR_S)}")
    return AIR_S[kind]


def _turn_keys(d: dict, where: str, n: int) -> tuple[int, int] | None:
    if "turn_keys" not in d:
        return None
    v = d["turn_keys"]
    if not (isinstance(v, list) and len(v) == 2 and all(isinstance(i, int) for i in v) and 0 <= v[0] < v[1] < n):
        raise VocabularyError(f"{where}: turn_keys must be two keyframe indices [first, last] within 0-{n - 1}, got {v!r}")
    return (v[0], v[1])


def load_steps(path: str | Path) -> list[Step]:
    """Load and validate every step of one YAML file."""
    path = Path(path)
    try:
        data = YAML().load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise VocabularyError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except OSError as exc:
        raise VocabularyError(f"{path}: cannot read the step file ({exc.strerror})") from None
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise VocabularyError(f"{path}: a step file is a mapping with a 'steps' list")
    steps = []
    for d in data["steps"]:
        line = d.lc.line + 1 if hasattr(d, "lc") else "?"
        steps.append(_parse_step(d, f"{path.name} line {line}"))
    return steps


def load_library(paths: list[str | Path] | None = None) -> Library:
    """The vocabulary from the YAML files shipped with kanat (or ``paths``).

    The shipped vocabulary is read once per process (the files do not change
    while kanat runs); ``paths`` are read every time. Either way the steps,
    once read, compiled and checked, are kept in kanat's cache by the files'
    content (:mod:`kanat.vocabulary.cache`), so a later run starts quickly.
    """
    if paths is None:
        return _shipped_library()
    return _read_library(paths)


@functools.lru_cache(maxsize=1)
def _shipped_library() -> Library:
    folder = resources.files("kanat.vocabulary") / "data"
    return _read_library(sorted(Path(str(p)) for p in folder.iterdir() if str(p).endswith(".yaml")))


def _read_library(paths) -> Library:
    from kanat.vocabulary import cache

    paths = [Path(p) for p in paths]
    steps: list[Step] = []
    seen: dict[str, str] = {}
    for s in cache.load(paths, lambda: [s for p in paths for s in load_steps(p)]):
        if s.name in seen:
            raise VocabularyError(f"{s.source}: step '{s.name}' is defined twice (first in {seen[s.name]})")
        seen[s.name] = s.source
        steps.append(s)
    return Library(steps)
