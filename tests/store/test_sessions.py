"""Server-side sessions (store.sessions): limits, touching, ending, and the light write path."""

from __future__ import annotations

import datetime as dt

import pytest

from eduquality.store import open_database
from eduquality.store.passwords import hash_password
from eduquality.store.sessions import (
    TOUCH_EVERY,
    SessionLimits,
    create_session,
    end_session,
    end_user_sessions,
    read_session,
)

T0 = dt.datetime(2026, 3, 2, 8, 0, 0)
LIMITS = SessionLimits(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12))
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def db(db_location):
    db = open_database(db_location)
    with db.write() as con:
        for name in ("ann", "bob"):
            con.execute("INSERT INTO app_user (username, display_name, role, password_hash) "
                        "VALUES (?, ?, 'researcher', ?)", [name, name, hash_password("x" * 12)])
    yield db
    db.close()


def last_seen(db, username):
    return db.scalar("SELECT max(last_seen) FROM web_session WHERE username = ?", [username])


def test_the_cookie_token_is_random_and_only_its_hash_is_stored(db):
    a, b = (create_session(db, "ann", T0, LIMITS) for _ in range(2))
    assert a != b and len(a) >= 43
    keys = [r[0] for r in db.con.execute("SELECT token_hash FROM web_session").fetchall()]
    assert a not in keys and b not in keys and len(keys) == 2
    assert read_session(db, a, T0, LIMITS).username == "ann"
    assert read_session(db, "forged", T0, LIMITS) is None
    assert read_session(db, None, T0, LIMITS) is None


def test_idle_timeout(db):
    token = create_session(db, "ann", T0, LIMITS)
    t = T0
    for _ in range(5):  # a request every 29 minutes keeps the session alive
        t += dt.timedelta(minutes=29)
        assert read_session(db, token, t, LIMITS) is not None
    assert read_session(db, token, t + dt.timedelta(minutes=30, seconds=1), LIMITS) is None
    assert db.scalar("SELECT count(*) FROM web_session") == 0  # the expired row is gone
    assert read_session(db, token, t, LIMITS) is None          # and stays dead


def test_absolute_lifetime_however_busy(db):
    token = create_session(db, "ann", T0, LIMITS)
    t = T0
    while t < T0 + dt.timedelta(hours=12) - dt.timedelta(minutes=10):
        t += dt.timedelta(minutes=10)
        assert read_session(db, token, t, LIMITS) is not None
    assert read_session(db, token, T0 + dt.timedelta(hours=12, seconds=1), LIMITS) is None


def test_last_seen_is_written_at_most_once_a_minute(db, monkeypatch):
    token = create_session(db, "ann", T0, LIMITS)
    writes = []
    real = db.write
    monkeypatch.setattr(db, "write", lambda *a, **k: writes.append(k) or real(*a, **k))
    for seconds in (1, 20, 59):
        read_session(db, token, T0 + dt.timedelta(seconds=seconds), LIMITS)
    assert writes == [] and last_seen(db, "ann") == T0
    read_session(db, token, T0 + TOUCH_EVERY, LIMITS)
    assert writes == [{"check_scores": False}] and last_seen(db, "ann") == T0 + MIN


def test_session_writes_skip_the_integrity_check(db, monkeypatch):
    def boom(**_):
        raise AssertionError("full integrity check on a session write")

    monkeypatch.setattr(db, "check_integrity", boom)
    token = create_session(db, "ann", T0, LIMITS)
    assert read_session(db, token, T0 + 2 * MIN, LIMITS) is not None
    end_session(db, token)
    assert read_session(db, token, T0 + 2 * MIN, LIMITS) is None


def test_ending_one_session_or_all_of_a_user(db):
    a1, a2 = create_session(db, "ann", T0, LIMITS), create_session(db, "ann", T0, LIMITS)
    b = create_session(db, "bob", T0, LIMITS)
    end_session(db, a1)
    assert read_session(db, a1, T0, LIMITS) is None
    assert read_session(db, a2, T0, LIMITS) is not None
    assert end_user_sessions(db, "ann") == 1
    assert read_session(db, a2, T0, LIMITS) is None
    assert read_session(db, b, T0, LIMITS).username == "bob"


def test_a_removed_user_has_no_session(db):
    token = create_session(db, "bob", T0, LIMITS)
    with db.write() as con:
        con.execute("DELETE FROM app_user WHERE username = 'bob'")
    assert read_session(db, token, T0, LIMITS) is None


def test_signing_in_sweeps_expired_sessions(db):
    create_session(db, "ann", T0, LIMITS)
    create_session(db, "bob", T0 + dt.timedelta(hours=1), LIMITS)
    assert db.scalar("SELECT count(*) FROM web_session") == 1


def test_the_forced_change_flag_comes_with_the_session(db):
    token = create_session(db, "ann", T0, LIMITS)
    assert read_session(db, token, T0, LIMITS).must_change_password is False
    with db.write() as con:
        con.execute("UPDATE app_user SET must_change_password = TRUE WHERE username = 'ann'")
    assert read_session(db, token, T0, LIMITS).must_change_password is True
