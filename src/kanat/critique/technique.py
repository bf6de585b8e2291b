"""Technique between the poses: do the turns turn, do the jumps fly, do the hands and feet move without popping?

Conventions
-----------
- Each function reads a :class:`~kanat.critique.watch.Watch` and returns its
  figures and findings (``Observed``); :func:`technique` joins them. Findings
  belong to the physics area.
- Turns and jumps are judged step by step from the score (what each step
  asks for, from the vocabulary); without a score the flights are judged as
  petit allegro and the turns are not judged (their figures are None).
- Thresholds are the ballet master's (issue 15, DANCE.md), named below.
"""

from __future__ import annotations

import numpy as np

from kanat.critique import dance_metrics as D
from kanat.critique.watch import Observed, Span, Watch, gather

#: A turn is complete when its net yaw comes within this much of what the step asks (degrees) ...
TURN_SLACK_DEG = 30.0
#: ... or within this share of it, whichever is larger (a double pirouette may land 70 degrees short).
TURN_SLACK_SHARE = 0.1
#: Shortest flight (s) of each kind of jump; grand allegro must also rise this high (m) ...
MIN_AIR_S = {"petit allegro": 0.28, "batterie": 0.35, "grand allegro": 0.45}
GRAND_RISE_M = 0.20
#: ... and a grand jeté or saut de chat opens its legs this far at the apex (degrees).
GRAND_SPLIT_DEG = 160.0
#: Steps that beat the legs in the air.
BATTERIE = ("entrechat", "brisé", "cabriole", "royale", "battu")
#: Split jumps (measured for the split at the apex).
SPLIT_JUMPS = ("grand jeté", "saut de chat")
#: Jumps whose legs are straight in the air, and how straight (the more bent knee at the apex, degrees).
STRAIGHT_LEG_JUMPS = ("changement", "entrechat", "sauté", "échappé", "assemblé", "grand jeté", "sissonne")
STRAIGHT_KNEE_DEG = 160.0
#: Pops per minute from which a fix is written, and its importance rising with the rate.
POPS_FIX_PER_MIN = 1.0


def technique(w: Watch) -> Observed:
    """Turns completed, jumps' flights by kind, pops of the hands and feet."""
    return gather(_turns(w), _jumps(w), _pops(w))


# ------------------------------------------------------------------ turns
def _turning(w: Watch) -> list[Span]:
    return [s for s in w.spans if s.step is not None and abs(s.step.turn_deg) >= 90.0]


def turn_results(w: Watch) -> list[dict]:
    """For every turning step: wanted and made turn (degrees, signed toward the working side), complete?"""
    yaw = D.pelvis_yaw(w.pos)
    out = []
    for s in _turning(w):
        sign = 1.0 if s.placed.side == "L" else -1.0
        made = np.degrees(D.turn_made_rad(yaw, w.fps, s.t0_s, s.t1_s)) * sign  # toward the working side
        wanted = float(s.step.turn_deg)
        slack = max(TURN_SLACK_DEG, TURN_SLACK_SHARE * abs(wanted))
        out.append({"span": s, "wanted_deg": wanted, "made_deg": float(made),
                    "complete": abs(made - wanted) <= slack or (made * np.sign(wanted) > abs(wanted))})
    return out


def _turns(w: Watch) -> Observed:
    res, out = turn_results(w), []
    figures = {"turns_completed_share": float(np.mean([r["complete"] for r in res])) if res else None,
               "turns_judged": len(res)}
    short = [r for r in res if not r["complete"]]
    if short:
        r = max(short, key=lambda r: abs(r["wanted_deg"] - r["made_deg"]))
        s = r["span"]
        wrong_way = r["made_deg"] * np.sign(r["wanted_deg"]) < -TURN_SLACK_DEG
        how = ("turns the wrong way" if wrong_way else "does not complete its turn")
        out.append(w.finding(
            "fix", "physics", f"the {s.placed.step} {how}: the pelvis turns {abs(r['made_deg']):.0f}° of "
            f"{abs(r['wanted_deg']):.0f}°; {len(short)} of {len(res)} turning steps fall short of their turn.",
            s.first_beat, s.last_beat,
            suggestion="turn the whole body round on the supporting foot, spotting the head, and finish the "
            "rotation before the landing count.", metric="turns_completed_share",
            importance=min(0.9, 0.6 + 0.3 * len(short) / len(res))))
    elif res:
        out.append(w.finding("praise", "physics", f"The turns turn: all {len(res)} turning steps come round "
                             "their full rotation.", metric="turns_completed_share", importance=0.45))
    return figures, out


# ------------------------------------------------------------------ jumps
def jump_kind(span: Span | None) -> str | None:
    """petit allegro, batterie or grand allegro for a jump (None: not a jump, or a glide like chassé)."""
    if span is None:
        return "petit allegro"
    step = span.step
    if step is None or not step.is_jump or step.level != "air":
        return None
    if step.character and step.character[0] == "grand_allegro":
        return "grand allegro"
    if any(b in step.name for b in BATTERIE):
        return "batterie"
    return "petit allegro"


