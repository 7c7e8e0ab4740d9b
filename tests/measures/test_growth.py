"""SGP, quantile regression and B-splines against R (quantreg, splines), plus properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.growth import (
    GrowthInputError,
    SGPModel,
    SplineSpec,
    bspline_basis,
    rq_fit,
    student_growth_percentiles,
)
from tests.rscript import needs_r, run_r

R_SPLINE = """
suppressMessages({library(quantreg); library(splines)})
d <- read.csv(file.path(DIR, "d.csv"))
kn <- function(x) quantile(x, c(.2, .4, .6, .8))
bd <- function(x) {r <- range(x); r + c(-.1, .1) * diff(r)}
"""


def _cohort(n: int, seed: int, integer: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p1 = rng.normal(500, 80, n)
    p2 = 0.7 * p1 + rng.normal(150, 50, n)
    y = 0.5 * p1 + 0.4 * p2 + rng.normal(50, 40, n) + 0.0004 * (p1 - 500) ** 2
    d = pd.DataFrame({"y": y, "p1": p1, "p2": p2})
    return d.round(0) if integer else d


@pytest.mark.slow
@needs_r
@pytest.mark.r
def test_bspline_basis_equals_r_bs(tmp_path):
    rng = np.random.default_rng(0)
    x = np.r_[rng.gamma(3, 20, 300), 0.0]
    d = pd.DataFrame({"x": x})
    out = run_r(R_SPLINE.replace('"d.csv"', '"d.csv"') + """
b <- bs(d$x, knots = kn(d$x), Boundary.knots = bd(d$x))
write.csv(as.data.frame(unclass(b)[, 1:7]), file.path(DIR, "b.csv"), row.names = FALSE)
cat(sprintf("%.15g", c(kn(d$x), bd(d$x))))
""", tmp_path, {"d": d})
    spec = SplineSpec.from_prior(x)
    expected = [float(v) for v in out.split()]
    np.testing.assert_allclose([*spec.knots, *spec.boundary], expected, rtol=1e-12)
    r_basis = pd.read_csv(tmp_path / "b.csv").to_numpy()
    np.testing.assert_allclose(spec.basis(x), r_basis, atol=1e-12)


@pytest.mark.parametrize("integer", [False, True])
def test_bspline_basis_is_scipys_design_matrix_to_the_bit(integer):
    """The numpy Cox–de Boor recursion gives the numbers of ``scipy.interpolate.BSpline.
    design_matrix`` exactly (the same operations), with ties at the knots (integer scores),
    the boundary values themselves and values clamped from outside."""
    from scipy.interpolate import BSpline

    rng = np.random.default_rng(3)
    prior = rng.gamma(3, 20, 2000)
    prior = prior.round() if integer else prior
    spec = SplineSpec.from_prior(prior)
    lo, hi = spec.boundary
    x = np.r_[prior, lo, hi, lo - 50, hi + 50, *spec.knots]
    t = np.r_[[lo] * 4, spec.knots, [hi] * 4]
    want = BSpline.design_matrix(np.clip(x, lo, hi), t, 3).toarray()[:, 1:]
    assert np.array_equal(spec.basis(x), want)


def test_basis_rows_sum_to_one_with_the_dropped_column():
    x = np.linspace(-3, 13, 50)
    b = bspline_basis(x, [2, 4, 6, 8], (-3.0, 13.0))
    assert b.shape == (50, 7)
    assert np.all(b >= -1e-15) and np.all(b.sum(axis=1) <= 1 + 1e-12)


@pytest.mark.slow
@needs_r
@pytest.mark.r
def test_rq_coefficients_equal_quantreg_br_with_and_without_preprocessing(tmp_path):
    # continuous scores: the LP optimum is unique, so coefficients must agree
    d = _cohort(7000, 1, integer=False)
    taus = [0.1, 0.5, 0.9]
    out = run_r(R_SPLINE + """
f <- rq(y ~ bs(p1, knots = kn(d$p1), Boundary.knots = bd(d$p1)), tau = c(.1, .5, .9),
        data = d, method = "br")
cat(sprintf("%.12g", coef(f)))
""", tmp_path, {"d": d})
    expected = np.array([float(v) for v in out.split()]).reshape(3, -1).T
    X = SGPModel().fit(d.y, d[["p1"]]).design(d[["p1"]])
    full = rq_fit(X, d.y, taus, preprocess_above=10**9)
    pre = rq_fit(X, d.y, taus, preprocess_above=1000)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(full, expected, atol=1e-7 * scale)
    np.testing.assert_allclose(pre, expected, atol=1e-7 * scale)


@pytest.mark.slow
@needs_r
@pytest.mark.r
def test_sgp_agrees_with_quantreg_br_on_integer_scores(tmp_path):
    d = _cohort(1200, 2)
    run_r(R_SPLINE + """
