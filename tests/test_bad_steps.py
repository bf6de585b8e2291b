"""Step files a person wrote or damaged: one VocabularyError naming the file, the line and the field."""

from __future__ import annotations

from importlib import resources

import pytest
from badkit import substitution as _sub

from kanat.errors import VocabularyError
from kanat.vocabulary.step import load_steps

SHIPPED = (resources.files("kanat") / "vocabulary" / "data" / "classical.yaml").read_text(encoding="utf-8")
FIRST = SHIPPED[SHIPPED.index("- name: préparation"): SHIPPED.index("- name: demi-plié")]
ONE = "steps:\n" + FIRST.replace("name: préparation", "name: my step")


EDITS = {
    "beats text": (_sub("beats: 4", "beats: four"), ("line 5", "'beats'", "'four'")),
    "beats float": (_sub("beats: 4", "beats: 4.5"), ("'beats'", "whole number")),
    "beats 0": (_sub("beats: 4", "beats: 0"), ("'beats'", "1-64")),
    "beats huge": (_sub("beats: 4", "beats: 100000"), ("'beats'", "1-64")),
    "energy nan": (_sub("energy: 0.1", "energy: .nan"), ("'energy'", "finite")),
    "energy 2": (_sub("energy: 0.1", "energy: 2"), ("'energy'", "0.0-1.0")),
    "energy text": (_sub("energy: 0.1", "energy: calm"), ("'energy'",)),
    "accent text": (_sub("accent: 0", "accent: first"), ("'accent'",)),
    "difficulty 9": (_sub("difficulty: 1", "difficulty: 9"), ("'difficulty'", "1-5")),
    "travel nan": (_sub("difficulty: 1", "difficulty: 1\n  travel: [.nan, 0]"), ("'travel'", "finite")),
    "travel one number": (_sub("difficulty: 1", "difficulty: 1\n  travel: 3"), ("'travel'",)),
    "turn inf": (_sub("difficulty: 1", "difficulty: 1\n  turn: .inf"), ("'turn'", "finite")),
    "meters text": (_sub("difficulty: 1", "difficulty: 1\n  meters: three"), ("'meters'", "list")),
    "meters entry text": (_sub("difficulty: 1", "difficulty: 1\n  meters: [3, x]"), ("'meters' entry",)),
    "sided text": (_sub("difficulty: 1", "difficulty: 1\n  sided: maybe"), ("'sided'", "true or false")),
    "keyframes a number": (lambda t: t.split("  keyframes:")[0] + "  keyframes: 3\n", ("'keyframes'", "list")),
    "keyframe at text": (_sub("{at: 2,", "{at: two,"), ("keyframe 2 'at'", "'two'")),
    "keyframe at nan": (_sub("{at: 2,", "{at: .nan,"), ("keyframe 2 'at'", "finite")),
    "keyframe not a mapping": (_sub("  - {at: 2,", "  - 7\n  - {at: 2,"), ("keyframe 2", "mapping")),
    "name a number": (_sub("name: my step", "name: 5"), ("'name'",)),
    "name empty": (_sub("name: my step", "name: ''"), ("'name'", "non-empty")),
    "family unknown": (_sub("family: classical", "family: hiphop"), ("family 'hiphop' is unknown",)),
    "missing beats": (_sub("  beats: 4\n", ""), ("missing 'beats'",)),
}


@pytest.mark.parametrize("name", EDITS)
def test_damaged_step_file(tmp_path, name):
    edit, words = EDITS[name]
    path = tmp_path / "mine.yaml"
    path.write_text(edit(ONE), encoding="utf-8")
    with pytest.raises(VocabularyError) as info:
        load_steps(path)
    msg = str(info.value)
    assert msg.startswith("mine.yaml") and "\n" not in msg
    for w in words:
        assert w in msg, (w, msg)


def test_the_untouched_step_loads(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(ONE, encoding="utf-8")
    assert [s.name for s in load_steps(path)] == ["my step"]
