"""The project list from the store's summaries (paginated), deleting a project, cleaning what a crash left,
refusing cut-short uploads, and the messages a browser is shown.

Most projects here are made directly through the store, as rows with the files a project of that status holds
(a music map once analysed), so no audio is analysed; the speed of the list is measured in benchmarks/studio.py.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

import warnings  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402

from kanat.studio import create_app  # noqa: E402
from kanat.studio.messages import for_browser, piece_name  # noqa: E402
from kanat.studio.store import Store  # noqa: E402

LOCAL = "http://127.0.0.1:8000"
DEAD_PID = 4_194_303  # above Linux's default pid_max: no process has it


def music_map(duration_s: float, tempo_bpm: float, meters: list[int]) -> dict:
    """The fields of a music.json the summary reads (a real one holds more)."""
    n = int(duration_s * tempo_bpm / 60)
    return {"format_version": 1, "duration_s": duration_s, "tempo_bpm": tempo_bpm,
            "beats_s": [round(60 * k / tempo_bpm, 4) for k in range(n)],
            "meter": [meters[k * len(meters) // n] for k in range(n)],
            "phrases": [[a, a + 23] for a in range(0, n - 24, 24)]}


def fill(store: Store, n: int) -> list[str]:
    """``n`` projects made through the store, oldest first: every third still analysing (until the studio
    opens the store again), every seventh failed,
    the rest analysed (a music map on disk), some of those danced with 1-3 alternatives. Returns their ids."""
    ids = []
    for k in range(n):
        pid = f"{k:016x}"
        store.create_project(pid, f"piece {k:03d}.ogg", "music.ogg")
        store.update_project(pid, created=1_700_000_000.0 + k)  # one second apart, in order
        folder = store.project_dir(pid)
        folder.mkdir(parents=True)
        (folder / "music.ogg").write_bytes(b"OggS")
        if k % 7 == 6:
            store.update_project(pid, status="failed", error="no steady beat in '/srv/x/projects/y/music.ogg'")
        elif k % 3 != 2:
            (folder / "music.json").write_text(json.dumps(music_map(60.0 + k, 90.0 + k % 50, [3] if k % 2 else [2, 4])))
            alts = k % 4
            store.update_project(pid, status="danced" if alts else "ready", alternatives=alts, chosen=min(1, alts))
        ids.append(pid)
    return ids


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    data = tmp_path_factory.mktemp("studio-many")
    ids = fill(Store(data), 500)
    with TestClient(create_app(data), base_url=LOCAL) as c:
        yield c, ids, data


def test_list_pages_cover_every_project_newest_first(many):
    c, ids, _data = many
    seen, offset, totals = [], 0, set()
    while offset is not None:
        r = c.get("/api/projects", params={"limit": 64, "offset": offset})
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["limit"] == 64 and page["offset"] == offset and len(page["projects"]) <= 64
        totals.add(page["total"])
        seen += [p["id"] for p in page["projects"]]
        offset = page["next_offset"]
    assert totals == {500}
    assert seen == ids[::-1]  # newest first, each once
    assert c.get("/api/projects").json()["limit"] == 50  # the default page
    last = c.get("/api/projects", params={"limit": 50, "offset": 450}).json()
    assert len(last["projects"]) == 50 and last["next_offset"] is None
    assert c.get("/api/projects", params={"offset": 900}).json() == {
        "projects": [], "total": 500, "limit": 50, "offset": 900, "next_offset": None}


def test_list_rows_hold_the_summary(many):
    c, _ids, _data = many
    rows = {p["id"]: p for p in c.get("/api/projects", params={"limit": 200}).json()["projects"]}
    by_status = {}
    for p in rows.values():
        by_status.setdefault(p["status"], p)
    assert set(by_status) >= {"ready", "danced", "failed"}
    k = int(by_status["danced"]["id"], 16)
    d = by_status["danced"]
    assert d["name"] == f"piece {k:03d}.ogg" and d["piece"] == f"piece {k:03d}"
    assert d["duration_s"] == 60.0 + k and d["tempo_bpm"] == 90.0 + k % 50
    assert d["meter"] == ("3/4" if k % 2 else "2/4 and 4/4") and d["beats"] > 0 and d["phrases"] > 0
    assert d["alternatives"] == k % 4 and d["chosen"] == 1 and d["busy"] is False and d["updated"] >= d["created"]
    a = next(p for p in rows.values() if int(p["id"], 16) % 3 == 2)  # never analysed (the restart stopped it)
    assert a["duration_s"] is None and a["meter"] == "" and a["alternatives"] == 0
    f = next(p for p in rows.values() if int(p["id"], 16) % 7 == 6)
    assert f["error"] == "no steady beat in 'music.ogg'"  # no server path in the browser
    assert set(d) >= {"id", "name", "piece", "status", "created", "updated", "version", "alternatives", "chosen",
                      "duration_s", "tempo_bpm", "meter", "error", "busy"}


def test_list_reads_no_file(many, monkeypatch):
    c, _ids, _data = many
    import kanat.compose
    import kanat.studio.store as store_module

    def refuse(*_a, **_k):
        raise AssertionError("the project list read a file")

    monkeypatch.setattr(kanat.compose.Score, "load", refuse)
    monkeypatch.setattr(store_module, "_music_facts", refuse)
    assert len(c.get("/api/projects", params={"limit": 200}).json()["projects"]) == 200


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "ten"}])
def test_list_refuses_bad_pages(many, params):
    c, _ids, _data = many
    assert c.get("/api/projects", params=params).status_code == 422


def test_summary_follows_changes(tmp_path):
    store = Store(tmp_path)
    store.create_project("ab", "Swan Lake.ogg", "music.ogg")
    (row,), _n = store.project_page(limit=5)
    assert row["duration_s"] is None and row["updated"] == row["created"]
    (store.project_dir("ab")).mkdir()
    (store.project_dir("ab") / "music.json").write_text(json.dumps(music_map(30.0, 120.0, [4])))
    store.update_project("ab", status="ready")  # as the analysis ends
    (row,), _n = store.project_page(limit=5)
    assert (row["duration_s"], row["tempo_bpm"], row["meter"], row["status"]) == (30.0, 120.0, "4/4", "ready")
    before = row["updated"]
    time.sleep(0.01)
    store.create_job("j1", "ab", "generate")
    store.update_job("j1", state="done")  # a job's end is a change of the project
    (row,), _n = store.project_page(limit=5)
    assert row["updated"] > before
    # a database from before the summaries gets them when it opens
    import sqlite3

    with sqlite3.connect(store.db_path) as db:
        db.execute("DELETE FROM summaries")
    (row,), total = Store(tmp_path).project_page(limit=5)
    assert total == 1 and row["tempo_bpm"] == 120.0


def test_delete_project(tmp_path):
    app = create_app(tmp_path)
    with TestClient(app, base_url=LOCAL) as c:
        store = app.state.studio.store
        fill(store, 3)
        pid = "0000000000000001"
        store.create_job("j2", pid, "generate")
        assert c.delete("/api/projects/ffff").status_code == 404
        jobs = app.state.studio.jobs
        real_busy = jobs.busy
        jobs.busy = lambda p: "j2" if p == pid else None  # a job runs on it
        try:
            r = c.delete(f"/api/projects/{pid}")
            assert r.status_code == 409 and "still working" in r.json()["detail"]
            assert store.project(pid) is not None and store.project_dir(pid).is_dir()
        finally:
            jobs.busy = real_busy
        r = c.delete(f"/api/projects/{pid}")
        assert r.status_code == 200 and r.json() == {"deleted": pid, "name": "piece 001.ogg"}
        assert store.project(pid) is None and store.last_job(pid) is None
        assert not store.project_dir(pid).exists()
        assert sorted(os.listdir(tmp_path / "projects")) == ["0000000000000000", "0000000000000002"]
        page = c.get("/api/projects").json()
        assert page["total"] == 2 and pid not in [p["id"] for p in page["projects"]]
        assert c.get(f"/api/projects/{pid}").status_code == 404
        assert c.delete(f"/api/projects/{pid}").status_code == 404


def test_partial_files_are_cleaned_at_start(tmp_path):
    store = Store(tmp_path)
    store.create_project("ab", "a.ogg", "music.ogg")
    store.update_project("ab", status="danced", alternatives=2, chosen=1)
    folder = store.project_dir("ab")
    keep = [folder / "music.ogg", folder / "alt-1" / "score.yaml", folder / "alt-2" / "dance.glb"]
    gone = [folder / "alt-3" / "score.yaml",  # a generate of three cut off after its second
            folder / f".music.kanat-tmp-{DEAD_PID}-x1.json",
            folder / "alt-1" / f".dance.kanat-tmp-{DEAD_PID}-x2.mp4",  # a video cut off
            folder / "alt-2" / f".kanat-staging.kanat-tmp-{DEAD_PID}-x3" / "dance.bvh",
            folder / ".upload.part",
            tmp_path / "projects" / "cd" / ".upload.part",  # an upload cut off before its row
            tmp_path / "projects" / f".ef.kanat-tmp-{DEAD_PID}-deleted" / "music.ogg"]  # a delete cut off
    alive = folder / "alt-1" / f".dance.kanat-tmp-{os.getpid()}-x4.mp4"  # a writer still running: left alone
    for p in [*keep, *gone, alive]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    Store(tmp_path)  # the studio starts again
    assert all(p.exists() for p in [*keep, alive])
    assert not [p for p in gone if p.exists()]
    assert not (folder / "alt-3").exists() and not (tmp_path / "projects" / "cd").exists()


def multipart_head(name: str = "piece.wav") -> bytes:
    return (b'--kb\r\nContent-Disposition: form-data; name="music"; filename="' + name.encode() +
            b'"\r\nContent-Type: audio/wav\r\n\r\nRIFF' + b"\0" * 4000)


def test_cut_short_uploads_are_refused(tmp_path):
    with TestClient(create_app(tmp_path), base_url=LOCAL) as c:
        ctype = {"content-type": "multipart/form-data; boundary=kb"}
        r = c.post("/api/projects", content=multipart_head(), headers=ctype)  # no closing boundary
        assert r.status_code == 400
        assert "was cut short" in r.json()["detail"] and "closing boundary" in r.json()["detail"]
        full = multipart_head() + b"\r\n--kb--\r\n"
        r = c.post("/api/projects", content=full, headers={**ctype, "content-length": str(len(full) + 500)})
        assert r.status_code == 400
        assert f"{len(full)} of the {len(full) + 500} bytes announced arrived" in r.json()["detail"]
        assert c.get("/api/projects").json()["total"] == 0
        assert os.listdir(tmp_path / "projects") == []  # nothing left behind


def test_upload_cut_off_on_a_real_server_leaves_nothing(tmp_path):
    uvicorn = pytest.importorskip("uvicorn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(tmp_path), host="127.0.0.1", port=port, log_level="critical"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    try:
        deadline = time.monotonic() + 20
        while not srv.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        body = multipart_head()
        head = (f"POST /api/projects HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: multipart/form-data; boundary=kb\r\nContent-Length: {len(body) + 100_000}\r\n\r\n")
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(head.encode() + body)
            while not os.listdir(tmp_path / "projects"):  # the server has begun to store it
                assert time.monotonic() < deadline, "the upload never reached the server"
                time.sleep(0.02)
        # the client is gone: the server refuses what it got and removes it
        while os.listdir(tmp_path / "projects"):
            assert time.monotonic() < deadline, f"left behind: {os.listdir(tmp_path / 'projects')}"
            time.sleep(0.05)
        assert Store(tmp_path).project_page(limit=5)[1] == 0
    finally:
        srv.should_exit = True
        th.join(10)


@pytest.mark.parametrize("message, shown", [
    ("step 'zzzz' is unknown; run 'kanat steps' for the list",
     "step 'zzzz' is unknown; the swap menu lists the steps that fit there"),
    ("/home/ann/.local/share/kanat/studio/projects/ab/alt-1/score.yaml line 14: locked step 'x' ends in first; "
     "leave a beat free, change a side, or raise --innovation",
     "score.yaml line 14: locked step 'x' ends in first; leave a beat free, change a side, or raise the innovation"),
    ("the pulse is faint (clarity 0.31; music with clear attacks is above 0.5): check the counts in music.png, "
     "or give the piece's score (--score) for exact bars",
     "the pulse is faint (clarity 0.31; music with clear attacks is above 0.5): check the counts on the music map"),
    ("/srv/p/ab/alt-1/score.yaml has been edited since kanat wrote it (or was not written by kanat); kanat will not "
     "overwrite it. Re-perform it with 'kanat render', or write to another folder with -o",
     "score.yaml has been edited since kanat wrote it (or was not written by kanat); the studio will not overwrite "
     "it; open the project again, or make a new project from the music"),
    ("innovation must be between 0 and 1, got 3", "innovation must be between 0 and 1, got 3"),
    ("counted in 3/4 and 2/4; see and/or", "counted in 3/4 and 2/4; see and/or"),
])
def test_messages_for_the_browser(message, shown):
    assert for_browser(message) == shown


def test_the_stored_music_is_named_by_the_piece():
    assert for_browser("'/srv/studio/projects/ab/music.ogg' is a text file, not audio",
                       names={"/srv/studio/projects/ab/music.ogg": "Swan Lake.ogg"}) == \
        "'Swan Lake.ogg' is a text file, not audio"
    assert piece_name("Swan Lake.ogg") == "Swan Lake" and piece_name("demo.tar.ogg") == "demo.tar"
