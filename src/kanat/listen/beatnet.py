"""A small beat and downbeat network, trained here on rendered scores, run in numpy.

Conventions
-----------
- Input: mono audio at :data:`SR` Hz; frames every :data:`HOP` samples
  (about 23 ms), centred. :func:`features` gives the network's input: 64
  log-mel bands (30 Hz - 11 kHz, scaled by the piece's loudest frame) and
  their positive change from the frame before, shape (T, 128).
- Output of :func:`activations`: per frame, how much a counted beat and a
  downbeat ("1") sound to start there, each in [0, 1], shape (T, 2).
- Architecture (a temporal convolutional network after Davies and Böck,
  2019): a 3-frame convolution to :data:`CHANNELS` channels, then
  residual blocks of a 5-tap dilated convolution (dilations 1, 2, 4, ...)
  and a 1x1 convolution, ELU throughout, then a 1x1 convolution to the two
  outputs and a sigmoid. The receptive field is about 24 s either side.
- Weights: ``kanat/data/beatnet.npz``, made by ``scripts/train_beats.py``
  (PyTorch, at build time only) from excerpts rendered by
  ``scripts/make_beat_data.py``: public-domain scores from music21's corpus
  played by FluidSynth with FluidR3_GM (MIT) on many General MIDI
  instruments. Nothing is downloaded; no third-party weights are used.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

SR = 22050
HOP = 512
N_FFT = 2048
N_MELS = 64
CHANNELS = 32
WEIGHTS = Path(__file__).resolve().parents[1] / "data" / "beatnet.npz"


def features(y: np.ndarray, sr: int = SR) -> np.ndarray:
    """The network's input for mono audio ``y`` (at ``sr`` = :data:`SR`), shape (T, 128).

    T is ``1 + len(y) // HOP``; frame ``t`` is centred on sample ``t * HOP``.
    """
    import librosa

    from kanat.listen.audio import blockwise

    def mel(block: np.ndarray) -> np.ndarray:
        return librosa.feature.melspectrogram(
            y=block, sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, fmin=30.0, fmax=11000.0, power=1.0
        )

    m = blockwise(mel, np.asarray(y, dtype=np.float32), HOP, sr=sr)
    m = np.log1p(1000.0 * m / (m.max() + 1e-9))
    diff = np.maximum(0.0, np.diff(m, axis=1, prepend=m[:, :1]))
    return np.concatenate([m, diff], axis=0).T.astype(np.float32)


def load_weights() -> dict[str, np.ndarray] | None:
    """The trained weights (:data:`WEIGHTS`) as arrays, or None when the file is not there."""
    return _load(str(WEIGHTS))


@functools.lru_cache(maxsize=2)
def _load(path: str) -> dict[str, np.ndarray] | None:
    p = Path(path)
    if not p.is_file():
        return None
    with np.load(p) as data:
        return {k: data[k].astype(np.float32) for k in data.files}


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, dilation: int = 1) -> np.ndarray:
    """1-D convolution, 'same' padding: x (C_in, T), w (C_out, C_in, K), b (C_out,) -> (C_out, T)."""
    k = w.shape[2]
    pad = dilation * (k - 1) // 2
    xp = np.pad(x, ((0, 0), (pad, pad)))
    t = x.shape[1]
    out = np.broadcast_to(b[:, None], (w.shape[0], t)).copy()
    for j in range(k):
        out += w[:, :, j] @ xp[:, j * dilation : j * dilation + t]
    return out


def _elu(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))


def activations(feats: np.ndarray, weights: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Beat and downbeat activations for :func:`features` output, shape (T, 2), in [0, 1].

    Raises
    ------
    FileNotFoundError
        The weights file is missing (a broken install).
    """
    weights = weights or load_weights()
    if weights is None:
        raise FileNotFoundError(f"{WEIGHTS} is missing: reinstall kanat")
    x = _elu(_conv(feats.T, weights["in.w"], weights["in.b"]))
    n_blocks = int(weights["n_blocks"])
    for i in range(n_blocks):
        h = _elu(_conv(x, weights[f"b{i}.dil.w"], weights[f"b{i}.dil.b"], dilation=2**i))
        x = x + _conv(h, weights[f"b{i}.mix.w"], weights[f"b{i}.mix.b"])
        x = _elu(x)
    logits = _conv(x, weights["out.w"], weights["out.b"])
    return (1.0 / (1.0 + np.exp(-logits))).T
