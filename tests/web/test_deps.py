"""The principal is reloaded on every request: a disabled account's session stops working."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.store.users import disable_user, enable_user
from eduquality.web.app import create_app
from tests.web.conftest import PASSWORD, build_db

pytestmark = pytest.mark.slow  # every test here is slow: `make test` runs it, `make check` not


def test_disabling_ends_open_sessions_and_sign_in():
    db = build_db()
    app = create_app(db, Settings(), secret="s")
    client = TestClient(app, follow_redirects=False)
    assert client.post("/login", data={"username": "p1", "password": PASSWORD}
                       ).status_code == 303
    assert client.get("/").status_code == 200
    disable_user(db, "p1")
    assert client.get("/").status_code == 303                       # back to /login
    again = TestClient(app, follow_redirects=False)
    assert again.post("/login", data={"username": "p1", "password": PASSWORD}
                      ).status_code == 401
    enable_user(db, "p1")
    assert again.post("/login", data={"username": "p1", "password": PASSWORD}
                      ).status_code == 303


def test_a_session_outliving_its_accounts_disabling_is_refused():
    """An account disabled by another process that left its sessions (the session row still
    live): the principal, read with the session on every request, is missing — signed out."""
    db = build_db()
    client = TestClient(create_app(db, Settings(), secret="s"), follow_redirects=False)
    assert client.post("/login", data={"username": "p1", "password": PASSWORD}
                       ).status_code == 303
    with db.write(check_scores=False) as con:
        con.execute("INSERT INTO user_disabled (username, disabled_by) VALUES ('p1', 'x')")
    assert db.scalar("SELECT count(*) FROM web_session WHERE username = 'p1'") == 1
    assert client.get("/").status_code == 303

