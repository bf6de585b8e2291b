"""An alternative's exports, served by fixed names only (:data:`kanat.studio.context.FILES`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from kanat.studio.context import FILES, Studio, no, studio

router = APIRouter(prefix="/api/projects")


@router.get("/{pid}/files/{name}")
def files(pid: str, name: str, alt: int | None = None, download: bool = False, s: Studio = Depends(studio)):
    p = s.project(pid)
    if name not in FILES:
        no(404, f"no file {name!r}; a project serves only {', '.join(FILES)}")
    k = s.alt_of(p, alt)
    path = s.store.project_dir(pid) / f"alt-{k}" / name
    if not path.is_file():
        no(404, f"{name} is not made yet" + ("; ask for the video export first" if name == "dance.mp4" else ""))
    stem = Path(p["name"]).stem or "dance"
    fname = f"{stem}-{k}-{name}" if download else None
    return FileResponse(path, media_type=FILES[name], filename=fname,
                        content_disposition_type="attachment" if download else "inline")
