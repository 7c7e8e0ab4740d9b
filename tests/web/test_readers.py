"""The requests' first queries run on worker threads with handles of their own, on both stores."""

from __future__ import annotations

import threading

import anyio
import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.store import Database
from eduquality.store.users import disable_user
from eduquality.web.app import create_app
from eduquality.web.readers import Readers
from tests.web.conftest import PASSWORD, build_db


def _probe(handle: Database, username: str) -> tuple[int, Database, int]:
    n = handle.scalar("SELECT count(*) FROM app_user WHERE username = ?", [username])
    return threading.get_ident(), handle, int(n)


def test_duckdb_a_cursor_per_call_on_a_worker_closed_after():
    db = build_db()
    readers = Readers(db)
    thread, handle, n = anyio.run(readers.run, _probe, "p1")
    assert n == 1 and thread != threading.get_ident() and handle is not db
    with pytest.raises(Exception, match=r"(?i)closed"):
        handle.scalar("SELECT 1")
    assert db.scalar("SELECT 1") == 1 and not db.broken               # the platform's is open


@pytest.fixture
def pg_db(pg_cluster):
    url = pg_cluster.migrated_database()
    db = build_db(location=url)
    yield db
    db.close()
    pg_cluster.drop_database(url)


def test_postgresql_one_kept_session_per_worker_replaced_when_lost_ended_on_close(pg_db):
    readers = Readers(pg_db, pg_workers=1)

    async def twice() -> list[tuple[int, Database, int]]:
        return [await readers.run(_probe, "p1"), await readers.run(_probe, "nobody")]

    (t1, h1, n1), (t2, h2, n2) = anyio.run(twice)
    assert (n1, n2) == (1, 0) and t1 == t2 != threading.get_ident()
    assert h1 is h2 and h1 is not pg_db                               # kept, not the platform's
    h1.con._pg.close()                                                # the session is lost
    _t3, h3, n3 = anyio.run(readers.run, _probe, "p1")
    assert n3 == 1 and h3 is not h1
    readers.close()
    assert h3.broken and not pg_db.broken


def test_the_platform_on_postgresql_signs_in_shows_pages_and_ends_a_disabled_session(pg_db):
    app = create_app(pg_db, Settings(), secret="s")
    with TestClient(app, follow_redirects=False) as client:             # runs the lifespan
        assert client.post("/login", data={"username": "p1", "password": PASSWORD}
                           ).status_code == 303
        assert client.get("/exams/E1").status_code == 200
        assert client.get("/exams/NOPE").status_code == 404
        disable_user(pg_db, "p1")
        assert client.get("/exams/E1").status_code == 303                 # back to /login
        kept = list(app.state.readers._handles)
    assert kept and all(h.broken for h in kept)                   # closed with the platform
