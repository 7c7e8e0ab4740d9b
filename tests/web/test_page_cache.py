"""Pages served again from the page cache (eduquality.web.page_cache): the same page with its
audit row, never across readers, never after the data or the policy changed."""

from __future__ import annotations

import re

from eduquality.config import Settings
from eduquality.web.app import create_app
from eduquality.web.page_cache import PageCache, ShownPage
from tests.web.conftest import build_db, sign_in

CLASS_PAGE = "/exams/E1/classes/S1-2021-8-1"


def test_kept_pages_expire_and_the_oldest_goes():
    now = [0.0]
    pages = PageCache(maxsize=2, ttl_s=10, clock=lambda: now[0])
    a, b = ShownPage("A", "<p>a</p>", None), ShownPage("B", "<p>b</p>", "student 1")
    pages.put("a", a)
    assert pages.get("a") is a and pages.hits == 1
    now[0] = 10.5
    assert pages.get("a") is None  # older than ttl_s
    pages.put("a", a)
    pages.put("b", b)
    pages.put("c", b)
    assert pages.get("a") is None and pages.get("c") is b  # maxsize 2: "a" went first
    made = []
    assert pages.remember("nav", lambda: made.append(1) or ["x"]) == ["x"]
    assert pages.remember("nav", lambda: made.append(1) or ["y"]) == ["x"] and made == [1]
    assert len(pages) == 2  # what remember keeps counts towards maxsize too
    pages.clear()
    assert len(pages) == 0 and pages.get("c") is None


def _views(db, path: str) -> int:
    return int(db.scalar("SELECT count(*) FROM audit_log WHERE action = 'view' AND detail = ?",
                         [path]))


def test_a_second_view_is_the_same_page_with_its_own_audit_row():
    db = build_db()
    app = create_app(db, Settings(), secret="s")
    res = sign_in(app, "res")
    first = res.get(CLASS_PAGE)
    assert first.status_code == 200 and _views(db, CLASS_PAGE) == 1
    hits = app.state.pages.hits
    again = res.get(CLASS_PAGE)
    assert app.state.pages.hits == hits + 1
    assert again.text == first.text and _views(db, CLASS_PAGE) == 2


def test_another_reader_gets_only_what_they_may_see():
    db = build_db()
    app = create_app(db, Settings(), secret="s")
    p1, p2 = sign_in(app, "p1"), sign_in(app, "p2")
    assert p1.get("/exams/E1/schools/S1").status_code == 200
    assert p2.get("/exams/E1/schools/S1").status_code == 404  # S1 is not p2's school
    assert p1.get(CLASS_PAGE).status_code == 200
    assert p2.get(CLASS_PAGE).status_code == 404


def test_changed_scores_are_shown_at_once():
    db = build_db()
    app = create_app(db, Settings(), secret="s")
    res = sign_in(app, "res")
    before = res.get("/exams/E1").text
    with db.write() as con:  # as an import would: the exam's results change
        con.execute("UPDATE subject_result SET score = score / 2 "
                    "WHERE paper_id LIKE 'E1/%' AND status = 'present'")
    hits = app.state.pages.hits
    after = res.get("/exams/E1").text
    assert app.state.pages.hits == hits and after != before


def _csrf(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)


def test_a_policy_change_on_the_platform_is_shown_at_once():
    """Lowering min_unit_n (small units withheld from the leader) shows the numbers at the
    next view: the settings page empties the page cache."""
    db = build_db()
    app = create_app(db, Settings(), secret="s")
    lead, admin = sign_in(app, "lead"), sign_in(app, "admin")
    before = lead.get("/exams/E1?lang=en").text
    assert "fewer than 10 valid scores" in before
    form = {"csrf": _csrf(admin), "thresholds.excellent": "0.85", "thresholds.good": "0.7",
            "thresholds.pass": "0.6", "thresholds.low": "0.4", "min_unit_n": "1",
            "publication.grades_not_ranks_compulsory": ["false", "true"],
            "publication.forbid_exam_league_tables": ["false", "true"],
            "publication.mark_internal": ["false", "true"]}
    assert admin.post("/admin/settings?lang=en", data=form).status_code == 200
    assert app.state.settings.min_unit_n == 1
    after = lead.get("/exams/E1?lang=en").text
    assert "fewer than 1 valid scores" in after and after != before
