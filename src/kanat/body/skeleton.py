"""The dancer's skeleton: the 24 SMPL joints.

Conventions
-----------
- Joint names and order are SMPL's, so the literature's metrics apply as is.
- World frame: Y up, the audience at +Z, the floor at y = 0; in the rest pose
  the dancer stands facing +Z with the arms out to the sides (a T-pose), the
  dancer's left at +X.
- ``offsets[j]`` is joint j's position relative to its parent in the rest
  pose, in metres; the pelvis offset is its rest height above the floor.
- Proportions: an adult dancer of about 1.70 m, left-right symmetric
  (SMPL's neutral template, symmetrised and rounded).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

JOINT_NAMES: tuple[str, ...] = (
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee",
    "spine2", "left_ankle", "right_ankle", "spine3", "left_foot", "right_foot",
    "neck", "left_collar", "right_collar", "head", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hand", "right_hand",
)
PARENTS: tuple[int, ...] = (-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21)
J = {name: i for i, name in enumerate(JOINT_NAMES)}

# Left-side offsets (x > 0 is the dancer's left); the right side mirrors them.
_HALF = {
    "pelvis": (0.0, 0.955, 0.0),
    "left_hip": (0.085, -0.085, 0.0),
    "spine1": (0.0, 0.110, -0.02),
    "left_knee": (0.0, -0.385, 0.0),
    "spine2": (0.0, 0.135, 0.0),
    "left_ankle": (0.0, -0.405, -0.02),
    "spine3": (0.0, 0.055, 0.02),
    "left_foot": (0.0, -0.055, 0.125),
    "neck": (0.0, 0.215, -0.03),
    "left_collar": (0.075, 0.120, -0.03),
    "head": (0.0, 0.075, 0.045),
    "left_shoulder": (0.095, 0.030, 0.0),
    "left_elbow": (0.260, 0.0, 0.0),
    "left_wrist": (0.250, 0.0, 0.0),
    "left_hand": (0.085, 0.0, 0.0),
}


def _rest_offsets() -> np.ndarray:
    out = np.zeros((24, 3))
    for name, i in J.items():
        if name in _HALF:
            out[i] = _HALF[name]
        else:
            out[i] = np.array(_HALF["left_" + name[len("right_"):]]) * np.array([-1.0, 1.0, 1.0])
    return out


#: Index of each joint's mirror partner (left <-> right).
MIRROR: tuple[int, ...] = tuple(
    J[n.replace("left_", "right_")] if n.startswith("left_") else J[n.replace("right_", "left_")] if n.startswith("right_") else J[n]
    for n in JOINT_NAMES
)

#: Radii of the body's capsules (metres), by child joint of the bone; used by
#: rendering, the glTF mannequin and collision checks.
BONE_RADIUS_M: dict[str, float] = {
    "left_hip": 0.075, "right_hip": 0.075, "spine1": 0.11, "left_knee": 0.065,
    "right_knee": 0.065, "spine2": 0.12, "left_ankle": 0.05, "right_ankle": 0.05,
    "spine3": 0.13, "left_foot": 0.035, "right_foot": 0.035, "neck": 0.06,
    "left_collar": 0.05, "right_collar": 0.05, "head": 0.10, "left_shoulder": 0.05,
    "right_shoulder": 0.05, "left_elbow": 0.045, "right_elbow": 0.045,
    "left_wrist": 0.037, "right_wrist": 0.037, "left_hand": 0.03, "right_hand": 0.03,
}

#: Height of the foot joints above the sole (metres): the ankle and the ball.
ANKLE_HEIGHT_M = 0.08
BALL_HEIGHT_M = 0.025


@dataclass(frozen=True)
class Skeleton:
    """A 24-joint SMPL skeleton.

    Attributes
    ----------
    offsets : np.ndarray, shape (24, 3)
        Rest-pose offset of each joint from its parent, metres.
    names : tuple of str
        The SMPL joint names, in order.
    parents : tuple of int
        Parent index of each joint, -1 for the pelvis.
    """

    offsets: np.ndarray = field(default_factory=_rest_offsets)
    names: tuple[str, ...] = JOINT_NAMES
    parents: tuple[int, ...] = PARENTS

    def index(self, name: str) -> int:
        return self.names.index(name)

    @property
    def rest_positions(self) -> np.ndarray:
        """World joint positions of the rest pose, shape (24, 3), metres."""
        pos = np.zeros((24, 3))
        for j, p in enumerate(self.parents):
            pos[j] = self.offsets[j] if p < 0 else pos[p] + self.offsets[j]
        return pos

    @property
    def height_m(self) -> float:
        """Standing height: head joint plus the crown above it, metres."""
        return float(self.rest_positions[J["head"], 1] + 0.13)

    @property
    def leg_length_m(self) -> float:
        o = self.offsets
        return float(np.linalg.norm(o[J["left_knee"]]) + np.linalg.norm(o[J["left_ankle"]]))


def default_skeleton() -> Skeleton:
    """The standard kanat dancer (about 1.70 m)."""
    return Skeleton()
