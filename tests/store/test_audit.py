"""The audit trail: client address, repeat counts, filters and pages."""

from __future__ import annotations

import datetime as dt

import pytest

from eduquality.errors import PermissionDenied
from eduquality.store import open_database
from eduquality.store.audit import CLIENT_ADDRESS, AuditFilter, audit, count_audit, read_audit
from eduquality.store.policy import scope_for
from eduquality.store.principals import Principal

ADMIN = Principal("boss", "admin")


@pytest.fixture
def db():
    db = open_database(":memory:")
    with db.write(check_scores=False) as con:
        for day in range(1, 11):                        # 2026-03-01 … 10, two rows a day
            for who, action in (("kim", "view"), ("lee", "denied")):
                con.execute("INSERT INTO audit_log (logged_at, username, role, action, object,"
                            " address, count) VALUES (?, ?, 'teacher', ?, 'x', ?, ?)",
                            [dt.datetime(2026, 3, day, 12), who, action, f"10.0.0.{day}",
                             day if action == "denied" else 1])
    return db


def test_address_from_argument_context_or_none(db):
    audit(db, ADMIN, "view", "a", address="10.9.9.9")
    token = CLIENT_ADDRESS.set("192.168.1.7")
    try:
        audit(db, ADMIN, "view", "b")
    finally:
        CLIENT_ADDRESS.reset(token)
    audit(db, ADMIN, "view", "c")
    rows = db.sql("SELECT object, address, count FROM audit_log WHERE username = 'boss' "
                  "ORDER BY object")
    assert rows["address"].tolist()[:2] == ["10.9.9.9", "192.168.1.7"]
    assert rows["address"].isna().tolist() == [False, False, True]
    assert rows["count"].tolist() == [1, 1, 1]


def test_filters_and_pages(db):
    scope = scope_for(db, ADMIN)
    assert count_audit(db, scope) == 20
    lee = AuditFilter(username="lee")
    assert count_audit(db, scope, lee) == 10
    page2 = read_audit(db, scope, where=lee, limit=4, offset=4)
    assert page2["logged_at"].str[:10].tolist() == [f"2026-03-0{d}" for d in (6, 5, 4, 3)]
    assert page2["count"].tolist() == [6, 5, 4, 3]
    days = AuditFilter(since=dt.date(2026, 3, 3), until=dt.date(2026, 3, 4))
    assert count_audit(db, scope, days) == 4                 # both ends included
    assert count_audit(db, scope, AuditFilter(action="view", address="10.0.0.2")) == 1
    with pytest.raises(PermissionDenied):
        count_audit(db, scope_for(db, Principal("t", "teacher")))
