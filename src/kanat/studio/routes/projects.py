"""Projects: upload a piece (which starts its analysis), list, open and delete projects, their music and music map.

The list is paginated and read from the store's summaries (no file is read): ``GET /api/projects?limit=&offset=``
answers ``{"projects": [...], "total", "limit", "offset", "next_offset"}``, newest first; ``next_offset`` is None
on the last page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from kanat.studio import jobs as J
from kanat.studio import upload as U
from kanat.studio.context import BUSY, Studio, no, studio
from kanat.studio.messages import BrowserRoute, for_browser, piece_name
from kanat.studio.store import new_id

AUDIO_TYPES = {"wav": "audio/wav", "flac": "audio/flac", "ogg": "audio/ogg", "mp3": "audio/mpeg", "aiff": "audio/aiff",
               "caf": "audio/x-caf", "mp4": "audio/mp4", "audio": "application/octet-stream"}

#: Projects a page of the list holds by default, and at most.
PAGE, MAX_PAGE = 50, 200

router = APIRouter(prefix="/api/projects", route_class=BrowserRoute)


class ChooseIn(BaseModel):
    alternative: int


class HintsIn(BaseModel):
    """What the choreographer tells the studio about the music (every field optional: hear it)."""

    meter: str | None = None
    bpm: float | None = None
    first_downbeat_s: float | None = None
    taps_s: list[float] = []


@router.get("")
def list_projects(limit: int = Query(PAGE, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0),
                  s: Studio = Depends(studio)):
    """One page of projects, newest first: each its record and summary (:meth:`Store.project_page`) and ``busy``."""
    rows, total = s.store.project_page(limit=limit, offset=offset)
    for r in rows:
        r["piece"] = piece_name(r["name"])
        r["error"] = for_browser(r["error"])
        r["busy"] = s.jobs.busy(r["id"]) is not None
    end = offset + len(rows)
    return {"projects": rows, "total": total, "limit": limit, "offset": offset,
            "next_offset": end if end < total else None}


@router.post("", status_code=201)
async def upload(request: Request, s: Studio = Depends(studio)):
    """Multipart upload with one file field (any name): streamed to disk, refused past the size limit."""
    pid = new_id()
    folder = s.store.project_dir(pid)
    name, stored = await U.receive(request, folder, s.max_upload_bytes)
    s.store.create_project(pid, name, stored)
    s.start(pid, "analyse", J.analyse(s.store, pid, folder / stored))
    return s.describe(s.store.project(pid))


def _count_again(s: Studio, pid: str) -> dict:
    """The project, if its music may be counted again now: not busy, heard once, no dance made on its counts."""
    p = s.project(pid)
    if s.jobs.busy(pid) is not None:
        no(409, BUSY)
    if p["alternatives"] > 0:
        no(409, "this project has dances made on its current counts; start a new project from the same music to "
                "count it again (the dances here would no longer fit)")
    if p["status"] not in ("ready", "failed") or not (s.store.project_dir(pid) / p["music_file"]).is_file():
        no(409, "the music is still being analysed; wait for it to finish")
    return p


@router.post("/{pid}/listen", status_code=202)
def listen_again(pid: str, body: HintsIn, s: Studio = Depends(studio)):
    """Count the music again with the choreographer's hints (meter, tempo, the first "1", tapped beats)."""
    from kanat.listen.hinted import counted_meter
    from kanat.listen.hints import ListenHints

    p = _count_again(s, pid)
    hints = ListenHints.from_dict({k: v for k, v in body.model_dump().items() if v not in (None, [])})
    counted_meter(hints)
    s.store.update_project(pid, status="analysing", error="")
    return s.start(pid, "analyse", J.analyse(s.store, pid, s.store.project_dir(pid) / p["music_file"],
                                             hints=hints.to_dict()))


@router.post("/{pid}/sheet", status_code=202)
async def upload_sheet(pid: str, request: Request, s: Studio = Depends(studio)):
    """Upload the piece's sheet music (MIDI or MusicXML): the counts follow its bars, aligned to the recording."""
    p = _count_again(s, pid)
    _name, stored = await U.receive_sheet(request, s.store.project_dir(pid))
    s.store.update_project(pid, status="analysing", error="")
    return s.start(pid, "analyse", J.analyse(s.store, pid, s.store.project_dir(pid) / p["music_file"], sheet=stored))


@router.get("/{pid}")
def get_project(pid: str, s: Studio = Depends(studio)):
    return s.describe(s.project(pid))


@router.delete("/{pid}")
def delete_project(pid: str, s: Studio = Depends(studio)):
    """Remove the project: its folder and rows; 409 while a job runs on it."""
    p = s.project(pid)
    with s._edit_lock(pid):  # no edit of it half way
        if s.jobs.busy(pid):
            no(409, BUSY + ", then delete it")
        s.store.delete_project(pid)
    return {"deleted": p["id"], "name": p["name"]}


@router.get("/{pid}/music")
def music(pid: str, s: Studio = Depends(studio)):
    p = s.project(pid)
    kind = p["music_file"].split(".", 1)[1]
    return FileResponse(s.store.project_dir(pid) / p["music_file"],
                        media_type=AUDIO_TYPES.get(kind, "application/octet-stream"))


@router.get("/{pid}/map")
def music_map(pid: str, s: Studio = Depends(studio)):
    """The music map for the page: beats, counts, bars, phrases, sections and a downsampled waveform."""
    import json

    from kanat.listen import MusicMap

    p = s.project(pid)
    folder = s.store.project_dir(pid)
    if p["status"] in ("analysing", "failed") or not (folder / "music.json").is_file():
        no(409, "the music is not analysed yet" if p["status"] != "failed"
           else f"analysis failed: {for_browser(p['error'])}")
    mm = MusicMap.load(folder / "music.json")
    env = json.loads((folder / "envelope.json").read_text(encoding="utf-8"))
    sections = mm.section_of_beat()
    return {
        "duration_s": mm.duration_s, "tempo_bpm": mm.tempo_bpm, "beats_per_bar": mm.beats_per_bar,
        "beats_s": [round(float(t), 4) for t in mm.beats_s], "beat_in_bar": mm.beat_in_bar.tolist(),
        "meter": mm.meter.tolist(), "count_labels": mm.count_labels, "counts": mm.counts.tolist(),
        "phrases": [{"index": k + 1, "first_beat": a, "last_beat": z, "start_s": float(mm.beats_s[a]),
                     "end_s": float(mm.beats_s[z + 1]) if z + 1 < mm.n_beats else float(mm.duration_s),
                     "section": sections[a]} for k, (a, z) in enumerate(mm.phrases)],
        "sections": mm.sections, "envelope": env["peaks"],
        # what listening doubted (no steady beat, a faint pulse), in the page's words
        "warning": for_browser(str((mm.extras or {}).get("warning") or "")),
        "hints": dict((mm.extras or {}).get("hints") or {}),  # what the choreographer told (meter, bpm, "1", taps)
    }


@router.post("/{pid}/choose")
def choose(pid: str, body: ChooseIn, s: Studio = Depends(studio)):
    p = s.project(pid)
    s.store.update_project(pid, chosen=s.alt_of(p, body.alternative))
    return s.describe(s.store.project(pid))
