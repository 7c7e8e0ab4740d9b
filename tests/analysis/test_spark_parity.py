"""The unit aggregations are written once in Ibis: the same expression gives the same numbers on
DuckDB (a district) and on Spark in local mode (the province-scale engine)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from eduquality.analysis.tables import subject_results, total_results
from eduquality.analysis.unit_stats import summary_expr
from eduquality.config import Thresholds
from tests.factories import tiny_exam_db

pyspark = pytest.importorskip("pyspark", reason="pyspark is a dev dependency (pip install -e .[dev])")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime"),
]


def test_school_summary_identical_on_duckdb_and_spark(spark):
    import ibis

    db = tiny_exam_db()
    for table in ["subject_result", "paper", "exam_registration", "school"]:
        spark.createDataFrame(db.sql(f"SELECT * FROM {table}")).createOrReplaceTempView(table)
    results = {}
    for name, con in {"duckdb": db.ibis(), "spark": ibis.pyspark.connect(spark)}.items():
        long = subject_results(con, "E1").union(total_results(con, "E1"))
        frame = summary_expr(long, "school", Thresholds()).execute()
        results[name] = frame.sort_values(["subject_code", "school_code"], ignore_index=True)
    duck, spk = results["duckdb"], results["spark"]
    assert list(duck.subject_code) == list(spk.subject_code)
    assert list(duck.school_code) == list(spk.school_code)
    for col in duck.columns.drop(["subject_code", "school_code"]):
        np.testing.assert_allclose(spk[col].astype(float), duck[col].astype(float), rtol=1e-12,
                                   err_msg=col)
