"""Motions made for the format tests: a random dance, and BVH files in other skeletons' conventions.

Plain helpers (tests import them); the fixtures are in ``tests/formats/conftest.py``.
"""

from __future__ import annotations

import numpy as np

from kanat.body import J, Motion, rotations as R


def random_dance(*, seed: int = 0, n_frames: int = 240, fps: float = 60.0, amplitude_rad: float = 0.5,
                turns: float = 2.5) -> Motion:
    """A smooth random dance: every joint swinging on random sinusoids.

    The pelvis turns ``turns`` full turns about the vertical and tilts a
    little; the root walks a circle and bobs around (0, 0.955, 0); the knees
    bend from straight to 150 degrees and back, through ZXY's gimbal lock at
    90 degrees about X.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_frames) / fps
    freq = rng.uniform(0.3, 2.0, size=(2, 24, 3))
    phase = rng.uniform(0, 2 * np.pi, size=(2, 24, 3))
    amp = rng.uniform(0.3, 1.0, size=(2, 24, 3)) * amplitude_rad / 2
    angles = np.sum(amp * np.sin(2 * np.pi * freq * t[:, None, None, None] + phase), axis=1)  # (T, 24, 3)
    rot = R.from_euler(angles)
    duration = max(t[-1], 1e-9)
    bend = 2.6 * np.sin(np.pi * t / duration) ** 2  # 0 -> 150 degrees -> 0
    for knee in ("left_knee", "right_knee"):
        rot[:, J[knee]] = R.multiply(R.from_euler(np.stack([bend, 0 * bend, 0 * bend], -1)), rot[:, J[knee]])
    yaw = 2 * np.pi * turns * t / duration
    rot[:, 0] = R.multiply(R.yaw(yaw), R.from_euler(angles[:, 0] * 0.4))
    root = np.stack([0.8 * np.sin(2 * np.pi * t / duration), 0.955 + 0.05 * np.sin(4 * np.pi * t), 0.8 * np.cos(2 * np.pi * t / duration) - 0.8], -1)
    return Motion(fps=fps, root_pos=root, rotations=rot, contacts=np.zeros((n_frames, 2), bool))


# ------------------------------------------------- renamed-skeleton BVH fixtures
# (source name, parent, SMPL joint it carries or None for a transparent joint, End Site offset in metres or None)
MIXAMO_LAYOUT = [("Hips", None, "pelvis", None), ("Spine", "Hips", "spine1", None), ("Spine1", "Spine", "spine2", None),
                 ("Spine2", "Spine1", "spine3", None), ("Neck", "Spine2", "neck", None),
                 ("Head", "Neck", "head", (0.0, 0.18, 0.0))]
for _s, _side in (("Left", "left"), ("Right", "right")):
    _x = 1.0 if _side == "left" else -1.0
    MIXAMO_LAYOUT += [
        (f"{_s}Shoulder", "Spine2", f"{_side}_collar", None), (f"{_s}Arm", f"{_s}Shoulder", f"{_side}_shoulder", None),
        (f"{_s}ForeArm", f"{_s}Arm", f"{_side}_elbow", None), (f"{_s}Hand", f"{_s}ForeArm", f"{_side}_wrist", None),
        (f"{_s}HandMiddle1", f"{_s}Hand", f"{_side}_hand", (0.08 * _x, 0.0, 0.0)),
        (f"{_s}UpLeg", "Hips", f"{_side}_hip", None), (f"{_s}Leg", f"{_s}UpLeg", f"{_side}_knee", None),
        (f"{_s}Foot", f"{_s}Leg", f"{_side}_ankle", None),
        (f"{_s}ToeBase", f"{_s}Foot", f"{_side}_foot", (0.0, 0.0, 0.08))]

CMU_LAYOUT = [("Hips", None, "pelvis", None), ("LowerBack", "Hips", "spine1", None), ("Spine", "LowerBack", "spine2", None),
              ("Spine1", "Spine", "spine3", None), ("Neck", "Spine1", "neck", None), ("Neck1", "Neck", None, None),
              ("Head", "Neck1", "head", (0.0, 0.15, 0.0))]
for _s, _side in (("Left", "left"), ("Right", "right")):
    _x = 1.0 if _side == "left" else -1.0
    _c = _s[0]
    CMU_LAYOUT += [
        (f"{_c}HipJoint", "Hips", None, None), (f"{_s}UpLeg", f"{_c}HipJoint", f"{_side}_hip", None),
        (f"{_s}Leg", f"{_s}UpLeg", f"{_side}_knee", None), (f"{_s}Foot", f"{_s}Leg", f"{_side}_ankle", None),
        (f"{_s}ToeBase", f"{_s}Foot", f"{_side}_foot", (0.0, 0.0, 0.06)),
        (f"{_s}Shoulder", "Spine1", f"{_side}_collar", None), (f"{_s}Arm", f"{_s}Shoulder", f"{_side}_shoulder", None),
        (f"{_s}ForeArm", f"{_s}Arm", f"{_side}_elbow", None), (f"{_s}Hand", f"{_s}ForeArm", f"{_side}_wrist", None),
        (f"{_s}FingerBase", f"{_s}Hand", None, None),
        (f"{_s}HandIndex1", f"{_s}FingerBase", f"{_side}_hand", (0.05 * _x, 0.0, 0.0)),
        (f"{_c}Thumb", f"{_s}Hand", None, (0.04 * _x, 0.0, 0.04))]


def write_renamed_bvh(motion: Motion, path, layout, *, prefix: str = "", metres_per_unit: float = 0.01,
                      order: str = "ZYX", z_up: bool = False):
    """Write ``motion`` as a BVH whose joints carry another convention's names (``layout``).

    Joints that carry an SMPL joint take its offset and local rotation; the
    others sit on their parent with no offset and no rotation, so the file's
    world positions are exactly the motion's. ``z_up`` turns the whole dance
    so that +Z is up (as 3ds Max and some exporters write).
    """
    from kanat.body.rotations import quat_to_euler

    sk = motion.skeleton
    k = 1.0 / metres_per_unit
    rots = motion.rotations.copy()
    root = motion.root_pos.copy()
    if z_up:
        turn = R.from_axis_angle(np.array([1.0, 0.0, 0.0]), np.pi / 2)  # +Y -> +Z
        rots[:, 0] = R.multiply(turn, rots[:, 0])
        root = R.rotate(turn, root)
    children: dict = {}
    for name, parent, _, _ in layout:
        children.setdefault(parent, []).append(name)
    info = {name: (smpl, end) for name, _, smpl, end in layout}
    lines = ["HIERARCHY"]
    columns = []

    def emit(name: str, depth: int) -> None:
        pad = "  " * depth
        smpl, end = info[name]
        off = (sk.offsets[J[smpl]] if smpl else np.zeros(3)) * k + 0.0
        is_root = depth == 0
        lines.append(f"{pad}{'ROOT' if is_root else 'JOINT'} {prefix}{name}")
        lines.append(pad + "{")
        lines.append(f"{pad}  OFFSET {off[0]:.6f} {off[1]:.6f} {off[2]:.6f}")
        chans = " ".join(f"{c}rotation" for c in order)
        lines.append(f"{pad}  CHANNELS {6 if is_root else 3} {'Xposition Yposition Zposition ' if is_root else ''}{chans}")
        q = rots[:, J[smpl]] if smpl else R.identity((motion.n_frames,))
        eul = np.degrees(np.unwrap(quat_to_euler(q, order), axis=0))
        columns.append(np.concatenate([root * k, eul], 1) if is_root else eul)
        for c in children.get(name, []):
            emit(c, depth + 1)
        if end is not None:
            e = np.asarray(end) * k + 0.0
            lines.extend([f"{pad}  End Site", pad + "  {", f"{pad}    OFFSET {e[0]:.6f} {e[1]:.6f} {e[2]:.6f}", pad + "  }"])
        lines.append(pad + "}")

    emit(children[None][0], 0)
    data = np.concatenate(columns, axis=1)
    lines += ["MOTION", f"Frames: {motion.n_frames}", f"Frame Time: {1.0 / motion.fps:.8f}"]
    lines += [" ".join(f"{v:.5f}" for v in row) for row in data]
    path.write_text("\n".join(lines) + "\n")
    return path


def _renamed(layout, names: dict):
    """``layout`` with every joint renamed by ``names`` (Mixamo name -> other name; L/R sides by pattern)."""
    def rename(n):
        if n is None:
            return None
        for side, tag in (("Left", "l"), ("Right", "r")):
            if n.startswith(side):
                return names[n[len(side):]].format(side=side, s=side[0], l=tag, L=tag.upper())
        return names[n]
    return [(rename(a), rename(b), smpl, end) for a, b, smpl, end in layout]


UNREAL = {"Hips": "pelvis", "Spine": "spine_01", "Spine1": "spine_02", "Spine2": "spine_03", "Neck": "neck_01",
          "Head": "head", "Shoulder": "clavicle_{l}", "Arm": "upperarm_{l}", "ForeArm": "lowerarm_{l}",
          "Hand": "hand_{l}", "HandMiddle1": "middle_01_{l}", "UpLeg": "thigh_{l}", "Leg": "calf_{l}",
          "Foot": "foot_{l}", "ToeBase": "ball_{l}"}
BANDAI = {"Hips": "Hips", "Spine": "Spine", "Spine1": "Chest", "Spine2": "UpperChest", "Neck": "Neck", "Head": "Head",
          "Shoulder": "Shoulder_{L}", "Arm": "UpperArm_{L}", "ForeArm": "LowerArm_{L}", "Hand": "Hand_{L}",
          "HandMiddle1": "MiddleFinger1_{L}", "UpLeg": "UpperLeg_{L}", "Leg": "LowerLeg_{L}", "Foot": "Foot_{L}",
          "ToeBase": "Toes_{L}"}
BIPED = {"Hips": "Bip01 Pelvis", "Spine": "Bip01 Spine", "Spine1": "Bip01 Spine1", "Spine2": "Bip01 Spine2",
         "Neck": "Bip01 Neck", "Head": "Bip01 Head", "Shoulder": "Bip01 {L} Clavicle", "Arm": "Bip01 {L} UpperArm",
         "ForeArm": "Bip01 {L} Forearm", "Hand": "Bip01 {L} Hand", "HandMiddle1": "Bip01 {L} Finger2",
         "UpLeg": "Bip01 {L} Thigh", "Leg": "Bip01 {L} Calf", "Foot": "Bip01 {L} Foot", "ToeBase": "Bip01 {L} Toe0"}
HUMANIK = {k: "Character1_{side}" + k if k not in ("Hips", "Spine", "Spine1", "Spine2", "Neck", "Head")
           else "Character1_" + k for k in UNREAL}


def layouts() -> dict:
    """Every convention's layout by name: Mixamo, CMU, Unreal, Bandai, 3ds Max Biped, HumanIK."""
    return {"mixamo": MIXAMO_LAYOUT, "cmu": CMU_LAYOUT, "unreal": _renamed(MIXAMO_LAYOUT, UNREAL),
            "bandai": _renamed(MIXAMO_LAYOUT, BANDAI), "biped": _renamed(MIXAMO_LAYOUT, BIPED),
            "humanik": _renamed(MIXAMO_LAYOUT, HUMANIK)}
