"""The Parquet exchange (issue 16): ``eduquality export parquet DIR`` writes the database as
Parquet files a cluster reads from object storage or HDFS, ``import parquet DIR`` reads them
back into an empty database.

Layout of ``DIR``::

    manifest.json                       format, schema version, tables, rows, file checksums
    item_score/exam_id=E1/subject_code=math/data_0.parquet      (hive-style partitions)
    subject_result/exam_id=E1/subject_code=math/data_0.parquet
    school.parquet, class.parquet, student.parquet, paper.parquet, item.parquet,
    exam_registration.parquet, …

The item scores and subject results are partitioned by exam and subject (the paper's
``exam_id`` and ``subject_code``, which are not columns of those tables: they stand in the
path only, and the files keep ``paper_id``); every other table is one file. Partition values
are percent-encoded in the path (DuckDB's hive writer): ``2024期末`` becomes
``exam_id=2024%E6%9C%9F%E6%9C%AB``, decoded again on import.

Left out (:data:`LEFT_OUT`): the schema-version table (the manifest names the version), the
platform's accounts, sessions and audit log (password hashes never leave the server), and the
stored analyses (derived, recomputed from the data). Every other table is exported whole.

Manifest: ``format`` (:data:`FORMAT`), ``format_version``, ``schema_version`` (the newest
migration), ``program_version``, ``created_at``, and per table its ``rows``, ``partition_by``
and ``files`` (path → SHA-256 of the file's bytes). It is written last: a directory without
one is an interrupted export.

Import is all-or-nothing: the manifest's format and schema version must be this database's
(else a clear message and nothing read), every file listed must be there with its checksum and
no other Parquet file may be; then every table is inserted in foreign-key order inside one
write transaction (:meth:`~eduquality.store.db.Database.write`, so the integrity rules hold),
each table's row count is checked against the manifest, and the key sequences move past the
imported keys. Any problem rolls the whole import back. The target must be empty (a new
database), as for :func:`~eduquality.store.transfer.copy_database`.

Both stores: on DuckDB the files are written and read by the database itself (``COPY … TO
(FORMAT parquet, PARTITION_BY …)``, ``read_parquet``), in one read transaction (a consistent
snapshot); on PostgreSQL each table is read as Arrow into an in-process DuckDB that writes the
files, and read back from them as Arrow for the insert.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.outputs import keep_private
from eduquality.store.catalog import base_tables, column_types
from eduquality.store.db import Database
from eduquality.store.transfer import SEEDED, advance_sequences, copy_order

MESSAGES = register({
    "store.parquet.dir_not_empty": (
        "导出目录 {path} 不是空的：请指定一个新的（或空的）目录",
        "the export directory {path} is not empty: name a new (or empty) directory",
    ),
    "store.parquet.no_manifest": (
        "{path} 中没有 manifest.json：这不是 EduQuality 的 Parquet 导出目录，或导出没有完成",
        "{path} holds no manifest.json: not an EduQuality Parquet export, or the export did "
        "not finish",
    ),
    "store.parquet.bad_manifest": (
        "{path} 的 manifest.json 无法读取：{reason}",
        "the manifest.json of {path} cannot be read: {reason}",
    ),
    "store.parquet.schema": (
        "Parquet 导出的架构版本 {found} 与本数据库的版本 {known} 不同，未导入任何数据："
        "请用同一版本的 EduQuality 导出和导入（先对数据库运行 eduquality init，或升级 EduQuality）",
        "the Parquet export has schema version {found} but this database has {known}; nothing "
        "was imported: export and import with the same EduQuality release (run eduquality "
        "init on the database, or upgrade EduQuality)",
    ),
    "store.parquet.missing_file": (
        "Parquet 导出缺少文件 {file}（manifest.json 中列出），未导入任何数据",
        "the Parquet export lacks the file {file} (listed in manifest.json); nothing was "
        "imported",
    ),
    "store.parquet.extra_file": (
        "Parquet 导出中有 manifest.json 未列出的文件 {file}，未导入任何数据",
        "the Parquet export holds the file {file}, which manifest.json does not list; nothing "
        "was imported",
    ),
    "store.parquet.checksum": (
        "文件 {file} 的校验和与 manifest.json 不符（文件已被修改或损坏），未导入任何数据",
        "the checksum of {file} does not match manifest.json (the file was changed or is "
        "damaged); nothing was imported",
    ),
    "store.parquet.rows": (
        "表 {table} 读到 {got} 行，manifest.json 记录 {want} 行；已全部撤销",
        "table {table}: {got} rows read but manifest.json records {want}; nothing was imported",
    ),
    "store.parquet.unknown_table": (
        "manifest.json 列出了本数据库没有的表 {table}，未导入任何数据",
        "manifest.json lists the table {table}, which this database does not have; nothing was "
        "imported",
    ),
    "store.parquet.not_empty": (
        "目标数据库 {target} 不是空的（{tables} 中已有数据）：请导入到一个新建的空数据库",
        "the target database {target} is not empty ({tables} hold rows): import into a new, "
        "empty database",
    ),
})

FORMAT = "eduquality-parquet"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

PARTITIONS: dict[str, tuple[str, ...]] = {
    "item_score": ("exam_id", "subject_code"),
    "subject_result": ("exam_id", "subject_code"),
}
"""Tables written as hive-style partitions, and their partition columns (the paper's exam and
subject: no columns of the tables, so every file holds exactly the table's columns and a reader
may ignore the partitions — Spark decodes a percent-encoded non-ASCII value byte by byte, so
its partition discovery misreads ``exam_id=2024期末``)."""

LEFT_OUT = frozenset({"schema_migrations", "app_user", "web_session", "user_disabled",
                      "user_year_grant", "audit_log", "exam_analysis", "exam_analysis_frame"})
"""Tables not exported (see the module's notes)."""


@dataclass(frozen=True)
class TableFiles:
    """One table exported or imported: its rows and files (path under DIR → SHA-256)."""

    table: str
    rows: int
    files: dict[str, str]


def exported_tables(db: Database) -> list[str]:
    """The tables an export holds, in foreign-key order (referenced tables first)."""
    return [t for t in copy_order(db.con) if t not in LEFT_OUT]


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# -- export ---------------------------------------------------------------------------------
def export_parquet(db: Database, folder: str | Path, program_version: str = "") -> list[TableFiles]:
    """Write the database to ``folder`` (new or empty) as Parquet plus a manifest (module
    notes). Reads only. Raises EduQualityError when ``folder`` holds anything."""
    out = Path(folder)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EduQualityError(tr("store.parquet.dir_not_empty", db.lang, path=out))
    keep_private()            # students' names and ID numbers: the owner's only
    out.mkdir(parents=True, exist_ok=True)
    done: list[TableFiles] = []
    with _source(db) as (con, load):
        for table in exported_tables(db):
            load(table)
            rows = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
            _write_table(con, table, out, rows)
            files = {p.relative_to(out).as_posix(): sha256_file(p)
                     for p in sorted(_table_files(out, table))}
            done.append(TableFiles(table, rows, files))
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "schema_version": db.schema_version(), "program_version": program_version,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": {t.table: {"rows": t.rows, "partition_by": list(PARTITIONS.get(t.table, ())),
                             "files": t.files} for t in done},
    }
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out / MANIFEST)
    return done


