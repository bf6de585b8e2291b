"""Perform: a Score becomes Motion on the music's real beats, under gravity.

Conventions
-----------
- Output at ``fps`` frames per second (60 by default), from t = 0 to the end
  of the music. Before the first step the opening pose is held; after the
  last, the final pose.
- Keyframes are warped onto the MusicMap's beat times (rubato included): a
  keyframe ``at`` beats into a step that starts on beat ``b`` sounds at
  ``beats_to_time(b + at)``.
- Root motion comes from the feet: a foot that bears weight is planted where
  it landed and the pelvis is placed over it (two-bone leg IK keeps it there);
  the step's travel moves the body while a foot swings or the body flies, and
  turns pivot about the supporting foot.
- Flight is ballistic: between take-off and landing the pelvis follows
  y(t) = y0 + (y1 - y0) t / T + g t (T - t) / 2, with g = 9.81 m/s^2.
"""

from __future__ import annotations


import numpy as np
from scipy.ndimage import gaussian_filter1d

from kanat.body import J, Motion, center_of_mass, default_skeleton
from kanat.body.kinematics import joint_positions
from kanat.body import rotations as R
from kanat.body.skeleton import Skeleton
from kanat.compose.score import Score
from kanat.errors import ScoreError
from kanat.listen.musicmap import MusicMap
from kanat.perform.curves import _FRAMES_AT_ONCE, apply_spotting, sample_keys, spot_offsets, yaw_track
from kanat.perform.ik import two_bone_ik
from kanat.perform.keys import score_keys
from kanat.body.placement import SUPPORT_FEET, fill_flights, ground_heights, sole_lows
from kanat.vocabulary import Library, load_library

# how much of a step's travel each kind of frame carries
WEIGHT_LEAD_S = 0.25  # the weight moves onto the standing foot this long before the other foot lifts
MOMENTUM_S = 0.06  # how long the body takes to gather and lose its travelling speed
REACH = 0.995  # a supporting leg straightens to this share of its length at most
BALANCE_TAU_S = 0.06  # how fast the weight settles over a new supporting foot
#: On one foot, how closely the weight follows that foot as the pose moves (at 0.12 s the weight
#: hung 13 cm outside the foot through a tendu into fourth; at 0.03 s the demo's centre of mass
#: leaves the supporting foot on 0.4 % of the frames, for 0.13 s at most).
SINGLE_SUPPORT_TAU_S = 0.03
SPOT_TOLERANCE_M = 0.15  # drift from the score's spot that a step corrects
MAX_CORRECTION_M = 0.6  # the most one step travels to make up drift
#: The weight moves over the supporting foot at most this fast on top of the travel (m/s): a landing
#: that lands ahead of the body brings the body over the foot through the plié, not in one frame.
MAX_WEIGHT_SHIFT_MPS = 1.2
PLANT_BLEND_S = 0.15  # a foot is eased onto its planted place and off it over this long
DOUBLE_SUPPORT_BAND_M = 0.06  # on two feet, the centre of mass stays this close to the line between them
_TRAVEL_WEIGHT = {"air": 1.0, "left": 1.0, "right": 1.0, "both": 0.0, "floor": 0.0}


