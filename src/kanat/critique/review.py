"""critique(): watch a Motion against its MusicMap (and Score) and write notes.

Conventions
-----------
- Works on any :class:`~kanat.body.Motion` (kanat's own or an imported BVH)
  at its own frame rate; the metrics resample where their source says so.
- Places are named the way a dancer counts: "phrase 3 (B), counts 1-4"
  (in 3/4, "bars 1-2"), from ``MusicMap.phrases`` and ``count_labels``; each
  finding also keeps absolute beat indices and times. Outside every phrase a
  place is named by its times in seconds.
- Without a score the craft notes (variety, structure, sides) and the
  accent-placement figure are skipped (their figures are None); stage use
  needs only the motion.
- Thresholds for praise and fixes are our own heuristics, named below.
"""

from __future__ import annotations

import numpy as np

from kanat.body.kinematics import center_of_mass, sole_points
from kanat.body.motion import Motion
from kanat.compose.score import PlacedStep, Score
from kanat.critique import metrics as M
from kanat.critique.report import AREAS, Critique, Finding
from kanat.errors import ParameterError
from kanat.listen.musicmap import MusicMap

#: Weight-bearing foot speed above which a beat counts as sliding (5 cm/s).
SLIDE_FIX_MPS = 0.05
#: Mean slide below which the feet are praised as planted (2 cm/s).
SLIDE_PRAISE_MPS = 0.02
#: Sinking deeper than this into the floor is a fix (2 cm).
PENETRATION_FIX_M = 0.02
#: Off balance for at least this long is a fix (a passing tombé is not).
OFF_BALANCE_MIN_S = 0.25
#: Flights shorter than this are weight transfers, not jumps (no ballistics check).
MIN_JUMP_S = 0.1
#: PFC (EDGE's scale) above this is a fix; the AIST++ ground truth scores 1.33.
PFC_FIX = 3.0
#: Beat-align score thresholds (AIST++ ground truth: about 0.24).
BAS_PRAISE, BAS_FIX = 0.30, 0.18
#: Energy mismatch, phrase by phrase: movement relative to the dance's biggest phrase
#: (>= BIG_MOVE is big, <= SMALL_MOVE small) against the music's energy (0-1).
BIG_MOVE, SMALL_MOVE, SOFT_MUSIC, LOUD_MUSIC = 0.75, 0.35, 0.35, 0.7
#: Stage: default half width and half depth (a 10 m x 8 m stage), downstage line.
STAGE_HALF_WIDTH_M, STAGE_HALF_DEPTH_M, DOWNSTAGE_Z_M = 5.0, 4.0, 1.0
#: Pieces at least this long are expected to travel and come downstage.
LONG_PIECE_S = 20.0
#: At most this many fixes and praises in a report.
MAX_FIXES, MAX_PRAISE = 5, 3

_OURS = "kanat heuristic (kanat.critique)"


def _info(label: str, units: str, source: str) -> dict:
    return {"label": label, "units": units, "source": source}


