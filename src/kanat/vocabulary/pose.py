"""The pose language: poses written from named parts, compiled to joint rotations.

A keyframe of a step is a small mapping of named parts, for example::

    {legs: fifth, plie: demi, gesture: retire, support_leg: releve,
     arms: [fifth, second], torso: upright, head: working}

Conventions
-----------
- Poses are written for the RIGHT side: the working (gesture) leg and the
  "working" arm are the dancer's right; ``side="L"`` mirrors the compiled pose.
- Angles in the tables below are in degrees (human data); compiled rotations
  are unit quaternions, w first, local to each joint's parent (see
  :mod:`kanat.body.rotations`).
- Leg rotations are composed as abduction * flexion * turn-out: the leg is
  first rotated outward about its own axis (turn-out), then raised.
  Flexion < 0 raises the leg to the front (devant), > 0 to the back
  (derrière); abduction raises it to the side.
- Arms are written as (elevation, forward, elbow): elevation -90 (down) to
  90 (up), forward 0 (to the side) to 90 (to the front), elbow bend.

Parts
-----
legs          standing position of both feet: first, second, fourth, fifth
              (working foot front), fifth_back, fourth_back (working foot behind),
              parallel, open (modern wide parallel), lunge (working leg bent in
              front, the other straight behind)
plie          both legs: straight, demi, deep, grand (or a knee angle in degrees,
              checked against kanat.body.limits when the step file loads)
gesture       the working (right) leg's gesture (overrides ``legs`` for that leg):
              tendu_front/side/back, degage_front/side/back, retire, coupe,
              coupe_back, attitude_front/back, develope_front/side, arabesque,
              arabesque_low, grand_battement_front/side/back, jete_front (split
              forward), jete_back, tuck, lift_knee (parallel), step_front,
              step_back (parallel walking steps), front_45, side_45, back_45
              (straight leg at 45 degrees: fondu, frappé, ballonné),
              side_45_bent (rond de jambe en l'air: thigh at 45 to the side,
              lower leg folded in), kneel (knee and instep on the floor; with
              both legs kneeling the support is ``floor``).
              À terre gestures (tendu_*, step_*) keep the toe on the floor
              whatever the supporting leg does; the others never drop lower
              than over a straight supporting leg (the leg lifts a little
              higher over a plié). Feet that stand flat are kept flat.
other_gesture the same gestures for the other (left) leg, mirrored: the leg
              that lands a jeté, the back leg of a grand jeté, the crossing
              foot of a pas de bourrée. With only one of gesture/other_gesture
              the other leg supports; with both the dancer is in the air.
support_leg   the supporting leg when exactly one leg gestures: straight, plie,
              deep (a deep fondu), releve, pointe (pointed foot, also the
              straight leg hanging under a jump), half_kneel (the front leg
              of a kneeling lunge, with ``other_gesture: kneel``)
releve        both feet rise on demi-pointe (true/false); with a plié the heels
              lift off the floor (a hinge, a run)
arms          a position for both arms or [working, other]: bras_bas, first,
              second, fifth, demi_second, allonge, high_second (a V), arabesque_front,
              arabesque_side, reach_front, reach_up, low, forward_low,
              contraction, swing_back, hips, arabesque_high. Arms are placed relative to the chest, so they
              follow the torso (a flat back carries reach_up forward)
torso         upright, cambre_front, cambre_back, cambre_side (toward the other
              side), contraction, release, spiral (twist toward the working
              side), tilt_side (toward the working side), tilt (the whole trunk
              tipped toward the supporting side, modern), flat_back,
              arabesque (tipped forward), bow (a révérence's inclination),
              curve_down, hinge (pelvis and trunk
              in one line, leaning back from the knees; use with plie 80)
head          front, working (turned to the working side), other, up, down,
              working_up, other_up (turned and lifted, "look under the arm")
turnout       false for parallel legs in a gesture position (default true)

The working leg is the right leg; the left leg supports unless it is given an
``other_gesture``. :func:`stance_of` names the stance (fifth_R, fourth_L, ...)
a two-footed pose stands in, for side R.
"""

from __future__ import annotations

import numpy as np

from kanat.body import rotations as R
from kanat.vocabulary.fit import (
    A_TERRE, BALANCED, balance_over_foot, fit_gesture_height, flatten_foot, leg_rotation, q_deg,
)
from kanat.body.skeleton import J, MIRROR
from kanat.errors import VocabularyError

