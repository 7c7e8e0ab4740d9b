"""/dashboard, /schools/{code}, /classes/{id} and the student page's growth, role by role:
allowed, and refused with 404 exactly as an unknown object (the refusal audited)."""

from __future__ import annotations

import re

import pytest

from tests.factories import results_frame
from tests.web.conftest import USERS

ROLES = tuple(USERS)

PAGES: dict[str, set[str]] = {
    "/dashboard": {"admin", "res", "lead"},
    "/schools/S1": {"admin", "res", "lead", "p1", "t1"},
    "/schools/S2": {"admin", "res", "lead", "p2"},
    "/classes/S1-2021-8-1": {"admin", "res", "p1", "t1"},
    "/classes/S1-2021-8-2": {"admin", "res", "p1"},
    "/classes/S2-2021-8-1": {"admin", "res", "p2"},
}
"""Each new page and the users who may see it; every other user gets 404."""


@pytest.fixture(scope="module")
def clients(role_clients):
    return role_clients


def _denied(db, username: str, path: str) -> int:
    return db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action = 'denied' "
                     "AND object = ?", [username, path])


@pytest.mark.parametrize("path", list(PAGES))
def test_each_role_sees_its_pages_and_gets_404_elsewhere(clients, db, path):
    for user in ROLES:
        before = _denied(db, user, path)
        r = clients[user].get(path)
        if user in PAGES[path]:
            assert r.status_code == 200, (user, path)
        else:
            assert r.status_code == 404, (user, path)
            assert "<h1>404" in r.text and "<h1>403" not in r.text  # not a token that holds 403
            assert _denied(db, user, path) == before + 1, (user, path)


def test_hidden_reads_as_unknown(clients):
    hidden = clients["p1"].get("/schools/S2")
    unknown = clients["p1"].get("/schools/S9")
    assert hidden.status_code == unknown.status_code == 404
    assert "没有找到：S2" in hidden.text and "没有找到：S9" in unknown.text
    assert hidden.text.replace("S2", "S9") == unknown.text


def test_dashboard_is_the_bureau_home(clients):
    for user in ("admin", "res", "lead"):
        home = clients[user].get("/")
        assert home.status_code == 200 and "全区质量看板" in home.text, user
        assert "/dashboard?format=xlsx" in home.text
    for user in ("p1", "t1", "par"):
        assert "全区质量看板" not in clients[user].get("/").text
    assert 'href="/schools/S1"' in clients["p1"].get("/").text
    assert 'href="/classes/S1-2021-8-1"' in clients["t1"].get("/").text


def test_dashboard_latest_exams_and_trend(clients, app):
    page = clients["res"].get("/dashboard?grade=12").text
    latest = page[page.index("最近的考试"):page.index("</section>", page.index("最近的考试"))]
    for exam in ("E1", "E2", "E3"):
        assert f'href="/exams/{exam}"' in latest
        assert f"/reports/{exam}/district?format=pdf" in latest
    # E1's headline is the total: its district mean and the schools' bands as the analysis has them
    a = app.state.cache.get(app.state.db, "E1")
    total = a.summaries["district"].set_index("subject_code").loc["total"]
    assert f"{total['mean']:.2f}" in latest
    bands = a.summaries["school"].query("subject_code == 'total'")["band"].value_counts()
    assert sum(bands.get(b, 0) for b in ("above", "similar", "below")) == 3
    # grade 12: 一模 (E3) then 高考 (E2), the trend drawn as an inline PNG
    trend = page[page.index("全区历次考试"):]
    assert trend.index('href="/exams/E3"') < trend.index('href="/exams/E2"')
    assert 'src="data:image/png;base64,' in page
    assert "行动计划指标（最近一年）" in page  # the plan's slot, filled by web.plan


def test_dashboard_alerts_follow_the_role(clients):
    res = clients["res"].get("/dashboard").text
    lead = clients["lead"].get("/dashboard").text
    assert "需关注的学生" in res and "学困生" in res
    assert "需关注的学生" not in lead  # no student-level access, not even counts
    assert "显著低于全区的学校" in lead and "薄弱知识点" in lead


