"""Counts, phrases and section letters on hand-made bar grids."""

from __future__ import annotations

import numpy as np

from kanat.listen.structure import count_beats, group_sections, letter, normalise_accent


def test_quadruple_counts_in_eights_with_pickup_and_short_end():
    pos = np.array([3, 4] + [1, 2, 3, 4] * 5)
    meter = np.full(len(pos), 4)
    counts, labels, phrases = count_beats(meter, pos)
    assert labels[:2] == ["7", "8"]  # the pickup: "7, 8" before the first phrase
    assert labels[2:10] == [str(k) for k in range(1, 9)]
    assert phrases == [(2, 9), (10, 17), (18, 21)]  # the leftover bar is a short phrase


def test_triple_counts_bars():
    pos = np.tile([1, 2, 3], 10)
    counts, labels, phrases = count_beats(np.full(30, 3), pos)
    assert labels[:9] == ["1", "2", "3", "2", "2", "3", "3", "2", "3"]
    assert list(counts[:6]) == [1, 1, 1, 2, 2, 2]
    assert phrases == [(0, 23), (24, 29)]
    assert labels[24] == "1"


def test_counting_restarts_at_meter_change_and_at_a_break():
    pos = np.array([1, 2, 3] * 3 + [1, 2] * 6)
    meter = np.array([3] * 9 + [2] * 12)
    counts, labels, phrases = count_beats(meter, pos)
    assert phrases[0] == (0, 8)
    assert phrases[1] == (9, 16)
    assert labels[9:17] == [str(k) for k in range(1, 9)]
    breaks = np.zeros(21)
    breaks[12] = 1  # a new passage two beats later restarts the count there... at the next downbeat
    counts, labels, phrases = count_beats(meter, pos, breaks)
    assert (13, 20) in phrases and labels[13] == "1"


def test_letters():
    assert [letter(k) for k in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


def test_accent_normalised():
    a = normalise_accent(np.array([0.0, 1.0, 2.0, 10.0]))
    assert a.min() >= 0 and a.max() == 1.0


def test_sections_group_repeated_strains():
    # a rag: strain A (four phrases) twice, B twice, A, C twice
    letters = list("abcd" "abcd" "efgh" "efgh" "abcd" "ijkl" "ijkl")
    groups = group_sections(letters)
    assert [g1 - g0 + 1 for g0, g1 in groups] == [4] * 7
    # music heard once stays together up to the next phrase that comes back
    assert group_sections(list("aaxyza")) == [(0, 0), (1, 1), (2, 4), (5, 5)]
    assert group_sections([]) == []


def test_a_a_b_a_by_ear(synth):
    """Eight bars of a tune in C, again, eight in G minor, the first again: A A B A."""
    from kanat.listen import listen

    bpm, sr = 132.0, 22050
    spq = 60.0 / bpm

    def strain(roots, tune, start_q):
        notes = []
        for k, root in enumerate(roots):
            q = start_q + 3 * k
            notes.append((q, 2.8, root, 100))
            for beat in (1, 2):
                notes += [(q + beat, 0.8, root + 16, 60), (q + beat, 0.8, root + 19, 60)]
            notes.append((q, 1.5, tune[k], 85))
            notes.append((q + 1.5, 1.5, tune[k] + 2, 75))
        return notes

    a = ([48, 53, 55, 48, 53, 55, 43, 48], [76, 77, 79, 76, 74, 72, 71, 72])
    b = ([43, 46, 50, 43, 51, 50, 45, 50], [70, 74, 75, 74, 72, 70, 69, 67])
    notes = []
    for k, (roots, tune) in enumerate((a, a, b, a)):
        notes += strain(roots, tune, 24 * k)
    y = synth([(0.5 + q * spq, 0.5 + (q + d) * spq, p, v) for q, d, p, v in notes], 0.5 + 96 * spq + 1.5, sr=sr)
    music = listen(y, sr=sr)
    assert music.beats_per_bar == 3
    assert [s["label"] for s in music.sections] == ["A", "A", "B", "A"]
