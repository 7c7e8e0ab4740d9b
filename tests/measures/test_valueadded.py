"""Value-added estimators against R lme4, statsmodels OLS and hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.valueadded import (
    ValueAddedInputError,
    check_against_truth,
    compare_estimators,
    fit_random_intercept,
    multilevel_value_added,
    residual_value_added,
    sgp_value_added,
    stability,
)
from tests.rscript import needs_r, run_r


def _district(seed: int, J: int = 60, tau: float = 4.0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = rng.integers(5, 120, J)
    unit = np.repeat(np.arange(J), n)
    N = unit.size
    u = rng.normal(0, tau, J)
    x = rng.normal(70, 12, N)
    c = rng.integers(0, 2, N)
    y = 10 + 0.8 * x + 2 * c + u[unit] + rng.normal(0, 8, N)
    return pd.DataFrame({"y": y, "x": x, "c": c, "g": [f"U{j:03d}" for j in unit]}), u



R_LMER = """
suppressMessages(library(lme4))
d <- read.csv(file.path(DIR, "d.csv")); d$g <- factor(d$g)
m <- lmer(y ~ x + c + (1 | g), data = d, REML = {reml},
          control = lmerControl(optimizer = "bobyqa",
                                optCtrl = list(rhobeg = 2e-4, rhoend = 2e-11)))
vc <- as.data.frame(VarCorr(m))
cat(sprintf("%.12g", c(fixef(m), sqrt(diag(as.matrix(vcov(m)))), vc$vcov,
                       if ({reml}) REMLcrit(m) else deviance(m))), "\\n")
re <- ranef(m, condVar = TRUE)$g
write.csv(data.frame(g = rownames(re), u = re[, 1], se = sqrt(attr(re, "postVar")[1, 1, ])),
          file.path(DIR, "re.csv"), row.names = FALSE)
