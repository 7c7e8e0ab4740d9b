"""One end-to-end check in a real browser: Debian's Chromium driven by Playwright (never a
downloaded browser), against uvicorn on a free local port."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.web.browser import ARGS, CHROMIUM, needs_chromium, serving

pytestmark = needs_chromium


@pytest.fixture
def server(app):
    with serving(app) as url:
        yield url


def test_sign_in_and_open_the_exam_page(server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright (the Python package) is not installed")
    requested: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"{server}/exams/E1")                    # → the sign-in page
        assert "/login" in page.url
        page.fill("input[name=username]", "p1")
        page.fill("input[name=password]", "correct-horse-9")
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/exams/E1")             # back where we wanted to go
        assert page.locator("h1").inner_text() == "期末"
        assert page.locator("svg rect.bar").count() >= 2    # the class chart rendered
        shot = tmp_path / "exam.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 10_000
    if os.environ.get("EDUQUALITY_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["EDUQUALITY_KEEP_SCREENSHOT"])
    assert requested and all(u.startswith(server) for u in requested), requested
