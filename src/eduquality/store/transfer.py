"""Moving a district between stores (issue 10 §2): ``eduquality store copy SRC DST`` copies
every table of one database into an empty one — DuckDB to PostgreSQL, so that a district that
started on a laptop grows into a server, and back.

The copy is one write transaction on the target: the tables in foreign-key order (referenced
tables first), the sequences moved past the copied keys, then every table verified by its row
count and a checksum of its rows, computed on both sides; any difference rolls the whole copy
back. Both databases must have this program's schema (the source is opened read-only).

Checksum: SHA-256 over the sorted canonical text of the rows (``repr`` of each value as Python
reads it from either store), so it does not depend on the order or collation of either engine.
It reads every row into Python: fine for a district (a 200,000-student exam is a few million
item-score rows, minutes); a bulk COPY path is the next step for a province.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.store.catalog import base_tables, dialect_of, foreign_keys, sequence_columns
from eduquality.store.db import Database

MESSAGES = register({
    "store.copy_not_empty": (
        "目标数据库 {target} 不是空的（{tables} 中已有数据）：请复制到一个新建的空数据库",
        "the target database {target} is not empty ({tables} hold rows): copy into a new, "
        "empty database",
    ),
    "store.copy_schema": (
        "两个数据库的架构版本不同（源 {src}，目标 {dst}）：请先对两者运行 eduquality init",
        "the two databases have different schema versions (source {src}, target {dst}): run "
        "eduquality init on both first",
    ),
    "store.copy_mismatch": (
        "复制后核对不一致：表 {table} 源 {src_rows} 行（校验和 {src_sum}），目标 {dst_rows} 行"
        "（校验和 {dst_sum}）；已全部撤销",
        "the copy does not verify: table {table} has {src_rows} rows (checksum {src_sum}) in "
        "the source and {dst_rows} rows (checksum {dst_sum}) in the target; nothing was copied",
    ),
})

SEEDED = frozenset({"subject"})
"""Tables the migrations fill: a new database already holds their rows, which the copy
replaces by the source's."""

SKIPPED = frozenset({"schema_migrations"})
"""Tables each database keeps its own of (the schema version is checked instead)."""


@dataclass(frozen=True)
class TableCopy:
    """One table copied and verified: its rows and checksum (the same on both sides)."""

    table: str
    rows: int
    checksum: str


def copy_order(con: Any) -> list[str]:
    """The tables to copy, each after the tables it references (then by name)."""
    tables = [t for t in base_tables(con) if t not in SKIPPED]
    needs: dict[str, set[str]] = {t: set() for t in tables}
    for table, referenced in foreign_keys(con):
        if table in needs and referenced in needs and referenced != table:
            needs[table].add(referenced)
    order: list[str] = []
    while needs:
        ready = sorted(t for t, n in needs.items() if not n - set(order))
        if not ready:  # a cycle: cannot happen with this schema
            raise RuntimeError(f"foreign keys form a cycle among {sorted(needs)}")
        order += ready
        for t in ready:
            del needs[t]
    return order


def _canon(value: Any) -> str:
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canon(v) for v in value) + "]"
    return repr(value)


def table_checksum(con: Any, table: str) -> tuple[int, str]:
    """(row count, checksum) of ``table`` read through ``con`` (see the module's notes)."""
    rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
    lines = sorted("\x1f".join(_canon(v) for v in row) for row in rows)
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return len(rows), digest[:16]


def copy_database(src: Database, dst: Database) -> list[TableCopy]:
    """Copy every table of ``src`` into the empty ``dst`` and verify it (module notes).
    Writes ``dst``; raises EduQualityError (nothing copied) when ``dst`` holds data, the schemas
    differ or the copy does not verify."""
    lang = dst.lang
    if src.schema_version() != dst.schema_version():
        raise EduQualityError(tr("store.copy_schema", lang, src=src.schema_version(),
                                 dst=dst.schema_version()))
    order = copy_order(src.con)
    full = [t for t, n in dst.table_counts().items()
            if n and t not in SKIPPED and t not in SEEDED]
    if full:
        raise EduQualityError(tr("store.copy_not_empty", lang, target=dst.path,
                                 tables="、".join(full) if lang == "zh" else ", ".join(full)))
    done: list[TableCopy] = []
    with dst.write() as con:
        for table in SEEDED & set(order):
            con.execute(f'DELETE FROM "{table}"')
        for table in order:
            _copy_table(src, con, table)
        advance_sequences(con)
        for table in order:
            want, got = table_checksum(src.con, table), table_checksum(con, table)
            if want != got:
                raise EduQualityError(tr(
                    "store.copy_mismatch", lang, table=table, src_rows=want[0],
                    src_sum=want[1], dst_rows=got[0], dst_sum=got[1]))
            done.append(TableCopy(table, want[0], want[1]))
    return sorted(done, key=lambda c: c.table)


def _copy_table(src: Database, con: Any, table: str) -> None:
    rows = src.con.sql(f'SELECT * FROM "{table}"').to_arrow_table()
    if rows.num_rows == 0:
        return
    name = "_eq_copy"
    cols = ", ".join(f'"{c}"' for c in rows.column_names)
    con.register(name, rows)
    try:
        con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM {name}')
    finally:
        con.unregister(name)


def advance_sequences(con: Any) -> None:
    """Move each key sequence past the largest copied key, so that the next new row (a new
    student, an import) gets a fresh key on the target."""
    for sequence, table, column in sequence_columns(con):
        top = con.execute(f'SELECT coalesce(max("{column}"), 0) FROM "{table}"').fetchone()[0]
        if dialect_of(con) == "postgres":
            con.execute("SELECT setval(?, ?, ?)", [sequence, max(int(top), 1), top > 0])
            continue
        # DuckDB has no setval: draw values until the next one is past the copied keys
        nxt = con.execute(f"SELECT nextval('{sequence}')").fetchone()[0]
        if nxt <= top:
            con.execute(f"SELECT max(nextval('{sequence}')) FROM range({int(top - nxt)})")
