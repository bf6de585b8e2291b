"""The Score: a choreography as placed steps on the count grid.

Conventions
-----------
- A score is a list of phrases, one per phrase of the MusicMap, in order.
- Each placed step starts at ``at``: the 1-based beat within its phrase (in
  4/4 and 2/4 that is the count; in 3/4, ``at: 4`` is bar 2, beat 1) and takes
  ``beats`` beats.
- ``side`` is the working side, ``R`` or ``L`` (``-`` for steps without one).
- ``facing`` is the Vaganova stage direction the dancer faces when the step
  starts: 1 = the audience, then clockwise round the stage to 8 (2 = front
  right corner from the audience's view of the dancer's right).
- ``spot`` is where the step starts on the stage floor, ``[x, z]`` metres,
  x to the dancer's left when facing the audience, z towards the audience.
- ``locked`` steps (and steps in locked phrases) are kept exactly by compose.
- Saved as ``score.yaml`` (``format_version`` 1) with ruamel.yaml, so a
  choreographer's comments survive a round trip.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from kanat.brief import Brief
from kanat.errors import ParameterError, ScoreError
from kanat.files import write_text_guarded
from kanat.schema import check_score_data

FORMAT_VERSION = 1
SIDES = ("R", "L", "-")


@dataclass
class PlacedStep:
    """One step placed on the count grid."""

    step: str
    at: int
    beats: int
    side: str = "R"
    facing: int = 1
    spot: tuple[float, float] = (0.0, 0.0)
    locked: bool = False
    line: int | None = field(default=None, compare=False)


@dataclass
class Phrase:
    """One phrase of the dance: its steps and where it sits in the music."""

    index: int
    first_beat: int
    n_beats: int
    section: str = ""
    locked: bool = False
    steps: list[PlacedStep] = field(default_factory=list)
    line: int | None = field(default=None, compare=False)


@dataclass
class Score:
    """The choreography.

    Attributes
    ----------
    music : str
        The music file the score was made for.
    settings : dict
        The brief it was composed with (:meth:`kanat.brief.Brief.to_settings`):
        style, innovation, difficulty, seed, stage ...; :attr:`brief` reads it.
    phrases : list of Phrase
    """

    music: str
    settings: dict
    phrases: list[Phrase]
    path: str | None = field(default=None, compare=False)
    doc: object = field(default=None, compare=False, repr=False)  # the YAML it was read from, for its comments

    @property
    def brief(self) -> Brief:
        """The brief the score was composed with (checked; kanat's defaults for what it does not say)."""
        try:
            return Brief.from_settings(self.settings, where=f"{self.path or 'score.yaml'} settings")
        except ParameterError as exc:
            raise ScoreError(str(exc)) from None

    def placed(self) -> list[tuple[Phrase, PlacedStep, int]]:
        """Every placed step with its phrase and its absolute first beat index, in order."""
        return [(ph, st, ph.first_beat + st.at - 1) for ph in self.phrases for st in ph.steps]

    # ------------------------------------------------------------------ I/O
    def to_yaml(self) -> str:
        root = CommentedMap()
        root["format_version"] = FORMAT_VERSION
        root["music"] = self.music
        settings = CommentedMap(self.settings)
        if "stage" in settings:
            st = CommentedMap(settings["stage"])
            st.fa.set_flow_style()
            settings["stage"] = st
        root["settings"] = settings
        seq = CommentedSeq()
        for ph in self.phrases:
            m = CommentedMap()
            m["phrase"] = ph.index
            m["first_beat"] = ph.first_beat
            m["beats"] = ph.n_beats
            m["section"] = ph.section
            m["locked"] = ph.locked
            steps = CommentedSeq()
            for st in ph.steps:
                s = CommentedMap()
                s["at"] = st.at
                s["step"] = st.step
                s["side"] = st.side
                s["beats"] = st.beats
                s["facing"] = st.facing
                spot = CommentedSeq([round(float(st.spot[0]), 2), round(float(st.spot[1]), 2)])
                spot.fa.set_flow_style()
                s["spot"] = spot
                if st.locked:
                    s["locked"] = True
                s.fa.set_flow_style()
                steps.append(s)
            m["steps"] = steps
            seq.append(m)
        root["phrases"] = seq
        root.yaml_set_start_comment(
            "kanat score: edit steps, sides, facings and spots; mark a step or phrase\n"
            "'locked: true' to keep it when re-composing. 'at' is the beat within the\n"
            "phrase (1-based); facing is the Vaganova direction 1-8 (1 = audience).\n"
            "Re-perform with: kanat render score.yaml -o OUT"
        )
        if self.doc is not None:
            _carry_comments(self.doc, root)
        buf = io.StringIO()
        _yaml().dump(root, buf)
        return buf.getvalue()

    def save(self, path: str | os.PathLike) -> Path:
        """Write ``score.yaml`` atomically, never over a score a person has edited.

        Raises :class:`~kanat.errors.ParameterError` when ``path`` holds a score
        that was edited since kanat wrote it (see :func:`kanat.files.write_text_guarded`).
        """
        return write_text_guarded(path, self.to_yaml())

    @classmethod
    def from_yaml(cls, text: str, *, where: str = "score.yaml") -> "Score":
        try:
            data = _yaml().load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            raise ScoreError(f"{where}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
        if not isinstance(data, dict):
            raise ScoreError(f"{where}: a score must be a YAML mapping with format_version, music, settings, phrases")
        if data.get("format_version") != FORMAT_VERSION:
            raise ScoreError(
                f"{where}: format_version {data.get('format_version')!r} is not supported (this kanat reads {FORMAT_VERSION})"
            )
        for key in ("music", "phrases"):
            if key not in data:
                raise ScoreError(f"{where}: missing '{key}'")
        check_score_data(data, where=where)  # every field's type and range, with its line
        phrases = []
        for k, p in enumerate(data["phrases"] or []):
            pline = _line(p)
            if not isinstance(p, dict):
                raise ScoreError(f"{where} line {pline}: phrase {k + 1} must be a mapping")
            try:
                ph = Phrase(
                    index=int(p.get("phrase", k + 1)),
                    first_beat=int(p["first_beat"]),
                    n_beats=int(p["beats"]),
                    section=str(p.get("section", "")),
                    locked=bool(p.get("locked", False)),
                    line=pline,
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ScoreError(f"{where} line {pline}: phrase {k + 1} needs integer 'first_beat' and 'beats' ({exc})") from None
            for s in p.get("steps") or []:
                sline = _line(s)
                if not isinstance(s, dict) or "step" not in s:
                    raise ScoreError(f"{where} line {sline}: each step needs at least 'step' and 'at'")
                try:
                    side = str(s.get("side", "R"))
                    if side not in SIDES:
                        raise ValueError(f"side must be one of R, L, -; got {side!r}")
                    spot = s.get("spot", [0.0, 0.0])
                    st = PlacedStep(
                        step=str(s["step"]),
                        at=int(s["at"]),
                        beats=int(s.get("beats", 0)),
                        side=side,
                        facing=int(s.get("facing", 1)),
                        spot=(float(spot[0]), float(spot[1])),
                        locked=bool(s.get("locked", False)),
                        line=sline,
                    )
                except (KeyError, TypeError, ValueError, IndexError) as exc:
                    raise ScoreError(f"{where} line {sline}: step {s.get('step')!r}: {exc}") from None
                if not 1 <= st.facing <= 8:
                    raise ScoreError(f"{where} line {sline}: facing must be 1-8 (Vaganova directions), got {st.facing}")
                if st.at < 1 or st.at > ph.n_beats:
                    raise ScoreError(f"{where} line {sline}: 'at: {st.at}' is outside the phrase's beats 1-{ph.n_beats}")
                ph.steps.append(st)
            phrases.append(ph)
        settings = data.get("settings") or {}
        if not isinstance(settings, dict):
            raise ScoreError(f"{where} line {_line(data) or 1}: settings must be a mapping (style, innovation, "
                             f"difficulty, seed, stage), got {settings!r}")
        try:  # the settings are checked now, not when a stage reads them
            Brief.from_settings(settings, where=f"{where} settings")
        except ParameterError as exc:
            raise ScoreError(str(exc)) from None
        return cls(music=str(data["music"]), settings=dict(settings), phrases=phrases, doc=data)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Score":
        path = Path(path)
        if path.is_dir():
            raise ScoreError(f"score file {str(path)!r} is a folder; give the score.yaml inside it")
        if not path.is_file():
            raise ScoreError(f"score file {str(path)!r} does not exist; check the path")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ScoreError(f"{path}: not a text file; a score is the YAML file kanat writes as score.yaml") from None
        score = cls.from_yaml(text, where=str(path))
        score.path = str(path)
        return score


def _same_step(old, new) -> bool:
    return isinstance(old, dict) and isinstance(new, dict) and old.get("at") == new.get("at") and old.get("step") == new.get("step")


def _carry_comments(old, new) -> None:
    """Copy a person's comments from the score they wrote onto the score kanat writes.

    Mappings keep the comments of the keys they share; a phrase keeps its
    comments when its number is the same; a step keeps its comments when it
    is the same step on the same beat (a locked step always is).
    """
    if isinstance(old, CommentedMap) and isinstance(new, CommentedMap):
        for key, val in old.ca.items.items():
            if key in new:
                new.ca.items[key] = val
        if old.ca.comment:
            new.ca.comment = old.ca.comment
        if old.ca.end:
            new.ca.end = old.ca.end
        for key in new:
            if key in old:
                _carry_comments(old[key], new[key])
    elif isinstance(old, CommentedSeq) and isinstance(new, CommentedSeq):
        steps = all(isinstance(x, dict) and "at" in x for x in list(old) + list(new))
        if old.ca.comment:
            new.ca.comment = old.ca.comment
        if old.ca.end:
            new.ca.end = old.ca.end
        for i in range(min(len(old), len(new))):
            if steps and not _same_step(old[i], new[i]):
                continue
            if not steps and isinstance(old[i], dict) and old[i].get("phrase") != new[i].get("phrase"):
                continue
            if i in old.ca.items:
                new.ca.items[i] = old.ca.items[i]
            _carry_comments(old[i], new[i])


def _yaml() -> YAML:
    y = YAML()
    y.indent(mapping=2, sequence=2, offset=0)
    y.width = 120
    return y


def _line(node) -> int | None:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None else None
