"""Joint limits of a trained dancer, and a check of local rotations against them.

Conventions
-----------
- Angles in degrees in the table (human data), radians nowhere in the API
  but inside the maths; every reported angle is in degrees.
- Every joint is checked in its parent's frame, on the RIGHT side's
  conventions: a left joint's rotation is mirrored (:func:`kanat.body.rotations.mirror_x`)
  first, so one table serves both sides.
- Decompositions, chosen so no limit sits on a gimbal lock:

  ``ball`` (hips, shoulders)
      swing-twist about the bone's rest axis (the child's rest offset). The
      swing is read as the bone's direction in the parent frame; the twist
      is the rotation about the bone (the hip's twist is turn-out, outward
      positive).
      Hip: ``elevation`` is the angle between the thigh and straight down;
      its limit depends on the direction the thigh rises toward (front =
      flexion, outward = abduction, back = extension, inward = adduction),
      interpolated linearly in between.
      Shoulder (rest: the arm out to the side, a T-pose): ``elevation`` is
      the arm's angle above the horizontal, ``horizontal`` the angle in the
      horizontal plane from straight out to the side (front > 0, back < 0);
      the backward limit grows as the arm lowers (extension beside the body).
  ``hinge`` (knees, elbows)
      knee: Euler (x, y, z) with x the flexion (the shin swings back),
      y the tibial rotation, z the varus/valgus play.
      elbow: the stick arm has no separate humeral rotation, so the plane of
      the elbow's bend is free; only its size (swing angle) and the
      forearm's twist (pronation/supination) are checked.
  ``euler`` (ankles, feet, spine, neck, head, collars, wrists, hands)
      Euler (x, y, z) as :func:`kanat.body.rotations.to_euler` reads them:
      x bends forward (spine, neck, head), points the foot (ankle, > 0
      plantar flexion) or bends the wrist; y twists; z tilts sideways.
- The pelvis is the body's orientation in the world (facing, tilt): it is
  not a joint and is not checked.
- Sign conventions of the stick body (right side): hip flexion raises the
  thigh in front; knee flexion > 0; ankle > 0 points the foot (plantar
  flexion), < 0 flexes it (dorsiflexion, heel down in plié).

The table
---------
Ranges are rounded and slightly generous, for a trained (ballet or
contemporary) dancer rather than the general population. Where the stick body
has fewer joints than a person, a joint carries the motion of those it stands
in for, and its range says so:

- General population ranges: American Academy of Orthopaedic Surgeons,
  "Joint Motion: Method of Measuring and Recording" (1965) and Greene &
  Heckman, "The Clinical Measurement of Joint Motion" (AAOS, 1994): hip
  flexion 120, extension 30, abduction 45, adduction 30, external and
  internal rotation 45; knee 0-135; ankle dorsiflexion 20, plantar flexion
  50; shoulder flexion 180, extension 60, abduction 180; elbow 0-150;
  cervical flexion 45, extension 55, lateral flexion 45, rotation 70;
  thoracolumbar flexion 80, extension 25, lateral flexion 35, rotation 45.
- Dancers: Steinberg et al., "Range of joint movement in female dancers
  and nondancers aged 8 to 16 years", Am J Sports Med 34 (2006) 814-823, and
  the dance-medicine literature it reviews (J Dance Med Sci): dancers have
  greater hip flexion, abduction and external rotation and greater ankle
  plantar flexion than non-dancers, and only part of the classical turn-out
  (commonly quoted as about 60 %) comes from the hip, the rest from the knee,
  tibia and foot. The numbers below are our rounding of these sources, made
  slightly generous, not measurements.
- Where the stick body stands in: its pelvis does not hike or tilt with the
  legs, so the hip ranges include the pelvic tilt a dancer adds (the high
  développé à la seconde and the arabesque): hip extension 80 counts the
  anterior pelvic tilt of an arabesque above about 45 degrees; the hip's
  twist (turn-out) 95 carries the external rotation of the whole leg, which
  the stick leg has no other joint for (the turned-out retiré). The ankle
  range (dorsiflexion 40 in a heels-down deep plié, plantar flexion 100 on
  pointe) includes the midfoot. Each spine segment carries a third of the
  trunk's range (thoracolumbar flexion 80-90 over three joints).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kanat.body import rotations as R
from kanat.body.skeleton import J, JOINT_NAMES, _rest_offsets

#: Default tolerance, degrees: rounding in the tables and the smoothing of a performed motion.
TOLERANCE_DEG = 2.0

# hip: the thigh's elevation from straight down, by direction it rises toward (right side)
_HIP_ELEVATION = {"front": 150.0, "outward": 125.0, "back": 80.0, "inward": 35.0}
# shoulder: backward horizontal limit by elevation (arm lower -> further back, extension)
_SHOULDER_BACK = ((-90.0, -60.0, -30.0, 0.0, 90.0), (180.0, 120.0, 90.0, 50.0, 50.0))

#: Limits per joint (right side; the left mirrors), degrees: {motion: (min, max)}.
JOINT_LIMITS: dict[str, dict[str, tuple[float, float]]] = {
    "hip": {"elevation": (0.0, 150.0), "twist": (-45.0, 95.0)},  # elevation: direction-dependent, see _HIP_ELEVATION
    "knee": {"flexion": (-10.0, 150.0), "rotation": (-35.0, 35.0), "varus": (-10.0, 10.0)},
    "ankle": {"plantar": (-40.0, 100.0), "rotation": (-30.0, 30.0), "inversion": (-25.0, 25.0)},
    "foot": {"flexion": (-60.0, 40.0), "rotation": (-15.0, 15.0), "tilt": (-15.0, 15.0)},
    "spine1": {"flexion": (-30.0, 35.0), "twist": (-20.0, 20.0), "lateral": (-20.0, 20.0)},
    "spine2": {"flexion": (-30.0, 35.0), "twist": (-25.0, 25.0), "lateral": (-20.0, 20.0)},
    "spine3": {"flexion": (-25.0, 30.0), "twist": (-25.0, 25.0), "lateral": (-15.0, 15.0)},
    "neck": {"flexion": (-45.0, 45.0), "twist": (-45.0, 45.0), "lateral": (-30.0, 30.0)},
    "head": {"flexion": (-30.0, 30.0), "twist": (-45.0, 45.0), "lateral": (-20.0, 20.0)},
    "collar": {"flexion": (-25.0, 25.0), "twist": (-25.0, 25.0), "lateral": (-30.0, 30.0)},
    "shoulder": {"elevation": (-95.0, 95.0), "horizontal": (-180.0, 150.0), "twist": (-90.0, 90.0)},
    "elbow": {"flexion": (0.0, 155.0), "twist": (-90.0, 90.0)},
    "wrist": {"flexion": (-80.0, 80.0), "twist": (-45.0, 45.0), "deviation": (-35.0, 35.0)},
    "hand": {"flexion": (-60.0, 90.0), "twist": (-20.0, 20.0), "deviation": (-20.0, 20.0)},
}
_EULER_MOTIONS = {
    "ankle": ("plantar", "rotation", "inversion"), "foot": ("flexion", "rotation", "tilt"),
    "knee": ("flexion", "rotation", "varus"), "wrist": ("flexion", "twist", "deviation"),
    "hand": ("flexion", "twist", "deviation"),
}
for _name in ("spine1", "spine2", "spine3", "neck", "head", "collar"):
    _EULER_MOTIONS[_name] = ("flexion", "twist", "lateral")


@dataclass(frozen=True)
class Violation:
    """One joint beyond its range at one frame."""

    frame: int
    joint: str  # SMPL joint name, e.g. "right_knee"
    motion: str  # e.g. "flexion", "hip extension"
    angle_deg: float
    limit_deg: float

    def __str__(self) -> str:
        return f"frame {self.frame}: {self.joint} {self.motion} {self.angle_deg:.0f} deg is beyond its limit {self.limit_deg:.0f} deg"


def _kind(joint: str) -> str:
    return joint.removeprefix("left_").removeprefix("right_")


def _twist_deg(q: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """Signed twist angle (degrees) of ``q`` (..., 4) about unit ``axis`` (3,), swing-twist decomposition."""
    q = R.standardize(R.normalize(q))
    p = q[..., 1:] @ axis
    return np.degrees(2.0 * np.arctan2(p, q[..., 0]))


def _hip_limit(azimuth_deg: np.ndarray) -> np.ndarray:
    """Largest thigh elevation toward a direction: 0 front, 90 outward, +-180 back, -90 inward."""
    h = _HIP_ELEVATION
    xs = [-180.0, -90.0, 0.0, 90.0, 180.0]
    ys = [h["back"], h["inward"], h["front"], h["outward"], h["back"]]
    return np.interp(azimuth_deg, xs, ys)


def joint_angles(rotations: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """The angles the limits are checked on, per joint and motion.

    Parameters
    ----------
    rotations : np.ndarray, shape (T, 24, 4)
        Local joint rotations, unit quaternions, w first.

    Returns
    -------
    angles : dict
        ``angles[joint][motion]`` is an array of shape (T,), degrees. Hips add
        ``azimuth`` (direction the thigh rises toward, 0 front, 90 outward).
    """
    rot = np.asarray(rotations, dtype=float)
    if rot.ndim != 3 or rot.shape[1:] != (24, 4):
        raise ValueError(f"rotations must have shape (T, 24, 4), got {rot.shape}")
    offsets = _rest_offsets()
    out: dict[str, dict[str, np.ndarray]] = {}
    for j, name in enumerate(JOINT_NAMES):
        if name == "pelvis":
            continue
        q = rot[:, j]
        if name.startswith("left_"):
            q = R.mirror_x(q)  # checked as the right joint
        kind = _kind(name)
        if kind == "hip":
            axis = offsets[J["right_knee"]] / np.linalg.norm(offsets[J["right_knee"]])
            d = R.rotate(q, axis)
            elev = np.degrees(np.arccos(np.clip(-d[:, 1], -1.0, 1.0)))
            az = np.degrees(np.arctan2(-d[:, 0], d[:, 2]))  # outward is -X for the right leg
            out[name] = {"elevation": elev, "azimuth": az, "twist": _twist_deg(q, axis)}
        elif kind == "shoulder":
            axis = np.array([-1.0, 0.0, 0.0])
            d = R.rotate(q, axis)
            elev = np.degrees(np.arcsin(np.clip(d[:, 1], -1.0, 1.0)))
            horiz = np.degrees(np.arctan2(d[:, 2], -d[:, 0]))
            out[name] = {"elevation": elev, "horizontal": horiz, "twist": _twist_deg(q, axis)}
        elif kind == "elbow":
            axis = np.array([-1.0, 0.0, 0.0])
            d = R.rotate(q, axis)
            out[name] = {"flexion": np.degrees(np.arccos(np.clip(d @ axis, -1.0, 1.0))), "twist": _twist_deg(q, axis)}
        else:
            e = np.degrees(R.to_euler(q))
            out[name] = {m: e[:, i] for i, m in enumerate(_EULER_MOTIONS[kind])}
    return out


def check_joint_limits(
    rotations: np.ndarray, *, tolerance_deg: float = TOLERANCE_DEG, joints: tuple[str, ...] | None = None
) -> list[Violation]:
    """Every joint beyond a trained dancer's range, by frame.

    Parameters
    ----------
    rotations : np.ndarray, shape (T, 24, 4) or (24, 4)
        Local joint rotations, unit quaternions, w first (the pelvis entry is
        ignored: it is the body's orientation in the world).
    tolerance_deg : float >= 0
        Slack added to every limit.
    joints : tuple of str, optional
        Only these joints (SMPL names); all by default.

    Returns
    -------
    violations : list of Violation
        In frame order, then joint order; empty when every joint is in range.

    Examples
    --------
    >>> from kanat.body import rotations as R
    >>> check_joint_limits(R.identity((24,)))
    []
    """
    rot = np.asarray(rotations, dtype=float)
    if rot.ndim == 2:
        rot = rot[None]
    if tolerance_deg < 0:
        raise ValueError(f"tolerance_deg must be >= 0, got {tolerance_deg}")
    angles = joint_angles(rot)
    tol = float(tolerance_deg)
    found: list[tuple[int, int, Violation]] = []

    def flag(frames, j, name, motion, values, limits):
        for t in frames:
            found.append((int(t), j, Violation(int(t), name, motion, float(values[t]), float(limits[t]))))

    for j, name in enumerate(JOINT_NAMES):
        if name == "pelvis" or (joints is not None and name not in joints):
            continue
        kind = _kind(name)
        a = angles[name]
        table = JOINT_LIMITS[kind]
        if kind == "hip":
            lim = _hip_limit(a["azimuth"])
            az = a["azimuth"]
            bad = np.flatnonzero(a["elevation"] > lim + tol)
            for t in bad:
                sector = ("flexion" if abs(az[t]) <= 45 else "extension" if abs(az[t]) >= 135
                          else "abduction" if az[t] > 0 else "adduction")
                found.append((int(t), j, Violation(int(t), name, f"hip {sector}", float(a["elevation"][t]), float(lim[t]))))
            lo, hi = table["twist"]
            flag(np.flatnonzero(a["twist"] > hi + tol), j, name, "external rotation", a["twist"], np.full(len(az), hi))
            flag(np.flatnonzero(a["twist"] < lo - tol), j, name, "internal rotation", a["twist"], np.full(len(az), lo))
            continue
        for motion, (lo, hi) in table.items():
            v = a[motion]
            n = len(v)
            if kind == "shoulder" and motion == "horizontal":
                # the direction is undefined with the arm straight up or down
                free = np.abs(a["elevation"]) > 80.0
                back = np.interp(a["elevation"], *_SHOULDER_BACK)
                flag(np.flatnonzero(~free & (v < -back - tol)), j, name, "horizontal extension", v, -back)
                flag(np.flatnonzero(~free & (v > hi + tol)), j, name, "horizontal flexion", v, np.full(n, hi))
                continue
            flag(np.flatnonzero(v > hi + tol), j, name, motion, v, np.full(n, hi))
            flag(np.flatnonzero(v < lo - tol), j, name, motion, v, np.full(n, lo))
    found.sort(key=lambda x: (x[0], x[1]))
    return [v for _, _, v in found]


__all__ = ["JOINT_LIMITS", "TOLERANCE_DEG", "Violation", "check_joint_limits", "joint_angles"]
