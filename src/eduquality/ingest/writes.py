"""Bulk, idempotent writes from DataFrames into the database (inside ``db.write()``).

Rows are moved by the database from a registered frame (``INSERT … SELECT``), never row by row.
:func:`upsert` updates the rows whose key exists and differ, and inserts the new ones, so that
importing the same data twice changes nothing and a corrected file updates instead of duplicating.
:func:`replace_rows` deletes the rows of the keys a file covers and inserts the file's rows (for
tables nothing references: memberships, registrations, scores). :func:`delete_where` clears
the rows of one value of a column (a list that a file replaces as a whole).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from eduquality.store.catalog import column_types as _types
from eduquality.store.catalog import is_referenced as _referenced

_counter = itertools.count()

Connection = Any
"""The write transaction's connection (``with db.write() as con``), on either store
(:data:`eduquality.store.db.Connection`)."""


def _register(con: Connection, frame: pd.DataFrame) -> str:
    """Register ``frame`` for SQL as an Arrow table (DuckDB scans Arrow in parallel)."""
    name = f"_eq_src_{next(_counter)}"
    try:
        con.register(name, pa.Table.from_pandas(frame, preserve_index=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed object columns
        con.register(name, frame)
    return name


def _select(cols: list[str], types: dict[str, str], alias: str = "s") -> str:
    return ", ".join(f'CAST({alias}."{c}" AS {types[c]}) AS "{c}"' for c in cols)


def has_rows(con: Connection, table: str, column: str,
             values: list[str]) -> bool:
    """Whether ``table`` holds a row whose ``column`` is one of ``values`` (to skip the delete
    step of a first import)."""
    row = con.execute(f"SELECT 1 FROM {table} WHERE {column} = ANY(?) LIMIT 1",
                      [values]).fetchall()
    return bool(row)


def delete_where(con: Connection, table: str, column: str, value: Any) -> None:
    """Delete the rows of ``table`` whose ``column`` equals ``value``. Writes."""
    con.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', [value])


def upsert(con: Connection, table: str, frame: pd.DataFrame,
           key: list[str]) -> int:
    """Update changed rows with an existing ``key``, insert the others. Writes.

    Returns the number of rows inserted or changed."""
    if frame.empty:
        return 0
    types = _types(con, table)
    cols = list(frame.columns)
    src = _register(con, frame)
    try:
        typed = f"(SELECT {_select(cols, types)} FROM {src} AS s)"
        on = " AND ".join(f't."{k}" = s."{k}"' for k in key)
        rest = [c for c in cols if c not in key]
        changed = 0
        if rest:
            # Count the changed rows. A table that others reference is updated column by
            # column and only where the value differs: DuckDB turns an UPDATE of a foreign-key
            # column into delete + insert, which a referenced row (a school with classes)
            # refuses even when the value is unchanged.
            differs = " OR ".join(f't."{c}" IS DISTINCT FROM s."{c}"' for c in rest)
            row = con.execute(
                f'SELECT count(*) FROM "{table}" AS t JOIN {typed} AS s ON {on} '
                f"WHERE {differs}").fetchall()
            changed = int(row[0][0]) if row else 0
            if changed and not _referenced(con, table):
                # one statement: a CHECK spanning columns (a subject_result's status and score)
                # holds before and after it, not between two column updates
                sets = ", ".join(f'"{c}" = s."{c}"' for c in rest)
                con.execute(f'UPDATE "{table}" AS t SET {sets} FROM {typed} AS s '
                            f"WHERE {on} AND ({differs})")
            else:
                for c in rest if changed else []:
                    con.execute(f'UPDATE "{table}" AS t SET "{c}" = s."{c}" FROM {typed} AS s '
                                f'WHERE {on} AND t."{c}" IS DISTINCT FROM s."{c}"')
        collist = ", ".join(f'"{c}"' for c in cols)
        row = con.execute(
            f'INSERT INTO "{table}" ({collist}) SELECT {collist} FROM {typed} AS s '
            f'WHERE NOT EXISTS (SELECT 1 FROM "{table}" AS t WHERE {on})'
        ).fetchall()
        return changed + (int(row[0][0]) if row else 0)
    finally:
        con.unregister(src)


def changed_rows(con: Connection, table: str, frame: pd.DataFrame,
                 key: list[str]) -> pd.DataFrame:
    """The keys of ``frame`` that exist in ``table`` with different values (read only)."""
    if frame.empty:
        return frame[key]
    types = _types(con, table)
    cols = list(frame.columns)
    rest = [c for c in cols if c not in key]
    if not rest:
        return frame[key].iloc[:0]
    src = _register(con, frame)
    try:
        on = " AND ".join(f't."{k}" = s."{k}"' for k in key)
        differs = " OR ".join(f't."{c}" IS DISTINCT FROM s."{c}"' for c in rest)
        keys = ", ".join(f's."{k}"' for k in key)
        return con.execute(
            f'SELECT {keys} FROM (SELECT {_select(cols, types)} FROM {src} AS s) AS s '
            f'JOIN "{table}" AS t ON {on} WHERE {differs}'
        ).df()
    finally:
        con.unregister(src)


def pending_rows(con: Connection, table: str, frame: pd.DataFrame, key: list[str]) -> int:
    """How many rows of ``frame`` are not in ``table`` as they are: a new ``key``, or a row of
    that key with another value (read only). 0: an :func:`upsert` of ``frame`` would change
    nothing — one join instead of the upsert's two (a registration re-imported with every
    subject's scores)."""
    if frame.empty:
        return 0
    types = _types(con, table)
    cols = list(frame.columns)
    rest = [c for c in cols if c not in key]
    src = _register(con, frame)
    try:
        on = " AND ".join(f't."{k}" = s."{k}"' for k in key)
        differs = " OR ".join([f't."{key[0]}" IS NULL',
                               *(f't."{c}" IS DISTINCT FROM s."{c}"' for c in rest)])
        row = con.execute(
            f"SELECT count(*) FROM (SELECT {_select(cols, types)} FROM {src} AS s) AS s "
            f'LEFT JOIN "{table}" AS t ON {on} WHERE {differs}').fetchall()
        return int(row[0][0]) if row else 0
    finally:
        con.unregister(src)


