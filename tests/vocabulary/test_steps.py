"""The step library: it loads, compiles, mirrors, chains and reports typos well."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from kanat.body import rotations as R
from kanat.errors import VocabularyError
from kanat.vocabulary import load_library, load_steps, mirror_rotations, mirror_stance
from kanat.vocabulary.pose import stance_of

LIBRARY = load_library()
STEPS = list(LIBRARY)
IDS = [s.name for s in STEPS]


def test_library_size_and_families():
    families = [s.family for s in STEPS]
    assert len(STEPS) >= 80
    assert sum(f in ("classical", "linking") for f in families) >= 50
    assert sum(f in ("modern", "contemporary") for f in families) >= 25
    assert {"glissade", "pas de bourrée", "grand jeté", "pirouette en dehors", "contraction and release"} <= set(IDS)


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_step_compiles_on_both_sides_and_L_mirrors_R(step):
    rot_r, rot_l = step.keyframe_rotations("R"), step.keyframe_rotations("L")
    assert rot_r.shape == rot_l.shape == (len(step.keyframes), 24, 4)
    assert np.all(np.isfinite(rot_r))
    assert np.allclose(np.linalg.norm(rot_r, axis=-1), 1.0)
    assert np.allclose(R.to_matrix(rot_l), R.to_matrix(mirror_rotations(rot_r)))
    assert step.supports("L") == [{"left": "right", "right": "left"}.get(s, s) for s in step.supports("R")]
    assert step.start_stance("L") == mirror_stance(step.start)


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_first_and_last_keyframes_stand_in_the_start_and_end_stances(step):
    first, last = step.keyframes[0].pose, step.keyframes[-1].pose
    if step.start != "floor":
        assert stance_of(first) == step.start, f"{step.name}: starts in {stance_of(first)}, says {step.start}"
    if step.end != "floor":
        assert stance_of(last) == step.end, f"{step.name}: ends in {stance_of(last)}, says {step.end}"


def expected_supports(pose: dict) -> set[str]:
    """The supports a keyframe may have, for side R, from which legs gesture."""
    right = pose.get("gesture", "none") != "none"
    left = pose.get("other_gesture", "none") != "none"
    kneels = "kneel" in (pose.get("gesture"), pose.get("other_gesture"))
    # a foot à terre (tendu) may take weight too: stepping back into a kneel
    a_terre = str(pose.get("gesture", pose.get("other_gesture", ""))).startswith("tendu")
    if right and left:
        return {"floor"} if kneels else {"air", "floor"}
    if kneels:  # a kneeling lunge: one knee and the other foot on the floor, weight on both
        return {"floor", "both"}
    if right:
        return {"left", "air"} | ({"both"} if a_terre else set())
    if left:
        return {"right", "air"} | ({"both"} if a_terre else set())
    # both feet down: the weight may still be on one of them (chaînés step from foot to foot)
    return {"both", "left", "right", "air", "floor"}


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_support_agrees_with_the_gestures(step):
    for i, k in enumerate(step.keyframes):
        assert k.support in expected_supports(k.pose), f"{step.name} keyframe {i + 1} (at {k.at}): {k.pose}"
        if k.pose.get("gesture", "none") != "none" and not str(k.pose["gesture"]).startswith("tendu"):
            assert k.support != "both"


@pytest.mark.parametrize("step", [s for s in STEPS if s.is_jump], ids=[s.name for s in STEPS if s.is_jump])
def test_jumps_take_off_and_land_on_time(step):
    ks = step.keyframes
    assert step.air_beats <= 1.2
    assert ks[0].support != "air" and ks[-1].support != "air"
    assert step.level == "air" or step.family == "linking"  # a chassé springs low
    for i in range(1, len(ks)):
        if ks[i - 1].support == "air" and ks[i].support != "air":  # a landing
            assert float(ks[i].at).is_integer(), f"{step.name} lands at {ks[i].at}, not on a count"
            assert ks[i].pose.get("plie", "straight") != "straight" or ks[i].pose.get("support_leg") == "plie"
        if ks[i].support == "air" and ks[i - 1].support != "air":  # a take-off, from a plié
            j = i - 1
            assert ks[j].pose.get("plie") or ks[j].pose.get("support_leg") == "plie", f"{step.name}: no plié before take-off"


@pytest.mark.parametrize("step", STEPS, ids=IDS)
def test_step_fields_are_sensible(step):
    assert step.accent in [k.at for k in step.keyframes] or float(step.accent).is_integer()
    assert 1 <= step.difficulty <= 5
    assert all(m in (2, 3, 4) for m in step.meters)
    for name in step.prepared_by:
        assert name in LIBRARY, f"{step.name} is prepared by unknown step {name!r}"
    if step.turn_deg:  # turns rise onto demi-pointe, or turn in the air, or slowly on a flat foot in adagio
        assert step.level in ("releve", "air") or (step.level == "standing" and "adagio" in step.character)
    if step.level == "floor":
        assert any(k.support == "floor" for k in step.keyframes)
    if any(k.support == "floor" for k in step.keyframes):
        assert step.level == "floor"


def test_turns_are_prepared_from_fourth_or_fifth():
    for name in ("pirouette en dehors", "pirouette en dedans"):
        assert LIBRARY.get(name).start in ("fourth_L", "fourth_R", "fifth_R", "fifth_L")


def test_linking_steps_bridge_stances():
    assert LIBRARY.get("pas de bourrée").end_stance("L") == LIBRARY.get("pirouette en dehors").start_stance("R")
    assert LIBRARY.get("glissade").end_stance("R") == LIBRARY.get("assemblé").start_stance("R")
    for prep in LIBRARY.get("grand jeté").prepared_by:
        ends = {LIBRARY.get(prep).end_stance(side) for side in "RL"}
        assert ends & {"fourth_L", "fourth_R", "fifth_L", "fifth_R"}


def test_waltz_steps_are_in_three():
    for name in ("balancé", "pas de valse", "waltz turn", "triplets", "pas de basque", "triplet turn", "side swing"):
        step = LIBRARY.get(name)
        assert step.meters == (3,) and step.beats % 3 == 0


def test_meters_say_which_steps_suit_a_waltz_and_which_a_march():
    waltz = {s.name for s in STEPS if s.meters == (3,)}
    duple = {s.name for s in STEPS if 3 not in s.meters}
    assert len(waltz) >= 8 and len(duple) >= 10
    for s in STEPS:
        if "waltz" in s.character:
            assert 3 in s.meters, s.name
    assert {"battement frappé", "entrechat quatre", "petit battement sur le cou-de-pied"} <= duple


def test_the_vocabulary_the_tracker_asked_for():
    wanted = {
        "battement frappé", "battement fondu", "rond de jambe en l'air", "petit battement sur le cou-de-pied",
        "développé derrière", "grand battement à la seconde", "grand battement derrière", "second arabesque",
        "third arabesque", "attitude devant", "promenade en arabesque", "tour lent en attitude", "fouetté",
        "double pirouette en dehors", "entrechat quatre", "ballonné", "cabriole", "saut de chat", "tour jeté",
        "sissonne ouverte", "pas de basque", "bourrée couru", "temps levé en arabesque", "brisé",
        "kneeling contraction", "spiral to the knee", "fall to the side", "side swing", "leg swing",
        "off-balance turn", "reach and collapse", "rib cage isolations", "gesture phrase", "triplet turn",
        "parallel développé", "lunge and tilt",
    }
    assert wanted <= set(IDS), wanted - set(IDS)


def test_unknown_step_suggests_the_nearest():
    with pytest.raises(VocabularyError, match=r"step 'pirouete' is unknown; did you mean 'pirouette en dehors'\?"):
        LIBRARY.get("pirouete")
    with pytest.raises(VocabularyError, match=r"score.yaml line 3: step 'glisade' is unknown; did you mean 'glissade'\?"):
        LIBRARY.get("glisade", where="score.yaml line 3")


GOOD = """\
steps:
- name: little step
  family: classical
  beats: 2
  accent: 1
  start: fifth_R
  end: fifth_R
  energy: 0.2
  level: standing
  keyframes:
  - {at: 0, legs: fifth, support: both}
  - {at: 1, gesture: tendu_side, support: left}
  - {at: 2, legs: fifth, support: both}
