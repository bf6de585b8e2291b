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
#: Long music is analysed this many seconds at a time (see :func:`blockwise`),
#: so memory stays bounded whatever the length.
BLOCK_S = 120.0
#: Files longer than this (seconds) are decoded, mixed to mono and resampled
#: a block at a time, so a long file never sits in memory at its own rate.
STREAM_ABOVE_S = 600.0
#: Extra audio either side of a block, so frame features near its edges are whole.
MARGIN_S = 4.0

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


def _read_stream(p: Path, sr: int, file_sr: int, frames: int) -> tuple[np.ndarray, int]:
    """Decode a long file block by block into mono ``float32`` at ``sr`` Hz, shape (N,)."""
    out = np.empty(int(np.ceil(frames * sr / file_sr)) + 16, dtype=np.float32)
    filled = 0
    for chunk in _stream_chunks(p, sr, file_sr):
        if filled + len(chunk) > len(out):
            out = np.concatenate([out[:filled], np.empty(len(chunk) + 16, dtype=np.float32)])
        out[filled : filled + len(chunk)] = chunk
        filled += len(chunk)
    return out[:filled], sr


def _stream_chunks(p: Path, sr: int, file_sr: int):
    """The file's mono ``float32`` samples at ``sr`` Hz, :data:`BLOCK_S` of the file at a time."""
    import soundfile as sf
    import soxr

    stream = soxr.ResampleStream(file_sr, sr, 1, dtype="float32", quality="HQ") if file_sr != sr else None
    block = int(BLOCK_S * file_sr)
    with sf.SoundFile(str(p)) as f:
        while True:
            x = f.read(block, dtype="float32", always_2d=True)
            last = len(x) < block
            mono = x.mean(axis=1)
            del x
            yield stream.resample_chunk(mono, last=last) if stream is not None else mono
            if last:
                break


def stream_audio(path: str | os.PathLike, *, sr: int = SAMPLE_RATE):
    """A long file's samples as :func:`load_audio` reads them, in chunks (an iterator), or None.

    None when the file is short enough to be read whole (:data:`STREAM_ABOVE_S`) or
    libsndfile cannot read it; then use :func:`load_audio`.
    """
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except Exception:  # noqa: BLE001 - libsndfile raises several types
        return None
    if info.samplerate <= 0 or info.frames / info.samplerate <= STREAM_ABOVE_S:
        return None
    return _stream_chunks(Path(path), sr, info.samplerate)


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
        if info is not None and info.samplerate > 0 and info.frames / info.samplerate > STREAM_ABOVE_S:
            y, got_sr = _read_stream(p, sr, info.samplerate, info.frames)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # librosa warns when it falls back to audioread
                y, got_sr = librosa.load(str(p), sr=sr, mono=True)
    except MemoryError:
        raise AudioError(
            f"audio file {str(p)!r} is too long to analyse in this computer's memory; cut it into shorter pieces"
        ) from None
    except Exception as exc:  # noqa: BLE001 - decoders raise many types; all mean "not readable audio"
        if "not finite" in str(exc):  # librosa's resampler refuses NaN or infinite samples
            raise AudioError(f"audio file {str(p)!r} contains invalid samples (NaN or infinity); "
                             "export the music again") from None
        kind = sniff_format(p.open("rb").read(16))
        hint = f"it looks like {kind} but is damaged or unsupported" if kind else "it is not a recognised audio format"
        raise AudioError(
            f"audio file {str(p)!r} could not be decoded ({hint}: {type(exc).__name__}); "
            f"convert it to {SUPPORTED} and try again"
        ) from None
    return check_signal(y, int(got_sr), path=p), int(got_sr)


