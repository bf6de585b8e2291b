"""The counts sheet: what the dancers read (counts.md and counts.html).

Conventions
-----------
- One table per phrase: the counts each step takes, the step, its side, the
  Vaganova direction the dancer faces and where on the stage it starts.
- Counts as the dancers count them: in 2/4 and 4/4 the eight counts of the
  phrase ("1-2", "3", "5-8"); in 3/4 bars and beats ("1-2" for the first
  two bars, "3.2" for beat 2 of bar 3).
- Stage spots are named like a teacher would: downstage/centre/upstage and
  stage left/centre/right (the dancer's left and right facing the audience).
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from kanat.compose.score import Score
from kanat.files import write_text
from kanat.listen.musicmap import MusicMap

DIRECTIONS = {
    1: "1 (front)", 2: "2 (front right corner)", 3: "3 (right wall)", 4: "4 (back right corner)",
    5: "5 (back)", 6: "6 (back left corner)", 7: "7 (left wall)", 8: "8 (front left corner)",
}


def _clock(t: float) -> str:
    return f"{int(t // 60)}:{t % 60:04.1f}"


def stage_spot(x: float, z: float) -> str:
    """A teacher's name for a spot on the stage (x to stage left, z downstage)."""
    depth = "downstage" if z > 1.2 else "upstage" if z < -1.2 else "centre"
    across = "stage left" if x > 1.2 else "stage right" if x < -1.2 else ""
    if depth == "centre" and not across:
        return "centre"
    return f"{depth} {across}".strip() if depth != "centre" else f"centre {across}"


def count_span(music_map: MusicMap, first: int, last: int) -> str:
    """The counts a run of beats takes, as a dancer says them."""
    first = min(max(first, 0), music_map.n_beats - 1)
    last = min(max(last, first), music_map.n_beats - 1)
    c, b, m = music_map.counts, music_map.beat_in_bar, music_map.meter
    if m[first] == 3:
        whole_bars = b[first] == 1 and b[last] == m[last]
        if whole_bars:
            return f"{c[first]}" if c[first] == c[last] else f"{c[first]}-{c[last]}"
        a, z = f"{c[first]}.{b[first]}", f"{c[last]}.{b[last]}"
        return a if a == z else f"{a}-{z}"
    return f"{c[first]}" if first == last else f"{c[first]}-{c[last]}"


def counts_rows(score: Score, music_map: MusicMap) -> list[dict]:
    """One dict per phrase: header facts and the rows of its table."""
    out = []
    sections = music_map.section_of_beat()
    for ph in score.phrases:
        a = ph.first_beat
        z = min(a + ph.n_beats - 1, music_map.n_beats - 1)
        meter = int(music_map.meter[min(a, music_map.n_beats - 1)])
        rows = []
        for st in ph.steps:
            b0 = a + st.at - 1
            b1 = b0 + max(st.beats, 1) - 1
            rows.append({
                "counts": count_span(music_map, b0, b1), "step": st.step, "side": st.side if st.side != "-" else "",
                "facing": DIRECTIONS.get(st.facing, str(st.facing)), "spot": stage_spot(*st.spot),
                "start_s": float(music_map.beats_s[min(b0, music_map.n_beats - 1)]),
            })
        out.append({
            "phrase": ph.index, "section": ph.section or (sections[a] if a < len(sections) else ""),
            "meter": meter, "start_s": float(music_map.beats_s[a]), "end_s": float(music_map.beats_s[z]),
            "bars": len({i for i in range(a, z + 1) if music_map.beat_in_bar[i] == 1}), "rows": rows,
            "locked": ph.locked,
        })
    return out


def music_warning(music_map: MusicMap) -> str:
    """What listening doubted about the music (no steady beat, a faint pulse), as it is in music.json, or ''."""
    return str((music_map.extras or {}).get("warning") or "")


