"""Musicality: does the dance meet the music's beats, accents, energy and phrase ends?

Conventions
-----------
- Each function reads a :class:`~kanat.critique.watch.Watch` and returns its
  figures and findings (``Observed``); :func:`musicality` joins them.
- Thresholds for praise and fixes are named below; the beat-alignment
  protocols are the published ones (see :mod:`kanat.critique.info`).
"""

from __future__ import annotations

import numpy as np

from kanat.critique import dance_metrics as D
from kanat.critique import metrics as M
from kanat.critique.bailando import FAR_ABOVE_RECORDED, bailando_bas
from kanat.critique.watch import MOVING_MPS, Observed, Watch, gather

#: Below this beat-align score nothing arrives on the counts (recorded dancers score 0.17-0.24;
#: from :data:`~kanat.critique.bailando.FAR_ABOVE_RECORDED` up it is a warning, never praise).
BAS_FIX = 0.12
#: Energy mismatch, phrase by phrase: movement relative to the dance's biggest phrase
#: (>= BIG_MOVE is big, <= SMALL_MOVE small) against the music's energy (0-1).
BIG_MOVE, SMALL_MOVE, SOFT_MUSIC, LOUD_MUSIC = 0.75, 0.35, 0.35, 0.7


def musicality(w: Watch) -> Observed:
    """Beat alignment, accents on strong beats, energy against the music, phrase endings."""
    return gather(_beat_alignment(w), _accents(w), _energy(w), _phrase_endings(w))


def _beat_alignment(w: Watch) -> Observed:
    """Bailando's beat-align score on kanat's counted beats and, with the audio, by Bailando's own
    protocol (librosa's beats); both are warnings when far above recorded dancers, never praise."""
    mm, out = w.mm, []
    per_beat = M.beat_align_per_beat(w.pos, w.fps, w.beats)
    bas = float(np.nanmean(per_beat)) if np.any(~np.isnan(per_beat)) else 0.0
    protocol = bailando_bas(w.pos, w.fps, w.music_beat_frames) if w.music_beat_frames is not None else None
    figures = {"beat_align_score": bas, "bailando_beat_align_score": protocol,
               "fact_beat_align_score": M.fact_beat_alignment(w.pos, w.fps, w.beats)}
    phrase_bas = [(k, float(np.nanmean(per_beat[a : z + 1]))) for k, (a, z) in enumerate(mm.phrases)
                  if np.any(~np.isnan(per_beat[a : z + 1]))]
    high = max(bas, protocol or 0.0)
    if high >= FAR_ABOVE_RECORDED:
        shown = f"{bas:.2f} on the counted beats" + (f", {protocol:.2f} by Bailando's protocol"
                                                      if protocol is not None else "")
        pulse = D.pulse_per_beat(w.pos, w.fps, w.beats)
        stops = bool(np.any(~np.isnan(pulse)) and np.nanmedian(pulse) < 0.5)
        why = ("the body settles on nearly every beat, a mechanical pulse" if stops else
               "the limbs do not stop on the beats, so tiny dips of speed that the protocol counts as settles "
               "fall near them: read it as noise")
        out.append(w.finding(
            "fix", "musicality", f"beat alignment far above recorded dancers ({shown}; they score 0.17-0.24): "
            f"a warning, not a virtue — {why}.",
            suggestion="keep the movement travelling through most counts; let arrivals mark the accents and "
            "the phrase ends only.", metric="beat_align_score", importance=0.5))
    elif phrase_bas and bas < BAS_FIX and w.moves:
        k, worst = min(phrase_bas, key=lambda kv: kv[1])
        a, z = mm.phrases[k]
        out.append(w.finding(
            "fix", "musicality", "the movement runs through the counts instead of arriving on them "
            f"(beat alignment {worst:.2f} here, {bas:.2f} overall; recorded dancers 0.17-0.24).", a, z,
            suggestion="let landings, arrivals and the ends of turns fall on the counts, "
            "with a breath of stillness there.", metric="beat_align_score", importance=0.45))
    return figures, out


