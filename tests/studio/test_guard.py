"""The studio stays local: foreign Host names and cross-site changes are refused; security headers; no CDN docs."""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402

from kanat.studio import create_app  # noqa: E402
from kanat.studio.guard import host_name  # noqa: E402


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(tmp_path), base_url="http://127.0.0.1:8000") as c:
        yield c


def test_local_hosts_are_served(client):
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"):
        r = client.get("/api/projects", headers={"host": host})
        assert r.status_code == 200 and r.json()["projects"] == [], host


def test_foreign_host_is_refused_dns_rebinding(client):
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""):
        r = client.get("/api/projects", headers={"host": host})
        assert r.status_code == 400, host
        assert "answers only to" in r.json()["detail"] and "--allow-host" in r.json()["detail"]
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_allowed_host_can_be_added(tmp_path):
    with TestClient(create_app(tmp_path, allowed_hosts=("127.0.0.1", "studio.lan")),
                    base_url="http://studio.lan:8000") as c:
        assert c.get("/api/projects").status_code == 200
        assert c.get("/api/projects", headers={"host": "localhost"}).status_code == 400


def test_cross_site_upload_is_refused(client, tmp_path):
    files = {"music": ("x.wav", b"my rehearsal notes, not music\n" * 20, "audio/wav")}
    for origin in ("http://evil.example", "null", "http://127.0.0.1:9999"):
        r = client.post("/api/projects", files=files, headers={"origin": origin})
        assert r.status_code == 403 and "another site" in r.json()["detail"], origin
    r = client.post("/api/projects", files=files, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    assert not list((tmp_path / "projects").iterdir())  # refused before anything is stored
    # the studio's own page (same origin) and a command-line client (no origin) get through to the audio check
    assert client.post("/api/projects", files=files, headers={"origin": "http://127.0.0.1:8000"}).status_code == 415
    assert client.post("/api/projects", files=files).status_code == 415


def test_security_headers_and_no_cdn_docs(client):
    r = client.get("/")
    assert r.headers["x-frame-options"] == "SAMEORIGIN" and r.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "script-src 'self' 'sha256-" in csp and "http" not in csp
    assert client.get("/api/projects/ffff").headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/docs").status_code == 404
    assert client.get("/api/openapi.json").json()["info"]["title"] == "kanat studio"


def test_host_name():
    assert host_name("127.0.0.1:8000") == "127.0.0.1" and host_name("[::1]:80") == "::1"
    assert host_name("::1") == "::1" and host_name("Example.COM") == "example.com"
