"""三率一分 per unit, checked against a straightforward pandas computation of the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.tables import subject_results, total_results
from eduquality.analysis.unit_stats import add_intervals, summary_expr
from eduquality.config import Thresholds
from tests.factories import results_frame, tiny_exam_db


@pytest.fixture(scope="module")
def db():
    return tiny_exam_db()


def _by_hand(frame: pd.DataFrame, keys: list[str], t: Thresholds) -> pd.DataFrame:
    rows = []
    for key, g in frame.groupby(keys):
        valid = g[g.status == "present"]
        x = valid.score.to_numpy()
        fm = g.full_marks.iloc[0]
        rows.append({**dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
                     "n_registered": len(g), "n": len(x), "mean": x.mean(),
                     "sd": x.std(ddof=1), "median": np.median(x),
                     "excellent_rate": np.mean(x >= t.excellent * fm),
                     "pass_rate": np.mean(x >= t.pass_ * fm),
                     "low_rate": np.mean(x < t.low * fm)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("level,keys", [("school", ["school_code"]),
                                        ("class", ["school_code", "class_id"]),
                                        ("peer_group", ["peer_group"])])
def test_summary_matches_straightforward_pandas(db, level, keys):
    t = Thresholds()
    got = summary_expr(subject_results(db.ibis(), "E1"), level, t).execute()
    want = _by_hand(results_frame(db), ["subject_code", *keys], t)
    merged = want.merge(got, on=["subject_code", *keys], suffixes=("_want", "_got"))
    assert len(merged) == len(want) == len(got)
    for col in ["n_registered", "n", "mean", "sd", "median", "excellent_rate", "pass_rate",
                "low_rate"]:
        np.testing.assert_allclose(merged[f"{col}_got"], merged[f"{col}_want"], rtol=1e-12)


def test_absent_never_counted_as_zero(db):
    got = summary_expr(subject_results(db.ibis(), "E1"), "district", Thresholds()).execute()
    raw = results_frame(db)
    for subject, row in got.set_index("subject_code").iterrows():
        present = raw[(raw.subject_code == subject) & (raw.status == "present")]
        assert row["n"] == len(present) < row["n_registered"]
        assert row["min"] == present.score.min()


def test_total_only_for_students_present_everywhere(db):
    tot = total_results(db.ibis(), "E1").execute()
    raw = results_frame(db)
    complete = raw.groupby("student_id").status.apply(lambda s: (s == "present").all())
    sums = raw.groupby("student_id").score.sum()
    tot = tot.set_index("student_id")
    assert (tot.status == "present").sum() == complete.sum()
    ok = complete[complete].index
    np.testing.assert_allclose(tot.loc[ok, "score"], sums.loc[ok])
    assert tot.loc[complete[~complete].index, "score"].isna().all()


def test_interval_and_band_by_hand():
    # A unit with n = 4, mean 80, sd 2 against a district mean of 70:
    # se = 2/2 = 1, t(3, .975) = 3.1824, CI = 80 ± 3.1824; t = 10 → above.
    unit = pd.DataFrame({"subject_code": ["math"], "n": [4], "mean": [80.0], "sd": [2.0]})
    district = pd.DataFrame({"subject_code": ["math"], "mean": [70.0]})
    out = add_intervals(unit, district).iloc[0]
    assert out.ci_low == pytest.approx(80 - 3.182446, abs=1e-5)
    assert out.ci_high == pytest.approx(80 + 3.182446, abs=1e-5)
    assert out.above_mean_rate == pytest.approx(10 / 70)
    assert out.band == "above"
    # mean 71 with the same spread: t = 1, p ≈ 0.39 → similar
    unit.loc[0, "mean"] = 71.0
    assert add_intervals(unit, district).iloc[0].band == "similar"
