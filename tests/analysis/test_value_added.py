"""Value-added use case: the store's linked scores through the measures, checked against a
direct computation and against known school effects; across the change to 3+1+2 on a
hand-built cohort and on the simulated district."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.demo import import_manifest
from eduquality.analysis.value_added import value_added
from eduquality.config import Settings
from eduquality.errors import EduQualityError
from eduquality.measures.gaokao_scaling import scale_scores
from eduquality.measures.scaling_rules import rule_for
from eduquality.simulate import simulate_district
from eduquality.store import open_database
from tests.factories import REGIME_SUBJECTS, add_prior_year, regime_change_db, tiny_exam_db


@pytest.fixture(scope="module")
def va(module_db_location):
    """The value-added of 语文 on the tiny district with a prior year, on each store."""
    db = tiny_exam_db(n_per_class=60, location=module_db_location)
    add_prior_year(db)
    return db, value_added(db, "E1", "chinese", Settings())


@pytest.mark.slow
def test_residual_estimates_match_plain_ols(va):
    _, result = va
    st = result.students.dropna(subset=["prior_1"])
    X = np.c_[np.ones(len(st)), st.prior_1]
    beta, *_ = np.linalg.lstsq(X, st.current, rcond=None)
    resid = st.current - X @ beta
    want = resid.groupby(st.school_code.to_numpy()).mean()
    got = result.estimates.query("level == 'school' and estimator == 'residual'").set_index("unit")
    np.testing.assert_allclose(got.loc[want.index, "estimate"], want, atol=1e-9)


@pytest.mark.slow
def test_every_estimator_at_school_and_class_level(va):
    _, result = va
    est = result.estimates
    assert set(est.estimator) == {"residual", "multilevel", "mean_sgp", "median_sgp"}
    assert set(est.level) == {"school", "class"}  # no teaching assignments in the factory
    assert (est.n >= Settings().min_unit_n).all()
    assert est.band.isin(["above", "expected", "below"]).all()
    sgp = result.students.sgp.dropna()
    assert sgp.between(1, 99).all()


@pytest.mark.slow
def test_multilevel_shrinks_toward_zero(va):
    _, result = va
    est = result.estimates.query("level == 'class'").pivot(index="unit", columns="estimator",
                                                            values="estimate")
    assert (est.multilevel.abs() <= est.residual.abs() + 0.5).all()


@pytest.mark.slow
def test_recovers_a_planted_school_effect():
    # School S3 gets +8 points on top of the prior relation; the others none.
    db = tiny_exam_db(n_per_class=60, seed=5)
    add_prior_year(db, seed=6)
    with db.write() as con:
        con.execute("""UPDATE subject_result SET score = least(score + 8, 100)
                       WHERE paper_id = 'E1/chinese' AND status = 'present' AND student_id IN
                       (SELECT student_id FROM exam_registration WHERE exam_id = 'E1'
                        AND school_code = 'S3')""")
    result = value_added(db, "E1", "chinese", Settings())
    ml = result.estimates.query("level == 'school' and estimator == 'multilevel'").set_index("unit")
    assert ml.loc["S3", "estimate"] == ml.estimate.max()
    assert ml.loc["S3", "estimate"] > 0


@pytest.mark.slow
def test_no_prior_is_explained():
    db = tiny_exam_db()
    with pytest.raises(EduQualityError, match="前测"):
        value_added(db, "E1", "chinese", Settings())


# ------------------------------------------------------------------------------------------
# across the change to 3+1+2: 高一 (every subject, no track) → 高三 (物理类/历史类, 再选)

ELECTIVES = ["chemistry", "biology", "politics", "geography"]


@pytest.fixture(scope="module")
def regime():
    db = regime_change_db()
    return db, {s: value_added(db, "G12-D1", s, Settings(), priors=["G10-FIN"])
                for s in ("total", "chemistry", "biology")}


def _raw(db, exam_id):
    """The exam's scores read with plain SQL, one column per subject (NaN: absent/not sat)."""
    long = db.sql("""SELECT r.student_id, p.subject_code, r.score FROM subject_result r
                     JOIN paper p USING (paper_id) WHERE p.exam_id = ?""", [exam_id])
    return long.pivot(index="student_id", columns="subject_code", values="score")


def _schools(db):
    return db.sql("SELECT student_id, school_code FROM exam_registration "
                  "WHERE exam_id = 'G12-D1'").set_index("student_id")["school_code"]


