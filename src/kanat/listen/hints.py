"""What the choreographer tells kanat about the music: listening hints.

Conventions
-----------
- ``meter`` is written as a time signature, ``"3/4"``, ``"6/8"``, ``"5/4"``;
  kanat counts it as a dancer does (6/8 in two, 3/8 in one count per
  quaver ...).
- ``bpm`` is the counted tempo in beats (counts) per minute.
- ``first_downbeat_s`` is where the first "1" of a bar sounds, seconds.
- ``taps_s`` are beat times the choreographer tapped, seconds, increasing.
- Hints are checked on creation; :func:`kanat.listen.listen` recomputes the
  map around them (the beats, the bars, the phrases), it does not merely
  relabel the counts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from kanat.errors import ParameterError

_METER = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$")
BPM_RANGE = (20.0, 300.0)


@dataclass(frozen=True)
class ListenHints:
    """Listening hints; every field is optional (None or empty: hear it)."""

    meter: str | None = None
    bpm: float | None = None
    first_downbeat_s: float | None = None
    taps_s: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.meter is not None:
            m = _METER.match(str(self.meter))
            if not m or int(m.group(1)) < 1 or int(m.group(2)) not in (1, 2, 4, 8, 16):
                raise ParameterError(f"meter must look like 3/4, 6/8 or 5/4, got {self.meter!r}")
            object.__setattr__(self, "meter", f"{int(m.group(1))}/{int(m.group(2))}")
        if self.bpm is not None:
            if not _number(self.bpm) or not BPM_RANGE[0] <= float(self.bpm) <= BPM_RANGE[1]:
                raise ParameterError(f"bpm must be {BPM_RANGE[0]:g}-{BPM_RANGE[1]:g}, got {self.bpm!r}")
            object.__setattr__(self, "bpm", float(self.bpm))
        if self.first_downbeat_s is not None:
            if not _number(self.first_downbeat_s) or float(self.first_downbeat_s) < 0:
                raise ParameterError(f"the first downbeat must be a time in seconds >= 0, got {self.first_downbeat_s!r}")
            object.__setattr__(self, "first_downbeat_s", float(self.first_downbeat_s))
        taps = tuple(self.taps_s or ())
        if any(not _number(t) or t < 0 for t in taps):
            raise ParameterError("tapped beats must be times in seconds >= 0")
        if any(b <= a for a, b in zip(taps, taps[1:])):
            raise ParameterError("tapped beats must increase")
        object.__setattr__(self, "taps_s", tuple(float(t) for t in taps))

    @property
    def empty(self) -> bool:
        return self.meter is None and self.bpm is None and self.first_downbeat_s is None and not self.taps_s

    @property
    def meter_parts(self) -> tuple[int, int] | None:
        """The meter as (numerator, denominator), or None."""
        if self.meter is None:
            return None
        a, b = self.meter.split("/")
        return int(a), int(b)

    def to_dict(self) -> dict:
        """The hints that are set (for music.json and score.yaml)."""
        out: dict = {}
        if self.meter is not None:
            out["meter"] = self.meter
        if self.bpm is not None:
            out["bpm"] = self.bpm
        if self.first_downbeat_s is not None:
            out["first_downbeat_s"] = self.first_downbeat_s
        if self.taps_s:
            out["taps_s"] = list(self.taps_s)
        return out

    @classmethod
    def from_dict(cls, data, *, where: str = "hints") -> "ListenHints":
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ParameterError(f"{where}: listening hints must be a mapping, got {data!r}")
        unknown = sorted(set(data) - {"meter", "bpm", "first_downbeat_s", "taps_s"})
        if unknown:
            raise ParameterError(f"{where}: unknown listening hint {unknown[0]!r}; "
                                 "valid: meter, bpm, first_downbeat_s, taps_s")
        try:
            return cls(meter=data.get("meter"), bpm=data.get("bpm"), first_downbeat_s=data.get("first_downbeat_s"),
                       taps_s=tuple(data.get("taps_s") or ()))
        except (ParameterError, TypeError) as exc:
            raise ParameterError(f"{where}: {exc}") from None


def _number(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def read_taps(path) -> tuple[float, ...]:
    """Tapped beat times from a text file: one time in seconds a line (``#`` comments), or Audacity's labels.

    An Audacity label track exported as text (``start<TAB>end<TAB>label``) gives its start times.
    """
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"--taps {str(p)!r}: no such file; give a text file with one beat time (seconds) a line")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"--taps {str(p)!r} cannot be read as text ({type(exc).__name__}); "
                             "give a text file with one beat time (seconds) a line") from None
    times = []
    for no, line in enumerate(text.splitlines(), start=1):
        field = line.split("#", 1)[0].strip().split()
        if not field:
            continue
        try:
            t = float(field[0])
        except ValueError:
            raise ParameterError(f"{p} line {no}: {field[0]!r} is not a time in seconds; "
                                 "write one beat time a line, e.g. 1.25") from None
        if not math.isfinite(t) or t < 0:
            raise ParameterError(f"{p} line {no}: {field[0]!r} is not a time in seconds >= 0")
        if times and t <= times[-1]:
            raise ParameterError(f"{p} line {no}: {t:g} s comes after {times[-1]:g} s; the taps must increase")
        times.append(t)
    if not times:
        raise ParameterError(f"--taps {str(p)!r} holds no beat times; write one time (seconds) a line")
    return tuple(times)


def from_options(*, meter: str | None = None, bpm: float | None = None, first_downbeat: float | None = None,
                 taps=None) -> ListenHints:
    """The hints of the command line (``--meter``, ``--bpm``, ``--first-downbeat``, ``--taps FILE``), checked."""
    try:
        return ListenHints(meter=meter, bpm=bpm, first_downbeat_s=first_downbeat,
                           taps_s=read_taps(taps) if taps is not None else ())
    except ParameterError as exc:
        text = str(exc)
        for name, flag in (("meter", "--meter"), ("bpm", "--bpm"), ("the first downbeat", "--first-downbeat")):
            if text.startswith(name):
                raise ParameterError(f"{flag}: {text}") from None
        raise
