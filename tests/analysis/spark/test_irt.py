"""IRT on Spark: the E-step summed over local[2]'s partitions gives the single-machine
estimates (to 1e-6) on a simulated paper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.spark.irt import calibrate_spark, spark_fit, wide_item_scores
from eduquality.measures.irt import IRT, IRTError
from eduquality.measures.irt.simulation import make_bank, simdata

pytestmark = pytest.mark.slow


def _paper(n: int = 1200, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, d = rng.uniform(0.7, 2.0, 6), rng.normal(0, 1, 6)
    marks = simdata(make_bank("2pl", np.column_stack([a, d])), rng.normal(size=n), rng)
    frame = pd.DataFrame(marks.astype(float) * 2, columns=[f"q{j + 1}" for j in range(6)])
    return frame.mask(rng.random(frame.shape) < 0.05)      # 2-mark items, 5 % not answered


def test_spark_calibration_equals_the_single_machine_fit(spark):
    data = _paper()
    local = IRT("2pl").fit(data)
    fitted = spark_fit(spark)(data, "2pl", 41)     # calibrate_spark over local[2]
    cols = ["a", "d", "b", "se_a", "se_d"]
    np.testing.assert_allclose(fitted.items_[cols].to_numpy(float),
                               local.items_[cols].to_numpy(float), rtol=0, atol=1e-6)
    assert fitted.loglik_ == pytest.approx(local.loglik_, abs=1e-6)
    assert fitted.n_persons_ == local.n_persons_ == 1200
    assert fitted.n_iter_ == local.n_iter_


def test_long_item_scores_pivot_to_the_wide_paper_and_flat_items_are_named(spark):
    long = spark.createDataFrame(
        [("P", 1, 1, 0.0), ("P", 1, 2, 1.0), ("P", 2, 1, 2.0), ("P", 3, 2, 0.0),
         ("Q", 1, 1, 5.0)], "paper_id string, student_id int, seq int, score double")
    wide, items = wide_item_scores(spark, long, "P")
    assert items == ["q1", "q2"]
    got = wide.orderBy("student_id").toPandas()
    assert got.student_id.tolist() == [1, 2, 3]
    assert got.q1.tolist()[:2] == [0.0, 2.0] and np.isnan(got.q1[2])
    flat = spark.createDataFrame([(1.0, 0.0), (1.0, 1.0)], "q1 double, q2 double")
    with pytest.raises(IRTError, match="q1"):
        calibrate_spark(flat, ["q1", "q2"])
