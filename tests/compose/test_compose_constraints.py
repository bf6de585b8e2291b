"""Composition around the choreographer's own steps, the grammar switch, and each scoring term."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kanat.brief import Brief
from kanat.compose import Score, compose
from kanat.body.stage import Stage
from kanat.compose.search import STRICT_BELOW, _State
from kanat.compose.terms import PhraseTask, step_terms
from kanat.errors import ScoreError, VocabularyError


def _chain_stats(score, library):
    breaks = unprepared = modern = total = 0
    prev = None
    for _ph, st, _b in score.placed():
        step = library.get(st.step)
        modern += step.family in ("modern", "contemporary")
        if prev is not None:
            total += 1
            breaks += (step.start_stance(st.side) if st.side != "-" else step.start) != prev[1]
            unprepared += bool(step.prepared_by) and prev[0] not in step.prepared_by
        prev = (st.step, step.end_stance(st.side) if st.side != "-" else step.end)
    return breaks, unprepared, modern, total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_innovation_zero_keeps_every_rule(demo_music_map, library, seed):
    sc = compose(demo_music_map, Brief(seed=seed, innovation=0.0), library=library)
    breaks, unprepared, modern, _total = _chain_stats(sc, library)
    assert (breaks, unprepared, modern) == (0, 0, 0)


def test_innovation_one_breaks_rules_on_purpose(demo_music_map, library):
    strict = [_chain_stats(compose(demo_music_map, Brief(seed=s, innovation=0.0), library=library), library) for s in range(2)]
    free = [_chain_stats(compose(demo_music_map, Brief(seed=s, innovation=1.0), library=library), library) for s in range(2)]
    assert sum(f[0] for f in free) > sum(s[0] for s in strict) + 5
    assert sum(f[2] for f in free) > 0  # modern steps in a classical dance


def _partial(score: Score, phrase: int, step_index: int) -> tuple[str, int]:
    """The score's YAML with one step locked and a comment on it; and that step's name."""
    text = score.to_yaml()
    target = score.phrases[phrase].steps[step_index]
    lines = text.splitlines()
    seen = -1
    for i, line in enumerate(lines):
        if line.strip().startswith(f"- phrase: {phrase + 1}") and seen == -1:
            seen = i
        if seen >= 0 and line.strip().startswith(f"- {{at: {target.at}, step: {target.step}"):
            lines[i] = line.replace("}", ", locked: true}") + "  # the choreographer's own"
            return "\n".join(lines) + "\n", target.step
    raise AssertionError("step not found")


def test_locked_steps_are_kept_exactly_and_comments_survive(demo_music_map, library, demo_score, tmp_path):
    text, name = _partial(demo_score, 3, 1)
    path = tmp_path / "partial.yaml"
    path.write_text(text)
    partial = Score.load(path)
    locked = [(ph.index, st) for ph in partial.phrases for st in ph.steps if st.locked]
    assert len(locked) == 1
    for seed in (11, 12):
        sc = compose(demo_music_map, Brief(seed=seed), library=library, constraints=partial)
        ph = sc.phrases[locked[0][0] - 1]
        kept = [st for st in ph.steps if st.at == locked[0][1].at]
        assert kept and kept[0].step == name and kept[0].locked
        assert (kept[0].side, kept[0].facing, kept[0].beats) == (locked[0][1].side, locked[0][1].facing, locked[0][1].beats)
        assert kept[0].spot == pytest.approx(locked[0][1].spot)
        assert "# the choreographer's own" in sc.to_yaml()


def test_the_rest_chains_into_and_out_of_a_locked_step(demo_music_map, library, demo_score, tmp_path):
    text, _name = _partial(demo_score, 4, 1)
    (tmp_path / "p.yaml").write_text(text)
    sc = compose(demo_music_map, Brief(seed=5, innovation=0.0), library=library, constraints=Score.load(tmp_path / "p.yaml"))
    breaks, *_ = _chain_stats(sc, library)
    assert breaks == 0


def test_a_locked_phrase_is_kept_whole(demo_music_map, library, demo_score, tmp_path):
    text = demo_score.to_yaml().replace("locked: false", "locked: true", 2).replace("locked: true", "locked: false", 1)
    (tmp_path / "p.yaml").write_text(text)
    sc = compose(demo_music_map, Brief(seed=9), library=library, constraints=Score.load(tmp_path / "p.yaml"))
    assert sc.phrases[1].locked
    assert [(s.step, s.side, s.at) for s in sc.phrases[1].steps] == [(s.step, s.side, s.at) for s in demo_score.phrases[1].steps]


def _with_step(demo_score, tmp_path, replacement: str) -> tuple[Score, int]:
    text = demo_score.to_yaml()
    lines = text.splitlines()
    i = next(k for k, l in enumerate(lines) if l.strip().startswith("- {at: 1,") and k > 20)
    lines[i] = "  " + replacement
    (tmp_path / "bad.yaml").write_text("\n".join(lines) + "\n")
    return Score.load(tmp_path / "bad.yaml"), i + 1


def test_unknown_locked_step_names_the_line_and_the_nearest(demo_music_map, library, demo_score, tmp_path):
    bad, line = _with_step(demo_score, tmp_path, "- {at: 1, step: pirouete en dehors, side: R, beats: 2, locked: true}")
    with pytest.raises(VocabularyError, match=rf"line {line}: step 'pirouete en dehors' is unknown; did you mean 'pirouette en dehors'"):
        compose(demo_music_map, library=library, constraints=bad)


def test_locked_step_that_does_not_fit_names_the_line(demo_music_map, library, demo_score, tmp_path):
    n = demo_score.phrases[0].n_beats
    text = demo_score.to_yaml()
    lines = text.splitlines()
    i = next(k for k, l in enumerate(lines) if "step: préparation" in l)
    lines[i] = f"  - {{at: {n - 1}, step: grand plié, side: R, beats: 4, locked: true}}"
    (tmp_path / "bad.yaml").write_text("\n".join(lines) + "\n")
    with pytest.raises(ScoreError, match=rf"line {i + 1}: locked step 'grand plié' on beat {n - 1} takes 4 beats and runs past"):
        compose(demo_music_map, library=library, constraints=Score.load(tmp_path / "bad.yaml"))


def test_impossible_chain_between_locked_steps_names_both_lines(demo_music_map, library, demo_score, tmp_path):
    text = demo_score.to_yaml()
    lines = text.splitlines()
    i = next(k for k, l in enumerate(lines) if "step: préparation" in l)
    # grand plié ends in second; a pirouette starts in fourth: no beat between them to link
    lines[i] = "  - {at: 1, step: grand plié, side: R, beats: 4, locked: true}\n  - {at: 5, step: pirouette en dehors, side: R, beats: 2, locked: true}"
    (tmp_path / "bad.yaml").write_text("\n".join(lines) + "\n")
    with pytest.raises(ScoreError, match=rf"line {i + 2}: locked step 'pirouette en dehors' starts in .* \(line {i + 1}\) ends in second"):
        compose(demo_music_map, Brief(innovation=0.0), library=library, constraints=Score.load(tmp_path / "bad.yaml"))


# ------------------------------------------------------------- scoring terms, one by one
@pytest.fixture
def task(demo_music_map, library):
    """A phrase of 8 beats in 2/4 from its first downbeat, strict grammar."""
    down = demo_music_map.beat_in_bar == 1
    a = int(np.flatnonzero(down & (demo_music_map.meter == 2))[0])
    return PhraseTask(library=library, brief=Brief(innovation=0.0), music_map=demo_music_map, a=a, n=8,
                      char="allegro", energy=0.5)


def terms(task, st, step, beats, side, *, facing=1, inside=True, **changes):
    """step_terms on ``task`` with some of its fields (or its brief's) changed."""
    brief = {k: changes.pop(k) for k in ("innovation", "difficulty", "style") if k in changes}
    if brief:
        changes["brief"] = task.brief.replace(**brief)
    return step_terms(dataclasses.replace(task, **changes), st, step, beats, side, facing=facing, inside=inside)


def state(stance="fifth_R", steps=(), beats=0, last_side="L"):
    return _State(0.0, list(steps), beats, stance, 1, np.zeros(2), last_side)


def test_term_chain(library, task):
    s = library.get("glissade")
    ok = terms(task, state(s.start_stance("R")), s, s.beats, "R")["chain"]
    broken = terms(task, state("second"), s, s.beats, "R")["chain"]
    assert ok == 0 and broken == -3.0
    assert terms(task, state("second"), s, s.beats, "R", innovation=1.0)["chain"] == 0


def test_term_energy_and_character(library, task):
    plie, jump = library.get("demi-plié"), library.get("sauté")
    soft = {"energy": 0.1}
    assert terms(task, state(), plie, plie.beats, "R", **soft)["energy"] > terms(task, state(), jump, 1, "-", **soft)["energy"]
    t = terms(task, state(), jump, 1, "-", char="allegro")
    assert t["character"] == 1.0


def test_term_prepared(library, task):
    big = next(s for s in library if s.prepared_by)
    prep = library.get(big.prepared_by[0])
    bare = terms(task, state(), big, big.beats, "R")["prepared"]
    after = terms(task, state(steps=[(prep, prep.beats, "R", 1, (0, 0), 1, False)]), big, big.beats, "R")["prepared"]
    assert bare == -2.0 and after == 0.0


def test_term_repeat_usage_side_difficulty(library, task):
    s = library.get("glissade")
    again = terms(task, state(steps=[(s, 2, "R", 1, (0, 0), 1, False)]), s, 2, "R")
    assert again["repeat"] == -1.5
    assert terms(task, state(), s, 2, "R", usage={"glissade": 2})["usage"] == pytest.approx(-1.2)
    assert terms(task, state(last_side="L"), s, 2, "R")["side"] == 0.4
    assert terms(task, state(last_side="R"), s, 2, "R")["side"] == 0.0
    assert terms(task, state(), s, 2, "R", difficulty=s.difficulty + 2)["difficulty"] == pytest.approx(-0.6)


def test_term_family_stage_bar_accent_ending(library, task, demo_music_map):
    modern = next(s for s in library if s.family in ("modern", "contemporary"))
    assert terms(task, state(), modern, modern.beats, "R")["family"] == -2.5
    assert terms(task, state(), modern, modern.beats, "R", innovation=1.0)["family"] == 1.0
    s = library.get("glissade")
    assert terms(task, state(), s, 2, "R", inside=False)["stage"] == -4.0
    assert terms(task, state(), s, 2, "R", facing=5)["stage"] == -1.5
    down = task.downbeat
    a3 = int(np.flatnonzero(down & (demo_music_map.meter == 3))[0])
    waltz = {"a": a3, "n": 24}
    assert terms(task, state(beats=1), s, 3, "R", **waltz)["bar"] == -1.5
    assert terms(task, state(beats=0), s, 3, "R", **waltz)["bar"] == 0.0
    pose = library.get("pose croisée")
    assert terms(task, state(beats=6), pose, 2, "R")["ending"] == 3.0
    assert terms(task, state(beats=2), pose, 2, "R")["ending"] == 0.0
    assert STRICT_BELOW < 0.1 and Stage().inside((0.0, 0.0))


def test_big_moments_come_downstage(demo_music_map, library):
    from kanat.compose.composer import climaxes

    peaks = climaxes(demo_music_map)
    assert peaks.max() == 1.0 and (peaks == 0).sum() >= len(peaks) // 2
    big, rest = [], []
    for seed in range(6):
        sc = compose(demo_music_map, Brief(seed=seed), library=library)
        for ph, w in zip(sc.phrases, peaks):
            z = np.mean([st.spot[1] for st in ph.steps[1:]] or [0.0])
            (big if w > 0.5 else rest).append(z)
    assert np.mean(big) > np.mean(rest) + 0.2


def test_a_smaller_stage_is_respected(demo_music_map, library):
    small = Stage(width_m=5.0, depth_m=4.0)
    sc = compose(demo_music_map, Brief(seed=1, stage=small), library=library)
    assert sc.settings["stage"] == {"width_m": 5.0, "depth_m": 4.0}
    for _ph, st, _b in sc.placed():
        assert abs(st.spot[0]) <= 2.5 and abs(st.spot[1]) <= 2.0
