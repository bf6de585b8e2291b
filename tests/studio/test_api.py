"""The studio's API in-process (FastAPI's TestClient): upload, analyse, generate, edit, export, restart, refusals."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

import warnings  # noqa: E402

with warnings.catch_warnings():  # starlette suggests httpx2; httpx (pinned in requirements-dev.lock) works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402

from kanat.pipeline import demo_music_path  # noqa: E402
from kanat.studio import create_app  # noqa: E402

DEMO = demo_music_path().read_bytes()
LOCAL = "http://127.0.0.1:8000"  # the studio answers only to local host names (kanat.studio.guard)
SMALL_VIDEO = {"width": 320, "height": 180, "fps": 12}  # the export path, not the picture, is under test here


def wait(client: TestClient, job: dict, timeout: float = 240.0) -> dict:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        j = client.get(f"/api/jobs/{job['id']}").json()
        if j["state"] in ("done", "failed", "interrupted"):
            assert j["state"] == "done", j
            return j
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish in {timeout} s")


def upload(client: TestClient, name: str = "demo.ogg", data: bytes = DEMO):
    return client.post("/api/projects", files={"music": (name, data, "audio/ogg")})


def analysed(client: TestClient, name: str = "demo.ogg") -> dict:
    r = upload(client, name)
    assert r.status_code == 201, r.text
    p = r.json()
    wait(client, p["job"])
    return client.get(f"/api/projects/{p['id']}").json()


def generated(client: TestClient, pid: str, **kw) -> dict:
    r = client.post(f"/api/projects/{pid}/generate", json={"alternatives": 2, **kw})
    assert r.status_code == 202, r.text
    return wait(client, r.json())


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("studio-data")


@pytest.fixture(scope="module")
def client(data_dir):
    with TestClient(create_app(data_dir, video_options=SMALL_VIDEO), base_url=LOCAL) as c:
        yield c


@pytest.fixture(scope="module")
def project(client):
    p = analysed(client)
    generated(client, p["id"])
    return client.get(f"/api/projects/{p['id']}").json()


def test_page_and_vendored_three_are_served(client):
    r = client.get("/")
    assert r.status_code == 200 and "kanat studio" in r.text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/vendor/three/build/three.module.js").status_code == 200
    assert client.get("/static/vendor/three/examples/jsm/loaders/GLTFLoader.js").status_code == 200


def test_upload_analysis_map(client, project):
    assert project["status"] == "danced" and project["name"] == "demo.ogg"
    assert project["music_file"] == "music.ogg"  # kanat's name, never the user's
    m = client.get(f"/api/projects/{project['id']}/map").json()
    assert len(m["beats_s"]) > 50 and len(m["phrases"]) >= 4 and 200 <= len(m["envelope"]) <= 2100
    assert all(ph["section"] for ph in m["phrases"])
    assert client.get(f"/api/projects/{project['id']}/music").content == DEMO


def test_no_beat_warning_is_shown_with_the_map(client):
    import io

    import numpy as np
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, (0.3 * np.random.default_rng(5).standard_normal(22050 * 20)).astype(np.float32), 22050,
             format="WAV", subtype="FLOAT")
    r = client.post("/api/projects", files={"music": ("noise.wav", buf.getvalue(), "audio/wav")})
    assert r.status_code == 201, r.text
    wait(client, r.json()["job"])
    m = client.get(f"/api/projects/{r.json()['id']}/map").json()
    assert "no steady beat" in m["warning"]


def test_a_clear_beat_has_no_warning(client, project):
    assert client.get(f"/api/projects/{project['id']}/map").json()["warning"] == ""


def test_generate_alternatives_and_choose(client, project):
    alts = project["alternative_list"]
    assert [a["index"] for a in alts] == [1, 2] and all(a["summary"] for a in alts)
    assert "dance.mp4" not in alts[0]["files"] and "dance.glb" in alts[0]["files"]
    r = client.post(f"/api/projects/{project['id']}/choose", json={"alternative": 2})
    assert r.json()["chosen"] == 2
    assert client.post(f"/api/projects/{project['id']}/choose", json={"alternative": 7}).status_code == 400
    client.post(f"/api/projects/{project['id']}/choose", json={"alternative": 1})


def test_swap_lock_regenerate(client, project):
    pid = project["id"]
    tl = client.get(f"/api/projects/{pid}/timeline").json()
    ph = tl["phrases"][1]
    st = ph["steps"][1]
    c = client.get(f"/api/projects/{pid}/candidates", params={"phrase": ph["phrase"], "index": 1}).json()
    assert c["current"] == st["step"] and c["candidates"], c
    pick = c["candidates"][0]
    assert pick["beats"] == st["beats"]
    r = client.post(f"/api/projects/{pid}/swap", json={"phrase": ph["phrase"], "index": 1, "step": pick["step"],
                                                       "side": pick["side"], "version": tl["version"]})
    assert r.status_code == 202, r.text
    wait(client, r.json())
    tl2 = client.get(f"/api/projects/{pid}/timeline").json()
    new = tl2["phrases"][1]["steps"][1]
    assert (new["step"], new["side"], new["locked"]) == (pick["step"], pick["side"], True)
    # an unknown step is refused with the vocabulary's message
    assert tl2["version"] == tl["version"] + 1
    bad = client.post(f"/api/projects/{pid}/swap", json={"phrase": ph["phrase"], "index": 1, "step": "glisade",
                                                         "version": tl2["version"]})
    assert bad.status_code == 400 and "glissade" in bad.json()["detail"]
    # lock phrase 3, regenerate: phrase 3 and the swapped step stay, the rest may change
    locked = tl2["phrases"][2]
    r = client.post(f"/api/projects/{pid}/lock", json={"phrase": locked["phrase"], "version": tl2["version"]}).json()
    assert r["locked"] is True and r["version"] == tl2["version"] + 1  # a refused swap changed nothing
    r = client.post(f"/api/projects/{pid}/regenerate", json={"seed": 41, "version": r["version"]})
    assert r.status_code == 202, r.text
    wait(client, r.json())
    tl3 = client.get(f"/api/projects/{pid}/timeline").json()
    assert tl3["phrases"][2]["locked"]
    assert [s["step"] for s in tl3["phrases"][2]["steps"]] == [s["step"] for s in locked["steps"]]
    kept = [s for s in tl3["phrases"][1]["steps"] if s["at"] == st["at"]]  # a locked step keeps its beat
    assert kept and (kept[0]["step"], kept[0]["locked"]) == (pick["step"], True)
    assert tl3["settings"]["seed"] == 41
    card = client.get(f"/api/projects/{pid}").json()["alternative_list"][tl3["alternative"] - 1]
    assert card["seed"] == 41  # the card says the seed it was regenerated with, not the first one


def test_two_edits_at_once_one_wins_nothing_lost(client, project):
    """Two locks sent together on the same version: one 200, one 409 with the current state; the file keeps the one."""
    import threading

    pid = project["id"]
    for trial in range(4):
        tl = client.get(f"/api/projects/{pid}/timeline").json()
        wanted = {2: not tl["phrases"][1]["locked"], 4: not tl["phrases"][3]["locked"]}  # each flips a phrase
        go, answers = threading.Barrier(2), {}

        def send(phrase):
            go.wait()
            answers[phrase] = client.post(f"/api/projects/{pid}/lock", json={
                "phrase": phrase, "locked": wanted[phrase], "version": tl["version"]})

        threads = [threading.Thread(target=send, args=(k,)) for k in wanted]
        [t.start() for t in threads]
        [t.join() for t in threads]
        codes = sorted(a.status_code for a in answers.values())
        assert codes == [200, 409], (trial, {k: a.text for k, a in answers.items()})
        won = next(k for k, a in answers.items() if a.status_code == 200)
        lost = next(k for k, a in answers.items() if a.status_code == 409)
        stale = answers[lost].json()
        assert "changed since you last saw it" in stale["detail"] and stale["project"]["version"] == tl["version"] + 1
        now = client.get(f"/api/projects/{pid}/timeline").json()
        assert now["version"] == tl["version"] + 1
        assert now["phrases"][won - 1]["locked"] == wanted[won]  # the winner's edit is in the score
        assert now["phrases"][lost - 1]["locked"] == tl["phrases"][lost - 1]["locked"]  # the loser's is not, and said so


def test_stale_tab_cannot_swap_a_step_it_never_saw(client, project):
    pid = project["id"]
    seen = client.get(f"/api/projects/{pid}/timeline").json()  # tab A
    ph = seen["phrases"][1]
    c = client.get(f"/api/projects/{pid}/candidates", params={"phrase": ph["phrase"], "index": 0,
                                                               "version": seen["version"]}).json()
    pick = c["candidates"][0]
    r = client.post(f"/api/projects/{pid}/lock", json={"phrase": 1, "locked": not seen["phrases"][0]["locked"],
                                                       "version": seen["version"]})  # tab B
    assert r.status_code == 200
    stale = client.get(f"/api/projects/{pid}/candidates", params={"phrase": ph["phrase"], "index": 0,
                                                                   "version": seen["version"]})
    assert stale.status_code == 409 and stale.json()["project"]["version"] == seen["version"] + 1
    swap = client.post(f"/api/projects/{pid}/swap", json={"phrase": ph["phrase"], "index": 0, "step": pick["step"],
                                                          "side": pick["side"], "version": seen["version"]})
    assert swap.status_code == 409 and "version" in swap.json()["detail"], swap.text
    after = client.get(f"/api/projects/{pid}/timeline").json()
    assert after["phrases"][1]["steps"][0]["step"] == ph["steps"][0]["step"]  # nothing swapped
    assert not client.get(f"/api/projects/{pid}").json()["busy"]


def test_files_by_fixed_names_only(client, project):
    pid = project["id"]
    for name, start in (("dance.glb", b"glTF"), ("dance.bvh", b"HIERARCHY"), ("score.yaml", b"# kanat score"),
                        ("counts.html", b"<"), ("critique.md", b"#")):
        r = client.get(f"/api/projects/{pid}/files/{name}")
        assert r.status_code == 200 and r.content.lstrip().startswith(start), name
    assert client.get(f"/api/projects/{pid}/files/dance.mp4").status_code == 404  # not made until asked
    for name in ("..%2Fstudio.sqlite3", "motion.npz", "%2Fetc%2Fpasswd", "..%2F..%2Fmusic.ogg"):
        assert client.get(f"/api/projects/{pid}/files/{name}").status_code == 404
    assert client.get("/api/projects/..%2F..%2Fetc/files/score.yaml").status_code == 404
    assert client.get(f"/api/projects/{pid}/files/score.yaml", params={"alt": 9}).status_code == 400


def test_exports_name_the_piece_not_the_server(client, project, data_dir):
    pid = project["id"]
    assert project["piece"] == "demo"
    score = client.get(f"/api/projects/{pid}/files/score.yaml").text
    assert "\nmusic: demo.ogg\n" in score and str(data_dir) not in score  # relative: the piece's own file
    r = client.get(f"/api/projects/{pid}/files/score.yaml", params={"download": True})
    assert r.headers["content-disposition"] == 'attachment; filename="demo-1-score.yaml"'
    for name in ("counts.html", "counts.md"):
        sheet = client.get(f"/api/projects/{pid}/files/{name}").text
        assert "Counts sheet: demo<" in sheet or "# Counts sheet: demo\n" in sheet, name
        assert "music.ogg" not in sheet and str(data_dir) not in sheet, name
    tl = client.get(f"/api/projects/{pid}/timeline").json()
    bad = client.post(f"/api/projects/{pid}/swap", json={"phrase": 2, "index": 0, "step": "qqqqqqqq",
                                                         "version": tl["version"]})
    assert bad.status_code == 400 and bad.json()["detail"] == \
        "step 'qqqqqqqq' is unknown; the swap menu lists the steps that fit there"  # no 'kanat steps' in a browser


def test_video_export_job(client, project):
    pid = project["id"]
    r = client.post(f"/api/projects/{pid}/video")
    assert r.status_code == 202
    wait(client, r.json(), timeout=300)
    v = client.get(f"/api/projects/{pid}/files/dance.mp4")
    assert v.status_code == 200 and v.content[4:8] == b"ftyp"


def test_restart_keeps_projects(data_dir, project):
    with TestClient(create_app(data_dir), base_url=LOCAL) as again:
        p = again.get(f"/api/projects/{project['id']}").json()
        assert p["status"] == "danced" and p["alternatives"] == 2
        assert again.get(f"/api/projects/{project['id']}/timeline").status_code == 200
        assert project["id"] in [x["id"] for x in again.get("/api/projects").json()["projects"]]


def test_two_projects_generate_at_once(client):
    a, b = analysed(client, "one.ogg"), analysed(client, "two.ogg")
    ja = client.post(f"/api/projects/{a['id']}/generate", json={"alternatives": 1, "seed": 3}).json()
    jb = client.post(f"/api/projects/{b['id']}/generate", json={"alternatives": 1, "seed": 4}).json()
    # while they work, requests are answered and a second job on the same project is refused
    t0 = time.monotonic()
    assert client.get("/api/projects").status_code == 200
    assert time.monotonic() - t0 < 2.0
    busy = client.post(f"/api/projects/{a['id']}/generate", json={"alternatives": 1})
    assert busy.status_code == 409 and "wait" in busy.json()["detail"]
    wait(client, ja)
    wait(client, jb)
    for p in (a, b):
        assert client.get(f"/api/projects/{p['id']}").json()["status"] == "danced"


def test_too_big_upload_is_refused_without_reading_it_all(tmp_path):
    def body():
        boundary = b"kanatboundary"
        yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="music"; filename="big.wav"\r\n'
        yield b"Content-Type: audio/wav\r\n\r\nRIFF"
        chunk = b"\0" * (1 << 20)
        for _ in range(300):
            yield chunk
        yield b"\r\n--" + boundary + b"--\r\n"

    with TestClient(create_app(tmp_path), base_url=LOCAL) as c:
        r = c.post("/api/projects", content=body(),
                   headers={"content-type": "multipart/form-data; boundary=kanatboundary"})
        assert r.status_code == 413
        assert "too big" in r.json()["detail"] and "200 MB" in r.json()["detail"]
        assert c.get("/api/projects").json()["total"] == 0
        assert not [p for p in (tmp_path / "projects").iterdir()]  # nothing left behind


def test_small_limit_and_content_length(tmp_path):
    with TestClient(create_app(tmp_path, max_upload_bytes=10_000), base_url=LOCAL) as c:
        r = upload(c)
        assert r.status_code == 413 and "too big" in r.json()["detail"]


def test_renamed_text_file_is_refused(client):
    r = upload(client, "song.wav", b"these are my notes for the rehearsal, not music\n" * 20)
    assert r.status_code == 415
    d = r.json()["detail"]
    assert "text file, not audio" in d and "'song.wav'" in d and "studio" not in d  # no server path


@pytest.mark.parametrize("name", ["../x.wav", "../../etc/passwd", "a/b.wav", "..\\x.wav"])
def test_file_names_that_climb_are_refused(client, name):
    r = upload(client, name)
    assert r.status_code == 400
    assert "refused" in r.json()["detail"] and "plain name" in r.json()["detail"]


def test_bad_requests_get_clear_messages(client, project):
    assert client.get("/api/projects/ffff").status_code == 404
    r = client.post(f"/api/projects/{project['id']}/generate", json={"style": "hiphop"})
    assert r.status_code == 400 and "classical" in r.json()["detail"]
    r = client.post(f"/api/projects/{project['id']}/generate", json={"innovation": 3})
    assert r.status_code == 400 and "innovation must be between 0 and 1" in r.json()["detail"]
    assert client.post("/api/projects", content=b"x", headers={"content-type": "text/plain"}).status_code == 400


def test_counting_again_with_hints_and_from_the_sheet(client, project):
    """The choreographer corrects the counts in the studio: her meter and tempo, then the piece's sheet music."""
    r = upload(client, "minuet.ogg")
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    wait(client, r.json()["job"])
    heard = client.get(f"/api/projects/{pid}/map").json()
    assert heard["hints"] == {}
    r = client.post(f"/api/projects/{pid}/listen", json={"meter": "2/4", "bpm": heard["tempo_bpm"]})
    assert r.status_code == 202, r.text
    wait(client, r.json())
    told = client.get(f"/api/projects/{pid}/map").json()
    assert set(told["meter"]) == {2} and told["hints"]["meter"] == "2/4"
    r = client.post(f"/api/projects/{pid}/listen", json={"meter": "5/4"})
    assert r.status_code == 400 and "not counted yet" in r.json()["detail"]
    sheet = (demo_music_path().parent / "demo.mid").read_bytes()
    r = client.post(f"/api/projects/{pid}/sheet", files={"sheet": ("demo.mid", sheet, "audio/midi")})
    assert r.status_code == 202, r.text
    wait(client, r.json())
    scored = client.get(f"/api/projects/{pid}/map").json()
    assert scored["hints"] == {} and {2, 3} <= set(scored["meter"])  # the minuet in 3, then the rag in 2
    r = client.post(f"/api/projects/{pid}/sheet", files={"sheet": ("notes.mid", b"just some text", "audio/midi")})
    assert r.status_code == 415 and "not a MIDI file" in r.json()["detail"]
    # a project with dances made on its counts is not counted again under them
    r = client.post(f"/api/projects/{project['id']}/listen", json={"meter": "3/4"})
    assert r.status_code == 409 and "new project" in r.json()["detail"]
