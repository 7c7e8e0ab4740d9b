"""The exam analysis with its aggregations on Spark (local[2]) over the Parquet exchange gives
DuckDB's numbers: every level's unit summaries and the students' scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.exam import analyse_exam
from eduquality.analysis.spark.engine import analyse_on_spark
from eduquality.config import Settings
from tests.web.conftest import build_db

pytestmark = pytest.mark.slow


def test_analysis_on_spark_equals_duckdb(spark):
    db = build_db()                   # two schools' teachers: every level has units
    settings = Settings()
    duck = analyse_exam(db, "E1", settings)
    spk = analyse_on_spark(db, "E1", settings, spark)
    assert set(spk.summaries) == set(duck.summaries) >= {"district", "school", "class",
                                                          "teacher", "peer_group"}
    for level, want in duck.summaries.items():
        got = spk.summaries[level]
        assert list(got.columns) == list(want.columns), level
        assert len(got) == len(want) > 0, level
        for col in want.columns:
            if pd.api.types.is_numeric_dtype(want[col]):
                np.testing.assert_allclose(got[col].astype(float), want[col].astype(float),
                                           rtol=1e-12, atol=1e-12, err_msg=f"{level}.{col}")
            else:
                assert got[col].astype(str).tolist() == want[col].astype(str).tolist(), (
                    f"{level}.{col}")
    keys = ["student_id", "subject_code"]
    a = duck.students.sort_values(keys, ignore_index=True)
    b = spk.students.sort_values(keys, ignore_index=True)
    assert a.student_id.tolist() == b.student_id.tolist()
    for col in ("score", "z", "t", "pr", "rank", "stanine"):
        if col in a.columns:
            np.testing.assert_allclose(b[col].astype(float), a[col].astype(float),
                                       rtol=1e-12, atol=1e-12, err_msg=col)