#: label, units and source of every figure.
METRIC_INFO: dict[str, dict] = {
    "beat_align_score": _info(
        "Beat-align score (BAS): a settle of the body on every music beat", "",
        "Li et al., Bailando (CVPR 2022), utils/beat_align_score.py; 60 fps, sigma 3 frames"),
    "fact_beat_align_score": _info(
        "FACT beat alignment: every settle of the body on a beat", "",
        "Li et al., AI Choreographer / FACT (ICCV 2021), tools/calculate_beat_scores.py; 60 fps, sigma 3 frames"),
    "accents_on_strong_beats_share": _info(
        "Steps whose first or last beat is a strong beat", "", _OURS + "; DANCE.md timing"),
    "energy_correlation": _info(
        "Pearson r of movement energy (mean joint speed per beat) and musical energy per beat", "", _OURS),
    "energy_mismatched_phrases": _info(
        "Phrases moving big (>= 75% of the biggest) on soft music (energy <= 0.35) "
        "or small (<= 35%) on loud music (>= 0.7)", "", _OURS),
    "phrase_endings_held_share": _info(
        "Phrases that end still on one of their last two counts", "", _OURS + "; DANCE.md grammar"),
    "pfc": _info(
        "Physical foot contact score (lower is better; AIST++ 1.33)", "",
        "Tseng et al., EDGE (CVPR 2023), eval/eval_pfc.py; 30 fps, Y up"),
    "foot_slide_mean_mps": _info("Mean horizontal speed of weight-bearing feet", "m/s", _OURS + " (foot skating)"),
    "foot_slide_worst_mps": _info("Worst beat's mean horizontal speed of a weight-bearing foot", "m/s", _OURS),
    "ground_penetration_max_m": _info("Deepest sole point or joint below the floor", "m", _OURS),
    "ground_penetration_share": _info("Frames with the body more than 1 cm below the floor", "", _OURS),
    "balance_outside_share": _info(
        "Supported frames with the centre of mass over 8 cm outside the base of support", "",
        _OURS + "; centre of mass after de Leva (1996)"),
    "balance_longest_off_s": _info("Longest stretch off balance", "s", _OURS),
    "air_longest_s": _info("Longest time with no foot on the floor", "s", "contact flags"),
    "air_phases_too_long": _info("Flights longer than 0.7 s", "", "DANCE.md physics"),
    "air_rise_error_max_m": _info("Largest gap between a jump's rise and g t^2 / 8", "m", "ballistics; DANCE.md"),
    "step_variety_share": _info("Distinct steps / all steps", "", _OURS),
    "longest_same_step_run": _info("Longest run of one step (steps in a row)", "", _OURS),
    "repeat_similarity": _info(
        "Step-sequence similarity of phrases whose music repeats (1 - Levenshtein / length)", "", _OURS),
    "exact_repeats": _info("Phrases copying an earlier phrase exactly (steps, sides, directions)", "", _OURS),
    "right_side_share": _info("Share of sided steps done to the right", "", _OURS),
    "stage_hull_area_m2": _info("Area of the convex hull of the pelvis's floor path", "m^2", _OURS),
    "downstage_share": _info("Time spent downstage (z > 1 m)", "", _OURS),
    "max_from_centre_m": _info("Farthest distance from centre stage", "m", _OURS),
    "off_stage_s": _info("Time outside the stage", "s", _OURS),
    "import_height_m": _info("Height of the imported dancer (BVH skeleton, in metres as read)", "m",
                             "kanat.formats.skeleton_map"),
    "import_fit_error_mean_m": _info(
        "Imported BVH: mean distance between kanat's joints and the file's mapped joints", "m",
        "kanat.formats.skeleton_map"),
    "import_fit_error_max_m": _info(
        "Imported BVH: worst distance between a kanat joint and the file's mapped joint", "m",
        "kanat.formats.skeleton_map"),
}

#: Above this mean fit error (metres) the report warns that it judges an approximation.
IMPORT_FIT_WARN_M = 0.03

_NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def critique(motion: Motion, music_map: MusicMap, score: Score | None = None) -> Critique:
    """Watch the dance and write the ballet master's report.

    Parameters
    ----------
    motion : Motion
        The dance (any frame rate).
    music_map : MusicMap
        The music it is danced to (beats, counts, phrases, sections, energy).
    score : Score or None
        The choreography, when known: enables the craft notes and lets notes
        name the steps.

    Returns
    -------
    Critique
        Figures, findings (most important first) and a verdict.
    """
    if not isinstance(motion, Motion):
        raise ParameterError(f"critique: motion must be a kanat Motion, got {type(motion).__name__}")
    if not isinstance(music_map, MusicMap):
        raise ParameterError(f"critique: music_map must be a kanat MusicMap, got {type(music_map).__name__}")
    if score is not None and not isinstance(score, Score):
        raise ParameterError(f"critique: score must be a kanat Score or None, got {type(score).__name__}")
    if motion.n_frames < 3:
        raise ParameterError(
            f"critique: the motion has {motion.n_frames} frame(s); at least 3 are needed to measure movement")
    if music_map.n_beats < 2:
        raise ParameterError(
            f"critique: the music map has {music_map.n_beats} beat(s); at least 2 are needed to judge timing")
    w = _Watch(motion, music_map, score)
    metrics: dict = {}
    findings: list[Finding] = []
    _musicality(w, metrics, findings)
    _physics(w, metrics, findings)
    _craft(w, metrics, findings)
    findings = _rank(findings)
    return Critique(
        metrics=metrics, findings=findings, summary=_verdict(metrics, findings),
        metric_info={k: METRIC_INFO[k] for k in metrics if k in METRIC_INFO},
    )


