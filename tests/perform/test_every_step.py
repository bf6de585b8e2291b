"""Every turning step turns and every jump flies, on both sides, as perform dances it.

Each step is danced alone on a steady 4/4 beat (as quick as its flights
allow, never quicker than 120 BPM) and measured from the motion, not the
score: the hip line's yaw for turns, the feet's contacts, the soles and the
pelvis for jumps.
"""

from __future__ import annotations

import numpy as np
import pytest
from testkit.critique import make_music_map, make_score

from kanat.body import J, sole_points
from kanat.perform import perform
from kanat.perform.keys import MAX_REV_S, score_keys
from kanat.vocabulary import load_library
from kanat.vocabulary.danced import min_beat_s

LIBRARY = load_library()
TURNS = [s for s in LIBRARY if abs(s.turn_deg) >= 45]
JUMPS = [s for s in LIBRARY if s.is_jump and s.name != "chassé"]  # chassé glides: a skim, not a jump
STANDING_PELVIS_M = 0.955
#: DANCE.md / issue 15: the least air time of each kind of jump.
MIN_AIR_S = {"petit": 0.28, "batterie": 0.35, "grand": 0.45}


def _dance(step, side):
    ibi = max(0.5, 1.05 * min_beat_s(step))
    mm = make_music_map(16, ibi_s=ibi)
    score = make_score([[(1, step.name, step.beats, side)]])
    motion = perform(score, mm, library=LIBRARY)
    _, timings = score_keys(score, mm, LIBRARY)
    return motion, timings[0]


def _hip_yaw(pos):
    hips = pos[:, J["left_hip"]] - pos[:, J["right_hip"]]
    return np.unwrap(np.arctan2(-hips[:, 2], hips[:, 0]))


@pytest.mark.parametrize("side", "RL")
@pytest.mark.parametrize("step", TURNS, ids=[s.name for s in TURNS])
def test_every_turn_turns_all_the_way_and_one_way(step, side):
    motion, timing = _dance(step, side)
    pos = motion.positions()
    yaw = _hip_yaw(pos)
    a, z = (int(round(t * motion.fps)) for t in timing.turn_s)
    end = min(int(round(timing.end_s * motion.fps)), motion.n_frames - 1)
    wanted = np.radians(step.turn_deg) * (-1.0 if side == "R" else 1.0)  # toward the working side
    assert np.sign(timing.turn) == np.sign(wanted)
    got = yaw[end] - yaw[max(a - 6, 0)]
    assert abs(got - wanted) < np.radians(15), f"turned {np.degrees(got):.0f} deg of {np.degrees(wanted):.0f}"
    steps = np.diff(yaw[a : z + 1]) * np.sign(wanted)
    assert steps.min() > -np.radians(1.5), "the turn goes back on itself"
    if timing.spotting:  # a quick turn: at a dancer's spin rate, on one foot unless it is a turn in the air
        revs = abs(wanted) / (2 * np.pi)
        assert (z - a) / motion.fps <= MAX_REV_S * max(revs, 0.5) + 1e-6
        mid = slice(a + (z - a) // 4, z - (z - a) // 4)
        if not step.is_jump:
            assert (motion.contacts[mid].sum(axis=1) >= 1).all()


@pytest.mark.parametrize("side", "RL")
@pytest.mark.parametrize("step", JUMPS, ids=[s.name for s in JUMPS])
def test_every_jump_flies_its_kind_of_air_time(step, side):
    motion, timing = _dance(step, side)
    air = ~motion.contacts.any(axis=1)
    starts = np.flatnonzero(air & ~np.r_[False, air[:-1]])
    assert starts.size >= len(timing.flights), "a flight never left the floor"
    kind = "grand" if step.air_s >= 0.5 else "batterie" if step.air_s >= 0.35 else "petit"
    soles = sole_points(motion.positions())[..., 1]
    for a in starts:
        b = a
        while b < air.size and air[b]:
            b += 1
        t_air = (b - a) / motion.fps
        assert t_air >= MIN_AIR_S[kind] - 1.5 / motion.fps, f"{t_air:.2f} s in the air ({kind})"
        inner = slice(a + 3, b - 3)  # 0.05 s after take-off to 0.05 s before touchdown
        assert soles[inner].min() >= 0.03, f"a toe {soles[inner].min() * 100:.1f} cm above the floor in flight"
        if kind == "grand":
            assert motion.root_pos[a:b, 1].max() - STANDING_PELVIS_M >= 0.20


@pytest.mark.parametrize("name", ["grand jeté", "saut de chat"])
def test_a_grand_jete_splits_at_least_160_degrees_in_the_air(name):
    motion, timing = _dance(LIBRARY.get(name), "R")
    p = motion.positions()
    off, td, _ = timing.flights[0]
    frames = range(int(off * motion.fps), int(td * motion.fps))
    legs = [(p[f, J["left_ankle"]] - p[f, J["left_hip"]], p[f, J["right_ankle"]] - p[f, J["right_hip"]]) for f in frames]
    split = max(np.degrees(np.arccos(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))) for a, b in legs)
    assert split >= 160, f"{split:.0f} degrees"
