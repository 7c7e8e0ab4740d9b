"""The exam pages, role × resource (issue 11 §5): every user of the tiny district asks for an
exam's overview, a school's, a class's and a student's page, each as HTML and as its Excel
download (``?format=xlsx``), and the audit log. Allowed: 200. Refused: 404 exactly as an unknown
object (never 403: a role may not learn that what it may not see exists), the refusal audited
('denied').

The expectations come from the role rules (:mod:`eduquality.store.policy`'s table), written out
below for the tiny district (``tests/web/conftest.py``), not read from the code under test.
"""

from __future__ import annotations

import pytest

from tests.web.conftest import USERS

ALL = frozenset(USERS)
BUREAU = frozenset({"admin", "res"})
"""admin and researcher (教研员): everything in the district, and the audit log."""

# Who is who in the tiny district (tests/web/conftest.py, tests/factories.py):
#   S1 has classes S1-2021-8-1 (students 1–30; teacher T1 = t1 teaches 数学) and S1-2021-8-2
#   (students 31–60); S2 has S2-2021-8-1 (students 61–90); p1 heads S1, p2 heads S2; the
#   parent's child is student 1. All take exam E1.
#
# The rules (role → what it may see):
#   admin, res  everything
#   lead        局领导: exams, the district's and every school's aggregates; no class, no student
#   p1, p2      校长: the own school — its aggregate, its classes, its students
#   t1          教师: the own school's aggregate, the own class and its students
#   par         家长: the exam's district aggregate, the own child
ALLOWED: dict[str, frozenset[str]] = {
    "/exams/E1": ALL,                                    # every role takes part in E1
    "/exams/E1/schools/S1": BUREAU | {"lead", "p1", "t1"},
    "/exams/E1/schools/S2": BUREAU | {"lead", "p2"},
    "/exams/E1/classes/S1-2021-8-1": BUREAU | {"p1", "t1"},
    "/exams/E1/classes/S1-2021-8-2": BUREAU | {"p1"},    # not t1's class
    "/exams/E1/classes/S2-2021-8-1": BUREAU | {"p2"},
    "/students/1": BUREAU | {"p1", "t1", "par"},         # S1, t1's class, the parent's child
    "/students/31": BUREAU | {"p1"},                     # S1, the other class
    "/students/61": BUREAU | {"p2"},                     # S2
    "/audit": BUREAU,                                    # the view_audit action
}
"""Each resource and the users who may see it; every other user gets 404."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CASES = [(user, path, fmt) for path in ALLOWED for fmt in ("html", "xlsx") for user in USERS]


def _denied(db, username: str, path: str) -> int:
    return db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action = 'denied' "
                     "AND object = ?", [username, path])


def test_the_table_refuses_each_resource_to_someone():
    """Every resource but the exam's overview is refused to some role of the district, so each
    row of the table is tried both ways."""
    for path, users in ALLOWED.items():
        assert users <= ALL and (path == "/exams/E1" or users != ALL), path


@pytest.mark.parametrize("user, path, fmt", CASES)
def test_role_by_resource(role_clients, db, user, path, fmt):
    before = _denied(db, user, path)
    params = {"format": "xlsx"} if fmt == "xlsx" else {}
    r = role_clients[user].get(path, params=params)
    if user in ALLOWED[path]:
        assert r.status_code == 200, (user, path, fmt, r.text[-300:])
        if fmt == "xlsx":
            assert r.headers["content-type"].startswith(XLSX) and r.content[:2] == b"PK"
        assert _denied(db, user, path) == before
    else:
        assert r.status_code == 404, (user, path, fmt)
        assert "<h1>404" in r.text and "<h1>403" not in r.text
        assert _denied(db, user, path) == before + 1, (user, path, fmt)


def test_a_hidden_page_reads_as_an_unknown_one(role_clients):
    """Out of scope and unknown answer alike (the path aside): a school's principal on the
    other school's page and on a school that does not exist; on the audit log and on another
    page of an action it may not do (the users' administration)."""
    p1 = role_clients["p1"]
    for hidden, unknown, names in (
            ("/exams/E1/schools/S2", "/exams/E1/schools/S9", [("S2", "S9")]),
            ("/students/61", "/students/9999", [("：61<", "：9999<")]),  # not in the CSRF token
            ("/audit", "/admin/users", [])):
        a, b = p1.get(hidden), p1.get(unknown)
        assert a.status_code == b.status_code == 404, hidden
        text = a.text.replace(hidden, unknown)
        for old, new in names:
            text = text.replace(old, new)
        assert text == b.text, hidden
