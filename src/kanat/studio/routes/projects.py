"""Projects: upload a piece (which starts its analysis), list and open projects, their music and music map."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from kanat.studio import jobs as J
from kanat.studio import upload as U
from kanat.studio.context import Studio, no, studio
from kanat.studio.store import new_id

AUDIO_TYPES = {"wav": "audio/wav", "flac": "audio/flac", "ogg": "audio/ogg", "mp3": "audio/mpeg", "aiff": "audio/aiff",
               "caf": "audio/x-caf", "mp4": "audio/mp4", "audio": "application/octet-stream"}

router = APIRouter(prefix="/api/projects")


class ChooseIn(BaseModel):
    alternative: int


@router.get("")
def list_projects(s: Studio = Depends(studio)):
    return [s.describe(p) for p in s.store.projects()]


@router.post("", status_code=201)
async def upload(request: Request, s: Studio = Depends(studio)):
    """Multipart upload with one file field (any name): streamed to disk, refused past the size limit."""
    pid = new_id()
    folder = s.store.project_dir(pid)
    name, stored = await U.receive(request, folder, s.max_upload_bytes)
    s.store.create_project(pid, name, stored)
    s.start(pid, "analyse", J.analyse(s.store, pid, folder / stored))
    return s.describe(s.store.project(pid))


@router.get("/{pid}")
def get_project(pid: str, s: Studio = Depends(studio)):
    return s.describe(s.project(pid))


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
        no(409, "the music is not analysed yet" if p["status"] != "failed" else f"analysis failed: {p['error']}")
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
        "warning": str((mm.extras or {}).get("warning") or ""),  # what listening doubted (no steady beat, a faint pulse)
    }


@router.post("/{pid}/choose")
def choose(pid: str, body: ChooseIn, s: Studio = Depends(studio)):
    p = s.project(pid)
    s.store.update_project(pid, chosen=s.alt_of(p, body.alternative))
    return s.describe(s.store.project(pid))
