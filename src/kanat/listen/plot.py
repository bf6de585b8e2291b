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
- Only this module imports matplotlib, and it uses the Agg canvas directly
  (no pyplot), so it changes no global state of the caller's matplotlib.
"""

from __future__ import annotations

import math
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kanat.errors import KanatError, ParameterError
from kanat.files import atomic_path
from kanat.listen.musicmap import MusicMap

#: Music up to this long (seconds) is drawn in a single row.
ONE_ROW_UP_TO_S = 60.0
#: Seconds per row for longer music (until :data:`MAX_ROWS` is reached).
ROW_S = 30.0
#: Most rows in one picture; longer music gets longer rows.
MAX_ROWS = 14
#: Picture width in inches and resolution; 16 in at 100 dpi is 1600 px.
WIDTH_IN = 16.0
DPI = 100
#: Smallest gap between two written counts, in pixels, for them to stay readable.
MIN_LABEL_PX = 13.0

# Heights in inches, top to bottom.
_TITLE_IN = 0.62
_WARNING_IN = 0.26
_KEY_IN = 0.26
_WAVE_IN = 1.05
_BEAT_IN = 0.42
_PHRASE_IN = 0.26
_SECTION_IN = 0.26
_GAP_IN = 0.46  # below each row: the time axis and some air
_LEFT_IN = 0.85
_RIGHT_IN = 0.25

# Calm colours: slate greys and muted blues, one warm colour for the meter change.
_WAVE = "#c5cfdd"
_ENERGY = "#2e6e73"
_BEAT = "#9aa3ad"
_DOWNBEAT = "#37474f"
_GRID = "#dde3ea"
_METER = "#c46a1b"
_WARNING = "#b3261e"
_TEXT = "#263238"
_MUTED = "#6b7780"
_PHRASES = ("#dbe4ef", "#c3d1e3")
_SECTIONS = ("#a9d3bd", "#f2d3a2", "#b4c6e6", "#e6b8c8", "#d3c4e6", "#bfe0e3", "#e6dfae", "#cfcfcf",
             "#c9e4a8", "#f0c2a8")


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


def _phrase_spans(music_map: MusicMap) -> list[tuple[float, float]]:
    """Start and end time of each phrase: its first beat to the next phrase's beat (or one beat on)."""
    beats = music_map.beats_s
    period = float(np.median(np.diff(beats))) if beats.size > 1 else 0.5
    spans = []
    for a, z in music_map.phrases:
        end = float(beats[z + 1]) if z + 1 < beats.size else min(float(beats[z]) + period, music_map.duration_s)
        spans.append((float(beats[a]), end))
    return spans


def _label_choice(x_px: np.ndarray, keep: list[np.ndarray]) -> np.ndarray:
    """The first mask in ``keep`` whose labelled beats are at least :data:`MIN_LABEL_PX` apart."""
    for mask in keep:
        xs = x_px[mask]
        if xs.size < 2 or float(np.percentile(np.diff(xs), 5)) >= MIN_LABEL_PX:
            return mask
    return np.zeros_like(keep[0])


def _clock(t: float, _pos=None) -> str:
    t = max(0.0, float(t))
    return f"{int(t // 60)}:{int(round(t % 60)):02d}" if abs(t - round(t)) < 1e-6 else f"{int(t // 60)}:{t % 60:04.1f}"


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


@dataclass(frozen=True)
class _Row:
    """One row of the picture: the seconds it covers and its width in pixels."""

    t0: float
    t1: float
    row_s: float
    px: float


@dataclass(frozen=True)
class _Marks:
    """The map's per-beat data, worked out once for all rows."""

    beats: np.ndarray
    downs: np.ndarray
    is_down: np.ndarray
    labels: list
    is_one: np.ndarray
    changes: list
    phrase_spans: list
    section_colour: dict


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


def _marks(mm: MusicMap) -> _Marks:
    """Which beats are bar starts and "1"s, the meter changes, phrase spans and section colours."""
    beats = mm.beats_s
    downs = mm.downbeats_s
    is_down = np.isin(np.round(beats, 4), np.round(downs, 4)) | (mm.beat_in_bar == 1)
    labels = mm.count_labels
    is_one = np.array([lab == "1" for lab in labels], dtype=bool) & is_down
    letters = []
    for sec in mm.sections:
        if sec["label"] not in letters:
            letters.append(sec["label"])
    section_colour = {lab: _SECTIONS[k % len(_SECTIONS)] for k, lab in enumerate(letters)}
    return _Marks(beats, downs, is_down, labels, is_one, _meter_changes(mm), _phrase_spans(mm), section_colour)


