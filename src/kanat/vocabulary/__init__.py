"""The vocabulary: named steps of classical ballet and modern technique.

Steps live in YAML files under ``kanat/vocabulary/data``; poses are written in
the pose language of :mod:`kanat.vocabulary.pose`. Never imports music analysis.
"""

from kanat.vocabulary.pose import check_pose, compile_pose, mirror_rotations
from kanat.vocabulary.step import (
    FAMILIES, LEVELS, STANCES, Keyframe, Library, Step, load_library, load_steps, mirror_stance, mirror_support,
)

__all__ = [
    "check_pose", "compile_pose", "mirror_rotations", "FAMILIES", "LEVELS", "STANCES", "Keyframe", "Library",
    "Step", "load_library", "load_steps", "mirror_stance", "mirror_support",
]
