"""Compose: a choreography that follows the music's counts, phrases and sections.

Conventions
-----------
- The settings come whole in a :class:`~kanat.brief.Brief` (style,
  innovation, difficulty, seed, stage, beam); the score keeps it in its
  ``settings``.
- One score phrase per MusicMap phrase; steps start and end on beats.
- A phrase is filled by a beam search over step sequences
  (:mod:`kanat.compose.search`). Each candidate
  sequence is scored by the sum of the terms below (higher is better); the
  seed adds a small random preference so different seeds give different
  dances and the same seed the same dance.

Scoring terms (per placed step unless noted; :mod:`kanat.compose.terms`)
-------------------------------------------------------------------------
energy     -|step energy - phrase energy| * 2: movement follows the music's
           loudness and density.
character  +1 when the step is made for the phrase's character (adagio,
           allegro, waltz ...), -0.5 when not.
chain      -3 * (1 - innovation) when the step does not start in the stance
           the previous one ended in (the grammar's first rule).
prepared   -2 * (1 - innovation) for a big jump or turn not right after one
           of its preparing steps.
accent     +0.5 when the step's accent lands on a downbeat.
repeat     -1.5 for the same step as the one before, -0.5 if used earlier
           in the phrase.
side       +0.4 for the side other than the last sided step's (right is
           soon done on the left).
family     -2.5 * (1 - innovation) for a modern step in a classical phrase;
           +innovation for it when innovation > 0.5.
stage      -4 when the step would end off the safe area of the stage;
           -0.3 for facing a side wall, -1.5 * (1 - innovation) for turning
           the back to the audience; travelling steps prefer the diagonals;
           in the piece's big moments (its loudest phrases, see climaxes())
           up to +3 for ending downstage.
bar        in 3/4, steps take whole bars (a 2-beat step is danced over one
           bar, a 4-beat one over two); -1.5 * (1 - innovation) for a step
           that would start off the "1" of a bar.
usage      -0.6 for every earlier use of the step in the dance (variety);
           the opening préparation is not used again.
ending     (per phrase) +3 when the phrase's last step is a held pose or a
           finished turn ending on the phrase's last beat.
difficulty -|step difficulty - wanted difficulty| * 0.3.
"""

from __future__ import annotations

import hashlib

import numpy as np

from kanat.brief import Brief
from kanat.compose.locks import locks as read_locks
from kanat.compose.score import Phrase, PlacedStep, Score
from kanat.compose.search import OPENING, STRICT_BELOW, fill
from kanat.compose.terms import PhraseTask, after, facing_for, other_side, phrase_character
from kanat.errors import ParameterError
from kanat.listen.musicmap import MusicMap
from kanat.vocabulary import Library, Step, load_library

REPRISE = "port de bras with cambré"  # danced where a repeat would bring back the opening pose
CLIMAX_QUANTILE = 0.75  # phrases louder than this share of the piece's phrases are its big moments


def compose(
    music_map: MusicMap,
    brief: Brief | None = None,
    *,
    library: Library | None = None,
    music: str = "",
    constraints: Score | None = None,
) -> Score:
    """Compose a dance for the music.

    Parameters
    ----------
    music_map : MusicMap
    brief : Brief, optional
        What the choreographer asked for (kanat's defaults when omitted).
    library : Library, optional
        The vocabulary (kanat's own by default).
    music : str
        The music file, as the score should name it.
    constraints : Score, optional
        A partial score written by the choreographer: phrases marked
        ``locked`` are kept whole, steps marked ``locked`` are kept exactly
        (step, beat, side, facing, spot); everything else is composed so it
        chains into and out of them. Checked before any composing: an
        unknown step, a locked step that does not fit its phrase, two locked
        steps that cannot chain, or a phrase that does not match the music
        raise an error naming the line of the score.

    Returns
    -------
    score : Score
    """
    brief = brief or Brief()
    if not music_map.phrases:
        raise ParameterError("the music map has no phrases; the music is too short or has no beat to dance to")
    library = library or load_library()
    locks = read_locks(constraints, music_map, library, brief.innovation) if constraints is not None else {}
    rng = np.random.default_rng([brief.seed, music_fingerprint(music_map)])
    usage: dict[str, int] = {}
    places = music_map.phrase_sections()
    tunes = [str(t) for t in music_map.extras.get("phrase_letters", [])]
    by_tune: dict[str, list[Phrase]] = {}
    peaks = climaxes(music_map)

    phrases: list[Phrase] = []
    by_section: dict[tuple[str, int], list[Phrase]] = {}
    stance, facing, xz, last_side = "fifth_R", 1, np.zeros(2), "L"
    n_phr = len(music_map.phrases)
    for k, (a, z) in enumerate(music_map.phrases):
        n = z - a + 1
        letter, place = places[k]
        noise = {s.name: rng.normal(0.0, 0.5) for s in library}
        # the music repeats: the same place in an earlier section of the same letter, or
        # else an earlier phrase of the same music (an eight played twice within a strain)
        template = next((p for p in by_section.get((letter, place), []) if p.n_beats == n), None)
        tune = tunes[k] if k < len(tunes) else ""
        if template is None and tune:
            template = next((p for p in by_tune.get(tune, []) if p.n_beats == n), None)
        ph = Phrase(index=k + 1, first_beat=a, n_beats=n, section=letter)
        facing = facing if facing in (1, 2, 8) else 1  # each phrase starts toward the audience
        lock = locks.get(k)
        before = library.get(phrases[-1].steps[-1].step) if phrases and phrases[-1].steps else None
        if lock is not None and lock[0] == "phrase":
            placed = [PlacedStep(**{**st.__dict__, "line": None}) for st in lock[1].steps]
            ph.locked = True
            if placed:
                stance, facing, xz, last_side = _after_placed(library, placed, last_side)
        elif template is not None and k != n_phr - 1 and lock is None and _repeatable(template, library, stance,
                                                                                      before, brief.innovation):
            # the music repeats: the same phrase on the other side (a recognisable variation),
            # or on the same side where only that chains from the step before
            mirror = (brief.innovation > STRICT_BELOW or _chains_into(template, library, stance, True, before)
                      or not _chains_into(template, library, stance, False, before))
            placed, stance, facing, xz, last_side = _vary(template, library, stance, facing, xz, brief, mirror=mirror)
        else:
            char, _bpm = phrase_character(music_map, a, z)
            task = PhraseTask(library=library, brief=brief, music_map=music_map, a=a, n=n, char=char,
                              energy=float(np.mean(music_map.energy[a : z + 1])), noise=noise, usage=usage,
                              first=(k == 0), last=(k == n_phr - 1), climax=float(peaks[k]),
                              forced=lock[1] if lock is not None else {}, before=before)
            done = fill(task, stance, facing, xz, last_side)
            placed, stance, facing, xz, last_side = done.steps, done.stance, done.facing, done.xz, done.last_side
        for st in placed:
            usage[st.step] = usage.get(st.step, 0) + 1
        ph.steps = placed
        phrases.append(ph)
        by_section.setdefault((letter, place), []).append(ph)
        if tune:
            by_tune.setdefault(tune, []).append(ph)
    return Score(music=music or music_map.source, settings=brief.to_settings(), phrases=phrases,
                 doc=constraints.doc if constraints is not None else None)


