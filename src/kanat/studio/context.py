"""What every route of the studio shares: the store, the job runner and the lookups that answer 4xx.

A :class:`Studio` lives on ``app.state.studio``; routes get it through
``Depends(studio)``. Its lookups raise :class:`fastapi.HTTPException` with one
clear sentence (404 no such project, 400 no such alternative or step, 409 busy
or not ready), so a route reads as the stage call it makes.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import HTTPException, Request

from kanat.studio import jobs as J
from kanat.studio.store import Store

#: What an edit or a new job is told while the project is still working on its last job.
BUSY = "this project is still working on its last job; wait for it to finish"

#: What GET /api/projects/{id}/files/{name} serves: fixed names in an alternative's folder.
FILES = {
    "dance.glb": "model/gltf-binary",
    "dance.bvh": "text/plain; charset=utf-8",
    "score.yaml": "text/yaml; charset=utf-8",
    "counts.html": "text/html; charset=utf-8",
    "counts.md": "text/markdown; charset=utf-8",
    "critique.md": "text/markdown; charset=utf-8",
    "critique.json": "application/json",
    "music.json": "application/json",
    "dance.mp4": "video/mp4",
}


#: What a stale edit is told (409), with the project as it is now.
STALE = ("this dance was changed since you last saw it (in another tab or window): your edit was made on version "
         "{got}, the dance is at version {now}; it is shown as it is now, so make your edit again there")


def no(status: int, detail: str):
    """Answer the request with ``status`` and ``{"detail": detail}``."""
    raise HTTPException(status_code=status, detail=detail)


class StaleEdit(Exception):
    """An edit made on an older version of the dance; answered 409 with the project as it is now."""

    def __init__(self, detail: str, project: dict):
        super().__init__(detail)
        self.detail, self.project = detail, project


@dataclass
class Studio:
    """The studio's state: projects in ``store``, long work in ``jobs``, the upload limit and video options."""

    store: Store
    jobs: J.Jobs
    max_upload_bytes: int
    video_options: dict | None = None
    _edit_locks: dict = field(default_factory=dict, repr=False)
    _locks_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def project(self, pid: str) -> dict:
        """Project ``pid``, or 404."""
        p = self.store.project(pid) if re.fullmatch(r"[0-9a-f]{1,32}", pid) else None
        if p is None:
            no(404, f"no project {pid!r}; it may have been deleted, or made by a studio keeping its projects elsewhere")
        return p

    def alt_of(self, p: dict, alt: int | None) -> int:
        """The alternative asked for (the chosen one when ``alt`` is None); 409 without a dance, 400 out of range."""
        if p["alternatives"] < 1:
            no(409, "this project has no dance yet; generate one first")
        k = p["chosen"] if alt is None else alt
        if not 1 <= k <= p["alternatives"]:
            no(400, f"alternative {k} does not exist; this project has alternatives 1-{p['alternatives']}")
        return k

    def start(self, pid: str, kind: str, body) -> dict:
        """Submit a job for ``pid``; 409 while the project is busy."""
        try:
            return self.jobs.submit(pid, kind, body)
        except J.Busy:
            no(409, BUSY)

    def score_path(self, pid: str, alt: int) -> Path:
        return self.store.project_dir(pid) / f"alt-{alt}" / "score.yaml"

    def load_score(self, pid: str, alt: int):
        from kanat.compose import Score

        return Score.load(self.score_path(pid, alt))

    def check_version(self, p: dict, version: int) -> None:
        """:class:`StaleEdit` unless ``version`` is project ``p``'s current version."""
        if version != p["version"]:
            raise StaleEdit(STALE.format(got=version, now=p["version"]), self.describe(p))

    @contextlib.contextmanager
    def edit(self, pid: str, alt: int | None, version: int):
        """Edit the alternative's score made on ``version``: yields ``(k, score)``; one edit of a project at a time.

        409 while a job runs on the project; :class:`StaleEdit` (409 with the current state) when the dance has
        changed since ``version``. The body saves what it changed; the version is counted up when it returns.
        """
        with self._edit_lock(pid):
            p = self.project(pid)
            k = self.alt_of(p, alt)
            if self.jobs.busy(pid):
                no(409, BUSY)
            self.check_version(p, version)
            yield k, self.load_score(pid, k)
            self.store.bump_version(pid)

    def _edit_lock(self, pid: str) -> threading.Lock:
        with self._locks_lock:
            return self._edit_locks.setdefault(pid, threading.Lock())

    def describe(self, p: dict) -> dict:
        """The project as the page shows it: its record, last job, busy flag and one summary per alternative."""
        from kanat.studio.messages import for_browser, piece_name

        out = dict(p)
        out["piece"], out["error"] = piece_name(p["name"]), for_browser(p["error"])
        out["job"] = self.store.last_job(p["id"])
        if out["job"] is not None:  # failed or interrupted (with the reason in "error"), and can start again
            out["job"]["retryable"] = self.jobs.retryable(out["job"])
        if out["job"]:
            out["job"]["error"] = for_browser(out["job"]["error"])
        out["busy"] = self.jobs.busy(p["id"]) is not None
        folder = self.store.project_dir(p["id"])
        out["alternative_list"] = [_alternative(folder / f"alt-{k}", k, p["settings"].get("seed", 0) + k - 1)
                                   for k in range(1, p["alternatives"] + 1)]
        return out


def _alternative(where: Path, k: int, seed: int) -> dict:
    summary, steps, own_seed = _read_alternative(str(where), _stamp(where / "critique.json"),
                                                 _stamp(where / "score.yaml"))
    return {"index": k, "seed": seed if own_seed is None else int(own_seed), "summary": summary, "steps": len(steps), "different_steps": len(set(steps)),
            "opening": list(steps[1:4]), "files": [n for n in FILES if (where / n).is_file()]}


def _stamp(path: Path) -> tuple | None:
    """What changes when ``path`` is rewritten (files are replaced by a rename: a new inode), None when absent."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=1024)
def _read_alternative(where: str, critique_stamp, score_stamp) -> tuple[str, tuple[str, ...], int | None]:
    """The critique's summary, the score's steps and seed of the alternative in ``where`` (parsed once per version).

    The seed is the score's own (a regenerate with another seed changes it), None without a score."""
    summary, steps, seed = "", (), None
    if critique_stamp is not None:
        import json

        summary = json.loads((Path(where) / "critique.json").read_text(encoding="utf-8")).get("summary", "")
    if score_stamp is not None:
        from kanat.compose import Score

        score = Score.load(Path(where) / "score.yaml")
        steps = tuple(st.step for _ph, st, _b in score.placed())
        seed = score.settings.get("seed")
    return summary, steps, seed


def studio(request: Request) -> Studio:
    """The dependency every route takes: ``s: Studio = Depends(studio)``."""
    return request.app.state.studio


def find_step(score, phrase: int, index: int):
    """Phrase ``phrase`` of ``score`` and the step index in it; 400 when either does not exist."""
    ph = find_phrase(score, phrase)
    if not 0 <= index < len(ph.steps):
        no(400, f"phrase {phrase} has steps 0-{len(ph.steps) - 1}, not {index}")
    return ph, index


def find_phrase(score, phrase: int):
    ph = next((x for x in score.phrases if x.index == phrase), None)
    if ph is None:
        no(400, f"phrase {phrase} does not exist; the dance has phrases 1-{len(score.phrases)}")
    return ph
