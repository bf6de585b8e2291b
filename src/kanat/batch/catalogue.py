"""The catalogue of a batch: ``OUT/index.html``, ``OUT/catalogue.csv`` and ``OUT/catalogue.json``.

Conventions
-----------
- One row per track, in the batch's order. ``status`` is ``done`` (danced
  now), ``kept`` (finished by an earlier run with the same music and options,
  not redone), ``failed`` (``error`` says why) or ``not run`` (the batch was
  interrupted first).
- Figures: ``duration_s``, ``tempo_bpm``, ``meter`` (the counts, e.g. ``3/2``
  for a piece in 3 then in 2), ``sections`` (labels in order, ``A B A``),
  ``phrases``, ``steps``, the critique's figures (every one in the JSON and
  CSV, the main ones in the page), ``seconds`` and ``worker_peak_rss_mb``.
- Links are relative to OUT (``tracks/NAME/dance.mp4`` ...), so the folder
  can be moved or served as it is. The page sorts by any column on a click,
  with no script or style fetched from anywhere.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from kanat.batch.worker import KEY_FIGURES, LINKS
from kanat.files import write_json, write_text

FORMAT_VERSION = 1
COLUMNS = ("track", "status", "duration_s", "tempo_bpm", "meter", "sections", "phrases", "steps", "notes")
TAIL = ("seconds", "cpu_s", "worker_peak_rss_mb", "error", "folder", "source", "summary")


def write_catalogue(out_dir: Path, rows: list[dict], *, options: dict) -> dict[str, Path]:
    """Write the three catalogue files into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    metrics = sorted({k for r in rows for k in (r.get("metrics") or {})})
    paths = {
        "catalogue.json": write_json(out_dir / "catalogue.json", {
            "format_version": FORMAT_VERSION, "options": options, "counts": _counts(rows), "tracks": rows}),
        "catalogue.csv": write_text(out_dir / "catalogue.csv", _csv(rows, metrics)),
        "index.html": write_text(out_dir / "index.html", _html(rows, options)),
    }
    return paths


def _counts(rows: list[dict]) -> dict:
    out: dict[str, int] = {}
    for r in rows:
        out[r["status"]] = out.get(r["status"], 0) + 1
    return out


def _link(row: dict, what: str) -> str:
    name = (row.get("links") or {}).get(what)
    return f"tracks/{row['track']}/{name}" if name else ""


def _csv(rows: list[dict], metrics: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*COLUMNS, *metrics, *LINKS, *TAIL])
    for r in rows:
        m = r.get("metrics") or {}
        w.writerow([_plain(r.get(c)) for c in COLUMNS] + [_plain(m.get(k)) for k in metrics]
                   + [_link(r, what) for what in LINKS] + [_plain(r.get(c)) for c in TAIL])
    return buf.getvalue()


def _plain(v) -> str:
    return "" if v is None else str(v)


_STYLE = """body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top}th{background:#eee;cursor:pointer;user-select:none}
th.asc::after{content:" \\25B2"}th.desc::after{content:" \\25BC"}tr.failed td{background:#fde8e8}
tr.kept td.status{color:#666}td.num{text-align:right}td.err{min-width:16em;max-width:32em;color:#a00}"""

_SCRIPT = """document.querySelectorAll('#tracks th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = document.querySelector('#tracks tbody'), up = !th.classList.contains('asc');
    document.querySelectorAll('#tracks th').forEach(function (h) { h.classList.remove('asc', 'desc'); });
    th.classList.add(up ? 'asc' : 'desc');
    var rows = Array.prototype.slice.call(body.rows);
    function key(r) { var c = r.cells[col], v = c.getAttribute('data-v'); return v === null ? c.textContent : v; }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y), d;
      if (x === '' || y === '') return (x === '') - (y === '');  /* empty cells last, either way */
      if (!isNaN(nx) && !isNaN(ny)) d = nx - ny;
      else d = x.localeCompare(y);
      return up ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});"""


def _html(rows: list[dict], options: dict) -> str:
    cols = [*COLUMNS[:2], "error", *COLUMNS[2:], *KEY_FIGURES, "files", "seconds"]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "\n".join(_html_row(r) for r in rows)
    counts = ", ".join(f"{n} {s}" for s, n in _counts(rows).items())
    brief = html.escape(", ".join(f"{k} {_setting(v)}" for k, v in (options.get("brief") or {}).items()))
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kanat catalogue</title>"
            f"<style>{_STYLE}</style></head><body>\n<h1>kanat catalogue</h1>\n"
            f"<p>{len(rows)} tracks: {html.escape(counts)}. Brief: {brief}. Click a column to sort.</p>\n"
            f"<table id=\"tracks\"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>\n"
            f"<script>{_SCRIPT}</script>\n</body></html>\n")


def _html_row(r: dict) -> str:
    m = r.get("metrics") or {}
    cells = [f"<td><a href=\"tracks/{html.escape(r['track'])}/\">{html.escape(r['track'])}</a></td>"
             if r.get("links") else f"<td>{html.escape(r['track'])}</td>",
             f"<td class=\"status\">{html.escape(r['status'])}</td>",
             f"<td class=\"err\">{html.escape(r.get('error') or '')}</td>"]
    cells += [_cell(r.get(c)) for c in COLUMNS[2:]]
    cells += [_cell(m.get(k)) for k in KEY_FIGURES]
    links = " ".join(f"<a href=\"{html.escape(_link(r, w))}\">{w}</a>" for w in LINKS if _link(r, w))
    cells += [f"<td>{links}</td>", _cell(r.get("seconds"))]
    return f"<tr class=\"{html.escape(r['status'].replace(' ', '-'))}\">{''.join(cells)}</tr>"


def _setting(v) -> str:
    return " x ".join(f"{x:g}" for x in v.values()) + " m" if isinstance(v, dict) and v and all(
        isinstance(x, (int, float)) for x in v.values()) else str(v)


def _cell(v) -> str:
    if v is None:
        return "<td data-v=\"\"></td>"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        shown = str(v) if not isinstance(v, float) else "0" if abs(v) < 5e-7 else f"{v:.3g}" if abs(v) < 1 else f"{v:g}"
        return f"<td class=\"num\" data-v=\"{v!r}\">{shown}</td>"
    return f"<td>{html.escape(str(v))}</td>"
