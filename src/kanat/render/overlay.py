"""On-screen overlays of the dance video: counts, steps, phrase strip, progress.

Conventions
-----------
- Times in seconds from the start of the music (= the start of the video).
- The current count is the label of the latest beat at or before ``t``
  (``MusicMap.count_labels``); a small "&" appears past the half-way point to
  the next beat. The big numeral pulses briefly on each beat and turns to the
  accent colour on downbeats.
- The phrase strip shows one cell per beat of the current phrase (before the
  first phrase: the first phrase, dimmed, so the dancer sees what comes),
  the current cell filled, downbeats marked by a bar above their cell, and
  the steps (captions) as labelled pills under the counts they span.
- Everything scales with the frame height (designed at 1280 x 720).
- Fonts: DejaVu Sans, shipped in kanat/data/fonts (its licence beside it);
  the system sans-serif only if those files are missing. Nothing is
  downloaded.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import skia

INK = 0xFF2D3A4A          # text
INK_SOFT = 0xFF6B7785
ACCENT = 0xFFD9705A       # downbeats, current cell
ACCENT_SOFT = 0x40D9705A
CARD = 0xD9FFFFFF         # translucent white panels
CELL = 0xFFF2F4F6
CELL_EDGE = 0xFFD3D9E0
PILL = 0xFF5E7FA3
PILL_DONE = 0xFF9FB3C8
PILL_TEXT = 0xFFFFFFFF


@dataclass
class Caption:
    """What is danced when: a step name shown on screen.

    start_s, end_s : float
        Start and end of the step, seconds from the start of the music.
    text : str
        What to show, e.g. "glissade R".
    """

    start_s: float
    end_s: float
    text: str


@dataclass
class Timeline:
    """Everything the overlays need, as plain picklable data.

    beats_s : np.ndarray, shape (B,)
        Beat times, seconds (empty without a music map).
    labels : list of str, length B
        What a teacher calls on each beat.
    downbeat : np.ndarray of bool, shape (B,)
    triple : np.ndarray of bool, shape (B,)
        Beats in triple meter (counted "1-2-3, 2-2-3": no "&" shown).
    phrases : list of (int, int)
        First and last beat of each phrase, inclusive.
    phrase_of_beat : np.ndarray of int, shape (B,)
        -1 outside every phrase.
    sections : list of (start_s, end_s, label)
    captions : list of (start_s, end_s, text)
    duration_s : float
    """

    duration_s: float
    beats_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    labels: list = field(default_factory=list)
    downbeat: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    triple: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    phrases: list = field(default_factory=list)
    phrase_of_beat: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    sections: list = field(default_factory=list)
    captions: list = field(default_factory=list)

    @classmethod
    def build(cls, duration_s: float, music_map=None, captions=()) -> "Timeline":
        caps = sorted(((float(c.start_s), float(c.end_s), str(c.text)) for c in captions), key=lambda c: c[0])
        if music_map is None:
            return cls(duration_s=float(duration_s), captions=caps)
        return cls(
            duration_s=float(duration_s),
            beats_s=np.asarray(music_map.beats_s, dtype=float),
            labels=[str(c) for c in music_map.count_labels],
            downbeat=np.asarray(music_map.beat_in_bar) == 1,
            triple=np.asarray(music_map.meter) == 3,
            phrases=[(int(a), int(z)) for a, z in music_map.phrases],
            phrase_of_beat=music_map.phrase_of_beat(),
            sections=[(float(s["start_s"]), float(s["end_s"]), str(s["label"])) for s in music_map.sections],
            captions=caps,
        )

    # ---------------------------------------------------------- lookups at t
    def beat_at(self, t: float) -> int:
        """Index of the latest beat at or before ``t``; -1 before the first."""
        return int(np.searchsorted(self.beats_s, t + 1e-9, side="right")) - 1

    def caption_at(self, t: float) -> str:
        text = ""
        for a, z, s in self.captions:
            if a - 1e-9 <= t < z:
                text = s
        return text

    def section_at(self, t: float) -> str:
        for a, z, label in self.sections:
            if a - 1e-9 <= t < z:
                return label
        return ""

    def phrase_at(self, beat: int) -> tuple[int, bool]:
        """(phrase index, is it current) for the strip: the beat's phrase, else the next one."""
        if 0 <= beat < len(self.phrase_of_beat) and self.phrase_of_beat[beat] >= 0:
            return int(self.phrase_of_beat[beat]), True
        for k, (a, _) in enumerate(self.phrases):
            if a > beat:
                return k, False
        return -1, False


