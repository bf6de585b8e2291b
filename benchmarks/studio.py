"""The studio's project list: milliseconds per GET /api/projects with 500 projects, over real HTTP.

Builds a data folder of ``--projects`` projects (500) made through the store,
each with the files a danced project holds where the list could read them:
the demo music's own ``music.json`` (listened to once) and ``--alternatives``
(3) alternatives, each a real ``score.yaml`` composed from it (seeds 0, 1, 2)
and a ``critique.json``. The same files are copied into every project, so
only the count of projects changes the cost.

Then it serves the folder with uvicorn on 127.0.0.1 (the studio's own app)
and times, with one keep-alive HTTP client, the median and the slowest of
``--calls`` (15) calls of

* ``kanat, first page``: ``GET /api/projects`` (50 projects, from the summaries);
* ``kanat, page of 200``: ``GET /api/projects?limit=200``;
* ``kanat, last page``: ``GET /api/projects?offset=450``;
* ``kanat, every page``: the whole list, a page of 200 at a time (3 calls);

against what the list did before issue 21 (``before``: every project
described, every alternative's score parsed, as ``[describe(p) for p in
projects]`` with describe()'s cache of parsed scores emptied first), timed
in the same process on the first ``--before-projects`` (50) projects and on
all of them with ``--before-all`` (about a minute).
Goal: the first page under 100 ms at 500 projects.

Run: ``.venv/bin/python benchmarks/studio.py [--projects 500] [--calls 15] [--before-all]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

GOAL_MS = 100.0


def make_template(where: Path, alternatives: int) -> Path:
    """A danced project's files (music map, envelope, alternatives' scores and critiques) in ``where``."""
    from kanat.brief import Brief
    from kanat.compose import compose
    from kanat.files import write_json
    from kanat.listen import listen
    from kanat.pipeline import demo_music_path
    from kanat.vocabulary import load_library

    music = demo_music_path()
    mm = listen(music)
    mm.save(where / "music.json")
    write_json(where / "envelope.json", {"duration_s": mm.duration_s, "peaks": [0.5] * 2000})
    shutil.copy(music, where / "music.ogg")
    library = load_library()
    for k in range(alternatives):
        alt = where / f"alt-{k + 1}"
        alt.mkdir()
        compose(mm, Brief(seed=k), library=library, music=str(where / "music.ogg")).save(alt / "score.yaml")
        shutil.copy(where / "music.json", alt / "music.json")
        write_json(alt / "critique.json", {"summary": f"dance {k + 1}: clean lines, a little safe in phrase 3"})
    return where


def fill(data: Path, template: Path, n: int, alternatives: int) -> None:
    """``n`` danced projects in the store at ``data``, each a copy of ``template``'s files."""
    from kanat.studio.store import Store

    store = Store(data)
    for k in range(n):
        pid = f"{k:016x}"
        shutil.copytree(template, store.project_dir(pid))
        store.create_project(pid, f"piece {k:03d}.ogg", "music.ogg")
        store.update_project(pid, status="ready")  # the analysis ended: the summary reads the music map
        store.update_project(pid, status="danced", alternatives=alternatives, chosen=1,
                             settings={"style": "classical", "seed": 0})


def serve(app):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    while not srv.started:
        time.sleep(0.02)
    return srv, th, f"http://127.0.0.1:{port}"


def timed(fn, calls: int) -> tuple[float, float]:
    """Median and slowest milliseconds of ``calls`` calls of ``fn`` (after one warm-up call)."""
    fn()
    ms = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        ms.append(1000 * (time.perf_counter() - t0))
    return statistics.median(ms), max(ms)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=500)
    ap.add_argument("--alternatives", type=int, default=3)
    ap.add_argument("--calls", type=int, default=15, help="timed calls per row (the median is shown)")
    ap.add_argument("--before-projects", type=int, default=50, help="projects the old list is timed on")
    ap.add_argument("--before-all", action="store_true", help="time the old list on every project too")
    args = ap.parse_args(argv)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import httpx

        from kanat.studio import create_app

    with tempfile.TemporaryDirectory(prefix="kanat-bench-studio-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        template = make_template(Path(tempfile.mkdtemp(dir=tmp)), args.alternatives)
        data = tmp / "data"
        fill(data, template, args.projects, args.alternatives)
        built = time.perf_counter() - t0
        app = create_app(data)
        srv, th, base = serve(app)
        rows = []
        try:
            with httpx.Client(base_url=base) as client:
                def get(**params):
                    r = client.get("/api/projects", params=params)
                    r.raise_for_status()
                    return r.json()

                first = get()
                assert first["total"] == args.projects and len(first["projects"]) == min(50, args.projects)

                def every_page():
                    offset, seen = 0, 0
                    while offset is not None:
                        page = get(limit=200, offset=offset)
                        seen += len(page["projects"])
                        offset = page["next_offset"]
                    assert seen == args.projects

                rows.append(("kanat, first page (50)", args.projects, *timed(get, args.calls)))
                rows.append(("kanat, page of 200", args.projects, *timed(lambda: get(limit=200), args.calls)))
                rows.append(("kanat, last page", args.projects,
                             *timed(lambda: get(offset=max(0, args.projects - 50)), args.calls)))
                rows.append(("kanat, every page (200 a call)", args.projects, *timed(every_page, args.calls)))
            studio = app.state.studio
            projects = studio.store.projects()

            from kanat.studio import context

            def before(n):
                def run():
                    context._read_alternative.cache_clear()  # describe() now keeps what it parsed; before it did not
                    return json.dumps([studio.describe(p) for p in projects[:n]])

                return run

            n = min(args.before_projects, args.projects)
            rows.append((f"before: describe all (first {n})", n, *timed(before(n), 2)))
            if args.before_all:
                rows.append(("before: describe all", args.projects, *timed(before(args.projects), 1)))
        finally:
            srv.should_exit = True
            th.join(10)

    print(f"studio project list: {args.projects} projects of {args.alternatives} alternatives each "
          f"(built in {built:.0f} s), uvicorn on 127.0.0.1, median of {args.calls} calls")
    print(f"{'what':36} {'projects':>8} {'median ms':>10} {'slowest ms':>11}")
    for what, n, med, worst in rows:
        print(f"{what:36} {n:8d} {med:10.1f} {worst:11.1f}")
    first_ms = rows[0][2]
    b = next(r for r in rows if r[0].startswith("before"))
    print(f"before, per project: {b[2] / b[1]:.1f} ms (so about {b[2] / b[1] * args.projects / 1000:.1f} s for "
          f"{args.projects})")
    ok = first_ms < GOAL_MS
    print(f"first page at {args.projects} projects: {first_ms:.1f} ms (goal < {GOAL_MS:.0f} ms): "
          f"{'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
