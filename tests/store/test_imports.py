"""store.imports: the import log's last hash per kind, target and file name, and its rows;
imports into one exam take turns on PostgreSQL, saying so (issue 10 §1)."""

from __future__ import annotations

import threading
import time

import psycopg

from eduquality.ingest import import_paper, import_roster
from eduquality.store import open_database
from eduquality.store.imports import (
    hold_import_lock,
    import_lock_key,
    last_imported_hash,
    log_import,
)
from tests.ingest.conftest import EXAM, ITEMS, roster_sheets, write_xlsx

WAITS = "another import is writing to E1; waiting for it to finish …"


def _until(condition, seconds: float = 20) -> bool:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


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


def test_imports_into_one_exam_take_turns_on_postgres(pg_url):
    first, second = open_database(pg_url), open_database(pg_url)
    said: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with first.write(check_scores=False) as con:
            hold_import_lock(con, "scores", "E1", "en", said.append)
            holding.set()
            release.wait(30)

    def wait() -> None:
        with second.write(check_scores=False) as con:
            hold_import_lock(con, "paper", "E1", "en", said.append)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(30)
    with second.write(check_scores=False) as con:      # another exam proceeds at once
        hold_import_lock(con, "scores", "E2", "en", said.append)
    assert said == []
    waiter = threading.Thread(target=wait)
    waiter.start()
    assert _until(lambda: said == [WAITS])
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
        hold_import_lock(con, "scores", "E1", "en", lambda m: (_ for _ in ()).throw(
            AssertionError(m)))


def test_an_import_waits_for_another_into_the_same_exam(pg_url, tmp_path):
    """End to end: while another session holds the lock of paper imports (a paper file names
    its exam inside: the lock is of the kind), import_paper says it waits, and writes once the
    lock is released."""
    db = open_database(pg_url)
    import_roster(db, write_xlsx(tmp_path / "名册.xlsx", roster_sheets()))
    path = write_xlsx(tmp_path / "试卷.xlsx", {"考试信息": EXAM, "试卷结构": ITEMS})
    other = psycopg.connect(pg_url, autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", [import_lock_key("paper", None)])
    said: list[str] = []
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(import_paper(
        db, path, lang="en", progress=said.append)))
    worker.start()
    assert _until(lambda: WAITS.replace("E1", "paper") in said)
    assert db.cursor().scalar("SELECT count(*) FROM exam") == 0
    other.execute("SELECT pg_advisory_unlock(%s)", [import_lock_key("paper", None)])
    worker.join(60)
    assert done and db.scalar("SELECT count(*) FROM item") == len(ITEMS)
    other.close()
    db.close()
