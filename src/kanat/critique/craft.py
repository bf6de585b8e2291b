"""Craft: the choreographer's own work — use of the stage, variety, structure, sides.

Conventions
-----------
- Each function reads a :class:`~kanat.critique.watch.Watch` and returns its
  figures and findings (``Observed``); :func:`craft` joins them.
- Without a score only the stage is judged; the other figures are None.
- The stage is the brief's (:class:`kanat.body.stage.Stage`), the one the
  dance was composed for.
"""

from __future__ import annotations

import numpy as np

from kanat.critique import metrics as M
from kanat.critique.musicality import SOFT_MUSIC
from kanat.critique.watch import Observed, Watch, gather

#: Downstage line (metres toward the audience from centre).
DOWNSTAGE_Z_M = 1.0
#: Pieces at least this long are expected to travel and come downstage.
LONG_PIECE_S = 20.0

_NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
_SCORED = ("step_variety_share", "longest_same_step_run", "repeat_similarity", "exact_repeats", "right_side_share")


def craft(w: Watch) -> Observed:
    """Stage use; with a score, variety, the structure of repeats and the sides."""
    stage = _stage(w)
    figures = {key: None for key in _SCORED}
    if not w.placed:
        return gather(stage, (figures, []))
    return gather(stage, (figures, []), _variety(w), _structure(w), _sides(w))


def _stage(w: Watch) -> Observed:
    stage, out = w.brief.stage, []
    st = M.stage_use(w.motion.root_pos[:, [0, 2]], w.fps, half_width_m=stage.half_width_m,
                     half_depth_m=stage.half_depth_m, downstage_z_m=DOWNSTAGE_Z_M)
    figures = {"stage_hull_area_m2": st["hull_area_m2"]}
    for key in ("downstage_share", "max_from_centre_m", "off_stage_s"):
        figures[key] = st[key]
    long_piece = w.motion.duration_s >= LONG_PIECE_S
    if st["off_stage_s"] > 0:
        a, z = M.runs(st["off_stage"])[0]
        out.append(w.finding(
            "fix", "craft", f"the dancer drifts off the stage (up to {st['max_from_centre_m']:.1f} m from centre; "
            f"the stage is {stage.width_m:.0f} x {stage.depth_m:.0f} m).", *w.frames_to_beats(a, z),
            suggestion="bring the travel back in: shorter steps, or turn the diagonal earlier.",
            metric="off_stage_s", importance=0.7))
    elif long_piece and st["hull_area_m2"] < 2.0:
        out.append(w.finding(
            "fix", "craft", f"the whole dance stays on a small patch of floor ({st['hull_area_m2']:.1f} m²).",
            suggestion="travel: a diagonal of glissades and jetés, a manège, a run downstage for the climax.",
            metric="stage_hull_area_m2", importance=0.35))
    elif st["hull_area_m2"] >= 6.0:
        out.append(w.finding("praise", "craft", f"The dance uses the stage ({st['hull_area_m2']:.0f} m² covered) "
                             "and stays on it.", metric="stage_hull_area_m2", importance=0.3))
    if long_piece and st["downstage_share"] == 0.0 and st["off_stage_s"] == 0:
        out.append(w.finding("fix", "craft", "the dancer never comes downstage.",
                             suggestion="bring the biggest moment forward, towards the audience.",
                             metric="downstage_share", importance=0.3))
    return figures, out


def _variety(w: Watch) -> Observed:
    out = []
    names = [p[1].step for p in w.placed]
    var = M.step_variety(names)
    figures = {"step_variety_share": var["distinct_ratio"], "longest_same_step_run": var["longest_run"]}
    if var["longest_run"] >= 3:
        i0 = var["longest_run_start"]
        a, z = w.placed[i0][2], w.placed[i0 + var["longest_run"] - 1][3]
        soft = float(np.mean(w.mm.energy[a : z + 1])) <= SOFT_MUSIC
        n = _NUMBERS.get(var["longest_run"], str(var["longest_run"]))
        out.append(w.finding(
            "fix", "craft", f"{var['longest_run_step']} {n} times in a row" + (" on a soft passage." if soft else "."),
            a, z, suggestion="try a port de bras or a développé for the quiet music." if soft else
            "break the run with a linking step (pas de bourrée, glissade) or a contrasting one.",
            metric="longest_same_step_run", importance=0.45))
    elif len(names) >= 8 and var["distinct_ratio"] < 0.3:
        out.append(w.finding("fix", "craft", f"only {len(set(names))} different steps in {len(names)}.",
                             suggestion="bring in steps of another kind: a turn, a jump, an adagio line.",
                             metric="step_variety_share", importance=0.4))
    elif var["distinct_ratio"] >= 0.5 and len(names) >= 4:
        out.append(w.finding("praise", "craft", f"A varied vocabulary: {len(set(names))} different steps "
                             f"in {len(names)}.", metric="step_variety_share", importance=0.3))
    return figures, out


