"""Reading audio: the good file, and one clear message for each bad one."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from kanat.errors import AudioError, KanatError, ParameterError
from kanat.listen import listen, load_audio


def test_load_demo_is_mono_float32(demo_path):
    y, sr = load_audio(demo_path)
    assert sr == 22050 and y.ndim == 1 and y.dtype == np.float32
    assert 60 <= len(y) / sr <= 100
    assert np.max(np.abs(y)) <= 1.0


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match=r"does not exist; check the path"):
        load_audio(tmp_path / "nope.wav")


def test_folder(tmp_path):
    with pytest.raises(AudioError, match=r"is a folder, not an audio file"):
        load_audio(tmp_path)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.ogg"
    p.write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty\.ogg.*is empty \(0 bytes\)"):
        load_audio(p)


def test_text_renamed_to_wav(tmp_path):
    p = tmp_path / "notes.wav"
    p.write_text("These are my rehearsal notes, not music.\n" * 5)
    with pytest.raises(AudioError, match=r"notes\.wav.*is a text file, not audio"):
        load_audio(p)


def test_garbage_bytes_named_wav(tmp_path):
    p = tmp_path / "noise.wav"
    p.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(AudioError, match=r"noise\.wav.*could not be decoded"):
        load_audio(p)


def test_one_second_clip(tmp_path):
    p = tmp_path / "clip.wav"
    t = np.arange(22050) / 22050
    sf.write(p, 0.5 * np.sin(2 * np.pi * 440 * t), 22050)
    with pytest.raises(AudioError, match=r"clip\.wav.*only 1\.0 s long; kanat needs at least 2 s"):
        load_audio(p)


def test_silent_file(tmp_path):
    p = tmp_path / "silence.flac"
    sf.write(p, np.zeros(22050 * 5), 22050)
    with pytest.raises(AudioError, match=r"silence\.flac.*contains no audible music"):
        load_audio(p)


def test_errors_are_kanat_errors_and_oserrors(tmp_path):
    with pytest.raises(KanatError):
        load_audio(tmp_path / "nope.mp3")
    with pytest.raises(OSError):
        load_audio(tmp_path / "nope.mp3")


def test_listen_array_needs_sample_rate():
    with pytest.raises(ParameterError, match=r"sr \(the sample rate in Hz\) is required"):
        listen(np.zeros(22050 * 3, dtype=np.float32))


def test_listen_short_array():
    with pytest.raises(AudioError, match=r"the audio is only 1\.0 s long"):
        listen(np.ones(22050, dtype=np.float32) * 0.1, sr=22050)


def test_listen_wrong_type():
    with pytest.raises(ParameterError, match=r"audio must be a file path or a numpy array"):
        listen(42)


def test_listen_reports_progress(make_click_track):
    y, _, _ = make_click_track(120, 4, bars=4)
    seen = []
    listen(y, sr=22050, progress=lambda f, msg: seen.append((f, msg)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert all(isinstance(msg, str) and msg for _, msg in seen)


def test_listen_imports_nothing_about_bodies_or_dance():
    code = (
        "import sys, kanat.listen; "
        "bad = [m for m in sys.modules if m.split('.')[:2] in "
        "(['kanat','body'],['kanat','compose'],['kanat','perform'],['kanat','vocabulary'],['kanat','render'],['kanat','critique'])]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_stream_taken_a_block_at_a_time_is_the_whole_taken_a_block_at_a_time():
    """blockwise_chunks (an hour streamed from its file) is blockwise of the joined audio, for any chunking."""
    import librosa

    from kanat.listen.audio import blockwise, blockwise_chunks

    y = np.random.default_rng(3).standard_normal(22050 * 9 + 123).astype(np.float32)

    def fn(b):
        return librosa.feature.rms(y=b, hop_length=256)

    whole = blockwise(fn, y, 256, sr=22050, block_s=2.0, margin_s=0.5)
    assert whole.shape == (1, 1 + len(y) // 256)
    for size in (1000, 22050, 10**7):
        chunks = (y[i : i + size] for i in range(0, len(y), size))
        assert np.array_equal(blockwise_chunks(fn, chunks, 256, sr=22050, block_s=2.0, margin_s=0.5), whole)
