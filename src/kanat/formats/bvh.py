"""BVH (Biovision Hierarchy) motion files: write kanat's Motion, read any humanoid BVH.

Conventions
-----------
- kanat writes the 24 SMPL joints with their SMPL names. The pelvis is the
  ``ROOT`` with six channels ``Xposition Yposition Zposition Zrotation
  Xrotation Yrotation``; every other joint has the three rotation channels.
  Leaf joints (head, hands, feet) close with an ``End Site``.
- Lengths in the file are centimetres (BVH's usual unit; Blender imports it
  with ``global_scale=0.01``). The world frame is kanat's: Y up, the dancer
  facing +Z in the rest pose (a T-pose), the dancer's left at +X. Blender's
  importer defaults (``axis_forward='-Z', axis_up='Y'``) land it upright.
- The root ``OFFSET`` is the pelvis' rest height; the root position channels
  are the pelvis' absolute world position (as Blender's importer reads
  them). On reading, a zero root ``OFFSET`` (CMU's files) leaves the pelvis'
  rest height to be estimated from the legs.
- Rotation channels are Euler angles in degrees. BVH applies them as intrinsic
  rotations in the listed channel order: channels ``Zrotation Xrotation
  Yrotation`` mean ``R = Rz @ Rx @ Ry``. kanat writes ZXY (the order of
  Biovision's original files; its gimbal lock sits at a 90 degree bend about
  X, never at a turn about the vertical, and the writer stays exact there); :func:`read_bvh` reads any order, also orders
  with fewer than three rotation channels.
- :func:`read_bvh` reads BVH whose joints are the 24 SMPL joints (names
  matched case-insensitively; ``L_Hip``/``R_Hip`` spellings and SMPL's older
  ``Toe``/``Thorax``/``Palm`` names accepted), in any order, with SMPL's
  parent structure, directly: the file's rotations and rest offsets become
  the Motion's. Units: centimetres when the rest-pose legs (hip to knee to
  ankle) are longer than 5 file units, metres otherwise; position channels
  on joints other than the root are ignored.
- Any other humanoid skeleton (Mixamo, CMU, Biovision, Unity, Biped,
  Unreal names) is retargeted: the file's own forward kinematics gives its
  joints' world positions, which :mod:`kanat.formats.skeleton_map` maps onto
  the 24 SMPL joints, converts to metres and Y up, puts on the floor and
  follows with kanat's skeleton (:func:`import_bvh` reports how, with the
  fit error). A skeleton that cannot be mapped raises
  :class:`~kanat.errors.FormatError` naming what is missing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kanat.body import rotations as R
from kanat.body.rotations import euler_to_quat, quat_to_euler
from kanat.body.contacts import estimate_contacts
from kanat.body.kinematics import forward_kinematics
from kanat.body.motion import Motion
from kanat.body.skeleton import ANKLE_HEIGHT_M, JOINT_NAMES, PARENTS, Skeleton
from kanat.errors import FormatError
from kanat.files import atomic_path
from kanat.formats.bvh_text import Joint, canonical_name, parse_hierarchy, parse_motion, short_list, Tokens
from kanat.formats.skeleton_map import RetargetInfo, retarget
from kanat.formats.skeleton_names import find_roles

#: Rotation channel order kanat writes (intrinsic, as listed).
WRITE_ORDER = "ZXY"

#: End Site offsets of the leaf joints, metres, in the joint's rest frame.
END_SITES_M: dict[str, tuple[float, float, float]] = {
    "head": (0.0, 0.13, 0.0),        # the crown (Skeleton.height_m uses +0.13)
    "left_foot": (0.0, 0.0, 0.06),   # ball of the foot to the toe tips
    "right_foot": (0.0, 0.0, 0.06),
    "left_hand": (0.08, 0.0, 0.0),   # knuckles to the finger tips
    "right_hand": (-0.08, 0.0, 0.0),
}

_AXIS = {"X": 0, "Y": 1, "Z": 2}
#: Frames formatted and written at a time.
_ROWS_AT_ONCE = 4096


# --------------------------------------------------------------------- write
def write_bvh(motion: Motion, path: str | os.PathLike) -> Path:
    """Write ``motion`` as a BVH file (SMPL joint names, centimetres, ZXY).

    Parameters
    ----------
    motion : Motion
        The motion; its skeleton's offsets become the file's ``OFFSET``s.
    path : str or PathLike
        Destination, written atomically.

    Returns
    -------
    path : Path

    Examples
    --------
    >>> write_bvh(motion, "out/dance.bvh")  # doctest: +SKIP
    """
    sk = motion.skeleton
    children: list[list[int]] = [[] for _ in JOINT_NAMES]
    for j, p in enumerate(sk.parents):
        if p >= 0:
            children[p].append(j)
    rot_channels = " ".join(f"{c}rotation" for c in WRITE_ORDER)
    lines = ["HIERARCHY"]

    def emit(j: int, depth: int) -> None:
        pad = "\t" * depth
        off = sk.offsets[j] * 100.0 + 0.0  # + 0.0 turns -0.0 into 0.0
        if sk.parents[j] < 0:
            lines.append(f"{pad}ROOT {sk.names[j]}")
        else:
            lines.append(f"{pad}JOINT {sk.names[j]}")
        lines.append(pad + "{")
        lines.append(f"{pad}\tOFFSET {off[0]:.6f} {off[1]:.6f} {off[2]:.6f}")
        if sk.parents[j] < 0:
            lines.append(f"{pad}\tCHANNELS 6 Xposition Yposition Zposition {rot_channels}")
        else:
            lines.append(f"{pad}\tCHANNELS 3 {rot_channels}")
        for c in children[j]:
            emit(c, depth + 1)
        if not children[j]:
            end = np.asarray(END_SITES_M.get(sk.names[j], (0.0, 0.05, 0.0))) * 100.0 + 0.0
            lines.extend([f"{pad}\tEnd Site", pad + "\t{", f"{pad}\t\tOFFSET {end[0]:.6f} {end[1]:.6f} {end[2]:.6f}", pad + "\t}"])
        lines.append(pad + "}")

    emit(0, 0)
    order = _serial_order(sk.parents)
    lines += ["MOTION", f"Frames: {motion.n_frames}", f"Frame Time: {1.0 / motion.fps:.10f}"]
    row = " ".join(["%.4f"] * (3 + 3 * len(order)))  # one format per row: twice as fast as a format per number
    with atomic_path(path) as tmp, open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
        for data in _motion_rows(motion, order):  # a block of frames at a time: an hour is never held as text
            f.write("\n".join(row % tuple(r) for r in data.tolist()) + "\n")
    return Path(path)


def _motion_rows(motion: Motion, order: list[int]):
    """The MOTION rows (root position in cm, then every joint's ZXY angles in degrees), ``_ROWS_AT_ONCE`` at a time.

    The angles are unwrapped along time (no 360 degree jump between frames), carried from one block to the next.
    """
    last = None
    for a in range(0, motion.n_frames, _ROWS_AT_ONCE):
        b = min(motion.n_frames, a + _ROWS_AT_ONCE)
        eul = quat_to_euler(motion.rotations[a:b, order], WRITE_ORDER)
        if last is not None:
            eul = np.unwrap(np.concatenate([last[None], eul]), axis=0)[1:]
        else:
            eul = np.unwrap(eul, axis=0)
        last = eul[-1]
        data = np.concatenate([motion.root_pos[a:b] * 100.0, np.degrees(eul).reshape(b - a, -1)], axis=1)
        yield np.where(np.abs(data) < 5e-5, 0.0, data)  # no "-0.0000"


def _serial_order(parents: tuple[int, ...]) -> list[int]:
    """Joint indices in the depth-first order the hierarchy is written."""
    children: list[list[int]] = [[] for _ in parents]
    for j, p in enumerate(parents):
        if p >= 0:
            children[p].append(j)
    out: list[int] = []
    stack = [parents.index(-1)]
    while stack:
        j = stack.pop()
        out.append(j)
        stack.extend(reversed(children[j]))
    return out


# ---------------------------------------------------------------------- read
@dataclass
class BvhImport:
    """A BVH file read into kanat: the Motion and how the skeleton was mapped."""

    motion: Motion
    info: RetargetInfo


def read_bvh(path: str | os.PathLike) -> Motion:
    """Read a BVH file into a Motion on kanat's 24 SMPL joints.

    Parameters
    ----------
    path : str or PathLike
        A BVH file: kanat's own, any BVH with SMPL joint names, or a humanoid
        skeleton in one of the conventions of :mod:`kanat.formats.skeleton_map`
        (Mixamo, CMU, Biovision, ...), any channel order, units and up axis.

    Returns
    -------
    motion : Motion
        See :func:`import_bvh`, which also says how the skeleton was mapped.

    Raises
    ------
    FormatError
        The file is missing, not a BVH file, truncated, or its skeleton
        cannot be mapped (the message names what is missing).
    """
    return import_bvh(path).motion


def import_bvh(path: str | os.PathLike) -> BvhImport:
    """Read a BVH file into a Motion, with a report of the skeleton mapping.

    Parameters
    ----------
    path : str or PathLike
        A BVH file: kanat's own or any BVH with SMPL joint names, any channel
        order, centimetres or metres (see the module docstring).

    Returns
    -------
    BvhImport
        ``motion``: for SMPL-named files, rotations relative to the file's
        rest pose, whose offsets (metres) become ``motion.skeleton``; for
        other skeletons, the retargeted motion (metres, Y up, floor at y = 0,
        see :func:`kanat.formats.skeleton_map.retarget`). Contacts estimated
        from foot height and speed (:func:`estimate_contacts`). ``info``:
        convention, unit, up axis, height and the fit error.

    Raises
    ------
    FormatError
        The file is missing, not a BVH file, truncated, or its skeleton is not
        SMPL's (the message names the joints it cannot map).
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise FormatError(f"BVH file {where!r} does not exist; check the path")
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("latin-1")
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].split()[0].upper() != "HIERARCHY":
        got = lines[first].strip()[:40] if first is not None else "an empty file"
        raise FormatError(f"{where}: not a BVH file: expected 'HIERARCHY' on the first line, got {got!r}")
    motion_at = next((i for i, line in enumerate(lines) if line.split()[:1] and line.split()[0].upper() == "MOTION"), None)
    if motion_at is None:
        raise FormatError(f"{where}: no MOTION section; the file is truncated or not a BVH file")
    tokens = Tokens(lines[: motion_at], where)
    tokens.next("HIERARCHY")
    joints = parse_hierarchy(tokens)
    if tokens.pos < len(tokens.items):
        tok, no = tokens.items[tokens.pos]
        raise FormatError(f"{where} line {no}: unexpected {tok!r} after the root joint closed")
    names = [canonical_name(jt.name) for jt in joints]
    smpl_named = None not in names and set(names) == set(JOINT_NAMES)
    if smpl_named:
        index = _map_to_smpl(joints, where)
    else:
        # not SMPL's skeleton: check the names map before reading the frames
        find_roles([jt.name for jt in joints], [jt.parent for jt in joints], where=where)
    fps, data = parse_motion(lines, motion_at, sum(len(jt.channels) for jt in joints), where)
    if smpl_named:
        motion = _to_motion(joints, index, fps, data)
        return BvhImport(motion=motion, info=RetargetInfo(
            convention="smpl", unit="cm" if _file_scale(joints, index) == 0.01 else "m",
            metres_per_unit=_file_scale(joints, index), up_axis="+Y", height_m=float(motion.skeleton.height_m),
            fit_error_mean_m=0.0, fit_error_max_m=0.0, joint_map={n: n for n in JOINT_NAMES}))
    positions, ends = _source_positions(joints, data)
    motion, info = retarget([jt.name for jt in joints], [jt.parent for jt in joints], positions, ends, fps,
                            where=where)
    return BvhImport(motion=motion, info=info)


