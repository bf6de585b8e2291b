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

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from kanat.body import J, Motion, center_of_mass, default_skeleton, forward_kinematics
from kanat.body import rotations as R
from kanat.body.skeleton import Skeleton
from kanat.compose.score import Score
from kanat.errors import ScoreError
from kanat.listen.musicmap import MusicMap
from kanat.perform.ik import two_bone_ik
from kanat.body.placement import SUPPORT_FEET, fill_flights, ground_heights, sole_lows
from kanat.perform.timing import beats_to_time, ease, facing_to_yaw, local_to_world
from kanat.vocabulary import Library, load_library
from kanat.vocabulary.tempo import ADAGIO_BELOW_BPM

# how much of a step's travel each kind of frame carries
PULSE = 0.85  # how much the movement settles on each beat (0 = not at all, 1 = stops)
PULSE_ADAGIO = 0.35  # in slow music the line flows through the beats
TAKEOFF_OPEN = 0.3  # how far the legs have opened toward the flight's shape as the feet leave the floor
FLIGHT_SHAPE = 0.4  # share of the first flight segment after which the flight's shape is reached
_LEGS = [J[n] for n in ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_foot", "right_foot")]
_UPPER = [j for j in range(24) if j not in _LEGS]
MAX_STRETCH = 1.5  # a step is never danced slower than this factor of its written tempo
PHRASE_END_HOLD_BEATS = 1.0  # the last step of a phrase finishes this early and holds
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
DOUBLE_SUPPORT_BAND_M = 0.06  # on two feet, the centre of mass stays this close to the line between them
_TRAVEL_WEIGHT = {"air": 1.0, "left": 1.0, "right": 1.0, "both": 0.0, "floor": 0.0}


@dataclass
class _Key:
    time_s: float
    rot: np.ndarray  # (24, 4) local, pelvis without facing
    yaw: float
    support: str
    ease: str
    step: int  # index into the placed steps


def _keys(score: Score, music_map: MusicMap, library: Library) -> tuple[list[_Key], list[dict]]:
    """Global keyframe list and per-step timing info, in time order."""
    keys: list[_Key] = []
    infos: list[dict] = []
    beats = music_map.beats_s
    for n, (phrase, st, b0) in enumerate(score.placed()):
        where = f"{score.path or 'score'}" + (f" line {st.line}" if st.line else "")
        step = library.get(st.step, where=where)
        side = st.side if st.side in ("R", "L") else "R"
        rots = step.keyframe_rotations(side)
        sup = step.supports(side)
        yaw0 = facing_to_yaw(st.facing)
        turn = np.radians(step.turn_deg) * (-1.0 if side == "R" else 1.0)
        # a step may be danced over more (or fewer) beats than it is written for,
        # e.g. a 2-beat step over one bar of 3/4: its keyframes stretch with it
        beats_n = st.beats if st.beats > 0 else step.beats
        ends_phrase = st is phrase.steps[-1] and st.at + beats_n - 1 >= phrase.n_beats
        hold = PHRASE_END_HOLD_BEATS if ends_phrase and beats_n >= 2 and not step.is_jump else 0.0
        # a phrase finishes a beat early and holds its last pose through the final count;
        # a short step given a long time (a tombé over a bar of 3/4) is danced at most
        # MAX_STRETCH slower than written and holds its last pose for the rest
        danced = min(beats_n - hold, step.beats * MAX_STRETCH)
        hold = beats_n - danced
        ats = _stretched_times(step, danced)
        # the turn happens between the second and the second-to-last keyframe (after the preparation)
        k0, k1 = (1, len(ats) - 2) if len(ats) >= 4 else (0, len(ats) - 1)
        span = max(ats[k1] - ats[k0], 1e-6)
        t_keys = beats_to_time(b0 + ats, beats)
        if hold:
            ats = np.append(ats, beats_n)
            t_keys = beats_to_time(b0 + ats, beats)
        for i, kf in enumerate(step.keyframes):
            frac = np.clip((ats[i] - ats[k0]) / span, 0.0, 1.0)
            if sup[i] == "air" and i > 0 and sup[i - 1] != "air" and i + 1 < len(ats):
                # take-off: the feet leave the floor before the legs open; the flight's
                # shape is reached a little into the air (TAKEOFF_OPEN of the way at take-off)
                lift = rots[i - 1].copy()
                lift[_LEGS] = R.slerp(rots[i - 1][_LEGS], rots[i][_LEGS], TAKEOFF_OPEN)
                lift[_UPPER] = rots[i][_UPPER]
                keys.append(_Key(float(t_keys[i]), lift, yaw0 + turn * frac, "air", kf.ease, n))
                t_shape = float(t_keys[i] + FLIGHT_SHAPE * (t_keys[i + 1] - t_keys[i]))
                keys.append(_Key(t_shape, rots[i], yaw0 + turn * frac, "air", "smooth", n))
                continue
            keys.append(_Key(float(t_keys[i]), rots[i], yaw0 + turn * frac, sup[i], kf.ease, n))
        if hold:
            last = keys[-1]
            keys.append(_Key(float(t_keys[-1]), last.rot, last.yaw, last.support, "smooth", n))
        t_start, t_end = float(t_keys[0]), float(t_keys[-1])
        if n and infos and t_start < infos[-1]["end_s"] - 1e-3:
            raise ScoreError(
                f"{where}: step '{st.step}' at beat {st.at} of phrase {phrase.index} starts before the previous step ends; "
                "shorten or move one of them"
            )
        infos.append(
            {"start_s": t_start, "end_s": t_end, "travel": local_to_world(step.travel, yaw0, side),
             "spot": np.array(st.spot, dtype=float), "name": step.name}
        )
    # where one step ends as the next begins, keep the next step's first keyframe
    merged: list[_Key] = []
    for k in keys:
        if merged and abs(k.time_s - merged[-1].time_s) < 1e-3:
            merged[-1] = k
        else:
            merged.append(k)
    return merged, infos


def pulse_times(times_s: np.ndarray, beats_s: np.ndarray) -> np.ndarray:
    """Warp the clock so the movement breathes with the pulse: it settles on every beat.

    Within each beat the dance time runs as ``u - k sin(2 pi u) / (2 pi)``
    (u = 0..1 through the beat), so its speed dips to ``1 - k`` of the average
    on the beat and peaks on the "and"; keyframes still sound exactly on
    their beats. ``k`` is ``PULSE`` for beats at allegro or moderate tempi and
    ``PULSE_ADAGIO`` in adagio (:mod:`kanat.vocabulary.tempo`), where the
    line should flow.

    times_s : np.ndarray, shape (T,)
    beats_s : np.ndarray, shape (B,)
    Returns the warped times, shape (T,), seconds.
    """
    b = np.asarray(beats_s, dtype=float)
    if b.size < 2:
        return times_s
    x = np.interp(times_s, b, np.arange(b.size, dtype=float))
    inside = (times_s > b[0]) & (times_s < b[-1])
    i = np.clip(np.floor(x).astype(int), 0, b.size - 2)
    u = x - i
    period = b[i + 1] - b[i]
    k = np.where(60.0 / period < ADAGIO_BELOW_BPM, PULSE_ADAGIO, PULSE)
    warped = i + u - k * np.sin(2 * np.pi * u) / (2 * np.pi)
    return np.where(inside, beats_to_time(warped, b), times_s)


def _stretched_times(step, beats: float) -> np.ndarray:
    """Keyframe times (beats) of a step danced over ``beats`` beats.

    Flights keep their written length (air time is physics, not tempo); the
    other segments share the extra (or missing) time in proportion.
    """
    ats = np.array([k.at for k in step.keyframes], dtype=float)
    if beats == step.beats:
        return ats
    seg = np.diff(ats)
    air = np.array([k.support == "air" for k in step.keyframes[:-1]])
    ground = seg[~air].sum()
    if ground <= 0 or beats < seg[air].sum():
        return ats * (beats / step.beats)
    scale = (beats - seg[air].sum()) / ground
    seg = np.where(air, seg, seg * scale)
    out = np.concatenate([[0.0], np.cumsum(seg)])
    # a landing still falls on a count: move each flight so it lands on the nearest whole beat
    for i in range(1, len(out)):
        if air[i - 1] and (i == len(air) or not air[i]):
            j = i - 1
            while j > 0 and air[j - 1]:
                j -= 1
            # the push-off on one foot right before the flight moves with it
            supports = [k.support for k in step.keyframes]
            while j > 1 and supports[j - 1] in ("left", "right"):
                j -= 1
            lo = out[j - 1] if j > 0 else -np.inf
            hi = out[i + 1] if i + 1 < len(out) else np.inf
            for shift in sorted((np.floor(out[i]) - out[i], np.ceil(out[i]) - out[i]), key=abs):
                if j > 0 and out[j] + shift > lo and out[i] + shift < hi:
                    out[j : i + 1] += shift
                    break
    return out


def _sample(keys: list[_Key], times: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Rotations (T, 24, 4), yaw (T,), support label per frame, step index per frame."""
    kt = np.array([k.time_s for k in keys])
    T = times.shape[0]
    seg = np.clip(np.searchsorted(kt, times, side="right") - 1, 0, len(keys) - 1)
    nxt = np.clip(seg + 1, 0, len(keys) - 1)
    dt = np.maximum(kt[nxt] - kt[seg], 1e-9)
    u = np.where(nxt > seg, np.clip((times - kt[seg]) / dt, 0.0, 1.0), 0.0)
    u = np.where(times < kt[0], 0.0, u)
    eased = np.empty(T)
    for kind in ("smooth", "sustained", "sharp", "linear"):
        m = np.array([keys[j].ease == kind for j in nxt])
        eased[m] = ease(u[m], kind)
    krot = np.stack([k.rot for k in keys])
    kyaw = np.unwrap(np.array([k.yaw for k in keys]))
    rot = R.slerp(krot[seg], krot[nxt], np.broadcast_to(eased[:, None], (T, 24)))
    yaw = kyaw[seg] + (kyaw[nxt] - kyaw[seg]) * eased
    support = [keys[j].support for j in seg]
    # pushing off: the next keyframe is in the air; the feet stay where they are until take-off
    pre_air = np.array([keys[j].support != "air" and keys[n].support == "air" for j, n in zip(seg, nxt)])
    step_idx = np.array([keys[j].step for j in seg])
    return rot, yaw, support, step_idx, pre_air


def _smooth_rotations(rot: np.ndarray, sigma_frames: float) -> np.ndarray:
    """Gaussian smoothing of quaternion tracks (sign-aligned), shape (T, 24, 4)."""
    q = rot.copy()
    dots = np.sum(q[1:] * q[:-1], axis=-1)
    flips = np.cumprod(np.where(dots < 0, -1.0, 1.0), axis=0)
    q[1:] *= flips[..., None]
    return R.normalize(gaussian_filter1d(q, sigma_frames, axis=0, mode="nearest"))


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
    keys, infos = _keys(score, music_map, library)
    T = max(2, int(np.ceil(music_map.duration_s * fps)))
    times = np.arange(T) / fps
    rot, yaw, support, step_idx, pre_air = _sample(keys, pulse_times(times, music_map.beats_s))
    rot = _smooth_rotations(rot, sigma_frames=fps / 60.0 * 1.5)
    rot[:, 0] = R.multiply(R.yaw(yaw), rot[:, 0])
    if progress:
        progress(0.3, "posing")

    # forward kinematics with the pelvis at the origin: where every joint is relative to it
    zero = np.zeros((T, 3))
    rel, _ = forward_kinematics(skeleton, zero, rot)
    soles = sole_lows(rel)  # (T, 2): lowest sole point of each foot, relative to the pelvis

    root, glide = _root_path(rel, soles, support, step_idx, infos, times, fps, pre_air)
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
    la, ra, lf, rf = J["left_ankle"], J["right_ankle"], J["left_foot"], J["right_foot"]
    root = np.zeros((T, 3))
    y = ground_heights(soles, support)
    # no pops where the support changes: a short smoothing of the height on the ground
    ground = ~np.isnan(y)
    if ground.any():
        yy = np.where(ground, y, np.interp(np.arange(T), np.flatnonzero(ground), y[ground]))
        sm = gaussian_filter1d(yy, fps * 0.04, mode="nearest")
        y = np.where(ground, np.maximum(sm, y - 0.03), np.nan)

    com_rel = center_of_mass(rel)[:, [0, 2]]
    foot_rel = [0.5 * (rel[:, la, :] + rel[:, lf, :])[:, [0, 2]], 0.5 * (rel[:, ra, :] + rel[:, rf, :])[:, [0, 2]]]
    ball_rel = [rel[:, lf][:, [0, 2]], rel[:, rf][:, [0, 2]]]  # a planted foot pivots on its ball
    alpha = 1.0 - np.exp(-1.0 / (fps * BALANCE_TAU_S))
    alpha_one = 1.0 - np.exp(-1.0 / (fps * SINGLE_SUPPORT_TAU_S))

    inc = np.zeros((T, 2))
    glide = np.zeros((T, 2))
    frames_of = [np.flatnonzero(step_idx == n) for n in range(len(infos))]
    first_frame = {int(fr[0]): n for n, fr in enumerate(frames_of) if fr.size}
    # which foot the dancer will stand on alone within WEIGHT_LEAD_S (-1: none): the weight goes there early
    upcoming = np.full(T, -1)
    lead = int(round(WEIGHT_LEAD_S * fps))
    nxt, run_end = -1, T  # the foot after the current run of double support, and where that run ends
    for t in range(T - 1, -1, -1):
        if support[t] != "both":
            nxt, run_end = {"left": 0, "right": 1}.get(support[t], -1), t
        elif run_end - t <= lead:
            upcoming[t] = nxt
    xz = infos[0]["spot"].astype(float).copy()
    prev = (False, False)
    anchor: list[np.ndarray | None] = [None, None]
    for t in range(T):
        if t in first_frame:  # a new step: plan its travel (and any way back to its spot)
            n = first_frame[t]
            fr = frames_of[n]
            want = infos[n]["travel"].copy()
            drift = infos[n]["spot"] - xz
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
        feet = SUPPORT_FEET[support[t]]
        moved = xz + inc[t]
        for i in (0, 1):
            if feet[i] and not (prev[i] and anchor[i] is not None):
                anchor[i] = moved + foot_rel[i][t]
            elif not feet[i]:
                anchor[i] = None
            elif np.any(glide[t]):
                anchor[i] = anchor[i] + glide[t]
        held = [i for i in (0, 1) if feet[i] and prev[i]]
        pushing = pre_air is not None and pre_air[t]  # the legs open only once in the air
        if held and t > 0 and support[t] != "floor" and not pushing:
            # keep the weight-bearing feet where they are
            moved = moved - np.mean([ball_rel[i][t] - ball_rel[i][t - 1] for i in held], axis=0)
        if sum(feet) == 1 and support[t] != "floor":
            i = 0 if feet[0] else 1
            target = anchor[i] - com_rel[t]  # the centre of mass over the supporting foot
            moved = moved + alpha_one * (target - moved)
        elif sum(feet) == 2 and support[t] != "floor" and not pushing and upcoming[t] >= 0:
            # the weight travels onto the standing foot before the other one lifts
            i = upcoming[t]
            target = anchor[i] - com_rel[t]
            moved = moved + alpha * (target - moved)
        elif sum(feet) == 2 and support[t] != "floor" and not pushing:
            a, b = anchor[0], anchor[1]
            com = moved + com_rel[t]
            ab = b - a
            u = np.clip(np.dot(com - a, ab) / max(np.dot(ab, ab), 1e-9), 0.0, 1.0)
            nearest = a + u * ab
            off = com - nearest
            dist = np.linalg.norm(off)
            if dist > DOUBLE_SUPPORT_BAND_M:
                moved = moved - alpha * off * (1.0 - DOUBLE_SUPPORT_BAND_M / dist)
        xz = moved
        root[t, [0, 2]] = xz
        prev = feet

    # flight: ballistic between take-off and landing
    y = fill_flights(y, times)
    if np.isnan(y).all():
        y[:] = -soles.min()
    root[:, 1] = y
    return root, glide


def _plant_feet(
    skeleton: Skeleton, root: np.ndarray, rot: np.ndarray, contacts: np.ndarray, glide: np.ndarray, fps: float
) -> np.ndarray:
    """Leg IK: a foot in contact stays where it was planted; no foot goes under the floor.

    Where a supporting leg could not reach its planted foot even straight, the
    pelvis is lowered (smoothly) until it can. Returns rotations and root.
    """
    rot = rot.copy()
    root = root.copy()
    pos, glob = forward_kinematics(skeleton, root, rot)
    T = root.shape[0]
    legs = (("left_hip", "left_knee", "left_ankle", "left_foot"), ("right_hip", "right_knee", "right_ankle", "right_foot"))
    targets = [_foot_targets(pos, root, contacts[:, i], glide, leg) for i, leg in enumerate(legs)]
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
        air = ~contacts.any(axis=1)
        if air.any() and (~air).any():  # in flight the change is linear, so the flight stays a parabola
            ground = np.flatnonzero(~air)
            drop[air] = np.interp(np.flatnonzero(air), ground, drop[ground])
        root[:, 1] -= drop
        pos, glob = forward_kinematics(skeleton, root, rot)
        targets = [_foot_targets(pos, root, contacts[:, i], glide, leg) for i, leg in enumerate(legs)]
    for i, (hip, knee, ankle, ball) in enumerate(legs):
        c = contacts[:, i]
        target = targets[i]
        raw = target - pos[:, J[ankle]]
        delta = gaussian_filter1d(raw, max(1.0, fps * 0.05), axis=0, mode="nearest")  # ease in and out of holds
        delta[c] = raw[c]
        delta[~c, 1] = np.maximum(delta[~c, 1], raw[~c, 1])  # but never under the floor
        need = np.linalg.norm(delta, axis=1) > 1e-5
        if not need.any():
            continue
        h, k, a = two_bone_ik(
            glob[need, 0], pos[need, J[hip]], rot[need, J[hip]], rot[need, J[knee]], rot[need, J[ankle]],
            skeleton.offsets[J[knee]], skeleton.offsets[J[ankle]], pos[need, J[ankle]] + delta[need],
        )
        rot[need, J[hip]], rot[need, J[knee]], rot[need, J[ankle]] = h, k, a
    return rot, root


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
