"""The audit trail: client address, repeat counts (repeated failures are one row with a
count, store.audit.audit_repeated), filters and pages."""

from __future__ import annotations

import datetime as dt

import duckdb
import psycopg
import pytest

from eduquality.errors import EduQualityError, PermissionDenied
from eduquality.store import open_database
from eduquality.store.audit import (
    CLIENT_ADDRESS,
    AuditFilter,
    audit,
    audit_repeated,
    count_audit,
    insert_audit,
    read_audit,
)
from eduquality.store.policy import scope_for
from eduquality.store.principals import Principal

ADMIN = Principal("boss", "admin")


@pytest.fixture
def db(db_location):
    db = open_database(db_location)
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


WHO = Principal("admin", "-")


@pytest.fixture
def fresh(db_location):
    """An empty database (the failures below are its only audit rows)."""
    db = open_database(db_location)
    yield db
    db.close()


def rows(fresh):
    return fresh.con.execute("SELECT username, action, object, detail, address, count "
                             "FROM audit_log ORDER BY audit_id").fetchall()


def test_rows_of_one_instant_keep_their_order_when_one_counts_up(fresh):
    """Rows written in one transaction share its timestamp; their order is the log's key
    (``audit_id``, migration 14), not the row's place, which PostgreSQL moves on UPDATE."""
    with fresh.write(check_scores=False) as con:
        for detail in ("wrong password", "b", "c"):
            insert_audit(con, WHO, "denied", "login", detail, address="10.0.0.9")
    assert audit_repeated(fresh, WHO, "denied", "login", "wrong password", "10.0.0.9") == 2
    shown = read_audit(fresh, scope_for(fresh, ADMIN))
    assert shown["detail"].tolist() == ["c", "b", "wrong password"]
    assert shown["count"].tolist() == [1, 1, 2]
    assert len(set(shown["logged_at"])) == 1


def test_one_row_per_account_and_address_with_a_count(fresh):
    counts = [audit_repeated(fresh, WHO, "denied", "login", "wrong password", "10.0.0.1")
              for _ in range(50)]
    assert counts == list(range(1, 51))
    audit_repeated(fresh, WHO, "denied", "login", "wrong password", "10.0.0.2")
    audit_repeated(fresh, Principal("bob", "-"), "denied", "login", "wrong password", "10.0.0.1")
    audit_repeated(fresh, WHO, "denied", "login", "throttled", "10.0.0.1")
    assert rows(fresh) == [
        ("admin", "denied", "login", "wrong password", "10.0.0.1", 50),
        ("admin", "denied", "login", "wrong password", "10.0.0.2", 1),
        ("bob", "denied", "login", "wrong password", "10.0.0.1", 1),
        ("admin", "denied", "login", "throttled", "10.0.0.1", 1),
    ]


def test_a_new_window_starts_a_new_row(fresh):
    audit_repeated(fresh, WHO, "denied", "login", "wrong password", "10.0.0.1")
    with fresh.write() as con:  # the first row is now 20 minutes old
        con.execute("UPDATE audit_log SET logged_at = logged_at - INTERVAL '20 minutes'")
    assert audit_repeated(fresh, WHO, "denied", "login", "wrong password", "10.0.0.1",
                          window_s=900) == 1
    assert [r[3:] for r in rows(fresh)] == [("wrong password", "10.0.0.1", 1)] * 2


def test_no_integrity_check_and_known_actions_only(fresh, monkeypatch):
    monkeypatch.setattr(fresh, "check_integrity", lambda **_: (_ for _ in ()).throw(AssertionError))
    audit_repeated(fresh, WHO, "denied", "login", "wrong password", None)
    assert rows(fresh)[0][3:] == ("wrong password", None, 1)
    with pytest.raises(EduQualityError):
        audit_repeated(fresh, WHO, "guess", "login", "x", None)


def test_audit_takes_the_append_path_and_the_table_still_checks(fresh, monkeypatch):
    """A page view's row: one INSERT, no transaction of its own and no integrity check; the
    table's CHECK and NOT NULLs still refuse a bad row, and nothing lands."""
    monkeypatch.setattr(fresh, "check_integrity", lambda **_: (_ for _ in ()).throw(AssertionError))
    monkeypatch.setattr(fresh, "write", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    audit(fresh, WHO, "view", "exam E1", "/exams/E1", address="10.0.0.2")
    assert rows(fresh)[-1][1:5] == ("view", "exam E1", "/exams/E1", "10.0.0.2")
    before = len(rows(fresh))
    for bad in (["u", "r", "guess", "o", None, None], ["u", "r", "view", None, None, None]):
        with pytest.raises((duckdb.ConstraintException, psycopg.errors.IntegrityError)):
            fresh.append("INSERT INTO audit_log (username, role, action, object, detail, "
                         "address) VALUES (?, ?, ?, ?, ?, ?)", bad)
    assert len(rows(fresh)) == before
