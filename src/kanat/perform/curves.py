"""From timed keys to a pose per frame: smooth curves through the keys, the facing and its turns, spotting.

Conventions
-----------
- Times in seconds; rotations (T, 24, 4) local, w first; yaw in radians
  about +Y (0 faces the audience), continuous (never wrapped).
- Between two keys the pose follows the ease of the key it arrives at:
  ``smooth`` and ``sustained`` segments are a cubic Hermite curve through the
  keys (the body flows through a keyframe instead of stopping on it; it stops
  only where the pose holds or an arrival is sharp), ``sharp`` arrives fast
  and settles on the count (the accent), ``linear`` keeps its speed (inside
  turns and flights). Quaternion components are interpolated after aligning
  their signs and normalised.
- The yaw of each step is its facing plus its turn, spun between the turn
  window's times with a short ease in and out; a change of facing between
  steps is blended over ``FACING_BLEND_S`` along the shorter way round.
- Spotting: in a quick turn the head stays on the front, then snaps round
  ahead of the body (neck and head twist within their limits).
"""

from __future__ import annotations

import numpy as np

from kanat.body import J
from kanat.body import rotations as R
from kanat.body.placement import SUPPORT_FEET
from kanat.perform.keys import Key, StepTiming
from kanat.perform.timing import ease

#: A change of facing from one step to the next takes this long (seconds).
FACING_BLEND_S = 0.3
#: Share of a turn spent gathering and losing spin speed, at each end.
SPIN_EASE = 0.12
#: Cardinal-spline tension of the smooth segments (1 = Catmull-Rom; less overshoots less).
TENSION = 0.8
#: Spotting: the head keeps the front until the body has turned this far (degrees) ...
SPOT_HOLD_DEG = 85.0
#: ... snaps round while the body turns this much more, and leads by at most this much.
SPOT_SNAP_DEG = 55.0
SPOT_LEAD_DEG = 80.0
#: The share of the spotting twist the neck takes (the head the rest).
NECK_SHARE = 0.45


def _aligned(rot: np.ndarray) -> np.ndarray:
    """Keys' quaternions with signs chosen so consecutive keys are on the same side, shape (K, 24, 4)."""
    q = rot.copy()
    for k in range(1, len(q)):
        flip = np.sum(q[k] * q[k - 1], axis=-1) < 0
        q[k][flip] *= -1.0
    return q


def _tangents(q: np.ndarray, kt: np.ndarray, eases: list[str]) -> np.ndarray:
    """Per-key tangents (K, 24, 4) per second: cardinal splines, zero at the ends, at holds and at sharp arrivals."""
    m = np.zeros_like(q)
    K = len(q)
    for k in range(1, K - 1):
        if eases[k] in ("sharp", "linear"):
            continue  # a crisp arrival stops on its key; a linear segment has its own speed
        dt = kt[k + 1] - kt[k - 1]
        held = (np.abs(q[k] - q[k - 1]).max() < 1e-6) or (np.abs(q[k + 1] - q[k]).max() < 1e-6)
        if dt > 1e-9 and not held:
            m[k] = TENSION * (q[k + 1] - q[k - 1]) / dt
    return m


#: Frames blended at a time by :func:`sample_keys`.
_FRAMES_AT_ONCE = 8192


def _between_keys(q, m, seg, nxt, u, dt, seg_ease) -> np.ndarray:
    """Rotations (F, 24, 4) of frames between keys ``seg`` and ``nxt`` at fraction ``u``: Hermite or eased slerp."""
    rot = np.empty((seg.shape[0], 24, 4))
    curve = np.isin(seg_ease, ("smooth", "sustained"))
    # Hermite through the keys where the movement flows
    uu = u[curve][:, None, None]
    h00, h10, h01, h11 = 2 * uu**3 - 3 * uu**2 + 1, uu**3 - 2 * uu**2 + uu, -2 * uu**3 + 3 * uu**2, uu**3 - uu**2
    d = dt[curve][:, None, None]
    rot[curve] = h00 * q[seg[curve]] + h10 * d * m[seg[curve]] + h01 * q[nxt[curve]] + h11 * d * m[nxt[curve]]
    # eased slerp where it arrives sharply or keeps its speed
    for kind in ("sharp", "linear"):
        sel = seg_ease == kind
        if sel.any():
            w = np.broadcast_to(ease(u[sel], kind)[:, None], (int(sel.sum()), 24))
            rot[sel] = R.slerp(q[seg[sel]], q[nxt[sel]], w)
    return R.normalize(rot)


