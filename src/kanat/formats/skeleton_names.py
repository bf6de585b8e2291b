"""Reading a humanoid skeleton's joint names: which joint is the pelvis, a hip, a knee, a wrist.

Conventions
-----------
- Joint names are matched by their parts, whatever the spelling: namespaces
  (``mixamorig:``), ``Bip01`` prefixes, camel case, ``_l``/``.L`` suffixes and
  ``L``/``Left`` prefixes (see :mod:`kanat.formats.skeleton_map` for the
  conventions known). ``parents[i]`` is the index of joint i's parent, -1
  for the root.
- :func:`find_roles` returns where each SMPL role sits in the source skeleton,
  or raises a :class:`~kanat.errors.FormatError` naming what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kanat.errors import FormatError

#: Conventions named in messages.
SUPPORTED = (
    "SMPL (pelvis, left_hip, ...), Mixamo (mixamorig:Hips, LeftUpLeg, LeftArm, ...), "
    "CMU (Hips, LHipJoint, LeftUpLeg, LowerBack, ...), Biovision/MotionBuilder (Hips, Chest, LeftHip, "
    "LeftKnee, LeftCollar, LeftShoulder, LeftElbow, ...), Unity/Bandai (UpperLeg_L, LowerArm_L, ...), "
    "3ds Max Biped (Bip01 L Thigh, ...) and Unreal (thigh_l, upperarm_l, ...) names"
)

#: Units tried, metres per file unit.
_SIDE_TOKENS = {"left": "left", "l": "left", "lft": "left", "right": "right", "r": "right", "rt": "right", "rgt": "right"}
_NOISE_TOKENS = {"mixamorig", "bip01", "bip001", "bip", "cc", "base", "def", "jnt", "bone", "b", "j", "mixamo"}

# base name (side tokens removed, joined) -> role; roles with alternatives are resolved below
_LEG = {
    "hip": ("upleg", "upperleg", "thigh", "femur", "legupper", "uleg", "hip"),
    "knee": ("leg", "lowerleg", "lowleg", "knee", "shin", "calf", "tibia", "leglower", "lleg", "crus"),
    "ankle": ("ankle", "foot"),
    "ball": ("toebase", "toe", "toes", "ball", "forefoot", "toe0", "toe1", "foot"),
}
_ARM = {
    "collar": ("clavicle", "collar", "collarbone", "thorax", "shoulder"),
    "shoulder": ("arm", "upperarm", "uparm", "humerus", "armupper", "shoulder"),
    "elbow": ("forearm", "lowerarm", "elbow", "forarm", "armlower", "lowarm"),
    "wrist": ("wrist", "hand"),
    "hand": ("handmiddle1", "middle1", "middle01", "middlefinger1", "fingerbase", "fingers", "finger", "finger2",
             "finger1", "handindex1", "index1", "index01", "palm", "hand"),
}
_PELVIS = ("hips", "pelvis", "hip", "root")

#: SMPL fractions of the pelvis -> neck chain at which spine1, spine2, spine3 sit.
SPINE = ("spine1", "spine2", "spine3")


# ------------------------------------------------------------------ names
def name_parts(name: str) -> tuple[str | None, str]:
    """Side ("left", "right" or None) and base name of a joint name.

    >>> name_parts("mixamorig:LeftUpLeg")
    ('left', 'upleg')
    >>> name_parts("thigh_l"), name_parts("Bip01 R Forearm"), name_parts("LHipJoint")
    (('left', 'thigh'), ('right', 'forearm'), ('left', 'hipjoint'))
    """
    n = re.split(r"[:|]", name.strip())[-1]
    n = re.sub(r"^(Character\d*|CC_Base|DEF|ORG)[_\-. ]", "", n)
    n = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", n)
    n = re.sub(r"([A-Z])([A-Z][a-z])", r"\1_\2", n)
    tokens = [t for t in re.split(r"[^A-Za-z0-9]+", n.lower()) if t]
    side = None
    rest = []
    for t in tokens:
        if t in _SIDE_TOKENS and side is None:
            side = _SIDE_TOKENS[t]
        elif t not in _NOISE_TOKENS:
            rest.append(t)
    return side, "".join(rest)


def convention_of(names: list[str]) -> str:
    low = " ".join(names).lower()
    if "mixamorig" in low or ("leftupleg" in low and "lefttoebase" in low and "lhipjoint" not in low):
        return "mixamo"
    if "lhipjoint" in low or "lowerback" in low:
        return "cmu"
    if "leftcollar" in low or "leftknee" in low:
        return "biovision"
    if "left_hip" in low and "left_collar" in low:
        return "smpl"
    return "generic"


@dataclass
class _Roles:
    """Source joint index of each role; sided roles keyed 'left_hip' etc."""

    pelvis: int
    head: int
    neck: int | None
    sided: dict  # "left_hip" -> index (or None)


def _depths(parents: list[int]) -> list[int]:
    d = []
    for p in parents:
        d.append(0 if p < 0 else d[p] + 1)
    return d


def _is_ancestor(parents: list[int], a: int, b: int) -> bool:
    """True when joint a is b or above b."""
    while b >= 0:
        if b == a:
            return True
        b = parents[b]
    return False


def chain_path(parents: list[int], top: int, bottom: int) -> list[int]:
    out = [bottom]
    while out[-1] != top:
        out.append(parents[out[-1]])
    return out[::-1]


def find_roles(names: list[str], parents: list[int], *, where: str) -> _Roles:
    """Which source joint plays each SMPL role; FormatError naming what is missing."""
    parts = [name_parts(n) for n in names]
    depth = _depths(parents)

    def pick(side: str | None, bases: tuple[str, ...], *, below: int | None = None) -> int | None:
        for base in bases:
            cands = [i for i, (s, b) in enumerate(parts) if s == side and b == base
                     and (below is None or (_is_ancestor(parents, below, i) and i != below))]
            if cands:
                return min(cands, key=lambda i: depth[i])
        return None

    sided: dict = {}
    for side in ("left", "right"):
        has = {b for s, b in parts if s == side}
        hip_bases = _LEG["hip"] if not (has & {"upleg", "upperleg", "thigh", "femur"}) else _LEG["hip"][:-1]
        hip = pick(side, hip_bases)
        knee = pick(side, _LEG["knee"], below=hip) if hip is not None else None
        ankle_bases = _LEG["ankle"] if "ankle" not in has else ("ankle",)
        ankle = pick(side, ankle_bases, below=knee) if knee is not None else None
        ball_bases = _LEG["ball"] if "ankle" in has else _LEG["ball"][:-1]
        ball = pick(side, ball_bases, below=ankle) if ankle is not None else None
        # "Shoulder" is the collar bone where an upper-arm joint exists (Mixamo, CMU), else the upper arm (Biovision)
        if has & {"arm", "upperarm", "uparm", "humerus", "armupper"}:
            collar_bases, shoulder_bases = _ARM["collar"], _ARM["shoulder"][:-1]
        else:
            collar_bases, shoulder_bases = _ARM["collar"][:-1], ("shoulder",)
        collar = pick(side, collar_bases)
        shoulder = pick(side, shoulder_bases, below=collar) if collar is not None else pick(side, shoulder_bases)
        elbow = pick(side, _ARM["elbow"], below=shoulder) if shoulder is not None else None
        wrist_bases = ("wrist",) if "wrist" in has else ("hand",)
        wrist = pick(side, wrist_bases, below=elbow) if elbow is not None else None
        hand_bases = _ARM["hand"] if "wrist" in has else _ARM["hand"][:-1]
        hand = pick(side, hand_bases, below=wrist) if wrist is not None else None
        sided.update({f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle, f"{side}_foot": ball,
                      f"{side}_collar": collar, f"{side}_shoulder": shoulder, f"{side}_elbow": elbow,
                      f"{side}_wrist": wrist, f"{side}_hand": hand})
    head = next((i for base in ("head",) for i in sorted(range(len(names)), key=lambda i: depth[i])
                 if parts[i] == (None, base)), None)
    required = [f"{s}_{r}" for s in ("left", "right") for r in ("hip", "knee", "ankle", "shoulder", "elbow", "wrist")]
    missing = [r for r in required if sided[r] is None] + (["head"] if head is None else [])
    if missing:
        raise FormatError(
            f"{where}: cannot map this skeleton onto kanat's 24 SMPL joints: found no joint for "
            f"{', '.join(missing)} (the file's joints: {_short(names)}). kanat reads {SUPPORTED}; "
            "the skeleton needs a head and both legs (hip, knee, ankle) and arms (shoulder, elbow, wrist)"
        )
    # the pelvis: a joint named hips/pelvis above both legs, else their lowest common ancestor
    legs = (sided["left_hip"], sided["right_hip"])
    lca = common_ancestor(parents, *legs)
    pelvis = None
    for base in _PELVIS:
        cands = [i for i, (s, b) in enumerate(parts) if s is None and b == base
                 and all(_is_ancestor(parents, i, leg) for leg in legs) and _is_ancestor(parents, i, head)]
        if cands:
            pelvis = max(cands, key=lambda i: depth[i])
            break
    if pelvis is None:
        pelvis = lca
    if not _is_ancestor(parents, pelvis, head):
        raise FormatError(f"{where}: the head {names[head]!r} does not hang from the hips {names[pelvis]!r}; "
                          "cannot find the spine")
    chain = chain_path(parents, pelvis, head)
    neck = next((i for i in chain[1:-1] if parts[i][0] is None and parts[i][1].startswith("neck")), None)
    return _Roles(pelvis=pelvis, head=head, neck=neck, sided=sided)


def common_ancestor(parents: list[int], a: int, b: int) -> int:
    up = set()
    while a >= 0:
        up.add(a)
        a = parents[a]
    while b not in up:
        b = parents[b]
    return b


def _short(names: list[str], limit: int = 10) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return f"[{shown}{', ...' if len(names) > limit else ''}] ({len(names)})"


