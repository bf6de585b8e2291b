"""Field-level checks of the files a person may edit or damage: score.yaml and music.json.

Conventions
-----------
- Each checker walks the raw data as read (a ruamel mapping for YAML, so
  line numbers are known; a dict for JSON) before any stage builds its types
  from it, and raises :class:`~kanat.errors.FormatError` (a
  :class:`~kanat.errors.ScoreError` for scores) naming the file, the line when
  known, the field, what was expected and what was found:
  ``score.yaml line 25: phrase 2 'first_beat' must be a whole number >= 0, got -100``.
- The checks are of types and plain ranges only; what needs the music or the
  vocabulary (a step's name, the score's length) is checked by the stage.
- Numbers must be finite; ``true``/``false`` are not numbers.
"""

from __future__ import annotations

import math
from typing import Any

from kanat.errors import FormatError, ScoreError

SIDES = ("R", "L", "-")
MAX_BEATS = 100_000  # about 14 hours at 120 BPM
MAX_SPOT_M = 100.0


def _line(node, key=None) -> int | None:
    """The 1-based line of ``node`` (or of ``node[key]``) in the YAML it came from, if known."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if key is not None:
            return lc.key(key)[0] + 1
        return lc.line + 1
    except (KeyError, TypeError, AttributeError):
        return None


def _at(where: str, line: int | None) -> str:
    return f"{where} line {line}" if line else where


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class Checker:
    """Raise one error class with messages that say file, line, field, expected and got."""

    def __init__(self, where: str, error: type[FormatError] = FormatError):
        self.where = where
        self.error = error

    def fail(self, line: int | None, field: str, expected: str, value: Any) -> None:
        raise self.error(f"{_at(self.where, line)}: {field} must be {expected}, got {_shown(value)}")

    def whole(self, value, line, field, lo=None, hi=None) -> int:
        ok = is_whole(value) and (lo is None or value >= lo) and (hi is None or value <= hi)
        if not ok:
            self.fail(line, field, _range("a whole number", lo, hi), value)
        return value

    def number(self, value, line, field, lo=None, hi=None) -> float:
        ok = is_number(value) and (lo is None or value >= lo) and (hi is None or value <= hi)
        if not ok:
            self.fail(line, field, _range("a finite number", lo, hi), value)
        return float(value)

    def text(self, value, line, field, *, empty: bool = True) -> str:
        if not isinstance(value, str) or (not empty and not value.strip()):
            self.fail(line, field, "text" if empty else "a non-empty name", value)
        return value

    def flag(self, value, line, field) -> bool:
        if not isinstance(value, bool):
            self.fail(line, field, "true or false", value)
        return value

    def mapping(self, value, line, field) -> dict:
        if not isinstance(value, dict):
            self.fail(line, field, "a mapping (key: value lines)", value)
        return value

    def sequence(self, value, line, field, what: str = "a list") -> list:
        if not isinstance(value, list):
            self.fail(line, field, what, value)
        return value


def _range(kind: str, lo, hi) -> str:
    if lo is not None and hi is not None:
        return f"{kind} {lo}-{hi}"
    if lo is not None:
        return f"{kind} >= {lo}"
    if hi is not None:
        return f"{kind} <= {hi}"
    return kind


# --------------------------------------------------------------- score.yaml
def check_score_data(data: dict, *, where: str = "score.yaml") -> None:
    """Check a score's phrases and steps field by field (types, ranges, order), before it is built."""
    c = Checker(where, ScoreError)
    if "music" in data:
        c.text(data["music"], _line(data, "music"), "'music' (the music file's path)")
    if "settings" in data and data["settings"] is not None:
        c.mapping(data["settings"], _line(data, "settings"), "'settings' (style, innovation, difficulty, seed, stage)")
    phrases = data.get("phrases")
    if phrases is None:
        return
    c.sequence(phrases, _line(data, "phrases"), "'phrases'", "a list of phrases (lines starting '- phrase:')")
    end = None
    for k, p in enumerate(phrases):
        if not isinstance(p, dict):
            c.fail(_item_line(phrases, k), f"phrase {k + 1}", "a mapping with first_beat, beats and steps", p)
        end = _check_phrase(c, p, k, end)