@contextmanager
def _source(db: Database) -> Iterator[tuple[Any, Any]]:
    """A DuckDB connection that sees the tables to export, and a function making one table
    visible: the database itself on DuckDB (in one read transaction: one snapshot), or an
    in-process DuckDB filled from PostgreSQL as Arrow, one table at a time."""
    if db.dialect != "postgres":
        db.con.execute("BEGIN TRANSACTION")
        try:
            yield db.con, lambda table: None
        finally:
            db.con.execute("ROLLBACK")
        return
    scratch = duckdb.connect()
    loaded: set[str] = set()

    def load(table: str) -> None:
        if table in loaded:
            return
        rows = db.con.sql(f'SELECT * FROM "{table}"').to_arrow_table()
        scratch.register("_eq_rows", rows)
        try:
            scratch.execute(f'CREATE TABLE "{table}" AS SELECT * FROM _eq_rows')
        finally:
            scratch.unregister("_eq_rows")
        loaded.add(table)

    try:
        load("paper")            # the partition columns come from the papers
        yield scratch, load
    finally:
        scratch.close()


def _write_table(con: Any, table: str, out: Path, rows: int) -> None:
    parts = PARTITIONS.get(table)
    if parts is None:
        con.execute(f"""COPY (SELECT * FROM "{table}") TO '{_quote(out / f"{table}.parquet")}'
                        (FORMAT parquet)""")
        return
    if rows == 0:                # nothing to partition: no files
        return
    by = ", ".join(parts)
    if "subject_code" in parts:  # exam and subject of the row's paper
        query = (f'SELECT t.*, p.exam_id, p.subject_code FROM "{table}" t '
                 "JOIN paper p USING (paper_id)")
    else:
        query = f'SELECT * FROM "{table}"'
    con.execute(f"""COPY ({query}) TO '{_quote(out / table)}'
                    (FORMAT parquet, PARTITION_BY ({by}))""")


