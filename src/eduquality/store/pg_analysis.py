"""Analysis on PostgreSQL (issue 10 §1): an exam's analysis runs in an in-process DuckDB, over
tables read from PostgreSQL as Arrow, so that the aggregations are the DuckDB expressions they
are on a DuckDB file (the same numbers on both stores) and PostgreSQL serves rows only.

:class:`ArrowSnapshot` is the Ibis backend :meth:`eduquality.store.db.Database.ibis` gives on
PostgreSQL: the first time an expression names a table, its rows are read from PostgreSQL
(:meth:`eduquality.store.pg.PgConnection.sql`, one statement, so one consistent snapshot of
that table) into the in-process DuckDB; later expressions reuse it. Whole tables are read
(the analysis filters by exam in its expressions): reading only an exam's rows is the next
step for a large district.
"""

from __future__ import annotations

from typing import Any


class ArrowSnapshot:
    """An Ibis DuckDB backend whose tables are loaded from PostgreSQL on first use."""

    def __init__(self, pg: Any) -> None:
        import duckdb
        import ibis

        self._pg = pg
        self._duck = duckdb.connect()
        self._backend = ibis.duckdb.from_connection(self._duck)
        self._loaded: set[str] = set()

    def table(self, name: str, **kwargs: Any) -> Any:
        """The Ibis table ``name`` (read from PostgreSQL the first time)."""
        if name not in self._loaded:
            rows = self._pg.sql(f'SELECT * FROM "{name}"').to_arrow_table()
            self._duck.register("_eq_snapshot", rows)
            try:
                self._duck.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _eq_snapshot')
            finally:
                self._duck.unregister("_eq_snapshot")
            self._loaded.add(name)
        return self._backend.table(name, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._backend, attr)
