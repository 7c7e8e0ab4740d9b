"""The import log (table ``import_log``): one row per import run — what file (name and SHA-256),
into what target, by whom, rows read and written, and the outcome ('imported', 'unchanged' …).

:func:`last_imported_hash` lets an importer skip a file it has already imported unchanged;
:func:`log_import` writes the row inside the import's own write transaction, so the log and the
data land together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from eduquality.i18n import register, tr
from eduquality.store.catalog import dialect_of
from eduquality.store.db import Database

__all__ = ["hold_import_lock", "importers_other_than", "last_imported_hash", "log_import"]

MESSAGES = register({
    "store.import_waits": (
        "另一个导入正在写入 {target}，等待它完成后再写入 …",
        "another import is writing to {target}; waiting for it to finish …",
    ),
})


def import_lock_key(kind: str, target: str | None) -> int:
    """The PostgreSQL advisory lock key of imports into ``target`` (an exam; for imports
    without a target, of ``kind``): a signed 64-bit number from SHA-256.

    >>> import_lock_key("scores", "E1") == import_lock_key("paper", "E1")
    True
    """
    digest = hashlib.sha256(f"eduquality-import:{target or kind}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def hold_import_lock(con: Any, kind: str, target: str | None, lang: str,
                     on_wait: Callable[[str], None]) -> None:
    """Inside an import's write transaction (``con``): wait until no other import writes to
    the same exam (``target``; without one, imports of the same ``kind`` wait for each other),
    telling ``on_wait`` once when it must wait. The lock ends with the transaction. On
    PostgreSQL an advisory transaction lock; imports into different exams proceed side by
    side. On DuckDB nothing to do: one process writes the file, and its writes take turns."""
    if dialect_of(con) != "postgres":
        return
    key = import_lock_key(kind, target)
    got = con.execute("SELECT pg_try_advisory_xact_lock(?)", [key]).fetchone()
    if got and got[0]:
        return
    on_wait(tr("store.import_waits", lang, target=target or kind))
    con.execute("SELECT pg_advisory_xact_lock(?)", [key])


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
