"""The catalogue page in a real browser (Debian's Chromium, headless, via Playwright): a click sorts a column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")

from kanat.batch.catalogue import write_catalogue  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                                reason="Debian's chromium is not installed (make system-test-deps installs it as root)")


def _row(name, tempo, align, status="done"):
    return {"track": name, "status": status, "folder": f"tracks/{name}", "tempo_bpm": tempo, "duration_s": 30.0,
            "meter": "3", "sections": "A B", "metrics": {"beat_align_score": align}, "links": {"counts": "counts.html"}}


def test_a_click_sorts_the_tracks(tmp_path):
    rows = [_row("adagio", 66.0, 0.5), _row("galop", 152.5, 0.1), _row("waltz", 92.0, 0.9),
            {"track": "broken", "status": "failed", "folder": "tracks/broken", "error": "could not be decoded"}]
    page = write_catalogue(tmp_path, rows, options={"brief": {"seed": 0}})["index.html"]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            tab = browser.new_page()
            tab.goto(page.as_uri())

            def names():
                return tab.eval_on_selector_all("#tracks tbody tr", "rs => rs.map(r => r.cells[0].textContent)")

            assert names() == ["adagio", "galop", "waltz", "broken"]
            tab.click("#tracks th:text-is('tempo_bpm')")
            assert names() == ["adagio", "waltz", "galop", "broken"]  # numbers as numbers, the empty cell last
            tab.click("#tracks th:text-is('tempo_bpm')")
            assert names()[:3] == ["galop", "waltz", "adagio"]
            tab.click("#tracks th:text-is('beat_align_score')")
            assert names()[:3] == ["galop", "adagio", "waltz"]
            tab.click("#tracks th:text-is('status')")
            assert names() == ["galop", "adagio", "waltz", "broken"]  # done < failed; a stable sort keeps the rest
            tab.screenshot(path=str(tmp_path / "catalogue.png"), full_page=True)
        finally:
            browser.close()