def _smooth_rotations(rot: np.ndarray, sigma_frames: float) -> np.ndarray:
    """Gaussian smoothing of quaternion tracks (sign-aligned), shape (T, 24, 4).

    Taken ``_FRAMES_AT_ONCE`` frames at a time with the filter's reach on either side, so an hour's tracks
    never need several copies at once; the numbers are those of one filter over the whole.
    """
    T = rot.shape[0]
    dots = np.zeros((max(T - 1, 0), rot.shape[1]))  # each frame against the one before
    for a in range(0, T - 1, _FRAMES_AT_ONCE):
        b = min(T - 1, a + _FRAMES_AT_ONCE)
        dots[a:b] = np.sum(rot[a + 1 : b + 1] * rot[a:b], axis=-1)
    sign = np.concatenate([np.ones((1, rot.shape[1])), np.cumprod(np.where(dots < 0, -1.0, 1.0), axis=0)])
    reach = int(4.0 * float(sigma_frames) + 0.5) + 1  # gaussian_filter1d's kernel radius (truncate = 4), and one
    out = np.empty_like(rot)
    for a in range(0, T, _FRAMES_AT_ONCE):
        b = min(T, a + _FRAMES_AT_ONCE)
        a0, b0 = max(0, a - reach), min(T, b + reach)
        q = rot[a0:b0] * sign[a0:b0, :, None]
        out[a:b] = R.normalize(gaussian_filter1d(q, sigma_frames, axis=0, mode="nearest")[a - a0 : b - a0])
    return out


def perform(
    score: Score,
    music_map: MusicMap,
    *,
    library: Library | None = None,
    fps: float = 60.0,
    skeleton: Skeleton | None = None,
    progress=None,
) -> Motion:
    """Turn a score into motion on the music.

    Parameters
    ----------
    score : Score
    music_map : MusicMap
        Its beats give every keyframe its time.
    library : Library, optional
        The vocabulary (kanat's own by default).
    fps : float > 0
        Frames per second of the result.

    Returns
    -------
    motion : Motion
        Root trajectory, local joint rotations (24 joints) and foot contacts.
    """
    if fps <= 0:
        raise ScoreError(f"fps must be > 0, got {fps}")
    if music_map.n_beats < 2:
        raise ScoreError("the music has fewer than two beats; there is nothing to dance to")
    if not score.placed():
        raise ScoreError("the score has no steps; compose one with 'kanat choreograph'")
    library = library or load_library()
    skeleton = skeleton or default_skeleton()
    keys, infos = score_keys(score, music_map, library)
    T = max(2, int(np.ceil(music_map.duration_s * fps)))
    times = np.arange(T) / fps
    rot, support, step_idx, pre_air = sample_keys(keys, times)
    rot = _smooth_rotations(rot, sigma_frames=fps / 60.0 * 1.5)
    yaw = yaw_track(infos, times)
    rot = apply_spotting(rot, spot_offsets(infos, times, yaw))
    rot[:, 0] = R.multiply(R.yaw(yaw), rot[:, 0])
    if progress:
        progress(0.3, "posing")

    # forward kinematics with the pelvis at the origin: where every joint is relative to it
    zero = np.zeros((T, 3))
    rel = joint_positions(skeleton, zero, rot)
    soles = sole_lows(rel)  # (T, 2): lowest sole point of each foot, relative to the pelvis

    root, glide = _root_path(rel, soles, support, step_idx, infos, times, fps, pre_air)
    del rel  # an hour's positions: not kept while the feet are planted
    if progress:
        progress(0.6, "planting the feet")
    contacts = np.array([SUPPORT_FEET[s] for s in support], dtype=bool)
    rot, root = _plant_feet(skeleton, root, rot, contacts, glide, fps)
    if progress:
        progress(1.0, "performed")
    return Motion(fps=fps, root_pos=root, rotations=rot, contacts=contacts, skeleton=skeleton)


def _root_path(rel, soles, support, step_idx, infos, times, fps, pre_air=None):
    """Pelvis trajectory (T, 3) and the deliberate glide of planted feet (T, 2).

    Horizontal: the step's travel is spread over the frames where a foot
    swings or the body flies; a foot that bears weight stays where it was
    planted (the pelvis moves so that it does, and the IK pass holds it
    exactly); on one foot the pelvis settles so the centre of mass stands
    over that foot (time constant ``BALANCE_TAU_S``); on two feet the centre
    of mass is kept between them. When the dancer has drifted more than
    ``SPOT_TOLERANCE_M`` from the spot the score gives a step, that step
    travels back to it. Vertical: the lowest supporting sole touches the
    floor; flight is ballistic.
    """
    T = times.shape[0]
    root = np.zeros((T, 3))
    root[:, [0, 2]], glide = _floor_path(rel, support, step_idx, infos, fps, pre_air)
    root[:, 1] = _pelvis_height(soles, support, times, fps)
    return root, glide


