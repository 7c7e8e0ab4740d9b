"""Analysis on PostgreSQL (issue 10 §1): an exam's analysis runs in an in-process DuckDB, over
tables read from PostgreSQL as Arrow, so that the aggregations are the DuckDB expressions they
are on a DuckDB file (the same numbers on both stores) and PostgreSQL serves rows only.

:class:`ArrowSnapshot` is the Ibis backend :meth:`eduquality.store.db.Database.ibis` gives on
PostgreSQL: the first time an expression names a table, its rows are read from PostgreSQL
(:meth:`eduquality.store.pg.PgConnection.arrow`: ``COPY … TO STDOUT`` parsed by Arrow, one
statement, so one consistent snapshot of that table) into the in-process DuckDB; later
expressions reuse it.

With ``exams`` (the analysis of one exam), the tables whose rows belong to an exam are read
for those exams only (:data:`EXAM_SCOPED`, :data:`PAPER_SCOPED`): a district's item scores of
every year would otherwise be read to analyse one exam (2,000 students' exam in a district of
21,000: 15 s of a 37 s analysis). Other tables (schools, students, classes …) are read whole.
An expression over such a snapshot must not ask for another exam's rows — it would find none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

EXAM_SCOPED = frozenset({"paper", "exam_registration"})
"""Tables with an ``exam_id`` column, read for the snapshot's exams only."""

PAPER_SCOPED = frozenset({"subject_result", "item_score", "item", "item_knowledge",
                          "official_scaled_score"})
"""Tables with a ``paper_id`` column, read for the papers of the snapshot's exams only."""


def snapshot_query(name: str, exams: Sequence[str] | None) -> tuple[str, list[Any]]:
    """The statement (and its parameters) that reads table ``name`` into a snapshot.

    >>> snapshot_query("item_score", ["E1"])[0]
    'SELECT * FROM "item_score" WHERE paper_id IN (SELECT paper_id FROM paper WHERE exam_id = ANY(?))'
    >>> snapshot_query("school", ["E1"])
    ('SELECT * FROM "school"', [])
    """
    query = f'SELECT * FROM "{name}"'
    if exams is None:
        return query, []
    if name in EXAM_SCOPED:
        return f"{query} WHERE exam_id = ANY(?)", [list(exams)]
    if name in PAPER_SCOPED:
        return (f"{query} WHERE paper_id IN (SELECT paper_id FROM paper "
                "WHERE exam_id = ANY(?))", [list(exams)])
    return query, []


class ArrowSnapshot:
    """An Ibis DuckDB backend whose tables are loaded from PostgreSQL on first use (those of
    ``exams`` only, where given: module docstring)."""

    def __init__(self, pg: Any, exams: Sequence[str] | None = None) -> None:
        import duckdb
        import ibis

        self._pg = pg
        self._exams = None if exams is None else list(exams)
        self._duck = duckdb.connect()
        self._backend = ibis.duckdb.from_connection(self._duck)
        self._loaded: set[str] = set()

    def table(self, name: str, **kwargs: Any) -> Any:
        """The Ibis table ``name`` (read from PostgreSQL the first time)."""
        if name not in self._loaded:
            rows = self._pg.arrow(*snapshot_query(name, self._exams))
            self._duck.register("_eq_snapshot", rows)
            try:
                self._duck.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _eq_snapshot')
            finally:
                self._duck.unregister("_eq_snapshot")
            self._loaded.add(name)
        return self._backend.table(name, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._backend, attr)