- name: second step
  family: linking
  beats: 2
  accent: 1
  start: fifth_R
  end: fifth_R
  energy: 0.2
  level: standing
  keyframes:
  - {at: 0, legs: fifth, support: both}
  - {at: 1, gesture: tendu_front, support: left}
  - {at: 2, legs: fifth, support: both}
"""


def _write(tmp_path, text: str):
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path):
    steps = load_steps(_write(tmp_path, GOOD))
    assert [s.name for s in steps] == ["little step", "second step"]


@pytest.mark.parametrize(
    "old, new, match",
    [
        ("gesture: tendu_front", "gestur: tendu_front", r"bad.yaml line 14 step 'second step'.*unknown pose part 'gestur'; did you mean 'gesture'\?"),
        ("gesture: tendu_side", "gesture: tendu_sid", r"bad.yaml line 2 step 'little step'.*unknown gesture 'tendu_sid'; did you mean 'tendu_side'\?"),
        ("{at: 2, legs: fifth, support: both}\n- name", "{at: 2, legs: fith, support: both}\n- name", r"bad.yaml line 2 .*unknown legs 'fith'; did you mean 'fifth'\?"),
        ("  beats: 2\n  accent: 1\n  start: fifth_R\n  end: fifth_R\n  energy: 0.2\n  level: standing\n  keyframes:\n  - {at: 0, legs: fifth, support: both}\n  - {at: 1, gesture: tendu_front",
         "  accent: 1\n  start: fifth_R\n  end: fifth_R\n  energy: 0.2\n  level: standing\n  keyframes:\n  - {at: 0, legs: fifth, support: both}\n  - {at: 1, gesture: tendu_front",
         r"bad.yaml line 14: step 'second step' is missing 'beats'"),
        ("{at: 1, gesture: tendu_side, support: left}", "{at: 3, gesture: tendu_side, support: left}",
         r"bad.yaml line 2 step 'little step' keyframe 2 \(line 12\): at 3.0 is outside the step's beats 0-2"),
        ("{at: 1, gesture: tendu_side, support: left}", "{gesture: tendu_side, support: left}",
         r"bad.yaml line 2 step 'little step' keyframe 2 \(line 12\): each keyframe needs 'at' \(beats\)"),
        ("{at: 1, gesture: tendu_front, support: left}", "{at: 1, gesture: tendu_front, armz: fifth, support: left}",
         r"bad.yaml line 14 step 'second step' keyframe 2 \(line 24\): unknown pose part 'armz'; did you mean 'arms'\?"),
        ("{at: 1, gesture: tendu_front, support: left}", "{at: 1, gesture: tendu_front, arms: [fifht, second], support: left}",
         r"bad.yaml line 14 step 'second step' keyframe 2 \(line 24\): unknown arms 'fifht'; did you mean 'fifth'\?"),
        ("support: left}\n  - {at: 2, legs: fifth, support: both}\n- name", "support: lef}\n  - {at: 2, legs: fifth, support: both}\n- name",
         r"bad.yaml line 2 step 'little step': support 'lef' is unknown; did you mean 'left'\?"),
        ("family: linking", "family: linkin", r"bad.yaml line 14 step 'second step': family 'linkin' is unknown; did you mean 'linking'\?"),
        ("start: fifth_R\n  end: fifth_R\n  energy: 0.2\n  level: standing\n  keyframes:\n  - {at: 0, legs: fifth, support: both}\n  - {at: 1, gesture: tendu_front",
         "start: fith_R\n  end: fifth_R\n  energy: 0.2\n  level: standing\n  keyframes:\n  - {at: 0, legs: fifth, support: both}\n  - {at: 1, gesture: tendu_front",
         r"bad.yaml line 14 step 'second step': start 'fith_R' is unknown; did you mean 'fifth_R'\?"),
    ],
)
def test_typos_name_the_file_the_line_and_the_nearest_name(tmp_path, old, new, match):
    assert GOOD.count(old) == 1, old
    with pytest.raises(VocabularyError, match=match):
        load_steps(_write(tmp_path, GOOD.replace(old, new)))


@pytest.mark.parametrize(
    "old, new, match",
    [
        ("{at: 1, gesture: tendu_side, support: left}", "{at: 1, legs: fifth, plie: 175, support: both}",
         r"bad.yaml line 2 step 'little step' keyframe 2 \(line 12\): (left|right)_knee flexion 175 deg is beyond its limit 150 deg"),
        ("{at: 1, gesture: tendu_front, support: left}", "{at: 1, legs: fifth, plie: -30, support: both}",
         r"bad.yaml line 14 step 'second step' keyframe 2 \(line 24\): (left|right)_knee flexion -30 deg is beyond its limit -10 deg"),
    ],
)
def test_a_pose_beyond_a_joint_limit_names_the_file_line_joint_angle_and_limit(tmp_path, old, new, match):
    assert GOOD.count(old) == 1, old
    with pytest.raises(VocabularyError, match=match):
        load_steps(_write(tmp_path, GOOD.replace(old, new)))


def test_broken_yaml_names_the_line(tmp_path):
    with pytest.raises(VocabularyError, match=r"bad.yaml line \d+: not valid YAML"):
        load_steps(_write(tmp_path, GOOD.replace("- {at: 0, legs: fifth, support: both}", "- {at: 0, legs: [fifth, support: both}", 1)))


def test_a_step_defined_twice_is_refused(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text(GOOD, encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text(GOOD, encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"b.yaml line 2: step 'little step' is defined twice \(first in a.yaml line 2\)"):
        load_library([a, b])
