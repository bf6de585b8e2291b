"""Retarget any humanoid BVH skeleton onto kanat's 24 SMPL joints.

Conventions
-----------
- Input: the source skeleton's joint names and parents and the world
  positions of its joints (and End Sites) over the clip, in the file's own
  units and axes, as the file's own forward kinematics places them
  (:func:`kanat.formats.bvh.read_bvh` computes them).
- Joint names are matched by their parts, whatever the spelling: namespaces
  (``mixamorig:``), ``Bip01`` prefixes, camel case, ``_l``/``.L`` suffixes and
  ``L``/``Left`` prefixes are understood. Conventions known: SMPL, Mixamo
  (``Hips, Spine, Spine1, Spine2, Neck, Head, LeftShoulder, LeftArm,
  LeftForeArm, LeftHand, LeftUpLeg, LeftLeg, LeftFoot, LeftToeBase``), CMU
  (``Hips, LHipJoint, LeftUpLeg, ..., LowerBack, Spine, Spine1, Neck, Neck1,
  Head, ..., LeftFingerBase``), Biovision / MotionBuilder / bvhtoolbox
  (``Hips, Chest, Chest2, LeftCollar, LeftShoulder, LeftElbow, LeftWrist,
  LeftHip, LeftKnee, LeftAnkle``), Bandai-Namco / Unity-like (``UpperLeg_L,
  LowerLeg_L, Foot_L, Toes_L, Shoulder_L, UpperArm_L, LowerArm_L, Hand_L``),
  3ds Max Biped (``Bip01 L Thigh, L Calf, L Clavicle, L UpperArm, L Forearm``)
  and Unreal (``thigh_l, calf_l, clavicle_l, upperarm_l, lowerarm_l, hand_l``).
- A joint that does not exist in the source is placed: spine1..spine3 along
  the source spine (pelvis to neck) at SMPL's fractions of its length, a
  missing collar between the chest and the shoulder, a missing hand beyond
  the wrist (a finger joint or End Site when there is one), a missing ball
  of the foot 72 % of the way to the foot's End Site.
- Units: the figure's height is estimated from its bone lengths; of
  metres, centimetres, millimetres, inches, decimetres, feet and CMU's
  (inches / 0.45), those giving 1.2-2.3 m are candidates and the one nearest
  to kanat's standard dancer (1.675 m) wins; a file in none of these is
  scaled to that dancer ("normalised").
- Axes: the up axis is the one the body's head-over-ankles line points along
  most of the clip (Z-up files are turned Y-up); the dancer is turned about
  the vertical so that, on the first frame, they face the audience (+Z),
  their left at +X; the middle of the pelvis's floor path is put at centre
  stage (x = z = 0), and the floor (y = 0) under the soles: the 1st
  percentile over the clip of the lowest sole point.
- The fit: kanat's skeleton takes the source's bone lengths along SMPL's rest
  (T-pose) directions. The pelvis and the chest (spine3) take the orientation
  of the frame spanned by the hips (shoulders) and the spine; every other
  bone is swung, parent by parent, from its rest direction onto the source
  bone (the smallest rotation: twist is carried down from the parent).
  Positions in metres, rotations quaternions w first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kanat.body import rotations as R
from kanat.body.contacts import estimate_contacts
from kanat.body.kinematics import forward_kinematics, sole_points
from kanat.body.motion import Motion
from kanat.body.skeleton import ANKLE_HEIGHT_M, J, JOINT_NAMES, PARENTS, Skeleton, default_skeleton
from kanat.errors import FormatError
from kanat.formats.skeleton_names import SPINE, chain_path, common_ancestor, convention_of, find_roles

UNITS_M = {"m": 1.0, "cm": 0.01, "mm": 0.001, "inch": 0.0254, "dm": 0.1, "ft": 0.3048,
           "cmu": 0.0254 / 0.45}  # CMU's ASF files: lengths in inches scaled by 0.45
#: Height a file in unknown units is scaled to: kanat's standard dancer (about 1.68 m).
NOMINAL_HEIGHT_M = float(default_skeleton().height_m)
HEIGHT_RANGE_M = (1.2, 2.3)

@dataclass
class RetargetInfo:
    """How a source skeleton became kanat's Motion.

    Attributes
    ----------
    convention : str
        The naming convention recognised ("mixamo", "cmu", "biovision", "smpl", "generic").
    unit : str
        The file's length unit as detected ("cm", "m", ..., or "normalised").
    metres_per_unit : float
    up_axis : str
        The file's up axis ("+Y", "+Z", ...).
    height_m : float
        Standing height of the retargeted skeleton.
    fit_error_mean_m, fit_error_max_m : float
        Distance between kanat's joints and the source's mapped joints (mean
        over frames and joints; the worst single joint in any frame).
    joint_map : dict of str -> str
        For each SMPL joint, the source joint (or how it was placed).
    """

    convention: str
    unit: str
    metres_per_unit: float
    up_axis: str
    height_m: float
    fit_error_mean_m: float
    fit_error_max_m: float
    joint_map: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "convention": self.convention, "unit": self.unit, "metres_per_unit": round(self.metres_per_unit, 6),
            "up_axis": self.up_axis, "height_m": round(self.height_m, 3),
            "fit_error_mean_m": round(self.fit_error_mean_m, 4), "fit_error_max_m": round(self.fit_error_max_m, 4),
            "joint_map": dict(self.joint_map),
        }


# ---------------------------------------------------------------- targets
def _norm(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(n, 1e-12)


def _lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    return a + t * (b - a)


def _along(points: np.ndarray, fractions: tuple[float, ...]) -> list[np.ndarray]:
    """Points at arc-length ``fractions`` of the polyline ``points`` (T, K, 3), per frame."""
    seg = np.linalg.norm(np.diff(points, axis=1), axis=-1)  # (T, K-1)
    cum = np.concatenate([np.zeros((points.shape[0], 1)), np.cumsum(seg, axis=1)], axis=1)
    total = np.maximum(cum[:, -1:], 1e-12)
    out = []
    for f in fractions:
        s = f * total[:, 0]
        k = np.clip(np.sum(cum[:, 1:] < s[:, None], axis=1), 0, points.shape[1] - 2)
        a = np.take_along_axis(cum, k[:, None], 1)[:, 0]
        ln = np.maximum(np.take_along_axis(seg, k[:, None], 1)[:, 0], 1e-12)
        t = np.clip((s - a) / ln, 0.0, 1.0)[:, None]
        pa = points[np.arange(len(k)), k]
        pb = points[np.arange(len(k)), k + 1]
        out.append(pa + t * (pb - pa))
    return out


def _spine_fractions() -> tuple[float, ...]:
    o = default_skeleton().offsets
    lengths = [np.linalg.norm(o[J[n]]) for n in ("spine1", "spine2", "spine3", "neck")]
    cum = np.cumsum(lengths)
    return tuple(float(c / cum[-1]) for c in cum[:3])


def smpl_targets(names: list[str], parents: list[int], positions: np.ndarray, ends: dict, *,
                 where: str) -> tuple[np.ndarray, dict, np.ndarray, str]:
    """Positions of the 24 SMPL joints from the source's joint positions.

    Parameters
    ----------
    names, parents : the source skeleton.
    positions : np.ndarray, shape (T, N, 3)
        World positions of the source joints, file units and axes.
    ends : dict of int -> np.ndarray (T, 3)
        World positions of the End Sites, keyed by their joint.

    Returns
    -------
    targets : np.ndarray, shape (T, 24, 3)
    joint_map : dict
        SMPL name -> where it came from.
    mapped : np.ndarray of bool, shape (24,)
        True where the joint is a source joint (not placed).
    convention : str
    """
    roles = find_roles(names, parents, where=where)
    T = positions.shape[0]
    tg = np.zeros((T, 24, 3))
    src: dict = {}
    mapped = np.zeros(24, bool)

    def put(smpl: str, idx: int) -> None:
        tg[:, J[smpl]] = positions[:, idx]
        src[smpl] = names[idx]
        mapped[J[smpl]] = True

    put("pelvis", roles.pelvis)
    put("head", roles.head)
    for key, idx in roles.sided.items():
        if idx is not None:
            put(key, idx)
    chain = chain_path(parents, roles.pelvis, roles.head)
    if roles.neck is not None:
        put("neck", roles.neck)
        neck_chain = chain[: chain.index(roles.neck) + 1]
    else:
        # the neck: halfway from where the arms hang to the head
        attach = common_ancestor(parents, roles.sided["left_shoulder"], roles.sided["right_shoulder"])
        base = positions[:, attach] if attach in chain else tg[:, J["pelvis"]]
        tg[:, J["neck"]] = _lerp(base, tg[:, J["head"]], 0.5)
        src["neck"] = f"placed between {names[attach]!r} and the head"
        neck_chain = chain[: chain.index(attach) + 1] if attach in chain else chain[:-1]
    poly = np.concatenate([positions[:, neck_chain], tg[:, J["neck"]][:, None]], axis=1) if roles.neck is None \
        else positions[:, neck_chain]
    if poly.shape[1] < 2:
        poly = np.stack([tg[:, J["pelvis"]], tg[:, J["neck"]]], axis=1)
    for name, p in zip(SPINE, _along(poly, _spine_fractions())):
        tg[:, J[name]] = p
        src[name] = "placed along the spine " + "-".join(names[i] for i in neck_chain)
    for side in ("left", "right"):
        s = roles.sided
        if s[f"{side}_collar"] is None:
            chest = 0.5 * (tg[:, J["spine3"]] + tg[:, J["neck"]])
            tg[:, J[f"{side}_collar"]] = _lerp(chest, tg[:, J[f"{side}_shoulder"]], 0.45)
            src[f"{side}_collar"] = "placed between the chest and the shoulder"
        wrist, elbow = s[f"{side}_wrist"], s[f"{side}_elbow"]
        forearm = np.median(np.linalg.norm(positions[:, wrist] - positions[:, elbow], axis=-1))
        hand = s[f"{side}_hand"]
        # a finger joint sitting on the wrist (CMU's FingerBase): go down to one that is not
        while hand is not None and np.median(np.linalg.norm(positions[:, hand] - positions[:, wrist], axis=-1)) < 0.2 * forearm:
            kids = [i for i, p in enumerate(parents) if p == hand]
            hand = kids[0] if kids else None
        if hand is not None:
            tg[:, J[f"{side}_hand"]] = positions[:, hand]
            src[f"{side}_hand"] = names[hand]
        elif wrist in ends:
            tg[:, J[f"{side}_hand"]] = _lerp(positions[:, wrist], ends[wrist], 0.6)
            src[f"{side}_hand"] = f"placed towards the End Site of {names[wrist]!r}"
        else:
            tg[:, J[f"{side}_hand"]] = positions[:, wrist] + 0.34 * (positions[:, wrist] - positions[:, elbow])
            src[f"{side}_hand"] = "placed beyond the wrist along the forearm"
        mapped[J[f"{side}_hand"]] = hand is not None
        if s[f"{side}_foot"] is None:
            ankle = s[f"{side}_ankle"]
            if ankle in ends:
                tg[:, J[f"{side}_foot"]] = _lerp(positions[:, ankle], ends[ankle], 0.72)
                src[f"{side}_foot"] = f"placed towards the End Site of {names[ankle]!r}"
            else:
                raise FormatError(
                    f"{where}: the {side} foot {names[ankle]!r} has neither a toe joint nor an End Site; "
                    "kanat needs one to know where the foot points")
    return tg, src, mapped, convention_of(names)


# ------------------------------------------------------------ units, axes
_UP = {"+X": np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1.0]]), "-X": np.array([[0, 1, 0], [-1, 0, 0], [0, 0, 1.0]]),
       "+Y": np.eye(3), "-Y": np.diag([1.0, -1.0, -1.0]),
       "+Z": np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0.0]]), "-Z": np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0.0]])}


def _bone_length(tg: np.ndarray, a: str, b: str) -> float:
    return float(np.median(np.linalg.norm(tg[:, J[a]] - tg[:, J[b]], axis=-1)))


def _chain_length(tg: np.ndarray) -> float:
    """Ankle -> knee -> hip -> pelvis -> neck -> head, both sides averaged."""
    legs = np.mean([_bone_length(tg, f"{s}_ankle", f"{s}_knee") + _bone_length(tg, f"{s}_knee", f"{s}_hip")
                    + _bone_length(tg, f"{s}_hip", "pelvis") for s in ("left", "right")])
    trunk = sum(_bone_length(tg, a, b) for a, b in (("pelvis", "spine1"), ("spine1", "spine2"), ("spine2", "spine3"),
                                                    ("spine3", "neck"), ("neck", "head")))
    return float(legs + trunk)


def detect_units(tg: np.ndarray) -> tuple[str, float, float]:
    """(unit name, metres per unit, height in metres) from the bone lengths."""
    sk = default_skeleton()
    rest = sk.rest_positions[None]
    ratio = sk.height_m / _chain_length(rest)
    height_units = _chain_length(tg) * ratio
    if not height_units > 0:
        raise FormatError("the skeleton has zero size: every joint sits at the same point")
    ok = [(abs(np.log(height_units * s / NOMINAL_HEIGHT_M)), u, s) for u, s in UNITS_M.items()
          if HEIGHT_RANGE_M[0] <= height_units * s <= HEIGHT_RANGE_M[1]]
    if ok:
        _, unit, scale = min(ok)
        return unit, scale, height_units * scale
    return "normalised", NOMINAL_HEIGHT_M / height_units, NOMINAL_HEIGHT_M


def detect_up(tg: np.ndarray) -> str:
    """The file's up axis: where the head is over the ankles most of the clip."""
    v = np.median(tg[:, J["head"]] - 0.5 * (tg[:, J["left_ankle"]] + tg[:, J["right_ankle"]]), axis=0)
    k = int(np.argmax(np.abs(v)))
    return ("+" if v[k] >= 0 else "-") + "XYZ"[k]


