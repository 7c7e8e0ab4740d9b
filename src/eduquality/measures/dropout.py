"""控辍保学: 巩固率 and 辍学率 of a cohort, and a transparent early-warning score.

Rates (GLOSSARY):

- 九年义务教育巩固率 (consolidation rate): the students of a cohort still in school (enrolled,
  休学 or graduated) at the end, over the cohort's entrants adjusted for transfers::

      巩固率 = retained / (entrants + transfers in − transfers out) × 100

  A transfer out counts as a transfer (leaves the base) only when the receiving school is
  known (a 转入 in the district, or a follow-up recorded with proof); a transfer out without it
  stays in the base and is not retained (the student is missing).
- 辍学率 (dropout rate): dropouts in the year among the students enrolled at its start::

      辍学率 = dropouts in the year / enrolment at the start of the year × 100

Both are proportions of a count of their base, so their intervals are Wilson's score interval
(:func:`eduquality.measures.indicators.wilson_interval`), reported ×100.

Early warning (:class:`EarlyWarning`): a logistic regression of "dropped out within the next
school year" on standardised factors (z = (x − mean) / sd of the training cohorts), fitted by
Newton–Raphson (with step halving) and a small ridge penalty λ‖β‖²/2 on the slopes (no penalty on the intercept),
so that a factor that separates the training data perfectly still gets a finite weight. The
score is the fitted probability; each student's *explanation* is the factor contributions
β_j z_j to the log-odds (Lundberg & Lee's additive attribution is exact for a linear
predictor); the factors that raise the score are those with a positive contribution.
Discrimination is the AUC (Hanley & McNeil 1982, *Radiology* 143:29–36, the Mann–Whitney
statistic with ties counted one half); calibration is observed vs mean predicted rate per
band of predicted risk with the Brier score; :func:`threshold_for_recall` picks the highest
threshold whose recall (share of true dropouts flagged) reaches a stated target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from eduquality.measures.indicators import wilson_interval

__all__ = [
    "COMPULSORY_AGES",
    "EarlyWarning",
    "RateResult",
    "auc",
    "calibration_table",
    "compulsory_age",
    "consolidation_rate",
    "dropout_rate",
    "split_cohorts",
    "threshold_for_recall",
]

COMPULSORY_AGES = (6, 15)
"""Compulsory-school age, in whole years on 31 August before the school year (《义务教育法》
第十一条: entry at six; nine years of schooling): 6 to 15 inclusive."""


def compulsory_age(age: ArrayLike) -> NDArray[np.bool_]:
    """Whether each age (whole years on 31 August) is of compulsory-school age.

    >>> compulsory_age([5, 6, 15, 16]).tolist()
    [False, True, True, False]
    """
    a = np.asarray(age, dtype=float)
    return (a >= COMPULSORY_AGES[0]) & (a <= COMPULSORY_AGES[1])


@dataclass(frozen=True)
class RateResult:
    """A rate in percent with its counts and its 95 % Wilson interval (NaN when the base is
    0)."""

    numerator: int
    denominator: int
    rate: float
    ci_low: float
    ci_high: float


def _rate(k: int, n: int, level: float) -> RateResult:
    if n <= 0:
        return RateResult(k, n, math.nan, math.nan, math.nan)
    low, high = wilson_interval(k, n, level)
    return RateResult(k, n, 100.0 * k / n, 100.0 * low, 100.0 * high)


def consolidation_rate(entrants: int, transfers_in: int, transfers_out: int, retained: int,
                       level: float = 0.95) -> RateResult:
    """巩固率 (module docstring): retained / (entrants + transfers_in − transfers_out) × 100.

    >>> r = consolidation_rate(entrants=10, transfers_in=2, transfers_out=1, retained=9)
    >>> r.denominator, round(r.rate, 2)
    (11, 81.82)
    """
    base = entrants + transfers_in - transfers_out
    if retained > base:
        raise ValueError(f"retained {retained} exceeds the adjusted cohort {base}")
    return _rate(retained, base, level)


def dropout_rate(dropouts: int, enrolled_at_start: int, level: float = 0.95) -> RateResult:
    """辍学率 (module docstring): dropouts / enrolment at the start of the year × 100.

    >>> r = dropout_rate(1, 11)
    >>> round(r.rate, 3), [round(x, 2) for x in (r.ci_low, r.ci_high)]
    (9.091, [1.62, 37.74])
    """
    if dropouts > enrolled_at_start:
        raise ValueError(f"{dropouts} dropouts exceed the enrolment {enrolled_at_start}")
    return _rate(dropouts, enrolled_at_start, level)


# -- discrimination and calibration --------------------------------------------------------

def auc(y: ArrayLike, score: ArrayLike) -> float:
    """Area under the ROC curve: the probability that a random positive scores above a random
    negative, ties counted ½ (Mann–Whitney U / (n₁ n₀), by mid-ranks). NaN when a class is
    absent.

    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])   # sklearn.metrics.roc_auc_score → 0.75
    0.75
    """
    yy = np.asarray(y, dtype=bool)
    s = np.asarray(score, dtype=float)
    n1, n0 = int(yy.sum()), int((~yy).sum())
    if n1 == 0 or n0 == 0:
        return math.nan
    ranks = pd.Series(s).rank(method="average").to_numpy()
    u = ranks[yy].sum() - n1 * (n1 + 1) / 2
    return float(u / (n1 * n0))


def calibration_table(y: ArrayLike, p: ArrayLike, bands: int = 10) -> pd.DataFrame:
    """Observed vs predicted by band of predicted risk (equal-count bands, ``bands`` at most).

    Columns band (1 = lowest risk), n, mean_predicted, observed, events. The Brier score
    mean((p − y)²) is in ``frame.attrs['brier']``."""
    yy = np.asarray(y, dtype=float)
    pp = np.asarray(p, dtype=float)
    order = np.argsort(pp, kind="stable")
    groups = np.array_split(order, min(bands, max(1, len(pp))))
    rows = [(i + 1, len(g), float(pp[g].mean()), float(yy[g].mean()), int(yy[g].sum()))
            for i, g in enumerate(groups) if len(g)]
    frame = pd.DataFrame(rows, columns=["band", "n", "mean_predicted", "observed", "events"])
    frame.attrs["brier"] = float(np.mean((pp - yy) ** 2)) if len(pp) else math.nan
    return frame


def threshold_for_recall(y: ArrayLike, p: ArrayLike, recall: float) -> tuple[float, float,
                                                                              float]:
    """The highest threshold t with recall(score ≥ t) ≥ ``recall``; returns (t, the recall
    reached, the share of all students flagged).

    >>> threshold_for_recall([0, 1, 0, 1, 1], [0.1, 0.9, 0.5, 0.4, 0.7], 0.6)
    (0.7, 0.6666666666666666, 0.4)
    """
    yy = np.asarray(y, dtype=bool)
    pp = np.asarray(p, dtype=float)
    if not 0 < recall <= 1:
        raise ValueError("recall must lie in (0, 1]")
    positives = np.sort(pp[yy])[::-1]
    if positives.size == 0:
        return math.nan, math.nan, math.nan
    k = math.ceil(recall * positives.size - 1e-9)
    t = float(positives[k - 1])
    flagged = pp >= t
    return t, float(flagged[yy].mean()), float(flagged.mean())


# -- the model -----------------------------------------------------------------------------

class EarlyWarning:
    """Logistic regression on standardised factors (module docstring).

    ``EarlyWarning(ridge=1.0).fit(X, y)``; learned: ``factors_``, ``mean_``, ``sd_``,
    ``intercept_``, ``coef_`` (per standardised factor), ``n_iter_``.
    """

    def __init__(self, ridge: float = 1.0, max_iter: int = 50, tol: float = 1e-8) -> None:
        self.ridge = ridge
        self.max_iter = max_iter
        self.tol = tol

    def _z(self, X: pd.DataFrame) -> NDArray[np.float64]:
        x = X[self.factors_].to_numpy(dtype=float)
        z: NDArray[np.float64] = (x - self.mean_) / self.sd_
        return np.nan_to_num(z)  # a missing factor counts as the training mean

    def fit(self, X: pd.DataFrame, y: ArrayLike) -> EarlyWarning:
        """Fit on the factor frame ``X`` (one column per factor) and outcomes ``y`` (0/1)."""
        self.factors_: list[str] = [str(c) for c in X.columns]
        x = X.to_numpy(dtype=float)
        seen = ~np.isnan(x)
        count = seen.sum(axis=0)
        filled = np.where(seen, x, 0.0)
        self.mean_ = np.divide(filled.sum(axis=0), count, out=np.zeros(x.shape[1]),
                               where=count > 0)
        var = np.divide((np.where(seen, x - self.mean_, 0.0) ** 2).sum(axis=0), count,
                        out=np.zeros(x.shape[1]), where=count > 0)
        self.sd_ = np.where(var > 0, np.sqrt(var), 1.0)  # a constant factor gets weight 0
        z = self._z(X)
        yy = np.asarray(y, dtype=float)
        design = np.column_stack([np.ones(len(z)), z])
        beta = np.zeros(design.shape[1])
        prior = np.full(design.shape[1], self.ridge)
        prior[0] = 0.0
        base = yy.mean() if len(yy) else 0.5
        beta[0] = math.log(max(base, 1e-6) / max(1 - base, 1e-6))
        def objective(b: NDArray[np.float64]) -> float:
            eta = design @ b
            return float(yy @ eta - np.logaddexp(0.0, eta).sum() - 0.5 * prior @ (b * b))

        self.n_iter_ = 0
        current = objective(beta)
        for it in range(1, self.max_iter + 1):
            p = expit(design @ beta)
            grad = design.T @ (yy - p) - prior * beta
            hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(prior)
            step = np.linalg.solve(hess + 1e-10 * np.eye(len(beta)), grad)
            for _ in range(40):  # step halving: Newton alone can overshoot on rare events
                trial = objective(beta + step)
                if trial >= current - 1e-12:
                    break
                step = step / 2
            beta = beta + step
            current = objective(beta)
            self.n_iter_ = it
            if np.max(np.abs(step)) < self.tol:
                break
        self.intercept_ = float(beta[0])
        self.coef_ = beta[1:]
        return self

    def log_odds(self, X: pd.DataFrame) -> NDArray[np.float64]:
        out: NDArray[np.float64] = self.intercept_ + self._z(X) @ self.coef_
        return out

    def predict_proba(self, X: pd.DataFrame) -> NDArray[np.float64]:
        """The fitted probability of dropping out for each row of ``X``."""
        out: NDArray[np.float64] = expit(self.log_odds(X))
        return out

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """β_j z_j per row and factor: what each factor adds to the log-odds against a student
        at the training means (positive: raises the risk)."""
        return pd.DataFrame(self._z(X) * self.coef_, columns=self.factors_, index=X.index)

    def raising(self, X: pd.DataFrame, top: int = 3) -> list[list[str]]:
        """Per row, the factors that raise the score most (positive contributions only, largest
        first, at most ``top``)."""
        c = self.contributions(X).to_numpy()
        out = []
        for row in c:
            order = np.argsort(-row, kind="stable")
            out.append([self.factors_[j] for j in order[:top] if row[j] > 0])
        return out

    def weights(self) -> pd.DataFrame:
        """factor, mean, sd, coef (per sd of the factor), odds_ratio (per sd)."""
        return pd.DataFrame({"factor": self.factors_, "mean": self.mean_, "sd": self.sd_,
                             "coef": self.coef_, "odds_ratio": np.exp(self.coef_)})


def split_cohorts(years: Sequence[str], held_out: int = 1) -> tuple[list[str], list[str]]:
    """Past cohorts to fit on and the latest ``held_out`` ones to test on (ordered codes).

    >>> split_cohorts(["2019-2020", "2018-2019", "2020-2021"])
    (['2018-2019', '2019-2020'], ['2020-2021'])
    """
    ordered = sorted(years)
    return ordered[:-held_out], ordered[-held_out:]
