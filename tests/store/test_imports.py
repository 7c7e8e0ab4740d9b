"""store.imports: the import log's last hash per kind, target and file name, and its rows."""

from __future__ import annotations

from eduquality.store import open_database
from eduquality.store.imports import last_imported_hash, log_import


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
