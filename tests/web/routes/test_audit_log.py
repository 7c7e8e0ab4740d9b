"""/audit: paged, filtered, with client address and repeat counts."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.web.app import create_app
from tests.web.conftest import PASSWORD, build_db

pytestmark = pytest.mark.slow  # every test here is slow: `make test` runs it, `make check` not


def _client():
    db = build_db()
    with db.write(check_scores=False) as con:
        for i in range(230):
            con.execute("INSERT INTO audit_log (logged_at, username, role, action, object,"
                        " address, count) VALUES (?, 'spray', '-', 'denied', 'login', '10.6.6.6',"
                        " ?)", [dt.datetime(2026, 1, 1) + dt.timedelta(hours=i), i % 3 + 1])
    client = TestClient(create_app(db, Settings(), secret="s"), follow_redirects=False)
    assert client.post("/login", data={"username": "admin", "password": PASSWORD}
                       ).status_code == 303
    return db, client


def test_paged_filtered_with_address_and_count():
    db, c = _client()
    first = c.get("/audit?user=spray&lang=en")
    assert first.status_code == 200
    assert "Entries 1–100 of 230 (page 1 of 3)" in first.text
    assert "10.6.6.6" in first.text and "Client address" in first.text
    assert "page=2" in first.text and "Newer" not in first.text
    last = c.get("/audit?user=spray&page=3&lang=en")
    assert "Entries 201–230 of 230" in last.text and "Older" not in last.text
    day = c.get("/audit?user=spray&since=2026-01-02&until=2026-01-02&lang=en")
    assert "of 24 " in day.text
    # the admin's own sign-in carries the test client's address
    login = db.sql("SELECT address FROM audit_log WHERE username = 'admin' AND action = 'login'")
    assert login["address"].tolist()[-1] == "testclient"
    assert c.get("/audit?action=delete").status_code == 400
    assert c.get("/audit?since=yesterday").status_code == 400
    xlsx = c.get("/audit?user=spray&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