taus <- (1:100 - 0.5) / 100
sgp_of <- function(f, y) {
  q <- t(apply(predict(f), 1, sort))
  pmin(pmax(rowSums(q < matrix(y, length(y), 100) - 1e-9 * (1 + abs(y))), 1), 99)
}
f2 <- rq(y ~ bs(p1, knots = kn(d$p1), Boundary.knots = bd(d$p1)) +
             bs(p2, knots = kn(d$p2), Boundary.knots = bd(d$p2)), tau = taus, data = d)
f1 <- rq(y ~ bs(p1, knots = kn(d$p1), Boundary.knots = bd(d$p1)), tau = taus, data = d)
write.csv(data.frame(sgp2 = sgp_of(f2, d$y), sgp1 = sgp_of(f1, d$y)),
          file.path(DIR, "sgp.csv"), row.names = FALSE)
write.csv(predict(f2), file.path(DIR, "pred.csv"), row.names = FALSE)
""", tmp_path, {"d": d})
    r = pd.read_csv(tmp_path / "sgp.csv")
    m2 = SGPModel().fit(d.y, d[["p1", "p2"]])
    ours2 = m2.percentiles(d.y, d[["p1", "p2"]])
    ours1 = SGPModel().fit(d.y, d[["p1"]]).percentiles(d.y, d[["p1"]])
    for ours, theirs in ((ours2, r.sgp2), (ours1, r.sgp1)):
        diff = np.abs(ours - theirs.to_numpy())
        assert diff.max() <= 1
        assert np.mean(diff == 0) >= 0.99
    # the fitted quantile surfaces agree closely (ties make the LP optimum non-unique)
    r_pred = pd.read_csv(tmp_path / "pred.csv").to_numpy()
    ours_pred = m2.design(d[["p1", "p2"]]) @ m2.coef_
    assert np.median(np.abs(ours_pred - r_pred)) < 1e-6


@pytest.mark.slow
def test_patterns_use_the_most_priors_and_say_so():
    d = _cohort(900, 3)
    d.loc[:99, "p2"] = np.nan           # 100 students with only the recent prior
    d.loc[100:109, ["p1", "p2"]] = np.nan  # 10 without any prior
    d.loc[110:119, "p1"] = np.nan       # 10 with only the older prior
    d.loc[120, "y"] = np.nan            # no current score
    res = student_growth_percentiles(d.y, d[["p1", "p2"]], min_n=100)
    used = res["priors_used"].to_numpy()
    assert (used[:100] == 1).all() and (used[100:110] == 0).all()
    assert (used[110:120] == 1).all() and used[120] == 0 and (used[121:] == 2).all()
    assert res["sgp"].isna().sum() == 11
    # the 1-prior model is fitted on everyone who has p1 (and a current score)
    has = d.p1.notna() & d.y.notna()
    direct = SGPModel().fit(d.y[has], d.loc[has, ["p1"]])
    np.testing.assert_array_equal(res["sgp"][:100].to_numpy(dtype=int),
                                  direct.percentiles(d.y[:100], d.loc[:99, ["p1"]]))


def test_too_small_models_are_skipped_and_constant_priors_rejected():
    d = _cohort(150, 4)
    res = student_growth_percentiles(d.y, d[["p1", "p2"]], min_n=200)
    assert res["sgp"].isna().all() and (res["priors_used"] == 0).all()
    with pytest.raises(GrowthInputError):
        SGPModel().fit(d.y, np.c_[np.full(150, 3.0)])


_MODEL_DATA = _cohort(800, 5)
_MODEL = SGPModel().fit(_MODEL_DATA.y, _MODEL_DATA[["p1", "p2"]])


@settings(max_examples=60, deadline=None)
@given(p1=st.floats(200, 800), p2=st.floats(200, 800),
       y=st.floats(0, 1000), bump=st.floats(0, 300))
@pytest.mark.slow
def test_sgp_in_range_and_monotone_in_current(p1, p2, y, bump):
    pri = np.array([[p1, p2], [p1, p2]])
    s = _MODEL.percentiles([y, y + bump], pri)
    assert s.min() >= 1 and s.max() <= 99
    assert s[1] >= s[0]


def test_sgp_spread_is_near_uniform_in_sample():
    s = _MODEL.percentiles(_MODEL_DATA.y, _MODEL_DATA[["p1", "p2"]])
    counts = np.bincount(s // 10, minlength=10)[:10]
    assert abs(np.mean(s) - 50) < 3 and counts.min() > 40


def test_rq_median_of_intercept_model_is_the_sample_median():
    y = np.random.default_rng(6).normal(size=301)
    b = rq_fit(np.ones((301, 1)), y, [0.5])
    assert np.allclose(b.ravel(), np.median(y))