def _pelvis_height(soles, support, times, fps):
    """Pelvis height (T,): the lowest supporting sole on the floor, ballistic in flight."""
    y = _ground_height(soles, support, fps)
    # flight: ballistic between take-off and landing
    y = fill_flights(y, times, stand=-soles.min(axis=1))
    if np.isnan(y).all():
        y[:] = -soles.min()
    return y


def _ground_height(soles, support, fps):
    """Pelvis height (T,) on the ground, eased where the support changes (NaN in the air)."""
    y = ground_heights(soles, support)
    T = y.shape[0]
    # no pops where the support changes: a short smoothing of the height on the ground
    ground = ~np.isnan(y)
    if ground.any():
        yy = np.where(ground, y, np.interp(np.arange(T), np.flatnonzero(ground), y[ground]))
        sm = gaussian_filter1d(yy, fps * 0.04, mode="nearest")
        # ... but not across a landing: the feet meet the floor where the flight brings them
        landed = np.convolve(np.r_[False, ~ground[:-1] & ground[1:]], np.ones(max(1, int(fps * 0.1))), "full")[:T] > 0
        y = np.where(ground, np.where(landed, y, np.maximum(sm, y - 0.03)), np.nan)
    return y


def _floor_path(rel, support, step_idx, infos, fps, pre_air):
    """Pelvis ground track (T, 2) (x, z) and the glide of planted feet (T, 2), frame by frame."""
    T = rel.shape[0]
    la, ra, lf, rf = J["left_ankle"], J["right_ankle"], J["left_foot"], J["right_foot"]
    com_rel = center_of_mass(rel)[:, [0, 2]]
    foot_rel = [0.5 * (rel[:, la, :] + rel[:, lf, :])[:, [0, 2]], 0.5 * (rel[:, ra, :] + rel[:, rf, :])[:, [0, 2]]]
    ball_rel = [rel[:, lf][:, [0, 2]], rel[:, rf][:, [0, 2]]]  # a planted foot pivots on its ball
    alphas = (1.0 - np.exp(-1.0 / (fps * BALANCE_TAU_S)), 1.0 - np.exp(-1.0 / (fps * SINGLE_SUPPORT_TAU_S)))
    inc = np.zeros((T, 2))
    glide = np.zeros((T, 2))
    frames_of = [np.flatnonzero(step_idx == n) for n in range(len(infos))]
    first_frame = {int(fr[0]): n for n, fr in enumerate(frames_of) if fr.size}
    upcoming = _upcoming_foot(support, fps)
    track = np.zeros((T, 2))
    xz = infos[0].spot.astype(float).copy()
    prev = (False, False)
    anchor: list[np.ndarray | None] = [None, None]
    for t in range(T):
        if t in first_frame:  # a new step: plan its travel (and any way back to its spot)
            n = first_frame[t]
            _plan_travel(infos[n], frames_of[n], support, xz, fps, inc, glide)
        feet = SUPPORT_FEET[support[t]]
        moved = xz + inc[t]
        _move_anchors(anchor, feet, prev, moved, [foot_rel[i][t] for i in (0, 1)], glide[t])
        held = [i for i in (0, 1) if feet[i] and prev[i]]
        pushing = pre_air is not None and pre_air[t]  # the legs open only once in the air
        if held and t > 0 and support[t] != "floor" and not pushing:
            # keep the weight-bearing feet where they are
            moved = moved - np.mean([ball_rel[i][t] - ball_rel[i][t - 1] for i in held], axis=0)
        before = moved
        if support[t] != "floor":
            moved = _settle_weight(moved, feet, anchor, com_rel[t], upcoming[t], pushing, alphas)
        xz = _limit_shift(before, moved, fps)
        track[t] = xz
        prev = feet
    return track, glide


