"""What the database says about its own tables, on either store (the catalogues differ: DuckDB's
``DESCRIBE`` and ``duckdb_constraints()``, PostgreSQL's ``pg_catalog``)."""

from __future__ import annotations

import re
from typing import Any


def dialect_of(con: Any) -> str:
    """'postgres' for a :class:`~eduquality.store.pg.PgConnection`, else 'duckdb'."""
    return str(getattr(con, "dialect", "duckdb"))


def column_types(con: Any, table: str) -> dict[str, str]:
    """Column name → SQL type of ``table`` (as a CAST accepts it), in column order."""
    if dialect_of(con) == "postgres":
        rows = con.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attnum", [f'"{table}"']).fetchall()
    else:
        rows = con.execute(f'DESCRIBE "{table}"').fetchall()
    return {r[0]: r[1] for r in rows}


def is_referenced(con: Any, table: str) -> bool:
    """Whether a foreign key of another table references ``table``."""
    if dialect_of(con) == "postgres":
        sql = ("SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
               "AND confrelid = to_regclass(?)")
        param = f'"{table}"'
    else:
        sql = ("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = "
               "'FOREIGN KEY' AND referenced_table = ?")
        param = table
    row = con.execute(sql, [param]).fetchone()
    return bool(row and row[0])


def base_tables(con: Any) -> list[str]:
    """The names of the database's own tables (its current schema), sorted."""
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_catalog = current_database() AND table_type = 'BASE TABLE' "
        "ORDER BY table_name").fetchall()]


def foreign_keys(con: Any) -> list[tuple[str, str]]:
    """(table, referenced table) of every foreign key of the database's own tables."""
    if dialect_of(con) == "postgres":
        sql = ("SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
               "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace")
    else:
        sql = ("SELECT table_name, referenced_table FROM duckdb_constraints() "
               "WHERE constraint_type = 'FOREIGN KEY' AND database_name = current_database() "
               "AND schema_name = current_schema()")
    return [(str(a).strip('"'), str(b).strip('"')) for a, b in con.execute(sql).fetchall()]


def sequence_columns(con: Any) -> list[tuple[str, str, str]]:
    """(sequence, table, column) of every column whose default is the sequence's next value."""
    rows = con.execute(
        "SELECT table_name, column_name, column_default FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'"
    ).fetchall()
    out = []
    for table, column, default in rows:
        found = re.search(r"nextval\('([^']+)'", str(default))
        if found:
            out.append((found.group(1), str(table), str(column)))
    return sorted(out)
