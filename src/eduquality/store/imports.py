"""The import log (table ``import_log``): one row per import run — what file (name and SHA-256),
into what target, by whom, rows read and written, and the outcome ('imported', 'unchanged' …).

:func:`last_imported_hash` lets an importer skip a file it has already imported unchanged;
:func:`log_import` writes the row inside the import's own write transaction, so the log and the
data land together or not at all.

Imports side by side (issue 10 §1, PostgreSQL): an import holds, inside its write transaction,
the advisory locks of what it writes (:class:`ImportLock`, :func:`hold_import_locks`), so
imports of the same thing take turns (the later one says it waits) and others proceed:

- every import that writes an exam's rows is keyed on the **exam**: a score sheet (any
  subject), a paper file (the exam given, or the one its 考试信息 names), a roster with
  ``--exam`` (its 考号 registrations): imports into one exam take turns, into two exams proceed;
- **rosters** (students, teachers, classes, schools, school years) take one turn among
  themselves: they write rows that rosters of other files write too (a school list, a school
  year a file creates, a student who moved school), and their plan is derived from those rows
  (classes and years to create, the schools a student belongs to now), so two side by side could
  fail on the same new row or write a plan made before the other's rows. Rosters are few and
  quick; a roster with ``--exam`` takes its exam's turn too;
- the other imports (合格考 results, attendance, school-age children, cut lines, statistics,
  programmes) write no exam rows: keyed on their kind and target (the file name, the year or
  sitting given, or the kind alone), as before.

Locks are taken in one order (their keys sorted), so two imports never wait for each other. On
DuckDB nothing is locked: one process writes the file, and its writes (threads included) take
turns on the handle's write lock (:meth:`eduquality.store.db.Database.write`).

:func:`imports_seen` is what an importer compares to know whether its plan, made before the
turn, may be stale: the number of import log rows (never deleted) that have committed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from eduquality.i18n import register, tr
from eduquality.store.catalog import dialect_of
from eduquality.store.db import Database

__all__ = ["ImportLock", "exam_lock", "hold_import_locks", "importers_other_than", "imports_seen",
           "last_imported_hash", "log_import"]

MESSAGES = register({
    "store.import_waits": (
        "另一个导入正在写入 {target}，等待它完成后再写入 …",
        "another import is writing to {target}; waiting for it to finish …",
    ),
})


@dataclass(frozen=True)
class ImportLock:
    """What an import writes, for taking turns: ``scope`` 'exam' with the exam id as ``name``,
    or an import kind with its target (None: the kind as a whole)."""

    scope: str
    name: str | None = None

    @property
    def key(self) -> int:
        """The PostgreSQL advisory lock key: a signed 64-bit number from SHA-256.

        >>> exam_lock("E1").key == ImportLock("exam", "E1").key != ImportLock("lines", "E1").key
        True
        """
        digest = hashlib.sha256(
            f"eduquality-import:{self.scope}:{self.name or ''}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    @property
    def label(self) -> str:
        """How the wait message names it: the exam id, else the kind and its target."""
        if self.scope == "exam":
            return str(self.name)
        return self.scope if self.name is None else f"{self.scope} {self.name}"


def exam_lock(exam_id: str) -> ImportLock:
    """The lock of every import that writes rows of ``exam_id``."""
    return ImportLock("exam", exam_id)


def hold_import_locks(con: Any, locks: Iterable[ImportLock], lang: str,
                      on_wait: Callable[[str], None]) -> None:
    """Inside an import's write transaction (``con``): wait until no other import holds any of
    ``locks``, telling ``on_wait`` once per lock it must wait for (module docstring). The locks
    end with the transaction. On PostgreSQL advisory transaction locks, taken in key order; on
    DuckDB nothing to do."""
    if dialect_of(con) != "postgres":
        return
    for lock in sorted(set(locks), key=lambda lk: lk.key):
        got = con.execute("SELECT pg_try_advisory_xact_lock(?)", [lock.key]).fetchone()
        if got and got[0]:
            continue
        on_wait(tr("store.import_waits", lang, target=lock.label))
        con.execute("SELECT pg_advisory_xact_lock(?)", [lock.key])


def imports_seen(source: Any) -> int:
    """How many import log rows have committed (as ``source``, a :class:`Database` or a
    transaction's connection, sees them): it grows with every import that commits, so an
    importer whose plan was made when it was lower re-makes the plan under its locks."""
    con = source.con if isinstance(source, Database) else source
    # fetchall: DuckDB refuses the transaction's next statement while a result is unfinished
    rows = con.execute("SELECT count(*) FROM import_log").fetchall()
    return int(rows[0][0]) if rows else 0


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
