"""Backups of a district's database and their restore (issue 10 §2), with a manifest checked
on restore.

A backup is a new directory holding the database's copy (the *payload*) and ``manifest.json``:
the store, the schema version, the payload's SHA-256 and every table's row count and checksum
(:func:`eduquality.store.transfer.table_checksum`, the same rule ``store copy`` verifies by),
all read from the very state the payload holds.

- **PostgreSQL**: ``pg_dump --format=custom`` (``database.dump``). The checksums are read in a
  ``REPEATABLE READ`` transaction whose snapshot ``pg_dump`` is given (``--snapshot``), so the
  dump and the manifest describe the same instant while the platform keeps writing.
  Restore: ``pg_restore --single-transaction --exit-on-error --no-owner`` into an empty
  database (the objects then belong to the restoring role: run it as the migration role, with
  the platform role created first when the dump carries its ``GRANT``s, see ``docs/deploy.md``).
- **DuckDB**: a checkpointed copy of the file (``database.duckdb``). Why not ``EXPORT
  DATABASE``: its re-import rebuilds the schema from DuckDB's own dump of it, with sequences
  starting over and the migrations' record as data, so a restored district could hand out a
  used student key; the file copy is the database itself, byte for byte, and opens as such.
  Consistency: the copy runs under the handle's write lock (no write of this process lands),
  right after ``CHECKPOINT`` has folded the write-ahead log into the file (the copy is refused
  if a log remains); DuckDB's file lock keeps every other process out meanwhile. Restore:
  the file is copied beside the target, verified, then moved into place (atomic rename).
  A DuckDB backup can also be restored into an empty PostgreSQL database (through
  :func:`eduquality.store.transfer.copy_database`, verified the same way).

Restore refuses a target that holds any table, and checks the payload's SHA-256 before and
every table's count and checksum after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from eduquality import __version__
from eduquality.errors import KeyedError
from eduquality.i18n import register
from eduquality.outputs import keep_private, make_private
from eduquality.store.catalog import base_tables
from eduquality.store.db import Database
from eduquality.store.locks import locked_error
from eduquality.store.pg import PgConnection, is_postgres_url, safe_url
from eduquality.store.pg_programs import libpq_target, program_env, require_program
from eduquality.store.transfer import SKIPPED, table_checksum

__all__ = ["FORMAT", "MANIFEST", "BackupError", "Manifest", "backup_database", "database_state",
           "read_manifest", "restore_database"]

MESSAGES = register({
    "backup.memory": ("内存中的数据库无法备份", "an in-memory database cannot be backed up"),
    "backup.dest_used": (
        "备份目录 {path} 已存在且不是空的：请指定一个新目录",
        "the backup folder {path} exists and is not empty: name a new folder",
    ),
    "backup.wal_left": (
        "DuckDB 检查点后仍有未并入的预写日志 {wal}：请确认没有其他连接正在写入后重试",
        "DuckDB's write-ahead log {wal} remains after the checkpoint: make sure nothing else "
        "writes to the database and try again",
    ),
    "backup.program_failed": ("{program} 失败：{reason}", "{program} failed: {reason}"),
    "restore.no_manifest": (
        "{path} 不是 EduQuality 备份（缺少或无法读取 manifest.json）",
        "{path} is not an EduQuality backup (manifest.json missing or unreadable)",
    ),
    "restore.damaged": (
        "备份已损坏：{path} 的校验和 {found} 与清单记录的 {expected} 不符",
        "the backup is damaged: {path} has checksum {found}, its manifest says {expected}",
    ),
    "restore.not_empty": (
        "目标数据库 {target} 不是空的（已有表：{tables}）：请恢复到一个新建的空数据库",
        "the target database {target} is not empty (it has tables: {tables}): restore into a "
        "new, empty database",
    ),
    "restore.mismatch_file": (
        "恢复后核对不一致：表 {table} 备份中 {want_rows} 行（校验和 {want_sum}），恢复后 {got_rows} 行"
        "（校验和 {got_sum}）；恢复的文件已删除",
        "the restored database does not match the backup: table {table} has {want_rows} rows "
        "(checksum {want_sum}) in the backup and {got_rows} rows (checksum {got_sum}) restored; "
        "the restored file was removed",
    ),
    "restore.mismatch_pg": (
        "恢复后核对不一致：表 {table} 备份中 {want_rows} 行（校验和 {want_sum}），恢复后 {got_rows} 行"
        "（校验和 {got_sum}）；请勿使用该数据库，删除（dropdb）后重试",
        "the restored database does not match the backup: table {table} has {want_rows} rows "
        "(checksum {want_sum}) in the backup and {got_rows} rows (checksum {got_sum}) restored; "
        "do not use that database: drop it and try again",
    ),
    "restore.pg_into_file": (
        "PostgreSQL 备份只能恢复到 PostgreSQL 数据库：请恢复到 PostgreSQL 后，用 eduquality store "
        "copy 复制成 DuckDB 文件",
        "a PostgreSQL backup restores into PostgreSQL only: restore it there, then make a "
        "DuckDB file with eduquality store copy",
    ),
})

FORMAT = 1
"""The layout of a backup directory (``manifest.json``'s ``format``)."""

MANIFEST = "manifest.json"
PAYLOADS = {"duckdb": "database.duckdb", "postgres": "database.dump"}
"""The payload's file name for each store."""


class BackupError(KeyedError):
    """A backup or restore that cannot go on; nothing usable was written."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: ``tables`` maps each table to [row count, checksum]."""

    store: str
    schema_version: int
    payload: str
    payload_sha256: str
    tables: dict[str, list[Any]] = field(default_factory=dict)
    created_at: str = ""
    program_version: str = __version__
    format: int = FORMAT

    @property
    def rows(self) -> int:
        return sum(int(n) for n, _ in self.tables.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)


def database_state(con: Any) -> dict[str, list[Any]]:
    """Every base table of ``con``'s database → [row count, checksum]."""
    return {t: list(table_checksum(con, t)) for t in base_tables(con)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _schema_version(con: Any) -> int:
    if "schema_migrations" not in base_tables(con):
        return 0
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


# -- backup -------------------------------------------------------------------------------------

def backup_database(db: Database, dest: str | Path) -> Manifest:
    """Back ``db`` up into the new (or empty) directory ``dest`` (module notes). Writes files
    only (a DuckDB checkpoint folds the log into the file). Raises BackupError."""
    folder = Path(dest)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError("backup.dest_used", path=str(folder))
    if db.dialect == "duckdb" and db.path == ":memory:":
        raise BackupError("backup.memory")
    keep_private()
    folder.mkdir(parents=True, exist_ok=True)
    make_private(folder)
    payload = folder / PAYLOADS[db.dialect]
    copy = _dump_postgres if db.dialect == "postgres" else _copy_duckdb
    tables = copy(db, payload)
    manifest = Manifest(
        store=db.dialect, schema_version=db.schema_version(), payload=payload.name,
        payload_sha256=_sha256(payload), tables=tables,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def _copy_duckdb(db: Database, payload: Path) -> dict[str, list[Any]]:
    with db.exclusive() as con:
        con.execute("CHECKPOINT")
        wal = Path(f"{db.path}.wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise BackupError("backup.wal_left", wal=str(wal))
        tables = database_state(con)
        shutil.copyfile(db.path, payload)
    return tables


def _dump_postgres(db: Database, payload: Path) -> dict[str, list[Any]]:
    pg_dump = require_program("pg_dump")
    url, env = libpq_target(db.con.url)
    session = PgConnection(db.con.url)
    try:
        session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = session.execute("SELECT pg_export_snapshot()").fetchone()
        tables = database_state(session)
        _run([str(pg_dump), "--format=custom", f"--snapshot={snapshot[0] if snapshot else ''}",
              f"--file={payload}", f"--dbname={url}"], env)
        session.execute("COMMIT")
    finally:
        session.close()
    return tables


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=program_env(env),
                          check=False)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError("backup.program_failed", program=Path(command[0]).name,
                          reason=reason[-1] if reason else f"exit {done.returncode}")


# -- restore ------------------------------------------------------------------------------------

def read_manifest(src: str | Path) -> Manifest:
    """The manifest of the backup directory ``src``, its payload's SHA-256 checked. Raises
    BackupError."""
    folder = Path(src)
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        raise BackupError("restore.no_manifest", path=str(folder)) from None
    if manifest.format != FORMAT or manifest.store not in PAYLOADS:
        raise BackupError("restore.no_manifest", path=str(folder))
    payload = folder / manifest.payload
    found = _sha256(payload) if payload.is_file() else "-"
    if found != manifest.payload_sha256:
        raise BackupError("restore.damaged", path=str(payload), found=found[:16],
                          expected=manifest.payload_sha256[:16])
    return manifest


def restore_database(src: str | Path, target: str, lang: str = "zh") -> Manifest:
    """Restore the backup ``src`` into the empty database ``target`` (a DuckDB path, absent or
    without tables, or a ``postgresql://`` URL of an existing database without tables) and
    verify every table against the manifest. Writes ``target``. Raises BackupError (a target
    that holds tables, a damaged backup, a restore that does not verify)."""
    manifest = read_manifest(src)
    payload = Path(src) / manifest.payload
    if is_postgres_url(target):
        _require_empty_postgres(target)
        if manifest.store == "postgres":
            pg_restore = require_program("pg_restore")
            url, env = libpq_target(target)
            _run([str(pg_restore), "--single-transaction", "--exit-on-error", "--no-owner",
                  f"--dbname={url}", str(payload)], env)
        else:
            _copy_file_into_postgres(payload, target, lang)
        # a file copied table by table keeps the target's own record of its migrations
        skip = SKIPPED if manifest.store == "duckdb" else frozenset()
        check = PgConnection(target, read_only=True)
        try:
            _verify(manifest, check, "restore.mismatch_pg", skip)
        finally:
            check.close()
        return manifest
    if manifest.store == "postgres":
        raise BackupError("restore.pg_into_file")
    _restore_duckdb_file(manifest, payload, Path(target))
    return manifest


def _require_empty_postgres(url: str) -> None:
    con = PgConnection(url)
    try:
        tables = base_tables(con)
    finally:
        con.close()
    if tables:
        raise BackupError("restore.not_empty", target=safe_url(url), tables=", ".join(tables))


def _copy_file_into_postgres(payload: Path, target: str, lang: str) -> None:
    from eduquality.store.db import open_database
    from eduquality.store.transfer import copy_database

    with open_database(payload, lang=lang, read_only=True) as source, \
            open_database(target, lang=lang) as dest:
        copy_database(source, dest)


def _restore_duckdb_file(manifest: Manifest, payload: Path, target: Path) -> None:
    if target.exists():
        tables = _tables_of_file(target)
        if tables:
            raise BackupError("restore.not_empty", target=str(target), tables=", ".join(tables))
    keep_private()
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(payload, staged)
    make_private(staged)
    try:
        con = duckdb.connect(str(staged), read_only=True)
        try:
            _verify(manifest, con, "restore.mismatch_file")
        finally:
            con.close()
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    os.replace(staged, target)
    Path(f"{target}.wal").unlink(missing_ok=True)


def _tables_of_file(path: Path) -> list[str]:
    """The tables of the DuckDB file ``path`` (opened as this process already has it open, if
    it does; held by another process: the lock's message)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.ConnectionException:      # open in this process for writing
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        locked = locked_error(str(exc), str(path))
        if locked is None:
            raise
        raise locked from None
    try:
        return base_tables(con)
    finally:
        con.close()


def _verify(manifest: Manifest, con: Any, key: str, skip: frozenset[str] = frozenset()) -> None:
    """Every table of the manifest (but ``skip``), and no other, with its count and checksum."""
    got = database_state(con)
    for table in sorted((set(manifest.tables) | set(got)) - skip):
        want_rows, want_sum = manifest.tables.get(table, [0, "-"])
        got_rows, got_sum = got.get(table, [0, "-"])
        if [want_rows, want_sum] != [got_rows, got_sum]:
            raise BackupError(key, table=table, want_rows=want_rows, want_sum=want_sum,
                              got_rows=got_rows, got_sum=got_sum)


def restored_schema_version(target: str) -> int:
    """The schema version of the database restored at ``target`` (0 for none)."""
    con: Any = (PgConnection(target, read_only=True) if is_postgres_url(target)
                else duckdb.connect(target, read_only=True))
    try:
        return _schema_version(con)
    finally:
        con.close()
