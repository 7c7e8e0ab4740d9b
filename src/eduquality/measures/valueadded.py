"""Value-added (增值评价) of schools, classes and teachers: three estimators side by side.

GLOSSARY "Growth and value-added". Every estimate comes with its standard error, a 95 % interval
(estimate ± 1.96 SE) and a band: 'above' (显著高于预期) when estimate/SE ≥ 2, 'below' (显著低于预期)
when ≤ −2, else 'expected' (符合预期); units with fewer than ``min_n`` students are not reported
(estimate missing, band 'insufficient').

When the multilevel fit lands on the boundary τ² = 0 (the data show no variance between units
beyond what the students' own spread explains), every unit's estimate is 0 with SE 0: not
"exactly as expected" for each, but no detectable difference between the units. Those units get
the band 'no_difference' (message ``valueadded.band.no_difference``), which the pages, reports
and the assessment show instead of 0.00 (0.00–0.00).

(a) :func:`residual_value_added` — OLS of the current score on the prior score(s) (+ covariates);
    a unit's estimate is its students' mean residual r̄ⱼ.
(b) :func:`multilevel_value_added` — random-intercept model yᵢⱼ = xᵢⱼ'β + uⱼ + eᵢⱼ, uⱼ ~ N(0, τ²),
    eᵢⱼ ~ N(0, σ²), fitted by REML (default) or ML; the estimate is the empirical-Bayes (BLUP)
    ûⱼ = λⱼ r̄ⱼ, λⱼ = τ²/(τ² + σ²/nⱼ), r̄ⱼ the unit's mean residual from the GLS fixed part.
(c) :func:`sgp_value_added` — mean and median SGP of a unit (Castellano & Ho 2013).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import linalg, optimize, stats

from eduquality.errors import KeyedError
from eduquality.i18n import register

__all__ = [
    "BAND_Z",
    "RandomInterceptFit",
    "ValueAddedInputError",
    "check_against_truth",
    "compare_estimators",
    "fit_random_intercept",
    "multilevel_value_added",
    "residual_value_added",
    "sgp_value_added",
    "stability",
]

MESSAGES = register({
    "valueadded.shape": (
        "{what} 的长度 {got} 与学生数 {n} 不一致",
        "{what} has length {got}, but there are {n} students",
    ),
    "valueadded.missing": (
        "{what} 含有缺失值（第 {rows} 行等）：请先删除这些学生或补全数据",
        "{what} has missing values (rows {rows} …): drop those students or complete the data",
    ),
    "valueadded.rank": (
        "自变量矩阵不满秩（先前成绩或协变量线性相关）",
        "the predictors are collinear (prior scores or covariates are linearly dependent)",
    ),
    "valueadded.columns": (
        "缺少列 {cols}", "missing columns {cols}",
    ),
    "valueadded.band.above": ("显著高于预期", "significantly above expected"),
    "valueadded.band.expected": ("符合预期", "as expected"),
    "valueadded.band.below": ("显著低于预期", "significantly below expected"),
    "valueadded.band.insufficient": ("人数不足，不报告", "too few students, not reported"),
    "valueadded.band.no_difference": ("学校（班级）之间无可检测的差异",
                                      "no detectable difference between schools (or classes)"),
})

BAND_Z = 2.0
"""│estimate / SE│ at or above which a unit is banded above or below expectation."""
Z95 = float(stats.norm.ppf(0.975))
TAU2_ZERO = 1e-7
"""τ²/σ² at or below which the multilevel fit is on its boundary (τ² = 0: band 'no_difference'):
just above the search's lower bound e⁻¹⁸ ≈ 1.5e-8 (:func:`fit_random_intercept`)."""


class ValueAddedInputError(KeyedError):
    """Input to a value-added computation is unusable (says which input and why).
    Message in Chinese; ``text(lang)`` gives it in another language."""



# --------------------------------------------------------------------------------------------
# helpers


