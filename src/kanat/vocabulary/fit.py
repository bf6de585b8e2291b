"""Fitting a pose onto the body: leg rotations, feet flat on the floor, gestures à terre, balance.

Conventions
-----------
- Rotations are local joint quaternions, shape (24, 4), w first, edited in
  place by the ``_fit``/``_balance`` functions; positions in metres with the
  pelvis at the origin, Y up.
- This is the physics of a still pose (forward kinematics, the centre of
  mass of :func:`kanat.body.center_of_mass`, grid searches over a leg's
  lean); :mod:`kanat.vocabulary.pose` is the language and calls it.
"""

from __future__ import annotations

import numpy as np

from kanat.body import J, JOINT_NAMES
from kanat.body import rotations as R


def q_deg(x: float = 0.0, y: float = 0.0, z: float = 0.0) -> np.ndarray:
    return R.from_euler(np.radians([x, y, z]))


def leg_rotation(flex: float, abd: float, turnout: float, plie_flex: float, *, right: bool) -> np.ndarray:
    """Hip rotation for one leg: abduction * flexion * turn-out * plié flexion (degrees in).

    The plié flexion is applied in the turned-out frame, so the knee bends
    over the toes.
    """
    # right leg: abduction toward -X is a negative Z rotation, turn-out is -Y.
    q_turn = q_deg(y=(-turnout if right else turnout))
    q_flex = q_deg(x=flex)
    q_abd = q_deg(z=(-abd if right else abd))
    return R.multiply(q_abd, R.multiply(q_flex, R.multiply(q_turn, q_deg(x=plie_flex))))


A_TERRE = {"tendu_front", "tendu_side", "tendu_back", "step_front", "step_back"}
BALANCED = ("straight", "plie", "deep", "releve")  # supporting legs that stand over the centre of mass


def balance_over_foot(rot: np.ndarray, *, right_support: bool, flat: bool, tolerance_m: float = 0.003) -> None:
    """Lean the supporting leg (a rotation about its hip) until the centre of mass is over its foot.

    The foot's centre is midway between the ankle and the ball, as perform
    balances it. A few fixed-point steps: moving the leg moves the centre of
    mass a little too.
    """
    from kanat.body.kinematics import center_of_mass, forward_kinematics
    from kanat.body.skeleton import default_skeleton

    from kanat.body.limits import check_joint_limits

    pre = "right_" if right_support else "left_"
    hip = J[pre + "hip"]
    sk = default_skeleton()
    before = rot.copy()
    for _ in range(4):
        pos, _ = forward_kinematics(sk, np.zeros((1, 3)), rot[None])
        pos = pos[0]
        centre = 0.5 * (pos[J[pre + "ankle"]] + pos[J[pre + "foot"]])
        d = center_of_mass(pos) - centre
        d[1] = 0.0
        if np.linalg.norm(d) < tolerance_m:
            break
        v = centre - pos[hip]
        q_world = R.between(v / np.linalg.norm(v), (v + d) / np.linalg.norm(v + d))
        g_pelvis = rot[J["pelvis"]]
        rot[hip] = R.multiply(R.conjugate(g_pelvis), R.multiply(q_world, R.multiply(g_pelvis, rot[hip])))
        if flat:
            flatten_foot(rot, right=right_support)
    # never past a joint's range: lean only as far as the hip and the flat foot allow
    leg = (hip, J[pre + "knee"], J[pre + "ankle"])
    after = rot.copy()
    for frac in (1.0, 0.75, 0.5, 0.25, 0.0):
        rot[hip] = R.slerp(before[hip], after[hip], frac)
        if flat:
            flatten_foot(rot, right=right_support)
        if not check_joint_limits(rot, tolerance_deg=0.0, joints=tuple(JOINT_NAMES[j] for j in leg)):
            return


