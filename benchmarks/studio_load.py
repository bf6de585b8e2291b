"""The studio under load: API latency while 20 jobs run at once, over real HTTP, and nothing lost.

Starts ``kanat studio`` (the command a user runs) on a free port of 127.0.0.1
with an empty data folder. Then ``--projects`` (20) clients upload the demo
music at the same moment (20 analyses, each a job in its own process; the
studio runs a few at a time and queues the rest), and as each is analysed ask
for ``--alternatives`` (1) dance (20 compositions). All the while
``--pollers`` (4) threads call what the page calls: the project list, a
project, its job, its music map, as fast as the server answers.

Reported: the median, p95 and slowest of those API calls while jobs ran
(goal: p95 < 500 ms), the calls that failed (any 5xx, or a 4xx other than
the 409 a map gives before its analysis ends), and at the end whether every
project was danced and every job done (nothing lost).

Run: ``.venv/bin/python benchmarks/studio_load.py [--projects 20] [--pollers 4]`` (about 3 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEMO = (ROOT / "src" / "kanat" / "data" / "demo.ogg").read_bytes()
GOAL_P95_MS = 500.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(base: str, proc: subprocess.Popen, timeout_s: float = 60.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        if proc.poll() is not None:
            raise SystemExit(f"the studio exited with {proc.returncode}")
        try:
            if httpx.get(base + "/api/projects", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the studio did not start")


def _client(base: str, pid_out: list, errors: list, alternatives: int) -> None:
    """One user: upload, wait for the counts, ask for the dances, wait for them."""
    with httpx.Client(base_url=base, timeout=120.0) as c:
        r = c.post("/api/projects", files={"music": ("demo.ogg", DEMO, "audio/ogg")})
        if r.status_code != 201:
            errors.append(f"upload {r.status_code}: {r.text[:120]}")
            return
        p = r.json()
        pid_out.append(p["id"])
        if not _wait_job(c, p["job"]["id"], errors):
            return
        while True:
            r = c.post(f"/api/projects/{p['id']}/generate", json={"alternatives": alternatives})
            if r.status_code == 202:
                break
            if r.status_code != 409:
                errors.append(f"generate {r.status_code}: {r.text[:120]}")
                return
            time.sleep(0.5)  # the project is busy a moment longer
        _wait_job(c, r.json()["id"], errors)


def _wait_job(c: httpx.Client, jid: str, errors: list) -> bool:
    while True:
        j = c.get(f"/api/jobs/{jid}").json()
        if j["state"] == "done":
            return True
        if j["state"] in ("failed", "interrupted"):
            errors.append(f"job {j['kind']} {j['state']}: {j.get('error')}")
            return False
        time.sleep(0.5)


def _poller(base: str, pids: list, stop: threading.Event, times_ms: list, errors: list) -> None:
    rng = random.Random(len(times_ms))
    with httpx.Client(base_url=base, timeout=30.0) as c:
        while not stop.is_set():
            pid = rng.choice(pids) if pids else None
            what = rng.choice(("list", "project", "map")) if pid else "list"
            path = {"list": "/api/projects", "project": f"/api/projects/{pid}", "map": f"/api/projects/{pid}/map"}[what]
            t0 = time.perf_counter()
            try:
                r = c.get(path)
            except httpx.HTTPError as exc:
                errors.append(f"GET {what}: {type(exc).__name__}")
                continue
            times_ms.append(1000.0 * (time.perf_counter() - t0))
            if r.status_code >= 500 or (r.status_code >= 400 and not (what == "map" and r.status_code == 409)):
                errors.append(f"GET {what}: {r.status_code} {r.text[:120]}")
            time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=20)
    ap.add_argument("--pollers", type=int, default=4)
    ap.add_argument("--alternatives", type=int, default=1)
    args = ap.parse_args(argv)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="kanat-bench-studio-load-") as data:
        proc = subprocess.Popen([sys.executable, "-m", "kanat", "studio", "--port", str(port), "--data", data],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_up(base, proc)
            pids: list = []
            errors: list = []
            times_ms: list = []
            stop = threading.Event()
            pollers = [threading.Thread(target=_poller, args=(base, pids, stop, times_ms, errors))
                       for _ in range(args.pollers)]
            for t in pollers:
                t.start()
            t0 = time.monotonic()
            clients = [threading.Thread(target=_client, args=(base, pids, errors, args.alternatives))
                       for _ in range(args.projects)]
            for t in clients:
                t.start()
            for t in clients:
                t.join()
            wall = time.monotonic() - t0
            stop.set()
            for t in pollers:
                t.join()
            page = httpx.get(base + f"/api/projects?limit={max(50, args.projects)}").json()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    danced = [p for p in page["projects"] if p["status"] == "danced" and p["alternatives"] == args.alternatives]
    times_ms.sort()
    p95 = times_ms[int(0.95 * (len(times_ms) - 1))] if times_ms else float("nan")
    print(f"kanat studio on 127.0.0.1, {args.projects} uploads at once ({args.projects} analyses, then "
          f"{args.projects} compositions of {args.alternatives}), {args.pollers} pollers, os.cpu_count() = "
          f"{os.cpu_count()}; {wall:.0f} s in all")
    print(f"API calls while jobs ran: {len(times_ms)}; median {statistics.median(times_ms):.0f} ms, "
          f"p95 {p95:.0f} ms, slowest {times_ms[-1]:.0f} ms (goal p95 < {GOAL_P95_MS:.0f} ms)")
    print(f"failed calls or jobs: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"projects danced at the end: {len(danced)} of {args.projects} (total listed {page['total']})")
    ok = p95 < GOAL_P95_MS and not errors and len(danced) == args.projects
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