def _design(
    priors: ArrayLike, covariates: ArrayLike | None, n: int
) -> NDArray[np.float64]:
    pr = np.asarray(priors, dtype=float).reshape(n, -1)
    cols = [np.ones((n, 1)), pr]
    if covariates is not None:
        cols.append(np.asarray(covariates, dtype=float).reshape(n, -1))
    X = np.hstack(cols)
    bad = np.flatnonzero(np.isnan(X).any(axis=1))
    if bad.size:
        raise ValueAddedInputError("valueadded.missing", what="priors/covariates",
                                   rows=bad[:5].tolist())
    return X


def _prepare(
    current: ArrayLike, priors: ArrayLike, unit: ArrayLike, covariates: ArrayLike | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp], pd.Index]:
    y = np.asarray(current, dtype=float).ravel()
    n = y.shape[0]
    bad = np.flatnonzero(np.isnan(y))
    if bad.size:
        raise ValueAddedInputError("valueadded.missing", what="current", rows=bad[:5].tolist())
    units = pd.Series(np.asarray(unit)).reset_index(drop=True)
    if len(units) != n:
        raise ValueAddedInputError("valueadded.shape", what="unit", got=len(units), n=n)
    codes, labels = pd.factorize(units, sort=True)
    if (codes < 0).any():
        raise ValueAddedInputError("valueadded.missing", what="unit",
                                   rows=np.flatnonzero(codes < 0)[:5].tolist())
    return y, _design(priors, covariates, n), codes, pd.Index(labels, name="unit")


def _group_sums(codes: NDArray[np.intp], v: NDArray[np.float64], J: int) -> NDArray[np.float64]:
    """Per-group column sums of v (n or n × p) by bincount, no Python loop over rows."""
    if v.ndim == 1:
        return np.bincount(codes, weights=v, minlength=J).astype(np.float64)
    return np.column_stack([np.bincount(codes, weights=v[:, c], minlength=J)
                            for c in range(v.shape[1])])


