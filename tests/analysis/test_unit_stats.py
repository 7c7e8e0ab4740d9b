"""三率一分 per unit: the Ibis aggregation is the scalable form of ``measures.scores.summarise``
and is tested against it on random data; the intervals and comparisons are the measures applied
to the aggregates."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eduquality.analysis.tables import subject_results, total_results
from eduquality.analysis.unit_stats import add_intervals, summary_expr
from eduquality.config import Thresholds
from eduquality.measures.scores import above_mean_rate, group_t_scores, mean_ci, summarise
from tests.factories import results_frame, tiny_exam_db


@pytest.fixture(scope="module")
def db():
    return tiny_exam_db()


STATS = ["n_registered", "n", "mean", "sd", "min", "q1", "median", "q3", "max",
         "excellent_rate", "good_rate", "pass_rate", "low_rate"]
LEVELS = [("district", []), ("school", ["school_code"]), ("class", ["school_code", "class_id"]),
          ("peer_group", ["peer_group"])]


@pytest.mark.slow
def test_summary_of_the_factory_exam_is_summarise(db):
    """On an exam in the store (absent students), per school: as summarise."""
    t = Thresholds()
    got = summary_expr(subject_results(db.ibis(), "E1"), "school", t).execute().sort_values(
        ["subject_code", "school_code"], ignore_index=True)
    raw = results_frame(db)
    score = raw["score"].where(raw["status"] == "present")
    want = summarise(score, raw["full_marks"], by=[raw["subject_code"], raw["school_code"]],
                     lines=t).reset_index()
    assert len(got) == len(want)
    for col in STATS:
        np.testing.assert_allclose(got[col].astype(float), want[col].astype(float), rtol=1e-12,
                                   err_msg=col)


@pytest.fixture(scope="module")
def duck():
    return ibis.duckdb.connect()


# one row per (student, subject): school, class, subject, student number, share of full marks
# (None: absent)
_row = st.tuples(st.sampled_from(["s1", "s2"]), st.sampled_from(["a", "b", "c"]),
                 st.sampled_from(["x", "y"]), st.integers(0, 300),
                 st.one_of(st.none(), st.floats(0, 1)))
_lines = st.sampled_from([Thresholds(), Thresholds(0.9, 0.8, 0.6, 0.3)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_row, min_size=1, max_size=40), full=st.sampled_from([100.0, 120.0, 150.0]),
       lines=_lines)
@pytest.mark.slow
def test_summary_expr_is_the_scalable_form_of_summarise(duck, rows, full, lines):
    """The Ibis aggregation equals :func:`measures.scores.summarise` per unit at every level, on
    random data: absent students, half-point scores, scores exactly on a line, units of one."""
    frame = pd.DataFrame(rows, columns=["school_code", "class_id", "subject_code", "student_id",
                                        "share"])
    frame["full_marks"] = frame["subject_code"].map({"x": full, "y": 2 * full})
    frame["score"] = np.floor(frame["share"].astype(float) * frame["full_marks"] * 2) / 2
    on_line = (frame["student_id"] % 5 == 0) & frame["score"].notna()
    frame.loc[on_line, "score"] = (lines.pass_ * frame["full_marks"])[on_line]
    frame["peer_group"] = frame["school_code"]
    table = ibis.memtable(frame.drop(columns="share"))
    for level, keys in LEVELS:
        got = duck.execute(summary_expr(table, level, lines)).sort_values(
            ["subject_code", *keys], ignore_index=True)
        by = [frame[k] for k in ["subject_code", *keys]]
        want = summarise(frame["score"], frame["full_marks"], by=by, lines=lines).reset_index()
        assert len(got) == len(want)
        for col in STATS:
            np.testing.assert_allclose(got[col].astype(float), want[col].astype(float),
                                       rtol=1e-9, atol=1e-12, err_msg=f"{level} {col}")


@settings(max_examples=25, deadline=None)
@given(scores=st.lists(st.one_of(st.integers(0, 100).map(float), st.just(np.nan)),
                       min_size=2, max_size=40),
       units=st.lists(st.sampled_from("abc"), min_size=40, max_size=40))
@pytest.mark.slow
def test_add_intervals_are_the_measures_on_the_aggregates(scores, units):
    """CI, CV, 超均率 and group T added to the aggregated rows equal the measures computed from
    the scores (:func:`mean_ci`, :func:`group_t_scores`, :func:`above_mean_rate`)."""
    x = pd.Series(scores)
    unit = pd.Series(units[:len(scores)], name="unit")
    if x.notna().sum() < 2:
        return
    ci = mean_ci(x, by=unit)
    agg = ci[["n", "mean", "sd"]].reset_index().assign(subject_code="math")
    district = pd.DataFrame({"subject_code": ["math"], "mean": [x.mean()],
                             "sd": [x.std(ddof=1)]})
    out = add_intervals(agg, district).set_index("unit")
    for col in ("se", "ci_low", "ci_high"):
        np.testing.assert_allclose(out[col], ci[col], rtol=1e-12, err_msg=col)
    np.testing.assert_allclose(out["cv"], ci["sd"] / ci["mean"], rtol=1e-12)
    np.testing.assert_allclose(out["above_mean_rate"], above_mean_rate(ci["mean"], x.mean()),
                               rtol=1e-12)
    np.testing.assert_allclose(out["group_t"], group_t_scores(x, unit), rtol=1e-12)


@pytest.mark.slow
def test_absent_never_counted_as_zero(db):
    got = summary_expr(subject_results(db.ibis(), "E1"), "district", Thresholds()).execute()
    raw = results_frame(db)
    for subject, row in got.set_index("subject_code").iterrows():
        present = raw[(raw.subject_code == subject) & (raw.status == "present")]
        assert row["n"] == len(present) < row["n_registered"]
        assert row["min"] == present.score.min()


@pytest.mark.slow
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
