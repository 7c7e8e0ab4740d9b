"""An exam analysed on PostgreSQL (tables read as Arrow into an in-process DuckDB) gives the
numbers it gives on DuckDB (issue 10 §1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from tests.web.conftest import build_db


@pytest.fixture(scope="module")
def analyses(pg_cluster):
    url = pg_cluster.create_database()
    duck, pg = build_db(), build_db(url)
    assert pg.dialect == "postgres"
    pair = analyse_exam(duck, "E1", Settings()), analyse_exam(pg, "E1", Settings())
    for db in (duck, pg):
        db.close()
    pg_cluster.drop_database(url)
    return pair


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    keys = [c for c in frame.columns
            if not any(isinstance(v, list | dict | np.ndarray) for v in frame[c])]
    return frame.sort_values(keys, ignore_index=True) if keys else frame


def _same(a: Any, b: Any, where: str) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(_sorted(a), _sorted(b), obj=where)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif hasattr(a, "__dict__") and not isinstance(a, type):
        _same(vars(a), vars(b), where)
    else:
        assert a == b or (a != a and b != b), where


def test_the_same_analysis_on_both_stores(analyses):
    duck, pg = analyses
    assert len(duck.students) > 100 and not duck.summaries["school"].empty
    _same(vars(duck), vars(pg), "analysis")



@pytest.fixture(scope="module")
def pg_db(pg_cluster):
    url = pg_cluster.create_database()
    db = build_db(url)
    yield db
    db.close()
    pg_cluster.drop_database(url)


def test_arrow_reads_every_table_as_the_row_path_types_it(pg_db):
    """:meth:`PgConnection.arrow` (the ADBC driver) gives every table of the store exactly
    what the row path gives (values, nulls, Arrow types: numeric, time zones, arrays)."""
    from eduquality.store.db import base_tables

    tables = sorted(base_tables(pg_db.con))
    assert {"item_score", "audit_log", "web_session"} <= set(tables)
    for name in tables:
        query = f'SELECT * FROM "{name}"'
        want = pg_db.con.execute(query).to_arrow_table()
        got = pg_db.con.arrow(query)
        assert got.schema.names == want.schema.names, name
        assert got.equals(want), name
    query = "SELECT paper_id, seq % 2 AS odd, seq FROM item_score WHERE paper_id = ? AND seq > ?"
    want = pg_db.con.execute(query, ["E1/math", 1]).to_arrow_table()
    assert pg_db.con.arrow(query, ["E1/math", 1]).equals(want) and want.num_rows > 0


def test_a_snapshot_of_one_exam_reads_only_that_exams_rows(pg_db):
    from eduquality.store.pg_analysis import EXAM_SCOPED, PAPER_SCOPED, ArrowSnapshot

    whole, one = ArrowSnapshot(pg_db.con), ArrowSnapshot(pg_db.con, ["E1"])
    for name in sorted(EXAM_SCOPED | PAPER_SCOPED):
        everything = whole.table(name).to_pandas()
        scoped = one.table(name).to_pandas()
        key = "exam_id" if name in EXAM_SCOPED else "paper_id"
        mine = (everything["exam_id"] == "E1" if key == "exam_id"
                else everything["paper_id"].str.startswith("E1/"))
        assert len(scoped) == int(mine.sum()), name
        if name in ("paper", "subject_result", "exam_registration"):   # items: E1 only
            assert 0 < len(scoped) < len(everything), name
    assert len(one.table("school").to_pandas()) == len(whole.table("school").to_pandas())
