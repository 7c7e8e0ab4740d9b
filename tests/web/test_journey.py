"""A principal's week in a real browser (issue 11 §5): sign in, the home page, drill to the own
school, upload a bad roster and read its problems, fix it and import it, download the school's
report, sign out, and find the old cookie dead; and a researcher's: the district dashboard, drill
from its latest exams to a school, download a report from it.

Debian's Chromium driven by Playwright (never a downloaded browser) against uvicorn on a free
local port. Screenshots of every step go to ``out/screenshots/journey/`` (or the folder named by
``EDUQUALITY_SCREENSHOTS``; ``/out/`` is ignored by git); ``.ci/run`` keeps them as the CI run's
artifacts (in ``$CI_ARTIFACTS_DIR``, default ``out/ci-artifacts/screenshots``) and fails when
there are none.
"""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from eduquality.config import Settings
from eduquality.web.app import create_app
from tests.web.browser import ARGS, CHROMIUM, needs_chromium, serving
from tests.web.conftest import PASSWORD, build_db

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("EDUQUALITY_SCREENSHOTS", ROOT / "out" / "screenshots" / "journey"))

pytestmark = needs_chromium

BAD = "工号,姓名,学校代码,任教学科\nT9,赵老师,S1,舞蹈\nT8,,S1,语文\nT7,孙老师,S2,数学\n"
GOOD = "工号,姓名,学校代码,任教学科\nT9,赵老师,S1,数学\nT8,钱老师,S1,语文\n"


@pytest.fixture
def server():
    db = build_db()
    with serving(create_app(db, Settings(), secret="journey")) as url:
        yield url, db


def test_principal_journey(server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright (the Python package) is not installed")
    url, db = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    bad, good = tmp_path / "教师名册.csv", tmp_path / "教师名册_改.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    requested: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
        page = context.new_page()
        page.on("request", lambda r: requested.append(r.url))

        def shot(name: str) -> None:
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

        # 1. sign in
        page.goto(f"{url}/")
        assert "/login" in page.url
        shot("01-sign-in")
        page.fill("input[name=username]", "p1")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/")
        # 2. the home page (the dashboard)
        assert page.locator("h1").count() == 1
        shot("02-home")
        # 3. drill to the own school
        page.locator("main a[href*='/schools/S1']").first.click()
        page.wait_for_url("**/schools/S1*")
        assert "甲校" in page.locator("h1").inner_text()
        shot("03-school")
        school_url = page.url
        # 4. upload a bad file: every problem, row by row, and nothing to confirm
        page.click("header nav a[href='/uploads']")
        page.wait_for_url(f"{url}/uploads")
        page.set_input_files("input[name=file]", str(bad))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert "3 个问题" in page.locator("main").inner_text()
        problems = page.locator("table.problems tbody tr")
        assert problems.count() == 3
        assert "舞蹈" in problems.all_inner_texts()[0] + problems.all_inner_texts()[1]
        assert "其他学校" in page.locator("table.problems").inner_text()
        assert page.locator("#confirm").count() == 0
        shot("04-upload-problems")
        # 5. fix it and import it
        page.click("a.button[href='/uploads']")
        page.set_input_files("input[name=file]", str(good))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert "没有问题" in page.locator("main").inner_text()
        shot("05-upload-checked")
        assert db.scalar("SELECT count(*) FROM teacher WHERE teacher_id IN ('T8', 'T9')") == 0
        page.click("#confirm")
        page.wait_for_load_state()
        assert "已导入" in page.locator("h1").inner_text()
        shot("06-imported")
        assert db.scalar("SELECT count(*) FROM teacher WHERE teacher_id IN ('T8', 'T9')") == 2
        # 6. download the school's report
        page.goto(school_url)
        with page.expect_download() as download:
            page.locator("a.button[href*='format=xlsx']").first.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        sheets = openpyxl.load_workbook(saved).sheetnames
        assert saved.suffix == ".xlsx" and sheets
        # 7. sign out; the old cookie is dead
        cookie = next(c for c in context.cookies() if c["name"] == "eq_session")
        page.click("header form[action='/logout'] button")
        page.wait_for_url(f"{url}/login")
        shot("07-signed-out")
        stale = browser.new_context()
        stale.add_cookies([{**cookie}])
        replay = stale.request.get(f"{url}/exams/E1/schools/S1", max_redirects=0)
        assert replay.status == 303 and "/login" in replay.headers["location"]
        stale.close()
        browser.close()
    assert all(u.startswith(url) for u in requested), requested
    for name in ("01-sign-in", "04-upload-problems", "06-imported", "07-signed-out"):
        assert (SHOTS / f"{name}.png").stat().st_size > 5_000


def test_researcher_journey_from_the_dashboard(server, tmp_path):
    """The research centre's week: the district dashboard, drill from its latest exams to an
    exam and one of its schools, download an exam's district report from the dashboard."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright (the Python package) is not installed")
    url, _db = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
        page = context.new_page()
        page.goto(f"{url}/login")
        page.fill("input[name=username]", "res")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/")
        # 1. the dashboard: the latest exams with their bands, the trend chart, the alerts
        main = page.locator("main")
        text = main.inner_text()
        assert "最近的考试" in text and "需关注的学生" in text
        assert page.locator("main img[src^='data:image/png;base64,']").count() >= 1
        page.screenshot(path=str(SHOTS / "11-dashboard.png"), full_page=True)
        # 2. drill: an exam of the latest-exams table, then one of its schools
        page.locator("main a[href$='/exams/E1']").first.click()
        page.wait_for_url("**/exams/E1")
        page.locator("main a[href*='/exams/E1/schools/']").first.click()
        page.wait_for_url("**/exams/E1/schools/*")
        assert page.locator("h1").count() == 1
        page.screenshot(path=str(SHOTS / "12-exam-school.png"), full_page=True)
        # 3. the exam's district report, from the dashboard
        page.goto(f"{url}/")
        with page.expect_download() as download:
            page.locator("main a[href*='/reports/E1/district?format=xlsx']").first.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix == ".xlsx" and openpyxl.load_workbook(saved).sheetnames
        browser.close()
    assert (SHOTS / "11-dashboard.png").stat().st_size > 5_000