def _upcoming_foot(support, fps):
    """Per frame, the foot (0 left, 1 right) stood on alone within ``WEIGHT_LEAD_S``, or -1 for none."""
    T = len(support)
    # which foot the dancer will stand on alone within WEIGHT_LEAD_S (-1: none): the weight goes there early
    upcoming = np.full(T, -1)
    lead = int(round(WEIGHT_LEAD_S * fps))
    nxt, run_end = -1, T  # the foot after the current run of double support, and where that run ends
    for t in range(T - 1, -1, -1):
        if support[t] != "both":
            nxt, run_end = {"left": 0, "right": 1}.get(support[t], -1), t
        elif run_end - t <= lead:
            upcoming[t] = nxt
    return upcoming


def _plan_travel(info, fr, support, xz, fps, inc, glide):
    """Spread one step's travel (and any way back to its spot) over its frames ``fr``, into ``inc`` and ``glide``."""
    want = info.travel.copy()
    drift = info.spot - xz
    w = np.array([_TRAVEL_WEIGHT[support[k]] for k in fr])
    # make up drift only where a foot is free to step (never by dragging planted feet)
    if np.linalg.norm(drift) > SPOT_TOLERANCE_M and w.sum() > 0:
        want += drift * min(1.0, MAX_CORRECTION_M / np.linalg.norm(drift))
    if w.sum() == 0 and np.any(want):
        w = np.ones_like(w)
        glide[fr] = want[None, :] / fr.size
    elif w.sum() > 0:
        # momentum: the body speeds up through the push-off and slows through the
        # landing's plié instead of stopping dead as the foot touches the floor
        w = gaussian_filter1d(w.astype(float), fps * MOMENTUM_S, mode="constant")
    if w.sum() > 0:
        inc[fr] = want[None, :] * (w / w.sum())[:, None]


def _move_anchors(anchor, feet, prev, moved, foot_t, glide_t):
    """Plant a foot where it lands, free it when it lifts, and carry it along a glide (``anchor`` in place)."""
    for i in (0, 1):
        if feet[i] and not (prev[i] and anchor[i] is not None):
            anchor[i] = moved + foot_t[i]
        elif not feet[i]:
            anchor[i] = None
        elif np.any(glide_t):
            anchor[i] = anchor[i] + glide_t


def _settle_weight(moved, feet, anchor, com_t, upcoming_t, pushing, alphas):
    """The pelvis moved so the centre of mass settles over the supporting foot, or between both feet."""
    alpha, alpha_one = alphas
    if sum(feet) == 1:
        i = 0 if feet[0] else 1
        target = anchor[i] - com_t  # the centre of mass over the supporting foot
        return moved + alpha_one * (target - moved)
    if sum(feet) != 2 or pushing:
        return moved
    if upcoming_t >= 0:
        # the weight travels onto the standing foot before the other one lifts
        target = anchor[upcoming_t] - com_t
        return moved + alpha * (target - moved)
    a, b = anchor[0], anchor[1]
    com = moved + com_t
    ab = b - a
    u = np.clip(np.dot(com - a, ab) / max(np.dot(ab, ab), 1e-9), 0.0, 1.0)
    off = com - (a + u * ab)  # from the nearest point of the line between the feet
    dist = np.linalg.norm(off)
    if dist > DOUBLE_SUPPORT_BAND_M:
        moved = moved - alpha * off * (1.0 - DOUBLE_SUPPORT_BAND_M / dist)
    return moved


def _limit_shift(before, moved, fps):
    """The weight moves over the feet at a dancer's speed (``MAX_WEIGHT_SHIFT_MPS``), never in a jump."""
    shift = moved - before
    limit = MAX_WEIGHT_SHIFT_MPS / fps
    if np.linalg.norm(shift) > limit:
        moved = before + shift * (limit / np.linalg.norm(shift))
    return moved


