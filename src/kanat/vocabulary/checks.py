"""A step's physical checks: could a trained dancer do it, on both sides, at every keyframe?

Conventions
-----------
- Keyframes are compiled (:mod:`kanat.vocabulary.pose`) and placed by
  perform's own rule (:func:`kanat.vocabulary.danced.danced_keys`, then
  :func:`kanat.body.placement.place_poses`) at ``CHECK_TEMPO_BPM`` (or as
  quick as the step's flights allow): the pelvis over the origin, the
  supporting soles on the floor, flights ballistic for their air time.
- Every check returns a list of problems, each a sentence naming the step,
  the side and the keyframe; an empty list is a pass. :func:`check_step` runs
  them all on both sides; ``kanat steps --json`` reports them, the tests
  assert them, learnt steps are held to them.
- Metres, seconds, degrees in messages.
"""

from __future__ import annotations

import numpy as np

from kanat.body import J, center_of_mass, sole_points
from kanat.body.collisions import BONES, collisions
from kanat.body.limits import check_joint_limits
from kanat.body.placement import G, SUPPORT_FEET, air_runs, place_poses
from kanat.body.skeleton import BONE_RADIUS_M, JOINT_NAMES
from kanat.vocabulary.danced import danced_keys, min_beat_s
from kanat.vocabulary.step import Step

CHECK_TEMPO_BPM = 120.0  # steps are checked at this tempo, or as quick as their flights allow
SLOWEST_BPM = 60.0  # a jump whose air time needs a slower beat than this is not danced to music
FLOOR_TOL_M = 0.01  # a weight-bearing foot touches the floor within 1 cm; nothing is deeper than 1 cm under it
COM_PELVIS_MAX_M = 0.25  # a held balance needs no absurd shift of the pelvis
COM_FOOT_MAX_M = 0.15  # ... and the weight comes over the foot with a small lean of the supporting leg
MAX_AIR_S = 0.7  # a grand jeté rarely exceeds 0.7 s (DANCE.md)
MIN_AIR_S = 0.1
MAX_RISE_M = 0.6
_FOOT_BONES = {"left_foot", "right_foot"}  # the sole points stand for them


def place_keyframes(step: Step, side: str = "R", *, tempo_bpm: float = CHECK_TEMPO_BPM) -> np.ndarray:
    """World joint positions of a step's keyframes placed as perform places the body, shape (K, 24, 3).

    The step is danced as perform dances it (:func:`kanat.vocabulary.danced.danced_keys`: flights by
    their air time, take-off and touchdown poses); the written keyframes' poses are returned.
    """
    tempo_bpm = min(tempo_bpm, 60.0 / max(min_beat_s(step), 1e-6))  # as quick as the flights allow
    at_s = np.array([k.at for k in step.keyframes]) * 60.0 / tempo_bpm
    keys, _, _ = danced_keys(step, side, at_s)
    supports = [k.support for k in keys]
    pos = place_poses(np.stack([k.rot for k in keys]), supports, np.array([k.time_s for k in keys]),
                      air_runs(supports))
    return pos[[i for i, k in enumerate(keys) if k.keyframe is not None]]


def _where(step: Step, side: str, k: int) -> str:
    kf = step.keyframes[k]
    return f"{step.name} ({side}) keyframe {k + 1} at {kf.at:g} ({step.supports(side)[k]})"


def lowest_body_points(pos: np.ndarray) -> dict[str, float]:
    """Lowest surface height of every capsule but the feet (whose soles stand for them) in one pose, metres."""
    out = {}
    for a, b in BONES:
        name = JOINT_NAMES[b]
        if name not in _FOOT_BONES:
            out[name] = float(min(pos[a, 1], pos[b, 1]) - BONE_RADIUS_M[name])
    out["head_top"] = float(pos[J["head"], 1] - BONE_RADIUS_M["head"])
    return out


def com_offset(pos: np.ndarray, foot: int) -> tuple[float, float]:
    """(COM to pelvis, COM to the supporting foot's centre) horizontal distances in one pose; foot 0 left, 1 right."""
    com = center_of_mass(pos)[[0, 2]]
    ankle, ball = ("left_ankle", "left_foot") if foot == 0 else ("right_ankle", "right_foot")
    centre = 0.5 * (pos[J[ankle]] + pos[J[ball]])[[0, 2]]
    return float(np.linalg.norm(com - pos[J["pelvis"], [0, 2]])), float(np.linalg.norm(com - centre))


def limit_problems(step: Step, side: str) -> list[str]:
    """Joints beyond a trained dancer's range (:mod:`kanat.body.limits`)."""
    return [f"{_where(step, side, v.frame)}: {v.joint} {v.motion} {v.angle_deg:.0f} deg (limit {v.limit_deg:.0f})"
            for v in check_joint_limits(step.keyframe_rotations(side))]


