"""Value-added use case: the store's linked scores through the measures, checked against a
direct computation and against known school effects."""

from __future__ import annotations

import numpy as np
import pytest

from eduquality.analysis.value_added import value_added
from eduquality.config import Settings
from eduquality.errors import EduQualityError
from tests.factories import add_prior_year, tiny_exam_db


@pytest.fixture(scope="module")
def va():
    db = tiny_exam_db(n_per_class=60)
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