TURNOUT_DEG = 40.0

# (flexion, abduction toward the leg's own side, extra turn-out) of one leg, degrees.
_LEG_POSITIONS = {
    # name: ((working leg flex, abd), (supporting leg flex, abd), turnout?)
    "first": ((0.0, -4.0), (0.0, -4.0), True),
    "second": ((0.0, 11.0), (0.0, 11.0), True),
    "fourth": ((-14.0, -5.0), (10.0, -5.0), True),
    "fifth": ((-5.0, -8.0), (5.0, -8.0), True),
    "fifth_back": ((5.0, -8.0), (-5.0, -8.0), True),
    "fourth_back": ((10.0, -5.0), (-14.0, -5.0), True),
    "parallel": ((0.0, 0.0), (0.0, 0.0), False),
    "open": ((0.0, 8.0), (0.0, 8.0), False),
    "lunge": ((-32.0, 0.0), (22.0, 0.0), False),
}
_PLIE = {"straight": 0.0, "demi": 55.0, "grand": 100.0, "deep": 80.0}
# supporting leg under a gesture: (knee, ankle, extra hip flexion)
_SUPPORT = {"straight": (0.0, 0.0, 0.0), "plie": (45.0, -22.0, -22.0), "deep": (75.0, -37.0, -37.0),
            "releve": (0.0, 55.0, 0.0), "pointe": (0.0, 75.0, 0.0),
            # the front leg of a kneeling lunge (the other leg kneels): thigh about level, shin upright, foot flat
            "half_kneel": (112.0, 0.0, -88.0)}

# gesture: (flex, abd, knee, ankle point, turnout: True for TURNOUT_DEG, False, or degrees).
# The bent-knee gestures (retire, coupe, attitude, tuck) were fitted so the knee opens to the
# side and the foot sits where a teacher puts it (retire: toes at the front of the supporting
# knee; coupe: at the ankle); their large hip rotation stands in for the turn-out of the
# whole leg, which the stick body has no other joint for.
_GESTURES = {
    "tendu_front": (-24.0, -4.0, 0.0, 75.0, True),
    "tendu_side": (0.0, 25.0, 0.0, 75.0, True),
    "tendu_back": (24.0, -4.0, 0.0, 75.0, True),
    "degage_front": (-40.0, -3.0, 0.0, 75.0, True),
    "degage_side": (0.0, 40.0, 0.0, 75.0, True),
    "degage_back": (38.0, -3.0, 0.0, 75.0, True),
    "retire": (-28.0, 52.0, 122.0, 70.0, 85.0),
    "coupe": (-18.0, 17.0, 51.0, 70.0, 71.0),
    "attitude_front": (-80.0, 8.0, 70.0, 70.0, True),
    "attitude_back": (48.0, 63.0, 88.0, 70.0, 8.0),
    "develope_front": (-88.0, -2.0, 0.0, 75.0, True),
    "develope_side": (-10.0, 85.0, 0.0, 75.0, True),
    "arabesque": (85.0, 0.0, 0.0, 75.0, True),
    "grand_battement_front": (-100.0, -2.0, 0.0, 75.0, True),
    "grand_battement_side": (-10.0, 100.0, 0.0, 75.0, True),
    "grand_battement_back": (70.0, 0.0, 0.0, 75.0, True),
    "jete_front": (-88.0, 0.0, 0.0, 75.0, True),
    "jete_back": (78.0, 0.0, 0.0, 75.0, True),
    "tuck": (-59.0, 64.0, 130.0, 65.0, 77.0),
    "lift_knee": (-80.0, 0.0, 100.0, 40.0, False),
    "step_front": (-20.0, 0.0, 5.0, 20.0, False),
    "step_back": (18.0, 0.0, 5.0, 30.0, False),
    "kneel": (-4.0, 0.0, 90.0, 58.0, False),  # fitted: knee and instep on the floor (kneeling upright)
    "coupe_back": (2.0, 20.0, 56.0, 70.0, 80.0),
    "arabesque_low": (50.0, 0.0, 0.0, 75.0, True),
    # at 45 degrees (à la demi-hauteur): fondu, frappé, ballonné, rond de jambe en l'air, sissonne
    "front_45": (-45.0, -3.0, 0.0, 75.0, True),
    "side_45": (0.0, 45.0, 0.0, 75.0, True),
    "back_45": (45.0, -3.0, 0.0, 75.0, True),
    # rond de jambe en l'air: the thigh held at 45 to the side, the lower leg folded in toward the calf
    "side_45_bent": (0.0, 45.0, 75.0, 70.0, True),
}

