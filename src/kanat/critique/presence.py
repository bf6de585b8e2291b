"""Presence: does the body breathe through the counts, travel the stage, show its lines and the music's character?

Conventions
-----------
- Each function reads a :class:`~kanat.critique.watch.Watch` and returns its
  figures and findings (``Observed``); :func:`presence` joins them. The pulse
  is musicality; space, lines and character are craft.
- The stage is the brief's :class:`kanat.body.stage.Stage`; the targets for
  a 2-minute piece on a 10 x 8 m stage (15 m^2, 2 m up- and downstage) scale
  with the stage's size and the piece's length.
- Lines and character need the score (their figures are None without one).
- Thresholds are the ballet master's (issue 15), named below.
"""

from __future__ import annotations

import numpy as np

from kanat.body.skeleton import J
from kanat.critique import dance_metrics as D
from kanat.critique import metrics as M
from kanat.critique.watch import Observed, Watch, gather
from kanat.vocabulary.tempo import ADAGIO_BELOW_BPM, ALLEGRO_FROM_BPM

#: Below this median pulse the limbs stop on the counts (tick-tock); from PULSE_PRAISE they flow.
PULSE_FIX, PULSE_PRAISE = 0.5, 0.75
#: In adagio steps the limbs keep at least this share of their speed through the beat.
ADAGIO_PULSE_MIN = 0.6
#: A beat where the limbs keep less than this share of their speed is a stop.
STOP_RATIO = 0.35
#: A 2-minute piece on a 10 x 8 m stage covers this much floor (hull of the pelvis path) ...
HULL_TARGET_M2, TARGET_PIECE_S, TARGET_STAGE_M2 = 15.0, 120.0, 80.0
#: ... and reaches this share of the stage's depth up- and downstage of centre (2 m of 8).
REACH_SHARE = 0.25
#: Pieces shorter than this are not judged for space.
SPACE_MIN_S = 20.0
#: A line whose raised leg points within this angle of the audience axis is en face (leg hidden).
EN_FACE_DEG = 30.0
#: A raised leg is this high (ankle above the floor, metres) at least for the line to be judged.
LINE_MIN_ANKLE_M = 0.3
#: Phrase movement varying less than this (std / mean over phrases) while the music's energy
#: spans at least ENERGY_SPAN is danced at one energy.
FLAT_MOVEMENT, ENERGY_SPAN = 0.15, 0.3
#: Line steps, by name.
LINES = ("arabesque", "attitude")


def presence(w: Watch) -> tuple[Observed, Observed]:
    """(musicality: the pulse; craft: space, lines and character)."""
    return _pulse(w), gather(_space(w), _lines(w), _character(w))


# ------------------------------------------------------------------ pulse
def _pulse(w: Watch) -> Observed:
    per_beat, out = D.pulse_per_beat(w.pos, w.fps, w.beats), []
    judged = ~np.isnan(per_beat)
    figures: dict = {"pulse": float(np.median(per_beat[judged])) if judged.any() else None,
                     "beats_stopped_share": float(np.mean(per_beat[judged] < STOP_RATIO)) if judged.any() else None,
                     "adagio_pulse": None}
    adagio = np.zeros(len(w.beats), dtype=bool)
    for s in w.spans:
        if s.step is not None and s.step.character and s.step.character[0] == "adagio":
            adagio[s.first_beat : s.last_beat + 1] = True
    if (adagio & judged).any():
        figures["adagio_pulse"] = float(np.median(per_beat[adagio & judged]))
    if judged.sum() < 4:
        return figures, out
    pulse, stopped = figures["pulse"], figures["beats_stopped_share"]
    if pulse < PULSE_FIX:
        a, z = _worst_run(per_beat, w.mm.phrases)
        out.append(w.finding(
            "fix", "musicality", f"tick-tock: the limbs stop on the counts — they keep {pulse:.0%} of their speed on "
            f"the beat and all but stop on {stopped:.0%} of the beats.", a, z,
            suggestion="let the movement flow through the counts and show the beat in accents and phrase ends "
            "instead of a stop on every count.", metric="pulse", importance=0.7))
    elif figures["adagio_pulse"] is not None and figures["adagio_pulse"] < ADAGIO_PULSE_MIN:
        idx = np.flatnonzero(adagio & judged)
        out.append(w.finding(
            "fix", "musicality", f"the adagio stops on its counts: the limbs keep {figures['adagio_pulse']:.0%} of "
            f"their speed through the beat (sustained movement keeps {ADAGIO_PULSE_MIN:.0%}).",
            int(idx[0]), int(idx[min(len(idx) - 1, 7)]),
            suggestion="sustain the line through the beat: the arms and the working leg keep travelling.",
            metric="adagio_pulse", importance=0.55))
    elif pulse >= PULSE_PRAISE:
        out.append(w.finding("praise", "musicality", f"The movement breathes through the counts: the limbs keep "
                             f"{pulse:.0%} of their speed on the beat.", metric="pulse", importance=0.4))
    return figures, out