class _Watch:
    """What the critic sees once: positions, speeds, the count grid, the steps."""

    def __init__(self, motion: Motion, mm: MusicMap, score: Score | None) -> None:
        self.motion, self.mm, self.score = motion, mm, score
        self.fps = float(motion.fps)
        self.pos = motion.positions()
        self.speed = M.mean_joint_speed(self.pos, self.fps)
        self.beats = mm.beats_s
        self.edges = M.beat_edges_s(self.beats, motion.duration_s)
        self.phrase_of_beat = mm.phrase_of_beat()
        self.section_of_beat = mm.section_of_beat()
        #: (phrase index, step, first beat, last beat), beats absolute
        self.placed: list[tuple[int, PlacedStep, int, int]] = []
        if score is not None:
            for k, ph in enumerate(score.phrases):
                for st in ph.steps:
                    a = ph.first_beat + st.at - 1
                    self.placed.append((k, st, a, a + max(int(st.beats), 1) - 1))

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


# ------------------------------------------------------------------ musicality
def _musicality(w: _Watch, metrics: dict, out: list[Finding]) -> None:
    mm = w.mm
    per_beat = M.beat_align_per_beat(w.pos, w.fps, w.beats)
    bas = float(np.nanmean(per_beat)) if np.any(~np.isnan(per_beat)) else 0.0
    metrics["beat_align_score"] = bas
    metrics["fact_beat_align_score"] = M.fact_beat_alignment(w.pos, w.fps, w.beats)
    phrase_bas = [(k, float(np.nanmean(per_beat[a : z + 1]))) for k, (a, z) in enumerate(mm.phrases)
                  if np.any(~np.isnan(per_beat[a : z + 1]))]
    if bas >= BAS_PRAISE:
        out.append(w.finding("praise", "musicality", f"The body settles on the beat: beat alignment {bas:.2f} "
                             "(recorded dancers score about 0.24).", metric="beat_align_score", importance=0.5))
    elif phrase_bas:
        k, worst = min(phrase_bas, key=lambda kv: kv[1])
        if bas < BAS_FIX or worst < 0.5 * bas:
            a, z = mm.phrases[k]
            out.append(w.finding(
                "fix", "musicality", "the movement runs through the counts instead of arriving on them "
                f"(beat alignment {worst:.2f} here, {bas:.2f} overall).", a, z,
                suggestion="let landings, arrivals and the ends of turns fall on the counts, "
                "with a breath of stillness there.",
                metric="beat_align_score", importance=0.6 if bas < BAS_FIX else 0.45))

    # accents on strong beats
    metrics["accents_on_strong_beats_share"] = None
    if w.placed:
        strong = M.strong_beats(mm.beat_in_bar, mm.meter, mm.accent)
        first = np.array([p[2] for p in w.placed])
        last = np.array([p[3] for p in w.placed])
        share, ok = M.strong_beat_share(first, last, strong)
        metrics["accents_on_strong_beats_share"] = share
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

    _energy(w, metrics, out)

    # phrase endings
    ratios, held = M.phrase_end_holds(w.speed, w.fps, w.beats, mm.phrases)
    judged = ~np.isnan(ratios)
    metrics["phrase_endings_held_share"] = float(held[judged].mean()) if judged.any() else None
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


def _energy(w: _Watch, metrics: dict, out: list[Finding]) -> None:
    """Movement energy (mean joint speed per beat) against the music's energy."""
    mm = w.mm
    move = M.window_means(w.speed, w.fps, w.edges)
    music = np.asarray(mm.energy, dtype=float)[: len(move)]
    r = M.pearson(move, music)
    metrics["energy_correlation"] = None if np.isnan(r) else r
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
    metrics["energy_mismatched_phrases"] = len(big_on_soft) + len(small_on_loud) if judged else None
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