def _ols_school_means(y, x, school):
    """Mean OLS residual (y on 1, x) of each school, by numpy lstsq."""
    X = np.c_[np.ones(len(x)), np.asarray(x, dtype=float)]
    beta, *_ = np.linalg.lstsq(X, np.asarray(y, dtype=float), rcond=None)
    resid = np.asarray(y, dtype=float) - X @ beta
    return pd.Series(resid).groupby(np.asarray(school)).mean()


def _school_rows(va, estimator, track):
    est = va.estimates
    rows = est[(est.level == "school") & (est.estimator == estimator)]
    rows = rows[rows.track.isna()] if track is None else rows[rows.track == track]
    return rows.set_index("unit")


@pytest.mark.slow
def test_a_zaixuan_subject_counts_only_the_students_who_chose_it(regime):
    db, va = regime
    g10, g12, school = _raw(db, "G10-FIN"), _raw(db, "G12-D1"), _schools(db)
    for subject in ("chemistry", "biology"):
        takers = g12.index[g12[subject].notna()]
        assert len(takers) < g10[subject].notna().sum()  # everyone sat it in 高一
        st = va[subject].students
        assert sorted(st.student_id) == sorted(takers)
        want = _ols_school_means(g12.loc[takers, subject], g10.loc[takers, subject],
                                 school.loc[takers])
        got = _school_rows(va[subject], "residual", None)  # one paper for both tracks
        np.testing.assert_allclose(got.loc[want.index, "estimate"], want, atol=1e-9)
        assert got["n"].sum() == len(takers)
    # 化学 here only by 物理类, 生物 by both: the students' tracks are shown, the paper is one
    assert set(va["chemistry"].students.track) == {"physics"}
    assert set(va["biology"].students.track) == {"physics", "history"}
    assert va["biology"].estimates.track.isna().all()


def _expected_totals(db):
    """The 3+1+2 total of each 高三 student by hand (语数外 + 首选 raw, the two 再选 赋分 over
    the exam's takers of each, Yunnan's 2025 rule) and the track; NaN when a paper is absent."""
    g12 = _raw(db, "G12-D1")
    rule = rule_for("云南省", 2025)
    assert rule is not None
    scaled = g12[ELECTIVES].copy()
    for s in ELECTIVES:
        sat = g12[s].dropna()
        scaled.loc[sat.index, s] = scale_scores(sat, rule.scheme)["scaled"].to_numpy()
    core = g12[["chinese", "math", "english"]].sum(axis=1, min_count=3)
    first = g12["physics"].fillna(g12["history"])
    total = core + first + scaled.sum(axis=1, min_count=2)
    track = np.where(g12["physics"].notna(), "physics", "history")
    return pd.DataFrame({"total": total, "track": track}, index=g12.index)


@pytest.mark.slow
def test_b_the_total_is_modelled_within_each_track(regime):
    db, va = regime
    want = _expected_totals(db)
    prior = _raw(db, "G10-FIN")[list(REGIME_SUBJECTS)].sum(axis=1)  # all nine subjects
    school = _schools(db)
    st = va["total"].students.set_index("student_id")
    assert sorted(st.index) == sorted(want.index[want.total.notna()])
    np.testing.assert_allclose(st.current, want.total.loc[st.index])
    np.testing.assert_allclose(st.prior_1, prior.loc[st.index])
    assert (st.track == want.track.loc[st.index]).all()
    assert (st.current <= 750).all()
    assert set(va["total"].estimates.track) == {"physics", "history"}
    within = pd.Series(0.0, index=st.index)
    for track, g in st.groupby("track"):
        expect = _ols_school_means(g.current, g.prior_1, school.loc[g.index])
        got = _school_rows(va["total"], "residual", track)
        np.testing.assert_allclose(got.loc[expect.index, "estimate"], expect, atol=1e-9)
        assert (got["n"].groupby(level=0).sum() == g.groupby("school_code").size()).all()
        X = np.c_[np.ones(len(g)), g.prior_1]
        within.loc[g.index] = g.current - X @ np.linalg.lstsq(X, g.current, rcond=None)[0]
    # pooling both tracks' totals would be wrong here: 物理类 score higher at the same prior,
    # and S1 is 3/4 物理类, S2 1/4 — the pooled model credits S1 and debits S2
    pooled = _ols_school_means(st.current, st.prior_1, school.loc[st.index])
    own = within.groupby(school.loc[st.index].to_numpy()).mean()
    assert pooled["S1"] > own["S1"] + 8 and pooled["S2"] < own["S2"] - 8


