"""Value-added on the school page: shown where the exam has a prior exam of its cohort, cut to
the school and the classes the role may see, computed once per exam's data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.web.app import create_app
from tests.factories import add_prior_year
from tests.web.conftest import PASSWORD, build_db


@pytest.fixture(scope="module")
def va_app():
    db = build_db()
    add_prior_year(db)  # E0: 语文 of the same students, a year earlier (E1's prior)
    return create_app(db, Settings(), secret="s")


def _va(app, user: str) -> str:
    c = TestClient(app, follow_redirects=False)
    assert c.post("/login", data={"username": user, "password": PASSWORD}).status_code == 303
    page = c.get("/schools/S1?grade=8").text
    start = page.find("<h2>增值评价")
    return "" if start < 0 else page[start:page.index("</section>", start)]


def test_value_added_cut_to_the_scope(va_app):
    app = va_app
    res = _va(app, "res")
    assert "以 E0 为前测" in res and "甲校" in res and "乙校" not in res
    assert "1班" in res and "2班" in res
    teacher = _va(app, "t1")  # T1 teaches class 1 only
    assert "甲校" in teacher and "1班" in teacher and "2班" not in teacher
    leader = _va(app, "lead")  # no class level
    assert "甲校" in leader and "1班" not in leader
    assert _va(app, "p1")
    misses = len(app.state.value_added._items)
    _va(app, "res")
    assert len(app.state.value_added._items) == misses  # kept, not recomputed


def test_no_value_added_without_a_prior_exam(login):
    c = login("res")
    assert "增值评价" not in c.get("/schools/S1?grade=8").text