def sample_keys(keys: list[Key], times: np.ndarray):
    """Rotations (T, 24, 4), support per frame, step index per frame and the push-off frames, at ``times``."""
    kt = np.array([k.time_s for k in keys])
    T = times.shape[0]
    seg = np.clip(np.searchsorted(kt, times, side="right") - 1, 0, len(keys) - 1)
    nxt = np.clip(seg + 1, 0, len(keys) - 1)
    dt = np.maximum(kt[nxt] - kt[seg], 1e-9)
    u = np.where(nxt > seg, np.clip((times - kt[seg]) / dt, 0.0, 1.0), 0.0)
    u = np.where(times < kt[0], 0.0, u)
    eases = [k.ease for k in keys]
    q = _aligned(np.stack([k.rot for k in keys]))
    m = _tangents(q, kt, eases)
    seg_ease = np.array([eases[j] for j in nxt])
    rot = np.empty((T, 24, 4))
    for a in range(0, T, _FRAMES_AT_ONCE):  # frame by frame maths, a block at a time: an hour stays small
        sl = slice(a, min(T, a + _FRAMES_AT_ONCE))
        rot[sl] = _between_keys(q, m, seg[sl], nxt[sl], u[sl], dt[sl], seg_ease[sl])
    support = _frame_supports(keys, seg, nxt)
    # pushing off: the next key is in the air; the feet stay where they are until take-off
    pre_air = np.array([keys[j].support != "air" and keys[n].support == "air" for j, n in zip(seg, nxt)])
    step_idx = np.array([keys[j].step for j in seg])
    return rot, support, step_idx, pre_air


_LABEL = {(True, True): "both", (True, False): "left", (False, True): "right", (False, False): "air"}


def _frame_supports(keys: list[Key], seg: np.ndarray, nxt: np.ndarray) -> list[str]:
    """Support per frame: a key's support holds until the next key, but a foot that the next key lifts leaves
    the floor as its leg starts moving there (a foot is held down only while it stays down); before a
    flight the feet push until the take-off."""
    out = []
    for j, n in zip(seg, nxt):
        here, then = keys[j].support, keys[n].support
        if here in ("floor", "air") or then in ("air", "floor") or n == j:
            out.append(here)
            continue
        a, b = SUPPORT_FEET[here], SUPPORT_FEET[then]
        out.append(_LABEL[(a[0] and b[0], a[1] and b[1])] if (a[0] and b[0]) or (a[1] and b[1]) else here)
    return out


def _spin(x: np.ndarray) -> np.ndarray:
    """Progress of a turn (0-1) over its time (0-1): constant speed with a short gather and release."""
    x = np.clip(x, 0.0, 1.0)
    e = SPIN_EASE
    v = 1.0 / (1.0 - e)  # the cruising speed that covers 1 in the time
    out = np.where(x < e, 0.5 * v * x**2 / e, 0.5 * v * e + v * (x - e))
    return np.where(x > 1 - e, 1.0 - 0.5 * v * (1 - x) ** 2 / e, out)


def yaw_track(timings: list[StepTiming], times: np.ndarray) -> np.ndarray:
    """The pelvis's facing per frame, radians, shape (T,): each step's facing and turn, blended between steps."""
    yaw = np.empty(times.shape[0])
    starts = np.array([s.start_s for s in timings])
    idx = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(timings) - 1)
    begin = []
    end_prev = None
    for s in timings:
        y0 = s.yaw0
        if end_prev is not None:  # the facing nearest to where the last step left the dancer
            y0 += 2 * np.pi * np.round((end_prev - y0) / (2 * np.pi))
        begin.append(y0)
        end_prev = y0 + s.turn
    for n, s in enumerate(timings):
        sel = idx == n
        if not sel.any():
            continue
        t = times[sel]
        a, z = s.turn_s
        y = begin[n] + s.turn * _spin((t - a) / (z - a))
        if n > 0:
            gap = begin[n - 1] + timings[n - 1].turn - begin[n]
            blend = min(FACING_BLEND_S, max(s.end_s - s.start_s, 1e-3) / 2)
            y += gap * (1.0 - ease(np.clip((t - s.start_s) / blend, 0.0, 1.0), "smooth"))
        yaw[sel] = y
    return yaw


def spot_offsets(timings: list[StepTiming], times: np.ndarray, yaw: np.ndarray) -> np.ndarray:
    """How far the head turns against the body in quick turns, radians per frame, shape (T,).

    Positive in the turn's own direction: the head first stays on the front
    (it lags), then snaps round ahead of the body and waits for it on the
    front again.
    """
    off = np.zeros(times.shape[0])
    for s in timings:
        if not s.spotting:
            continue
        a, z = s.turn_s
        sel = (times >= a) & (times <= z)
        if not sel.any():
            continue
        i0 = int(np.flatnonzero(sel)[0])
        phi = np.degrees(np.abs(yaw[sel] - yaw[i0])) % 360.0
        hold, snap, lead = SPOT_HOLD_DEG, SPOT_SNAP_DEG, SPOT_LEAD_DEG
        lag = -np.minimum(phi, hold) * (lead / hold)
        snapping = np.clip((phi - hold) / snap, 0.0, 1.0)
        o = np.where(phi <= hold, lag, -lead + 2 * lead * ease(snapping, "smooth"))
        o = np.where(phi >= 360.0 - lead, 360.0 - phi, o)  # back on the front, waiting for the body
        # the last part of the last revolution: the head is on the front as the body arrives
        done = (times[sel] >= z - 1e-9)
        o[done] = 0.0
        off[sel] = np.radians(o) * np.sign(s.turn)
    return off


def apply_spotting(rot: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Twist the neck and the head by ``offsets`` (radians, about the vertical) on top of their pose."""
    rot = rot.copy()
    for joint, share in (("neck", NECK_SHARE), ("head", 1.0 - NECK_SHARE)):
        j = J[joint]
        rot[:, j] = R.multiply(R.yaw(offsets * share), rot[:, j])
    return rot
