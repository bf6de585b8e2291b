"""listen() on what users really drop in: silence, noise, a tiny clip, a damaged file, an hour of music.

Each case ends in a clear :class:`AudioError` or a sensible map, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import librosa
import numpy as np
import pytest
import soundfile as sf

from kanat.errors import AudioError
from kanat.listen import MusicMap, listen
from kanat.listen.audio import blockwise
from kanat.listen.beats import onset_envelope, strided_tempogram

SR = 22050


def _check_map(music: MusicMap) -> None:
    """Every per-beat array has one value per beat, and the map saves."""
    b = music.n_beats
    assert b >= 2
    assert np.all(np.diff(music.beats_s) > 0)
    for arr in (music.meter, music.beat_in_bar, music.counts, music.energy, music.accent):
        assert arr.shape == (b,)
    assert np.all((music.energy >= 0) & (music.energy <= 1))
    assert music.beats_per_bar in (2, 3, 4)
    assert music.phrases and music.phrases[0][0] == 0 and music.phrases[-1][1] == b - 1
    assert music.sections and music.sections[0]["start_s"] == music.beats_s[0]


def test_silent_file_is_refused(tmp_path):
    p = tmp_path / "silence.wav"
    sf.write(p, np.zeros(SR * 10, dtype=np.float32), SR)
    with pytest.raises(AudioError, match=r"silence\.wav.*contains no audible music \(it is silent\)"):
        listen(p)


def test_near_silent_array_is_refused():
    hiss = 1e-4 * np.random.default_rng(0).standard_normal(SR * 5).astype(np.float32)
    with pytest.raises(AudioError, match=r"the audio contains no audible music"):
        listen(hiss, sr=SR)


def test_white_noise_gives_a_flagged_fallback_map(tmp_path):
    noise = (0.3 * np.random.default_rng(1).standard_normal(SR * 20)).astype(np.float32)
    music = listen(noise, sr=SR)
    _check_map(music)
    assert music.extras["beats_fallback"] is True
    assert music.extras["pulse_clarity"] < 0.3
    assert "no steady beat was heard" in music.extras["warning"]
    np.testing.assert_allclose(np.diff(music.beats_s), 0.5)  # the steady 120 BPM grid
    back = MusicMap.load(music.save(tmp_path / "noise.json"))
    assert back.extras["beats_fallback"] is True


def test_music_is_not_flagged(make_click_track):
    y, _, _ = make_click_track(120, 3, bars=8)
    music = listen(y, sr=SR)
    assert music.extras["beats_fallback"] is False
    assert music.extras["pulse_clarity"] > 0.5
    assert "warning" not in music.extras


def test_two_second_clip_gives_a_small_map(tmp_path, make_click_track):
    y, _, _ = make_click_track(120, 4, bars=4, lead_s=0.1)
    p = tmp_path / "clip.wav"
    sf.write(p, y[: 2 * SR], SR)
    music = listen(p)
    _check_map(music)
    assert music.duration_s == pytest.approx(2.0, abs=0.01)
    assert np.all(music.beats_s < 2.0)


def test_a_little_under_two_seconds_is_refused(tmp_path, make_click_track):
    y, _, _ = make_click_track(120, 4, bars=4)
    p = tmp_path / "clip.wav"
    sf.write(p, y[: int(1.9 * SR)], SR)
    with pytest.raises(AudioError, match=r"only 1\.9 s long; kanat needs at least 2 s"):
        listen(p)


def test_truncated_ogg_header(tmp_path, demo_path):
    p = tmp_path / "cut.ogg"
    p.write_bytes(demo_path.read_bytes()[:300])
    with pytest.raises(AudioError, match=r"cut\.ogg.*could not be decoded \(it looks like ogg but is damaged"):
        listen(p)


def test_truncated_wav_header(tmp_path, make_click_track):
    y, _, _ = make_click_track(120, 3, bars=4)
    whole = tmp_path / "whole.wav"
    sf.write(whole, y, SR)
    p = tmp_path / "cut.wav"
    p.write_bytes(whole.read_bytes()[:30])  # the RIFF header stops inside its format chunk
    with pytest.raises(AudioError, match=r"cut\.wav.*could not be decoded \(it looks like wav but is damaged"):
        listen(p)


def test_wav_cut_short_inside_its_data(tmp_path, make_click_track):
    y, _, _ = make_click_track(120, 3, bars=8)
    whole = tmp_path / "whole.wav"
    sf.write(whole, y, SR, subtype="PCM_16")
    data = whole.read_bytes()
    short = tmp_path / "short.wav"
    short.write_bytes(data[: 44 + 2 * SR // 2])  # half a second of samples left
    with pytest.raises(AudioError, match=r"short\.wav.*only 0\.5 s long"):
        listen(short)
    half = tmp_path / "half.wav"
    half.write_bytes(data[: 44 + 2 * 6 * SR])  # six seconds left: analyse what is there
    music = listen(half)
    _check_map(music)
    assert music.duration_s == pytest.approx(6.0, abs=0.05)


def test_blockwise_features_match_one_piece(make_click_track):
    y, _, _ = make_click_track(100, 3, bars=24)  # about 44 s
    whole = onset_envelope(y, SR)
    parts = blockwise(
        lambda b: librosa.onset.onset_strength(y=b, sr=SR, hop_length=256, n_fft=1024, aggregate=np.median, n_mels=128),
        y, 256, block_s=10.0, margin_s=2.0,
    )
    assert parts.shape == whole.shape
    # the same except for each block's own 80 dB floor: nearly every frame agrees
    assert np.mean(np.isclose(parts, whole, rtol=1e-3, atol=1e-3 * whole.max())) > 0.98
    rms_whole = librosa.feature.rms(y=y, frame_length=1024, hop_length=256)[0]
    rms_parts = blockwise(lambda b: librosa.feature.rms(y=b, frame_length=1024, hop_length=256)[0], y, 256, block_s=7.0, margin_s=1.0)
    np.testing.assert_allclose(rms_parts, rms_whole, rtol=1e-4, atol=1e-6)


def test_strided_tempogram_matches_librosa():
    env = np.random.default_rng(2).random(3000).astype(np.float32)
    full = librosa.feature.tempogram(onset_envelope=env, sr=SR, hop_length=256, win_length=400)
    part, frames = strided_tempogram(env, 400, 21, block=40)
    np.testing.assert_allclose(part, full[:, frames], atol=1e-5)


_HOUR = textwrap.dedent(
    """
    import json, resource, sys, time
    import numpy as np, soundfile as sf
    from kanat.listen import listen

    path, minutes = sys.argv[1], float(sys.argv[2])
    sr = 44100
    rng = np.random.default_rng(0)
    n = int(0.05 * sr)
    t = np.arange(n) / sr
    click = (np.sin(2 * np.pi * 880 * t) * np.exp(-t / 0.01)).astype(np.float32)
    thump = (np.sin(2 * np.pi * 110 * t) * np.exp(-t / 0.05)).astype(np.float32)
    period = sr // 2
    bar = np.zeros(3 * period, np.float32)  # a waltz bar at 120 BPM
    bar[:n] += 0.6 * click + 0.6 * thump
    bar[period : period + n] += 0.3 * click
    bar[2 * period : 2 * period + n] += 0.3 * click
    noise = 0.01 * rng.standard_normal(40 * len(bar)).astype(np.float32)
    minute = np.tile(bar, 40) + noise
    with sf.SoundFile(path, "w", samplerate=sr, channels=1, format="WAV", subtype="PCM_16") as f:
        for _ in range(int(minutes)):
            f.write(minute)
    t0 = time.perf_counter()
    music = listen(path)
    print(json.dumps({
        "seconds": time.perf_counter() - t0,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "duration_s": music.duration_s,
        "n_beats": music.n_beats,
        "beats_per_bar": music.beats_per_bar,
        "tempo_bpm": music.tempo_bpm,
    }))
    """
)


def test_an_hour_of_music_in_bounded_memory(tmp_path):
    """A 60-minute 44.1 kHz file: read, resampled and analysed a block at a time.

    Peak memory of the whole process (Python, numpy, librosa and the hour of
    mono 22 kHz samples, about 320 MB, included) stays under 1.5 GB; about
    0.75 GB was measured. Takes about 30 s on two idle cores.
    """
    path = tmp_path / "hour.wav"
    result = subprocess.run(
        [sys.executable, "-c", _HOUR, str(path), "60"], capture_output=True, text=True, timeout=400
    )
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["peak_mb"] < 1500, got
    assert got["duration_s"] == pytest.approx(3600.0, abs=1.0)
    assert got["beats_per_bar"] == 3
    assert got["tempo_bpm"] == pytest.approx(120.0, rel=0.02)
    assert abs(got["n_beats"] - 7200) < 20, got
