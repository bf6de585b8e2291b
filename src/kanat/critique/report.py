"""The Critique: the ballet master's notes and the figures behind them.

Conventions
-----------
- A :class:`Finding` is one note: ``kind`` "praise" or "fix", ``area``
  "musicality", "physics" or "craft", the sentence (``text``), where in the
  dance (``where``: "phrase 3, counts 1-4"; absolute beat indices ``beats``;
  ``time_s``), the steps it is about, a concrete ``suggestion`` for a fix,
  the ``metric`` key it rests on and its ``importance`` (0-1, higher first).
- ``metrics`` maps a figure's key (units in the name: ``_m``, ``_mps``,
  ``_s``, ``_m2``; ``_share`` in [0, 1]) to a number, or None where the figure
  does not apply (no score, too short). ``metric_info`` maps the same key to
  ``{"label", "units", "source"}``.
- Saved as ``critique.json`` (``format_version`` 1) and ``critique.md``.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from kanat.errors import FormatError
from kanat.files import check_version, read_json, write_json, write_text

FORMAT_VERSION = 1
KINDS = ("praise", "fix")
AREAS = ("musicality", "physics", "craft")


@dataclass
class Finding:
    """One of the ballet master's notes."""

    kind: str
    area: str
    text: str
    where: str = ""
    beats: tuple[int, int] | None = None
    time_s: tuple[float, float] | None = None
    steps: list[str] = field(default_factory=list)
    suggestion: str = ""
    metric: str = ""
    importance: float = 0.5

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FormatError(f"finding: kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.area not in AREAS:
            raise FormatError(f"finding: area must be one of {', '.join(AREAS)}, got {self.area!r}")
        if self.beats is not None:
            self.beats = (int(self.beats[0]), int(self.beats[1]))
        if self.time_s is not None:
            self.time_s = (float(self.time_s[0]), float(self.time_s[1]))
        self.steps = [str(s) for s in self.steps]
        self.importance = float(self.importance)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["beats"] = list(self.beats) if self.beats is not None else None
        d["time_s"] = [round(t, 3) for t in self.time_s] if self.time_s is not None else None
        d["importance"] = round(self.importance, 3)
        return d

    @classmethod
    def from_dict(cls, data: dict, *, where: str = "critique") -> "Finding":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise FormatError(f"{where}: finding has unknown field(s) {', '.join(unknown)}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise FormatError(f"{where}: finding is malformed ({exc})") from None


@dataclass
class Critique:
    """The ballet master's report on one dance.

    Attributes
    ----------
    metrics : dict of str -> float, int or None
        Every figure measured; units in the key names.
    findings : list of Finding
        The notes, most important first.
    summary : str
        The overall verdict, two or three sentences.
    metric_info : dict of str -> dict
        For each figure: ``label``, ``units``, ``source``.
    """

    metrics: dict
    findings: list[Finding]
    summary: str
    metric_info: dict = field(default_factory=dict)

    @property
    def praise(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "praise"]

    @property
    def fixes(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "fix"]

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "summary": self.summary,
            "metrics": {k: _json_number(v) for k, v in self.metrics.items()},
            "metric_info": self.metric_info,
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict, *, where: str = "critique") -> "Critique":
        check_version(data, expected=FORMAT_VERSION, kind="critique", where=where)
        missing = [k for k in ("summary", "metrics", "findings") if k not in data]
        if missing:
            raise FormatError(f"{where}: missing field(s) {', '.join(missing)}")
        if not isinstance(data["metrics"], dict) or not isinstance(data["findings"], list):
            raise FormatError(f"{where}: 'metrics' must be an object and 'findings' a list")
        return cls(
            metrics=dict(data["metrics"]),
            findings=[Finding.from_dict(f, where=where) for f in data["findings"]],
            summary=str(data["summary"]),
            metric_info=dict(data.get("metric_info") or {}),
        )

    def save_json(self, path: str | os.PathLike) -> Path:
        """Write ``critique.json`` atomically."""
        return write_json(path, self.to_dict())

    @classmethod
    def load_json(cls, path: str | os.PathLike) -> "Critique":
        """Read a ``critique.json`` written by :meth:`save_json`."""
        return cls.from_dict(read_json(path, kind="critique"), where=str(path))

    # -------------------------------------------------------------- Markdown
    def to_markdown(self) -> str:
        """The report as a ballet master's notes: verdict, what works, what to
        fix (where, which steps, what to try), then the figures and their sources."""
        lines = ["# The ballet master's notes", "", self.summary, "", "## What works", ""]
        praise = self.praise
        lines += [_note(f) for f in praise] if praise else ["- Nothing stands out yet; see the notes below."]
        lines += ["", "## What to fix", ""]
        fixes = self.fixes
        if fixes:
            for i, f in enumerate(fixes, 1):
                lines.append(_note(f, number=i))
        else:
            lines.append("- Nothing to fix that these measures can see.")
        lines += ["", "## The figures", "", "| figure | value | what it measures | source |", "|---|---|---|---|"]
        for key, value in self.metrics.items():
            info = self.metric_info.get(key, {})
            label = info.get("label", key)
            units = info.get("units", "")
            shown = _format_value(value) + (f" {units}" if units and value is not None else "")
            lines.append(f"| `{key}` | {shown} | {_cell(label)} | {_cell(info.get('source', ''))} |")
        return "\n".join(lines) + "\n"

    def save_markdown(self, path: str | os.PathLike) -> Path:
        """Write ``critique.md`` atomically."""
        return write_text(path, self.to_markdown())


def _note(f: Finding, *, number: int | None = None) -> str:
    head = f"{number}." if number is not None else "-"
    where = f" {f.where}" if f.where else ""
    steps = f" ({', '.join(f.steps)})" if f.steps else ""
    text = f"{head} **{f.area.capitalize()}**{where}{steps}: {f.text}"
    if f.suggestion:
        text += f" *Try:* {f.suggestion}"
    return text


def _json_number(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    try:
        x = float(v)
    except (TypeError, ValueError):
        return v
    if not math.isfinite(x):
        return None
    if isinstance(v, int) or (hasattr(v, "dtype") and "int" in str(getattr(v, "dtype", ""))):
        return int(v)
    return round(x, 6)


def _format_value(v) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return str(v)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not math.isfinite(x):
        return "n/a"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
