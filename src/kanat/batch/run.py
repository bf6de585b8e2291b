"""The batch on Ray: one task per track, a bounded number in flight, finished tracks written as they come.

Conventions
-----------
- Without an address kanat starts a local Ray of its own with ``workers``
  CPUs (all of this machine's by default; ``RAY_ADDRESS`` is not followed)
  and stops it at the end; with ``address``
  (``HOST:PORT`` of a cluster's head, or ``ray://HOST:PORT`` for Ray Client)
  it joins that cluster and leaves it running.
- Each task asks for 1 CPU and :data:`TASK_MEMORY_MB` of memory, so Ray
  never runs more tracks on a node than it has room for; at most ``workers``
  (+1 queued) tasks are in flight, and each result is dropped from the object
  store as soon as it is written, so memory does not grow with the batch.
- A task whose worker dies is retried ``retries`` times, then its row fails;
  a rerun tries it again. Ctrl+C cancels what is running, writes the
  catalogue (unfinished rows ``not run``) and re-raises KeyboardInterrupt;
  finished tracks stay as they are.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import kanat
from kanat.batch.catalogue import write_catalogue
from kanat.batch.tracks import (Track, failed_row, find_tracks, finished_row, forget_failure, key_tracks, name_tracks,
                                write_failure, write_marker)
from kanat.brief import Brief
from kanat.errors import Interrupted, KanatError, ParameterError
from kanat.files import check_not_edited

#: memory Ray reserves for one track's task: a worker peaked at about 400 MB on 30-s tracks without video and
#: at 453 MB on the 88-s demo with its video (ffmpeg apart); 1.2 GB leaves room for longer tracks and ffmpeg
TASK_MEMORY_MB = 1200
#: the local Ray's object store (results pass through it one track at a time)
OBJECT_STORE_MB = 256
MAX_WORKERS = 256

Progress = Callable[[int, int, str], None]  # (tracks settled, tracks in the batch, message)


@dataclass
class BatchReport:
    """What a batch run did: the rows of its catalogue and where it wrote them."""

    out_dir: Path
    rows: list[dict]
    files: dict[str, Path] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(r["status"] == status for r in self.rows)


def batch_options(brief: Brief, *, video: bool, video_options: dict | None) -> dict:
    """The options every track's key includes (the same options give the same dances)."""
    return {"brief": brief.to_settings(), "video": bool(video), "video_options": dict(video_options or {}) if video
            else {}, "kanat": kanat.__version__}


def run_batch(
    source: str | Path,
    out_dir: str | Path,
    brief: Brief | None = None,
    *,
    workers: int | None = None,
    address: str | None = None,
    video: bool = True,
    video_options: dict | None = None,
    retries: int = 1,
    progress: Progress | None = None,
) -> BatchReport:
    """Choreograph every track of ``source`` (a music folder or a list file) into ``out_dir``, on Ray.

    Each track goes into ``out_dir/tracks/NAME`` (the files of ``kanat
    choreograph`` plus ``batch.json``); the catalogue into ``out_dir``. Tracks
    finished by an earlier run with the same music and options are kept.
    """
    brief = brief or Brief()
    out = Path(out_dir)
    _check(out, workers, retries, address)
    root = Path(source) if Path(source).is_dir() else None
    tracks = name_tracks(find_tracks(source, out_dir=out), root)
    options = batch_options(brief, video=video, video_options=video_options)
    key_tracks(tracks, options)
    (out / "tracks").mkdir(parents=True, exist_ok=True)
    for stale in (out / "tracks").glob(".partial-*"):  # what an interrupted run was writing
        shutil.rmtree(stale, ignore_errors=True)
    rows = {t.name: _planned(t, out / "tracks" / t.name) for t in tracks}
    todo = [t for t in tracks if rows[t.name]["status"] == "not run"]
    settled = len(tracks) - len(todo)
    if progress:
        progress(settled, len(tracks), f"{settled} kept from an earlier run" if settled else "starting Ray")
    report = BatchReport(out_dir=out, rows=[rows[t.name] for t in tracks])
    try:
        if todo:
            _run_on_ray(todo, rows, out, options, workers=workers, address=address, retries=retries,
                        tell=lambda name, status: progress and progress(
                            len(tracks) - sum(r["status"] == "not run" for r in rows.values()), len(tracks),
                            f"{name}: {status}"))
    finally:
        report.rows = [rows[t.name] for t in tracks]
        report.files = write_catalogue(out, report.rows, options=options)
    return report


def _check(out: Path, workers, retries, address) -> None:
    if out.exists() and not out.is_dir():
        raise ParameterError(f"output folder {str(out)!r} is a file; give a folder name with -o")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or not 1 <= workers <= MAX_WORKERS):
        raise ParameterError(f"--workers must be a whole number 1-{MAX_WORKERS}, got {workers!r}")
    if not isinstance(retries, int) or not 0 <= retries <= 10:
        raise ParameterError(f"--retries must be 0-10, got {retries!r}")
    if address is not None and (not isinstance(address, str) or ":" not in address):
        raise ParameterError(f"--address must be HOST:PORT or ray://HOST:PORT of a Ray cluster's head, got {address!r}")
    if address is not None and not address.startswith("ray://"):
        _check_reachable(address)


