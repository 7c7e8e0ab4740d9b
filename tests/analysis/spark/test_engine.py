"""The exam analysis with its aggregations on Spark (local[2]) over the Parquet exchange gives
DuckDB's numbers: every level's unit summaries, the students' scores, the item, option,
reliability, knowledge-point and 薄弱点 tables (from the engine's sums) and the 上线 analysis
(on the students' rows Spark returns)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.exam import analyse_exam
from eduquality.analysis.spark.engine import analyse_on_spark
from eduquality.config import Settings
from tests.factories import add_item_detail, new_regime_db
from tests.web.conftest import build_db

pytestmark = pytest.mark.slow


def _same(got: pd.DataFrame, want: pd.DataFrame, name: str) -> None:
    assert list(got.columns) == list(want.columns), name
    assert len(got) == len(want), name
    for col in want.columns:
        if pd.api.types.is_numeric_dtype(want[col]) and not pd.api.types.is_bool_dtype(want[col]):
            np.testing.assert_allclose(got[col].astype(float), want[col].astype(float),
                                       rtol=1e-12, atol=1e-12, err_msg=f"{name}.{col}")
        else:
            assert got[col].astype(str).tolist() == want[col].astype(str).tolist(), (
                f"{name}.{col}")


def test_analysis_on_spark_equals_duckdb(spark):
    db = build_db()                   # two schools' teachers: every level has units
    add_item_detail(db)               # options, unanswered items, knowledge and ability tags
    settings = Settings()
    duck = analyse_exam(db, "E1", settings)
    spk = analyse_on_spark(db, "E1", settings, spark)
    assert set(spk.summaries) == set(duck.summaries) >= {"district", "school", "class",
                                                          "teacher", "peer_group"}
    for level, want in duck.summaries.items():
        assert len(want) > 0, level
        _same(spk.summaries[level], want, level)
    for name in ("items", "options", "reliability", "knowledge", "weak_points", "lines",
                 "subject_lines", "online"):
        want = getattr(duck, name)
        if name in ("items", "options", "knowledge", "weak_points"):
            assert len(want) > 0, name
        _same(getattr(spk, name), want, name)
    keys = ["student_id", "subject_code"]
    a = duck.students.sort_values(keys, ignore_index=True)
    b = spk.students.sort_values(keys, ignore_index=True)
    assert a.student_id.tolist() == b.student_id.tolist()
    for col in ("score", "z", "t", "pr", "rank", "stanine"):
        if col in a.columns:
            np.testing.assert_allclose(b[col].astype(float), a[col].astype(float),
                                       rtol=1e-12, atol=1e-12, err_msg=col)


def test_online_analysis_on_spark_equals_duckdb(spark):
    db = new_regime_db()              # 3+1+2 高考 with official lines: 赋分, 有效分, 上线
    settings = Settings()
    duck = analyse_exam(db, "2025-gaokao", settings)
    spk = analyse_on_spark(db, "2025-gaokao", settings, spark)
    assert len(duck.online) > 0 and len(duck.subject_lines) > 0
    for name in ("lines", "subject_lines", "online"):
        _same(getattr(spk, name), getattr(duck, name), name)
    near = ["student_id", "group", "subject_code"]
    assert (spk.groups.sort_values(near, ignore_index=True)[near].to_numpy().tolist()
            == duck.groups.sort_values(near, ignore_index=True)[near].to_numpy().tolist())
