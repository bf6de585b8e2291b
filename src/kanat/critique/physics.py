"""Physics: could a body do this? Foot contact, sliding, the floor, balance, flights.

Conventions
-----------
- Each function reads a :class:`~kanat.critique.watch.Watch` and returns its
  figures and findings (``Observed``); :func:`physics` joins them.
- Metres, seconds; contacts as the motion carries them (imported BVH files
  get contacts estimated from the feet).
"""

from __future__ import annotations

import numpy as np

from kanat.body.kinematics import sole_points
from kanat.critique import metrics as M
from kanat.critique import physics_metrics as PM
from kanat.critique.watch import Observed, Watch, gather

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


def physics(w: Watch) -> Observed:
    """Foot contact (PFC), sliding, ground penetration, balance and flights."""
    return gather(_foot_contact(w), _sliding(w), _penetration(w), _balance(w), _flights(w))


def _foot_contact(w: Watch) -> Observed:
    out = []
    terms, _ = PM.physical_foot_contact_frames(w.pos, w.fps)
    pfc = float(terms.mean() * 1e4) if terms.size else 0.0
    if pfc > PFC_FIX:
        per_beat = M.window_means(terms, PM.PFC_FPS, w.edges - 1.0 / PM.PFC_FPS)  # term k is at frame k + 1
        if np.any(~np.isnan(per_beat)):
            b = int(np.nanargmax(per_beat))
            out.append(w.finding(
                "fix", "physics", f"the pelvis speeds up and slows down while both feet skim the floor "
                f"(PFC {pfc:.1f}; recorded dancers 1.3), worst here.", b, b,
                suggestion="keep one foot planted while the body changes speed, or take off properly.",
                metric="pfc", importance=0.55))
    return {"pfc": pfc}, out


def _sliding(w: Watch) -> Observed:
    fps, out = w.fps, []
    slide = PM.foot_slide_speeds(w.pos, w.motion.contacts, fps)
    valid = ~np.isnan(slide)
    mean = float(slide[valid].mean()) if valid.any() else None
    per_foot = np.stack([M.window_means(slide[:, f], fps, w.edges) for f in (0, 1)], axis=1)
    per_beat = np.where(np.isnan(per_foot).all(axis=1), np.nan, np.nanmax(np.nan_to_num(per_foot, nan=-1.0), axis=1))
    figures = {"foot_slide_mean_mps": mean,
               "foot_slide_worst_mps": float(np.nanmax(per_beat)) if np.any(~np.isnan(per_beat)) else None}
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
    elif mean is not None and mean < SLIDE_PRAISE_MPS and w.shifts_weight:  # standing still is no merit
        out.append(w.finding("praise", "physics", "The feet hold the floor: weight-bearing feet barely move "
                             f"({mean * 100:.1f} cm/s on average).", metric="foot_slide_mean_mps", importance=0.4))
    return figures, out


def _penetration(w: Watch) -> Observed:
    out = []
    depth = PM.ground_penetration(w.pos)
    figures = {"ground_penetration_max_m": float(depth.max()), "ground_penetration_share": float(np.mean(depth > 0.01))}
    if depth.max() > PENETRATION_FIX_M:
        a, z = max(M.runs(depth > 0.01), key=lambda r: depth[r[0] : r[1]].max())
        out.append(w.finding(
            "fix", "physics", f"the body sinks {depth.max() * 100:.0f} cm into the floor.", *w.frames_to_beats(a, z),
            suggestion="raise the pelvis so the standing foot rests on the floor; check the depth of the plié.",
            metric="ground_penetration_max_m", importance=0.75))
    return figures, out


def _balance(w: Watch) -> Observed:
    fps, contacts, out = w.fps, w.motion.contacts, []
    dist = PM.support_distance(w.com, sole_points(w.pos), contacts)
    supported = ~np.isnan(dist)
    outside = np.nan_to_num(dist, nan=0.0) > PM.BALANCE_TOLERANCE_M
    share = float(outside.sum() / supported.sum()) if supported.any() else None
    figures = {"balance_outside_share": share,
               "balance_longest_off_s": max(((z - a) / fps for a, z in M.runs(outside)), default=0.0)}
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
    elif supported.any() and share < 0.05 and w.shifts_weight:
        out.append(w.finding("praise", "physics", "Balanced throughout: the weight stays over the feet.",
                             metric="balance_outside_share", importance=0.35))
    return figures, out


def _flights(w: Watch) -> Observed:
    out = []
    phases = PM.air_phases(w.motion.contacts, w.fps, w.com[:, 1])
    longest = max((p["air_s"] for p in phases), default=0.0)
    too_long = [p for p in phases if p["air_s"] > PM.MAX_AIR_S]
    jumps = [p for p in phases if p["air_s"] >= MIN_JUMP_S]
    figures = {"air_longest_s": longest, "air_phases_too_long": len(too_long),
               "air_rise_error_max_m": max((PM.rise_error_m(p) for p in jumps), default=0.0)}
    for p in too_long[:2]:
        out.append(w.finding(
            "fix", "physics", f"the dancer hangs in the air for {p['air_s']:.1f} s; nobody stays up longer "
            f"than about {PM.MAX_AIR_S} s.", *w.frames_to_beats(p["start"], p["stop"]),
            suggestion="shorten the flight, or put a foot down in between (a glissade or a tombé between two jumps).",
            metric="air_phases_too_long", importance=0.9))
    odd = [p for p in jumps if p not in too_long and PM.implausible_rise(p)]
    if odd:
        p = max(odd, key=PM.rise_error_m)
        out.append(w.finding(
            "fix", "physics", f"the jump rises {p['rise_m'] * 100:.0f} cm in {p['air_s']:.2f} s of air; "
            f"a real jump that long rises {p['ballistic_rise_m'] * 100:.0f} cm.",
            *w.frames_to_beats(p["start"], p["stop"]),
            suggestion="match the height of the jump to its air time (or the air time to its height).",
            metric="air_rise_error_max_m", importance=0.6))
    elif jumps and not too_long:
        out.append(w.finding("praise", "physics", f"The jumps obey gravity: {len(jumps)} "
                             f"flight{'s' if len(jumps) > 1 else ''}, the longest {longest:.2f} s.",
                             metric="air_rise_error_max_m", importance=0.3))
    return figures, out
