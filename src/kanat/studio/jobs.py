"""Background jobs: the studio's long work, each a call into kanat.pipeline or a stage.

A :class:`Jobs` runner keeps a thread pool (several projects work at once; the
web server's own threads stay free for requests) and records every job's
state and progress in the :class:`~kanat.studio.store.Store`, which the page
polls. One job at a time per project.

The job bodies below only sequence the stages, like ``kanat.pipeline``: listen,
compose, perform, critique, export. They hold no algorithm of their own.
"""

from __future__ import annotations

import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np

from kanat.errors import KanatError
from kanat.studio.store import Store, new_id

#: Points of the downsampled waveform the page draws.
ENVELOPE_POINTS = 2000


class Busy(Exception):
    """The project already has a job running."""


class Jobs:
    def __init__(self, store: Store, workers: int = 4):
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kanat-job")
        self._running: dict[str, str] = {}  # project id -> job id
        self._lock = threading.Lock()

    def submit(self, pid: str, kind: str, body: Callable[[Callable[[str, float, str], None]], str]) -> dict:
        """Start ``body(progress)`` for project ``pid``; it returns the job's closing message."""
        with self._lock:
            if pid in self._running:
                raise Busy(self._running[pid])
            jid = new_id()
            self._running[pid] = jid
        job = self.store.create_job(jid, pid, kind)
        self.pool.submit(self._run, pid, jid, body)
        return job

    def busy(self, pid: str) -> str | None:
        with self._lock:
            return self._running.get(pid)

    def _run(self, pid: str, jid: str, body) -> None:
        last = [0.0]

        def progress(stage: str, fraction: float, message: str = "") -> None:
            now = time.monotonic()
            if now - last[0] < 0.15 and fraction < 1.0:
                return
            last[0] = now
            self.store.update_job(jid, stage=stage, progress=float(max(0.0, min(1.0, fraction))), message=str(message)[:300])

        try:
            self.store.update_job(jid, state="running")
            message = body(progress) or ""
            self.store.update_job(jid, state="done", progress=1.0, message=message, finished=time.time())
        except KanatError as exc:
            self.store.update_job(jid, state="failed", error=str(exc), finished=time.time())
        except Exception as exc:  # noqa: BLE001 - a bug: keep the server up, tell the page, log the trace
            traceback.print_exc()
            self.store.update_job(jid, state="failed", error=f"internal error ({type(exc).__name__}: {exc}); "
                                  "please report it with the server log", finished=time.time())
        finally:
            with self._lock:
                self._running.pop(pid, None)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------- job bodies
def analyse(store: Store, pid: str, music: Path):
    """Listen to the music; save music.json and a waveform envelope."""
    from kanat.files import write_json
    from kanat.listen import listen, load_audio

    def body(progress):
        folder = store.project_dir(pid)
        try:
            mm = listen(music, progress=lambda f, m="": progress("listen", 0.9 * f, m))
            mm.save(folder / "music.json")
            y, sr = load_audio(music)
            n = max(1, len(y) // ENVELOPE_POINTS)
            usable = (len(y) // n) * n
            env = np.abs(y[:usable]).reshape(-1, n).max(axis=1)
            peak = float(env.max()) or 1.0
            write_json(folder / "envelope.json", {"duration_s": len(y) / sr, "peaks": np.round(env / peak, 3).tolist()})
        except KanatError as exc:
            store.update_project(pid, status="failed", error=_public(str(exc), music, store))
            raise KanatError(_public(str(exc), music, store)) from None
        store.update_project(pid, status="ready", error="")
        meters = "/".join(str(m) for m in sorted({int(m) for m in mm.meter}))
        return f"{mm.n_beats} beats at about {mm.tempo_bpm:.0f} BPM in {meters}, {len(mm.phrases)} phrases"

    return body


def _public(message: str, music: Path, store: Store) -> str:
    """A stage's message without the server's own paths."""
    project = store.project(music.parent.name)
    return message.replace(str(music), project["name"] if project else music.name)


def _load(store: Store, pid: str):
    from kanat.listen import MusicMap
    from kanat.vocabulary import load_library

    folder = store.project_dir(pid)
    return folder, MusicMap.load(folder / "music.json"), load_library()


def generate(store: Store, pid: str, brief, *, alternatives: int):
    """Compose ``alternatives`` dances (seeds brief.seed, brief.seed + 1, ...) and hand each over without video."""
    from kanat.compose import Score, compose
    from kanat.pipeline import _hand_over

    def body(progress):
        folder, mm, library = _load(store, pid)
        music = folder / store.project(pid)["music_file"]
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
            _hand_over(score, mm, library, where, files, brief=this, video=False, progress=tell)
        for k in range(alternatives, 10):  # fewer alternatives than last time: drop the old ones
            old = folder / f"alt-{k + 1}"
            if old.is_dir():
                import shutil

                shutil.rmtree(old)
        store.update_project(pid, status="danced", alternatives=alternatives, chosen=1,
                             settings=brief.to_settings())
        store.bump_version(pid)
        return f"{alternatives} dance{'s' if alternatives > 1 else ''} composed"

    return body


def _perform_again(score, mm, library, where: Path, progress) -> None:
    """Motion, exports, counts sheet and critique of ``score`` into ``where``; its old video is dropped."""
    from kanat.pipeline import _hand_over

    (where / "dance.mp4").unlink(missing_ok=True)
    _hand_over(score, mm, library, where, {}, brief=score.brief, video=False, progress=progress)


def reperform(store: Store, pid: str, alt: int, what: str):
    """Perform the alternative's (edited) score again: motion, exports, counts sheet, critique."""
    from kanat.compose import Score

    def body(progress):
        folder, mm, library = _load(store, pid)
        where = folder / f"alt-{alt}"
        _perform_again(Score.load(where / "score.yaml"), mm, library, where, progress)
        return what

    return body


def regenerate(store: Store, pid: str, alt: int, seed: int):
    """Compose the unlocked rest around the locked phrases and steps, then perform it."""
    from kanat.compose import Score, compose

    def body(progress):
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

    return body


def video(store: Store, pid: str, alt: int, options: dict | None = None):
    """Render dance.mp4 of the alternative (the slowest export, so only on request), as the command line does."""
    from kanat.body import Motion
    from kanat.compose import Score
    from kanat.pipeline import make_video

    def body(progress):
        folder, mm, _library = _load(store, pid)
        where = folder / f"alt-{alt}"
        score = Score.load(where / "score.yaml")
        make_video(score, mm, Motion.load(where / "motion.npz"), where, brief=score.brief, video_options=options,
                   progress=progress)
        return "video ready"

    return body
