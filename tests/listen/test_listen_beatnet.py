"""The beat network: its numpy inference, its shipped weights, and what it hears."""

from __future__ import annotations

import numpy as np
import pytest

from kanat.listen import analyze, beatnet, listen

SR = 22050


def test_dilated_convolution_matches_the_definition():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 20)).astype(np.float32)
    w = rng.standard_normal((4, 3, 5)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    d = 2
    got = beatnet._conv(x, w, b, dilation=d)
    xp = np.pad(x, ((0, 0), (2 * d, 2 * d)))
    want = np.stack([[b[o] + sum(w[o, i, j] * xp[i, t + j * d] for i in range(3) for j in range(5)) for t in range(20)]
                     for o in range(4)])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_shipped_weights_have_the_documented_shape():
    w = beatnet.load_weights()
    assert w is not None, "kanat/data/beatnet.npz is missing"
    assert w["in.w"].shape == (beatnet.CHANNELS, 2 * beatnet.N_MELS, 3)
    n = int(w["n_blocks"])
    assert n >= 6
    for i in range(n):
        assert w[f"b{i}.dil.w"].shape == (beatnet.CHANNELS, beatnet.CHANNELS, 5)
    assert w["out.w"].shape == (2, beatnet.CHANNELS, 1)
    assert all(np.all(np.isfinite(v)) for v in w.values())


def _waltz(synth, bars: int = 24, bpm: float = 126.0):
    spq = 60.0 / bpm
    rng = np.random.default_rng(2)
    notes = []
    for k in range(bars):
        q = 3 * k
        root = (48, 53, 55, 48)[k % 4]
        notes.append((0.5 + q * spq, 0.5 + (q + 2.8) * spq, root, 100))
        for j in (1, 2):
            notes += [(0.5 + (q + j) * spq, 0.5 + (q + j + 0.8) * spq, root + p, 60) for p in (16, 19)]
        notes.append((0.5 + q * spq, 0.5 + (q + 2) * spq, 72 + int(rng.integers(-3, 4)), 85))
    y = synth(notes, 0.5 + 3 * bars * spq + 1.0, sr=SR)
    beats = 0.5 + spq * np.arange(3 * bars)
    return y, beats


def test_it_hears_beats_and_downbeats(synth):
    y, beats = _waltz(synth)
    act = beatnet.activations(beatnet.features(y))
    assert act.shape[1] == 2 and np.all((act >= 0) & (act <= 1))
    frames = np.round(beats * SR / beatnet.HOP).astype(int)
    on_beat = np.array([act[f - 1 : f + 2, 0].max() for f in frames])
    assert on_beat.mean() > 4 * act[:, 0].mean()
    down = np.array([act[f - 1 : f + 2, 1].max() for f in frames])
    assert down[::3].mean() > 2 * np.delete(down, np.s_[::3]).mean()


def test_without_the_network_the_signal_processing_still_counts(synth, monkeypatch):
    import mir_eval

    y, beats = _waltz(synth)
    monkeypatch.setattr(analyze, "USE_NETWORK", False)
    music = listen(y, sr=SR)
    assert music.beats_per_bar == 3
    assert mir_eval.beat.f_measure(beats, music.beats_s) >= 0.9


def test_missing_weights_fall_back_to_signal_processing(synth, monkeypatch, tmp_path):
    y, _ = _waltz(synth, bars=8)
    monkeypatch.setattr(beatnet, "WEIGHTS", tmp_path / "none.npz")
    assert analyze._network(y, SR, 100) is None
    with pytest.raises(FileNotFoundError, match="reinstall"):
        beatnet.activations(np.zeros((10, 2 * beatnet.N_MELS), np.float32))
    assert listen(y, sr=SR).beats_per_bar == 3