# --------------------------------------------------------------------- fonts
_FONTS: dict = {}


def _typeface(bold: bool) -> skia.Typeface:
    """DejaVu Sans, shipped in kanat/data/fonts (Bitstream Vera licence), so frames look the same everywhere."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(__file__).resolve().parents[1] / "data" / "fonts" / name
    with _quiet_fontconfig():
        if path.is_file():
            made = skia.Typeface.MakeFromFile(str(path))
            if made is not None:
                return made
        style = skia.FontStyle.Bold() if bold else skia.FontStyle.Normal()
        return skia.Typeface("sans-serif", style)


@contextlib.contextmanager
def _quiet_fontconfig():
    """Silence the C-level stderr while skia's font manager starts.

    skia bundles an older fontconfig that warns about elements of the
    system's newer configuration files ("unknown element reset-dirs"); the
    warning is harmless (kanat uses its own font files) and would only
    confuse the user.
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def font(size: float, bold: bool = False) -> skia.Font:
    key = (round(size, 1), bold)
    if key not in _FONTS:
        f = skia.Font(_typeface(bold), size)
        f.setEdging(skia.Font.Edging.kAntiAlias)
        f.setSubpixel(True)
        _FONTS[key] = f
    return _FONTS[key]


def _text(canvas, s: str, x: float, y: float, f: skia.Font, colour: int, align: str = "left") -> float:
    """Draw ``s`` with its baseline at y; returns its width."""
    w = f.measureText(s)
    if align == "center":
        x -= w / 2
    elif align == "right":
        x -= w
    canvas.drawString(s, x, y, f, skia.Paint(AntiAlias=True, Color=colour))
    return w


def _fit(s: str, f: skia.Font, width: float) -> str:
    """``s`` shortened with an ellipsis to fit ``width`` pixels ('' if nothing fits)."""
    if f.measureText(s) <= width:
        return s
    while s and f.measureText(s + "…") > width:
        s = s[:-1]
    return (s.rstrip() + "…") if s else ""


def _rrect(canvas, x, y, w, h, r, colour) -> None:
    canvas.drawRRect(skia.RRect.MakeRectXY(skia.Rect.MakeXYWH(x, y, w, h), r, r), skia.Paint(AntiAlias=True, Color=colour))


# ------------------------------------------------------------------ drawing
def draw_overlays(canvas: skia.Canvas, tl: Timeline, t: float, width: int, height: int) -> None:
    """Draw every overlay for time ``t`` (seconds)."""
    u = height / 720.0
    margin = 24 * u
    beat = tl.beat_at(t)
    has_counts = len(tl.beats_s) > 0

    # --- top left: the count, big, and the step beside it
    cx = _draw_count(canvas, tl, t, beat, margin, margin, u) if has_counts else margin
    _draw_caption(canvas, tl.caption_at(t), cx, margin, width, u)

    # --- top right: section and phrase, colour legend
    right = width - margin
    k, current = tl.phrase_at(beat) if has_counts else (-1, False)
    legend_y = _draw_place(canvas, tl.section_at(t), k, current, right, margin, u)
    _draw_legend(canvas, right, legend_y, u)

    # --- bottom: the phrase strip, and the progress bar under it
    strip_h = 92 * u
    bar_h = 6 * u
    bottom = height - margin
    strip_y = bottom - bar_h - 12 * u - strip_h
    if has_counts and k >= 0:
        _cached_strip(canvas, tl, t, beat, k, current, margin, strip_y, width - 2 * margin, strip_h, u)
    _draw_progress(canvas, tl, t, margin, bottom, width - 2 * margin, bar_h, u)


