"""The long work, answered 202 with the job to poll: generate, regenerate, the video, a retry; and a job's state.

A job is ``queued``, ``running``, ``done``, ``failed`` (its own error in ``error``) or ``interrupted`` (stopped
by the watchdog, the studio stopping or dying; the reason in ``error``). ``retryable`` says whether
``POST /api/jobs/{id}/retry`` (or ``POST /api/projects/{id}/retry``, the project's last job) can start it
again: a failed or interrupted job that is its project's last, the analysis included.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from kanat.brief import DEFAULT_DIFFICULTY, DEFAULT_INNOVATION, DEFAULT_STYLE, Brief
from kanat.studio import jobs as J
from kanat.studio.context import BUSY, Studio, no, studio
from kanat.studio.messages import BrowserRoute

router = APIRouter(prefix="/api", route_class=BrowserRoute)


class GenerateIn(BaseModel):
    """What the page asks for; the ranges are the Brief's (checked once, there)."""

    style: str = DEFAULT_STYLE
    innovation: float = DEFAULT_INNOVATION
    difficulty: int = DEFAULT_DIFFICULTY
    seed: int = 0
    alternatives: int = Field(3, ge=1, le=6)


class RegenerateIn(BaseModel):
    """Compose the unlocked rest again; ``version``: the dance's version the page showed."""

    version: int
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    alt: int | None = None


@router.get("/jobs/{jid}")
def get_job(jid: str, s: Studio = Depends(studio)):
    from kanat.studio.messages import for_browser

    j = _job(s, jid)
    return j | {"retryable": s.jobs.retryable(j), "error": for_browser(j.get("error") or "")}


def _job(s: Studio, jid: str) -> dict:
    j = s.store.job(jid) if re.fullmatch(r"[0-9a-f]{1,32}", jid) else None
    if j is None:
        no(404, f"no job {jid!r}")
    return j


@router.post("/jobs/{jid}/retry", status_code=202)
def retry_job(jid: str, s: Studio = Depends(studio)):
    """Start failed or interrupted job ``jid`` again (a new job, answered as ``POST .../generate`` is)."""
    j = _job(s, jid)
    with s._edit_lock(j["project_id"]):  # not while an edit of the project is being saved
        try:
            return s.jobs.retry(jid)
        except J.Busy:
            no(409, BUSY)
        except J.CannotRetry as exc:
            no(409, str(exc))


@router.post("/projects/{pid}/retry", status_code=202)
def retry_last(pid: str, s: Studio = Depends(studio)):
    """Start the project's last job again when it failed or was interrupted (an analysis, a video, ...)."""
    s.project(pid)
    last = s.store.last_job(pid)
    if last is None:
        no(409, "this project has no job to retry")
    return retry_job(last["id"], s)


@router.post("/projects/{pid}/generate", status_code=202)
def generate(pid: str, body: GenerateIn, s: Studio = Depends(studio)):
    p = s.project(pid)
    if p["status"] in ("analysing", "failed"):
        no(409, "the music is not analysed yet; wait for the analysis to finish" if p["status"] == "analysing"
           else f"this project's music could not be analysed: {p['error']}")
    brief = Brief(style=body.style, innovation=body.innovation, difficulty=body.difficulty, seed=body.seed)
    return s.start(pid, "generate", J.generate(s.store, pid, brief, alternatives=body.alternatives))


@router.post("/projects/{pid}/regenerate", status_code=202)
def regenerate(pid: str, body: RegenerateIn, s: Studio = Depends(studio)):
    with s.edit(pid, body.alt, body.version) as (k, score):
        seed = body.seed if body.seed is not None else int(score.settings.get("seed", 0)) + 100
        return s.start(pid, "regenerate", J.regenerate(s.store, pid, k, seed))


@router.post("/projects/{pid}/video", status_code=202)
def make_video(pid: str, alt: int | None = None, s: Studio = Depends(studio)):
    k = s.alt_of(s.project(pid), alt)
    return s.start(pid, "video", J.video(s.store, pid, k, s.video_options))