def _finish(
    index: pd.Index, n: NDArray[np.int64], est: NDArray[np.float64], se: NDArray[np.float64],
    min_n: int, center: float = 0.0,
) -> pd.DataFrame:
    """Unit frame with CI, z and band; units below ``min_n`` get missing values."""
    ok = n >= min_n
    est = np.where(ok, est, np.nan)
    se = np.where(ok, se, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = (est - center) / se
    band = np.select([~ok, zval >= BAND_Z, zval <= -BAND_Z],
                     ["insufficient", "above", "below"], "expected")
    return pd.DataFrame({
        "n": n, "estimate": est, "se": se,
        "ci_low": est - Z95 * se, "ci_high": est + Z95 * se,
        "z": zval, "band": band,
    }, index=index)


# --------------------------------------------------------------------------------------------
# (a) residual value-added


def residual_value_added(
    current: ArrayLike, priors: ArrayLike, unit: ArrayLike,
    covariates: ArrayLike | None = None, min_n: int = 10,
) -> pd.DataFrame:
    """Covariate-adjusted residual value-added: OLS y = Xβ + e (X = 1, priors, covariates) on
    all students, estimate of unit j = mean residual r̄ⱼ.

    SE from the pooled residual variance σ̂² = RSS/(N − p) and the exact variance of a mean of
    OLS residuals under the model, Var(r̄ⱼ) = σ²(1/nⱼ − x̄ⱼ'(X'X)⁻¹x̄ⱼ) (x̄ⱼ the unit's mean
    design row). Returns one row per unit (index ``unit``): n, estimate, se, ci_low, ci_high,
    z, band.

    Hand case: school a has y = x + 1, school b y = x + 3 at the same x = 1, 2, 3, so the
    pooled OLS line is y = x + 2 and the mean residuals are −1 and +1:

    >>> f = residual_value_added([2, 3, 4, 4, 5, 6], [1, 2, 3, 1, 2, 3], list("aaabbb"), min_n=1)
    >>> f["estimate"].round(6).tolist()
    [-1.0, 1.0]
    """
    y, X, codes, index = _prepare(current, priors, unit, covariates)
    N, p = X.shape
    J = len(index)
    xtx = X.T @ X
    try:
        cf = linalg.cho_factor(xtx)
    except linalg.LinAlgError as exc:
        raise ValueAddedInputError("valueadded.rank") from exc
    beta = linalg.cho_solve(cf, X.T @ y)
    r = y - X @ beta
    sigma2 = float(r @ r) / (N - p)
    n = np.bincount(codes, minlength=J)
    rbar = _group_sums(codes, r, J) / n
    xbar = _group_sums(codes, X, J) / n[:, None]
    lever = np.einsum("jp,pj->j", xbar, linalg.cho_solve(cf, xbar.T))
    se = np.sqrt(sigma2 * np.maximum(1.0 / n - lever, 0.0))
    return _finish(index, n, rbar, se, min_n)


# --------------------------------------------------------------------------------------------
# (b) random-intercept multilevel model


@dataclass(frozen=True)
class RandomInterceptFit:
    """Fitted yᵢⱼ = xᵢⱼ'β + uⱼ + eᵢⱼ (``method`` 'REML' or 'ML').

    ``ranef`` ûⱼ (BLUPs), ``cond_se`` √Var(uⱼ | y) = √(τ²(1 − λⱼ)) (lme4 ``condVar``),
    ``shrinkage`` λⱼ, ``rbar`` the unshrunken mean residuals, all indexed by unit.
    """

    beta: NDArray[np.float64]
    beta_se: NDArray[np.float64]
    tau2: float
    sigma2: float
    criterion: float
    method: str
    units: pd.Index
    n: NDArray[np.int64]
    rbar: NDArray[np.float64]
    shrinkage: NDArray[np.float64]
    ranef: NDArray[np.float64]
    cond_se: NDArray[np.float64]


class _Profile:
    """The profiled (RE)ML deviance as a function of γ = τ²/σ², from group sums only.

    With H = I + γZZ' (block-diagonal), H⁻¹ = I − Σⱼ wⱼ 1ⱼ1ⱼ', wⱼ = γ/(1 + nⱼγ), so
    X'H⁻¹X = X'X − Σⱼ wⱼ sⱼsⱼ' with sⱼ = Σᵢ xᵢⱼ, and likewise X'H⁻¹y, y'H⁻¹y; log|H| =
    Σ log(1 + nⱼγ). β̂(γ) = (X'H⁻¹X)⁻¹X'H⁻¹y, RSS(γ) = (y − Xβ̂)'H⁻¹(y − Xβ̂), σ̂² = RSS/(N − p)
    (REML) or RSS/N (ML); −2ℓ_REML = (N−p)(1 + log 2πσ̂²) + log|H| + log|X'H⁻¹X|,
    −2ℓ_ML = N(1 + log 2πσ̂²) + log|H| (Pinheiro & Bates 2000, ch. 2; lme4's REMLcrit/deviance).
    """

    def __init__(self, y: NDArray[np.float64], X: NDArray[np.float64],
                 codes: NDArray[np.intp], J: int, reml: bool) -> None:
        self.N, self.p = X.shape
        self.reml = reml
        self.n = np.bincount(codes, minlength=J).astype(float)
        self.sx = _group_sums(codes, X, J)
        self.sy = _group_sums(codes, y, J)
        self.xtx = X.T @ X
        self.xty = X.T @ y
        self.yty = float(y @ y)

    def solve(self, gamma: float) -> tuple[float, NDArray[np.float64], NDArray[np.float64], float]:
        w = gamma / (1.0 + self.n * gamma)
        A = self.xtx - (self.sx * w[:, None]).T @ self.sx
        b = self.xty - self.sx.T @ (w * self.sy)
        c = self.yty - float(np.sum(w * self.sy ** 2))
        cf = linalg.cho_factor(A)
        beta = linalg.cho_solve(cf, b)
        rss = max(c - float(b @ beta), 1e-300)
        dof = self.N - self.p if self.reml else self.N
        sigma2 = rss / dof
        dev = dof * (1.0 + np.log(2 * np.pi * sigma2)) + float(np.sum(np.log1p(self.n * gamma)))
        if self.reml:
            dev += 2.0 * float(np.sum(np.log(np.diag(cf[0]))))
        return dev, beta, linalg.cho_solve(cf, np.eye(self.p)), sigma2


def fit_random_intercept(
    current: ArrayLike, X: ArrayLike, unit: ArrayLike, method: str = "REML"
) -> RandomInterceptFit:
    """Fit the random-intercept model by profiling the (RE)ML deviance over γ = τ²/σ² (bounded
    scalar search on log γ, plus the boundary γ = 0) with group sums: O(N p²) once, then
    O(J p²) per evaluation. ``X`` is the full fixed-effects design (include the intercept).

    Checked against R ``lme4::lmer(y ~ x + (1 | unit), REML = TRUE)`` (tests/measures/test_valueadded.py). lme4's
    Dyestuff data (Bates, *lme4: Mixed-effects modeling with R*, ch. 1): lmer gives intercept
    1527.5, τ² = 1764.050, σ² = 2451.250, BLUP of batch E 56.7332:

    >>> yld = [1545, 1440, 1440, 1520, 1580, 1540, 1555, 1490, 1560, 1495, 1595, 1550, 1605,
    ...        1510, 1560, 1445, 1440, 1595, 1465, 1545, 1595, 1630, 1515, 1635, 1625, 1520,
    ...        1455, 1450, 1480, 1445]
    >>> f = fit_random_intercept(yld, np.ones((30, 1)), np.repeat(list("ABCDEF"), 5))
    >>> round(float(f.beta[0]), 2), round(f.tau2, 2), round(f.sigma2, 2)
    (1527.5, 1764.05, 2451.25)
    >>> round(float(f.ranef[4]), 3)
    56.733
    """
    if method not in ("REML", "ML"):
        raise ValueError("method must be 'REML' or 'ML'")
    y = np.asarray(current, dtype=float).ravel()
    Xa = np.asarray(X, dtype=float).reshape(y.shape[0], -1)
    codes, labels = pd.factorize(pd.Series(np.asarray(unit)), sort=True)
    J = len(labels)
    prof = _Profile(y, Xa, codes, J, method == "REML")
    try:
        res = optimize.minimize_scalar(lambda t: prof.solve(float(np.exp(t)))[0],
                                       bounds=(-18.0, 10.0), method="bounded",
                                       options={"xatol": 1e-9, "maxiter": 500})
    except linalg.LinAlgError as exc:
        raise ValueAddedInputError("valueadded.rank") from exc
    gamma = float(np.exp(res.x))
    if prof.solve(0.0)[0] <= res.fun:
        gamma = 0.0
    dev, beta, ainv, sigma2 = prof.solve(gamma)
    tau2 = gamma * sigma2
    n = prof.n
    rbar = (prof.sy - prof.sx @ beta) / n
    lam = n * gamma / (1.0 + n * gamma)
    return RandomInterceptFit(
        beta=beta, beta_se=np.sqrt(sigma2 * np.diag(ainv)), tau2=tau2, sigma2=sigma2,
        criterion=dev, method=method, units=pd.Index(labels, name="unit"),
        n=n.astype(np.int64), rbar=rbar, shrinkage=lam, ranef=lam * rbar,
        cond_se=np.sqrt(tau2 * (1.0 - lam)),
    )


def multilevel_value_added(
    current: ArrayLike, priors: ArrayLike, unit: ArrayLike,
    covariates: ArrayLike | None = None, min_n: int = 10, method: str = "REML",
) -> pd.DataFrame:
    """Multilevel (random-intercept) value-added: estimate ûⱼ = λⱼ r̄ⱼ with its conditional SE
    √(τ²(1 − λⱼ)) (lme4 ``condVar``; it treats β̂, τ², σ² as known). Every student is used in
    the fit; units below ``min_n`` are fitted but not reported. Extra columns: rbar, shrinkage.

    Hand check: τ² = 4, σ² = 36, nⱼ = 9 → λ = 4/(4 + 36/9) = 0.5, û = 0.5 r̄ (see tests).
    """
    y, X, codes, index = _prepare(current, priors, unit, covariates)
    fit = fit_random_intercept(y, X, codes, method)
    out = _finish(index, fit.n, fit.ranef, fit.cond_se, min_n)
    if fit.tau2 <= TAU2_ZERO * fit.sigma2:   # the boundary fit: no between-unit variance
        out.loc[out["n"] >= min_n, "band"] = "no_difference"
    out["rbar"] = np.where(out["n"] >= min_n, fit.rbar, np.nan)
    out["shrinkage"] = fit.shrinkage
    return out


# --------------------------------------------------------------------------------------------
# (c) SGP-based


MEDIAN_SE_FACTOR = np.sqrt(np.pi / 2)  # 1.2533


def sgp_value_added(sgp: ArrayLike, unit: ArrayLike, min_n: int = 10) -> pd.DataFrame:
    """Mean and median SGP per unit (students without SGP are skipped).

    SE(mean) = s/√n; SE(median) = 1.2533 s/√n (√(π/2): the large-sample SE of a median under
    normality; with SGPs spread near-uniformly it understates the SE, so the median band is a
    screening tool). Bands compare with 50 (the growth of academic peers). Returns columns
    mean_sgp, se_mean, median_sgp, se_median, their CIs, and band_mean, band_median.
    """
    s = pd.Series(np.asarray(sgp, dtype=float))
    u = pd.Series(np.asarray(unit))
    if len(u) != len(s):
        raise ValueAddedInputError("valueadded.shape", what="unit", got=len(u), n=len(s))
    ok = s.notna() & u.notna()
    g = s[ok].groupby(u[ok].to_numpy(), sort=True)
    agg = g.agg(["count", "mean", "median", "std"])
    agg.index.name = "unit"
    n = agg["count"].to_numpy(dtype=np.int64)
    se = agg["std"].to_numpy() / np.sqrt(n)
    mean = _finish(agg.index, n, agg["mean"].to_numpy(), se, min_n, center=50.0)
    med = _finish(agg.index, n, agg["median"].to_numpy(), MEDIAN_SE_FACTOR * se, min_n,
                  center=50.0)
    return pd.DataFrame({
        "n": n, "mean_sgp": mean["estimate"], "se_mean": mean["se"],
        "mean_ci_low": mean["ci_low"], "mean_ci_high": mean["ci_high"], "band_mean": mean["band"],
        "median_sgp": med["estimate"], "se_median": med["se"],
        "median_ci_low": med["ci_low"], "median_ci_high": med["ci_high"],
        "band_median": med["band"],
    }, index=agg.index)


def compare_estimators(
    current: ArrayLike, priors: ArrayLike, unit: ArrayLike, sgp: ArrayLike | None = None,
    covariates: ArrayLike | None = None, min_n: int = 10, method: str = "REML",
) -> pd.DataFrame:
    """The estimators side by side in one long frame: columns unit, estimator ('residual',
    'multilevel', 'mean_sgp', 'median_sgp'), n, estimate, se, ci_low, ci_high, band.
    Residual and multilevel estimates are in score points; SGP ones in percentile points."""
    parts = [
        residual_value_added(current, priors, unit, covariates, min_n).assign(
            estimator="residual"),
        multilevel_value_added(current, priors, unit, covariates, min_n, method).assign(
            estimator="multilevel"),
    ]
    if sgp is not None:
        sv = sgp_value_added(sgp, unit, min_n)
        for kind in ("mean", "median"):
            parts.append(pd.DataFrame({
                "n": sv["n"], "estimate": sv[f"{kind}_sgp"], "se": sv[f"se_{kind}"],
                "ci_low": sv[f"{kind}_ci_low"], "ci_high": sv[f"{kind}_ci_high"],
                "band": sv[f"band_{kind}"], "estimator": f"{kind}_sgp",
            }))
    cols = ["unit", "estimator", "n", "estimate", "se", "ci_low", "ci_high", "band"]
    return pd.concat([p.reset_index() for p in parts], ignore_index=True)[cols]


# --------------------------------------------------------------------------------------------
# stability and checks against ground truth


def stability(estimates: pd.DataFrame) -> pd.DataFrame:
    """Year-to-year stability: Pearson and Spearman correlation of unit estimates between
    consecutive years (units reported in both). ``estimates``: columns unit, year, estimate
    (and optionally estimator, handled separately). Returns estimator, year_from, year_to,
    n_units, pearson, spearman."""
    need = {"unit", "year", "estimate"}
    if not need <= set(estimates.columns):
        raise ValueAddedInputError("valueadded.columns", cols=sorted(need - set(estimates.columns)))
    df = estimates.dropna(subset=["estimate"])
    if "estimator" not in df.columns:
        df = df.assign(estimator="estimate")
    wide = df.pivot_table(index=["estimator", "unit"], columns="year", values="estimate")
    years = sorted(wide.columns)
    rows = []
    for est, block in wide.groupby(level="estimator"):
        for a, b in itertools.pairwise(years):
            pair = block[[a, b]].dropna()
            k = len(pair)
            rows.append({
                "estimator": est, "year_from": a, "year_to": b, "n_units": k,
                "pearson": pair[a].corr(pair[b]) if k > 2 else np.nan,
                "spearman": pair[a].corr(pair[b], method="spearman") if k > 2 else np.nan,
            })
    return pd.DataFrame(rows)


def check_against_truth(
    estimates: pd.DataFrame, truth: Mapping[object, float] | pd.Series, center: bool = True,
) -> dict[str, float]:
    """Compare unit estimates (index = unit; columns estimate and, for coverage, ci_low and
    ci_high) with true unit effects (e.g. the simulated district's ground truth).

    Value-added is relative, so with ``center`` the true effects are centred on their mean over
    the compared units, weighted by n when the frame has it. Returns n_units, pearson, spearman,
    rmse, bias (mean estimate − truth) and coverage (share of 95 % intervals containing the
    truth; only meaningful for estimates on the truth's scale, i.e. not for SGP ones).
    """
    t = pd.Series(truth, dtype=float)
    df = estimates.dropna(subset=["estimate"]).join(t.rename("truth"), how="inner")
    df = df.dropna(subset=["truth"])
    if center and len(df):
        wts = df["n"].to_numpy(dtype=float) if "n" in df else np.ones(len(df))
        df["truth"] = df["truth"] - np.average(df["truth"], weights=wts)
    e = df["estimate"]
    out = {
        "n_units": float(len(df)),
        "pearson": float(e.corr(df["truth"])) if len(df) > 2 else np.nan,
        "spearman": float(e.corr(df["truth"], method="spearman")) if len(df) > 2 else np.nan,
        "rmse": float(np.sqrt(np.mean((e - df["truth"]) ** 2))) if len(df) else np.nan,
        "bias": float(np.mean(e - df["truth"])) if len(df) else np.nan,
        "coverage": np.nan,
    }
    if {"ci_low", "ci_high"} <= set(df.columns) and len(df):
        inside = (df["ci_low"] <= df["truth"]) & (df["truth"] <= df["ci_high"])
        out["coverage"] = float(inside.mean())
    return out
