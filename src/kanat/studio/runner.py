"""One job in its own process: started clean, watched, stopped for good.

A job's body runs in a child process made with the ``spawn`` start method, so
it inherits neither the web server's listening socket nor its signal handlers
(uvicorn's), nor any lock another server thread held. The child

- ignores SIGINT (Ctrl+C is the server's to handle; the server stops it) and
  dies on SIGTERM;
- leads its own process group (its render workers and ffmpeg are in it), so
  the server stops the whole group at once;
- dies with the server: Linux kills it when the server dies, even by
  ``kill -9`` (``PR_SET_PDEATHSIG``), and it checks at start that the server
  is still its parent.

The server side (:func:`supervise`, one thread per running job) reads the
child's messages over a pipe: progress, calls on the :class:`Store` (the
child's ``store`` is a proxy, so only the server writes the database) and the
closing word. It stops the job's group when the job runs past its time limit,
goes silent past its stall limit, or the server is stopping.

Times in seconds. Settings for tests (read here and in the job's process, nowhere else):

``KANAT_STUDIO_JOB_LIMIT_S``
    ``"30"`` (every kind of job) or ``"video=30,analyse=600"``: time limits overriding :data:`LIMITS_S`.
``KANAT_STUDIO_TEST_BLOCK``
    A job kind (``video``, ``analyse``, ...): a job of that kind blocks for ever at its first progress
    report past 0 (a hung render worker, as in issue 21), so the watchdog and the shutdown can be tested.
    Never set it outside tests.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util  # noqa: F401 - its exit hook (joining children) runs after Jobs'
import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Callable

from kanat.errors import KanatError, ParameterError

#: Longest each kind of job may run, in seconds (an hour's piece at 720p renders well inside its limit).
LIMITS_S = {"analyse": 1800.0, "generate": 3600.0, "regenerate": 1800.0, "swap": 1800.0, "video": 3 * 3600.0}
#: Limit for a kind not listed above.
DEFAULT_LIMIT_S = 3600.0
#: Longest a kind of job may go without a word (progress or a store call); the video reports every 10 frames.
STALL_S = {"video": 300.0}

LIMIT_ENV = "KANAT_STUDIO_JOB_LIMIT_S"
BLOCK_ENV = "KANAT_STUDIO_TEST_BLOCK"

#: Seconds a stopped job's processes get to end on SIGTERM before SIGKILL.
TERM_GRACE_S = 2.0

STOPPED = "the studio was stopped (Ctrl+C or SIGTERM) while this job ran; retry it"
NOT_STARTED = "the studio was stopped before this job started; retry it"


@dataclass(frozen=True)
class Outcome:
    """How a job ended: ``state`` is ``done``, ``failed`` (its own error) or ``interrupted`` (stopped from outside)."""

    state: str
    message: str = ""
    error: str = ""


def job_limits(overrides: dict | None = None, env: str | None = None) -> dict[str, float]:
    """The time limit per job kind: :data:`LIMITS_S`, then ``$KANAT_STUDIO_JOB_LIMIT_S``, then ``overrides``."""
    limits = dict(LIMITS_S)
    text = os.environ.get(LIMIT_ENV, "") if env is None else env
    for kind, value in _parse_limits(text).items():
        if kind == "*":
            limits = {k: value for k in limits} | {"*": value}
        else:
            limits[kind] = value
    for kind, value in (overrides or {}).items():
        limits[kind] = _positive(value, f"job limit for {kind!r}")
    return limits


def limit_of(limits: dict[str, float], kind: str) -> float:
    return limits.get(kind, limits.get("*", DEFAULT_LIMIT_S))


def _parse_limits(text: str) -> dict[str, float]:
    text = text.strip()
    if not text:
        return {}
    if "=" not in text:
        return {"*": _positive(text, LIMIT_ENV)}
    out = {}
    for part in text.split(","):
        kind, _, value = part.partition("=")
        if not kind.strip() or not value.strip():
            raise ParameterError(f"{LIMIT_ENV} must be seconds ('30') or kind=seconds pairs ('video=30,analyse=600'), "
                                 f"got {text!r}")
        out[kind.strip()] = _positive(value, f"{LIMIT_ENV} {kind.strip()}")
    return out


def _positive(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not v > 0:
        raise ParameterError(f"{what} must be a number of seconds above 0, got {value!r}")
    return v


# ------------------------------------------------------------- server side
def supervise(kind: str, task, store, *, limit_s: float, stop: threading.Event,
              on_progress: Callable[[str, float, str], None], stall_s: float | None = None,
              body: Callable | None = None) -> Outcome:
    """Run ``task`` (a picklable :class:`kanat.studio.jobs.Task`) in a fresh process and wait for its end.

    ``body(task, store, progress)`` runs it there: a module-level function, sent by name
    (:func:`kanat.studio.jobs.run_task`; passed in, so this module never imports the jobs).

    ``store`` answers the child's store calls; ``on_progress(stage, fraction, message)`` gets its progress.
    Returns when the job ends, runs past ``limit_s``, goes silent for ``stall_s``, or ``stop`` is set; the job's
    processes are gone by then.
    """
    stall_s = STALL_S.get(kind) if stall_s is None else stall_s
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(there, os.getpid(), kind, task, body), name=f"kanat-job-{kind}")
    proc.start()
    there.close()
    started = heard = time.monotonic()
    try:
        while True:
            if stop.is_set():
                return Outcome("interrupted", error=STOPPED)
            now = time.monotonic()
            if now - started > limit_s:
                return Outcome("interrupted", error=f"stopped by the studio's watchdog: a {kind} job may run at most "
                               f"{_seconds(limit_s)} and this one ran longer; retry it")
            if stall_s and now - heard > stall_s:
                return Outcome("interrupted", error=f"stopped by the studio's watchdog: no progress for "
                               f"{_seconds(stall_s)}, the job seemed hung; retry it")
            if not here.poll(0.2):
                if not proc.is_alive() and not here.poll(0):
                    return _died(proc)
                continue
            try:
                msg = here.recv()
            except (EOFError, OSError):
                proc.join(5)
                return _died(proc)
            heard = time.monotonic()
            if msg[0] == "progress":
                on_progress(*msg[1:])
            elif msg[0] == "call":
                _answer(here, store, *msg[1:])
            elif msg[0] == "done":
                return Outcome("done", message=msg[1])
            else:
                return Outcome("failed", error=msg[1])
    finally:
        stop_group(proc)
        here.close()


def _seconds(s: float) -> str:
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.0f} min"


def _died(proc) -> Outcome:
    code = proc.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
    return Outcome("interrupted", error=f"the job's process ended without finishing ({how}; out of memory?); "
                   "retry it")


def _answer(conn, store, name: str, args: tuple, kwargs: dict) -> None:
    try:
        if name.startswith("_"):
            raise AttributeError(f"the store has no public method {name!r}")
        reply = ("ok", getattr(store, name)(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - the child raises it where the call was made
        reply = ("err", exc)
    try:
        conn.send(reply)
    except Exception:  # noqa: BLE001 - an exception that does not pickle
        conn.send(("err", RuntimeError(repr(reply[1]))))


def stop_group(proc, grace_s: float = TERM_GRACE_S) -> None:
    """End ``proc`` and everything in its process group (render workers, ffmpeg): SIGTERM, then SIGKILL."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        if not proc.is_alive():
            break
        try:
            os.killpg(proc.pid, sig)  # the child leads its own group
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, sig)  # it had not made its group yet
        proc.join(wait_s)
    else:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the leader ended first: what is left of its group
    proc.join(1.0)