# ---------------------------------------------------------------------- physics
def _physics(w: _Watch, metrics: dict, out: list[Finding]) -> None:
    fps, pos, contacts = w.fps, w.pos, w.motion.contacts
    terms, _ = M.physical_foot_contact_frames(pos, fps)
    pfc = float(terms.mean() * 1e4) if terms.size else 0.0
    metrics["pfc"] = pfc
    if pfc > PFC_FIX:
        per_beat = M.window_means(terms, M.PFC_FPS, w.edges - 1.0 / M.PFC_FPS)  # term k is at frame k + 1
        if np.any(~np.isnan(per_beat)):
            b = int(np.nanargmax(per_beat))
            out.append(w.finding(
                "fix", "physics", f"the pelvis speeds up and slows down while both feet skim the floor "
                f"(PFC {pfc:.1f}; recorded dancers 1.3), worst here.", b, b,
                suggestion="keep one foot planted while the body changes speed, or take off properly.",
                metric="pfc", importance=0.55))
    _sliding(w, metrics, out)

    # ground penetration
    depth = M.ground_penetration(pos)
    metrics["ground_penetration_max_m"] = float(depth.max())
    metrics["ground_penetration_share"] = float(np.mean(depth > 0.01))
    if depth.max() > PENETRATION_FIX_M:
        a, z = max(M.runs(depth > 0.01), key=lambda r: depth[r[0] : r[1]].max())
        out.append(w.finding(
            "fix", "physics", f"the body sinks {depth.max() * 100:.0f} cm into the floor.", *w.frames_to_beats(a, z),
            suggestion="raise the pelvis so the standing foot rests on the floor; check the depth of the plié.",
            metric="ground_penetration_max_m", importance=0.75))

    # balance
    com = center_of_mass(pos)
    dist = M.support_distance(com, sole_points(pos), contacts)
    supported = ~np.isnan(dist)
    outside = np.nan_to_num(dist, nan=0.0) > M.BALANCE_TOLERANCE_M
    metrics["balance_outside_share"] = float(outside.sum() / supported.sum()) if supported.any() else None
    metrics["balance_longest_off_s"] = max(((z - a) / fps for a, z in M.runs(outside)), default=0.0)
    off = [r for r in M.runs(outside) if (r[1] - r[0]) / fps >= OFF_BALANCE_MIN_S]
    if off:
        a, z = max(off, key=lambda r: r[1] - r[0])
        d = float(np.nanmax(dist[a:z]))
        base = "the supporting foot" if contacts[a:z].sum(axis=1).mean() < 1.5 else "the feet"
        out.append(w.finding(
            "fix", "physics", f"the weight hangs {d * 100:.0f} cm outside {base} for {(z - a) / fps:.1f} s: "
            "no dancer could hold that.", *w.frames_to_beats(a, z),
            suggestion="bring the hips over the ball of the supporting foot, or let the lean become a tombé "
            "that travels onto the other foot.",
            metric="balance_outside_share", importance=min(0.85, 0.6 + (z - a) / fps / 4)))
    elif supported.any() and metrics["balance_outside_share"] < 0.05:
        out.append(w.finding("praise", "physics", "Balanced throughout: the weight stays over the feet.",
                             metric="balance_outside_share", importance=0.35))
    _flights(w, com, metrics, out)


def _sliding(w: _Watch, metrics: dict, out: list[Finding]) -> None:
    fps = w.fps
    slide = M.foot_slide_speeds(w.pos, w.motion.contacts, fps)
    valid = ~np.isnan(slide)
    mean = float(slide[valid].mean()) if valid.any() else None
    metrics["foot_slide_mean_mps"] = mean
    per_foot = np.stack([M.window_means(slide[:, f], fps, w.edges) for f in (0, 1)], axis=1)
    per_beat = np.where(np.isnan(per_foot).all(axis=1), np.nan, np.nanmax(np.nan_to_num(per_foot, nan=-1.0), axis=1))
    metrics["foot_slide_worst_mps"] = float(np.nanmax(per_beat)) if np.any(~np.isnan(per_beat)) else None
    bad = M.runs(np.nan_to_num(per_beat, nan=0.0) > SLIDE_FIX_MPS)
    if bad:
        a, z = max(bad, key=lambda r: np.nanmax(per_beat[r[0] : r[1]]))
        z -= 1
        peak = float(np.nanmax(per_beat[a : z + 1]))
        left, right = (float(np.max(np.nan_to_num(per_foot[a : z + 1, f], nan=0.0))) for f in (0, 1))
        who = ("both feet slide" if min(left, right) >= 0.8 * max(left, right)
               else f"the {'left' if left > right else 'right'} foot slides")
        more = f" ({len(bad) - 1} other passage{'s' if len(bad) > 2 else ''} too)" if len(bad) > 1 else ""
        out.append(w.finding(
            "fix", "physics", f"{who} {peak * 100:.0f} cm/s while carrying the weight{more}.", a, z,
            suggestion="plant the supporting foot; if a glide is meant (chassé, glissade), let the weight travel "
            "over the foot instead of dragging it.", metric="foot_slide_worst_mps", importance=min(0.85, 0.6 + peak)))
    elif mean is not None and mean < SLIDE_PRAISE_MPS:
        out.append(w.finding("praise", "physics", "The feet hold the floor: weight-bearing feet barely move "
                             f"({mean * 100:.1f} cm/s on average).", metric="foot_slide_mean_mps", importance=0.4))


