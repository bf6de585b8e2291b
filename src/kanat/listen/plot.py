"""A picture of a :class:`~kanat.listen.MusicMap`: what to check before trusting it.

The picture (``music.png``) shows, over the music's duration and from top to
bottom of each row:

- the waveform envelope (min/max per pixel column) and the per-beat energy;
- the beats as thin ticks and the downbeats (bar starts) as strong lines, with
  the dancer's count written at each beat (only the bars' counts, or only the
  "1" of every eight, when the beats are too dense to read);
- the phrases, one numbered box each;
- the sections, one colour per letter (repeats share a letter and a colour).

The title gives the tempo and the meter ("3/4 -> 2/4 at 48.1 s" when it
changes); the map's warning, if any, is written in red under it.

Conventions
-----------
- Times in seconds from the start of the audio, as in the map.
- Music up to :data:`ONE_ROW_UP_TO_S` long is drawn in one row; longer music
  in rows of :data:`ROW_S` seconds, all at the same scale, so a second is as
  wide in every row. Beyond :data:`MAX_ROWS` rows each row covers more time,
  so the image stays under about 3,800 pixels tall whatever the length.
- Only this module and :mod:`kanat.listen.plot_rows` (which draws each row)
  import matplotlib, and they use the Agg canvas directly (no pyplot), so they
  change no global state of the caller's matplotlib.
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path

import numpy as np

from kanat.errors import KanatError, ParameterError
from kanat.files import atomic_path
from kanat.listen.musicmap import MusicMap
from kanat.listen.plot_rows import (
    _BEAT_IN, _GAP_IN, _LEFT_IN, _MUTED, _PHRASE_IN, _RIGHT_IN, _SECTION_IN, _TEXT, _WAVE_IN, MIN_LABEL_PX,
    WIDTH_IN, _clock, _draw_row, _marks, _meter_changes, _Row,
)

__all__ = ["check_plot_path", "meter_summary", "plot_music", "ONE_ROW_UP_TO_S", "ROW_S", "MAX_ROWS", "WIDTH_IN",
           "DPI", "MIN_LABEL_PX"]

#: Music up to this long (seconds) is drawn in a single row.
ONE_ROW_UP_TO_S = 60.0
#: Seconds per row for longer music (until :data:`MAX_ROWS` is reached).
ROW_S = 30.0
#: Most rows in one picture; longer music gets longer rows.
MAX_ROWS = 14
#: Picture resolution; :data:`WIDTH_IN` (16 in, from :mod:`kanat.listen.plot_rows`) at 100 dpi is 1600 px.
DPI = 100

# Heights in inches of the header, top to bottom (a row's bands: :mod:`kanat.listen.plot_rows`).
_TITLE_IN = 0.62
_WARNING_IN = 0.26
_KEY_IN = 0.26

_WARNING = "#b3261e"  # the map's warning, in red under the title


def check_plot_path(path: str | os.PathLike) -> Path:
    """Check that a picture can be written at ``path``, before any work is done.

    Parameters
    ----------
    path : str or PathLike
        Where the picture goes; must end in ``.png``. A missing folder is
        created when the picture is written, as for every file kanat writes.

    Returns
    -------
    path : Path

    Raises
    ------
    ParameterError
        ``path`` does not end in ``.png``, is a folder, or lies below a file.

    Examples
    --------
    >>> check_plot_path("out/music.png").name
    'music.png'
    """
    p = Path(path)
    if p.suffix.lower() != ".png":
        raise ParameterError(f"the music picture must be a .png file, got {str(p)!r}; name it e.g. music.png")
    if p.is_dir():
        raise ParameterError(f"{str(p)!r} is a folder; give a file name such as {str(p / 'music.png')!r}")
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ParameterError(f"cannot write {str(p)!r}: {str(parent)!r} is a file, not a folder")
            break
    return p


def meter_summary(music_map: MusicMap) -> str:
    """The meter as a musician writes it, with the times where it changes.

    Parameters
    ----------
    music_map : MusicMap

    Returns
    -------
    text : str
        ``"3/4"``, or ``"3/4 -> 2/4 at 48.1 s"`` when the meter changes (the
        times come from ``extras["meter_changes_s"]`` when present, otherwise
        from the first beat of each new meter).

    Examples
    --------
    >>> mm = MusicMap(duration_s=4.0, tempo_bpm=120, beats_s=[0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
    ...               downbeats_s=[0.5, 2.0, 3.0], beats_per_bar=3, meter=[3, 3, 3, 2, 2, 2],
    ...               beat_in_bar=[1, 2, 3, 1, 2, 1], counts=[1, 1, 1, 2, 2, 3],
    ...               count_labels=["1", "2", "3", "2", "2", "3"], phrases=[], sections=[],
    ...               energy=[0.5] * 6, accent=[0.5] * 6, extras={"meter_changes_s": [2.0]})
    >>> meter_summary(mm)
    '3/4 -> 2/4 at 2.0 s'
    """
    changes = _meter_changes(music_map)
    if not changes:
        return f"{int(music_map.meter[0]) if music_map.meter.size else music_map.beats_per_bar}/4"
    text = f"{changes[0][1]}/4"
    for t, _, after in changes:
        text += f" -> {after}/4 at {t:.1f} s"
    return text


def _layout(duration_s: float) -> tuple[int, float]:
    """Number of rows and seconds per row for music of ``duration_s`` seconds."""
    if duration_s <= ONE_ROW_UP_TO_S:
        return 1, float(duration_s)
    row_s = ROW_S
    if math.ceil(duration_s / row_s) > MAX_ROWS:
        row_s = math.ceil(duration_s / MAX_ROWS / 10.0) * 10.0
    return int(math.ceil(duration_s / row_s - 1e-9)), float(row_s)


def _envelope(y: np.ndarray, sr: int, bin_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min and max of ``y`` in bins of ``bin_s`` seconds, scaled so the loudest sample is 1.

    Returns bin centre times (s), shape (K,), and the minima and maxima, shape (K,).
    """
    hop = max(1, int(round(bin_s * sr)))
    k = int(math.ceil(y.size / hop))
    padded = np.zeros(k * hop, dtype=np.float32)
    padded[: y.size] = y
    blocks = padded.reshape(k, hop)
    lo, hi = blocks.min(axis=1), blocks.max(axis=1)
    peak = float(max(np.abs(lo).max(initial=0.0), np.abs(hi).max(initial=0.0)))
    if peak > 0:
        lo, hi = lo / peak, hi / peak
    times = (np.arange(k) + 0.5) * hop / sr
    return times, lo, hi


def _load_source(music_map: MusicMap) -> tuple[np.ndarray | None, int | None, str]:
    """Samples of the map's source file, or None and a note saying why not."""
    from kanat.listen.audio import load_audio

    if not music_map.source:
        return None, None, "no waveform: the map names no audio file"
    src = Path(music_map.source)
    if not src.is_file():
        return None, None, f"no waveform: {src.name} not found"
    try:
        y, sr = load_audio(src)
    except KanatError:
        return None, None, f"no waveform: {src.name} could not be read"
    return y, sr, ""


def plot_music(
    music_map: MusicMap,
    path: str | os.PathLike,
    *,
    audio: np.ndarray | None = None,
    sr: int | None = None,
) -> Path:
    """Draw a music map as a picture a choreographer can check at a glance.

    Parameters
    ----------
    music_map : MusicMap
        The map to draw (from :func:`kanat.listen.listen` or ``MusicMap.load``).
    path : str or PathLike
        Where to write the PNG (e.g. ``music.png``). A missing folder is
        created; the file appears whole or not at all.
    audio : np.ndarray, shape (N,), optional
        Mono samples of the music, for the waveform. When omitted, the map's
        ``source`` file is read if it exists; when it cannot be read, only the
        energy curve is drawn (and the picture says so).
    sr : int, optional
        Sample rate of ``audio`` in Hz; required with ``audio``.

    Returns
    -------
    path : Path
        The PNG written: 1600 px wide, one row per 30 s of music (one row
        up to 60 s), under about 3,800 px tall.

    Raises
    ------
    ParameterError
        ``path`` is not a ``.png`` file name, ``audio`` is not mono, or
        ``sr`` is missing or not positive.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> mm = MusicMap(duration_s=3.0, tempo_bpm=120, beats_s=[0.5, 1.0, 1.5, 2.0], downbeats_s=[0.5, 1.5],
    ...               beats_per_bar=2, meter=[2, 2, 2, 2], beat_in_bar=[1, 2, 1, 2], counts=[1, 2, 3, 4],
    ...               count_labels=["1", "2", "3", "4"], phrases=[(0, 3)],
    ...               sections=[{"start_s": 0.5, "end_s": 3.0, "label": "A"}], energy=[0.5] * 4, accent=[0.5] * 4)
    >>> plot_music(mm, pathlib.Path(tempfile.mkdtemp()) / "music.png").name
    'music.png'
    """
    if not isinstance(music_map, MusicMap):
        raise ParameterError(f"plot_music needs a MusicMap, got {type(music_map).__name__}")
    path = check_plot_path(path)
    note = ""
    if audio is not None:
        audio = np.asarray(audio, dtype=np.float32)
        if audio.ndim != 1:
            raise ParameterError(f"audio must be mono samples of shape (N,), got shape {audio.shape}")
        if sr is None or not (isinstance(sr, (int, np.integer)) and sr > 0):
            raise ParameterError(f"sr must be the sample rate of audio in Hz (an int > 0), got {sr!r}")
    elif sr is not None:
        raise ParameterError("sr was given without audio; pass both, or neither to read the map's source file")
    else:
        audio, sr, note = _load_source(music_map)

    figure = _draw(music_map, audio, sr, note)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=DPI, facecolor="white")
    return path


