"""analyse_exam wires the store and the measures: checked against plain SQL on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.errors import NotFoundError
from tests.factories import tiny_exam_db


@pytest.fixture(scope="module")
def db():
    return tiny_exam_db()


@pytest.fixture(scope="module")
def analysis(db):
    return analyse_exam(db, "E1", Settings())


@pytest.mark.slow
def test_exam_info(analysis):
    assert analysis.exam.subjects == ["chinese", "math", "total"]  # 语文 before 数学 (vocab order)
    assert analysis.exam.compulsory


@pytest.mark.slow
def test_item_difficulty_matches_sql(db, analysis):
    want = db.sql("""SELECT s.seq, avg(s.score) / any_value(i.full_marks) AS p
                     FROM item_score s JOIN item i USING (paper_id, seq)
                     JOIN subject_result r USING (paper_id, student_id)
                     WHERE r.status = 'present' GROUP BY s.seq ORDER BY s.seq""")
    got = analysis.items.sort_values("seq")
    np.testing.assert_allclose(got.p, want.p, rtol=1e-12)
    assert set(analysis.items.subject_code) == {"math"}  # 语文 has no item scores
    assert len(analysis.reliability) == 1


@pytest.mark.slow
def test_student_scores_by_hand(analysis):
    st = analysis.students[analysis.students.subject_code == "chinese"].dropna(subset=["score"])
    x = st.score.to_numpy()
    top = st.loc[st.score.idxmax()]
    assert top["rank"] == 1
    assert top["pr"] == pytest.approx(100 * ((x < x.max()).sum() + 0.5 * (x == x.max()).sum())
                                      / len(x))
    assert top["t"] == pytest.approx(50 + 10 * (x.max() - x.mean()) / x.std(ddof=1))
    assert set(st.grade_letter) <= {"A", "B", "C", "D"}
    absent = analysis.students[analysis.students.status == "absent"]
    assert absent["rank"].isna().all() and absent["grade_letter"].isna().all()


@pytest.mark.slow
def test_distribution_cumulates_down_from_the_top(analysis):
    d = analysis.distribution[analysis.distribution.subject_code == "math"]
    assert d.score.is_monotonic_decreasing
    assert d.cumulative.iloc[-1] == d["count"].sum()


@pytest.mark.slow
def test_grade_letters_agree_with_the_district_rates(analysis):
    """等级 and the 三率 use the same lines: share of A = 优秀率, A–B = 良好率, A–C = 及格率."""
    d = analysis.summaries["district"].set_index("subject_code")
    for subject, rows in analysis.students.dropna(subset=["score"]).groupby("subject_code"):
        g = rows["grade_letter"]
        assert (g == "A").mean() == pytest.approx(d.loc[subject, "excellent_rate"])
        assert g.isin(["A", "B"]).mean() == pytest.approx(d.loc[subject, "good_rate"])
        assert g.isin(["A", "B", "C"]).mean() == pytest.approx(d.loc[subject, "pass_rate"])


@pytest.mark.slow
def test_score_bands_are_tenths_of_full_marks(analysis):
    """分数段 by hand: band k holds scores in [k/10, (k+1)/10) of full marks, the last band
    closed at full marks; shares of the valid takers."""
    n = analysis.summaries["district"].set_index("subject_code")["n"]
    for subject in analysis.exam.subjects:
        rows = analysis.students[(analysis.students.subject_code == subject)
                                 & analysis.students.score.notna()]
        k = np.minimum(np.floor(10 * rows.score / rows.full_marks), 9).astype(int)
        want = np.bincount(k, minlength=10)
        b = analysis.bands[analysis.bands.subject_code == subject]
        assert b["count"].tolist() == want.tolist()
        assert b["count"].sum() == n[subject]
        np.testing.assert_allclose(b["share"], want / n[subject])


@pytest.mark.slow
def test_unknown_exam(db):
    with pytest.raises(NotFoundError, match="找不到考试"):
        analyse_exam(db, "NOPE", Settings())


@pytest.mark.slow
def test_student_groups_follow_the_configured_rules(analysis):
    st = analysis.students
    tot = st[(st.subject_code == "total") & st.score.notna()]
    n_top = int(np.ceil(0.10 * len(tot)))
    cut = np.sort(tot.score.to_numpy())[::-1][n_top - 1]
    groups = analysis.groups
    top = set(groups[groups.group == "top"].student_id)
    assert top == set(tot[tot.score >= cut].student_id)  # ties at the cut kept whole
    low_line = 0.40 * tot.full_marks.iloc[0]
    struggling = set(groups[groups.group == "struggling"].student_id)
    assert set(tot[tot.score < low_line].student_id) <= struggling
    border = set(groups[groups.group == "borderline"].student_id)
    fm = tot.full_marks.iloc[0]
    want = tot[(tot.score < 0.60 * fm) & (tot.score >= 0.55 * fm)].student_id
    assert border == set(want)


@pytest.mark.slow
def test_all_pass_rate_group_t_and_stanine_by_hand(analysis):
    st = analysis.students
    sub = st[st.subject_code != "total"].pivot_table(index="student_id", columns="subject_code",
                                                     values="score")
    full = {"math": 10.0, "chinese": 100.0}
    took = sub.notna()
    failed = pd.concat([(sub[c] < 0.6 * full[c]) & took[c] for c in sub.columns], axis=1)
    passed = ~failed.any(axis=1)
    d = analysis.summaries["district"].set_index("subject_code")
    assert d.loc["total", "all_pass_rate"] == pytest.approx(passed[took.any(axis=1)].mean())
    assert np.isnan(d.loc["math", "all_pass_rate"])
    sch = analysis.summaries["school"]
    school_of = (st[st.subject_code != "total"].drop_duplicates("student_id")
                 .set_index("student_id")["school_code"].astype(str))
    took_any = passed[took.any(axis=1)]
    by_hand = took_any.groupby(school_of.reindex(took_any.index).to_numpy()).mean()
    got = sch[sch.subject_code == "total"].set_index("school_code")["all_pass_rate"]
    assert len(by_hand) >= 2
    for school, rate in by_hand.items():
        assert got[school] == pytest.approx(rate)
    row = sch[(sch.subject_code == "math") & (sch.school_code == "S1")].iloc[0]
    assert row.group_t == pytest.approx(50 + 10 * (row["mean"] - d.loc["math", "mean"])
                                        / d.loc["math", "sd"])
    ch = st[(st.subject_code == "chinese") & st.score.notna()]
    z = (ch.score - ch.score.mean()) / ch.score.std()
    assert (ch.stanine == np.clip(np.floor(2 * z + 5.5), 1, 9)).all()
