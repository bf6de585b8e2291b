"""What the choreographer fixed in a partial score: locked phrases and locked steps.

Conventions
-----------
- :func:`locks` maps a phrase index (0-based) to ``("phrase", Phrase)`` for a
  locked phrase, kept whole, or ``("steps", {at: PlacedStep})`` for the locked
  steps of a phrase, ``at`` 1-based within the phrase.
- Every check runs before any composing and names the line of the score.
"""

from __future__ import annotations

from kanat.compose.score import PlacedStep, Score
from kanat.compose.terms import durations, sides
from kanat.errors import ScoreError
from kanat.listen.musicmap import MusicMap
from kanat.vocabulary import Library


def locks(constraints: Score, music_map: MusicMap, library: Library, innovation: float) -> dict:
    """What the choreographer fixed, by phrase index: ("phrase", Phrase) or ("steps", {at: PlacedStep})."""
    where = constraints.path or "score.yaml"
    out: dict = {}
    for ph in constraints.phrases:
        fixed = [st for st in ph.steps if st.locked or ph.locked]
        if not fixed and not ph.locked:
            continue
        k = ph.index - 1
        line = f"{where} line {ph.line}" if ph.line else where
        if not 0 <= k < len(music_map.phrases):
            raise ScoreError(f"{line}: phrase {ph.index} does not exist in this music (it has {len(music_map.phrases)} phrases)")
        a, z = music_map.phrases[k]
        if (ph.first_beat, ph.n_beats) != (a, z - a + 1):
            raise ScoreError(
                f"{line}: phrase {ph.index} starts on beat {ph.first_beat} and lasts {ph.n_beats} beats, but in this "
                f"music it starts on beat {a} and lasts {z - a + 1}; the score was made for other music or another analysis"
            )
        meter = int(music_map.meter[a])
        taken: dict[int, PlacedStep] = {}
        for st in sorted(fixed, key=lambda s: s.at):
            _check_locked_step(st, taken, ph, library, meter, innovation, f"{where} line {st.line}" if st.line else line,
                               where)
            taken[st.at] = st
        out[k] = ("phrase", ph) if ph.locked else ("steps", taken)
    return out


def _check_locked_step(st: PlacedStep, taken: dict, ph, library: Library, meter: int, innovation: float, sline: str,
                       where: str) -> None:
    """A locked step fits its phrase, overlaps no other and chains from the locked step right before it."""
    step = library.get(st.step, where=sline)
    if st.beats <= 0:
        st.beats = min(durations(step, meter, innovation))
    if st.side not in sides(step) and not (st.side in ("R", "L") and step.sided):
        st.side = sides(step)[0]
    if st.at + st.beats - 1 > ph.n_beats:
        raise ScoreError(
            f"{sline}: locked step '{st.step}' on beat {st.at} takes {st.beats} beats and runs past the end of "
            f"phrase {ph.index} ({ph.n_beats} beats); start it earlier or shorten it"
        )
    clash = [o for o in taken.values() if o.at <= st.at < o.at + o.beats]
    if clash:
        raise ScoreError(f"{sline}: locked step '{st.step}' on beat {st.at} overlaps '{clash[0].step}' "
                         f"(line {clash[0].line}) which takes beats {clash[0].at}-{clash[0].at + clash[0].beats - 1}")
    before = [o for o in taken.values() if o.at + o.beats == st.at]
    if before and innovation < 0.5:
        prev = before[0]
        p_step = library.get(prev.step)
        ends = p_step.end_stance(prev.side) if prev.side != "-" else p_step.end
        starts = step.start_stance(st.side) if st.side != "-" else step.start
        if ends != starts:
            raise ScoreError(
                f"{sline}: locked step '{st.step}' starts in {starts} but the locked '{prev.step}' right before it "
                f"(line {prev.line}) ends in {ends}, with no beat between them for a linking step; "
                "leave a beat free, change a side, or raise --innovation"
            )