def _draw(mm: MusicMap, audio: np.ndarray | None, sr: int | None, note: str):
    """Build the figure (see :func:`plot_music`) on an Agg canvas, without pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    duration = float(mm.duration_s)
    n_rows, row_s = _layout(duration)
    warning_lines = _warning_lines(mm)
    head_in = _TITLE_IN + _KEY_IN + _WARNING_IN * len(warning_lines)
    row_in = _WAVE_IN + _BEAT_IN + _PHRASE_IN + _SECTION_IN + _GAP_IN
    height_in = head_in + n_rows * row_in + 0.05
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    plot_w_px = (WIDTH_IN - _LEFT_IN - _RIGHT_IN) * DPI
    _draw_header(fig, mm, warning_lines, note, height_in)
    marks = _marks(mm)
    env = None
    if audio is not None and audio.size:
        env = _envelope(audio, int(sr), row_s / plot_w_px)
    y_in = head_in
    for r in range(n_rows):
        row = _Row(r * row_s, (r + 1) * row_s, row_s, plot_w_px)
        y_in = _draw_row(fig, mm, marks, env, row, y_in, height_in)
    return fig


def _warning_lines(mm: MusicMap) -> list[str]:
    """The map's warning, wrapped to at most four lines (none without a warning)."""
    warning = str(mm.extras.get("warning") or "").strip()
    return textwrap.wrap(f"Warning: {warning}", 150, max_lines=4, placeholder=" ...") if warning else []