def _leg_chain(rot: np.ndarray, right: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Forward kinematics of one leg only, pelvis at the origin: (ankle, ball) positions and the knee's world rotation.

    ``rot`` has shape (..., 24, 4); returns shapes (..., 3), (..., 3), (..., 4).
    """
    from kanat.body.skeleton import _rest_offsets

    off = _rest_offsets()
    pre = "right_" if right else "left_"
    g = rot[..., J["pelvis"], :]
    p = R.rotate(g, off[J[pre + "hip"]])
    g = R.multiply(g, rot[..., J[pre + "hip"], :])
    p = p + R.rotate(g, off[J[pre + "knee"]])
    g_knee = R.multiply(g, rot[..., J[pre + "knee"], :])
    ankle = p + R.rotate(g_knee, off[J[pre + "ankle"]])
    g = R.multiply(g_knee, rot[..., J[pre + "ankle"], :])
    ball = ankle + R.rotate(g, off[J[pre + "foot"]])
    return ankle, ball, g_knee


def flatten_foot(rot: np.ndarray, *, right: bool) -> None:
    """Turn the ankle so the foot lies flat (its world orientation a pure turn about the vertical)."""
    pre = "right_" if right else "left_"
    ankle, ball, g_knee = _leg_chain(rot, right)
    fwd = ball - ankle
    heading = np.arctan2(fwd[0], fwd[2])
    rot[J[pre + "ankle"]] = R.multiply(R.conjugate(g_knee), R.yaw(heading))


def _sole_low(rot: np.ndarray, right: bool) -> np.ndarray:
    """Lowest sole point (heel or ball) of one foot relative to the pelvis, shape (...)."""
    from kanat.body.kinematics import sole_points

    ankle, ball, _ = _leg_chain(rot, right)
    pos = np.zeros(ankle.shape[:-1] + (24, 3))
    a, f = (J["right_ankle"], J["right_foot"]) if right else (J["left_ankle"], J["left_foot"])
    pos[..., a, :], pos[..., f, :] = ankle, ball
    s = sole_points(pos)[..., 1]
    return s[..., 2:].min(-1) if right else s[..., :2].min(-1)


_SCALES = np.linspace(0.2, 3.0, 281)


# gestures whose foot rests on the supporting leg, and where: they follow it when it bends
_TOUCHING = {"coupe": "ankle", "coupe_back": "ankle", "retire": "knee"}


def _leg_points(rot: np.ndarray, right: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(knee, ankle, ball) of one leg relative to the pelvis, shapes (..., 3)."""
    from kanat.body.skeleton import _rest_offsets

    off = _rest_offsets()
    pre = "right_" if right else "left_"
    g = R.multiply(rot[..., J["pelvis"], :], rot[..., J[pre + "hip"], :])
    knee = R.rotate(rot[..., J["pelvis"], :], off[J[pre + "hip"]]) + R.rotate(g, off[J[pre + "knee"]])
    ankle, ball, _ = _leg_chain(rot, right)
    return knee, ankle, ball


def _follow_supporting_leg(rot: np.ndarray, leg: list, *, right: bool, gesture: str, straight) -> None:
    """Keep a coupé at the supporting ankle and a retiré at the supporting knee when that leg bends or rises.

    The gesture foot keeps the place it has, relative to the supporting ankle
    or knee, over a straight supporting leg; its hip flexion, abduction and
    knee are searched on a grid (two passes, coarse then fine). ``straight()``
    gives the same pose over a straight supporting leg.
    """
    ref = straight()
    which = 0 if _TOUCHING[gesture] == "knee" else 1
    ref_pts, cur_pts = _leg_points(ref, not right), _leg_points(rot, not right)
    g_ref = _leg_points(ref, right)
    shift = cur_pts[which] - ref_pts[which]
    want_ankle, want_ball = g_ref[1] + shift, g_ref[2] + shift
    flex, abd, turn, kn, ank, extra = leg
    undo = R.conjugate(rot[J["pelvis"]])
    pre = "right_" if right else "left_"
    best = (0.0, 0.0, 0.0)
    for span, n in ((40.0, 17), (6.0, 13)):
        grid = np.stack(np.meshgrid(*(np.linspace(b - span, b + span, n) for b in best), indexing="ij"), -1).reshape(-1, 3)
        cand = np.repeat(rot[None], len(grid), axis=0)
        sign = 1.0 if right else -1.0
        zeros = np.zeros(len(grid))
        q_abd = R.from_euler(np.radians(np.stack([zeros, zeros, -sign * (abd + grid[:, 1])], -1)))
        q_flex = R.from_euler(np.radians(np.stack([flex + grid[:, 0], zeros, zeros], -1)))
        rest = R.multiply(q_deg(y=-sign * turn), q_deg(x=extra))
        cand[:, J[pre + "hip"]] = R.multiply(undo, R.multiply(q_abd, R.multiply(q_flex, rest)))
        cand[:, J[pre + "knee"]] = R.from_euler(np.radians(np.stack([np.clip(kn + grid[:, 2], 0.0, 145.0), zeros, zeros], -1)))
        _k, a_pts, b_pts = _leg_points(cand, right)
        err = np.sum((a_pts - want_ankle) ** 2, -1) + np.sum((b_pts - want_ball) ** 2, -1)
        best = tuple(grid[int(np.argmin(err))])
    i = int(np.argmin(err))
    rot[J[pre + "hip"]] = cand[i, J[pre + "hip"]]
    rot[J[pre + "knee"]] = cand[i, J[pre + "knee"]]


def fit_gesture_height(rot: np.ndarray, leg: list, *, right: bool, a_terre: bool, spec: dict, straight) -> None:
    """Scale the gesture leg's elevation so its toe is on the floor (à terre) or no lower than over a straight leg.

    ``spec`` is the pose as written; ``straight()`` compiles it over a straight
    supporting leg (the reference for the gesture's height).
    """
    gesture = spec.get("gesture", "none") if right else spec.get("other_gesture", "none")
    if gesture in _TOUCHING:
        if spec.get("support_leg", "straight") != "straight":
            _follow_supporting_leg(rot, leg, right=right, gesture=gesture, straight=straight)
        return
    support_low = float(_sole_low(rot, not right))
    if a_terre:
        target = 0.0
    else:  # the clearance the gesture has over a straight supporting leg
        ref = straight()
        target = float(_sole_low(ref, right) - _sole_low(ref, not right))
        if float(_sole_low(rot, right)) - support_low >= target - 1e-3:
            return
    flex, abd, turn, _kn, _ank, extra = leg
    undo = R.conjugate(rot[J["pelvis"]])
    hip = J["right_hip" if right else "left_hip"]

    def hips(scales) -> np.ndarray:  # leg_rotation over many scales at once
        sc = np.asarray(scales, dtype=float)
        sign = 1.0 if right else -1.0
        zeros = np.zeros_like(sc)
        q_abd = R.from_euler(np.radians(np.stack([zeros, zeros, -sign * abd * sc], -1)))
        q_flex = R.from_euler(np.radians(np.stack([flex * sc, zeros, zeros], -1)))
        rest = R.multiply(q_deg(y=-sign * turn), q_deg(x=extra))
        return R.multiply(undo, R.multiply(q_abd, R.multiply(q_flex, rest)))

    cand = np.repeat(rot[None], _SCALES.size, axis=0)
    cand[:, hip] = hips(_SCALES)
    gap = _sole_low(cand, right) - support_low - target  # > 0: the toe above its target; rises with the scale
    if a_terre:  # the highest scale that still touches the floor, interpolated
        cross = np.flatnonzero((gap[:-1] <= 0.0) & (gap[1:] > 0.0))
        if cross.size:
            i = cross[-1]
            s = _SCALES[i] + (_SCALES[i + 1] - _SCALES[i]) * (-gap[i]) / (gap[i + 1] - gap[i])
        else:
            s = _SCALES[int(np.argmin(np.abs(gap)))]
    else:
        # lift the gesture (at most half as high again) until it clears as much as over a straight leg
        ok = np.flatnonzero((gap >= 0.0) & (_SCALES >= 1.0) & (_SCALES <= 1.5))
        s = _SCALES[ok[0]] if ok.size else 1.5 if gap[_SCALES <= 1.5][-1] < 0 else 1.0
    rot[hip] = hips([s])[0]