def floor_problems(step: Step, side: str, pos: np.ndarray | None = None) -> list[str]:
    """Weight-bearing feet off the floor, soles or body under it."""
    pos = place_keyframes(step, side) if pos is None else pos
    soles = sole_points(pos)
    out = []
    for k, sup in enumerate(step.supports(side)):
        low = [soles[k, :2, 1].min(), soles[k, 2:, 1].min()]
        for i, bears in enumerate(SUPPORT_FEET[sup]):
            if bears and abs(low[i]) > FLOOR_TOL_M:
                out.append(f"{_where(step, side, k)}: the {('left', 'right')[i]} foot bears weight "
                           f"{low[i]:.3f} m off the floor")
        if soles[k, :, 1].min() < -FLOOR_TOL_M:
            out.append(f"{_where(step, side, k)}: a sole {soles[k, :, 1].min():.3f} m under the floor")
        under = {n: round(y, 3) for n, y in lowest_body_points(pos[k]).items() if y < -FLOOR_TOL_M}
        if under:
            out.append(f"{_where(step, side, k)}: under the floor {under}")
    return out


def held_balances(step: Step, side: str):
    """Keyframes on one foot held for at least a beat: (index, supporting foot 0 left / 1 right)."""
    ks, sup = step.keyframes, step.supports(side)
    for k in range(len(ks) - 1):
        feet = SUPPORT_FEET[sup[k]]
        if sum(feet) == 1 and sup[k] != "floor" and ks[k + 1].at - ks[k].at >= 1.0:
            yield k, 0 if feet[0] else 1


def balance_problems(step: Step, side: str, pos: np.ndarray | None = None) -> list[str]:
    """Held balances on one foot whose centre of mass is not over that foot."""
    pos = place_keyframes(step, side) if pos is None else pos
    out = []
    for k, foot in held_balances(step, side):
        to_pelvis, to_foot = com_offset(pos[k], foot)
        if to_pelvis >= COM_PELVIS_MAX_M:
            out.append(f"{_where(step, side, k)}: the centre of mass is {to_pelvis:.2f} m from the pelvis")
        if to_foot >= COM_FOOT_MAX_M:
            out.append(f"{_where(step, side, k)}: the centre of mass is {to_foot:.2f} m from the supporting foot")
    return out


def flight_problems(step: Step) -> list[str]:
    """Flights that never land, or whose air time no dancer flies (or that cannot be danced at ``CHECK_TEMPO_BPM``)."""
    out, ks = [], step.keyframes
    for k, e in step.flights():
        if e >= len(ks):
            out.append(f"{step.name}: the flight from keyframe {k + 1} never lands")
    if not step.is_jump:
        return out
    t = step.air_s
    if not MIN_AIR_S <= t <= MAX_AIR_S:
        out.append(f"{step.name}: {t:.2f} s in the air")
    if G * t**2 / 8 > MAX_RISE_M:
        out.append(f"{step.name}: a flight of {t:.2f} s rises {G * t**2 / 8:.2f} m")
    if min_beat_s(step) > 60.0 / SLOWEST_BPM:
        out.append(f"{step.name}: needs beats of {min_beat_s(step):.2f} s at least, slower than {SLOWEST_BPM:g} BPM")
    return out


def collision_problems(step: Step, side: str, pos: np.ndarray | None = None) -> list[str]:
    """A limb through another at a keyframe (a hand on the hip may touch the trunk)."""
    pos = place_keyframes(step, side) if pos is None else pos
    out = []
    for k, kf in enumerate(step.keyframes):
        arms = kf.pose.get("arms", "bras_bas")
        touching = set()
        for i, a in enumerate([arms] * 2 if isinstance(arms, str) else arms):
            if a == "hips":  # a hand on the hip touches the trunk
                touching.add(frozenset((("right_arm", "left_arm")[i], "trunk")))
        hits = collisions(pos[k], touching=touching)
        if hits:
            out.append(f"{_where(step, side, k)}: " + ", ".join(f"{a}/{b} {d:.3f} m" for a, b, d in hits))
    return out


CHECKS = ("joint limits", "feet on the floor", "balance", "flights", "no limb through another")


def check_step(step: Step) -> dict[str, list[str]]:
    """Every check on both sides: ``{check name: problems}`` in the order of ``CHECKS``."""
    out = {name: [] for name in CHECKS}
    for side in ("R", "L"):
        pos = place_keyframes(step, side)
        out["joint limits"] += limit_problems(step, side)
        out["feet on the floor"] += floor_problems(step, side, pos)
        out["balance"] += balance_problems(step, side, pos)
        out["no limb through another"] += collision_problems(step, side, pos)
    out["flights"] = flight_problems(step)
    return out