def _accents(w: Watch) -> Observed:
    """Steps whose first or last beat is a strong beat."""
    mm, out = w.mm, []
    figures: dict = {"accents_on_strong_beats_share": None}
    if not w.placed:
        return figures, out
    strong = M.strong_beats(mm.beat_in_bar, mm.meter, mm.accent)
    first = np.array([p[2] for p in w.placed])
    last = np.array([p[3] for p in w.placed])
    share, ok = M.strong_beat_share(first, last, strong)
    figures["accents_on_strong_beats_share"] = share
    if share < 0.5:
        weak = np.flatnonzero(~ok)
        i = int(weak[0])
        out.append(w.finding(
            "fix", "musicality", f"only {share:.0%} of the steps start or finish on a strong beat; "
            f"{len(weak)} sit entirely on weak counts, the first here.", int(first[i]), int(last[i]),
            suggestion="move the step so its landing or arrival meets the downbeat (count 1 or 5) "
            "or the music's accent.", metric="accents_on_strong_beats_share", importance=0.5))
    elif share >= 0.8:
        out.append(w.finding("praise", "musicality", f"The accents sit where the music puts them: {share:.0%} "
                             "of the steps start or finish on a strong beat.",
                             metric="accents_on_strong_beats_share", importance=0.35))
    return figures, out


def _energy(w: Watch) -> Observed:
    """Movement energy (mean joint speed per beat) against the music's energy."""
    mm, out = w.mm, []
    move = M.window_means(w.speed, w.fps, w.edges)
    music = np.asarray(mm.energy, dtype=float)[: len(move)]
    r = M.pearson(move, music)
    figures: dict = {"energy_correlation": None if np.isnan(r) else r}
    # phrase by phrase: movement relative to the dance's biggest phrase, music energy as listen gives it (0-1)
    phr = []
    for k, (a, z) in enumerate(mm.phrases):
        mv = move[a : z + 1]
        if np.any(~np.isnan(mv)):
            phr.append((k, float(np.nanmean(mv)), float(np.mean(music[a : z + 1]))))
    top = max((p[1] for p in phr), default=0.0)
    judged = len(phr) >= 2 and top > 1e-6
    big_on_soft = [(k, m / top, e) for k, m, e in phr if judged and m / top >= BIG_MOVE and e <= SOFT_MUSIC]
    small_on_loud = [(k, m / top, e) for k, m, e in phr if judged and m / top <= SMALL_MOVE and e >= LOUD_MUSIC]
    figures["energy_mismatched_phrases"] = len(big_on_soft) + len(small_on_loud) if judged else None
    if big_on_soft:
        k, _, e = max(big_on_soft, key=lambda x: x[1] - x[2])
        out.append(w.finding(
            "fix", "musicality", f"big, fast movement on a soft passage (music energy {e:.2f}).", *mm.phrases[k],
            suggestion="answer the quiet with something small or sustained: a port de bras, a développé, "
            "a held balance.", metric="energy_mismatched_phrases", importance=0.5, section=True))
    if small_on_loud:
        k, _, e = min(small_on_loud, key=lambda x: x[1] - x[2])
        out.append(w.finding(
            "fix", "musicality", f"the music swells here (energy {e:.2f}) but the dance stays small.", *mm.phrases[k],
            suggestion="meet the loud passage with travel and elevation: a grand jeté, a sissonne, "
            "turns that cover ground.", metric="energy_mismatched_phrases", importance=0.45, section=True))
    if not np.isnan(r) and r >= 0.5 and not big_on_soft and not small_on_loud:
        out.append(w.finding("praise", "musicality", f"The dance grows and quietens with the music "
                             f"(energy correlation {r:.2f}).", metric="energy_correlation", importance=0.45))
    return figures, out


def _phrase_endings(w: Watch) -> Observed:
    mm, out = w.mm, []
    ratios, held = M.phrase_end_holds(w.speed, w.fps, w.beats, mm.phrases)
    move = M.window_means(w.speed, w.fps, w.edges)
    danced = np.array([bool(np.nanmean(move[a : z + 1]) >= MOVING_MPS) if np.any(~np.isnan(move[a : z + 1]))
                       else False for a, z in mm.phrases], dtype=bool)
    judged = ~np.isnan(ratios) & danced  # a phrase stood through holds nothing
    figures = {"phrase_endings_held_share": float(held[judged].mean()) if judged.any() else None}
    if judged.sum() >= 2:
        share = float(held[judged].mean())
        loose = np.flatnonzero(judged & ~held)
        if share < 0.5:
            a, z = mm.phrases[int(loose[0])]
            names = ", ".join(str(i + 1) for i in loose[:6]) + (", ..." if len(loose) > 6 else "")
            out.append(w.finding(
                "fix", "musicality", f"phrases {names} run on through their last counts without a finish.",
                max(a, z - 1), z, suggestion="finish each phrase: a held pose, or a turn that ends clean on 7 "
                "and holds through 8.", metric="phrase_endings_held_share", importance=0.45))
        elif share >= 0.75:
            out.append(w.finding("praise", "musicality", f"The phrases breathe: {share:.0%} of them finish and hold "
                                 "on their last counts.", metric="phrase_endings_held_share", importance=0.35))
    return figures, out
