"""The web studio: a FastAPI app over kanat's stages (``kanat studio``).

Every route is a thin call into a stage or :mod:`kanat.pipeline` (through
:mod:`kanat.studio.jobs` for long work); the routes live in
:mod:`kanat.studio.routes`, one router per area, and share a
:class:`~kanat.studio.context.Studio`. Errors a user can cause are answered
with a 4xx and ``{"detail": "one clear sentence"}``:

- 400: a bad file name, parameter or edit;  404: no such project, job or file;
- 409: the project is busy or not ready, or an edit was made on an older version of the dance
  (then with ``"project"``: the project as it is now);  413: the upload is too big;
- 415: the upload is not audio (kanat.listen.audio's own check and message).

Files are served only by fixed names from a project's own folder.
"""

from __future__ import annotations

import contextlib
import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from kanat.errors import AudioError, KanatError
from kanat.studio import jobs as J
from kanat.studio.context import StaleEdit, Studio
from kanat.studio.guard import LOCAL_HOSTS, Guard, content_security_policy, inline_script_hashes
from kanat.studio.routes import ROUTERS
from kanat.studio.routes.pages import STATIC
from kanat.studio.store import Store
from kanat.studio.upload import DEFAULT_MAX_UPLOAD


def create_app(data_dir: str | os.PathLike, *, max_upload_bytes: int = DEFAULT_MAX_UPLOAD, workers: int = 4,
               video_options: dict | None = None, allowed_hosts=LOCAL_HOSTS,
               job_limits_s: dict | None = None) -> FastAPI:
    """The studio app keeping its projects in ``data_dir``.

    ``video_options``: size, frame rate and camera of the video export (render_video's keywords;
    720p at 30 fps from the audience by default). ``allowed_hosts``: the names the app answers to
    (:mod:`kanat.studio.guard`; 127.0.0.1, localhost and ::1 by default). ``job_limits_s``: the watchdog's
    time limit per job kind in seconds (``{"video": 600}``; :mod:`kanat.studio.runner` has the defaults and
    ``$KANAT_STUDIO_JOB_LIMIT_S``). Every job runs in a process of its own; leaving the app (Ctrl+C, SIGTERM)
    stops them all and records them ``interrupted``.
    """
    store = Store(data_dir)
    studio = Studio(store, J.Jobs(store, workers=workers, limits_s=job_limits_s), max_upload_bytes, video_options)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        studio.jobs.shutdown()

    # no /api/docs: FastAPI's docs page loads its scripts from a CDN; the schema is at /api/openapi.json
    app = FastAPI(title="kanat studio", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  lifespan=lifespan)
    app.state.studio = studio
    app.state.store, app.state.jobs = store, studio.jobs
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(KanatError, _kanat_error)
    app.add_exception_handler(StaleEdit, _stale)
    for router in ROUTERS:
        app.include_router(router)
    csp = content_security_policy(inline_script_hashes(STATIC / "index.html"))
    app.add_middleware(Guard, allowed_hosts=allowed_hosts, csp=csp)
    return app


async def _kanat_error(_request: Request, exc: KanatError):
    from kanat.studio.messages import for_browser

    return JSONResponse({"detail": for_browser(str(exc))}, status_code=415 if isinstance(exc, AudioError) else 400)


async def _stale(_request: Request, exc: StaleEdit):
    return JSONResponse({"detail": exc.detail, "project": exc.project}, status_code=409)


def serve(data_dir: str | os.PathLike, *, port: int = 8000, host: str = "127.0.0.1",
          max_upload_mb: float = 200.0, allow_hosts: tuple[str, ...] = ()) -> None:
    """Run the studio under uvicorn until interrupted; ``allow_hosts``: names it answers to besides the local ones."""
    import uvicorn

    app = create_app(data_dir, max_upload_bytes=int(max_upload_mb * 1024 * 1024),
                     allowed_hosts=(*LOCAL_HOSTS, *allow_hosts))
    # Ctrl+C or SIGTERM: requests get 5 s to finish, then the app's shutdown stops every job (kanat.studio.jobs)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