def _structure(w: Watch) -> Observed:
    """Compare phrases whose music repeats: the k-th phrase of each return of a
    section letter against the k-th phrase of that letter's first appearance."""
    score, out = w.score, []
    places = w.mm.phrase_sections()
    blocks: list[tuple[str, list[int]]] = []  # (label, phrase indices) per appearance of a section
    for k, ph in enumerate(score.phrases):
        label = ph.section or (w.section_of_beat[ph.first_beat] if 0 <= ph.first_beat < len(w.beats) else "")
        fresh = k < len(places) and places[k][1] == 0  # the music map says a section starts here
        if blocks and blocks[-1][0] == label and not fresh:
            blocks[-1][1].append(k)
        else:
            blocks.append((label, [k]))
    first: dict[str, list[int]] = {}
    pairs: list[tuple[int, int]] = []
    for label, idx in blocks:
        if label and label in first:
            pairs += list(zip(first[label], idx))
        elif label:
            first[label] = idx
    if not pairs:
        return {}, out

    def key(ph):
        return [(s.step, s.at, s.side, s.facing) for s in ph.steps]

    def span(j):
        ph = score.phrases[j]
        return ph.first_beat, ph.first_beat + ph.n_beats - 1

    sims, exact, developed, distant = [], [], [], []
    for i, j in pairs:
        pi, pj = score.phrases[i], score.phrases[j]
        sim = M.sequence_similarity([s.step for s in pi.steps], [s.step for s in pj.steps])
        sims.append(sim)
        if pi.steps and key(pi) == key(pj):
            exact.append((i, j))
        elif sim >= 0.6:
            developed.append((i, j))
        elif sim < 0.3:
            distant.append((i, j, sim))
    figures = {"repeat_similarity": float(np.mean(sims)), "exact_repeats": len(exact)}
    if exact:
        i, j = exact[0]
        more = f" ({len(exact) - 1} more like it)" if len(exact) > 1 else ""
        out.append(w.finding(
            "fix", "craft", f"repeats phrase {i + 1}'s steps exactly, same sides and directions{more}.", *span(j),
            suggestion="the music comes back, so develop it: the other side, another direction, or one step varied.",
            metric="exact_repeats", importance=0.4, section=True))
    if distant:
        i, j, sim = distant[0]
        out.append(w.finding(
            "fix", "craft", f"the music of phrase {i + 1} returns here but the dance does not echo it "
            f"({sim:.0%} of the sequence shared).", *span(j),
            suggestion=f"reprise phrase {i + 1}'s motif: its steps on the other side or travelling elsewhere.",
            metric="repeat_similarity", importance=0.4, section=True))
    if developed:
        i, j = developed[0]
        out.append(w.finding("praise", "craft", f"When the music returns the dance remembers: phrase {j + 1} "
                             f"reprises phrase {i + 1}, developed.", *span(j), metric="repeat_similarity",
                             importance=0.35, section=True))
    return figures, out


def _sides(w: Watch) -> Observed:
    sides, out = [p[1].side for p in w.placed], []
    share = M.right_side_share(sides)
    figures = {"right_side_share": None if np.isnan(share) else share}
    if sum(s in ("R", "L") for s in sides) < 4 or np.isnan(share):
        return figures, out
    if share > 0.7 or share < 0.3:
        side, other, mark = ("right", "left", "R") if share > 0.7 else ("left", "right", "L")
        phrases = w.score.phrases
        k = max(range(len(phrases)), key=lambda i: sum(st.side == mark for st in phrases[i].steps))
        a = phrases[k].first_beat
        out.append(w.finding(
            "fix", "craft", f"{max(share, 1 - share):.0%} of the sided steps go to the {side}.",
            a, a + phrases[k].n_beats - 1, suggestion=f"repeat this phrase on the {other}.",
            metric="right_side_share", importance=0.35))
    elif 0.4 <= share <= 0.6:
        out.append(w.finding("praise", "craft", "Both sides get their turn: what goes right comes back left.",
                             metric="right_side_share", importance=0.25))
    return figures, out
