"""One track of a batch, as a worker dances it: kanat.pipeline.choreograph into a scratch folder.

Conventions
-----------
- :func:`dance_track` runs where Ray puts it (this machine or a node of a
  cluster). It never raises for a bad track: it returns ``{"row": ...}`` with
  the row's ``error`` set (and ``input_error`` when the track itself is
  bad, a :class:`~kanat.errors.KanatError`), so one corrupt file fails only its own row.
- The files come back as bytes (``{"files": {relative path: bytes}}``) and
  the driver writes them, so a cluster needs no shared disk and the output
  folder only ever holds finished tracks.
- When the worker cannot see the music file (another machine), the driver
  sends its bytes; the score and music.json still name the original path.
- Row figures: ``duration_s``, ``tempo_bpm``, ``seconds`` (this task's wall
  time), ``cpu_s`` (the CPU seconds it and its ffmpeg used), ``worker_peak_rss_mb`` (the
  worker process's peak resident memory).
"""

from __future__ import annotations

import os
import resource
import socket
import tempfile
import time
from pathlib import Path

from kanat.brief import Brief
from kanat.errors import KanatError

#: the critique figures the catalogue shows (critique.json keeps them all)
KEY_FIGURES = ("beat_align_score", "pfc", "foot_slide_mean_mps", "balance_outside_share", "step_variety_share",
               "energy_correlation")
#: the files a catalogue row links to, by what they are
LINKS = {"video": "dance.mp4", "counts": "counts.html", "score": "score.yaml", "critique": "critique.md",
         "bvh": "dance.bvh", "glb": "dance.glb"}


def dance_track(path: str, audio: bytes | None, settings: dict, video: bool, video_options: dict | None) -> dict:
    """Choreograph one track; its row for the catalogue and its files.

    Parameters
    ----------
    path : str
        The music file as the driver sees it.
    audio : bytes or None
        Its bytes, sent when the worker may not see ``path``.
    settings : dict
        The brief, as :meth:`kanat.brief.Brief.to_settings` writes it.
    video, video_options
        As :func:`kanat.pipeline.choreograph` takes them.

    Returns
    -------
    dict
        ``{"row": dict, "files": {str: bytes}}``; on failure ``{"row": dict}``
        with ``row["error"]`` saying what went wrong.
    """
    t0, cpu0 = time.monotonic(), _cpu_s()
    row: dict = {"node": socket.gethostname(), "pid": os.getpid()}
    with tempfile.TemporaryDirectory(prefix="kanat-batch-") as scratch:
        try:
            music = _music_here(Path(path), audio, Path(scratch))
            out = Path(scratch) / "out"
            result = _choreograph(music, out, settings, video, video_options)
            if music != Path(path):
                _name_the_original(out, path)
            row.update(_row(result))
            files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        except KanatError as exc:
            row["error"], row["input_error"] = str(exc), True
            files = None
        except Exception as exc:  # noqa: BLE001 - a fault on one track must not stop the batch
            row["error"] = f"kanat failed on this track ({type(exc).__name__}: {exc}); please report it"
            files = None
    row["seconds"] = round(time.monotonic() - t0, 2)
    row["cpu_s"] = round(_cpu_s() - cpu0, 2)
    row["worker_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    return {"row": row} if files is None else {"row": row, "files": files}


def _cpu_s() -> float:
    """CPU seconds this worker process and the children it waited for (ffmpeg) have used (user + system)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                   resource.getrusage(resource.RUSAGE_CHILDREN)))


def _music_here(path: Path, audio: bytes | None, scratch: Path) -> Path:
    """The music file on this worker: the original when visible here, else a copy of the bytes sent."""
    if audio is None or path.is_file():
        return path
    copy = scratch / "music" / path.name
    copy.parent.mkdir()
    copy.write_bytes(audio)
    return copy


def _choreograph(music: Path, out: Path, settings: dict, video: bool, video_options: dict | None):
    from kanat.pipeline import choreograph

    brief = Brief.from_settings(settings, where="batch options")
    return choreograph(music, out, brief, video=video, video_options=video_options)


def _name_the_original(out: Path, path: str) -> None:
    """The score and music.json name the user's music file, not the worker's copy."""
    from kanat.compose import Score
    from kanat.listen import MusicMap

    mm = MusicMap.load(out / "music.json")
    mm.source = path
    mm.save(out / "music.json")
    score = Score.load(out / "score.yaml")
    score.music = path
    score.save(out / "score.yaml")


def _row(result) -> dict:
    """The catalogue's figures for one finished track."""
    mm, score, report = result.music_map, result.score, result.critique
    meters = sorted({int(m) for m in mm.meter})
    row = {
        "duration_s": round(float(mm.duration_s), 2),
        "tempo_bpm": round(float(mm.tempo_bpm), 1),
        "meter": "/".join(str(m) for m in meters),
        "sections": " ".join(str(s["label"]) for s in mm.sections),
        "phrases": len(mm.phrases),
        "steps": sum(len(p.steps) for p in score.phrases),
        "summary": report.summary,
        "notes": len(report.findings),
        "metrics": {k: _figure(report.metrics[k]) for k in sorted(report.metrics)},
        "links": {what: name for what, name in LINKS.items() if name in result.files},
    }
    return row


def _figure(v):
    """A critique figure for the catalogue: six significant digits, None kept."""
    return float(f"{v:.6g}") if isinstance(v, float) else v