# -------------------------------------------------------------- child side
def _child(conn, parent_pid: int, kind: str, task, body) -> None:
    """The job's process: run ``task`` with ``body`` and send its closing word to the server."""
    _die_with_parent(parent_pid)
    lock = threading.Lock()
    try:
        message = body(task, _StoreProxy(conn, lock), _progress(conn, lock, kind))
        reply = ("done", str(message or ""))
    except KanatError as exc:
        reply = ("failed", str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug: tell the page, log the trace
        traceback.print_exc()
        reply = ("failed", f"internal error ({type(exc).__name__}: {exc}); please report it with the server log")
    with lock:
        conn.send(reply)
    conn.close()


def _die_with_parent(parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    with contextlib.suppress(Exception):  # Linux: SIGKILL when the server dies, even by SIGKILL
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # the server died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="kanat-parent-watch").start()


def _watch_parent(parent_pid: int) -> None:
    """Where PR_SET_PDEATHSIG is missing: end the job's group soon after the server is gone."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            with contextlib.suppress(OSError):
                os.killpg(0, signal.SIGKILL)
            os._exit(1)


class _StoreProxy:
    """The job's view of the server's store: each method call is made by the server and its answer sent back."""

    def __init__(self, conn, lock: threading.Lock):
        self._conn, self._lock = conn, lock

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            with self._lock:
                self._conn.send(("call", name, args, kwargs))
                status, value = self._conn.recv()
            if status == "err":
                raise value
            return value

        call.__name__ = name
        return call


def _progress(conn, lock: threading.Lock, kind: str):
    """``progress(stage, fraction, message)`` for the job body: sent to the server at most every 0.15 s."""
    last = [0.0]
    block = os.environ.get(BLOCK_ENV, "") == kind

    def progress(stage: str, fraction: float, message: str = "") -> None:
        fraction = float(max(0.0, min(1.0, fraction)))
        now = time.monotonic()
        if now - last[0] >= 0.15 or fraction >= 1.0 or (block and fraction > 0):
            last[0] = now
            with lock:
                conn.send(("progress", str(stage), fraction, str(message)[:300]))
        if block and fraction > 0:  # tests only (KANAT_STUDIO_TEST_BLOCK): hang here, workers and all
            threading.Event().wait()

    return progress
