"""The rows of the music picture (:mod:`kanat.listen.plot`): one band each for the wave, counts, phrases, sections.

It holds the per-row drawing: the row's four bands as bare axes, the waveform
envelope and energy line, the beats and the dancer's counts, the numbered
phrase boxes, the lettered section boxes, the dashed meter-change lines and
the clock times under each row; with the beat marks worked out once for all
rows (:class:`_Marks`) and the geometry and colours they are drawn with.
:mod:`kanat.listen.plot` lays the rows out and writes the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kanat.listen.musicmap import MusicMap

#: Picture width in inches; 16 in at 100 dpi is 1600 px.
WIDTH_IN = 16.0
#: Smallest gap between two written counts, in pixels, for them to stay readable.
MIN_LABEL_PX = 13.0

# Heights in inches of a row's bands, top to bottom, and the margins beside them.
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
_TEXT = "#263238"
_MUTED = "#6b7780"
_PHRASES = ("#dbe4ef", "#c3d1e3")
_SECTIONS = ("#a9d3bd", "#f2d3a2", "#b4c6e6", "#e6b8c8", "#d3c4e6", "#bfe0e3", "#e6dfae", "#cfcfcf",
             "#c9e4a8", "#f0c2a8")


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


def _label_choice(x_px: np.ndarray, keep: list[np.ndarray]) -> np.ndarray:
    """The first mask in ``keep`` whose labelled beats are at least :data:`MIN_LABEL_PX` apart."""
    for mask in keep:
        xs = x_px[mask]
        if xs.size < 2 or float(np.percentile(np.diff(xs), 5)) >= MIN_LABEL_PX:
            return mask
    return np.zeros_like(keep[0])


def _phrase_spans(music_map: MusicMap) -> list[tuple[float, float]]:
    """Start and end time of each phrase: its first beat to the next phrase's beat (or one beat on)."""
    beats = music_map.beats_s
    period = float(np.median(np.diff(beats))) if beats.size > 1 else 0.5
    spans = []
    for a, z in music_map.phrases:
        end = float(beats[z + 1]) if z + 1 < beats.size else min(float(beats[z]) + period, music_map.duration_s)
        spans.append((float(beats[a]), end))
    return spans


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


def _clock(t: float, _pos=None) -> str:
    t = max(0.0, float(t))
    return f"{int(t // 60)}:{int(round(t % 60)):02d}" if abs(t - round(t)) < 1e-6 else f"{int(t // 60)}:{t % 60:04.1f}"
