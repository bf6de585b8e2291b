"""compose, alone, from the demo music's saved map (tests/data/listen)."""

import pytest

from kanat.brief import Brief
from kanat.compose import Score, compose
from kanat.errors import ParameterError, ScoreError


@pytest.fixture(scope="module")
def score(demo_music_map, library):
    return compose(demo_music_map, Brief(seed=0), library=library)


def test_same_seed_same_dance_other_seed_other_dance(demo_music_map, library, score):
    again = compose(demo_music_map, Brief(seed=0), library=library)
    assert again.to_yaml() == score.to_yaml()
    other = compose(demo_music_map, Brief(seed=7), library=library)
    steps = [(st.step, st.side) for _p, st, _b in score.placed()]
    steps7 = [(st.step, st.side) for _p, st, _b in other.placed()]
    assert steps != steps7


def test_steps_fill_their_phrases_on_the_beats(demo_music_map, score):
    assert len(score.phrases) == len(demo_music_map.phrases)
    for ph, (a, z) in zip(score.phrases, demo_music_map.phrases):
        assert ph.first_beat == a and ph.n_beats == z - a + 1
        at = 1
        for st in ph.steps:
            assert st.at == at, f"phrase {ph.index}: gap or overlap before {st.step}"
            at += st.beats
        assert at - 1 <= ph.n_beats
        if ph.n_beats >= 4:
            assert at - 1 == ph.n_beats, f"phrase {ph.index} is not filled"


def test_opens_with_a_pose_and_closes(score, library):
    first = score.phrases[0].steps[0]
    assert first.step == "préparation" and first.at == 1
    last = score.phrases[-1].steps[-1]
    assert library.get(last.step).level in ("standing", "low") or "pose" in last.step or "révérence" in last.step


def test_triple_meter_gets_steps_made_for_three(demo_music_map, score, library):
    for ph in score.phrases:
        meter = int(demo_music_map.meter[ph.first_beat])
        for st in ph.steps:
            assert meter in library.get(st.step).meters, f"{st.step} in a phrase in {meter}"


def test_stances_chain_at_innovation_zero(demo_music_map, library):
    sc = compose(demo_music_map, Brief(seed=3, innovation=0.0), library=library)
    prev_end = None
    breaks = 0
    total = 0
    for _ph, st, _b in sc.placed():
        step = library.get(st.step)
        if prev_end is not None:
            total += 1
            breaks += step.start_stance(st.side) != prev_end
        prev_end = step.end_stance(st.side)
    assert breaks / total < 0.1, f"{breaks} of {total} steps do not start where the last one ended"


def test_repeated_sections_are_danced_as_related_phrases(demo_music_map, score):
    # the k-th phrase of a returning section dances the k-th phrase of its first appearance again
    places = demo_music_map.phrase_sections()
    first: dict[tuple[str, int], int] = {}
    related = 0
    for k, ph in enumerate(score.phrases[:-1]):  # the last phrase is composed to end the dance
        place = places[k]
        if place in first and first[place] != k - 1:  # straight after: the variation may open differently
            earlier = score.phrases[first[place]]
            if earlier.n_beats == ph.n_beats:
                assert [s.step for s in ph.steps] == [s.step for s in earlier.steps]
                related += 1
        first.setdefault(place, k)
    assert related >= 1


def test_stays_on_the_stage(score):
    for _ph, st, _b in score.placed():
        assert abs(st.spot[0]) <= 5.0 and abs(st.spot[1]) <= 4.0


def test_bad_settings_are_refused(demo_music_map, library):
    with pytest.raises(ParameterError, match="innovation must be between 0 and 1, got 1.5"):
        compose(demo_music_map, Brief(innovation=1.5), library=library)
    with pytest.raises(ParameterError, match="style must be 'classical' or 'modern'"):
        compose(demo_music_map, Brief(style="hiphop"), library=library)


def test_score_yaml_round_trip(tmp_path, score):
    path = score.save(tmp_path / "score.yaml")
    back = Score.load(path)
    assert back.to_yaml() == score.to_yaml()
    assert back.phrases[0].steps[0].line is not None


def test_an_edited_score_is_never_overwritten(tmp_path, score):
    path = score.save(tmp_path / "score.yaml")
    score.save(path)  # kanat's own file: fine to replace
    path.write_text(path.read_text().replace("side: R", "side: L", 1))
    with pytest.raises(ParameterError, match="has been edited since kanat wrote it"):
        score.save(path)
    assert "side: L" in path.read_text()


def test_bad_score_files_name_the_line(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("format_version: 1\nmusic: x.wav\nphrases:\n- {first_beat: 0, beats: 8, steps: [{at: 12, step: sauté}]}\n")
    with pytest.raises(ScoreError, match=r"line 4: 'at: 12' is outside the phrase's beats 1-8"):
        Score.load(p)
    p.write_text("format_version: 7\nmusic: x\nphrases: []\n")
    with pytest.raises(ScoreError, match="format_version 7 is not supported"):
        Score.load(p)
    p.write_text("format_version: 1\nmusic: x\nphrases: [\n")
    with pytest.raises(ScoreError, match="not valid YAML"):
        Score.load(p)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_no_arabesque_or_attitude_is_danced_en_face(seed, demo_music_map, library):
    """A line is shown from a diagonal or the side: en face (facing 1) hides the working leg."""
    from kanat.compose.terms import is_line

    score = compose(demo_music_map, Brief(seed=seed), library=library)
    lines = [st for _ph, st, _b in score.placed() if is_line(library.get(st.step))]
    assert lines
    assert not [st.step for st in lines if st.facing == 1]


def test_different_music_gets_a_different_dance(demo_music_map, library):
    """The seed's preferences are drawn with the music's fingerprint: the same seed on other music
    (here the demo a little slower) gives another sequence of steps."""
    from dataclasses import replace

    slower = replace(demo_music_map, beats_s=demo_music_map.beats_s * 1.05, downbeats_s=demo_music_map.downbeats_s * 1.05,
                     duration_s=demo_music_map.duration_s * 1.05)
    a = [st.step for _p, st, _b in compose(demo_music_map, Brief(seed=0), library=library).placed()][:20]
    b = [st.step for _p, st, _b in compose(slower, Brief(seed=0), library=library).placed()][:20]
    assert sum(x == y for x, y in zip(a, b)) / 20 <= 0.3
