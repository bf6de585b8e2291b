"""Bailando's beat-align score exactly as its authors compute it: music beats from librosa, dance beats from the body.

Conventions
-----------
- Source: Li et al., "Bailando: 3D Dance Generation by Actor-Critic GPT with
  Choreographic Memory", CVPR 2022; code github.com/lisiyao21/Bailando:

  * music beats (``extractor.py``, ``FeatureExtractor.get_hpss``,
    ``get_onset_strength``, ``get_onset_beat``; ``_prepro_aistpp_music.py``,
    column 53 of ``music_array``): the audio at 15360 * 2 = 30720 Hz, so that
    librosa's default hop of 512 samples is one 60-fps motion frame;
    ``librosa.effects.hpss``, the percussive part's
    ``librosa.onset.onset_strength(aggregate=np.median)``, and
    ``librosa.beat.beat_track(onset_envelope=..., sr=...)``; its beat frames
    are motion frames;
  * dance beats (``utils/beat_align_score.py``, ``calc_db``): the joints'
    displacement from each frame to the next (a forward difference), averaged
    over the 24 joints, smoothed by ``gaussian_filter(..., 5)``, and its
    strict local minima (``argrelextrema(..., np.less)``);
  * the score (``BA``): the mean over music beats of
    exp(-min_k (dance_k - music)^2 / (2 * 9)), i.e. sigma = 3 frames (50 ms),
    music beats kept below the number of velocity frames (``get_mb(key, length)``).

  Recorded dancers (the AIST++ ground truth) score 0.24 on it (Bailando's
  table; 0.17-0.24 across the papers that use it); a score far above that
  means the body stops on every beat, not that it is more musical.
- The music beats are kept in kanat's cache by the audio's content (HPSS of a
  long piece takes seconds), beside the vocabulary's cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter1d

from kanat.critique.metrics import nearest_gap, resample_positions, strict_minima
from kanat.listen.audio import blockwise

#: Bailando's motion frame rate, and the sample rate that makes librosa's hop of 512 samples one frame.
BAILANDO_FPS = 60.0
BAILANDO_SR = 15360 * 2
HOP = 512
#: Seconds of music taken at a time (HPSS of one block holds about 5 MB a second).
BLOCK_S = 40.0
#: ``calc_db``'s Gaussian (frames) and ``BA``'s 2 sigma^2 = 2 * 9 (sigma 3 frames).
SMOOTH_FRAMES, SIGMA_FRAMES = 5.0, 3.0
#: Recorded dancers score 0.17-0.24; from here on a beat-align score is a warning, not praise.
FAR_ABOVE_RECORDED = 0.30


def _percussive_onsets(y: np.ndarray) -> np.ndarray:
    """Bailando's onset envelope: the median onset strength of the percussive part (HPSS) of ``y``."""
    import librosa

    _, percussive = librosa.effects.hpss(y)
    return librosa.onset.onset_strength(y=percussive, aggregate=np.median, sr=BAILANDO_SR, hop_length=HOP)


def music_beats_bailando(y: np.ndarray, sr: int) -> np.ndarray:
    """Music beats as Bailando extracts them, frame indices at 60 fps, shape (B,).

    y : np.ndarray, shape (N,), mono audio; resampled to 30720 Hz when ``sr`` differs.

    A piece longer than :data:`BLOCK_S` is taken a block at a time (with
    4 s on either side, far more than HPSS's median filter and the STFT see),
    so memory stays that of a block: HPSS of a whole hour held 15 GB.
    """
    import librosa

    y = np.asarray(y, dtype=np.float32)
    if int(sr) != BAILANDO_SR:
        y = librosa.resample(y, orig_sr=int(sr), target_sr=BAILANDO_SR)
    return _beats_of(blockwise(_percussive_onsets, y, HOP, sr=BAILANDO_SR, block_s=BLOCK_S))


