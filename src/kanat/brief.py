"""The brief: the validated settings of one job, built once by a face and passed whole.

Conventions
-----------
- A :class:`Brief` is frozen and checked on creation: every range and every
  default of kanat's settings lives here, once. The command line, the studio
  and batch build one; compose, perform, critique and render receive it
  whole and never check its fields again.
- ``stage`` is a :class:`kanat.body.stage.Stage`; ``hints`` are the
  choreographer's :class:`kanat.listen.hints.ListenHints`.
- ``step_dirs`` are folders of the choreographer's own (learnt) steps.
- A score keeps the brief it was composed with in its ``settings``
  (:meth:`Brief.to_settings`, :meth:`Brief.from_settings`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

from kanat.body.stage import Stage
from kanat.errors import ParameterError
from kanat.listen.hints import ListenHints

STYLES = ("classical", "modern")
DEFAULT_STYLE = "classical"
DEFAULT_INNOVATION = 0.2
DEFAULT_DIFFICULTY = 2
DEFAULT_BEAM = 12
MAX_DANCERS = 16
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Brief:
    """What the choreographer asked for.

    Attributes
    ----------
    style : {"classical", "modern"}
    innovation : float in [0, 1]
        0 keeps strict classical grammar and vocabulary; 1 is free.
    difficulty : int in [1, 5]
        1 (first-year student) to 5 (principal).
    seed : int in [0, 2**32 - 1]
        The same seed gives the same dance.
    stage : Stage
    beam : int in [1, 64]
        Width of the composer's beam search (more: slower, a little better).
    dancers : int in [1, 16]
    step_dirs : tuple of Path
        Folders of the choreographer's own steps, added to the vocabulary.
    hints : ListenHints
    """

    style: str = DEFAULT_STYLE
    innovation: float = DEFAULT_INNOVATION
    difficulty: int = DEFAULT_DIFFICULTY
    seed: int = 0
    stage: Stage = field(default_factory=Stage)
    beam: int = DEFAULT_BEAM
    dancers: int = 1
    step_dirs: tuple[Path, ...] = ()
    hints: ListenHints = field(default_factory=ListenHints)

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ParameterError(f"style must be {' or '.join(repr(s) for s in STYLES)}, got {self.style!r}")
        if not _real(self.innovation) or not 0.0 <= float(self.innovation) <= 1.0:
            raise ParameterError(f"innovation must be between 0 and 1, got {self.innovation!r}")
        object.__setattr__(self, "innovation", float(self.innovation))
        _whole(self, "difficulty", 1, 5, "1 (beginner) to 5 (principal)")
        _whole(self, "seed", 0, MAX_SEED, f"0-{MAX_SEED}")
        _whole(self, "beam", 1, 64, "1-64")
        _whole(self, "dancers", 1, MAX_DANCERS, f"1-{MAX_DANCERS}")
        if not isinstance(self.stage, Stage):
            raise ParameterError(f"stage must be a Stage, got {self.stage!r}")
        if not isinstance(self.hints, ListenHints):
            raise ParameterError(f"hints must be ListenHints, got {self.hints!r}")
        object.__setattr__(self, "step_dirs", tuple(Path(p) for p in self.step_dirs))

    def replace(self, **changes) -> "Brief":
        """A copy with some fields changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_settings(self) -> dict:
        """The brief as a score's ``settings`` (plain YAML types)."""
        out = {"style": self.style, "innovation": self.innovation, "difficulty": self.difficulty, "seed": self.seed,
               "stage": self.stage.to_dict()}
        if self.beam != DEFAULT_BEAM:
            out["beam"] = self.beam
        if self.dancers != 1:
            out["dancers"] = self.dancers
        if self.step_dirs:
            out["step_dirs"] = [str(p) for p in self.step_dirs]
        if not self.hints.empty:
            out["hints"] = self.hints.to_dict()
        return out

    @classmethod
    def from_settings(cls, settings, *, where: str = "score settings") -> "Brief":
        """The brief a score was composed with; missing fields take the defaults.

        Errors name ``where`` and the field.
        """
        if settings is None:
            return cls()
        if not isinstance(settings, dict):
            raise ParameterError(f"{where}: settings must be a mapping (style, innovation, ...), got {settings!r}")
        kw: dict = {}
        for key in ("style", "innovation", "difficulty", "seed", "beam", "dancers"):
            if key in settings:
                kw[key] = settings[key]
        if "stage" in settings:
            kw["stage"] = Stage.from_dict(settings["stage"], where=f"{where} stage")
        if "step_dirs" in settings:
            dirs = settings["step_dirs"]
            if not isinstance(dirs, list) or not all(isinstance(d, str) for d in dirs):
                raise ParameterError(f"{where}: step_dirs must be a list of folders, got {dirs!r}")
            kw["step_dirs"] = tuple(Path(d) for d in dirs)
        if "hints" in settings:
            kw["hints"] = ListenHints.from_dict(settings["hints"], where=f"{where} hints")
        try:
            return cls(**kw)
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc}") from None


def _real(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def _whole(brief: Brief, name: str, lo: int, hi: int, wanted: str) -> None:
    v = getattr(brief, name)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not float(v).is_integer() or not lo <= v <= hi:
        raise ParameterError(f"{name} must be a whole number {wanted}, got {v!r}")
    object.__setattr__(brief, name, int(v))
