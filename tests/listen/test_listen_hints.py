"""Listening hints: the choreographer's tempo, meter, first "1" and taps are believed, and the map is found again."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from conftest import SR, accented_click_track

from kanat.errors import ParameterError
from kanat.listen import listen
from kanat.listen.hints import ListenHints, read_taps


def _near(a, b) -> np.ndarray:
    """For each time of b, the distance to the nearest time of a."""
    return np.abs(np.asarray(a)[:, None] - np.asarray(b)[None, :]).min(axis=0)


def test_a_bpm_counts_the_slow_beat_not_the_quavers():
    y, clicks, accents = accented_click_track(120.0, 2, bars=24)  # quavers at 120, the beat at 60 on the accents
    heard = listen(y, sr=SR)
    told = listen(y, sr=SR, hints=ListenHints(bpm=60))
    assert abs(heard.tempo_bpm - 120) < 4
    assert abs(told.tempo_bpm - 60) < 3 and told.extras["hints"] == {"bpm": 60.0}
    inner = accents[2:-2]
    assert np.median(_near(told.beats_s, inner)) < 0.03


def test_a_meter_is_kept_everywhere_and_its_bars_follow_the_accents():
    y, beats, downs = accented_click_track(104.0, 3, bars=20)
    m = listen(y, sr=SR, hints=ListenHints(meter="3/4"))
    assert set(m.meter.tolist()) == {3}
    assert np.mean(_near(m.downbeats_s, downs[1:-1]) < 0.05) >= 0.9


def test_a_compound_meter_is_counted_in_its_dotted_beats():
    y, quavers, downs = accented_click_track(180.0, 6, bars=16)  # a 6/8 heard as quavers at 180
    m = listen(y, sr=SR, hints=ListenHints(meter="6/8"))
    assert set(m.meter.tolist()) == {2}
    assert abs(m.tempo_bpm - 60) < 3  # two dotted beats a bar, each three quavers
    assert np.mean(_near(m.downbeats_s, downs[1:-1]) < 0.05) >= 0.9


def test_the_first_downbeat_moves_the_bars_there(demo_path, demo_music):
    heard_downs = demo_music.beats_s[demo_music.beat_in_bar == 1]
    k = int(np.argmin(np.abs(demo_music.beats_s - heard_downs[3]))) + 1  # the beat after a heard "1"
    t = float(demo_music.beats_s[k])
    m = listen(demo_path, hints=ListenHints(first_downbeat_s=t))
    i = int(np.argmin(np.abs(m.beats_s - t)))
    assert abs(m.beats_s[i] - t) < 0.05 and m.beat_in_bar[i] == 1
    meter = int(m.meter[i])
    assert list(m.beat_in_bar[i : i + 2 * meter]) == list(range(1, meter + 1)) * 2  # the bars go on from there
    assert m.beat_in_bar[i - 1] == meter  # and the beat before ends a bar (the pickup)


def test_taps_replace_the_heard_beats_where_they_were_tapped():
    y, beats, downs = accented_click_track(100.0, 4, bars=12)
    rng = np.random.default_rng(1)
    taps = beats[4:16] + rng.uniform(-0.03, 0.03, 12)  # a choreographer taps within 30 ms
    m = listen(y, sr=SR, hints=ListenHints(taps_s=tuple(taps)))
    assert _near(m.beats_s, beats[4:16]).max() < 0.015  # each tap moved onto its click
    assert abs(m.tempo_bpm - 100) < 2
    inside = (m.beats_s > taps[0] - 0.3) & (m.beats_s < taps[-1] + 0.3)
    assert inside.sum() == 12  # no heard beat left beside a tap


def test_noise_with_a_tempo_is_a_grid_at_that_tempo_and_says_so():
    y = (0.3 * np.random.default_rng(0).standard_normal(SR * 20)).astype(np.float32)
    m = listen(y, sr=SR, hints=ListenHints(bpm=90, first_downbeat_s=1.0))
    assert m.extras["beats_fallback"] is True
    assert abs(60.0 / np.median(np.diff(m.beats_s)) - 90) < 0.5
    assert "your 90 BPM" in m.extras["warning"]
    assert np.min(np.abs(m.beats_s - 1.0)) < 1e-6


@pytest.mark.parametrize("hints,message", [
    (ListenHints(meter="5/4"), "a bar of 5 is not counted yet"),
    (ListenHints(meter="7/8"), "a bar of 7 is not counted yet"),
    (ListenHints(first_downbeat_s=500.0), "after the end of the music"),
    (ListenHints(taps_s=(1.0,)), "tap at least 2"),
])
def test_hints_that_cannot_be_used_are_refused(hints, message):
    y, _, _ = accented_click_track(100.0, 4, bars=8)
    with pytest.raises(ParameterError, match=message):
        listen(y, sr=SR, hints=hints)


def test_a_score_and_hints_together_are_refused(tmp_path, demo_path):
    from kanat.listen.musicmap import MusicMap  # noqa: F401 - the score's own path is checked first

    with pytest.raises(ParameterError, match="either the score"):
        listen(demo_path, score=demo_path.with_suffix(".mid"), hints=ListenHints(bpm=60))


def test_taps_files(tmp_path):
    p = tmp_path / "taps.txt"
    p.write_text("# my taps\n0.5\n1.0  # the one\n\n1.5\t1.5\tbeat\n", encoding="utf-8")
    assert read_taps(p) == (0.5, 1.0, 1.5)
    p.write_text("0.5\n0.4\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="line 2: 0.4 s comes after 0.5 s"):
        read_taps(p)
    p.write_text("0.5\nsoon\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="line 2: 'soon' is not a time"):
        read_taps(p)


def test_the_command_line_saves_the_hints_and_refuses_them_with_a_saved_map(tmp_path, capsys):
    from kanat.cli import main

    y, beats, _ = accented_click_track(100.0, 3, bars=12)
    wav = tmp_path / "waltz.wav"
    sf.write(wav, y, SR)
    taps = tmp_path / "taps.txt"
    taps.write_text("\n".join(f"{t:.3f}" for t in beats[3:11]), encoding="utf-8")
    out = tmp_path / "music.json"
    assert main(["listen", str(wav), "-o", str(out), "--meter", "3/4", "--taps", str(taps)]) == 0
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["extras"]["hints"]["meter"] == "3/4" and len(saved["extras"]["hints"]["taps_s"]) == 8
    assert set(saved["meter"]) == {3}
    assert main(["choreograph", str(out), "-o", str(tmp_path / "dance"), "--no-video", "--bpm", "60"]) == 2
    assert "saved music map" in capsys.readouterr().err
    assert not (tmp_path / "dance").exists()
    assert main(["listen", str(wav), "-o", str(out), "--meter", "5/4"]) == 2
    assert "--meter 5/4" in capsys.readouterr().err