def blockwise(fn, y: np.ndarray, hop_length: int, *, sr: int = SAMPLE_RATE, block_s: float = BLOCK_S, margin_s: float = MARGIN_S) -> np.ndarray:
    """Apply a centred frame feature ``fn`` to long audio a block at a time.

    Parameters
    ----------
    fn : callable(np.ndarray of shape (n,)) -> np.ndarray of shape (..., 1 + n // hop_length)
        A feature with centred frames (frame ``t`` at sample ``t * hop_length``),
        such as ``librosa.onset.onset_strength`` or ``librosa.feature.rms``.
    y : np.ndarray, shape (N,)
        Mono audio.
    hop_length : int
        Samples per frame of ``fn``'s output.
    sr : int
        Sample rate in Hz (only to turn the block and margin into samples).
    block_s, margin_s : float
        Block length and the extra audio read either side of it, in seconds.

    Returns
    -------
    feature : np.ndarray, shape (..., 1 + N // hop_length)
        ``fn(y)`` for audio up to one block long; otherwise the blocks' middles
        joined. Features that depend only on a few seconds around a frame come
        out the same as in one piece, except where ``fn`` scales by the
        block's own maximum (a dB floor, say).
    """
    return blockwise_chunks(fn, [y], hop_length, sr=sr, block_s=block_s, margin_s=margin_s)


def blockwise_chunks(fn, chunks, hop_length: int, *, sr: int = SAMPLE_RATE, block_s: float = BLOCK_S,
                     margin_s: float = MARGIN_S) -> np.ndarray:
    """:func:`blockwise` of the audio that ``chunks`` (an iterable of 1-D arrays, in order) add up to.

    Only a block and its margins are held at a time, so a long file streamed in
    (:func:`stream_audio`) never sits in memory whole; the result is the same
    as :func:`blockwise` of the joined audio.
    """
    block = max(1, int(block_s * sr) // hop_length) * hop_length
    margin = max(1, int(margin_s * sr) // hop_length) * hop_length
    feed = _Feed(chunks)
    feed.fill(block + 2 * int(margin_s * sr) + 1)
    if feed.done and feed.end <= block + 2 * int(margin_s * sr):
        return fn(feed.buf)
    pieces, s0 = [], 0
    while True:
        feed.fill(s0 + block + margin)
        if feed.done and s0 >= feed.end:
            break
        b0 = max(0, s0 - margin)
        out = fn(feed.samples(b0, min(feed.end, s0 + block + margin)))
        g0, g1 = s0 // hop_length, (s0 + block) // hop_length
        if feed.done:
            g1 = min(1 + feed.end // hop_length, g1)
        j0 = g0 - b0 // hop_length
        piece = out[..., j0 : j0 + (g1 - g0)]
        if piece.shape[-1] < g1 - g0:  # the last frame(s) of a short final block
            pad = [(0, 0)] * (piece.ndim - 1) + [(0, g1 - g0 - piece.shape[-1])]
            piece = np.pad(piece, pad, mode="edge")
        pieces.append(piece)
        s0 += block
        feed.drop_before(max(0, s0 - margin))
    return np.concatenate(pieces, axis=-1)


class _Feed:
    """Samples arriving in chunks: ``buf`` holds samples ``start`` to ``end`` of the whole."""

    def __init__(self, chunks):
        self._it = iter(chunks)
        self.buf: np.ndarray | None = None
        self.start = 0
        self.done = False
        self._joined = False  # buf was made here (joined chunks): a view into it would keep it all alive

    @property
    def end(self) -> int:
        return self.start + (0 if self.buf is None else len(self.buf))

    def fill(self, upto: int) -> None:
        parts = [] if self.buf is None else [self.buf]
        end = self.end
        while not self.done and end < upto:
            chunk = next(self._it, None)
            if chunk is None:
                self.done = True
            else:
                parts.append(np.asarray(chunk))
                end += len(parts[-1])
        if len(parts) > 1:
            self.buf, self._joined = np.concatenate(parts), True
        elif parts:
            self.buf = parts[0]

    def samples(self, a: int, z: int) -> np.ndarray:
        return self.buf[a - self.start : z - self.start]

    def drop_before(self, a: int) -> None:
        if self.buf is not None and a > self.start:
            rest = self.buf[a - self.start :]
            self.buf = rest.copy() if self._joined else rest  # the caller's own array is only looked into
            self.start, self._joined = a, False