def _worst_run(per_beat: np.ndarray, phrases: list[tuple[int, int]]) -> tuple[int, int]:
    """The phrase whose beats stop most (its first and last beat)."""
    best, worst = (0, min(7, len(per_beat) - 1)), np.inf
    for a, z in phrases:
        v = per_beat[a : z + 1]
        if np.any(~np.isnan(v)) and np.nanmean(v) < worst:
            best, worst = (a, z), float(np.nanmean(v))
    return best


# ------------------------------------------------------------------ space
def space_targets(w: Watch) -> tuple[float, float]:
    """(hull area m^2, reach m) this piece should cover on this stage."""
    stage = w.brief.stage
    length = min(1.0, w.motion.duration_s / TARGET_PIECE_S)
    return (HULL_TARGET_M2 * length * stage.width_m * stage.depth_m / TARGET_STAGE_M2,
            REACH_SHARE * stage.depth_m * min(1.0, 2.0 * length))


def _space(w: Watch) -> Observed:
    xz = w.motion.root_pos[:, [0, 2]]
    reach = D.stage_reach(xz)
    area = M.stage_use(xz, w.fps)["hull_area_m2"]
    hull_target, reach_target = space_targets(w)
    figures = {"upstage_reach_m": reach["upstage_reach_m"], "downstage_reach_m": reach["downstage_reach_m"],
               "stage_hull_target_m2": hull_target}
    out = []
    if w.motion.duration_s < SPACE_MIN_S:
        return figures, out
    missing = []
    if area < hull_target:
        missing.append(f"covers {area:.1f} m² of floor (a piece this long covers {hull_target:.0f})")
    for key, word in (("upstage_reach_m", "upstage"), ("downstage_reach_m", "downstage")):
        if reach[key] < reach_target:
            missing.append(f"goes {reach[key]:.1f} m {word} of centre (reach {reach_target:.1f} m)")
    if missing:
        out.append(w.finding(
            "fix", "craft", "unused stage: the dance " + "; ".join(missing) + ".",
            suggestion="make a floor plan: diagonals, a manège in the grand allegro, travel up- and downstage, "
            "the climax downstage.", metric="stage_hull_area_m2", importance=0.55))
    return figures, out


# ------------------------------------------------------------------ lines
def line_results(w: Watch) -> list[dict]:
    """Every arabesque or attitude with a raised leg: its step, the frame judged, the angle to the audience axis."""
    rows = []
    for s in w.spans:
        if not any(n in s.placed.step for n in LINES):
            continue
        a = int(np.clip(round(s.t0_s * w.fps), 0, w.motion.n_frames - 1))
        z = int(np.clip(round(s.t1_s * w.fps), a + 1, w.motion.n_frames))
        ankles = w.pos[a:z][:, [J["left_ankle"], J["right_ankle"]], 1].max(axis=1)
        k = a + int(np.argmax(ankles))
        if ankles.max() < LINE_MIN_ANKLE_M:
            continue
        rows.append({"span": s, "frame": k, "angle_deg": D.line_to_audience_deg(w.pos, k)})
    return rows