def _table_files(folder: Path, table: str) -> list[Path]:
    if table in PARTITIONS:
        return list((folder / table).rglob("*.parquet"))
    one = folder / f"{table}.parquet"
    return [one] if one.exists() else []


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


# -- import ---------------------------------------------------------------------------------
def read_manifest(folder: str | Path, lang: str = "zh") -> dict[str, Any]:
    """The manifest of an export in ``folder``; raises EduQualityError when it is missing or
    not an EduQuality manifest."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise EduQualityError(tr("store.parquet.no_manifest", lang, path=folder))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EduQualityError(tr("store.parquet.bad_manifest", lang, path=folder,
                                 reason=exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("tables"), dict):
        raise EduQualityError(tr("store.parquet.bad_manifest", lang, path=folder,
                                 reason=f"format ≠ {FORMAT}"))
    return manifest


def check_export(db: Database, folder: str | Path) -> dict[str, Any]:
    """The manifest of ``folder`` after checking it against ``db`` and the files: the schema
    version, every listed file present with its checksum, no Parquet file unlisted, every table
    known. Raises EduQualityError (the first problem); reads nothing into the database."""
    lang, root = db.lang, Path(folder)
    manifest = read_manifest(root, lang)
    found, known = manifest.get("schema_version"), db.schema_version()
    if found != known:
        raise EduQualityError(tr("store.parquet.schema", lang, found=found, known=known))
    tables = set(base_tables(db.con))
    listed: set[str] = set()
    for table, entry in manifest["tables"].items():
        if table not in tables or table in LEFT_OUT:
            raise EduQualityError(tr("store.parquet.unknown_table", lang, table=table))
        for rel, digest in entry["files"].items():
            path = root / rel
            if not path.is_file():
                raise EduQualityError(tr("store.parquet.missing_file", lang, file=rel))
            if sha256_file(path) != digest:
                raise EduQualityError(tr("store.parquet.checksum", lang, file=rel))
            listed.add(rel)
    for path in sorted(root.rglob("*.parquet")):
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            raise EduQualityError(tr("store.parquet.extra_file", lang, file=rel))
    return manifest


def import_parquet(db: Database, folder: str | Path) -> list[TableFiles]:
    """Read an export (:func:`export_parquet`) into the empty ``db``: all or nothing (module
    notes). Writes; raises EduQualityError, with nothing written, on any problem."""
    root = Path(folder)
    manifest = check_export(db, root)
    full = [t for t, n in db.table_counts().items() if n and t not in LEFT_OUT | SEEDED]
    if full:
        sep = "、" if db.lang == "zh" else ", "
        raise EduQualityError(tr("store.parquet.not_empty", db.lang, target=db.path,
                                 tables=sep.join(full)))
    entries: dict[str, Any] = manifest["tables"]
    order = [t for t in copy_order(db.con) if t in entries]
    done: list[TableFiles] = []
    scratch = duckdb.connect() if db.dialect == "postgres" else None
    try:
        with db.write() as con:
            for table in SEEDED & set(order):
                con.execute(f'DELETE FROM "{table}"')
            for table in order:
                entry = entries[table]
                if entry["files"]:
                    _insert_table(con, scratch, table, root, entry)
                got = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
                if got != int(entry["rows"]):
                    raise EduQualityError(tr("store.parquet.rows", db.lang, table=table,
                                             got=got, want=entry["rows"]))
                done.append(TableFiles(table, got, dict(entry["files"])))
            advance_sequences(con)
    finally:
        if scratch is not None:
            scratch.close()
    return done


def _insert_table(con: Any, scratch: Any, table: str, root: Path, entry: dict[str, Any]) -> None:
    """Insert the rows of ``table``'s files: by the database's own ``read_parquet`` on DuckDB,
    through Arrow from an in-process DuckDB on PostgreSQL. The table's own columns are read,
    a partition column from the path (typed as text, as it was written): the exam and subject
    of the scores' partitions are no columns of theirs and are left out."""
    files = ", ".join(f"'{_quote(root / rel)}'" for rel in sorted(entry["files"]))
    parts = entry.get("partition_by") or []
    hive = ("hive_partitioning = true, hive_types = {"
            + ", ".join(f"'{p}': VARCHAR" for p in parts) + "}") if parts else (
        "hive_partitioning = false")
    source = f"read_parquet([{files}], {hive}, union_by_name = true)"
    cols = ", ".join(f'"{c}"' for c in column_types(con, table))
    if scratch is None:
        con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM {source}')
        return
    rows = scratch.sql(f"SELECT {cols} FROM {source}").to_arrow_table()
    con.register("_eq_rows", rows)
    try:
        con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _eq_rows')
    finally:
        con.unregister("_eq_rows")