def _draw_count(canvas, tl: Timeline, t: float, beat: int, x0: float, y0: float, u: float) -> float:
    """The card with the current count, pulsing on the beat, and "&" past half-way; returns the x right of it."""
    card_w = 150 * u
    _rrect(canvas, x0, y0, card_w, 128 * u, 14 * u, CARD)
    if beat >= 0:
        since = t - tl.beats_s[beat]
        pulse = math.exp(-since / 0.12)
        size = 86 * u * (1.0 + 0.12 * pulse)
        colour = ACCENT if tl.downbeat[beat] else INK
        _text(canvas, tl.labels[beat], x0 + 62 * u, y0 + 96 * u + 0.2 * (size - 86 * u), font(size, True), colour,
              "center")
        nxt = tl.beats_s[beat + 1] if beat + 1 < len(tl.beats_s) else tl.beats_s[beat] + (
            np.median(np.diff(tl.beats_s)) if len(tl.beats_s) > 1 else 0.5)
        if not tl.triple[beat] and 0.5 * (tl.beats_s[beat] + nxt) <= t < nxt:
            _text(canvas, "&", x0 + 122 * u, y0 + 62 * u, font(34 * u, True), INK_SOFT, "center")
    else:
        _text(canvas, "·", x0 + 62 * u, y0 + 92 * u, font(86 * u, True), INK_SOFT, "center")
    _text(canvas, "count", x0 + 14 * u, y0 + 120 * u, font(13 * u), INK_SOFT)
    return x0 + card_w + 14 * u


def _draw_caption(canvas, caption: str, cx: float, y0: float, width: int, u: float) -> None:
    """The current step's name on a card at ``cx``, shortened to fit; nothing without a step."""
    if caption:
        f = font(30 * u, True)
        s = _fit(caption, f, width * 0.55)
        w = f.measureText(s)
        _rrect(canvas, cx, y0, w + 32 * u, 52 * u, 14 * u, CARD)
        _text(canvas, s, cx + 16 * u, y0 + 36 * u, f, INK)


def _draw_place(canvas, sec: str, k: int, current: bool, right: float, y0: float, u: float) -> float:
    """The section and phrase on a card at the top right; returns the top of the legend below it."""
    f = font(20 * u, True)
    info = []
    if sec:
        info.append(f"section {sec}")
    if k >= 0 and current:
        info.append(f"phrase {k + 1}")
    elif k >= 0:
        info.append(f"phrase {k + 1} next")
    if not info:
        return y0
    s = "  ·  ".join(info)
    w = f.measureText(s)
    _rrect(canvas, right - w - 28 * u, y0, w + 28 * u, 40 * u, 12 * u, CARD)
    _text(canvas, s, right - 14 * u, y0 + 27 * u, f, INK, "right")
    return y0 + 48 * u


def _draw_legend(canvas, right: float, legend_y: float, u: float) -> None:
    """The colour legend of the dancer's right and left sides."""
    fl = font(15 * u)
    wl = fl.measureText("dancer's right") + fl.measureText("left") + 70 * u
    _rrect(canvas, right - wl, legend_y, wl, 28 * u, 10 * u, CARD)
    xx = right - wl + 12 * u
    canvas.drawCircle(xx + 5 * u, legend_y + 14 * u, 6 * u, skia.Paint(AntiAlias=True, Color=0xFFE59E78))
    xx += 16 * u
    xx += _text(canvas, "dancer's right", xx, legend_y + 19 * u, fl, INK) + 14 * u
    canvas.drawCircle(xx + 5 * u, legend_y + 14 * u, 6 * u, skia.Paint(AntiAlias=True, Color=0xFF6B9ECC))
    _text(canvas, "left", xx + 16 * u, legend_y + 19 * u, fl, INK)


def _draw_progress(canvas, tl: Timeline, t: float, margin: float, bottom: float, bw: float, bar_h: float,
                   u: float) -> None:
    """The progress bar along the bottom, with a mark and a letter at each section's start."""
    frac = float(np.clip(t / tl.duration_s, 0.0, 1.0)) if tl.duration_s > 0 else 0.0
    _rrect(canvas, margin, bottom - bar_h, bw, bar_h, bar_h / 2, 0x40FFFFFF)
    _rrect(canvas, margin, bottom - bar_h, bw, bar_h, bar_h / 2, 0x332D3A4A)
    _rrect(canvas, margin, bottom - bar_h, max(bar_h, bw * frac), bar_h, bar_h / 2, 0xCC5E7FA3)
    fs = font(12 * u, True)
    for a, _, label in tl.sections:
        if tl.duration_s > 0 and 0 <= a < tl.duration_s:
            xs = margin + bw * a / tl.duration_s
            canvas.drawRect(skia.Rect.MakeXYWH(xs - 1 * u, bottom - bar_h - 4 * u, 2 * u, bar_h + 4 * u),
                            skia.Paint(Color=INK_SOFT))
            _text(canvas, label, xs + 3 * u, bottom - bar_h - 3 * u, fs, INK_SOFT)


