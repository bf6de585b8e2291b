"""Messages meant for the browser: the stages' own sentences without server paths or command-line advice.

The stages speak to a person at a terminal ("run 'kanat steps' for the list",
"give the piece's score (--score)", "write to another folder with -o") and name
files by their full path. The studio tells the same thing in the page's words:
:func:`for_browser` names a file by its last part only (or by the piece's own
name for the project's stored music) and turns each piece of command-line
advice into what to do in the studio. :class:`BrowserRoute` applies it to every
:class:`~kanat.errors.KanatError` a route raises (415 for an
:class:`~kanat.errors.AudioError`, 400 otherwise).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

from kanat.errors import AudioError, KanatError

#: Command-line advice and the studio's words for it, most specific first (regular expressions, case kept).
ADVICE = (
    (r"; run 'kanat steps' for the list", "; the swap menu lists the steps that fit there"),
    (r"check the counts in music\.png, or give the piece's score \(--score\) for exact bars",
     "check the counts on the music map"),
    (r"raise --innovation", "raise the innovation"),
    (r"compose one with 'kanat choreograph'", "generate a dance first"),
    (r"kanat will not overwrite it\. Re-perform it with 'kanat render', or write to another folder with -o",
     "the studio will not overwrite it; open the project again, or make a new project from the music"),
    (r"--(innovation|difficulty|style|seed|alternatives|stage)\b", r"the \1 setting"),
)
#: An absolute path (POSIX or Windows), quoted or not: named by its last part in the browser.
_PATH = re.compile(r"(?<![\w.~/])(?:[A-Za-z]:[\\/]|/)(?:[^\s'\"/\\:]+[\\/])+([^\s'\"/\\:]*[^\s'\"/\\:.,;)])")
#: What is left of command-line advice after the replacements: a clause naming a command or an option.
_LEFTOVER = re.compile(r"[;,]?\s*[^;,.]*(?:'kanat [^']*'|\bkanat (?:listen|choreograph|render|critique|steps|batch|"
                       r"studio|demo)\b|(?<![\w-])--[a-z][a-z-]+|(?<![\w-])-o\b)[^;.]*")


def for_browser(message: str, *, names: dict[str, str] | None = None) -> str:
    """``message`` as the page should show it: no server path, no command-line advice.

    ``names``: paths (as the message writes them) and what to call them instead, e.g. the project's stored
    music file and the piece's own file name. Any other absolute path is named by its last part.
    """
    for path, name in sorted((names or {}).items(), key=lambda kv: -len(kv[0])):
        message = message.replace(path, name)
    message = _PATH.sub(lambda m: m.group(1), message)
    for pattern, words in ADVICE:
        message = re.sub(pattern, words, message)
    return _LEFTOVER.sub("", message).strip()


def piece_name(file_name: str) -> str:
    """The piece's name: the uploaded file's name without its extension ("Swan Lake.ogg" -> "Swan Lake")."""
    return Path(file_name).stem or file_name or "dance"


class BrowserRoute(APIRoute):
    """A route whose :class:`~kanat.errors.KanatError` is answered 4xx in the browser's words (:func:`for_browser`)."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except KanatError as exc:
                status = 415 if isinstance(exc, AudioError) else 400
                raise HTTPException(status_code=status, detail=for_browser(str(exc), names=_names(request))) from None

        return handle


def _names(request: Request) -> dict[str, str]:
    """The project's folder and stored music, for the project the request is about (none when it has no project)."""
    pid = request.path_params.get("pid", "")
    studio = getattr(request.app.state, "studio", None)
    p = studio.store.project(pid) if studio is not None and pid.isalnum() and len(pid) <= 32 else None
    if p is None:
        return {}
    folder = studio.store.project_dir(pid)
    return {str(folder / p["music_file"]): p["name"], str(folder) + "/": ""}