def test_dashboard_download_is_an_audited_export(clients, db):
    r = clients["lead"].get("/dashboard?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert db.scalar("SELECT count(*) FROM audit_log WHERE username = 'lead' AND "
                     "action = 'export' AND object = 'dashboard'") >= 1


def test_school_page_means_by_hand(clients, db):
    raw = results_frame(db)
    chinese = raw[(raw["paper_id"] == "E1/chinese") & (raw["school_code"] == "S1")
                  & (raw["status"] == "present")]
    page = clients["p1"].get("/schools/S1?grade=8").text
    assert f"{chinese['score'].mean():.2f}" in page
    assert 'href="/exams/E1/schools/S1"' in page
    assert "/reports/E1/schools/S1?format=pdf" in page
    # grade 12: two exams, so a trend chart; the grade choices switch it
    assert 'src="data:image/png;base64,' in clients["p1"].get("/schools/S1?grade=12").text
    assert "?grade=8" in page and "?grade=12" in page


def test_school_page_lists_every_exam_of_every_year_and_grade(clients):
    """The trend shows the latest exams of one grade; the list under it reaches every exam the
    school sat (here grade 8's E1 and grade 12's E2 and E3), newest first."""
    page = clients["p1"].get("/schools/S1?grade=8").text
    listed = page[page.index("本校参加的全部考试（3 次）"):]
    links = [listed.index(f'href="/exams/{e}/schools/S1"') for e in ("E2", "E3", "E1")]
    assert links == sorted(links)                          # 2022-06-07, 2022-03-01, 2022-01-10
    assert "高三" in listed and "八年级" in listed
    english = clients["p1"].get("/schools/S1?grade=12&lang=en").text
    assert "Every exam the school sat (3)" in english


def test_school_page_shows_only_classes_in_scope(clients):
    teacher = clients["t1"].get("/schools/S1?grade=8").text
    assert 'href="/classes/S1-2021-8-1"' in teacher
    assert 'href="/classes/S1-2021-8-2"' not in teacher
    principal = clients["p1"].get("/schools/S1?grade=8").text
    assert 'href="/classes/S1-2021-8-2"' in principal
    assert "乙校" not in principal and "丙校" not in principal


def test_class_page_masks_ids_and_audits_the_view(clients, db):
    before = db.scalar("SELECT count(*) FROM audit_log WHERE username = 'p1' AND "
                       "action = 'view' AND object LIKE 'class:S1-2021-8-1%'")
    page = clients["p1"].get("/classes/S1-2021-8-1").text
    assert re.search(r"G\*{5}\d", page) and not re.search(r"G\d{6}", page)
    assert 'href="/students/1"' in page and 'href="/students/31"' not in page
    assert db.scalar("SELECT count(*) FROM audit_log WHERE username = 'p1' AND "
                     "action = 'view' AND object LIKE 'class:S1-2021-8-1%'") == before + 1
    assert re.search(r"G\d{6}", clients["admin"].get("/classes/S1-2021-8-1").text)


def test_student_growth_follows_the_publication_rules(clients):
    teacher = clients["t1"].get("/students/1").text
    growth = teacher[teacher.index("<h2>历次成绩"):teacher.index("</section>",
                                                                teacher.index("<h2>历次成绩"))]
    assert "得分率" in growth and "T 分数" in growth  # E3 (a mock) may show T scores
    parent = clients["par"].get("/students/1").text
    mine = parent[parent.index("<h2>历次成绩"):parent.index("</section>",
                                                          parent.index("<h2>历次成绩"))]
    rows = [r for r in mine.split("<tr>") if "期末" in r]  # E1: grade 8, compulsory
    assert rows and all("<td class=\"num1\">—</td>" in r for r in rows)


def test_pages_print_as_documents(clients):
    css = clients["res"].get("/static/style.css").text
    assert "@media print" in css and ".actions a.button" in css
