"""The web studio: a FastAPI app over kanat's stages (``kanat studio``).

Every route is a thin call into a stage or :mod:`kanat.pipeline` (through
:mod:`kanat.studio.jobs` for long work). Errors a user can cause are answered
with a 4xx and ``{"detail": "one clear sentence"}``:

- 400: a bad file name, parameter or edit;  404: no such project, job or file;
- 409: the project is busy or not ready;  413: the upload is too big;
- 415: the upload is not audio (kanat.listen.audio's own check and message).

Files are served only by fixed names from a project's own folder.
"""

from __future__ import annotations

import contextlib
import os
import re
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from kanat.brief import DEFAULT_DIFFICULTY, DEFAULT_INNOVATION, DEFAULT_STYLE, Brief
from kanat.errors import AudioError, KanatError
from kanat.studio import jobs as J
from kanat.studio.store import Store, new_id

DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024
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
AUDIO_TYPES = {"wav": "audio/wav", "flac": "audio/flac", "ogg": "audio/ogg", "mp3": "audio/mpeg", "aiff": "audio/aiff",
               "caf": "audio/x-caf", "mp4": "audio/mp4", "audio": "application/octet-stream"}


class GenerateIn(BaseModel):
    """What the page asks for; the ranges are the Brief's (checked once, there)."""

    style: str = DEFAULT_STYLE
    innovation: float = DEFAULT_INNOVATION
    difficulty: int = DEFAULT_DIFFICULTY
    seed: int = 0
    alternatives: int = Field(3, ge=1, le=6)


class SwapIn(BaseModel):
    phrase: int
    index: int
    step: str
    side: str | None = None
    alt: int | None = None


class LockIn(BaseModel):
    phrase: int
    locked: bool = True
    alt: int | None = None


class RegenerateIn(BaseModel):
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    alt: int | None = None


class ChooseIn(BaseModel):
    alternative: int


def _no(status: int, detail: str):
    raise HTTPException(status_code=status, detail=detail)


def check_file_name(name: str) -> str:
    """The user's file name, for display only; names with folders or control characters are refused."""
    if not name:
        _no(400, "the upload has no file name; choose a music file (wav, flac, ogg or mp3)")
    if "/" in name or "\\" in name or ".." in name or any(ord(c) < 32 for c in name) or len(name) > 255:
        _no(400, f"file name {name!r} is refused: it names a folder or climbs out of one ('/', '\\' or '..'); "
                 "rename the file to a plain name like song.wav and upload it again")
    return name


