"""Perform: Score -> Motion, on the beats, with planted feet and honest jumps.

Never imports music decoding or rendering.
"""

from kanat.perform.performer import perform
from kanat.perform.timing import beats_to_time, ease, facing_to_yaw, local_to_world, yaw_to_facing

__all__ = ["perform", "beats_to_time", "ease", "facing_to_yaw", "local_to_world", "yaw_to_facing"]
