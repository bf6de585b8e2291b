"""What the critic sees once: positions, speeds, the count grid, the steps; and how places are named.

Conventions
-----------
- Places are named the way a dancer counts: "phrase 3 (B), counts 1-4" (in
  3/4, "bars 1-2"), from ``MusicMap.phrases`` and ``count_labels``; outside
  every phrase by their times in seconds. Beat indices are absolute.
- Every area of the critique (musicality, physics, craft) reads a
  :class:`Watch` and returns its figures and findings:
  ``Observed = tuple[dict, list[Finding]]``; :func:`gather` joins them in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from kanat.body.kinematics import center_of_mass
from kanat.body.motion import Motion
from kanat.brief import Brief
from kanat.compose.score import PlacedStep, Score
from kanat.critique import metrics as M
from kanat.critique.report import Finding
from kanat.listen.musicmap import MusicMap
from kanat.vocabulary.step import Library, Step

Observed = tuple[dict, list[Finding]]
#: Mean joint speed (m/s) above which a beat counts as danced, not stood through.
MOVING_MPS = 0.1
#: Share of frames on one foot or in the air from which the weight counts as travelling between the feet.
ONE_FOOT_SHARE = 0.1


@dataclass(frozen=True)
class Span:
    """One placed step as the critic watches it: its step (None when the vocabulary does not know it),
    its beats (absolute, inclusive) and its time in the music (seconds, end exclusive)."""

    placed: PlacedStep
    step: Step | None
    first_beat: int
    last_beat: int
    t0_s: float
    t1_s: float


def gather(*parts: Observed) -> Observed:
    """The figures and findings of several observations, in order."""
    figures: dict = {}
    findings: list[Finding] = []
    for f, n in parts:
        figures.update(f)
        findings += n
    return figures, findings


class Watch:
    """What the critic sees once: positions, speeds, the count grid, the steps."""

    def __init__(self, motion: Motion, mm: MusicMap, score: Score | None, brief: Brief,
                 library: Library | None = None, music_beat_frames: np.ndarray | None = None) -> None:
        self.motion, self.mm, self.score, self.library = motion, mm, score, library
        #: the music's beats as Bailando extracts them from the audio (60-fps frames), None without the audio
        self.music_beat_frames = music_beat_frames
        self.fps = float(motion.fps)
        self.pos = motion.positions()
        self.speed = M.mean_joint_speed(self.pos, self.fps)
        self.beats = mm.beats_s
        self.edges = M.beat_edges_s(self.beats, motion.duration_s)
        self.phrase_of_beat = mm.phrase_of_beat()
        self.section_of_beat = mm.section_of_beat()
        self.brief = brief
        #: (phrase index, step, first beat, last beat), beats absolute
        self.placed: list[tuple[int, PlacedStep, int, int]] = []
        if score is not None:
            for k, ph in enumerate(score.phrases):
                for st in ph.steps:
                    a = ph.first_beat + st.at - 1
                    self.placed.append((k, st, a, a + max(int(st.beats), 1) - 1))

    @cached_property
    def spans(self) -> list[Span]:
        """Every placed step with its vocabulary entry and its time, in order; only the steps
        the motion dances to their end (empty without a score)."""
        out = []
        for _, st, a, z in self.placed:
            step = self.library.get(st.step) if self.library is not None and st.step in self.library else None
            t0, t1 = self.beat_time(a), self.beat_time(a + max(int(st.beats), 1))
            if a < len(self.beats) and t1 <= self.motion.duration_s + 0.5 / self.fps:
                out.append(Span(st, step, a, z, t0, t1))
        return out

    def beat_time(self, i: float) -> float:
        """Seconds of a (fractional) beat index; beyond the last beat at the last beat's pace."""
        b = self.beats
        if i <= len(b) - 1:
            return float(np.interp(i, np.arange(len(b)), b))
        return float(b[-1] + (i - (len(b) - 1)) * (b[-1] - b[-2]))

    @cached_property
    def moves(self) -> bool:
        """Does the body dance at all? At least half the beats see the joints move at
        :data:`MOVING_MPS` on average: praise is only for a body that moves."""
        per_beat = M.window_means(self.speed, self.fps, self.edges)
        judged = per_beat[~np.isnan(per_beat)]
        return bool(judged.size and np.mean(judged >= MOVING_MPS) >= 0.5)

    @cached_property
    def shifts_weight(self) -> bool:
        """Does the weight go from foot to foot (at least :data:`ONE_FOOT_SHARE` of the frames on one
        foot or in the air)? Planted feet and balance are only praise for a body that does."""
        one_or_none = self.motion.contacts.sum(axis=1) <= 1
        return bool(self.moves and one_or_none.mean() >= ONE_FOOT_SHARE)

    @cached_property
    def com(self) -> np.ndarray:
        """Centre of mass per frame, shape (T, 3), metres."""
        return center_of_mass(self.pos)

    # ------------------------------------------------------------ naming
    def beat_at(self, t_s: float) -> int:
        return int(np.clip(np.searchsorted(self.beats, t_s, side="right") - 1, 0, len(self.beats) - 1))

    def frames_to_beats(self, a: int, z: int) -> tuple[int, int]:
        """Beat range of frames a .. z-1."""
        return self.beat_at(a / self.fps), self.beat_at(max(a, z - 1) / self.fps)

    def _label(self, i: int) -> str:
        return str(self.mm.counts[i]) if self.mm.meter[i] == 3 else self.mm.count_labels[i]

    def where(self, a: int, z: int, *, section: bool = False) -> str:
        """'phrase 3, counts 1-4' for beats a..z (absolute indices)."""
        n = len(self.beats)
        a, z = int(np.clip(a, 0, n - 1)), int(np.clip(z, 0, n - 1))
        unit, one = ("bars", "bar") if self.mm.meter[a] == 3 else ("counts", "count")
        pa, pz = self.phrase_of_beat[a], self.phrase_of_beat[z]
        if pa < 0 or pz < 0:
            return f"{self.beats[a]:.1f}-{self.beats[z]:.1f} s"
        la, lz = self._label(a), self._label(z)
        sec = self.section_of_beat[a] if section else ""
        head = f"phrase {pa + 1}" + (f" ({sec})" if sec else "")
        if pa == pz:
            return f"{head}, {one} {la}" if la == lz else f"{head}, {unit} {la}-{lz}"
        return f"{head} {one} {la} to phrase {pz + 1} {one} {lz}"

    def steps_in(self, a: int, z: int, *, limit: int = 4) -> list[str]:
        """Names (with side) of the steps overlapping beats a..z."""
        out: list[str] = []
        for _, st, b0, b1 in self.placed:
            if b0 <= z and b1 >= a:
                name = f"{st.step} {st.side}" if st.side in ("R", "L") else st.step
                if name not in out:
                    out.append(name)
        return out[:limit]

    def finding(self, kind: str, area: str, text: str, a: int | None = None, z: int | None = None, *,
                suggestion: str = "", metric: str = "", importance: float = 0.5, section: bool = False) -> Finding:
        """A note about beats a..z (or about the whole dance when a is None)."""
        if a is None:
            return Finding(kind, area, text, suggestion=suggestion, metric=metric, importance=importance)
        z = a if z is None else z
        ends = self.edges if len(self.edges) else self.beats
        time_s = (float(self.beats[a]), float(ends[min(z + 1, len(ends) - 1)]))
        return Finding(kind, area, text, where=self.where(a, z, section=section), beats=(a, z), time_s=time_s,
                       steps=self.steps_in(a, z), suggestion=suggestion, metric=metric, importance=importance)
