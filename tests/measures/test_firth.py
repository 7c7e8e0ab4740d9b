"""Firth's penalised logistic regression: closed forms (2 × 2 tables, no covariate), an
independent optimiser, and its large-sample agreement with maximum likelihood.

R's ``logistf`` is not installed here; the closed form of the 2 × 2 table (Firth's estimate is
the ML estimate of the table with ½ added to every cell) is the independent value."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from scipy.special import expit, logit

from eduquality.measures.firth import logistic_fit, penalised_loglik


def _table(k0: int, n0: int, k1: int, n1: int) -> tuple[np.ndarray, np.ndarray]:
    """The design (intercept, group) and outcomes of a 2 × 2 table: kᵍ of nᵍ reached it."""
    g = np.r_[np.zeros(n0), np.ones(n1)]
    y = np.r_[np.ones(k0), np.zeros(n0 - k0), np.ones(k1), np.zeros(n1 - k1)]
    return np.c_[np.ones(g.size), g], y


@pytest.mark.parametrize(("k0", "n0", "k1", "n1"), [
    (0, 5, 5, 5),    # complete separation: ML diverges
    (0, 12, 7, 9),   # quasi-complete separation: one empty cell
    (3, 10, 7, 9),   # no separation
    (40, 40, 2, 30),  # a group that all reached it
])
def test_two_by_two_table_is_ml_with_half_added_to_each_cell(k0, n0, k1, n1):
    X, y = _table(k0, n0, k1, n1)
    fit = logistic_fit(X, y)
    p0, p1 = (k0 + 0.5) / (n0 + 1), (k1 + 0.5) / (n1 + 1)
    assert fit.converged
    np.testing.assert_allclose(fit.coef, [logit(p0), logit(p1) - logit(p0)], atol=1e-9)
    # the covariance I(β̂)⁻¹ at those probabilities: 1/(n₀p₀q₀) and 1/(n₀p₀q₀) + 1/(n₁p₁q₁)
    v0, v1 = 1 / (n0 * p0 * (1 - p0)), 1 / (n1 * p1 * (1 - p1))
    np.testing.assert_allclose(fit.cov, [[v0, -v0], [-v0, v0 + v1]], rtol=1e-8)


def test_complete_separation_by_hand():
    # 0 of 5 and 5 of 5: p̂ = 1/12 and 11/12, so β̂₀ = −log 11 and β̂₁ = 2 log 11
    X, y = _table(0, 5, 5, 5)
    np.testing.assert_allclose(logistic_fit(X, y).coef, [-np.log(11), 2 * np.log(11)],
                               atol=1e-9)
    assert not logistic_fit(X, y, firth=False).converged


def test_without_covariate_the_jeffreys_posterior_mean():
    for k, n in ((0, 7), (7, 7), (3, 7)):
        fit = logistic_fit(np.ones((n, 1)), np.r_[np.ones(k), np.zeros(n - k)])
        assert expit(fit.coef[0]) == pytest.approx((k + 0.5) / (n + 1), abs=1e-10)


def test_ml_equals_statsmodels():
    rng = np.random.default_rng(1)
    X = np.c_[np.ones(500), rng.normal(size=(500, 2))]
    y = (rng.uniform(size=500) < expit(X @ [0.3, 1.0, -0.5])).astype(float)
    fit = logistic_fit(X, y, firth=False)
    ref = sm.Logit(y, X).fit(disp=0)
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-8)
    np.testing.assert_allclose(fit.cov, ref.cov_params(), rtol=1e-6)
    assert fit.loglik == pytest.approx(ref.llf, rel=1e-10)


def _quasi_separated(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nearly everyone reaches the line (a 专科批): only a few weak students miss it."""
    x = rng.normal(size=n)
    y = (rng.uniform(size=n) < expit(5.0 + 2.5 * x)).astype(float)
    return np.c_[np.ones(n), x], y


def _minus_lstar(b: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    return -penalised_loglik(X, y, b)


def test_firth_maximises_the_penalised_likelihood():
    """Against a general-purpose optimiser (Nelder–Mead on −l*, then BFGS) on data with two
    covariates and on nearly separated data, and the modified score U* vanishes there."""
    rng = np.random.default_rng(2)
    X2 = np.c_[np.ones(60), rng.normal(size=(60, 2))]
    y2 = (rng.uniform(size=60) < expit(X2 @ [-0.5, 1.5, 0.8])).astype(float)
    for X, y in ((X2, y2), _quasi_separated(rng, 200)):
        fit = logistic_fit(X, y)
        start = optimize.minimize(_minus_lstar, np.zeros(X.shape[1]), args=(X, y),
                                  method="Nelder-Mead",
                                  options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 20000})
        ref = optimize.minimize(_minus_lstar, start.x, args=(X, y), method="BFGS",
                                options={"gtol": 1e-9})
        np.testing.assert_allclose(fit.coef, ref.x, atol=1e-4)
        assert fit.loglik >= -ref.fun - 1e-9
        p = expit(X @ fit.coef)
        w = p * (1 - p)
        h = w * np.einsum("ij,jk,ik->i", X, np.linalg.inv((X * w[:, None]).T @ X), X)
        np.testing.assert_allclose(X.T @ (y - p + h * (0.5 - p)), 0, atol=1e-8)


def test_separated_data_give_finite_estimates():
    rng = np.random.default_rng(3)
    x = rng.normal(size=100)
    X, y = np.c_[np.ones(100), x], (x > 0.3).astype(float)  # complete separation
    assert not logistic_fit(X, y, firth=False).converged
    fit = logistic_fit(X, y)
    assert fit.converged and np.all(np.isfinite(fit.coef)) and np.abs(fit.coef).max() < 50
    assert np.all(np.isfinite(fit.cov)) and np.all(np.diag(fit.cov) > 0)
    # everyone reached the line: finite too, the fitted share near (n + ½)/(n + 1)
    ones = logistic_fit(X, np.ones(100))
    assert ones.converged and 0.99 < expit(X @ ones.coef).mean() < 1


def test_firth_is_equivariant_under_rescaling():
    """Jeffreys' prior is invariant: fitting on 500 + 80·x gives the same probabilities."""
    rng = np.random.default_rng(4)
    X, y = _quasi_separated(rng, 150)
    a = logistic_fit(X, y)
    b = logistic_fit(np.c_[X[:, 0], 500 + 80 * X[:, 1]], y)
    np.testing.assert_allclose(expit(X @ a.coef),
                               expit(np.c_[X[:, 0], 500 + 80 * X[:, 1]] @ b.coef), atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), b0=st.floats(-1.5, 1.5), b1=st.floats(-1.5, 1.5))
def test_firth_approaches_ml_for_large_samples(seed, b0, b1):
    """Without separation the two differ by the O(1/n) bias correction: for n = 4000 by far
    less than a standard error (O(1/√n))."""
    rng = np.random.default_rng(seed)
    X = np.c_[np.ones(4000), rng.normal(size=4000)]
    y = (rng.uniform(size=4000) < expit(X @ [b0, b1])).astype(float)
    ml, fi = logistic_fit(X, y, firth=False), logistic_fit(X, y)
    assert ml.converged and fi.converged
    se = np.sqrt(np.diag(ml.cov))
    assert np.all(np.abs(fi.coef - ml.coef) < 0.1 * se)  # 300 seeds: at most 0.033 se
