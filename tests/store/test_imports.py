"""store.imports: the import log's last hash per kind, target and file name, and its rows;
the import locks: imports into one exam take turns on PostgreSQL, saying so, and imports into
two exams proceed side by side (issue 10 §1). End-to-end tests of real imports taking turns:
``tests/ingest/test_import_turns.py``."""

from __future__ import annotations

import threading
import time

import pytest

from eduquality.store import open_database
from eduquality.store.imports import (
    ImportLock,
    exam_lock,
    hold_import_locks,
    imports_seen,
    last_imported_hash,
    log_import,
)
from tests.ingest.conftest import until

WAITS = "another import is writing to E1; waiting for it to finish …"


def test_last_imported_hash_is_of_the_same_kind_target_and_file(db_location):
    db = open_database(db_location)
    assert last_imported_hash(db, "scores", "E1", "a.xlsx") is None
    with db.write(check_scores=False) as con:
        first = log_import(con, "scores", "a.xlsx", "h1", "E1", "u", 10, 9, "imported")
        second = log_import(con, "scores", "a.xlsx", "h2", "E1", "u", 10, 9, "imported")
        log_import(con, "scores", "a.xlsx", "h3", "E1", "u", 0, 0, "unchanged")
        log_import(con, "roster", "a.xlsx", "r1", None, "u", 5, 5, "imported")
    assert second > first
    assert last_imported_hash(db, "scores", "E1", "a.xlsx") == "h2"   # 'unchanged' not counted
    assert last_imported_hash(db, "scores", "E2", "a.xlsx") is None   # another target
    assert last_imported_hash(db, "scores", "E1", "b.xlsx") is None   # another file
    assert last_imported_hash(db, "roster", None, "a.xlsx") == "r1"   # no target matches None
    assert last_imported_hash(db, "roster", "E1", "a.xlsx") is None
    rows = db.con.execute("SELECT kind, file_name, file_sha256, target, imported_by, rows_read,"
                          " rows_written, outcome FROM import_log ORDER BY import_id").fetchall()
    assert rows[0] == ("scores", "a.xlsx", "h1", "E1", "u", 10, 9, "imported")
    assert rows[2][-1] == "unchanged" and len(rows) == 4


def test_lock_keys_and_labels():
    assert exam_lock("E1") == ImportLock("exam", "E1")
    keys = {exam_lock("E1").key, exam_lock("E2").key, ImportLock("lines", "E1").key,
            ImportLock("roster").key, ImportLock("roster", "a.xlsx").key}
    assert len(keys) == 5                                  # scopes never collide
    assert all(-(2**63) <= k < 2**63 for k in keys)        # PostgreSQL bigint
    assert [exam_lock("E1").label, ImportLock("roster").label,
            ImportLock("children", "2021").label] == ["E1", "roster", "children 2021"]


def test_imports_seen_counts_committed_log_rows(db_location):
    db = open_database(db_location)
    assert imports_seen(db) == 0
    with db.write(check_scores=False) as con:
        log_import(con, "scores", "a.xlsx", "h1", "E1", "u", 1, 1, "imported")
        assert imports_seen(con) == 1
    with pytest.raises(RuntimeError), db.write(check_scores=False) as con:
        log_import(con, "scores", "a.xlsx", "h2", "E1", "u", 1, 1, "imported")
        raise RuntimeError("rolled back")
    assert imports_seen(db) == 1
    db.close()


def test_locks_of_one_exam_take_turns_on_postgres(pg_url):
    first, second = open_database(pg_url), open_database(pg_url)
    said: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with first.write(check_scores=False) as con:
            hold_import_locks(con, [exam_lock("E1"), ImportLock("roster")], "en", said.append)
            holding.set()
            release.wait(30)

    def wait() -> None:
        with second.write(check_scores=False) as con:
            hold_import_locks(con, [exam_lock("E1")], "en", said.append)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(30)
    with second.write(check_scores=False) as con:      # another exam proceeds at once
        hold_import_locks(con, [exam_lock("E2"), ImportLock("roster", "x.xlsx")], "en",
                          said.append)
    assert said == []
    waiter = threading.Thread(target=wait)
    waiter.start()
    assert until(lambda: said == [WAITS])
    time.sleep(0.3)
    assert waiter.is_alive()                           # still waiting for the first
    release.set()
    holder.join(30)
    waiter.join(30)
    assert not waiter.is_alive() and said == [WAITS]
    first.close()
    second.close()


def test_no_lock_on_duckdb():
    with open_database(":memory:") as db, db.write(check_scores=False) as con:
        hold_import_locks(con, [exam_lock("E1")], "en", lambda m: (_ for _ in ()).throw(
            AssertionError(m)))