@pytest.mark.slow
def test_a_track_option_keeps_that_tracks_students(regime):
    db, _ = regime
    va = value_added(db, "G12-D1", "math", Settings(), priors=["G10-FIN"], track="history")
    g12 = _raw(db, "G12-D1")
    history = g12.index[g12["history"].notna() & g12["math"].notna()]
    assert sorted(va.students.student_id) == sorted(history)
    assert set(va.students.track) == {"history"}


@pytest.mark.slow
def test_no_prior_with_the_subject_is_a_located_message(regime):
    db, _ = regime
    with pytest.raises(EduQualityError, match="前测考试 G10-MID 都没有「化学」"):
        value_added(db, "G12-D1", "chemistry", Settings(), priors=["G10-MID"])
    en = db.cursor()
    en.lang = "en"
    with pytest.raises(EduQualityError, match="none of the prior exams G10-MID has Chemistry"):
        value_added(en, "G12-D1", "chemistry", Settings(), priors=["G10-MID"])
    with pytest.raises(EduQualityError, match="「化学」（历史类）只有 0 名学生"):
        value_added(db, "G12-D1", "chemistry", Settings(), priors=["G10-FIN"], track="history")


@pytest.mark.slow
def test_the_simulated_2026_mock_against_its_cohorts_first_year(tmp_path):
    """The demo simulator's 2026 高三 一诊 (3+1+2, by 物理类/历史类) of a small district against
    the same cohort's 高一 期末 (2023-2024, every subject): the files of the two exams and
    their years' rosters imported as a user would (the whole district takes minutes)."""
    m = simulate_district(tmp_path / "sim", students=800, seed=3, profile="demo")
    exams, years = {"2024-G10-FIN2", "2026-G12-D1"}, {"2023-2024", "2025-2026"}
    files = [e for e in m.files
             if (e.kind == "roster" and (e.year is None or e.year in years)
                 and "异动" not in e.path) or (e.kind in ("paper", "scores")
                                              and e.exam_id in exams)]
    db = open_database(":memory:")
    import_manifest(db, replace(m, files=files), lambda *a, **k: None)
    g12 = _raw(db, "2026-G12-D1")
    total = value_added(db, "2026-G12-D1", "total", Settings(), priors=["2024-G10-FIN2"])
    assert set(total.estimates.track) == {"physics", "history"}
    st = total.students
    assert (st.track == np.where(g12.loc[st.student_id, "physics"].notna(), "physics",
                                 "history")).all()
    assert st.current.max() <= 750
    g10 = _raw(db, "2024-G10-FIN2")  # the 高一 total: over all nine subjects, every one sat
    sat_all = g10.index[g10.notna().all(axis=1) & (g10.shape[1] == len(REGIME_SUBJECTS))]
    linked = st.dropna(subset=["prior_1"]).set_index("student_id")
    assert sorted(linked.index) == sorted(set(sat_all) & set(st.student_id))
    np.testing.assert_allclose(linked.prior_1, g10.loc[linked.index].sum(axis=1))
    chem = value_added(db, "2026-G12-D1", "chemistry", Settings(), priors=["2024-G10-FIN2"])
    assert sorted(chem.students.student_id) == sorted(g12.index[g12.chemistry.notna()])
    assert len(chem.students) < len(g12)


def test_a_mock_with_no_earlier_mock_is_measured_against_the_cohorts_finals():
    """A 高三 一诊 has no earlier 一诊 of its cohort: its priors are the cohort's 期末 exams (the
    高一 期末 here; not the 期中, another type), so the web page and the assessment find them
    without ``--prior``; a type asked for is never replaced."""
    from eduquality.analysis.cohort import cohort_exams

    db = regime_change_db()
    assert cohort_exams(db, "G12-D1") == ["G10-FIN"]
    assert cohort_exams(db, "G12-D1", exam_type="diag1") == []
    assert cohort_exams(db, "G10-FIN") == []
    va = value_added(db, "G12-D1", "chemistry", Settings())
    by_hand = value_added(db, "G12-D1", "chemistry", Settings(), priors=["G10-FIN"])
    pd.testing.assert_frame_equal(va.estimates, by_hand.estimates)
