"""The MusicMap: the music as a dancer counts it.

Conventions
-----------
- Times in seconds from the start of the audio file, increasing.
- ``beats_s[i]`` is beat ``i``; every per-beat array has one entry per beat.
- ``downbeats_s`` is the subset of ``beats_s`` where a bar starts (the "1").
- ``beats_per_bar`` is the meter as a dancer counts it: 2, 3 or 4 (6/8 is 2).
  Music whose meter changes keeps a per-beat ``meter`` array; ``beats_per_bar``
  is then the meter that covers most beats.
- ``counts[i]`` is the dancer's count 1-8 for beat ``i``. In duple and
  quadruple meter every beat is a count, eight to a phrase. In triple meter
  dancers count bars ("1-2-3, 2-2-3, ..."): ``counts[i]`` is the bar's number
  within its eight (1-8) and ``beat_in_bar[i]`` the beat within the bar (1-3);
  ``count_labels[i]`` is what a teacher says on that beat ("1", "2", "3", "2", ...).
- ``phrases`` is a list of ``(first_beat, last_beat)`` index pairs, inclusive.
- ``sections`` is a list of ``{"start_s", "end_s", "label"}``; repeated music
  shares a letter (A, B, A, ...).
- ``energy`` and ``accent`` are per beat, in [0, 1].

Saved as ``music.json`` with ``format_version`` 1.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kanat.errors import FormatError
from kanat.files import check_version, read_json, write_json
from kanat.schema import check_music_data

FORMAT_VERSION = 1


@dataclass
class MusicMap:
    """Beats, bars, counts, phrases, sections and dynamics of one piece of music.

    Attributes
    ----------
    duration_s : float
        Length of the audio in seconds.
    tempo_bpm : float
        Median tempo in beats per minute at the counted metric level.
    beats_s : np.ndarray, shape (B,)
        Beat times in seconds, increasing.
    downbeats_s : np.ndarray, shape (D,)
        Times of the first beat of every bar (a subset of ``beats_s``).
    beats_per_bar : int
        The dominant meter: 2, 3 or 4.
    meter : np.ndarray of int, shape (B,)
        Beats per bar of the bar each beat belongs to.
    beat_in_bar : np.ndarray of int, shape (B,)
        1 for a downbeat, then 2, 3, ...
    counts : np.ndarray of int, shape (B,)
        The dancer's count 1-8 (see module docstring for triple meter).
    count_labels : list of str, length B
        What a teacher calls on each beat.
    phrases : list of (int, int)
        First and last beat index of each phrase, inclusive.
    sections : list of dict
        ``start_s``, ``end_s``, ``label`` of each section.
    energy : np.ndarray, shape (B,)
        Loudness and density around each beat, 0-1.
    accent : np.ndarray, shape (B,)
        How accented each beat is, 0-1.
    source : str
        The audio file the map was made from (as given).
    """

    duration_s: float
    tempo_bpm: float
    beats_s: np.ndarray
    downbeats_s: np.ndarray
    beats_per_bar: int
    meter: np.ndarray
    beat_in_bar: np.ndarray
    counts: np.ndarray
    count_labels: list[str]
    phrases: list[tuple[int, int]]
    sections: list[dict]
    energy: np.ndarray
    accent: np.ndarray
    source: str = ""
    extras: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.beats_s = np.asarray(self.beats_s, dtype=float)
        self.downbeats_s = np.asarray(self.downbeats_s, dtype=float)
        self.meter = np.asarray(self.meter, dtype=int)
        self.beat_in_bar = np.asarray(self.beat_in_bar, dtype=int)
        self.counts = np.asarray(self.counts, dtype=int)
        self.energy = np.asarray(self.energy, dtype=float)
        self.accent = np.asarray(self.accent, dtype=float)
        self.phrases = [(int(a), int(b)) for a, b in self.phrases]
        self.count_labels = [str(c) for c in self.count_labels]
        self.validate()

    @property
    def n_beats(self) -> int:
        return int(self.beats_s.shape[0])

    def validate(self, where: str = "music map") -> None:
        """Check shapes and ranges; raise :class:`FormatError` naming the field."""
        b = self.n_beats
        if self.duration_s <= 0:
            raise FormatError(f"{where}: duration_s must be > 0, got {self.duration_s}")
        if b and np.any(np.diff(self.beats_s) <= 0):
            raise FormatError(f"{where}: beats_s must be strictly increasing")
        for name in ("meter", "beat_in_bar", "counts", "energy", "accent"):
            arr = getattr(self, name)
            if arr.shape != (b,):
                raise FormatError(f"{where}: {name} has {arr.shape[0] if arr.ndim else 0} entries, expected one per beat ({b})")
        if len(self.count_labels) != b:
            raise FormatError(f"{where}: count_labels has {len(self.count_labels)} entries, expected {b}")
        if self.beats_per_bar not in (2, 3, 4):
            raise FormatError(f"{where}: beats_per_bar must be 2, 3 or 4, got {self.beats_per_bar}")
        for a, z in self.phrases:
            if not (0 <= a <= z < b):
                raise FormatError(f"{where}: phrase ({a}, {z}) is outside beats 0..{b - 1}")

    def phrase_of_beat(self) -> np.ndarray:
        """Index of the phrase each beat belongs to, shape (B,); -1 outside every phrase."""
        out = np.full(self.n_beats, -1, dtype=int)
        for k, (a, z) in enumerate(self.phrases):
            out[a : z + 1] = k
        return out

    def section_of_beat(self) -> list[str]:
        """Label of the section each beat falls in ('' where none)."""
        labels = [""] * self.n_beats
        for sec in self.sections:
            m = (self.beats_s >= sec["start_s"] - 1e-6) & (self.beats_s < sec["end_s"] - 1e-6)
            for i in np.flatnonzero(m):
                labels[i] = sec["label"]
        return labels

    def phrase_sections(self) -> list[tuple[str, int]]:
        """For each phrase: its section's letter and its place in that section (0 = first phrase).

        The second phrase of every A section is ``("A", 1)``; a choreographer
        repeating the A section dances phrase ``("A", 1)`` again there.
        """
        out = []
        for a, _ in self.phrases:
            t = self.beats_s[a]
            sec = next((s for s in self.sections if s["start_s"] - 1e-6 <= t < s["end_s"] - 1e-6), None)
            if sec is None:
                out.append(("", 0))
                continue
            inside = [k for k, (a2, _) in enumerate(self.phrases) if sec["start_s"] - 1e-6 <= self.beats_s[a2] <= t + 1e-9]
            out.append((str(sec["label"]), len(inside) - 1))
        return out

    # ------------------------------------------------------------------ I/O
    def to_dict(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "source": self.source,
            "duration_s": round(float(self.duration_s), 4),
            "tempo_bpm": round(float(self.tempo_bpm), 2),
            "beats_per_bar": int(self.beats_per_bar),
            "beats_s": [round(float(t), 4) for t in self.beats_s],
            "downbeats_s": [round(float(t), 4) for t in self.downbeats_s],
            "meter": self.meter.tolist(),
            "beat_in_bar": self.beat_in_bar.tolist(),
            "counts": self.counts.tolist(),
            "count_labels": list(self.count_labels),
            "phrases": [list(p) for p in self.phrases],
            "sections": [
                {"start_s": round(float(s["start_s"]), 4), "end_s": round(float(s["end_s"]), 4), "label": str(s["label"])}
                for s in self.sections
            ],
            "energy": [round(float(v), 4) for v in self.energy],
            "accent": [round(float(v), 4) for v in self.accent],
            "extras": self.extras,
        }

    @classmethod
    def from_dict(cls, data: dict, *, where: str = "music map") -> "MusicMap":
        check_version(data, expected=FORMAT_VERSION, kind="music map", where=where)
        check_music_data(data, where=where)  # every field's type and range
        names = [f.name for f in dataclasses.fields(cls)]
        required = [n for n in names if n not in ("source", "extras")]
        missing = [n for n in required if n not in data]
        if missing:
            raise FormatError(f"{where}: missing field(s) {', '.join(missing)}")
        try:
            return cls(**{n: data[n] for n in names if n in data})
        except (TypeError, ValueError) as exc:  # FormatError too: name the file, not "music map"
            raise FormatError(f"{where}: {str(exc).removeprefix('music map: ')}") from None

    def save(self, path: str | os.PathLike) -> Path:
        """Write ``music.json`` atomically."""
        return write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | os.PathLike) -> "MusicMap":
        """Read a ``music.json`` written by :meth:`save`."""
        return cls.from_dict(read_json(path, kind="music map"), where=str(path))