def _flights(w: _Watch, com: np.ndarray, metrics: dict, out: list[Finding]) -> None:
    phases = M.air_phases(w.motion.contacts, w.fps, com[:, 1])
    metrics["air_longest_s"] = max((p["air_s"] for p in phases), default=0.0)
    too_long = [p for p in phases if p["air_s"] > M.MAX_AIR_S]
    metrics["air_phases_too_long"] = len(too_long)
    jumps = [p for p in phases if p["air_s"] >= MIN_JUMP_S]
    metrics["air_rise_error_max_m"] = max((M.rise_error_m(p) for p in jumps), default=0.0)
    for p in too_long[:2]:
        out.append(w.finding(
            "fix", "physics", f"the dancer hangs in the air for {p['air_s']:.1f} s; nobody stays up longer "
            f"than about {M.MAX_AIR_S} s.", *w.frames_to_beats(p["start"], p["stop"]),
            suggestion="shorten the flight, or put a foot down in between (a glissade or a tombé between two jumps).",
            metric="air_phases_too_long", importance=0.9))
    odd = [p for p in jumps if p not in too_long and M.implausible_rise(p)]
    if odd:
        p = max(odd, key=M.rise_error_m)
        out.append(w.finding(
            "fix", "physics", f"the jump rises {p['rise_m'] * 100:.0f} cm in {p['air_s']:.2f} s of air; "
            f"a real jump that long rises {p['ballistic_rise_m'] * 100:.0f} cm.",
            *w.frames_to_beats(p["start"], p["stop"]),
            suggestion="match the height of the jump to its air time (or the air time to its height).",
            metric="air_rise_error_max_m", importance=0.6))
    elif jumps and not too_long:
        out.append(w.finding("praise", "physics", f"The jumps obey gravity: {len(jumps)} "
                             f"flight{'s' if len(jumps) > 1 else ''}, the longest {metrics['air_longest_s']:.2f} s.",
                             metric="air_rise_error_max_m", importance=0.3))


# ------------------------------------------------------------------------ craft
def _stage_limits(score: Score | None) -> tuple[float, float]:
    """Half width and half depth of the stage: ``settings.stage`` ``width_m``/``depth_m``
    (or ``width``/``depth``) in metres when the score gives them, else 10 m x 8 m."""
    try:
        st = (score.settings.get("stage") if score is not None else None) or {}
        width = float(st.get("width_m", st.get("width", 2 * STAGE_HALF_WIDTH_M)))
        depth = float(st.get("depth_m", st.get("depth", 2 * STAGE_HALF_DEPTH_M)))
    except (TypeError, ValueError, AttributeError):
        return STAGE_HALF_WIDTH_M, STAGE_HALF_DEPTH_M
    return width / 2, depth / 2


def _craft(w: _Watch, metrics: dict, out: list[Finding]) -> None:
    _stage(w, metrics, out)
    for key in ("step_variety_share", "longest_same_step_run", "repeat_similarity", "exact_repeats",
                "right_side_share"):
        metrics[key] = None
    if not w.placed:
        return
    names = [p[1].step for p in w.placed]
    var = M.step_variety(names)
    metrics["step_variety_share"] = var["distinct_ratio"]
    metrics["longest_same_step_run"] = var["longest_run"]
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
    _structure(w, metrics, out)
    _sides(w, metrics, out)