# arm positions for the LEFT arm in the rest frame: (elevation, forward, elbow)
_ARMS = {
    "bras_bas": (-70.0, 25.0, 35.0),
    "first": (-38.0, 58.0, 50.0),
    "second": (-12.0, 12.0, 12.0),
    "demi_second": (-45.0, 15.0, 10.0),
    "fifth": (58.0, 22.0, 55.0),
    "allonge": (-5.0, 20.0, 0.0),
    "arabesque_front": (8.0, 88.0, 0.0),
    "arabesque_side": (-2.0, -15.0, 0.0),
    "reach_front": (8.0, 88.0, 0.0),
    "reach_up": (85.0, 5.0, 0.0),
    "low": (-82.0, 5.0, 5.0),
    "contraction": (-8.0, 76.0, 44.0),  # rounded in front, the fingertips just apart
    "swing_back": (-60.0, -60.0, 5.0),
    "hips": (-55.0, -20.0, 100.0),
    "high_second": (40.0, 12.0, 5.0),
    "forward_low": (-40.0, 80.0, 5.0),
    "arabesque_high": (28.0, 80.0, 0.0),  # third arabesque: forward and above the shoulder
}

# torso: rotations of (spine1, spine2, spine3, neck) as euler (x, y, z) degrees
# and pelvis tilt (x) degrees. x > 0 bends forward, y twists to the dancer's left,
# z tilts to the dancer's right... (z > 0 tips the spine toward -X for an upward bone).
_TORSO = {
    "upright": ((0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0), 0.0),
    "cambre_front": ((25, 0, 0), (25, 0, 0), (15, 0, 0), (10, 0, 0), 10.0),
    "cambre_back": ((-10, 0, 0), (-15, 0, 0), (-15, 0, 0), (-15, 0, 0), 0.0),
    "contraction": ((22, 0, 0), (18, 0, 0), (10, 0, 0), (20, 0, 0), -12.0),
    "release": ((-8, 0, 0), (-12, 0, 0), (-10, 0, 0), (-15, 0, 0), 0.0),
    "spiral": ((0, -12, 0), (0, -15, 0), (0, -15, 0), (0, -10, 0), 0.0),
    "tilt_side": ((0, 0, 10), (0, 0, 14), (0, 0, 10), (0, 0, 5), 0.0),
    "flat_back": ((20, 0, 0), (5, 0, 0), (0, 0, 0), (-10, 0, 0), 55.0),
    "arabesque": ((-6, 0, 0), (-6, 0, 0), (-2, 0, 0), (-10, 0, 0), 24.0),
    "curve_down": ((30, 0, 0), (30, 0, 0), (25, 0, 0), (25, 0, 0), 25.0),
    "cambre_side": ((0, 0, -10), (0, 0, -14), (0, 0, -12), (0, 0, -6), 0.0),
    "tilt": ((0, 0, -8), (0, 0, -8), (0, 0, -6), (0, 0, 6), (0.0, 0.0, -30.0)),
    "bow": ((10, 0, 0), (10, 0, 0), (8, 0, 0), (12, 0, 0), 8.0),
    "hinge": ((-3, 0, 0), (-3, 0, 0), (0, 0, 0), (8, 0, 0), -40.0),
}
# the pelvis entry (last) is a forward tilt in degrees or an (x, y, z) euler triple;
# the legs are counter-rotated so they stay where the leg parts put them.
_HEAD = {
    "front": (0, 0, 0), "working": (0, -30, 0), "other": (0, 30, 0), "up": (-25, 0, 0), "down": (25, 0, 0),
    "working_up": (-18, -30, 0), "other_up": (-18, 30, 0),
}

PARTS = ("legs", "plie", "gesture", "other_gesture", "support_leg", "releve", "arms", "torso", "head", "turnout")
NAMES = {
    "legs": set(_LEG_POSITIONS), "plie": set(_PLIE), "gesture": set(_GESTURES) | {"none"},
    "other_gesture": set(_GESTURES) | {"none"}, "support_leg": set(_SUPPORT), "arms": set(_ARMS),
    "torso": set(_TORSO), "head": set(_HEAD),
}
#: stance (for side R) of each two-footed ``legs`` position; see :func:`stance_of`.
LEGS_STANCE = {
    "first": "first", "second": "second", "fourth": "fourth_R", "fourth_back": "fourth_L", "fifth": "fifth_R",
    "fifth_back": "fifth_L", "parallel": "parallel", "open": "parallel", "lunge": "lunge_R",
}