def _draw_row(fig, mm: MusicMap, marks: _Marks, env, row: _Row, y_in: float, height_in: float) -> float:
    """Draw one row, its top ``y_in`` inches down the picture; returns the top of the next row."""
    axes, y_in = _row_axes(fig, row, y_in, height_in)
    ax_w, ax_b, ax_p, ax_s = axes
    beats, downs = marks.beats, marks.downs
    in_row = (beats >= row.t0 - 1e-9) & (beats < row.t1)
    d_row = downs[(downs >= row.t0) & (downs < row.t1)]
    _draw_wave(ax_w, mm.energy, beats, env, row, in_row, d_row)
    _draw_counts(ax_b, marks, row, in_row, d_row)
    _draw_phrases(ax_p, marks.phrase_spans, row)
    _draw_sections(ax_s, mm.sections, marks.section_colour, row)
    _draw_meter_changes(axes, mm, marks.changes, row)
    _draw_time_axis(axes, row, float(mm.duration_s))
    return y_in


def _row_axes(fig, row: _Row, y_in: float, height_in: float) -> tuple[list, float]:
    """The row's four bands (wave, counts, phrases, sections) as bare axes, and the top of the next row."""
    left = _LEFT_IN / WIDTH_IN
    width = (WIDTH_IN - _LEFT_IN - _RIGHT_IN) / WIDTH_IN
    axes = []
    for h_in in (_WAVE_IN, _BEAT_IN, _PHRASE_IN, _SECTION_IN):
        bottom, h = 1.0 - (y_in + h_in) / height_in, h_in / height_in
        ax = fig.add_axes((left, bottom, width, h))
        ax.set_xlim(row.t0, row.t1)
        ax.set_yticks([])
        ax.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color(_GRID)
        axes.append(ax)
        y_in += h_in
    return axes, y_in + _GAP_IN


def _draw_wave(ax, energy: np.ndarray, beats: np.ndarray, env, row: _Row, in_row: np.ndarray,
               d_row: np.ndarray) -> None:
    """The waveform envelope, faint bar lines, and the energy per beat as a line."""
    t0, t1, row_s, plot_w_px = row.t0, row.t1, row.row_s, row.px
    ax.set_ylim(0.0, 1.04)
    if env is not None:
        times, lo, hi = env
        m = (times >= t0 - row_s / plot_w_px) & (times <= t1 + row_s / plot_w_px)
        ax.fill_between(times[m], 0.5 + 0.48 * lo[m], 0.5 + 0.48 * hi[m], color=_WAVE, linewidth=0)
    ax.vlines(d_row, 0, 1.04, color=_GRID, linewidth=0.8, zorder=0)
    idx = np.flatnonzero(in_row)
    if idx.size:  # one beat either side, so the line reaches the row's edges
        idx = np.arange(max(0, idx[0] - 1), min(beats.size, idx[-1] + 2))
        ax.plot(beats[idx], energy[idx], color=_ENERGY, linewidth=1.6, zorder=3)
    ax.set_xlim(t0, t1)
    _side_label(ax, "wave /\nenergy")


def _draw_counts(ax, marks: _Marks, row: _Row, in_row: np.ndarray, d_row: np.ndarray) -> None:
    """Beats as thin ticks, bar starts as strong ones, and the dancer's counts where they are readable."""
    from matplotlib.collections import LineCollection

    beats, is_down, labels = marks.beats, marks.is_down, marks.labels
    row_s, plot_w_px = row.row_s, row.px
    ax.set_ylim(0, 1)
    ax.spines["bottom"].set_visible(False)
    b_row = beats[in_row & ~is_down]
    ax.add_collection(LineCollection([[(t, 0.0), (t, 0.38)] for t in b_row], colors=_BEAT, linewidths=0.8))
    ax.add_collection(LineCollection([[(t, 0.0), (t, 0.62)] for t in d_row], colors=_DOWNBEAT, linewidths=2.2))
    x_px = (beats - row.t0) / row_s * plot_w_px
    mask = _label_choice(x_px, [in_row, in_row & is_down, in_row & marks.is_one])
    for i in np.flatnonzero(mask):
        strong = bool(is_down[i])
        ax.text(beats[i] + row_s * 3.0 / plot_w_px, 0.66 if strong else 0.42, labels[i],
                fontsize=9.5 if strong else 8, weight="bold" if strong else "normal",
                color=_TEXT if strong else _MUTED, ha="left", va="bottom", clip_on=True)
    _side_label(ax, "counts")


