"""Foot contacts read from a motion: which foot bears weight, frame by frame.

Conventions
-----------
- World joint positions (T, 24, 3) in metres, Y up, the floor at y = 0.
- Contacts are (T, 2) booleans, left foot then right foot, as
  :class:`kanat.body.Motion` carries them. kanat's own dances know their
  contacts from the score; recordings (BVH, ASF/AMC, video) get them here.
"""

from __future__ import annotations

import numpy as np

from kanat.body.kinematics import sole_points

#: A sole point this close to the floor (metres) ...
CONTACT_HEIGHT_M = 0.05
#: ... and slower than this (m/s) bears weight.
CONTACT_SPEED_M_S = 0.5


def estimate_contacts(positions: np.ndarray, fps: float) -> np.ndarray:
    """Foot contacts from the soles' height and speed.

    A foot bears weight where its lower sole point (heel or ball, see
    :func:`kanat.body.sole_points`) is within 5 cm of the floor and that point
    moves slower than 0.5 m/s. The floor is y = 0, or lower where the soles
    go lower (the 2nd percentile of the lowest sole point).

    Parameters
    ----------
    positions : np.ndarray, shape (T, 24, 3)
        World joint positions, metres, Y up.
    fps : float
        Frames per second.

    Returns
    -------
    contacts : np.ndarray of bool, shape (T, 2)
        Left foot, right foot.
    """
    soles = sole_points(np.asarray(positions, dtype=float))  # (T, 4, 3): l heel, l ball, r heel, r ball
    T = soles.shape[0]
    floor = min(0.0, float(np.percentile(soles[..., 1].min(axis=1), 2))) if T else 0.0
    if T > 1:
        speed = np.linalg.norm(np.gradient(soles, axis=0), axis=-1) * fps
    else:
        speed = np.zeros(soles.shape[:2])
    low = (soles[..., 1] - floor < CONTACT_HEIGHT_M) & (speed < CONTACT_SPEED_M_S)
    return np.stack([low[:, 0] | low[:, 1], low[:, 2] | low[:, 3]], axis=1)
