"""The audit trail: repeated failures are one row with a count (store.audit.audit_repeated)."""

from __future__ import annotations

import pytest

from eduquality.errors import EduQualityError
from eduquality.store import open_database
from eduquality.store.audit import audit_repeated
from eduquality.store.principals import Principal

WHO = Principal("admin", "-")


@pytest.fixture
def db():
    db = open_database(":memory:")
    yield db
    db.close()


def rows(db):
    return db.con.execute("SELECT username, action, object, detail FROM audit_log "
                          "ORDER BY rowid").fetchall()


def test_one_row_per_account_and_address_with_a_count(db):
    counts = [audit_repeated(db, WHO, "denied", "login", "wrong password", "10.0.0.1")
              for _ in range(50)]
    assert counts == list(range(1, 51))
    audit_repeated(db, WHO, "denied", "login", "wrong password", "10.0.0.2")
    audit_repeated(db, Principal("bob", "-"), "denied", "login", "wrong password", "10.0.0.1")
    audit_repeated(db, WHO, "denied", "login", "throttled", "10.0.0.1")
    assert rows(db) == [
        ("admin", "denied", "login", "wrong password; client=10.0.0.1; count=50"),
        ("admin", "denied", "login", "wrong password; client=10.0.0.2; count=1"),
        ("bob", "denied", "login", "wrong password; client=10.0.0.1; count=1"),
        ("admin", "denied", "login", "throttled; client=10.0.0.1; count=1"),
    ]


def test_a_new_window_starts_a_new_row(db):
    audit_repeated(db, WHO, "denied", "login", "wrong password", "10.0.0.1")
    with db.write() as con:  # the first row is now 20 minutes old
        con.execute("UPDATE audit_log SET logged_at = logged_at - INTERVAL 20 MINUTE")
    assert audit_repeated(db, WHO, "denied", "login", "wrong password", "10.0.0.1",
                          window_s=900) == 1
    assert [r[3] for r in rows(db)] == ["wrong password; client=10.0.0.1; count=1"] * 2


def test_no_integrity_check_and_known_actions_only(db, monkeypatch):
    monkeypatch.setattr(db, "check_integrity", lambda: (_ for _ in ()).throw(AssertionError))
    audit_repeated(db, WHO, "denied", "login", "wrong password", None)
    assert rows(db)[0][3] == "wrong password; client=-; count=1"
    with pytest.raises(EduQualityError):
        audit_repeated(db, WHO, "guess", "login", "x", None)