def _source_positions(joints: list[Joint], data: np.ndarray) -> tuple[np.ndarray, dict]:
    """World positions (T, N, 3) of the file's joints and of its End Sites, file units and axes.

    BVH's forward kinematics: a joint's position channels (the root's, or
    any joint's where present) replace its OFFSET; rotation channels are
    intrinsic Euler angles in the listed order.
    """
    T, N = data.shape[0], len(joints)
    pos = np.zeros((T, N, 3))
    glob = np.zeros((T, N, 4))
    ends: dict = {}
    col = 0
    for j, jt in enumerate(joints):
        chans = jt.channels
        block = data[:, col: col + len(chans)]
        col += len(chans)
        trans = np.broadcast_to(jt.offset, (T, 3)).copy()
        for c, ch in enumerate(chans):
            if ch.endswith("position"):
                trans[:, _AXIS[ch[0]]] = block[:, c]
        rot_idx = [c for c, ch in enumerate(chans) if ch.endswith("rotation")]
        local = euler_to_quat(np.radians(block[:, rot_idx]), "".join(chans[c][0] for c in rot_idx)) if rot_idx \
            else R.identity((T,))
        if jt.parent < 0:
            pos[:, j], glob[:, j] = trans, local
        else:
            pos[:, j] = pos[:, jt.parent] + R.rotate(glob[:, jt.parent], trans)
            glob[:, j] = R.multiply(glob[:, jt.parent], local)
        if jt.end is not None:
            ends[j] = pos[:, j] + R.rotate(glob[:, j], np.broadcast_to(jt.end, (T, 3)))
    return pos, ends


