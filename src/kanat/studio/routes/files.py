"""An alternative's exports, served by fixed names only (:data:`kanat.studio.context.FILES`).

Two are made fit to leave the server as they are served: ``score.yaml`` names
its music by the piece's own file name (relative, as a score beside its music
does), never the server's path; the counts sheet (``counts.html``,
``counts.md``) is titled with the piece's name, not the stored ``music.<ext>``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, Response

from kanat.studio.context import FILES, Studio, no, studio
from kanat.studio.messages import BrowserRoute, piece_name

router = APIRouter(prefix="/api/projects", route_class=BrowserRoute)


@router.get("/{pid}/files/{name}")
def files(pid: str, name: str, alt: int | None = None, download: bool = False, s: Studio = Depends(studio)):
    p = s.project(pid)
    if name not in FILES:
        no(404, f"no file {name!r}; a project serves only {', '.join(FILES)}")
    k = s.alt_of(p, alt)
    path = s.store.project_dir(pid) / f"alt-{k}" / name
    if not path.is_file():
        no(404, f"{name} is not made yet" + ("; ask for the video export first" if name == "dance.mp4" else ""))
    fname = f"{piece_name(p['name'])}-{k}-{name}" if download else None
    disposition = "attachment" if download else "inline"
    if name == "score.yaml":
        return _text(exported_score(s, p, k), name, fname, disposition)
    if name in ("counts.html", "counts.md"):
        return _text(counts_sheet(s, p, k, name), name, fname, disposition)
    return FileResponse(path, media_type=FILES[name], filename=fname, content_disposition_type=disposition)


def exported_score(s: Studio, p: dict, k: int) -> str:
    """Alternative ``k``'s score.yaml with ``music`` the piece's own file name (relative), comments kept."""
    score = s.load_score(p["id"], k)
    score.music = p["name"]
    return score.to_yaml()


def counts_sheet(s: Studio, p: dict, k: int, name: str) -> str:
    """Alternative ``k``'s counts sheet (``counts.html`` or ``counts.md``) titled with the piece's name."""
    from kanat.listen import MusicMap
    from kanat.render.counts import counts_html, counts_markdown

    score = s.load_score(p["id"], k)
    score.music = p["name"]  # the sheet names the music by its last part: the piece's file, not music.<ext>
    mm = MusicMap.load(s.store.project_dir(p["id"]) / f"alt-{k}" / "music.json")
    return (counts_html if name == "counts.html" else counts_markdown)(score, mm, title=piece_name(p["name"]))


def _text(text: str, name: str, fname: str | None, disposition: str) -> Response:
    headers = {}
    if fname:
        from urllib.parse import quote

        quoted = quote(fname)  # as FileResponse names a file
        headers["content-disposition"] = (f'{disposition}; filename="{fname}"' if quoted == fname
                                          else f"{disposition}; filename*=utf-8''{quoted}")
    return Response(text.encode("utf-8"), media_type=FILES[name], headers=headers)
