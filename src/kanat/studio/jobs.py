"""Background jobs: the studio's long work, each a call into kanat.pipeline or a stage, in a process of its own.

A :class:`Jobs` runner records every job's state and progress in the
:class:`~kanat.studio.store.Store`, which the page polls. One job at a time per
project; up to ``workers`` projects work at once (the others' jobs wait,
``queued``). Each job's body runs in a fresh process (:mod:`kanat.studio.runner`):
it cannot take the server's socket or signals with it, a watchdog stops it past
its kind's time limit, Ctrl+C and SIGTERM stop it with the server, and it dies
with the server.

A job is described by a :class:`Task`, plain data (the body's name and its
arguments), so it can be sent to its process and saved beside the project
(``projects/<id>/jobs/<job id>.json``) to be retried after a failure or an
interruption, even after a restart.

Job states: ``queued`` → ``running`` → ``done``, ``failed`` (the work's own error, in ``error``) or
``interrupted`` (stopped from outside: the watchdog, the studio stopping or dying, the job's process
killed; the reason in ``error``). A failed or interrupted job that is its project's last can be retried.

The job bodies below only sequence the stages, like ``kanat.pipeline``: listen,
compose, perform, critique, export. They hold no algorithm of their own.
"""

from __future__ import annotations

import atexit
import json
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kanat.studio import runner
from kanat.studio.store import Store, new_id

#: Points of the downsampled waveform the page draws.
ENVELOPE_POINTS = 2000
#: Version of the saved task files (projects/<id>/jobs/<job id>.json).
TASK_FORMAT = 1
#: States a job can be retried from.
RETRYABLE = ("failed", "interrupted")


class Busy(Exception):
    """The project already has a job running."""


class CannotRetry(Exception):
    """The job cannot be retried; the message says why (answered 409)."""


@dataclass(frozen=True)
class Task:
    """What a job does, as plain data: ``body`` (a name in :data:`BODIES`), its project, its arguments (JSON types)."""

    body: str
    pid: str
    args: dict = field(default_factory=dict)


def run_task(task: Task, store, progress) -> str:
    """Run ``task``'s body (in the job's process); returns the job's closing message."""
    return BODIES[task.body](store, task.pid, progress, **task.args)