"""


@pytest.mark.slow
@needs_r
@pytest.mark.r
@pytest.mark.parametrize("method", ["REML", "ML"])
def test_random_intercept_equals_lme4(tmp_path, method):
    d, _ = _district(1)
    out = run_r(R_LMER.replace("{reml}", str(method == "REML").upper()), tmp_path, {"d": d})
    v = np.array([float(s) for s in out.split()])
    fixef, se, (tau2, sigma2), crit = v[:3], v[3:6], v[6:8], v[8]
    X = np.c_[np.ones(len(d)), d.x, d.c]
    fit = fit_random_intercept(d.y, X, d.g, method=method)
    np.testing.assert_allclose(fit.beta, fixef, rtol=1e-6)
    np.testing.assert_allclose(fit.beta_se, se, rtol=1e-5)
    assert fit.tau2 == pytest.approx(tau2, rel=1e-5)
    assert fit.sigma2 == pytest.approx(sigma2, rel=1e-6)
    assert fit.criterion == pytest.approx(crit, abs=1e-6)
    re = pd.read_csv(tmp_path / "re.csv").set_index("g").loc[fit.units]
    np.testing.assert_allclose(fit.ranef, re["u"], atol=1e-5)
    np.testing.assert_allclose(fit.cond_se, re["se"], rtol=1e-5)


def test_shrinkage_by_hand():
    d, _ = _district(2)
    X = np.c_[np.ones(len(d)), d.x, d.c]
    fit = fit_random_intercept(d.y, X, d.g)
    resid = d.y - X @ fit.beta
    rbar = resid.groupby(d.g).mean().loc[fit.units].to_numpy()
    n = d.g.value_counts().loc[fit.units].to_numpy()
    lam = fit.tau2 / (fit.tau2 + fit.sigma2 / n)
    np.testing.assert_allclose(fit.shrinkage, lam)
    np.testing.assert_allclose(fit.ranef, lam * rbar)
    np.testing.assert_allclose(fit.cond_se, np.sqrt(fit.tau2 * (1 - lam)))
    # the glossary's worked numbers: τ² = 4, σ² = 36, n = 9 → λ = 0.5
    assert 4 / (4 + 36 / 9) == 0.5


def test_residual_value_added_matches_ols_and_the_exact_se():
    d, _ = _district(3, J=8)
    ols = sm.OLS(d.y, sm.add_constant(d[["x", "c"]])).fit()
    res = residual_value_added(d.y, d.x, d.g, covariates=d.c, min_n=1)
    expected = ols.resid.groupby(d.g).mean()
    np.testing.assert_allclose(res["estimate"], expected.loc[res.index])
    # exact Var(mean residual) = σ² a'(I − H)a, with the explicit hat matrix
    X = sm.add_constant(d[["x", "c"]]).to_numpy()
    H = X @ np.linalg.solve(X.T @ X, X.T)
    M = np.eye(len(d)) - H
    for g in res.index[:3]:
        a = (d.g == g).to_numpy(float) / (d.g == g).sum()
        assert res.loc[g, "se"] == pytest.approx(np.sqrt(ols.scale * a @ M @ a))
    assert ((res["z"].abs() >= 2) == res["band"].isin(["above", "below"])).all()


def test_min_n_and_bad_input():
    d, _ = _district(4, J=20)
    res = multilevel_value_added(d.y, d.x, d.g, min_n=50)
    small = res["n"] < 50
    assert res.loc[small, "estimate"].isna().all()
    assert (res.loc[small, "band"] == "insufficient").all()
    assert res.loc[~small, "estimate"].notna().all()
    y = d.y.to_numpy().copy()
    y[3] = np.nan
    with pytest.raises(ValueAddedInputError):
        residual_value_added(y, d.x, d.g)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), tau=st.floats(0.0, 6.0))
def test_shrunken_estimates_never_exceed_raw_means(seed, tau):
    d, _ = _district(seed, J=15, tau=tau)
    res = multilevel_value_added(d.y, d.x, d.g, min_n=1)
    assert (res["estimate"].abs() <= res["rbar"].abs() + 1e-12).all()
    assert ((res["shrinkage"] >= 0) & (res["shrinkage"] <= 1)).all()


def test_sgp_value_added_by_hand():
    sgp = [10, 20, 30, 40, 90, np.nan, 60, 70, 80]
    unit = ["a"] * 6 + ["b"] * 3
    res = sgp_value_added(sgp, unit, min_n=3)
    a = np.array([10, 20, 30, 40, 90.0])
    assert res.loc["a", "n"] == 5 and res.loc["a", "mean_sgp"] == 38
    assert res.loc["a", "median_sgp"] == 30
    se = a.std(ddof=1) / np.sqrt(5)
    assert res.loc["a", "se_mean"] == pytest.approx(se)
    assert res.loc["a", "se_median"] == pytest.approx(1.2533141373155 * se)
    # b: mean 70, SE = 10/√3 → z = 3.46 ≥ 2
    assert res.loc["b", "band_mean"] == "above"


def test_compare_estimators_long_frame():
    d, _ = _district(5, J=10)
    sgp = np.random.default_rng(5).integers(1, 100, len(d))
    out = compare_estimators(d.y, d.x, d.g, sgp=sgp, min_n=1)
    assert set(out["estimator"]) == {"residual", "multilevel", "mean_sgp", "median_sgp"}
    assert len(out) == 40
    assert (out["ci_low"] <= out["estimate"]).all() and (out["estimate"] <= out["ci_high"]).all()


def test_stability_and_truth_check():
    units = [f"U{i}" for i in range(6)]
    est = pd.DataFrame({
        "unit": units * 2, "year": [2023] * 6 + [2024] * 6,
        "estimate": [1, 2, 3, 4, 5, 6, 2, 4, 6, 8, 10, 13],
    })
    s = stability(est)
    assert s.loc[0, "n_units"] == 6 and s.loc[0, "spearman"] == pytest.approx(1.0)
    assert s.loc[0, "pearson"] == pytest.approx(np.corrcoef([1, 2, 3, 4, 5, 6],
                                                            [2, 4, 6, 8, 10, 13])[0, 1])
    frame = pd.DataFrame({"estimate": [-1.0, 0.0, 1.0], "ci_low": [-1.5, -0.1, 0.0],
                          "ci_high": [-0.5, 0.1, 0.5]}, index=["a", "b", "c"])
    truth = {"a": 9.0, "b": 10.0, "c": 11.0}  # centred: −1, 0, 1
    r = check_against_truth(frame, truth)
    assert r["pearson"] == pytest.approx(1.0) and r["bias"] == pytest.approx(0.0)
    assert r["coverage"] == pytest.approx(2 / 3)


def test_estimates_recover_simulated_effects():
    d, u = _district(6, J=80, tau=5.0)
    truth = pd.Series(u, index=[f"U{j:03d}" for j in range(80)])
    res = multilevel_value_added(d.y, d.x, d.g, covariates=d.c, min_n=5)
    r = check_against_truth(res, truth)
    assert r["pearson"] > 0.8 and 0.85 <= r["coverage"] <= 1.0


def test_boundary_fit_says_no_detectable_difference():
    """Every unit's students have the same residuals (a permutation of one set): the units'
    mean residuals are equal, the REML fit lands on τ² = 0 and every unit's estimate is 0 with
    SE 0 — banded 'no_difference', not 'expected'; a fit with τ² > 0 keeps its bands."""
    rng = np.random.default_rng(3)
    e = rng.normal(0, 8, 30)
    units = [f"U{j}" for j in range(6)]
    x = rng.normal(70, 12, 30 * len(units))
    y = 10 + 0.8 * x + np.concatenate([rng.permutation(e) for _ in units])
    g = np.repeat(units, 30)
    fit = fit_random_intercept(y, np.column_stack([np.ones_like(x), x]),
                               np.repeat(np.arange(6), 30))
    assert fit.tau2 == pytest.approx(0.0, abs=1e-9)
    out = multilevel_value_added(y, x, g, min_n=10)
    assert (out["band"] == "no_difference").all()
    assert np.allclose(out["estimate"], 0.0, atol=1e-6) and np.allclose(out["se"], 0, atol=1e-6)
    few = multilevel_value_added(y, x, g, min_n=31)          # too few: still 'insufficient'
    assert (few["band"] == "insufficient").all()
    d, _ = _district(5, J=10)
    assert "no_difference" not in set(multilevel_value_added(d.y, d.x, d.g, min_n=1)["band"])