def replace_rows(con: Connection, table: str, frame: pd.DataFrame,
                 key: list[str], keys: pd.DataFrame | None = None) -> int:
    """Delete the rows of ``table`` whose ``key`` occurs in ``frame`` (or in ``keys``, when
    given: the distinct keys), insert ``frame``. Writes. Returns the number of rows inserted."""
    if frame.empty and (keys is None or keys.empty):
        return 0
    types = _types(con, table)
    cols = list(frame.columns)
    src = _register(con, frame)
    key_src = src if keys is None else _register(con, keys)
    try:
        sel = ", ".join(f'CAST("{k}" AS {types[k]}) AS "{k}"' for k in key)
        on = " AND ".join(f't."{k}" = d."{k}"' for k in key)
        distinct = "DISTINCT " if keys is None else ""
        con.execute(
            f'DELETE FROM "{table}" AS t USING (SELECT {distinct}{sel} FROM {key_src}) AS d '
            f"WHERE {on}"
        )
        if frame.empty:
            return 0
        return _insert(con, table, cols, types, src)
    finally:
        con.unregister(src)
        if key_src != src:
            con.unregister(key_src)


def _insert(con: Connection, table: str, cols: list[str],
            types: dict[str, str], src: str) -> int:
    """Insert every row of the registered frame ``src`` (cast to the table's types)."""
    collist = ", ".join(f'"{c}"' for c in cols)
    row = con.execute(
        f'INSERT INTO "{table}" ({collist}) SELECT {_select(cols, types)} FROM {src} AS s'
    ).fetchall()
    return int(row[0][0]) if row else 0


def append_arrow(con: Connection, table: str, rows: pa.Table, constants: dict[str, Any]) -> int:
    """Append ``rows`` to ``table`` with the columns ``constants`` (name → the one value of
    every row; e.g. the paper of a sheet's item scores) before them; columns named as in
    ``table``, values of its types. Writes. Returns the rows appended.

    On PostgreSQL one ``COPY`` into the table (``PgConnection.copy_into``: 4.9 M item scores
    without a temporary table and a second pass); on DuckDB ``INSERT … SELECT`` from the
    registered Arrow table, the constants as parameters."""
    copy_into = getattr(con, "copy_into", None)
    if copy_into is not None:
        n = rows.num_rows
        fixed = [pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)),
                                                pa.array([v])) for v in constants.values()]
        return int(copy_into(table, pa.Table.from_arrays(
            [*fixed, *rows.columns], names=[*constants, *rows.column_names])))
    names = ", ".join(f'"{c}"' for c in [*constants, *rows.column_names])
    values = ", ".join(["?"] * len(constants) + [f'"{c}"' for c in rows.column_names])
    con.register("_eq_rows", rows)
    try:
        con.execute(f'INSERT INTO "{table}" ({names}) SELECT {values} FROM _eq_rows',
                    list(constants.values()))
    finally:
        con.unregister("_eq_rows")
    return rows.num_rows


def append_rows(con: Connection, table: str, frame: pd.DataFrame) -> int:
    """Insert ``frame`` (columns named as in ``table``). Writes. Returns rows inserted."""
    if frame.empty:
        return 0
    types = _types(con, table)
    cols = list(frame.columns)
    src = _register(con, frame)
    try:
        return _insert(con, table, cols, types, src)
    finally:
        con.unregister(src)
