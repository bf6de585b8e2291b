"""The dancer's body: skeleton, rotations, forward kinematics, Motion.

Never imports music or composition.
"""

from kanat.body import rotations
from kanat.body.kinematics import bones, center_of_mass, forward_kinematics, sole_points
from kanat.body import limits
from kanat.body.limits import JOINT_LIMITS, Violation, check_joint_limits, joint_angles
from kanat.body.motion import Motion
from kanat.body.skeleton import (
    ANKLE_HEIGHT_M, BALL_HEIGHT_M, BONE_RADIUS_M, J, JOINT_NAMES, MIRROR, PARENTS, Skeleton, default_skeleton,
)

__all__ = [
    "rotations", "bones", "center_of_mass", "forward_kinematics", "sole_points", "Motion", "ANKLE_HEIGHT_M",
    "BALL_HEIGHT_M", "BONE_RADIUS_M", "J", "JOINT_NAMES", "MIRROR", "PARENTS", "Skeleton", "default_skeleton",
]
__all__ += ["limits", "JOINT_LIMITS", "Violation", "check_joint_limits", "joint_angles"]