def _stage(w: _Watch, metrics: dict, out: list[Finding]) -> None:
    hw, hd = _stage_limits(w.score)
    st = M.stage_use(w.motion.root_pos[:, [0, 2]], w.fps, half_width_m=hw, half_depth_m=hd,
                     downstage_z_m=DOWNSTAGE_Z_M)
    metrics["stage_hull_area_m2"] = st["hull_area_m2"]
    for key in ("downstage_share", "max_from_centre_m", "off_stage_s"):
        metrics[key] = st[key]
    long_piece = w.motion.duration_s >= LONG_PIECE_S
    if st["off_stage_s"] > 0:
        a, z = M.runs(st["off_stage"])[0]
        out.append(w.finding(
            "fix", "craft", f"the dancer drifts off the stage (up to {st['max_from_centre_m']:.1f} m from centre; "
            f"the stage is {2 * hw:.0f} x {2 * hd:.0f} m).", *w.frames_to_beats(a, z),
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


def _structure(w: _Watch, metrics: dict, out: list[Finding]) -> None:
    """Compare phrases whose music repeats: the k-th phrase of each return of a
    section letter against the k-th phrase of that letter's first appearance."""
    score = w.score
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
        return

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
    metrics["repeat_similarity"] = float(np.mean(sims))
    metrics["exact_repeats"] = len(exact)
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


def _sides(w: _Watch, metrics: dict, out: list[Finding]) -> None:
    sides = [p[1].side for p in w.placed]
    share = M.right_side_share(sides)
    metrics["right_side_share"] = None if np.isnan(share) else share
    if sum(s in ("R", "L") for s in sides) < 4 or np.isnan(share):
        return
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


# ---------------------------------------------------------------- rank, verdict
def _rank(findings: list[Finding]) -> list[Finding]:
    """The most important fixes and praises, most important first."""
    fixes = sorted((f for f in findings if f.kind == "fix"), key=lambda f: -f.importance)[:MAX_FIXES]
    praise = sorted((f for f in findings if f.kind == "praise"), key=lambda f: -f.importance)[:MAX_PRAISE]
    return sorted(fixes + praise, key=lambda f: (-f.importance, f.kind != "fix"))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _verdict(metrics: dict, findings: list[Finding]) -> str:
    """Two or three sentences: how each area stands, two headline figures, the first thing to fix."""
    good, fair, bad = [], [], []
    for area in AREAS:
        fixes = [f for f in findings if f.area == area and f.kind == "fix"]
        if any(f.importance >= 0.6 for f in fixes):
            bad.append(area)
        elif fixes:
            fair.append(area)
        elif any(f.area == area for f in findings):
            good.append(area)
    parts = []
    if good:
        parts.append(f"{_join(good)} {'is' if len(good) == 1 else 'are'} in good shape")
    if fair:
        parts.append(f"{_join(fair)} {'needs' if len(fair) == 1 else 'need'} polish")
    if bad:
        parts.append(f"{_join(bad)} {'needs' if len(bad) == 1 else 'need'} work")
    head = ("; ".join(parts) + ".") if parts else "Too little to judge."
    head = head[0].upper() + head[1:]
    figures = f"Beat alignment {metrics.get('beat_align_score', 0.0):.2f}, PFC {metrics.get('pfc', 0.0):.2f}."
    fixes = [f for f in findings if f.kind == "fix"]
    if not fixes:
        return f"{head} {figures} Nothing these measures can fault: keep it."
    top = fixes[0]
    if not top.where:
        return f"{head} {figures} First: {top.text[0].upper() + top.text[1:]}"
    steps = f" ({', '.join(top.steps)})" if top.steps else ""
    return f"{head} {figures} First, {top.where}{steps}: {top.text}"


def add_import_figures(report: Critique, info: dict, *, source: str = "") -> Critique:
    """Add how an imported BVH was read to a report (in place; also returned).

    Parameters
    ----------
    report : Critique
    info : dict
        :meth:`kanat.formats.skeleton_map.RetargetInfo.to_dict`: ``convention``,
        ``unit``, ``up_axis``, ``height_m``, ``fit_error_mean_m``, ``fit_error_max_m``.
    source : str
        The file's name, for the summary.
    """
    for key, field_ in (("import_height_m", "height_m"), ("import_fit_error_mean_m", "fit_error_mean_m"),
                        ("import_fit_error_max_m", "fit_error_max_m")):
        report.metrics[key] = float(info[field_])
        report.metric_info[key] = METRIC_INFO[key]
    mean_cm = 100.0 * float(info["fit_error_mean_m"])
    sentence = (f"Read from {source or 'a BVH file'} ({info['convention']} skeleton, {info['unit']}, "
                f"{info['up_axis']} up, a {float(info['height_m']):.2f} m dancer; kanat's body follows its joints "
                f"within {mean_cm:.1f} cm on average).")
    if float(info["fit_error_mean_m"]) > IMPORT_FIT_WARN_M:
        sentence += " The fit is loose: read the physics figures as approximate."
    report.summary = f"{report.summary} {sentence}".strip()
    return report