def _planned(track: Track, folder: Path) -> dict:
    """The row a track starts with: kept (finished before), failed (cannot start) or not run."""
    row = {"track": track.name, "source": str(track.path), "folder": f"tracks/{track.name}"}
    if track.problem:
        return {**row, "status": "failed", "error": track.problem}
    kept = finished_row(folder, track.key)
    if kept is not None:
        return {**kept, **row, "status": "kept"}
    failed = failed_row(folder.parent, track.name, track.key)
    if failed is not None:  # the same bytes and options failed on their input before: they would again
        return {**failed, **row, "status": "failed"}
    try:
        check_not_edited(folder / "score.yaml")
    except KanatError as exc:
        return {**row, "status": "failed", "error": str(exc)}
    return {**row, "status": "not run"}


def _run_on_ray(todo: list[Track], rows: dict, out: Path, options: dict, *, workers, address, retries, tell) -> None:
    ray = _ray()
    started = _connect(ray, workers, address)
    try:
        task = ray.remote(num_cpus=1, memory=TASK_MEMORY_MB * 2**20, max_retries=retries)(_dance)
        slots = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        queue, pending = list(todo), {}
        try:
            while queue or pending:
                while queue and len(pending) < slots + 1:
                    t = queue.pop(0)
                    audio = _audio_for_remote(t, address)
                    pending[task.remote(str(t.path), audio, options["brief"], options["video"],
                                        options["video_options"] or None)] = t
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    t = pending.pop(ref)
                    rows[t.name] = _settle(ray, ref, t, rows[t.name], out, options)
                    del ref
                    tell(t.name, rows[t.name]["status"])
        except (KeyboardInterrupt, Interrupted, SystemError) as exc:
            # Ctrl+C inside ray.wait surfaces as a SystemError caused by our Interrupted (Ray's Cython wait)
            stopped = not isinstance(exc, SystemError) or isinstance(exc.__cause__, (KeyboardInterrupt, Interrupted))
            if not stopped:
                raise
            for ref in pending:
                ray.cancel(ref, force=True)
            if isinstance(exc, SystemError):
                raise Interrupted() from None
            raise
    finally:
        if started:
            ray.shutdown()


def _dance(path, audio, settings, video, video_options):
    from kanat.batch.worker import dance_track

    return dance_track(path, audio, settings, video, video_options)


def _ray():
    try:
        import ray
    except ImportError:
        raise ParameterError("kanat batch needs Ray: install it with pip install 'kanat[batch]'") from None
    return ray


def _connect(ray, workers: int | None, address: str | None) -> bool:
    """Start a local Ray or join a cluster; True when kanat started it (and so stops it)."""
    if ray.is_initialized():
        return False
    import os

    try:
        if address is None:
            ray.init(address="local", num_cpus=workers or os.cpu_count() or 1,
                     object_store_memory=OBJECT_STORE_MB * 2**20, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
        else:
            ray.init(address=address, log_to_driver=False, logging_level="ERROR")
    except ConnectionError as exc:
        raise ParameterError(f"could not reach a Ray cluster at {address!r} ({exc}); start one with "
                             "'ray start --head' and give its address, or leave --address out") from None
    except (RuntimeError, ValueError) as exc:
        where = f"at {address!r}" if address else "on this machine"
        raise ParameterError(f"could not start or join Ray {where}: {exc}") from None
    return True


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """A cluster's head answers at HOST:PORT, before Ray waits a minute or more for it."""
    import socket

    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout_s):
            pass
    except ValueError:
        raise ParameterError(f"--address {address!r}: the port must be a number (HOST:PORT)") from None
    except OSError as exc:
        raise ParameterError(f"no Ray cluster answers at {address!r} ({exc.strerror or exc}); start one with "
                             "'ray start --head' and give the address it prints, or leave --address out") from None


def _audio_for_remote(track: Track, address: str | None) -> bytes | None:
    """A cluster's workers may be on other machines: send them the music's bytes."""
    return track.path.read_bytes() if address is not None else None


def _settle(ray, ref, track: Track, row: dict, out: Path, options: dict) -> dict:
    """Write a finished task's track (or fail its row) and return the row."""
    try:
        result = ray.get(ref)
    except ray.exceptions.TaskCancelledError:
        return {**row, "status": "not run"}
    except ray.exceptions.RayTaskError as exc:  # kanat's task itself raised: a bug, said so on its row
        return {**row, "status": "failed", "error": f"kanat failed on this track ({exc.cause!r}); please report it"}
    except ray.exceptions.RayError as exc:  # the worker or its node died
        return {**row, "status": "failed", "error": f"the Ray worker dancing it died ({type(exc).__name__}: killed, "
                f"or out of memory); run kanat batch again to retry it"}
    done = {**row, **result["row"]}
    if "files" not in result:
        done["status"] = "failed"
        if done.get("input_error"):
            write_failure(out / "tracks", track, done)
        return done
    done["status"] = "done"
    _write_track(out / "tracks", track, result["files"], options, done)
    forget_failure(out / "tracks", track.name)
    return done


def _write_track(tracks_dir: Path, track: Track, files: dict[str, bytes], options: dict, row: dict) -> None:
    """The track's folder, whole or not at all: written beside, marked, then renamed into place."""
    partial = tracks_dir / f".partial-{track.name}"
    shutil.rmtree(partial, ignore_errors=True)
    for rel, data in files.items():
        p = partial / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    write_marker(partial, track, options, {k: v for k, v in row.items() if k != "status"})
    final = tracks_dir / track.name
    if final.exists():  # an earlier run's dance with other options (its score was checked unedited)
        shutil.rmtree(final)
    partial.rename(final)