def _beats_of(envelope: np.ndarray) -> np.ndarray:
    """librosa's beats (60-fps frames) of Bailando's onset envelope."""
    import librosa

    if not envelope.any():
        return np.zeros(0, dtype=int)
    # librosa's beat_track with its own tempo estimate (the mean autocorrelation tempogram), which
    # it would compute over the whole piece at once (a 60-minute envelope: gigabytes); the same
    # mean, summed a block of frames at a time, is given to it as ``bpm``
    bpm = librosa.feature.tempo(tg=_mean_tempogram(envelope), sr=BAILANDO_SR, hop_length=HOP)
    _, beats = librosa.beat.beat_track(onset_envelope=envelope, sr=BAILANDO_SR, hop_length=HOP, bpm=float(bpm[0]))
    return np.asarray(beats, dtype=int)


def _mean_tempogram(envelope: np.ndarray, *, block: int = 8192) -> np.ndarray:
    """``librosa.feature.tempogram(onset_envelope=envelope)`` (8-s windows, centred) averaged over frames, shape (W, 1).

    Computed ``block`` frames at a time on the envelope padded as librosa pads it, so that
    memory is one block's tempogram however long the piece.
    """
    import librosa

    win = int(librosa.time_to_frames(8.0, sr=BAILANDO_SR, hop_length=HOP))
    n = envelope.shape[-1]
    padded = np.pad(envelope, (win // 2, win // 2), mode="linear_ramp", end_values=[0, 0])
    total = np.zeros(win)
    for a in range(0, n, block):
        b = min(n, a + block)
        tg = librosa.feature.tempogram(onset_envelope=padded[a : b + win - 1], sr=BAILANDO_SR, hop_length=HOP,
                                       win_length=win, center=False)
        total += tg[:, : b - a].sum(axis=-1)
    return (total / n)[:, None]


def music_beats_of_file(path: str | os.PathLike) -> np.ndarray:
    """:func:`music_beats_bailando` of an audio file, cached by the file's content."""
    import librosa

    from kanat.listen.audio import blockwise_chunks, load_audio, stream_audio
    from kanat.vocabulary.cache import cache_dir

    h = hashlib.sha256()
    with open(path, "rb") as f:  # an hour of WAV is 0.6 GB: hashed a megabyte at a time, never held
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    h.update(f" bailando 1 librosa {librosa.__version__}".encode())
    key = h.hexdigest()
    cached = cache_dir() / "bailando_beats" / f"{key}.npy"
    try:
        return np.load(cached)
    except (OSError, ValueError):
        pass
    chunks = stream_audio(path, sr=BAILANDO_SR)
    if chunks is not None:  # a long file: decoded, resampled and heard a block at a time, never whole
        beats = _beats_of(blockwise_chunks(_percussive_onsets, chunks, HOP, sr=BAILANDO_SR, block_s=BLOCK_S))
    else:
        y, sr = load_audio(path, sr=BAILANDO_SR)
        beats = music_beats_bailando(y, sr)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, beats)
        os.replace(tmp, cached)
    except OSError:
        pass  # a cache that cannot be written is no cache
    return beats


def dance_beats_bailando(positions: np.ndarray, fps: float) -> tuple[np.ndarray, int]:
    """Dance beats as ``calc_db`` finds them: (frame indices at 60 fps, number of velocity frames).

    positions : np.ndarray, shape (T, 24, 3), metres, at ``fps`` (resampled to 60 fps).
    """
    p = resample_positions(positions, fps, BAILANDO_FPS)
    if p.shape[0] < 2:
        return np.zeros(0, dtype=int), 0
    velocity = np.linalg.norm(p[1:] - p[:-1], axis=-1).mean(axis=1)
    return strict_minima(gaussian_filter1d(velocity, SMOOTH_FRAMES)), int(velocity.shape[0])


def bailando_bas(positions: np.ndarray, fps: float, music_beat_frames: np.ndarray) -> float | None:
    """Bailando's beat-align score of a dance on its music, in [0, 1].

    music_beat_frames : np.ndarray of int, shape (B,), from :func:`music_beats_bailando`.
    Returns None when no music beat falls inside the motion; 0 when the body
    never settles (no dance beat: the reference would fail on an empty minimum).
    """
    dance, length = dance_beats_bailando(positions, fps)
    music = np.asarray(music_beat_frames, dtype=float)
    music = music[(music >= 0) & (music < length)]
    if music.size == 0:
        return None
    if dance.size == 0:
        return 0.0
    d2 = nearest_gap(music, dance) ** 2
    return float(np.mean(np.exp(-d2 / (2.0 * SIGMA_FRAMES**2))))