class Jobs:
    """Jobs of the studio's projects, each in its own process; see the module's docstring.

    ``limits_s``: time limit per job kind in seconds, over :data:`kanat.studio.runner.LIMITS_S` and
    ``$KANAT_STUDIO_JOB_LIMIT_S``.
    """

    def __init__(self, store: Store, workers: int = 4, *, limits_s: dict | None = None):
        self.store = store
        self.limits_s = runner.job_limits(limits_s)
        self._slots = threading.Semaphore(max(1, int(workers)))  # jobs running at once
        self._running: dict[str, str] = {}  # project id -> job id
        self._threads: dict[str, threading.Thread] = {}  # job id -> the thread watching it
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # The watching threads are daemons (an exit never waits for them); a forced exit (a second Ctrl+C skips
        # the app's shutdown) still stops every job's processes on its way out.
        atexit.register(self.shutdown, 3.0)

    def submit(self, pid: str, kind: str, task: Task) -> dict:
        """Start ``task`` for project ``pid`` as a job of ``kind``; :class:`Busy` while the project has a job."""
        if not isinstance(task, Task):
            raise TypeError(f"a job is a Task (kanat.studio.jobs.analyse, generate, ...), got {task!r}")
        with self._lock:
            if self._stop.is_set():
                raise Busy("the studio is stopping")
            if pid in self._running:
                raise Busy(self._running[pid])
            jid = new_id()
            self._running[pid] = jid
        try:
            if task.body == "analyse":
                self.store.update_project(pid, status="analysing", error="")
            job = self.store.create_job(jid, pid, kind)
            self._save_task(jid, kind, task)
            watcher = threading.Thread(target=self._run, args=(pid, jid, kind, task), daemon=True,
                                       name=f"kanat-job-{kind}-{jid}")
            with self._lock:
                self._threads[jid] = watcher
            watcher.start()
        except BaseException:
            with self._lock:
                self._running.pop(pid, None)
                self._threads.pop(jid, None)
            raise
        return job

    def retry(self, jid: str) -> dict:
        """Start failed or interrupted job ``jid`` again, as a new job; :class:`CannotRetry` says why not."""
        job = self.store.job(jid)
        if job is None:
            raise KeyError(jid)
        if job["state"] not in RETRYABLE:
            raise CannotRetry(f"job {jid} is {job['state']}; only a failed or interrupted job can be retried")
        last = self.store.last_job(job["project_id"])
        if last is not None and last["id"] != jid:
            raise CannotRetry(f"job {jid} is not this project's last job ({last['kind']}, {last['state']} since); "
                              "start the work again from the page")
        kind, task = self._load_task(job)
        return self.submit(job["project_id"], kind, task)

    def retryable(self, job: dict | None) -> bool:
        """Whether ``job`` (a store row) could be retried now, as far as its own record tells."""
        return bool(job) and job["state"] in RETRYABLE and self._task_path(job["project_id"], job["id"]).is_file()

    def busy(self, pid: str) -> str | None:
        with self._lock:
            return self._running.get(pid)

    def _run(self, pid: str, jid: str, kind: str, task: Task) -> None:
        def progress(stage: str, fraction: float, message: str = "") -> None:
            self.store.update_job(jid, stage=stage, progress=fraction, message=message)

        slot = False
        try:
            while not (slot := self._slots.acquire(timeout=0.2)):  # queued behind other projects' jobs
                if self._stop.is_set():
                    break
            if self._stop.is_set():
                outcome = runner.Outcome("interrupted", error=runner.NOT_STARTED)
            else:
                self.store.update_job(jid, state="running")
                outcome = runner.supervise(kind, task, self.store, limit_s=runner.limit_of(self.limits_s, kind),
                                           stop=self._stop, on_progress=progress, body=run_task)
            self._record(pid, jid, task, outcome)
        except Exception as exc:  # noqa: BLE001 - a bug: keep the server up, tell the page, log the trace
            traceback.print_exc()
            error = f"internal error ({type(exc).__name__}: {exc}); please report it with the server log"
            self._record(pid, jid, task, runner.Outcome("failed", error=error))
        finally:
            if slot:
                self._slots.release()
            with self._lock:
                self._running.pop(pid, None)
                self._threads.pop(jid, None)

    def _record(self, pid: str, jid: str, task: Task, outcome: runner.Outcome) -> None:
        if outcome.state == "done":
            self.store.update_job(jid, state="done", progress=1.0, message=outcome.message, finished=time.time())
            return
        self.store.update_job(jid, state=outcome.state, error=outcome.error, finished=time.time())
        p = self.store.project(pid)
        if task.body == "analyse" and p is not None and p["status"] == "analysing":
            self.store.update_project(pid, status="failed", error=outcome.error)

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Stop every job (their processes end within seconds) and record why; waits up to ``timeout_s``."""
        self._stop.set()
        with self._lock:
            watchers = list(self._threads.values())
        end = time.monotonic() + timeout_s
        for w in watchers:
            w.join(max(0.0, end - time.monotonic()))

    # --------------------------------------------------------- saved tasks
    def _task_path(self, pid: str, jid: str) -> Path:
        return self.store.project_dir(pid) / "jobs" / f"{jid}.json"

    def _save_task(self, jid: str, kind: str, task: Task) -> None:
        from kanat.files import write_json

        try:
            text = json.dumps(task.args)
        except (TypeError, ValueError):
            return  # not plain data (a video option object): this job cannot be retried
        path = self._task_path(task.pid, jid)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, {"format": TASK_FORMAT, "kind": kind, "body": task.body, "args": json.loads(text)})

    def _load_task(self, job: dict) -> tuple[str, Task]:
        path = self._task_path(job["project_id"], job["id"])
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = None
        if not isinstance(saved, dict) or saved.get("format") != TASK_FORMAT or saved.get("body") not in BODIES:
            raise CannotRetry(f"job {job['id']} ({job['kind']}) was not saved in a form this studio can retry; "
                              "start the work again from the page")
        return saved["kind"], Task(saved["body"], job["project_id"], dict(saved["args"]))


# ---------------------------------------------------------------- job bodies
# Each task constructor below is what a route submits; the matching _body runs in the job's process,
# with ``store`` a proxy of the server's Store.
def analyse(store: Store, pid: str, music: Path, *, hints: dict | None = None, sheet: str | None = None) -> Task:
    """Listen to the music (with the choreographer's hints, or counted from her sheet music in the project's
    folder); save music.json and a waveform envelope."""
    return Task("analyse", pid, {"music": Path(music).name, "hints": dict(hints or {}), "sheet": sheet})


def _analyse(store, pid: str, progress, *, music: str, hints: dict | None = None, sheet: str | None = None) -> str:
    from kanat.errors import KanatError
    from kanat.files import write_json
    from kanat.listen import listen, load_audio
    from kanat.listen.hints import ListenHints

    folder = store.project_dir(pid)
    music = folder / music
    again = (folder / "music.json").is_file()  # counting again (hints, a sheet): a refusal keeps the old map
    try:
        mm = listen(music, progress=lambda f, m="": progress("listen", 0.9 * f, m), hints=ListenHints.from_dict(hints),
                    score=folder / sheet if sheet else None)
        if sheet:
            from kanat.pipeline import check_sheet_fits

            check_sheet_fits(mm, folder / sheet, music)
        mm.save(folder / "music.json")
        y, sr = load_audio(music)
        n = max(1, len(y) // ENVELOPE_POINTS)
        usable = (len(y) // n) * n
        env = np.abs(y[:usable]).reshape(-1, n).max(axis=1)
        peak = float(env.max()) or 1.0
        write_json(folder / "envelope.json", {"duration_s": len(y) / sr, "peaks": np.round(env / peak, 3).tolist()})
    except KanatError as exc:
        if again:
            store.update_project(pid, status="ready", error="")
        else:
            store.update_project(pid, status="failed", error=_public(str(exc), music, store))
        raise KanatError(_public(str(exc), music, store)) from None
    store.update_project(pid, status="ready", error="")
    meters = "/".join(str(m) for m in sorted({int(m) for m in mm.meter}))
    return f"{mm.n_beats} beats at about {mm.tempo_bpm:.0f} BPM in {meters}, {len(mm.phrases)} phrases"


def _public(message: str, music: Path, store) -> str:
    """A stage's message without the server's own paths."""
    project = store.project(music.parent.name)
    return message.replace(str(music), project["name"] if project else music.name)


def _load(store, pid: str):
    from kanat.listen import MusicMap
    from kanat.vocabulary import load_library

    folder = store.project_dir(pid)
    return folder, MusicMap.load(folder / "music.json"), load_library()


def generate(store: Store, pid: str, brief, *, alternatives: int) -> Task:
    """Compose ``alternatives`` dances (seeds brief.seed, brief.seed + 1, ...) and hand each over without video."""
    return Task("generate", pid, {"brief": brief.to_settings(), "alternatives": int(alternatives)})


def _generate(store, pid: str, progress, *, brief: dict, alternatives: int) -> str:
    import shutil

    from kanat.brief import Brief
    from kanat.compose import Score, compose
    from kanat.pipeline import _hand_over

    brief = Brief.from_settings(brief, where="the studio's generate job")
    folder, mm, library = _load(store, pid)
    music = folder / store.project(pid)["music_file"]
    from kanat.critique.review import music_beat_frames

    heard = music_beat_frames("auto", mm)  # once for every alternative
    for k in range(alternatives):
        where = folder / f"alt-{k + 1}"
        tell = lambda s, f, m="", k=k: progress(s if s == "compose" else f"alternative {k + 1}: {s}",  # noqa: E731
                                                (k + 0.5 * f) / alternatives if s != "compose" else (k + 0.1) / alternatives, m)
        tell("compose", 0.0, f"alternative {k + 1} of {alternatives}")
        this = brief.replace(seed=brief.seed + k)
        score = compose(mm, this, library=library, music=str(music))
        where.mkdir(parents=True, exist_ok=True)
        for old in ("score.yaml", ".score.yaml.kanat-sha256"):  # a new dance replaces the studio's old one
            (where / old).unlink(missing_ok=True)
        files = {"music.json": mm.save(where / "music.json"), "score.yaml": score.save(where / "score.yaml")}
        score = Score.load(where / "score.yaml")
        (where / "dance.mp4").unlink(missing_ok=True)  # an old video would not match the new dance
        _hand_over(score, mm, library, where, files, brief=this, video=False, progress=tell, music_beats=heard)
    for k in range(alternatives, 10):  # fewer alternatives than last time: drop the old ones
        old = folder / f"alt-{k + 1}"
        if old.is_dir():
            shutil.rmtree(old)
    store.update_project(pid, status="danced", alternatives=alternatives, chosen=1, settings=brief.to_settings())
    store.bump_version(pid)
    return f"{alternatives} dance{'s' if alternatives > 1 else ''} composed"


def _perform_again(score, mm, library, where: Path, progress) -> None:
    """Motion, exports, counts sheet and critique of ``score`` into ``where``; its old video is dropped."""
    from kanat.pipeline import _hand_over

    (where / "dance.mp4").unlink(missing_ok=True)
    _hand_over(score, mm, library, where, {}, brief=score.brief, video=False, progress=progress)


def reperform(store: Store, pid: str, alt: int, what: str) -> Task:
    """Perform the alternative's (edited) score again: motion, exports, counts sheet, critique."""
    return Task("reperform", pid, {"alt": int(alt), "what": str(what)})