def create_app(data_dir: str | os.PathLike, *, max_upload_bytes: int = DEFAULT_MAX_UPLOAD, workers: int = 4,
               video_options: dict | None = None) -> FastAPI:
    """The studio app keeping its projects in ``data_dir``.

    ``video_options``: size, frame rate and camera of the video export (render_video's keywords;
    720p at 30 fps from the audience by default).
    """
    store = Store(data_dir)
    runner = J.Jobs(store, workers=workers)
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        runner.shutdown()

    app = FastAPI(title="kanat studio", docs_url="/api/docs", redoc_url=None, lifespan=lifespan)
    app.state.store = store
    app.state.jobs = runner
    static = Path(str(resources.files("kanat.studio") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.exception_handler(KanatError)
    async def _kanat_error(_request: Request, exc: KanatError):
        return JSONResponse({"detail": str(exc)}, status_code=415 if isinstance(exc, AudioError) else 400)

    def project_or_404(pid: str) -> dict:
        p = store.project(pid) if re.fullmatch(r"[0-9a-f]{1,32}", pid) else None
        if p is None:
            _no(404, f"no project {pid!r}; it may have been made with another --data folder")
        return p

    def alt_of(p: dict, alt: int | None) -> int:
        if p["alternatives"] < 1:
            _no(409, "this project has no dance yet; generate one first")
        k = p["chosen"] if alt is None else alt
        if not 1 <= k <= p["alternatives"]:
            _no(400, f"alternative {k} does not exist; this project has alternatives 1-{p['alternatives']}")
        return k

    def describe(p: dict) -> dict:
        out = dict(p)
        out["job"] = store.last_job(p["id"])
        out["busy"] = runner.busy(p["id"]) is not None
        alts = []
        folder = store.project_dir(p["id"])
        for k in range(1, p["alternatives"] + 1):
            where = folder / f"alt-{k}"
            summary = ""
            if (where / "critique.json").is_file():
                import json

                summary = json.loads((where / "critique.json").read_text(encoding="utf-8")).get("summary", "")
            steps = []
            if (where / "score.yaml").is_file():
                from kanat.compose import Score

                steps = [st.step for _ph, st, _b in Score.load(where / "score.yaml").placed()]
            alts.append({"index": k, "seed": p["settings"].get("seed", 0) + k - 1, "summary": summary,
                         "steps": len(steps), "different_steps": len(set(steps)), "opening": steps[1:4],
                         "files": [n for n in FILES if (where / n).is_file()]})
        out["alternative_list"] = alts
        return out

    def start(pid: str, kind: str, body) -> dict:
        try:
            return runner.submit(pid, kind, body)
        except J.Busy:
            _no(409, BUSY)

    # ---------------------------------------------------------------- pages
    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(static / "index.html", media_type="text/html")

    # -------------------------------------------------------------- projects
    @app.get("/api/projects")
    def list_projects():
        return [describe(p) for p in store.projects()]

    @app.post("/api/projects", status_code=201)
    async def upload(request: Request):
        """Multipart upload with one file field (any name): streamed to disk, refused past the size limit."""
        from python_multipart import MultipartParser
        from python_multipart.multipart import parse_options_header

        ctype, opts = parse_options_header(request.headers.get("content-type", ""))
        if ctype != b"multipart/form-data" or b"boundary" not in opts:
            _no(400, "send the music as multipart/form-data with one file field named 'music'")
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_upload_bytes + 64 * 1024:
            _no(413, _too_big(int(length), max_upload_bytes))
        pid = new_id()
        folder = store.project_dir(pid)
        folder.mkdir(parents=True)
        tmp = folder / ".upload.part"
        state = {"name": None, "header": b"", "headers": {}, "in_file": False, "size": 0, "files": 0, "too_big": False}
        fh = open(tmp, "wb")

        def on_header_field(data, start, end):
            state["field"] = state.get("field", b"") + data[start:end]

        def on_header_value(data, start, end):
            state["value"] = state.get("value", b"") + data[start:end]

        def on_header_end():
            state["headers"][state.pop("field", b"").lower()] = state.pop("value", b"")

        def on_headers_finished():
            _disp, params = parse_options_header(state["headers"].get(b"content-disposition", b""))
            fname = params.get(b"filename")
            state["in_file"] = fname is not None and state["files"] == 0
            if state["in_file"]:
                state["files"] += 1
                state["name"] = fname.decode("utf-8", "replace")

        def on_part_data(data, start, end):
            if state["in_file"] and not state["too_big"]:
                state["size"] += end - start
                if state["size"] > max_upload_bytes:
                    state["too_big"] = True
                else:
                    fh.write(data[start:end])

        def on_part_end():
            state["in_file"] = False
            state["headers"] = {}

        parser = MultipartParser(opts[b"boundary"], {
            "on_header_field": on_header_field, "on_header_value": on_header_value, "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished, "on_part_data": on_part_data, "on_part_end": on_part_end})
        try:
            try:
                async for chunk in request.stream():
                    parser.write(chunk)
                    if state["too_big"]:
                        break
                    if state["name"] is not None and state["files"] == 1 and not state.get("checked"):
                        state["checked"] = True
                        check_file_name(state["name"])  # refuse a bad name before storing the rest
            finally:
                fh.close()
            if state["too_big"]:
                _no(413, _too_big(None, max_upload_bytes))
            if state["name"] is None:
                _no(400, "the upload holds no file; send the music in a file field named 'music'")
            name = check_file_name(state["name"])
            from kanat.listen.audio import check_file, sniff_format

            try:
                check_file(tmp)
            except AudioError as exc:
                _no(415, str(exc).replace(str(tmp), name))
            kind = sniff_format(tmp.open("rb").read(16)) or "audio"
            stored = f"music.{kind}"  # the name is kanat's, never the user's
            os.replace(tmp, folder / stored)
        except BaseException:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            raise
        store.create_project(pid, name, stored)
        start(pid, "analyse", J.analyse(store, pid, folder / stored))
        return describe(store.project(pid))

    @app.get("/api/projects/{pid}")
    def get_project(pid: str):
        return describe(project_or_404(pid))

    @app.get("/api/jobs/{jid}")
    def get_job(jid: str):
        j = store.job(jid) if re.fullmatch(r"[0-9a-f]{1,32}", jid) else None
        if j is None:
            _no(404, f"no job {jid!r}")
        return j

    @app.get("/api/projects/{pid}/music")
    def music(pid: str):
        p = project_or_404(pid)
        kind = p["music_file"].split(".", 1)[1]
        return FileResponse(store.project_dir(pid) / p["music_file"], media_type=AUDIO_TYPES.get(kind, "application/octet-stream"))

    @app.get("/api/projects/{pid}/map")
    def music_map(pid: str):
        """The music map for the page: beats, counts, bars, phrases, sections and a downsampled waveform."""
        import json

        from kanat.listen import MusicMap

        p = project_or_404(pid)
        folder = store.project_dir(pid)
        if p["status"] in ("analysing", "failed") or not (folder / "music.json").is_file():
            _no(409, "the music is not analysed yet" if p["status"] != "failed" else f"analysis failed: {p['error']}")
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
        }

    # -------------------------------------------------------------- dancing
    @app.post("/api/projects/{pid}/generate", status_code=202)
    def generate(pid: str, body: GenerateIn):
        p = project_or_404(pid)
        if p["status"] in ("analysing", "failed"):
            _no(409, "the music is not analysed yet; wait for the analysis to finish" if p["status"] == "analysing"
                else f"this project's music could not be analysed: {p['error']}")
        brief = Brief(style=body.style, innovation=body.innovation, difficulty=body.difficulty, seed=body.seed)
        return start(pid, "generate", J.generate(store, pid, brief, alternatives=body.alternatives))

    @app.post("/api/projects/{pid}/choose")
    def choose(pid: str, body: ChooseIn):
        p = project_or_404(pid)
        store.update_project(pid, chosen=alt_of(p, body.alternative))
        return describe(store.project(pid))

    def score_path(pid: str, alt: int) -> Path:
        return store.project_dir(pid) / f"alt-{alt}" / "score.yaml"

    def load_score(pid: str, alt: int):
        from kanat.compose import Score

        return Score.load(score_path(pid, alt))

    def editable_score(pid: str, alt: int | None):
        """The alternative's number and score, for an edit; 409 while a job runs on the project."""
        k = alt_of(project_or_404(pid), alt)
        if runner.busy(pid):
            _no(409, BUSY)
        return k, load_score(pid, k)

    @app.get("/api/projects/{pid}/timeline")
    def timeline(pid: str, alt: int | None = None):
        """The chosen (or given) alternative's phrases with their steps, in beats, counts and seconds."""
        from kanat.listen import MusicMap
        from kanat.perform import beats_to_time

        p = project_or_404(pid)
        k = alt_of(p, alt)
        score = load_score(pid, k)
        mm = MusicMap.load(store.project_dir(pid) / "music.json")
        phrases = []
        for ph in score.phrases:
            steps = []
            for i, st in enumerate(ph.steps):
                b = ph.first_beat + st.at - 1
                t0, t1 = (float(t) for t in beats_to_time([b, b + st.beats], mm.beats_s))
                steps.append({"index": i, "step": st.step, "side": st.side, "at": st.at, "beats": st.beats,
                              "first_beat": b, "start_s": round(t0, 4), "end_s": round(t1, 4),
                              "count": mm.count_labels[b] if b < mm.n_beats else "", "locked": st.locked or ph.locked})
            t0, t1 = (float(t) for t in beats_to_time([ph.first_beat, ph.first_beat + ph.n_beats], mm.beats_s))
            phrases.append({"phrase": ph.index, "first_beat": ph.first_beat, "beats": ph.n_beats, "section": ph.section,
                            "locked": ph.locked, "start_s": round(t0, 4), "end_s": round(t1, 4), "steps": steps})
        return {"alternative": k, "settings": score.settings, "phrases": phrases}

    def find_step(score, phrase: int, index: int):
        ph = next((x for x in score.phrases if x.index == phrase), None)
        if ph is None:
            _no(400, f"phrase {phrase} does not exist; the dance has phrases 1-{len(score.phrases)}")
        if not 0 <= index < len(ph.steps):
            _no(400, f"phrase {phrase} has steps 0-{len(ph.steps) - 1}, not {index}")
        return ph, index

    @app.get("/api/projects/{pid}/candidates")
    def candidates(pid: str, phrase: int, index: int, alt: int | None = None):
        """Steps that could replace step ``index`` of ``phrase``: same beats in this meter, chaining stances."""
        from kanat.compose.terms import durations
        from kanat.listen import MusicMap
        from kanat.vocabulary import load_library

        p = project_or_404(pid)
        score = load_score(pid, alt_of(p, alt))
        ph, i = find_step(score, phrase, index)
        mm = MusicMap.load(store.project_dir(pid) / "music.json")
        library = load_library()
        placed = score.placed()
        flat = [(x, s) for x, s, _b in placed]
        pos = next(n for n, (_x, s) in enumerate(flat) if s is ph.steps[i])
        st = ph.steps[i]
        meter = int(mm.meter[min(ph.first_beat + st.at - 1, mm.n_beats - 1)])

        def stance(name, side, end):
            step = library.get(name)
            if side == "-":
                return step.end if end else step.start
            return step.end_stance(side) if end else step.start_stance(side)

        before = stance(flat[pos - 1][1].step, flat[pos - 1][1].side, True) if pos > 0 else None
        after = stance(flat[pos + 1][1].step, flat[pos + 1][1].side, False) if pos + 1 < len(flat) else None
        out = []
        for step in library:
            if step.name == st.step or meter not in step.meters or st.beats not in durations(step, meter, 1.0):
                continue
            for side in (("R", "L") if step.sided else ("-",)):
                starts_ok = before is None or stance(step.name, side, False) == before
                ends_ok = after is None or stance(step.name, side, True) == after
                if starts_ok:
                    out.append({"step": step.name, "side": side, "family": step.family, "beats": st.beats,
                                "fits": "both ends" if ends_ok else "start only", "description": step.description[:140]})
        out.sort(key=lambda c: (c["fits"] != "both ends", c["step"]))
        return {"phrase": phrase, "index": index, "current": st.step, "side": st.side, "beats": st.beats,
                "meter": meter, "after_stance_of_previous": before, "before_stance_of_next": after, "candidates": out}

    @app.post("/api/projects/{pid}/swap", status_code=202)
    def swap(pid: str, body: SwapIn):
        from kanat.vocabulary import load_library

        k, score = editable_score(pid, body.alt)
        ph, i = find_step(score, body.phrase, body.index)
        step = load_library().get(body.step)
        side = body.side or ph.steps[i].side
        if side not in ("R", "L", "-") or (side == "-") == step.sided:
            side = "R" if step.sided else "-"
        st = ph.steps[i]
        st.step, st.side, st.locked = step.name, side, True  # the choreographer's choice: kept on regenerate
        score.save(score_path(pid, k))
        return start(pid, "swap", J.reperform(store, pid, k, f"phrase {body.phrase}: {step.name} {side} swapped in"))

    @app.post("/api/projects/{pid}/lock")
    def lock(pid: str, body: LockIn):
        k, score = editable_score(pid, body.alt)
        ph = next((x for x in score.phrases if x.index == body.phrase), None)
        if ph is None:
            _no(400, f"phrase {body.phrase} does not exist; the dance has phrases 1-{len(score.phrases)}")
        ph.locked = body.locked
        score.save(score_path(pid, k))
        return {"phrase": ph.index, "locked": ph.locked}

    @app.post("/api/projects/{pid}/regenerate", status_code=202)
    def regenerate(pid: str, body: RegenerateIn):
        p = project_or_404(pid)
        k = alt_of(p, body.alt)
        seed = body.seed if body.seed is not None else int(load_score(pid, k).settings.get("seed", 0)) + 100
        return start(pid, "regenerate", J.regenerate(store, pid, k, seed))

    @app.post("/api/projects/{pid}/video", status_code=202)
    def make_video(pid: str, alt: int | None = None):
        p = project_or_404(pid)
        return start(pid, "video", J.video(store, pid, alt_of(p, alt), video_options))

    @app.get("/api/projects/{pid}/files/{name}")
    def files(pid: str, name: str, alt: int | None = None, download: bool = False):
        p = project_or_404(pid)
        if name not in FILES:
            _no(404, f"no file {name!r}; a project serves only {', '.join(FILES)}")
        k = alt_of(p, alt)
        path = store.project_dir(pid) / f"alt-{k}" / name
        if not path.is_file():
            _no(404, f"{name} is not made yet" + ("; ask for the video export first" if name == "dance.mp4" else ""))
        stem = Path(p["name"]).stem or "dance"
        fname = f"{stem}-{k}-{name}" if download else None
        return FileResponse(path, media_type=FILES[name], filename=fname,
                            content_disposition_type="attachment" if download else "inline")

    return app


def _too_big(size: int | None, limit: int) -> str:
    got = f" ({size / 2**20:.0f} MB)" if size else ""
    return (f"the music file is too big{got}: the studio takes at most {limit / 2**20:.0f} MB; "
            "export a shorter piece or a compressed format (ogg or mp3)")


def serve(data_dir: str | os.PathLike, *, port: int = 8000, host: str = "127.0.0.1",
          max_upload_mb: float = 200.0) -> None:
    """Run the studio under uvicorn until interrupted."""
    import uvicorn

    app = create_app(data_dir, max_upload_bytes=int(max_upload_mb * 1024 * 1024))
    uvicorn.run(app, host=host, port=port, log_level="warning")
