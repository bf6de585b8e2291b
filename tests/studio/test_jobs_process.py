"""Jobs in processes of their own, against a real studio server: the watchdog, Ctrl+C and SIGTERM, kill -9, retry.

Each test starts the studio as a user would (``python -m kanat studio``, or uvicorn.run on create_app for a small
video) on a free port of 127.0.0.1 and talks to it over HTTP. ``KANAT_STUDIO_TEST_BLOCK`` makes a job of one kind
hang at its first progress report (as a hung render worker did, issue 21) and ``KANAT_STUDIO_JOB_LIMIT_S`` shortens
the watchdog's limits (kanat.studio.runner). Processes are followed through /proc (Linux): every process the server
started must be gone once the server is.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from kanat.pipeline import demo_music_path  # noqa: E402

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="follows processes through /proc (Linux)")

DEMO = demo_music_path().read_bytes()
#: A small video drawn by two worker processes (the pool a hung render once left behind).
SMALL_VIDEO = {"width": 320, "height": 180, "fps": 12, "workers": 2}
ENDED = ("done", "failed", "interrupted")
#: A real uvicorn server over create_app with a small video (``kanat studio`` renders 720p).
SMALL_SERVER = ("import os, sys, uvicorn; from kanat.studio import create_app; "
                f"uvicorn.run(create_app(sys.argv[1], video_options={SMALL_VIDEO!r}), host='127.0.0.1', "
                "port=int(sys.argv[2]), log_level='warning')")


# ------------------------------------------------------------------ helpers
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of ``pid`` from /proc, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1]), int(fields[19])


def _descendants(pid: int) -> dict[int, int]:
    """Every living process under ``pid``: pid -> start time (so a reused pid is not taken for it)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st and st[0] != "Z":
                parents.setdefault(st[1], []).append(int(entry))
    out, todo = {}, [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            st = _stat(child)
            if st:
                out[child] = st[2]
                todo.append(child)
    return out


def _alive(procs: dict[int, int]) -> dict[int, str]:
    """Those of ``procs`` still running (zombies count as gone): pid -> command line."""
    out = {}
    for pid, start in procs.items():
        st = _stat(pid)
        if st and st[0] != "Z" and st[2] == start:
            try:
                out[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                pass
    return out


def _wait_gone(procs: dict[int, int], timeout: float = 30.0) -> None:
    t0 = time.monotonic()
    while _alive(procs) and time.monotonic() - t0 < timeout:
        time.sleep(0.2)
    assert not _alive(procs), f"processes left running: {_alive(procs)}"


class Server:
    """A studio server process on ``port`` keeping its projects in ``data``."""

    def __init__(self, data: Path, port: int, *, cli: bool = False, env: dict | None = None):
        self.data, self.port = data, port
        self.url = f"http://127.0.0.1:{port}"
        cmd = ([sys.executable, "-m", "kanat", "studio", "--data", str(data), "--port", str(port)] if cli
               else [sys.executable, "-c", SMALL_SERVER, str(data), str(port)])
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("KANAT_STUDIO_")} | (env or {})
        self.log = data.parent / f"server-{port}-{time.monotonic_ns()}.log"
        with open(self.log, "wb") as log:  # its own session: a signal to its group is a Ctrl+C at its terminal
            self.proc = subprocess.Popen(cmd, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.seen: dict[int, int] = {}  # every process seen under the server
        self.http = httpx.Client(base_url=self.url, timeout=30.0)
        t0 = time.monotonic()
        while True:
            assert self.proc.poll() is None, f"the server exited ({self.proc.returncode}): {self.output()}"
            try:
                if self.http.get("/api/projects").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() - t0 < 90, f"the server did not answer in 90 s: {self.output()}"
            time.sleep(0.2)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def note_processes(self) -> dict[int, int]:
        now = _descendants(self.proc.pid)
        self.seen |= now
        return now

    def get(self, path: str) -> dict:
        r = self.http.get(path)
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, path: str, status: int = 202, **kw) -> dict:
        r = self.http.post(path, **kw)
        assert r.status_code == status, r.text
        return r.json()

    def wait_job(self, jid: str, until=lambda j: j["state"] in ENDED, timeout: float = 240.0) -> dict:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            self.note_processes()
            j = self.get(f"/api/jobs/{jid}")
            if until(j):
                return j
            assert j["state"] not in ENDED, f"job ended before the awaited state: {j}"
            time.sleep(0.2)
        last = self.get(f"/api/jobs/{jid}")
        raise AssertionError(f"job {jid} did not reach the awaited state in {timeout} s: {last}")

    def done(self, job: dict) -> dict:
        j = self.wait_job(job["id"])
        assert j["state"] == "done", j
        return j

    def blocked(self, job: dict) -> dict:
        """Wait until ``job`` hangs at its first progress (KANAT_STUDIO_TEST_BLOCK), its processes working."""
        return self.wait_job(job["id"], lambda j: j["state"] == "running" and j["progress"] > 0, timeout=180.0)

    def stop(self, sig: int, timeout: float = 30.0) -> int:
        """Send ``sig`` to the server's group (as a terminal's Ctrl+C does); it and all it started must end."""
        self.note_processes()
        self.http.close()
        os.killpg(self.proc.pid, sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"the server did not stop within {timeout} s of signal {sig}: {self.output()}")
        _wait_gone(self.seen, timeout=15.0)
        return rc

    def kill(self) -> None:
        """kill -9 of the server alone (its children are not signalled)."""
        self.note_processes()
        self.http.close()
        self.proc.kill()
        self.proc.wait(30)


def _analysed_and_danced(srv: Server) -> str:
    p = srv.post("/api/projects", 201, files={"music": ("demo.ogg", DEMO, "audio/ogg")})
    srv.done(p["job"])
    srv.done(srv.post(f"/api/projects/{p['id']}/generate", json={"alternatives": 1}))
    return p["id"]


def _job_row(data: Path, jid: str) -> dict:
    """The job's row as the server left it (read without opening the Store, which would mark it interrupted)."""
    with sqlite3.connect(data / "studio.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("SELECT * FROM jobs WHERE id=?", (jid,)).fetchone())


@pytest.fixture
def servers(tmp_path):
    started: list[Server] = []

    def start(data: Path, port: int, **kw) -> Server:
        srv = Server(data, port, **kw)
        started.append(srv)
        return srv

    yield start
    for srv in started:  # a failed test leaves nothing running
        if srv.proc.poll() is None:
            srv.note_processes()
            os.killpg(srv.proc.pid, signal.SIGKILL)
            srv.proc.wait(30)
        for pid in _alive(srv.seen):
            os.kill(pid, signal.SIGKILL)


# -------------------------------------------------------------------- tests
def test_watchdog_stops_a_hung_video_and_sigterm_stops_the_studio(tmp_path, servers):
    data = tmp_path / "data"
    srv = servers(data, _free_port(), env={"KANAT_STUDIO_TEST_BLOCK": "video", "KANAT_STUDIO_JOB_LIMIT_S": "video=25"})
    pid = _analysed_and_danced(srv)

    hung = srv.post(f"/api/projects/{pid}/video")
    srv.blocked(hung)
    working = srv.note_processes()
    assert sum("spawn_main" in cmd for cmd in _alive(working).values()) >= 3, _alive(working)  # the job, 2 workers
    job = srv.wait_job(hung["id"], timeout=120.0)
    assert job["state"] == "interrupted", job
    assert "watchdog" in job["error"] and "25 s" in job["error"], job
    assert job["retryable"] is True
    p = srv.get(f"/api/projects/{pid}")
    assert p["busy"] is False and p["job"]["state"] == "interrupted" and p["job"]["retryable"] is True
    left = _descendants(srv.proc.pid)
    assert all("resource_tracker" in cmd for cmd in _alive(left).values()), \
        f"the stopped job left processes: {_alive(left)}"
    assert set(working) - set(left), "the job's own processes were never seen"

    # a second hung video, then SIGTERM: the studio, the job's process, its render workers and ffmpeg all end
    second = srv.post(f"/api/projects/{pid}/video")
    srv.blocked(second)
    rc = srv.stop(signal.SIGTERM)
    assert rc != -signal.SIGKILL, srv.output()
    row = _job_row(data, second["id"])
    assert row["state"] == "interrupted" and "stopped" in row["error"], row


def test_kill_9_during_a_render_then_restart_on_the_same_port_and_retry(tmp_path, servers):
    data, port = tmp_path / "data", _free_port()
    first = servers(data, port, env={"KANAT_STUDIO_TEST_BLOCK": "video"})
    pid = _analysed_and_danced(first)
    job = first.post(f"/api/projects/{pid}/video")
    first.blocked(job)
    first.kill()
    _wait_gone(first.seen)  # no orphan keeps the port (or anything else)

    again = servers(data, port)  # binds the same port
    j = again.get(f"/api/jobs/{job['id']}")
    assert j["state"] == "interrupted" and j["error"] and j["retryable"] is True, j
    p = again.get(f"/api/projects/{pid}")
    assert p["busy"] is False and p["job"]["id"] == job["id"]
    assert not any(x["state"] in ("queued", "running") for x in [p["job"]])

    retried = again.post(f"/api/jobs/{job['id']}/retry")
    assert retried["id"] != job["id"] and retried["kind"] == "video"
    again.done(retried)
    assert "dance.mp4" in again.get(f"/api/projects/{pid}")["alternative_list"][0]["files"]
    assert again.http.get(f"/api/projects/{pid}/files/dance.mp4").content[4:8] == b"ftyp"
    r = again.http.post(f"/api/jobs/{job['id']}/retry")  # done since, by its retry: nothing to retry
    assert r.status_code == 409 and "not this project's last job" in r.json()["detail"], r.text
    r = again.http.post(f"/api/jobs/{retried['id']}/retry")
    assert r.status_code == 409 and "only a failed or interrupted job" in r.json()["detail"], r.text
    assert again.http.post("/api/jobs/0123abcd/retry").status_code == 404
    again.stop(signal.SIGINT)


def test_ctrl_c_during_the_analysis_then_retry_it(tmp_path, servers):
    data, port = tmp_path / "data", _free_port()
    first = servers(data, port, cli=True, env={"KANAT_STUDIO_TEST_BLOCK": "analyse"})
    p = first.post("/api/projects", 201, files={"music": ("demo.ogg", DEMO, "audio/ogg")})
    first.blocked(p["job"])
    first.stop(signal.SIGINT)  # Ctrl+C
    row = _job_row(data, p["job"]["id"])
    assert row["state"] == "interrupted" and "Ctrl+C" in row["error"], row

    again = servers(data, port, cli=True)
    q = again.get(f"/api/projects/{p['id']}")
    assert q["status"] == "failed" and q["job"]["state"] == "interrupted" and q["job"]["retryable"] is True, q
    assert again.http.post(f"/api/projects/{p['id']}/generate", json={}).status_code == 409
    retried = again.post(f"/api/projects/{p['id']}/retry")
    assert retried["kind"] == "analyse"
    again.done(retried)
    q = again.get(f"/api/projects/{p['id']}")
    assert q["status"] == "ready" and q["error"] == "", q
    assert again.http.get(f"/api/projects/{p['id']}/map").status_code == 200
    again.stop(signal.SIGTERM)


def test_ctrl_c_twice_with_a_request_in_flight_still_stops_every_job(tmp_path, servers):
    """A second Ctrl+C makes uvicorn skip the app's shutdown; the jobs' processes must end all the same."""
    data = tmp_path / "data"
    srv = servers(data, _free_port(), cli=True, env={"KANAT_STUDIO_TEST_BLOCK": "analyse"})
    p = srv.post("/api/projects", 201, files={"music": ("demo.ogg", DEMO, "audio/ogg")})
    srv.blocked(p["job"])
    with socket.create_connection(("127.0.0.1", srv.port)) as upload:  # an upload that never ends holds the server
        upload.sendall(b"POST /api/projects HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n"
                       b"Content-Type: multipart/form-data; boundary=x\r\n\r\n--x\r\n")
        time.sleep(0.5)
        os.killpg(srv.proc.pid, signal.SIGINT)
        time.sleep(1.0)
        srv.stop(signal.SIGINT)
    row = _job_row(data, p["job"]["id"])
    assert row["state"] == "interrupted" and row["error"], row


def test_job_limits_from_the_environment():
    from kanat.errors import ParameterError
    from kanat.studio.runner import LIMITS_S, job_limits, limit_of

    assert job_limits(env="") == LIMITS_S
    assert set(job_limits(env="7").values()) == {7.0} and limit_of(job_limits(env="7"), "new kind") == 7.0
    limits = job_limits({"swap": 9}, env="video=30, analyse=600")
    got = (limits["video"], limits["analyse"], limits["swap"], limits["generate"])
    assert got == (30, 600, 9, LIMITS_S["generate"])
    for bad in ("0", "video=", "video=-1", "soon"):
        with pytest.raises(ParameterError, match="KANAT_STUDIO_JOB_LIMIT_S"):
            job_limits(env=bad)


def test_a_forked_render_worker_lets_go_of_a_listening_socket():
    """Render's frame workers are forked: one forked from a server must not keep its port (issue 21)."""
    import multiprocessing

    from kanat.render import video

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        ctx = multiprocessing.get_context("fork")
        q = ctx.SimpleQueue()
        proc = ctx.Process(target=_worker_holds, args=(server.fileno(), q, video._close_listening_sockets))
        proc.start()
        held = q.get()
        proc.join(30)
    assert held is False


def _worker_holds(fd: int, q, close) -> None:
    close()
    try:
        with socket.socket(fileno=os.dup(fd)) as s:
            q.put(bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)))
    except OSError:
        q.put(False)