def _reperform(store, pid: str, progress, *, alt: int, what: str) -> str:
    from kanat.compose import Score

    folder, mm, library = _load(store, pid)
    where = folder / f"alt-{alt}"
    _perform_again(Score.load(where / "score.yaml"), mm, library, where, progress)
    return what


def regenerate(store: Store, pid: str, alt: int, seed: int) -> Task:
    """Compose the unlocked rest around the locked phrases and steps, then perform it."""
    return Task("regenerate", pid, {"alt": int(alt), "seed": int(seed)})


def _regenerate(store, pid: str, progress, *, alt: int, seed: int) -> str:
    from kanat.compose import Score, compose

    folder, mm, library = _load(store, pid)
    where = folder / f"alt-{alt}"
    old = Score.load(where / "score.yaml")
    progress("compose", 0.1, "composing around the locks")
    score = compose(mm, old.brief.replace(seed=seed), library=library, music=old.music, constraints=old)
    score.save(where / "score.yaml")
    score = Score.load(where / "score.yaml")
    _perform_again(score, mm, library, where, progress)
    store.bump_version(pid)
    kept = sum(1 for ph in score.phrases if ph.locked)
    return f"regenerated with seed {seed}; {kept} locked phrase{'s' if kept != 1 else ''} kept"


def video(store: Store, pid: str, alt: int, options: dict | None = None) -> Task:
    """Render dance.mp4 of the alternative (the slowest export, so only on request), as the command line does."""
    return Task("video", pid, {"alt": int(alt), "options": dict(options or {})})


def _video(store, pid: str, progress, *, alt: int, options: dict) -> str:
    from kanat.body import Motion
    from kanat.compose import Score
    from kanat.pipeline import make_video

    folder, mm, _library = _load(store, pid)
    where = folder / f"alt-{alt}"
    score = Score.load(where / "score.yaml")
    make_video(score, mm, Motion.load(where / "motion.npz"), where, brief=score.brief, video_options=options or None,
               progress=progress)
    return "video ready"


#: The job bodies by name (a Task's ``body``); each runs in the job's own process.
BODIES = {"analyse": _analyse, "generate": _generate, "reperform": _reperform, "regenerate": _regenerate,
          "video": _video}
