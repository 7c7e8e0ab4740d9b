"""The import log (table ``import_log``): one row per import run — what file (name and SHA-256),
into what target, by whom, rows read and written, and the outcome ('imported', 'unchanged' …).

:func:`last_imported_hash` lets an importer skip a file it has already imported unchanged;
:func:`log_import` writes the row inside the import's own write transaction, so the log and the
data land together or not at all.
"""

from __future__ import annotations

from typing import Any

from eduquality.store.db import Database

__all__ = ["importers_other_than", "last_imported_hash", "log_import"]


def last_imported_hash(db: Database, kind: str, target: str | None,
                       file_name: str) -> str | None:
    """The SHA-256 of the file last imported (outcome 'imported') under ``file_name`` as
    ``kind`` into ``target`` (None: no target); None when there is none."""
    row = db.con.execute(
        """SELECT file_sha256 FROM import_log
           WHERE kind = ? AND target IS NOT DISTINCT FROM ? AND file_name = ?
             AND outcome = 'imported'
           ORDER BY import_id DESC LIMIT 1""",
        [kind, target, file_name],
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def log_import(con: Any, kind: str, file_name: str, sha: str, target: str | None, user: str,
               rows_read: int, rows_written: int, outcome: str) -> int:
    """Record one import run; ``con`` is the import's write transaction. Writes. Returns the
    new row's ``import_id``."""
    row = con.execute(
        """INSERT INTO import_log (kind, file_name, file_sha256, target, imported_by, rows_read,
                                   rows_written, outcome)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING import_id""",
        [kind, file_name, sha, target, user, rows_read, rows_written, outcome],
    ).fetchall()
    return int(row[0][0]) if row else 0


def importers_other_than(db: Database, user: str) -> list[str]:
    """The distinct ``import_log.imported_by`` names other than ``user``, sorted (the demo
    refuses its printed password on a database that anyone else imported into)."""
    rows = db.sql("SELECT DISTINCT imported_by FROM import_log WHERE imported_by <> ? "
                  "ORDER BY 1", [user])
    return [str(v) for v in rows["imported_by"]]