def _draw_header(fig, mm: MusicMap, warning_lines: list[str], note: str, height_in: float) -> None:
    """The title, the warning in red under it, and the key to the picture."""
    duration = float(mm.duration_s)
    name = Path(mm.source).name if mm.source else "music"
    meter_text = meter_summary(mm)
    title = (f"{name}   ·   {mm.tempo_bpm:.0f} BPM   ·   meter {meter_text}   ·   {_n(mm.n_beats, 'beat')}, "
             f"{_n(len(mm.downbeats_s), 'bar')}, {_n(len(mm.phrases), 'phrase')}   ·   "
             f"{_clock(duration)} ({duration:.1f} s)")
    fig.text(_LEFT_IN / WIDTH_IN, 1.0 - 0.38 / height_in, title, fontsize=14, weight="bold", color=_TEXT,
             ha="left", va="baseline")
    y_in = _TITLE_IN
    for line in warning_lines:
        fig.text(_LEFT_IN / WIDTH_IN, 1.0 - (y_in + 0.06) / height_in, line, fontsize=11,
                 color=_WARNING, weight="bold", ha="left", va="baseline")
        y_in += _WARNING_IN
    key = ("waveform (grey) and energy per beat (line)   ·   thin ticks: beats   ·   dark lines: bar starts, "
           "with the dancer's counts   ·   numbered boxes: phrases   ·   letters: sections (same letter = same music)")
    if note:
        key += f"   ·   {note}"
    fig.text(_LEFT_IN / WIDTH_IN, 1.0 - (y_in + 0.02) / height_in, key, fontsize=8.5, color=_MUTED, ha="left",
             va="baseline")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