def _after_placed(library: Library, placed: list[PlacedStep], last_side: str):
    """Stance, facing, spot and last working side after a locked phrase's steps."""
    last_placed = placed[-1]
    step = library.get(last_placed.step)
    facing, xz = after(step, last_placed.side, last_placed.facing, np.array(last_placed.spot, float))
    stance = step.end_stance(last_placed.side) if last_placed.side != "-" else step.end
    last_side = next((p.side for p in reversed(placed) if p.side in ("R", "L")), last_side)
    return stance, facing, xz, last_side


def _repeatable(template: Phrase, library: Library, stance: str, before: Step | None, innovation: float) -> bool:
    """May the phrase ``template`` be danced again from here (mirrored or not)?"""
    return (innovation > STRICT_BELOW or _chains_into(template, library, stance, True, before)
            or _chains_into(template, library, stance, False, before))


def _chains_into(template: Phrase, library: Library, stance: str, mirror: bool, before: Step | None = None) -> bool:
    """Would the repeat of ``template`` (mirrored or not) start lawfully: in ``stance``, prepared if it must be?"""
    if not template.steps:
        return True
    st = template.steps[0]
    step = library.get(st.step)
    if step.name == OPENING and REPRISE in library:
        step = library.get(REPRISE)
    side = other_side(st.side) if mirror else st.side
    if step.prepared_by and (before is None or before.name not in step.prepared_by):
        return False
    return (step.start_stance(side) if side != "-" else step.start) == stance


def _vary(template: Phrase, library: Library, stance, facing, xz, brief: Brief, mirror: bool = True):
    """Repeat a phrase (on the other side when ``mirror``), re-placed on the stage from where the dancer is."""
    placed = []
    last_side = "R"
    for st in template.steps:
        step = library.get(st.step)
        if step.name == OPENING and REPRISE in library:  # the opening pose is not danced again
            step = library.get(REPRISE)
        side = other_side(st.side) if mirror else st.side
        f = facing_for(step, side, facing, xz, brief.stage, brief.innovation)
        placed.append(PlacedStep(step=step.name, at=st.at, beats=st.beats, side=side, facing=f, spot=(float(xz[0]), float(xz[1]))))
        facing, xz = after(step, side, f, xz)
        stance = step.end_stance(side) if side != "-" else step.end
        if side in ("R", "L"):
            last_side = side
    return placed, stance, facing, xz, last_side


def music_fingerprint(music_map: MusicMap) -> int:
    """A number that differs between pieces (beats to the centisecond, meter, energy): with the seed it
    draws the composer's preferences, so different music gets different dances and the same music and
    seed the same dance."""
    data = np.concatenate([np.round(music_map.beats_s, 2), music_map.meter.astype(float),
                           np.round(music_map.energy, 2)])
    return int.from_bytes(hashlib.sha256(data.astype("<f8").tobytes()).digest()[:4], "little")


def climaxes(music_map: MusicMap) -> np.ndarray:
    """How much each phrase is one of the piece's big moments, 0-1, shape (P,).

    A phrase counts when its mean energy is above the piece's
    ``CLIMAX_QUANTILE`` of phrase energies and clearly above its median;
    the loudest phrase gets 1.
    """
    e = np.array([float(np.mean(music_map.energy[a : z + 1])) for a, z in music_map.phrases])
    if e.size < 3:
        return np.zeros(e.size)
    lo, top = max(np.quantile(e, CLIMAX_QUANTILE), np.median(e) + 0.05), e.max()
    if top <= lo:
        return np.zeros(e.size)
    return np.clip((e - lo) / (top - lo), 0.0, 1.0)
