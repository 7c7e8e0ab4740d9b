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
            if not frame[c].map(lambda v: isinstance(v, list | dict | np.ndarray)).any()]
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