def _file_scale(joints: list[Joint], index: list[int]) -> float:
    offsets = np.zeros((24, 3))
    for jt, j in zip(joints, index):
        offsets[j] = jt.offset
    leg = np.linalg.norm(offsets[JOINT_NAMES.index("left_knee")]) + np.linalg.norm(offsets[JOINT_NAMES.index("left_ankle")])
    return 0.01 if leg > 5.0 else 1.0


def _map_to_smpl(joints: list[Joint], where: str) -> list[int]:
    """SMPL index of each file joint; FormatError unless it is SMPL's skeleton."""
    names = [canonical_name(jt.name) for jt in joints]
    unknown = [jt.name for jt, n in zip(joints, names) if n is None]
    seen = [n for n in names if n is not None]
    missing = [n for n in JOINT_NAMES if n not in seen]
    if unknown or missing or len(set(seen)) != len(seen):
        parts = []
        if unknown:
            parts.append(f"unknown joints {short_list(unknown)}")
        if missing:
            parts.append(f"missing SMPL joints {short_list(missing)}")
        dup = sorted({n for n in seen if seen.count(n) > 1})
        if dup:
            parts.append(f"joints named twice {short_list(dup)}")
        raise FormatError(
            f"{where}: cannot map this skeleton onto kanat's 24 SMPL joints: {'; '.join(parts)}. "
            "kanat reads BVH whose joints carry the SMPL names (pelvis, left_hip, ...); "
            "retargeting other skeletons (Mixamo, CMU) is not supported yet"
        )
    index = [JOINT_NAMES.index(n) for n in names]  # type: ignore[arg-type]
    for jt, j in zip(joints, index):
        parent = -1 if jt.parent < 0 else index[jt.parent]
        if parent != PARENTS[j]:
            want = "none (the root)" if PARENTS[j] < 0 else JOINT_NAMES[PARENTS[j]]
            got = "none (the root)" if parent < 0 else joints[jt.parent].name
            raise FormatError(
                f"{where} line {jt.line}: joint {jt.name!r} hangs from {got!r}, but SMPL's {JOINT_NAMES[j]} hangs from {want}; "
                "the hierarchy is not SMPL's"
            )
    return index