def _plant_feet(
    skeleton: Skeleton, root: np.ndarray, rot: np.ndarray, contacts: np.ndarray, glide: np.ndarray, fps: float
) -> np.ndarray:
    """Leg IK: a foot in contact stays where it was planted; no foot goes under the floor.

    Where a supporting leg could not reach its planted foot even straight, the
    pelvis is lowered (smoothly) until it can. Returns rotations and root; ``rot`` is changed in place
    (perform's own array: an hour of rotations is not copied).
    """
    root = root.copy()
    pos = joint_positions(skeleton, root, rot)
    T = root.shape[0]
    legs = (("left_hip", "left_knee", "left_ankle", "left_foot"), ("right_hip", "right_knee", "right_ankle", "right_foot"))
    air = ~contacts.any(axis=1)
    width = int(round(PLANT_BLEND_S * fps))

    def _targets(pos):
        return [_roll_landings(_foot_targets(pos, root, contacts[:, i], glide, leg), pos[:, J[leg[2]]],
                               contacts[:, i], air, width) for i, leg in enumerate(legs)]

    targets = _targets(pos)
    reach = REACH * (np.linalg.norm(skeleton.offsets[J["left_knee"]]) + np.linalg.norm(skeleton.offsets[J["left_ankle"]]))
    drop = np.zeros(T)
    for i, (hip, _knee, _ankle, _ball) in enumerate(legs):
        c = contacts[:, i]
        d = targets[i] - pos[:, J[hip]]
        flat2 = d[:, 0] ** 2 + d[:, 2] ** 2
        allowed = np.sqrt(np.maximum(reach**2 - flat2, 0.0))
        need = np.maximum(0.0, -d[:, 1] - allowed)  # how far the hip is too high above its foot
        drop = np.maximum(drop, np.where(c, need, 0.0))
    if drop.any():
        from scipy.ndimage import maximum_filter1d

        width = max(3, int(fps * 0.15))
        drop = gaussian_filter1d(maximum_filter1d(drop, width), fps * 0.04, mode="nearest")
        if air.any() and (~air).any():  # in flight the change is linear, so the flight stays a parabola
            ground = np.flatnonzero(~air)
            drop[air] = np.interp(np.flatnonzero(air), ground, drop[ground])
        root[:, 1] -= drop
        pos = None  # freed before the new ones are made
        pos = joint_positions(skeleton, root, rot)
        targets = _targets(pos)
    soles = sole_lows(pos)
    for i, (hip, knee, ankle, ball) in enumerate(legs):
        c = contacts[:, i]
        target = targets[i]
        raw = target - pos[:, J[ankle]]
        delta = _blend_plants(raw, c, width, air, ankle=pos[:, J[ankle]])
        sole = soles[:, i]  # a free foot is eased, but never under the floor
        delta[~c, 1] = np.maximum(delta[~c, 1], -sole[~c])
        need = np.linalg.norm(delta, axis=1) > 1e-5
        if not need.any():
            continue
        h, k, a = two_bone_ik(
            rot[need, 0], pos[need, J[hip]], rot[need, J[hip]], rot[need, J[knee]], rot[need, J[ankle]],
            skeleton.offsets[J[knee]], skeleton.offsets[J[ankle]], pos[need, J[ankle]] + delta[need],
        )
        rot[need, J[hip]], rot[need, J[knee]], rot[need, J[ankle]] = h, k, a
    return rot, root


