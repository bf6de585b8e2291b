"""Reading music files, with one clear message for everything that can go wrong.

Conventions
-----------
- Audio in kanat.listen is mono ``float32`` in [-1, 1], shape (N,), at
  :data:`SAMPLE_RATE` Hz unless a caller asks for another rate.
- Checks run cheapest first: the path exists, is a file, is not empty, starts
  like an audio file (a few header bytes), lasts long enough (from the file's
  header, before decoding), then decodes, then is audible.
- Every failure raises :class:`kanat.errors.AudioError` saying what was wrong,
  naming the path, and what to do.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from kanat.errors import AudioError, ParameterError

SAMPLE_RATE = 22050
#: Shortest music kanat will analyse, in seconds.
MIN_DURATION_S = 2.0
#: Loudest sample below which a file is taken as silent (about -60 dBFS).
SILENCE_PEAK = 1e-3
SUPPORTED = "wav, flac, ogg or mp3"

_MAGIC = (
    (b"RIFF", "wav"),
    (b"RF64", "wav"),
    (b"fLaC", "flac"),
    (b"OggS", "ogg"),
    (b"ID3", "mp3"),
    (b"FORM", "aiff"),
    (b"caff", "caf"),
)


def sniff_format(head: bytes) -> str | None:
    """Guess an audio container from a file's first bytes.

    Parameters
    ----------
    head : bytes
        At least the first 12 bytes of the file.

    Returns
    -------
    kind : str or None
        ``"wav"``, ``"flac"``, ``"ogg"``, ``"mp3"``, ``"aiff"``, ``"caf"``,
        ``"mp4"``, or None when the bytes look like no known audio format.
    """
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:
        return "mp3"  # MPEG frame sync without an ID3 tag
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return "mp4"
    return None


def _looks_like_text(head: bytes) -> bool:
    """True when ``head`` decodes as UTF-8 text with only printable characters."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\r\n\t" for c in text)


def check_file(path: str | os.PathLike) -> Path:
    """Cheap checks of an audio path, before any decoding.

    Raises
    ------
    AudioError
        If the file is missing, a folder, empty, or plainly not audio.
    """
    p = Path(path)
    if not p.exists():
        raise AudioError(f"audio file {str(p)!r} does not exist; check the path and give a {SUPPORTED} file")
    if p.is_dir():
        raise AudioError(f"{str(p)!r} is a folder, not an audio file; give the path of a {SUPPORTED} file inside it")
    size = p.stat().st_size
    if size == 0:
        raise AudioError(f"audio file {str(p)!r} is empty (0 bytes); export the music again or choose another file")
    with p.open("rb") as f:
        head = f.read(512)
    if sniff_format(head) is None and _looks_like_text(head):
        raise AudioError(
            f"{str(p)!r} is a text file, not audio (it starts with {head[:24]!r}); give a {SUPPORTED} music file"
        )
    return p


def _too_short(p: Path | None, seconds: float) -> AudioError:
    where = f"audio file {str(p)!r}" if p is not None else "the audio"
    return AudioError(
        f"{where} is only {seconds:.1f} s long; kanat needs at least {MIN_DURATION_S:g} s of music "
        "to find its beats; give a longer piece"
    )


def check_signal(y: np.ndarray, sr: int, *, path: Path | None = None) -> np.ndarray:
    """Check decoded audio is long enough and audible; return it as mono float32.

    Parameters
    ----------
    y : np.ndarray, shape (N,) or (C, N)
        Audio samples.
    sr : int
        Sample rate in Hz.
    path : Path, optional
        The file the audio came from, for messages.

    Returns
    -------
    y : np.ndarray, shape (N,)
        Mono float32.

    Raises
    ------
    AudioError
        Shorter than :data:`MIN_DURATION_S`, silent, or not finite.
    """
    where = f"audio file {str(path)!r}" if path is not None else "the audio"
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 2:
        y = y.mean(axis=0)
    if y.ndim != 1:
        raise AudioError(f"{where} has shape {y.shape}; expected mono samples (N,) or channels (C, N)")
    if y.shape[0] < MIN_DURATION_S * sr:
        raise _too_short(path, y.shape[0] / sr)
    if not np.all(np.isfinite(y)):
        raise AudioError(f"{where} contains invalid samples (NaN or infinity); export the music again")
    if float(np.max(np.abs(y))) < SILENCE_PEAK:
        raise AudioError(f"{where} contains no audible music (it is silent); check the file plays, or choose another one")
    return y


def load_audio(path: str | os.PathLike, *, sr: int = SAMPLE_RATE) -> tuple[np.ndarray, int]:
    """Read a music file as mono audio.

    Parameters
    ----------
    path : str or PathLike
        A wav, flac, ogg or mp3 file (anything libsndfile or audioread decodes).
    sr : int
        Sample rate to resample to, in Hz.

    Returns
    -------
    y : np.ndarray, shape (N,)
        Mono float32 samples in [-1, 1].
    sr : int
        The sample rate of ``y`` in Hz.

    Raises
    ------
    AudioError
        The file is missing, a folder, empty, not audio, shorter than
        :data:`MIN_DURATION_S` or silent.

    Examples
    --------
    >>> import kanat, pathlib
    >>> y, sr = load_audio(pathlib.Path(kanat.__file__).parent / "data" / "demo.ogg")
    """
    if not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ParameterError(f"sr must be a positive whole number of Hz, got {sr!r}")
    p = check_file(path)

    import soundfile as sf

    # duration from the header first: refuse a 1-second clip before decoding it
    try:
        info = sf.info(str(p))
    except Exception:  # noqa: BLE001 - libsndfile raises several types; audioread may still manage
        info = None
    if info is not None and info.samplerate > 0 and info.frames >= 0:
        if info.frames / info.samplerate < MIN_DURATION_S:
            raise _too_short(p, info.frames / info.samplerate)

    import librosa

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # librosa warns when it falls back to audioread
            y, got_sr = librosa.load(str(p), sr=sr, mono=True)
    except Exception as exc:  # noqa: BLE001 - decoders raise many types; all mean "not readable audio"
        kind = sniff_format(p.open("rb").read(16))
        hint = f"it looks like {kind} but is damaged or unsupported" if kind else "it is not a recognised audio format"
        raise AudioError(
            f"audio file {str(p)!r} could not be decoded ({hint}: {type(exc).__name__}); "
            f"convert it to {SUPPORTED} and try again"
        ) from None
    return check_signal(y, int(got_sr), path=p), int(got_sr)