_SHIN_LEAN_DEG = 40.0  # the most a heels-down plié flexes the ankle (see kanat.body.limits)
_LUNGE_FOOT_DEG = 70.0  # the back foot's angle to the vertical in a lunge (on the ball, heel up)


def _lunge_back_deg(knee: float) -> float:
    """How far back (degrees) the straight back leg of a lunge reaches, so both feet touch the floor.

    The front thigh leans forward by ``knee`` degrees over a vertical shin; the
    back leg (0.79 m from hip to ankle, the ankle 2 cm behind the shin's line)
    reaches the floor on the ball of its foot.
    """
    from kanat.body.skeleton import ANKLE_HEIGHT_M, BALL_HEIGHT_M

    thigh, shin = 0.385, 0.405
    psi = np.radians(_LUNGE_FOOT_DEG)
    front_drop = thigh * np.cos(np.radians(knee)) + shin + ANKLE_HEIGHT_M
    foot_drop = 0.055 * np.cos(psi) + 0.125 * np.sin(psi) + BALL_HEIGHT_M
    lo, hi = 0.0, np.pi / 2  # bisection: the back ankle's drop 0.79 cos(a) - 0.02 sin(a) falls with a
    for _ in range(40):
        a = (lo + hi) / 2
        if (thigh + shin) * np.cos(a) - 0.02 * np.sin(a) + foot_drop > front_drop:
            lo = a
        else:
            hi = a
    return float(np.degrees((lo + hi) / 2))


def _arm_quats(elev: float, fwd: float, bend: float, *, left: bool) -> tuple[np.ndarray, np.ndarray]:
    """Shoulder and elbow rotations for a rounded arm.

    The upper arm points at (elevation, forward); the forearm curves by
    ``bend`` degrees toward the body's midline in front of the chest, as
    ballet's rounded arms do (over the head in fifth, in front in first).
    """
    e, f = np.radians(elev), np.radians(fwd)
    sx = 1.0 if left else -1.0
    d1 = np.array([sx * np.cos(e) * np.cos(f), np.sin(e), np.cos(e) * np.sin(f)])
    rest = np.array([sx, 0.0, 0.0])
    q_sh = R.between(rest, d1)
    inward = np.array([-sx, 0.0, 0.6])
    perp = inward - (inward @ d1) * d1
    if np.linalg.norm(perp) < 1e-6 or bend == 0:
        return q_sh, R.identity()
    perp /= np.linalg.norm(perp)
    b = np.radians(bend)
    d2 = np.cos(b) * d1 + np.sin(b) * perp
    q_world = R.between(d1, d2)
    # express the world-frame bend in the elbow's parent (upper arm) frame
    q_el = R.multiply(R.conjugate(q_sh), R.multiply(q_world, q_sh))
    return q_sh, q_el