def _lines(w: Watch) -> Observed:
    rows, out = line_results(w), []
    en_face = [r for r in rows if r["angle_deg"] < EN_FACE_DEG]
    figures = {"lines_en_face_share": len(en_face) / len(rows) if rows else None}
    if en_face:
        r = en_face[0]
        s = r["span"]
        out.append(w.finding(
            "fix", "craft", f"en-face line: the {s.placed.step} shows its leg to the audience end-on "
            f"({r['angle_deg']:.0f}° from the line of sight), so the line is hidden; {len(en_face)} of {len(rows)} "
            "arabesques and attitudes.", s.first_beat, s.last_beat,
            suggestion="turn the body to croisé or effacé (a corner) so the leg is seen full length.",
            metric="lines_en_face_share", importance=0.5))
    return figures, out


# -------------------------------------------------------------- character
def _character(w: Watch) -> Observed:
    figures: dict = {"adagio_on_quick_music_share": None, "meter_fit_share": None, "movement_phrase_spread": None}
    out: list = []
    known = [s for s in w.spans if s.step is not None]
    if not known:
        return figures, out
    tempo = _local_tempo(w)
    adagio = [s for s in known if s.step.character[:1] == ("adagio",)]
    quick = [s for s in adagio if tempo[s.first_beat] >= ALLEGRO_FROM_BPM]
    figures["adagio_on_quick_music_share"] = len(quick) / len(known)
    jumps_on_slow = [s for s in known if s.step.is_jump and s.step.level == "air" and tempo[s.first_beat] < ADAGIO_BELOW_BPM]
    meter = w.mm.meter
    fits = [int(meter[min(s.first_beat, len(meter) - 1)]) in s.step.meters for s in known]
    figures["meter_fit_share"] = float(np.mean(fits))
    move = M.window_means(w.speed, w.fps, w.edges)
    phr = [(float(np.nanmean(move[a : z + 1])), float(np.mean(w.mm.energy[a : z + 1])))
           for a, z in w.mm.phrases if np.any(~np.isnan(move[a : z + 1]))]
    if len(phr) >= 3:
        m = np.array([p[0] for p in phr])
        figures["movement_phrase_spread"] = float(m.std() / max(m.mean(), 1e-9))
    said = []
    if quick and len(quick) >= max(2, 0.2 * len(known)):
        said.append(f"{len(quick)} adagio steps on quick music ({tempo[quick[0].first_beat]:.0f} BPM)")
    if len(jumps_on_slow) >= 2:
        said.append(f"{len(jumps_on_slow)} allegro jumps on an adagio")
    if figures["meter_fit_share"] < 0.5:
        said.append(f"only {figures['meter_fit_share']:.0%} of the steps are made for the music's meter")
    spread = figures["movement_phrase_spread"]
    music = [p[1] for p in phr]
    if spread is not None and spread < FLAT_MOVEMENT and max(music) - min(music) >= ENERGY_SPAN:
        said.append("the movement keeps one energy while the music goes from soft to loud")
    if said:
        first = quick[0] if quick else (jumps_on_slow[0] if jumps_on_slow else None)
        where = (first.first_beat, first.last_beat) if first is not None else (None, None)
        out.append(w.finding(
            "fix", "craft", "missing character: " + "; ".join(said) + ".", *where,
            suggestion="let the kind of music choose the steps and their dynamics: adagio for slow music, quick "
            "footwork and travel for reels and allegros, the accents where the dance form puts them.",
            metric="meter_fit_share", importance=0.55))
    return figures, out


def _local_tempo(w: Watch) -> np.ndarray:
    """Tempo (BPM) around each beat, from the median beat interval of its phrase."""
    b = w.beats
    out = np.full(len(b), float(w.mm.tempo_bpm))
    for a, z in w.mm.phrases:
        if z > a:
            out[a : z + 1] = 60.0 / float(np.median(np.diff(b[a : z + 1])))
    return out
