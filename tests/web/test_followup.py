"""The follow-up of flagged students on the school page: shown where the first exam of the
trend has later exams, cut to the reader's scope, computed once per exams' data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from eduquality.analysis.followup import followup
from eduquality.config import Settings
from eduquality.web.app import create_app
from tests.factories import add_later_exam
from tests.web.conftest import PASSWORD, build_db

TITLE = "学困生、弱科生、临界生帮扶跟踪"


@pytest.fixture(scope="module")
def fu_app():
    db = build_db()
    add_later_exam(db, "E4")  # 期末 2022-06-20, grade 8: the same students after E1
    return create_app(db, Settings(), secret="s"), followup(db, "E1", Settings())


def _section(app, user: str) -> str:
    c = TestClient(app, follow_redirects=False)
    assert c.post("/login", data={"username": user, "password": PASSWORD}).status_code == 303
    page = c.get("/schools/S1?grade=8")
    assert page.status_code == 200, page.text
    start = page.text.find(f"<h2>{TITLE}")
    return "" if start < 0 else page.text[start:page.text.index("</section>", start)]


def test_followup_on_the_school_page_cut_to_the_scope(fu_app):
    app, fu = fu_app
    t = fu.table
    names = {"T1": "张老师", "T2": "李老师", "T3": "王老师"}
    res = _section(app, "res")
    assert "全区" in res and "脱离比例" in res and "甲校" in res and "乙校" not in res
    assert res.count("<tr>") - 1 == ((t.level == "district") | (t.school_code == "S1")).sum()
    for tid, name in names.items():  # S1's teachers with a cohort; never S2's T3
        assert (name in res) == ((t.level == "teacher") & (t.unit == tid)).any(), name
    assert "王老师" not in res
    teacher = _section(app, "t1")
    assert "全区" in teacher and "李老师" not in teacher  # T2 is not t1
    assert teacher.count("<tr>") <= res.count("<tr>")
    misses = len(app.state.followup._items)
    _section(app, "res")
    assert len(app.state.followup._items) == misses  # kept, not recomputed


def test_no_followup_without_a_later_exam(login):
    assert TITLE not in login("res").get("/schools/S1?grade=8").text