def _item_line(seq, k: int) -> int | None:
    lc = getattr(seq, "lc", None)
    try:
        return lc.item(k)[0] + 1 if lc is not None else None
    except (KeyError, TypeError, AttributeError):
        return None


def _check_phrase(c: Checker, p: dict, k: int, end: int | None) -> int:
    name = f"phrase {k + 1}"
    if "phrase" in p:
        c.whole(p["phrase"], _line(p, "phrase"), f"{name} 'phrase' (its number)", 1)
    for key in ("first_beat", "beats"):
        if key not in p:
            raise ScoreError(f"{_at(c.where, _line(p))}: {name} is missing '{key}'")
    first = c.whole(p["first_beat"], _line(p, "first_beat"), f"{name} 'first_beat'", 0, MAX_BEATS)
    beats = c.whole(p["beats"], _line(p, "beats"), f"{name} 'beats'", 1, MAX_BEATS)
    if end is not None and first < end:
        raise ScoreError(f"{_at(c.where, _line(p, 'first_beat'))}: {name} 'first_beat' must be {end} or more "
                         f"(the previous phrase ends at beat {end}), got {first}; phrases go in order without overlap")
    if "section" in p and p["section"] is not None:
        c.text(p["section"], _line(p, "section"), f"{name} 'section'")
    if "locked" in p:
        c.flag(p["locked"], _line(p, "locked"), f"{name} 'locked'")
    steps = p.get("steps")
    if steps is not None:
        c.sequence(steps, _line(p, "steps"), f"{name} 'steps'", "a list of steps (lines starting '- {at: ...')")
        for j, s in enumerate(steps):
            _check_step(c, s, _item_line(steps, j) or _line(p, "steps"), f"{name} step {j + 1}")
    return first + beats


def _check_step(c: Checker, s, line: int | None, name: str) -> None:
    if not isinstance(s, dict):
        c.fail(line, name, "a mapping like {at: 1, step: pas de bourrée, side: R}", s)
    line = _line(s) or line
    if "step" not in s or "at" not in s:
        raise ScoreError(f"{_at(c.where, line)}: {name} needs at least 'step' and 'at'")
    c.text(s["step"], line, f"{name} 'step' (a step's name, see 'kanat steps')", empty=False)
    c.whole(s["at"], line, f"{name} 'at' (its beat within the phrase)")  # its range: the score's own message
    if "beats" in s:
        c.whole(s["beats"], line, f"{name} 'beats'", 0, MAX_BEATS)
    if "side" in s and s["side"] not in SIDES:
        c.fail(line, f"{name} 'side'", "R, L or -", s["side"])
    if "facing" in s:
        c.whole(s["facing"], line, f"{name} 'facing' (Vaganova direction)", 1, 8)
    if "spot" in s:
        spot = s["spot"]
        if not (isinstance(spot, list) and len(spot) == 2 and all(is_number(v) and abs(v) <= MAX_SPOT_M for v in spot)):
            c.fail(line, f"{name} 'spot'", f"[x, z] in metres (finite, within +-{MAX_SPOT_M:g})", spot)
    if "locked" in s:
        c.flag(s["locked"], line, f"{name} 'locked'")


# --------------------------------------------------------------- music.json
_MUSIC_NUMBER_LISTS = {"beats_s": (0.0, None), "downbeats_s": (0.0, None), "energy": (None, None),
                       "accent": (None, None)}
_MUSIC_WHOLE_LISTS = {"meter": (1, 32), "beat_in_bar": (0, 32), "counts": (0, 64)}