def jump_results(w: Watch) -> list[dict]:
    """Every jump with its flight: one row per jumping step (or per flight without a score).

    Rows: ``kind``, ``span`` (None without a score), ``flight`` (the longest
    flight inside the step, None when it never leaves the floor), ``faults``
    (plain words).
    """
    standing = D.standing_pelvis_m(w.motion.skeleton)
    fl = D.flights(w.pos, w.motion.contacts, w.fps, standing_m=standing)
    rows = []
    if w.score is None:
        rows = [{"kind": "petit allegro", "span": None, "flight": f} for f in fl if f["air_s"] >= 0.1]
    else:
        for s in w.spans:
            kind = jump_kind(s)
            if kind is None:
                continue
            mine = [f for f in fl if s.t0_s - 0.05 <= 0.5 * (f["start_s"] + f["stop_s"]) <= s.t1_s + 0.05]
            rows.append({"kind": kind, "span": s, "flight": max(mine, key=lambda f: f["air_s"]) if mine else None})
    for r in rows:
        r["faults"] = _jump_faults(r)
    return rows


def _jump_faults(r: dict) -> list[str]:
    f, kind = r["flight"], r["kind"]
    if f is None:
        return ["never leaves the floor"]
    faults = []
    if f["air_s"] < MIN_AIR_S[kind]:
        faults.append(f"flies {f['air_s']:.2f} s (a {kind} jump needs {MIN_AIR_S[kind]:.2f} s)")
    if kind == "grand allegro" and f["rise_m"] < GRAND_RISE_M:
        faults.append(f"rises {100 * f['rise_m']:.0f} cm at the pelvis (needs {100 * GRAND_RISE_M:.0f})")
    if f["toe_clearance_m"] < D.TOE_CLEARANCE_M:
        faults.append(f"keeps a toe {100 * max(f['toe_clearance_m'], 0.0):.1f} cm off the floor in the air")
    span = r["span"]
    if span is not None and any(n in span.placed.step for n in STRAIGHT_LEG_JUMPS) and f["knee_deg"] < STRAIGHT_KNEE_DEG:
        faults.append(f"bends a knee to {f['knee_deg']:.0f}° at the top (legs straight and pointed in the air)")
    if span is not None and any(n in span.placed.step for n in SPLIT_JUMPS) and f["split_deg"] < GRAND_SPLIT_DEG:
        faults.append(f"opens the legs {f['split_deg']:.0f}° at the top (a split is {GRAND_SPLIT_DEG:.0f}°)")
    return faults


def _jumps(w: Watch) -> Observed:
    rows, out = jump_results(w), []
    figures: dict = {"jumps_judged": len(rows),
                     "jumps_good_share": float(np.mean([not r["faults"] for r in rows])) if rows else None}
    for kind in MIN_AIR_S:
        mine = [r["flight"] for r in rows if r["kind"] == kind]
        key = kind.replace(" ", "_")
        figures[f"air_{key}_median_s"] = float(np.median([f["air_s"] if f else 0.0 for f in mine])) if mine else None
        figures[f"rise_{key}_median_m"] = float(np.median([f["rise_m"] if f else 0.0 for f in mine])) if mine else None
    grounded = [r for r in rows if r["flight"] is None or r["flight"]["toe_clearance_m"] < D.TOE_CLEARANCE_M]
    figures["jumps_floor_level"] = len(grounded) if rows else None
    bad = [r for r in rows if r["faults"]]
    if bad:
        r = grounded[0] if grounded else bad[0]
        name = r["span"].placed.step if r["span"] is not None else "jump"
        level = ("floor-level jumps" if r in grounded else "short jumps" if r["flight"]["air_s"] < MIN_AIR_S[r["kind"]]
                 else "jumps without their line")
        where = _where(w, r)
        out.append(w.finding(
            "fix", "physics", f"{level}: the {name} {'; '.join(r['faults'])}; {len(bad)} of {len(rows)} "
            f"jumps fall short ({len(grounded)} barely leave the floor).", *where,
            suggestion="push off through a deep plié, straighten and point the legs in the air and land through "
            "plié; where the music leaves no time for the flight, choose another step.",
            metric="jumps_good_share", importance=min(0.9, 0.6 + 0.3 * len(bad) / len(rows))))
    elif rows:
        out.append(w.finding("praise", "physics", f"The jumps fly: all {len(rows)} leave the floor for as long as "
                             "their kind needs, toes clear of the floor.", metric="jumps_good_share", importance=0.45))
    return figures, out


def _where(w: Watch, r: dict) -> tuple[int, int]:
    if r["span"] is not None:
        return r["span"].first_beat, r["span"].last_beat
    f = r["flight"]
    return w.frames_to_beats(f["start"], f["stop"])


# ------------------------------------------------------------------- pops
def _pops(w: Watch) -> Observed:
    found, out = D.pops(w.pos, w.fps), []
    minutes = max(w.motion.duration_s / 60.0, 1e-9)
    rate = len(found) / minutes
    figures = {"pops_per_min": rate, "pop_worst_m": max((p["step_m"] for p in found), default=0.0)}
    if found and rate >= POPS_FIX_PER_MIN:
        p = max(found, key=lambda p: p["step_m"])
        b = w.beat_at(p["time_s"])
        out.append(w.finding(
            "fix", "physics", f"the {p['limb']} pops {100 * p['step_m']:.0f} cm in one frame (1/60 s); "
            f"{len(found)} pops in the dance, {rate:.0f} a minute.", b, b,
            suggestion="blend plants and releases over a tenth of a second at least, so the foot or hand "
            "travels instead of jumping.", metric="pops_per_min", importance=min(0.85, 0.55 + rate / 100)))
    return figures, out
