"""Counts, phrases and section letters on hand-made bar grids."""

from __future__ import annotations

import numpy as np

from kanat.listen.structure import count_beats, letter, normalise_accent


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
