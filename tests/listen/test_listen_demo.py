"""The bundled demo music (a 3/4 minuet, then a 2/4 rag) against its score-derived truth."""

from __future__ import annotations

import mir_eval
import numpy as np
import pytest

from kanat.listen import MusicMap


def _passage(music, passage):
    inside = (music.beats_s >= passage["first_downbeat_s"]) & (music.beats_s < passage["end_s"])
    return music.meter[inside]


def test_demo_beats(demo_music, demo_truth):
    f = mir_eval.beat.f_measure(np.asarray(demo_truth["beats_s"]), demo_music.beats_s)
    assert f >= 0.9, f


def test_demo_downbeats(demo_music, demo_truth):
    f = mir_eval.beat.f_measure(np.asarray(demo_truth["downbeats_s"]), demo_music.downbeats_s)
    assert f >= 0.8, f


def test_demo_meter_in_each_passage(demo_music, demo_truth):
    for passage in demo_truth["passages"]:
        meters = _passage(demo_music, passage)
        assert len(meters)
        # nearly every beat of the passage carries the passage's meter
        assert np.mean(meters == passage["beats_per_bar"]) >= 0.9, (passage["title"], np.bincount(meters))


def test_demo_meter_change_found_where_it_happens(demo_music, demo_truth):
    changes = demo_music.extras["meter_changes_s"]
    assert len(changes) >= 1
    true_change = demo_truth["meter_changes_s"][0]
    assert min(abs(c - true_change) for c in changes) < 1.5


def test_demo_tempo_and_dominant_meter(demo_music, demo_truth):
    assert demo_music.beats_per_bar == 3  # the minuet holds most beats
    assert 95 <= demo_music.tempo_bpm <= 145
    assert demo_music.duration_s == pytest.approx(demo_truth["duration_s"], abs=0.05)


def test_demo_counts_follow_the_meter(demo_music):
    m = demo_music
    for i in range(m.n_beats):
        assert 1 <= m.counts[i] <= 8
        assert 1 <= m.beat_in_bar[i] <= m.meter[i]
        if m.meter[i] == 3 and m.beat_in_bar[i] != 1:
            assert m.count_labels[i] == str(m.beat_in_bar[i])
        else:
            assert m.count_labels[i] == str(m.counts[i])
    triple = np.flatnonzero(m.meter == 3)
    first = triple[m.beat_in_bar[triple] == 1][0]
    assert m.count_labels[first : first + 6] == ["1", "2", "3", "2", "2", "3"]


def test_demo_phrases_and_sections(demo_music):
    m = demo_music
    assert m.phrases[0][0] <= 3
    for (a, z), (a2, _) in zip(m.phrases, m.phrases[1:]):
        assert a2 == z + 1
        assert m.beat_in_bar[a] == 1
    lengths = [z - a + 1 for a, z in m.phrases]
    assert 24 in lengths and 8 in lengths  # eight bars of 3/4, eight counts of 2/4
    # the minuet: bars 1-8 twice (A A), then bars 9-28 (B); the rag's first strain with its repeat (C C)
    labels = [s["label"] for s in m.sections]
    assert labels == ["A", "A", "B", "C", "C"]
    starts = [s["start_s"] for s in m.sections]
    assert starts == sorted(starts)
    assert starts[3] == pytest.approx(demo_truth_change(m), abs=0.1)  # the rag's section starts where 2/4 does
    places = m.phrase_sections()
    assert [p for p, _ in places] == ["A", "A", "B", "B", "B", "C", "C", "C", "C", "C", "C", "C", "C"]
    assert [k for _, k in places][5:] == [0, 1, 2, 3, 0, 1, 2, 3]


def demo_truth_change(m) -> float:
    return float(m.extras["meter_changes_s"][0])


def test_demo_energy_and_accent(demo_music):
    for arr in (demo_music.energy, demo_music.accent):
        assert arr.shape == (demo_music.n_beats,)
        assert np.all((arr >= 0) & (arr <= 1))
        assert arr.std() > 0.02
    # downbeats are accented more than other beats
    db = demo_music.beat_in_bar == 1
    assert demo_music.accent[db].mean() > demo_music.accent[~db].mean()


def test_music_json_round_trip(demo_music, tmp_path):
    path = demo_music.save(tmp_path / "music.json")
    back = MusicMap.load(path)
    assert back.source == demo_music.source
    assert back.beats_per_bar == demo_music.beats_per_bar
    np.testing.assert_allclose(back.beats_s, demo_music.beats_s, atol=1e-4)
    np.testing.assert_allclose(back.downbeats_s, demo_music.downbeats_s, atol=1e-4)
    np.testing.assert_array_equal(back.meter, demo_music.meter)
    np.testing.assert_array_equal(back.counts, demo_music.counts)
    assert back.count_labels == demo_music.count_labels
    assert back.phrases == demo_music.phrases
    assert [s["label"] for s in back.sections] == [s["label"] for s in demo_music.sections]
    np.testing.assert_allclose(back.energy, demo_music.energy, atol=1e-4)
    assert back.extras["meter_changes_s"] == demo_music.extras["meter_changes_s"]