def _to_motion(joints: list[Joint], index: list[int], fps: float, data: np.ndarray) -> Motion:
    T = data.shape[0]
    offsets = np.zeros((24, 3))
    for jt, j in zip(joints, index):
        offsets[j] = jt.offset
    leg = np.linalg.norm(offsets[JOINT_NAMES.index("left_knee")]) + np.linalg.norm(offsets[JOINT_NAMES.index("left_ankle")])
    scale = 0.01 if leg > 5.0 else 1.0
    offsets *= scale
    rots = R.identity((T, 24))
    root_pos = np.zeros((T, 3))
    col = 0
    for jt, j in zip(joints, index):
        chans = jt.channels
        block = data[:, col: col + len(chans)]
        col += len(chans)
        rot_idx = [c for c, ch in enumerate(chans) if ch.endswith("rotation")]
        if rot_idx:
            order = "".join(chans[c][0] for c in rot_idx)
            rots[:, j] = euler_to_quat(np.radians(block[:, rot_idx]), order)
        if jt.parent < 0:
            root_pos[:] = offsets[j]
            for c, ch in enumerate(chans):
                if ch.endswith("position"):
                    root_pos[:, _AXIS[ch[0]]] = block[:, c] * scale
    if not np.any(offsets[0]):
        # Files with a zero root OFFSET (CMU): estimate the pelvis' rest height.
        rest = Skeleton(offsets=offsets).rest_positions
        offsets[0, 1] = -min(rest[JOINT_NAMES.index("left_ankle"), 1], rest[JOINT_NAMES.index("right_ankle"), 1]) + ANKLE_HEIGHT_M
    skeleton = Skeleton(offsets=offsets)
    positions, _ = forward_kinematics(skeleton, root_pos, rots)
    return Motion(fps=fps, root_pos=root_pos, rotations=rots, contacts=estimate_contacts(positions, fps), skeleton=skeleton)