def _cached_strip(canvas, tl: Timeline, t, beat, k, current, x, y, w, h, u) -> None:
    """The phrase strip, drawn once per state (phrase, beat, which steps are done) and then blitted.

    The strip changes only on a beat or at a step's start or end, and it is
    the overlays' costliest part; a frame copies it in a fraction of the time.
    """
    ends = tl.__dict__.setdefault("_caption_edges", np.sort([e for c in tl.captions for e in c[:2]]))
    strips = tl.__dict__.setdefault("_strips", {})  # kept on this timeline: a cache never outlives its data
    key = (k, bool(current), beat, int(np.searchsorted(ends, t, side="right")), round(w), round(h))
    img = strips.get(key)
    if img is None:
        if len(strips) > 64:
            strips.clear()
        surface = skia.Surface(int(math.ceil(w)) + 2, int(math.ceil(h)) + 2)
        sub = surface.getCanvas()
        sub.clear(0x00000000)
        _draw_phrase_strip(sub, tl, t, beat, k, current, 0.0, 0.0, w, h, u)
        img = strips[key] = surface.makeImageSnapshot()
    canvas.drawImage(img, float(round(x)), float(round(y)))


def _draw_phrase_strip(canvas, tl: Timeline, t, beat, k, current, x, y, w, h, u) -> None:
    a, z = tl.phrases[k]
    n = z - a + 1
    _rrect(canvas, x, y, w, h, 14 * u, CARD)
    pad = 10 * u
    # Cell positions: a small gap before every downbeat groups the bars.
    gap = 8 * u if n > 8 else 0.0
    bar_starts = np.array([bool(tl.downbeat[a + i]) and i > 0 for i in range(n)])
    cell_w = (w - 2 * pad - gap * bar_starts.sum()) / n
    left = x + pad + np.arange(n) * cell_w + gap * np.cumsum(bar_starts)
    cell_h = 44 * u
    fsize = min(26 * u, cell_w * 0.55)
    fc = font(fsize, True)
    for i in range(n):
        b = a + i
        cx = left[i]
        is_now = current and b == beat
        fill = ACCENT if is_now else CELL
        if not current:
            fill = 0xFFEEF0F2
        _rrect(canvas, cx + 2 * u, y + pad, cell_w - 4 * u, cell_h, 8 * u, fill)
        if tl.downbeat[b]:
            _rrect(canvas, cx + 2 * u, y + pad - 4 * u, cell_w - 4 * u, 3 * u, 1.5 * u, ACCENT if current else ACCENT_SOFT)
        colour = PILL_TEXT if is_now else (INK if current else INK_SOFT)
        _text(canvas, tl.labels[b], cx + cell_w / 2, y + pad + cell_h / 2 + fsize * 0.36, fc, colour, "center")
    # Steps under the counts they span.
    fp = font(14 * u, True)
    py = y + pad + cell_h + 6 * u
    ph = h - (pad + cell_h + 6 * u) - 8 * u
    beats = tl.beats_s
    for s0, s1, text in tl.captions:
        idx = [i for i in range(n) if s0 - 0.05 <= beats[a + i] < s1 - 0.05]
        if not idx:
            continue
        i0, i1 = idx[0], idx[-1]
        px = left[i0] + 2 * u
        pw = left[i1] + cell_w - left[i0] - 4 * u
        done = current and t >= s1
        now = current and s0 <= t < s1
        _rrect(canvas, px, py, pw, ph, ph / 2, PILL if now or not current else PILL_DONE if done else 0xFF7F9BBB)
        label = _fit(text, fp, pw - 12 * u)
        if label:
            _text(canvas, label, px + pw / 2, py + ph / 2 + 5 * u, fp, PILL_TEXT, "center")