def _blend_plants(raw: np.ndarray, contact: np.ndarray, width: int, air: np.ndarray | None = None,
                  ankle: np.ndarray | None = None) -> np.ndarray:
    """The correction that holds a foot, shape (T, 3): exact while the foot bears weight, eased in before a
    plant and out after a release over ``width`` frames (smoothstep), so a foot is placed and lifted, never
    teleported.

    With the pose's ankle track ``ankle`` (T, 3), the foot itself is eased: over those frames it goes from
    its planted place to where the pose puts it (and back before a plant) along a smoothstep, so it leaves
    the floor and arrives on it from rest, never at the pose's full speed in one frame (a "pop").

    In the air (``air``: no foot on the floor) only the horizontal part is eased in: a foot is not pulled
    down toward the floor before the body lands (:func:`_roll_landings` lowers it after).
    """
    T = raw.shape[0]
    out = np.where(contact[:, None], raw, 0.0)
    if width < 1 or contact.all() or not contact.any():
        return out
    air = np.zeros(T, bool) if air is None else air
    idx = np.arange(T)
    runs = np.flatnonzero(np.diff(np.r_[0, contact.astype(int), 0]))
    for a, z in zip(runs[::2], runs[1::2]):  # contact frames a .. z-1
        for edge, sign in ((a, -1), (z - 1, 1)):
            # at a take-off the foot goes with the pose: held back, it would have to catch the flight up faster
            # than a foot moves, and the legs would lack their line at the top of a small jump
            take_off = sign > 0 and edge + 1 < T and air[edge + 1]
            span = idx[(idx * sign > edge * sign) & (np.abs(idx - edge) <= width) & ~contact]
            if span.size:
                w = 1.0 - np.abs(span - edge) / (width + 1)
                hold = raw[edge] if ankle is None or take_off else raw[edge] + ankle[edge] - ankle[span]
                out[span] += hold * (w * w * (3 - 2 * w))[:, None]
                if sign < 0:  # before a plant: in the air the foot is not pulled down toward the floor
                    out[span[air[span]], 1] = 0.0
    return out


def _roll_landings(target: np.ndarray, ankle: np.ndarray, contact: np.ndarray, air: np.ndarray,
                   width: int) -> np.ndarray:
    """A foot landing from the air rolls down onto the floor (toe, ball, heel) over ``width`` frames: its
    planted ankle starts where the pointed pose put it and lowers to the flat foot's height (never higher
    than the pose, never lower than flat)."""
    target = target.copy()
    runs = np.flatnonzero(np.diff(np.r_[0, contact.astype(int), 0]))
    for a, z in zip(runs[::2], runs[1::2]):
        if a > 0 and air[a - 1]:
            roll = np.arange(a, min(a + width, z))
            w = (roll - a + 1) / (width + 1)
            up = np.maximum(ankle[roll, 1] - target[roll, 1], 0.0)
            target[roll, 1] += up * (1.0 - w * w * (3 - 2 * w))
    return target


def _foot_targets(pos, root, c, glide, leg) -> np.ndarray:
    """Where one ankle should be, shape (T, 3): planted feet keep their ball where it landed
    with the sole on the floor; free feet stay where the pose puts them, but above the floor."""
    _hip, _knee, ankle, ball = leg
    i = 0 if ankle.startswith("left") else 1
    T = pos.shape[0]
    target = pos[:, J[ankle]].copy()
    # the ball of a planted foot stays put; the ankle goes where the foot's pose puts it around the ball
    ankle_from_ball = pos[:, J[ankle]] - pos[:, J[ball]]
    # each contact run keeps the ankle where it was at the run's first frame (height from the pose)
    t = 0
    while t < T:
        if not c[t]:
            t += 1
            continue
        s = t
        while t < T and c[t]:
            t += 1
        moved = np.cumsum(glide[s:t], axis=0) - glide[s]
        target[s:t, 0] = pos[s, J[ball], 0] + moved[:, 0] + ankle_from_ball[s:t, 0]
        target[s:t, 2] = pos[s, J[ball], 2] + moved[:, 1] + ankle_from_ball[s:t, 2]
    # a supporting sole rests on the floor; no other foot goes under it
    soles = sole_lows(pos - root[:, None, :])[:, i] + root[:, 1]
    target[:, 1] += np.where(c, -soles, np.maximum(0.0, -soles))
    return target