# ------------------------------------------------------------------- fit
def _frame(left: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Rotation matrices (T, 3, 3) whose columns are left (x), up (y), forward (z)."""
    x = _norm(left)
    z = _norm(np.cross(x, up))
    y = np.cross(z, x)
    return np.stack([x, y, z], axis=-1)


def _local_in(frame: np.ndarray, vec: np.ndarray) -> np.ndarray:
    """Median over frames of ``vec`` (T, 3) expressed in ``frame`` (T, 3, 3)."""
    return np.median(np.einsum("tji,tj->ti", frame, vec), axis=0)


def _symmetric(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = 0.5 * (abs(left[0]) + abs(right[0]))
    yz = 0.5 * (left[1:] + right[1:])
    return np.array([x, *yz]), np.array([-x, *yz])


def fit_smpl(tg: np.ndarray) -> tuple[Skeleton, np.ndarray, np.ndarray, np.ndarray]:
    """Skeleton, root positions and local rotations that follow the targets.

    tg : np.ndarray, shape (T, 24, 3)
        SMPL joint positions, metres, Y up.
    Returns skeleton, root_pos (T, 3), rotations (T, 24, 4), fitted positions (T, 24, 3).
    """
    T = tg.shape[0]
    rest = default_skeleton().offsets
    pel_frame = _frame(tg[:, J["left_hip"]] - tg[:, J["right_hip"]], tg[:, J["spine1"]] - tg[:, J["pelvis"]])
    chest_frame = _frame(tg[:, J["left_shoulder"]] - tg[:, J["right_shoulder"]], tg[:, J["neck"]] - tg[:, J["spine3"]])
    off = np.zeros((24, 3))
    for j, p in enumerate(PARENTS):
        if p >= 0:
            off[j] = rest[j] / np.linalg.norm(rest[j]) * max(_bone_length(tg, JOINT_NAMES[j], JOINT_NAMES[p]), 1e-4)
    rel = {n: _local_in(pel_frame, tg[:, J[n]] - tg[:, J["pelvis"]]) for n in ("left_hip", "right_hip", "spine1")}
    off[J["left_hip"]], off[J["right_hip"]] = _symmetric(rel["left_hip"], rel["right_hip"])
    off[J["spine1"]] = rel["spine1"] * np.array([0.0, 1.0, 1.0])
    rel = {n: _local_in(chest_frame, tg[:, J[n]] - tg[:, J["spine3"]]) for n in ("left_collar", "right_collar", "neck")}
    off[J["left_collar"]], off[J["right_collar"]] = _symmetric(rel["left_collar"], rel["right_collar"])
    off[J["neck"]] = rel["neck"] * np.array([0.0, 1.0, 1.0])
    # the rest pose stands on the floor: the pelvis high enough for the lower ankle
    probe = Skeleton(offsets=off).rest_positions
    off[0] = (0.0, -min(probe[J["left_ankle"], 1], probe[J["right_ankle"], 1]) + ANKLE_HEIGHT_M, 0.0)
    skeleton = Skeleton(offsets=off)

    glob = np.zeros((T, 24, 4))
    pos = np.zeros((T, 24, 3))
    children: list[list[int]] = [[] for _ in PARENTS]
    for j, p in enumerate(PARENTS):
        if p >= 0:
            children[p].append(j)
    fixed = {J["pelvis"]: R.from_matrix(pel_frame), J["spine3"]: R.from_matrix(chest_frame)}
    for j, p in enumerate(PARENTS):
        pos[:, j] = tg[:, 0] if p < 0 else pos[:, p] + R.rotate(glob[:, p], np.broadcast_to(off[j], (T, 3)))
        if j in fixed:
            glob[:, j] = fixed[j]
        elif len(children[j]) == 1:
            c = children[j][0]
            parent_rot = glob[:, p]
            now = R.rotate(parent_rot, np.broadcast_to(off[c], (T, 3)))
            glob[:, j] = R.multiply(R.between(now, tg[:, c] - pos[:, j]), parent_rot)
        else:  # leaves keep their parent's orientation
            glob[:, j] = glob[:, p]
    local = glob.copy()
    for j, p in enumerate(PARENTS):
        if p >= 0:
            local[:, j] = R.multiply(R.conjugate(glob[:, p]), glob[:, j])
    return skeleton, tg[:, 0].copy(), R.standardize(R.normalize(local)), pos


def retarget(names: list[str], parents: list[int], positions: np.ndarray, ends: dict, fps: float, *,
             where: str) -> tuple[Motion, RetargetInfo]:
    """A kanat Motion following a source skeleton's joints.

    Parameters
    ----------
    names, parents : list
        The source joints (BVH order) and their parent indices (-1 for the root).
    positions : np.ndarray, shape (T, N, 3)
        World joint positions from the file's own forward kinematics, file units and axes.
    ends : dict of int -> np.ndarray (T, 3)
        End Site positions, keyed by their joint.
    fps : float
        Frames per second.

    Returns
    -------
    motion : Motion
        SMPL skeleton with the source's bone lengths, metres, Y up, floor at
        y = 0, facing +Z on the first frame, centred on the stage; contacts
        estimated.
    info : RetargetInfo
    """

    tg, joint_map, mapped, convention = smpl_targets(names, parents, np.asarray(positions, float), ends, where=where)
    up = detect_up(tg)
    tg = tg @ _UP[up].T
    unit, scale, _ = detect_units(tg)
    tg = tg * scale
    # face the audience on the first frame
    left = tg[0, J["left_hip"]] - tg[0, J["right_hip"]]
    fwd = np.cross(left, [0.0, 1.0, 0.0])
    angle = float(np.arctan2(fwd[0], fwd[2]))  # yaw of the facing from +Z
    c, s = np.cos(-angle), np.sin(-angle)
    turn = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    tg = tg @ turn.T
    # centre stage: the middle of the pelvis's floor path at x = z = 0
    path = tg[:, J["pelvis"]][:, [0, 2]]
    tg[..., [0, 2]] -= 0.5 * (path.min(axis=0) + path.max(axis=0))
    skeleton, root, rots, fitted = fit_smpl(tg)
    err = np.linalg.norm(fitted - tg, axis=-1)[:, mapped]
    soles = sole_points(fitted)[..., 1].min(axis=1)
    floor = float(np.percentile(soles, 1))
    root[:, 1] -= floor
    positions_m, _ = forward_kinematics(skeleton, root, rots)
    motion = Motion(fps=fps, root_pos=root, rotations=rots, contacts=estimate_contacts(positions_m, fps),
                    skeleton=skeleton)
    info = RetargetInfo(convention=convention, unit=unit, metres_per_unit=scale, up_axis=up,
                        height_m=float(skeleton.height_m), fit_error_mean_m=float(err.mean()),
                        fit_error_max_m=float(err.max()), joint_map=joint_map)
    return motion, info