def counts_markdown(score: Score, music_map: MusicMap, *, title: str = "") -> str:
    """The counts sheet as Markdown."""
    meters = sorted({int(m) for m in music_map.meter})
    s = score.settings
    lines = [
        f"# Counts sheet{': ' + title if title else ''}",
        "",
        f"Music: `{Path(score.music).name}` · {music_map.duration_s:.0f} s · about {music_map.tempo_bpm:.0f} BPM · "
        f"meter {' and '.join(f'{m}/4' for m in meters)} · {len(score.phrases)} phrases",
        f"Style {s.get('style', '?')}, innovation {s.get('innovation', '?')}, difficulty {s.get('difficulty', '?')}, "
        f"seed {s.get('seed', '?')}.",
        "",
        "Counts: in 2/4 and 4/4 every beat is a count, eight to a phrase; in 3/4 count bars "
        "(\"1-2-3, 2-2-3 ...\"): `3` is bar 3, `3.2` its second beat. Directions are Vaganova's "
        "(1 = the audience). Side = the working leg.",
        "",
    ]
    warning = music_warning(music_map)
    if warning:
        lines += [f"> **Warning: {warning}**", ""]
    if music_map.n_beats >= 4:
        lead = music_map.beats_s[0]
        lines += [f"Count in: the music starts {lead:.1f} s before the first count; the teacher calls \"5, 6, 7, 8\".", ""]
    for ph in counts_rows(score, music_map):
        meter = ph["meter"]
        size = f"{ph['bars']} bars of {meter}/4"
        lock = " · locked" if ph["locked"] else ""
        lines.append(f"## Phrase {ph['phrase']} · section {ph['section'] or '-'} · {_clock(ph['start_s'])}-{_clock(ph['end_s'])} · {size}{lock}")
        lines.append("")
        lines.append("| counts | step | side | facing | where |")
        lines.append("|---|---|---|---|---|")
        for r in ph["rows"]:
            lines.append(f"| {r['counts']} | {r['step']} | {r['side']} | {r['facing']} | {r['spot']} |")
        lines.append("")
    return "\n".join(lines)


def counts_html(score: Score, music_map: MusicMap, *, title: str = "") -> str:
    """The counts sheet as a standalone, printable HTML page."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Counts sheet</title><style>",
        "body{font-family:Georgia,serif;max-width:820px;margin:2em auto;color:#222}"
        "h1{font-weight:normal}h2{font-size:1.05em;margin-top:1.6em;border-bottom:1px solid #ccc}"
        "table{border-collapse:collapse;width:100%}td,th{padding:3px 8px;text-align:left;border-bottom:1px solid #eee}"
        "td.c{font-weight:bold;width:5em}.meta{color:#666}"
        ".warn{border:2px solid #b00;padding:.5em .8em;color:#800}",
        "</style></head><body>",
        f"<h1>Counts sheet{html.escape(': ' + title) if title else ''}</h1>",
        f"<p class='meta'>{html.escape(Path(score.music).name)} · about {music_map.tempo_bpm:.0f} BPM · "
        f"{len(score.phrases)} phrases · style {html.escape(str(score.settings.get('style', '')))}</p>",
    ]
    warning = music_warning(music_map)
    if warning:
        parts.append(f"<p class='warn'><strong>Warning:</strong> {html.escape(warning)}</p>")
    for ph in counts_rows(score, music_map):
        parts.append(
            f"<h2>Phrase {ph['phrase']} · section {html.escape(ph['section'] or '-')} · "
            f"{_clock(ph['start_s'])} · {ph['bars']} bars of {ph['meter']}/4</h2><table>"
            "<tr><th>counts</th><th>step</th><th>side</th><th>facing</th><th>where</th></tr>"
        )
        for r in ph["rows"]:
            parts.append(
                f"<tr><td class='c'>{html.escape(r['counts'])}</td><td>{html.escape(r['step'])}</td>"
                f"<td>{r['side']}</td><td>{html.escape(r['facing'])}</td><td>{html.escape(r['spot'])}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_counts_sheet(score: Score, music_map: MusicMap, out_dir: str | os.PathLike, *, title: str = "") -> list[Path]:
    """Write counts.md and counts.html into ``out_dir`` (atomically)."""
    out = Path(out_dir)
    return [
        write_text(out / "counts.md", counts_markdown(score, music_map, title=title)),
        write_text(out / "counts.html", counts_html(score, music_map, title=title)),
    ]
