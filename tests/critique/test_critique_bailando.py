"""The beat-align score by Bailando's own protocol (librosa's beats of the audio), beside kanat's count-based one."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter
from scipy.signal import argrelextrema
from testkit.critique import FPS, arm_circles, click_audio, make_motion, standing_root
from testkit.motions import random_dance

from kanat.critique import critique
from kanat.critique.bailando import BAILANDO_SR, bailando_bas, dance_beats_bailando, music_beats_bailando
from kanat.errors import AudioError, ParameterError


def _reference_ba(keypoints: np.ndarray, music_beats: np.ndarray) -> float:
    """utils/beat_align_score.py of github.com/lisiyao21/Bailando, calc_db and BA, as written there."""
    keypoints = np.array(keypoints).reshape(-1, 24, 3)
    kinetic_vel = np.mean(np.sqrt(np.sum((keypoints[1:] - keypoints[:-1]) ** 2, axis=2)), axis=1)
    kinetic_vel = gaussian_filter(kinetic_vel, 5)
    motion_beats = argrelextrema(kinetic_vel, np.less)
    music_beats = music_beats[music_beats < len(kinetic_vel)]  # get_mb(key, length)
    ba = 0
    for bb in music_beats:
        ba += np.exp(-np.min((motion_beats[0] - bb) ** 2) / 2 / 9)
    return ba / len(music_beats)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_score_is_bailandos_own(seed):
    motion = random_dance(seed=seed, n_frames=600)
    pos = motion.positions()
    music = np.sort(np.random.default_rng(seed).choice(650, size=20, replace=False))  # some beyond the motion
    assert bailando_bas(pos, FPS, music) == pytest.approx(_reference_ba(pos, music), abs=1e-12)
    beats, length = dance_beats_bailando(pos, FPS)
    assert length == 599 and beats.size > 3


def test_a_30_fps_motion_is_judged_at_60():
    motion = random_dance(seed=3, n_frames=600)
    half = motion.resample(30.0)
    music = np.arange(10, 590, 30)
    assert bailando_bas(half.positions(), 30.0, music) == pytest.approx(
        bailando_bas(motion.positions(), FPS, music), abs=0.15)


def test_music_beats_are_librosas_on_a_click_track():
    beats_s = 0.5 + 0.5 * np.arange(24)
    frames = music_beats_bailando(click_audio(beats_s, 13.0), 22050)
    assert len(frames) >= 20
    d = np.min(np.abs(frames[:, None] - beats_s[None, :] * FPS), axis=1)
    assert np.median(d) <= 2.0  # within two 60-fps frames of the clicks
    same = music_beats_bailando(
        __import__("librosa").resample(click_audio(beats_s, 13.0), orig_sr=22050, target_sr=BAILANDO_SR), BAILANDO_SR)
    assert np.array_equal(same, frames)


def test_both_scores_are_reported_and_a_dance_stopping_on_every_beat_is_warned(music_map):
    mm = music_map
    T = int(mm.duration_s * FPS)
    audio = (click_audio(mm.beats_s, mm.duration_s), 22050)
    tick = critique(make_motion(standing_root(T), rots=arm_circles(T, mm.beats_s)), mm, audio=audio)
    assert tick.metrics["beat_align_score"] > 0.9
    assert tick.metrics["bailando_beat_align_score"] > 0.5
    assert "Bailando's own protocol" in tick.metric_info["bailando_beat_align_score"]["label"]
    assert "counted beats" in tick.metric_info["beat_align_score"]["label"]
    warn = next(f for f in tick.fixes if f.metric == "beat_align_score")
    assert "far above recorded dancers" in warn.text and "by Bailando's protocol" in warn.text
    assert "warning" in warn.text and "settles on nearly every beat" in warn.text
    assert not [p for p in tick.praise if "beat" in p.metric]
    # settling between the beats instead (a perfectly steady speed would not do: rounding noise makes
    # strict minima everywhere, and the protocol counts them)
    between = critique(make_motion(standing_root(T), rots=arm_circles(T, mm.beats_s, shift_s=0.25)), mm, audio=audio)
    assert between.metrics["bailando_beat_align_score"] < 0.1
    assert not [f for f in between.fixes if "far above" in f.text]


def test_without_audio_the_protocol_figure_is_none(music_map, tmp_path, monkeypatch):
    mm = music_map
    T = int(mm.duration_s * FPS)
    motion = make_motion(standing_root(T), rots=arm_circles(T, mm.beats_s))
    assert critique(motion, mm).metrics["bailando_beat_align_score"] is None  # the map's source is ""
    with pytest.raises(ParameterError, match="audio '.*nowhere.wav' is not a file; give the song"):
        critique(motion, mm, audio=tmp_path / "nowhere.wav")
    with pytest.raises(ParameterError, match=r"audio must be a file or \(samples, sample rate in Hz\)"):
        critique(motion, mm, audio=(np.zeros(10), 22050.5))
    with pytest.raises(AudioError, match="the audio is only 0.0 s long"):
        critique(motion, mm, audio=(np.zeros(10, np.float32), 22050))


def test_the_music_maps_own_file_is_heard_once(music_map, tmp_path, monkeypatch):
    import soundfile as sf

    monkeypatch.setenv("KANAT_CACHE_DIR", str(tmp_path / "cache"))
    mm = music_map
    wav = tmp_path / "song.wav"
    sf.write(wav, click_audio(mm.beats_s, mm.duration_s), 22050)
    mm.source = str(wav)
    T = int(mm.duration_s * FPS)
    motion = make_motion(standing_root(T), rots=arm_circles(T, mm.beats_s))
    first = critique(motion, mm).metrics["bailando_beat_align_score"]
    assert first is not None and first > 0.5
    assert len(list((tmp_path / "cache" / "bailando_beats").glob("*.npy"))) == 1
    assert critique(motion, mm, audio=None).metrics["bailando_beat_align_score"] is None
    assert critique(motion, mm).metrics["bailando_beat_align_score"] == first


def test_a_long_piece_taken_a_block_at_a_time_gives_librosas_own_beats(monkeypatch):
    """Blocks for HPSS and a blockwise tempogram keep an hour's memory bounded; the beats stay the protocol's."""
    import librosa

    from kanat.critique import bailando

    rng = np.random.default_rng(4)
    y = click_audio(0.3 + (60.0 / 97.0) * np.arange(56), 36.0, sr=BAILANDO_SR)
    y = (y + 0.02 * rng.standard_normal(len(y))).astype(np.float32)
    _, percussive = librosa.effects.hpss(y)
    env = librosa.onset.onset_strength(y=percussive, aggregate=np.median, sr=BAILANDO_SR)
    _, expected = librosa.beat.beat_track(onset_envelope=env, sr=BAILANDO_SR)
    monkeypatch.setattr(bailando, "BLOCK_S", 8.0)  # four blocks of 8 s with 4 s either side
    got = music_beats_bailando(y, BAILANDO_SR)
    assert len(got) == len(expected) > 40
    assert np.abs(got - expected).max() <= 1
    tg = librosa.feature.tempogram(onset_envelope=env, sr=BAILANDO_SR, win_length=480).mean(axis=-1)
    np.testing.assert_allclose(bailando._mean_tempogram(env, block=500)[:, 0], tg, atol=1e-12)