def _draw_phrases(ax, phrase_spans: list[tuple[float, float]], row: _Row) -> None:
    """One box per phrase in the row, numbered where it is wide enough."""
    from matplotlib.patches import Rectangle

    t0, t1 = row.t0, row.t1
    ax.set_ylim(0, 1)
    ax.spines["bottom"].set_visible(False)
    for k, (a, z) in enumerate(phrase_spans):
        if z <= t0 or a >= t1:
            continue
        ax.add_patch(Rectangle((a, 0.06), z - a, 0.88, facecolor=_PHRASES[k % 2], edgecolor="white",
                               linewidth=1.5))
        va, vz = max(a, t0), min(z, t1)
        if (vz - va) / row.row_s * row.px >= 16:
            ax.text((va + vz) / 2, 0.5, str(k + 1), fontsize=9, color=_TEXT, ha="center", va="center")
    _side_label(ax, "phrases")


def _draw_sections(ax, sections: list[dict], section_colour: dict, row: _Row) -> None:
    """One box per section in the row, coloured and lettered by its label."""
    from matplotlib.patches import Rectangle

    t0, t1 = row.t0, row.t1
    ax.set_ylim(0, 1)
    for sec in sections:
        a, z, lab = float(sec["start_s"]), float(sec["end_s"]), str(sec["label"])
        if z <= t0 or a >= t1:
            continue
        ax.add_patch(Rectangle((a, 0.06), z - a, 0.88, facecolor=section_colour[lab], edgecolor="white",
                               linewidth=1.5))
        va, vz = max(a, t0), min(z, t1)
        if (vz - va) / row.row_s * row.px >= 12:
            ax.text((va + vz) / 2, 0.5, lab, fontsize=10, weight="bold", color=_TEXT, ha="center",
                    va="center")
    _side_label(ax, "sections")


def _draw_meter_changes(axes: list, mm: MusicMap, changes: list[tuple[float, int, int]], row: _Row) -> None:
    """A dashed line through every band at each change of meter in the row, labelled on the wave band."""
    for t, before, after in changes:
        if row.t0 <= t < row.t1:
            for ax in axes:
                ax.axvline(t, color=_METER, linewidth=1.6, linestyle=(0, (4, 2)), zorder=4)
            bpm = _passage_tempo_bpm(mm, t)
            change = f"{before}/4 -> {after}/4" + (f", about {bpm:.0f} BPM" if bpm else "")
            axes[0].text(t + row.row_s * 4.0 / row.px, 1.0, change, fontsize=10,
                         weight="bold", color=_METER, ha="left", va="top", zorder=5,
                         bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5})


def _draw_time_axis(axes: list, row: _Row, duration: float) -> None:
    """The clock times under the row, and a grey wash past the end of the music."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax_s = axes[-1]
    ax_s.tick_params(axis="x", which="both", bottom=True, labelbottom=True, labelsize=8.5, colors=_MUTED,
                     length=3)
    ax_s.xaxis.set_major_locator(MaxNLocator(nbins=16, steps=[1, 2, 5, 10]))
    ax_s.xaxis.set_major_formatter(FuncFormatter(_clock))
    if row.t1 > duration:
        for ax in axes:
            ax.axvspan(duration, row.t1, color="#f5f6f8", zorder=-1, linewidth=0)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _side_label(ax, text: str) -> None:
    ax.text(-0.006, 0.5, text, transform=ax.transAxes, fontsize=8.5, color=_MUTED, ha="right", va="center")


def _meter_changes(mm: MusicMap) -> list[tuple[float, int, int]]:
    """(time s, meter before, meter after) for each change of meter."""
    meter = mm.meter
    if meter.size < 2:
        return []
    idx = [int(i) + 1 for i in np.flatnonzero(np.diff(meter) != 0)]
    given = [float(t) for t in (mm.extras.get("meter_changes_s") or [])]
    out = []
    for k, i in enumerate(idx):
        t = given[k] if len(given) == len(idx) else float(mm.beats_s[i])
        out.append((t, int(meter[i - 1]), int(meter[i])))
    return out


def _passage_tempo_bpm(mm: MusicMap, t: float) -> float | None:
    """Median tempo (BPM) of the beats from ``t`` to the next change of meter, or None if too few."""
    later = [c[0] for c in _meter_changes(mm) if c[0] > t + 1e-6]
    end = later[0] if later else np.inf
    b = mm.beats_s[(mm.beats_s >= t - 1e-3) & (mm.beats_s < end)]
    if b.size < 3:
        return None
    return 60.0 / float(np.median(np.diff(b)))
