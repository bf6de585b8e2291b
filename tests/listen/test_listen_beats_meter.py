"""Beats, meter and downbeats on synthetic click tracks of known tempo and meter."""

from __future__ import annotations

import mir_eval
import numpy as np
import pytest

from kanat.listen import listen
from kanat.listen.meter import decode_bars

SR = 22050


@pytest.mark.parametrize(("bpm", "meter"), [(120, 3), (100, 4), (150, 3), (96, 2), (40, 3)])
def test_click_track_beats_meter_and_downbeats(bpm, meter, make_click_track):
    y, beats_s, downbeats_s = make_click_track(bpm, meter)
    music = listen(y, sr=SR)
    assert mir_eval.beat.f_measure(beats_s, music.beats_s) >= 0.9
    assert music.beats_per_bar == meter
    assert np.all(music.meter == meter)
    assert mir_eval.beat.f_measure(downbeats_s, music.downbeats_s) >= 0.9
    assert music.tempo_bpm == pytest.approx(bpm, rel=0.03)


def test_a_fast_two_is_counted_in_beats_or_in_bars(make_click_track):
    """180 BPM in 2/4: a dancer counts every beat or one per bar ("1 and 2 and"); either way the "1"s are bar lines."""
    y, beats_s, downbeats_s = make_click_track(180, 2)
    music = listen(y, sr=SR)
    assert max(mir_eval.beat.f_measure(beats_s, music.beats_s), mir_eval.beat.f_measure(downbeats_s, music.beats_s)) >= 0.9
    near = np.min(np.abs(music.downbeats_s[:, None] - downbeats_s[None, :]), axis=1)
    assert np.mean(near < 0.07) >= 0.9


def test_click_track_at_another_sample_rate_is_resampled(make_click_track):
    y, beats_s, _ = make_click_track(120, 4, sr=44100)
    music = listen(y, sr=44100)
    assert mir_eval.beat.f_measure(beats_s, music.beats_s) >= 0.9


def test_decode_bars_follows_a_meter_change_at_a_break():
    # 3/4 for 30 beats then 2/4 for 30 beats, downbeat score +1 on every "1"
    score = np.concatenate([np.tile([1.0, -0.5, -0.5], 10), np.tile([1.0, -1.0], 15)])
    breaks = np.zeros(len(score))
    breaks[30] = 1.0
    meter, pos = decode_bars(score, breaks)
    assert np.all(meter[:30] == 3) and np.all(meter[30:] == 2)
    assert np.all(pos[:30] == np.tile([1, 2, 3], 10))
    assert np.all(pos[30:] == np.tile([1, 2], 15))


def test_decode_bars_keeps_meter_through_a_little_noise():
    rng = np.random.default_rng(1)
    score = np.tile([1.0, -0.5, -0.5, 0.0], 12) + 0.3 * rng.standard_normal(48)
    meter, pos = decode_bars(score)
    assert np.all(meter == 4)
    assert np.all(pos == np.tile([1, 2, 3, 4], 12))


def _jig(dotted_bpm: float = 116.0, bars: int = 24):
    """A 6/8 jig: six quavers a bar, the two dotted beats louder, the "1" loudest with a bass thump."""
    quaver = 60.0 / dotted_bpm / 3
    n = int(0.06 * SR)
    t = np.arange(n) / SR
    click = np.sin(2 * np.pi * 1200 * t) * np.exp(-t / 0.012)
    thump = np.sin(2 * np.pi * 110 * t) * np.exp(-t / 0.05)
    times = 0.5 + quaver * np.arange(bars * 6)
    y = np.zeros(int((times[-1] + 1.5) * SR))
    for k, bt in enumerate(times):
        i = int(round(bt * SR))
        gain = 0.8 if k % 6 == 0 else (0.55 if k % 3 == 0 else 0.25)
        y[i : i + n] += gain * click + (0.8 * thump if k % 6 == 0 else 0.0)
    return y.astype(np.float32), times[::3], times[::6]


def test_jig_in_six_eight_is_counted_in_two():
    y, beats_s, downbeats_s = _jig()
    music = listen(y, sr=SR)
    assert mir_eval.beat.f_measure(beats_s, music.beats_s) >= 0.9
    assert music.beats_per_bar == 2
    assert music.tempo_bpm == pytest.approx(116.0, rel=0.03)
    assert mir_eval.beat.f_measure(downbeats_s, music.downbeats_s) >= 0.9


def test_soft_attacks_are_heard_by_their_new_notes(synth):
    """A waltz on 'strings' (notes swell in over 80 ms, no hammer): the attacks alone show no pulse."""
    rng = np.random.default_rng(5)
    spq = 60.0 / 132.0
    scale = [72, 74, 76, 77, 79, 81, 83, 84]
    notes = [(0.5 + q * spq, 0.5 + (q + 1) * spq, scale[int(rng.integers(0, 8))], 80) for q in range(48)]
    for b in range(0, 48, 3):
        root = 48 if (b // 3) % 2 == 0 else 43
        notes.append((0.5 + b * spq, 0.5 + (b + 1) * spq, root, 90))
        for j in (1, 2):
            notes += [(0.5 + (b + j) * spq, 0.5 + (b + j + 0.9) * spq, root + p, 55) for p in (16, 19)]
    y = synth(notes, 0.5 + 48 * spq + 1.5, attack_s=0.08)
    music = listen(y, sr=22050)
    truth = 0.5 + spq * np.arange(48)
    assert not music.extras["beats_fallback"]
    assert music.beats_per_bar == 3
    assert mir_eval.beat.f_measure(truth, music.beats_s) >= 0.9
    assert mir_eval.beat.f_measure(truth[::3], music.downbeats_s) >= 0.9