def _key(value):
    """A hashable form of a pose spec (lists become tuples)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _key(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_key(v) for v in value)
    return value


_CACHE: dict = {}


def compile_pose(spec: dict, *, side: str = "R", where: str = "pose") -> np.ndarray:
    """Compile a pose written in the pose language to local joint rotations.

    Parameters
    ----------
    spec : dict
        Named parts (see the module docstring). Unknown parts or names raise.
    side : {"R", "L", "-"}
        The working side; ``"L"`` mirrors the pose, ``"-"`` is treated as ``"R"``.
    where : str
        Location for error messages (file and line).

    Returns
    -------
    rotations : np.ndarray, shape (24, 4)
        Local joint rotations, w first. The pelvis entry holds only the
        pose's own pelvis tilt; facing is added by perform.
    """
    check_pose(spec, where=where)
    try:
        key = (_key(spec), side)
        hash(key)
    except TypeError:
        key = None
    if key is not None and key in _CACHE:
        return _CACHE[key].copy()
    rot = _compile(spec, side)
    if key is not None and len(_CACHE) < 20000:
        _CACHE[key] = rot
    return rot.copy()


def _compile(spec: dict, side: str) -> np.ndarray:
    """Local joint rotations (24, 4) of a checked pose, mirrored for side L."""
    rot = R.identity((24,))
    to = TURNOUT_DEG if spec.get("turnout", True) else 0.0
    work, other = _leg_params(spec, to)
    g_work = spec.get("gesture", "none")
    g_other = spec.get("other_gesture", "none")
    one_gesture = (g_work == "none") != (g_other == "none")
    support_kind = spec.get("support_leg", "straight")
    _apply_gestures(work, other, g_work, g_other, support_kind, to)
    _set_arms(rot, spec.get("arms", "bras_bas"))
    _set_torso_and_head(rot, spec)
    _set_legs(rot, work, other)
    _flatten_feet(rot, spec, g_work, g_other, support_kind)
    if one_gesture:
        right = g_work != "none"
        _fit_gesture(rot, spec, work if right else other, g_work if right else g_other, right, support_kind)
    if side == "L":
        rot = mirror_rotations(rot)
    return R.normalize(rot)


def _leg_params(spec: dict, to: float) -> tuple[list, list]:
    """Per leg (working, other) [flex, abd, turnout, knee, ankle, extra hip flexion] of the position and plié."""
    legs = spec.get("legs", "first")
    (wf, wa), (sf, sa), turned = _LEG_POSITIONS[legs]
    plie = spec.get("plie", "straight")
    knee = float(plie) if isinstance(plie, (int, float)) else _PLIE[plie]
    # the shin leans over the toes by half the knee's bend, at most _SHIN_LEAN_DEG (heels down);
    # the thigh takes the rest, so a grand plié sits down between the heels
    shin = min(knee / 2.0, _SHIN_LEAN_DEG)
    work = [wf, wa, to if turned else 0.0, knee, -shin, shin - knee]
    other = [sf, sa, to if turned else 0.0, knee, -shin, shin - knee]
    if legs == "lunge":  # front shin vertical, foot flat; back leg straight, on the ball of the foot
        k = max(knee, 45.0)
        back = _lunge_back_deg(k)
        work[:] = [-k, 0.0, 0.0, k, 0.0, 0.0]
        other[:] = [back, 0.0, 0.0, 0.0, _LUNGE_FOOT_DEG - back, 0.0]
    elif spec.get("releve"):
        for leg in (work, other):
            leg[4] = 50.0 if knee == 0 else leg[4] + 45.0
    return work, other


def _apply_gestures(work: list, other: list, g_work: str, g_other: str, support_kind: str, to: float) -> None:
    """Gesturing legs take their gesture; with one gesture the other leg supports (``work``, ``other`` in place)."""
    for name, leg in ((g_work, work), (g_other, other)):
        if name != "none":
            gf, ga, gk, gp, gturn = _GESTURES[name]
            turn = (TURNOUT_DEG if gturn is True else float(gturn)) if gturn else 0.0
            leg[:] = [gf, ga, turn if to else 0.0, gk, gp, 0.0]
    if (g_work == "none") != (g_other == "none"):  # one leg gestures, the other supports
        sup_leg = other if g_work != "none" else work
        sup_leg[3:] = _SUPPORT[support_kind]


def _set_arms(rot: np.ndarray, arms) -> None:
    """Shoulder, elbow and wrist rotations of one arm position for both arms, or [working, other]."""
    work_arm, other_arm = (arms, arms) if isinstance(arms, str) else (arms[0], arms[1])
    for arm_name, left in ((work_arm, False), (other_arm, True)):
        e, f, b = _ARMS[arm_name]
        pre = "left_" if left else "right_"
        rot[J[pre + "shoulder"]], rot[J[pre + "elbow"]] = _arm_quats(e, f, b, left=left)
        rot[J[pre + "wrist"]] = R.slerp(R.identity(), rot[J[pre + "elbow"]], 0.3)


def _set_torso_and_head(rot: np.ndarray, spec: dict) -> None:
    """Spine, neck, pelvis tilt and head rotations."""
    t1, t2, t3, tn, tilt = _TORSO[spec.get("torso", "upright")]
    for name, ang in (("spine1", t1), ("spine2", t2), ("spine3", t3), ("neck", tn)):
        rot[J[name]] = q_deg(*ang)
    q_pelvis = q_deg(*tilt) if isinstance(tilt, tuple) else q_deg(x=tilt)
    rot[J["pelvis"]] = q_pelvis
    rot[J["head"]] = q_deg(*_HEAD[spec.get("head", "front")])


def _flatten_feet(rot: np.ndarray, spec: dict, g_work: str, g_other: str, support_kind: str) -> None:
    """Feet that stand flat stay flat on the floor, whatever the hips and knees do."""
    flat = []
    if g_work == "none" and g_other == "none" and not spec.get("releve"):
        flat = [True, spec.get("legs", "first") != "lunge"]  # (right, left); a lunge's back foot is on its ball
    elif (g_work == "none") != (g_other == "none") and support_kind in ("straight", "plie", "deep", "half_kneel"):
        flat = [g_work == "none", g_other == "none"]
    for right, is_flat in zip((True, False), flat):
        if is_flat:
            flatten_foot(rot, right=right)


def _fit_gesture(rot: np.ndarray, spec: dict, leg: list, g: str, right: bool, support_kind: str) -> None:
    """Fit the one gesture ``g`` (of the right leg if ``right``) to the floor and balance over the supporting foot."""
    # a gesture that touches the floor keeps its toe on it (à terre), and no gesture
    # drops lower than it would be over a straight supporting leg
    fit = g != "kneel" and (g in A_TERRE or support_kind != "straight")

    def straight():
        return compile_pose({**spec, "support_leg": "straight"})

    def fit_height():
        fit_gesture_height(rot, leg, right=right, a_terre=g in A_TERRE, spec=spec, straight=straight)

    if fit:
        fit_height()
    # on one foot the centre of mass stands over that foot: the supporting leg leans under it
    if g != "kneel" and support_kind in BALANCED:
        balance_over_foot(rot, right_support=not right, flat=support_kind != "releve")
        if fit:  # the supporting sole moved a little: the gesture follows it (and the balance the gesture)
            fit_height()
            balance_over_foot(rot, right_support=not right, flat=support_kind != "releve")
            fit_height()


def _set_legs(rot: np.ndarray, work: list, other: list) -> None:
    """Hip, knee and ankle rotations from the per-leg parameters; the hips hang from the (tilted) pelvis."""
    undo = R.conjugate(rot[J["pelvis"]])
    for leg, right in ((work, True), (other, False)):
        flex, abd, turn, kn, ank, extra = leg
        pre = "right_" if right else "left_"
        rot[J[pre + "hip"]] = R.multiply(undo, leg_rotation(flex, abd, turn, extra, right=right))
        rot[J[pre + "knee"]] = q_deg(x=kn)
        rot[J[pre + "ankle"]] = q_deg(x=ank)


def stance_of(spec: dict) -> str | None:
    """The stance a pose stands in, for side R, or None when a leg gestures or the feet are off the floor.

    >>> stance_of({"legs": "fifth", "plie": "demi"})
    'fifth_R'
    >>> stance_of({"legs": "fifth", "gesture": "retire"}) is None
    True
    """
    if spec.get("gesture", "none") != "none" or spec.get("other_gesture", "none") != "none":
        return None
    return LEGS_STANCE[spec.get("legs", "first")]


def mirror_rotations(rot: np.ndarray) -> np.ndarray:
    """Mirror local joint rotations left <-> right, shape (..., 24, 4)."""
    return R.mirror_x(np.asarray(rot)[..., list(MIRROR), :])


def check_pose(spec: dict, *, where: str = "pose") -> None:
    """Raise :class:`VocabularyError` naming the part and the nearest valid name."""
    import difflib

    if not isinstance(spec, dict):
        raise VocabularyError(f"{where}: a pose must be a mapping of parts ({', '.join(PARTS)}), got {spec!r}")
    for part, value in spec.items():
        if part not in PARTS:
            near = difflib.get_close_matches(str(part), PARTS, n=1)
            hint = f"; did you mean '{near[0]}'?" if near else f"; valid parts: {', '.join(PARTS)}"
            raise VocabularyError(f"{where}: unknown pose part '{part}'{hint}")
        if part in ("releve", "turnout"):
            continue
        if part == "plie" and isinstance(value, (int, float)):
            continue
        values = value if part == "arms" and isinstance(value, list) else [value]
        for v in values:
            if v not in NAMES[part]:
                near = difflib.get_close_matches(str(v), sorted(NAMES[part]), n=1)
                hint = f"; did you mean '{near[0]}'?" if near else f"; valid: {', '.join(sorted(NAMES[part]))}"
                raise VocabularyError(f"{where}: unknown {part} '{v}'{hint}")