def check_music_data(data: dict, *, where: str = "music.json") -> None:
    """Check a music map's fields (types, ranges, finite numbers) before it is built."""
    c = Checker(where)
    if "source" in data:
        c.text(data["source"], None, "'source'")
    if "duration_s" in data:
        c.number(data["duration_s"], None, "'duration_s'", 0.0)
    if "tempo_bpm" in data:
        c.number(data["tempo_bpm"], None, "'tempo_bpm'", 0.0, 2000.0)
    if "beats_per_bar" in data:
        c.whole(data["beats_per_bar"], None, "'beats_per_bar'", 2, 4)
    for key, (lo, hi) in _MUSIC_NUMBER_LISTS.items():
        if key in data:
            for i, v in enumerate(c.sequence(data[key], None, f"'{key}'", "a list of numbers")):
                c.number(v, None, f"'{key}'[{i}]", lo, hi)
    for key, (lo, hi) in _MUSIC_WHOLE_LISTS.items():
        if key in data:
            for i, v in enumerate(c.sequence(data[key], None, f"'{key}'", "a list of whole numbers")):
                c.whole(v, None, f"'{key}'[{i}]", lo, hi)
    if "count_labels" in data:
        for i, v in enumerate(c.sequence(data["count_labels"], None, "'count_labels'", "a list of text")):
            c.text(v, None, f"'count_labels'[{i}]")
    if "phrases" in data:
        for i, v in enumerate(c.sequence(data["phrases"], None, "'phrases'", "a list of [first, last] beats")):
            if not (isinstance(v, list) and len(v) == 2 and all(is_whole(x) and x >= 0 for x in v)):
                c.fail(None, f"'phrases'[{i}]", "[first, last] beat indices (whole numbers >= 0)", v)
    if "sections" in data:
        for i, v in enumerate(c.sequence(data["sections"], None, "'sections'", "a list of sections")):
            c.mapping(v, None, f"'sections'[{i}]")
            for key in ("start_s", "end_s"):
                c.number(v.get(key), None, f"'sections'[{i}].{key}", 0.0)
            c.text(v.get("label"), None, f"'sections'[{i}].label")
    if "extras" in data:
        c.mapping(data["extras"], None, "'extras'")


# --------------------------------------------------------------- step files
_STEP_NUMBERS = {"accent": (0.0, 64.0), "energy": (0.0, 1.0), "turn": (-1440.0, 1440.0)}


def check_step_data(d: dict, *, where: str) -> None:
    """Check one step of a step file (types and plain ranges, with its line) before it is built."""
    from kanat.errors import VocabularyError

    import re

    base, _, at = re.match(r"^(.*?)( line (\d+))?$", where).groups()
    c = Checker(base, VocabularyError)  # the step's own line is replaced by the field's
    line = _line(d) or (int(at) if at else None)
    name = f"step {d.get('name', '?')!r}" if isinstance(d.get("name"), str) else "a step"
    if "name" in d:
        c.text(d["name"], _line(d, "name") or line, "'name'", empty=False)
    if "beats" in d:
        c.whole(d["beats"], _line(d, "beats") or line, f"{name} 'beats'", 1, 64)
    for key, (lo, hi) in _STEP_NUMBERS.items():
        if key in d:
            c.number(d[key], _line(d, key) or line, f"{name} '{key}'", lo, hi)
    if "difficulty" in d:
        c.whole(d["difficulty"], _line(d, "difficulty") or line, f"{name} 'difficulty'", 1, 5)
    if "travel" in d:
        t = d["travel"]
        if not (isinstance(t, list) and len(t) == 2 and all(is_number(v) and abs(v) <= 20 for v in t)):
            c.fail(_line(d, "travel") or line, f"{name} 'travel'", "[side, forward] metres (finite, within +-20)", t)
    if "meters" in d:
        for v in c.sequence(d["meters"], _line(d, "meters") or line, f"{name} 'meters'", "a list like [2, 3, 4]"):
            c.whole(v, _line(d, "meters") or line, f"{name} 'meters' entry", 1, 12)
    for key in ("sided",):
        if key in d:
            c.flag(d[key], _line(d, key) or line, f"{name} '{key}'")
    frames = d.get("keyframes")
    if frames is not None:
        c.sequence(frames, _line(d, "keyframes") or line, f"{name} 'keyframes'", "a list of keyframes")
        for i, k in enumerate(frames):
            kline = _item_line(frames, i) or line
            c.mapping(k, kline, f"{name} keyframe {i + 1}")
            if "at" in k:
                c.number(k["at"], kline, f"{name} keyframe {i + 1} 'at' (beats)", 0.0, 64.0)
