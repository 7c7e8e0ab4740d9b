"""Students' Z, PR and rank computed by the engine's window functions
(analysis.student_stats) against the measures on a pandas frame (analysis.exam.student_scores)
and against hand-computed values."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.analysis.exam import finish_student_scores, student_scores
from eduquality.analysis.student_stats import student_score_expr
from eduquality.config import Settings


def _engine(frame: pd.DataFrame) -> pd.DataFrame:
    """The engine's scores (DuckDB), in the frame's row order."""
    con = ibis.duckdb.connect()
    got = con.execute(student_score_expr(ibis.memtable(frame.assign(row=range(len(frame))))))
    got = got.sort_values("row").drop(columns="row").reset_index(drop=True)
    return finish_student_scores(got, Settings())


def test_hand_computed_ranks_percentiles_and_z():
    """math: 10, 20, 20, 30 and a missing score — mean 20, SD √(200/3) = 8.165; PR 12.5, 50,
    50, 87.5 (below + ½ ties over 4); ranks 4, 2, 2, 1; chinese: all 50 — SD 0, no Z, PR 50."""
    frame = pd.DataFrame({
        "student_id": [1, 2, 3, 4, 5, 1, 2],
        "subject_code": ["math"] * 5 + ["chinese"] * 2,
        "score": [10.0, 20.0, 20.0, 30.0, np.nan, 50.0, 50.0],
        "full_marks": [40.0] * 5 + [100.0] * 2})
    got = _engine(frame)
    sd = np.sqrt(200 / 3)
    np.testing.assert_allclose(got["z"][:4], [-10 / sd, 0, 0, 10 / sd])
    assert got["z"][4:].isna().all()
    assert got["pr"].tolist()[:4] == [12.5, 50.0, 50.0, 87.5] and np.isnan(got["pr"][4])
    assert got["pr"].tolist()[5:] == [50.0, 50.0]
    assert got["rank"].tolist() == [4, 2, 2, 1, pd.NA, 1, 1]
    assert np.isclose(got["t"][3], 50 + 100 / sd)
    assert got["grade_letter"].tolist()[:4] == ["D", "D", "D", "B"]   # 30/40 = 75 % ≥ 70 %


scores = st.lists(st.sampled_from([np.nan, 0.0, 1.5, 2.0, 3.0, 7.5, 10.0]), min_size=1,
                  max_size=40)


@settings(max_examples=40, deadline=None)
@given(math=scores, chinese=scores)
def test_the_engines_scores_equal_the_measures(math, chinese):
    """Any scores, ties and missing ones included: the window functions give the measures'
    Z, T, PR, rank, stanine and 等级."""
    frame = pd.DataFrame({
        "student_id": list(range(len(math))) + list(range(len(chinese))),
        "subject_code": ["math"] * len(math) + ["chinese"] * len(chinese),
        "score": math + chinese, "full_marks": 10.0})
    want = student_scores(frame, Settings())
    got = _engine(frame)
    assert list(got.columns) == list(want.columns)
    for col in ("z", "t", "pr", "stanine"):
        np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float),
                                   rtol=1e-9, atol=1e-9, err_msg=col)
    assert got["rank"].astype("Float64").fillna(-1).tolist() == want["rank"].astype(
        "Float64").fillna(-1).tolist()
    assert got["grade_letter"].fillna("-").tolist() == want["grade_letter"].fillna("-").tolist()


def test_wide_scores_is_pivots_frame():
    """The students × subjects frame built from codes equals pandas' pivot (absent = NaN,
    a student with no score kept, IDs and subjects sorted)."""
    from eduquality.analysis.student_stats import wide_scores

    long = pd.DataFrame({"student_id": [3, 1, 1, 2, 3, 2],
                         "subject_code": ["math", "math", "chinese", "chinese", "chinese",
                                          "math"],
                         "score": [5.0, 7.0, np.nan, 9.0, 4.0, np.nan]})
    want = long.pivot(index="student_id", columns="subject_code", values="score")
    got = wide_scores(long)
    pd.testing.assert_frame_equal(got, want, check_index_type=False, check_column_type=False)
    assert got.loc[1, "math"] == 7.0 and np.isnan(got.loc[2, "math"])
