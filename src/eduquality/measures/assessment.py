"""The annual school assessment (年度目标考核, issue 13 §3): component scores, the weighted
total with its uncertainty, and bands of schools that cannot be told apart.

Components (:data:`eduquality.config.ASSESSMENT_COMPONENTS`), each a score s in [0, 1] with a
standard error (0 for a census or administrative figure):

- ``value_added`` — monitoring results through value-added, never raw averages: the school's
  value-added estimates eᵢ (score points, with SE ŝᵢ) over the year's exams and subjects, each
  divided by the SD σᵢ of the students' scores in that exam and subject (an effect size), then
  averaged: ē = Σ(eᵢ/σᵢ)/m with SE √(Σ(ŝᵢ/σᵢ)²)/m (estimates of different subjects treated
  as independent). s = clip(0.5 + ē / (2·span), 0, 1), SE(s) = SE(ē) / (2·span): no value-added
  scores 0.5, +span SD scores 1, −span SD scores 0 (``va_span``).
- ``retention`` (控辍保学) — d dropouts among n students: s = 1 − min(1, (d/n) / r₀), r₀ the
  dropout rate that scores 0 (``dropout_rate_zero``); no dropout scores 1.
- ``balance`` (优质均衡) — the number of the seven resource indicators the school meets:
  s = k / 7 (教督〔2017〕6号).
- ``teachers`` — the share of the school's teachers in a development programme (骨干教师,
  名师 …): s = min(1, (k/n) / f), f the share that scores 1 (``teacher_share_full``).
- ``goals`` — the school's own plan goals of the year: s = (on track + ½ at risk) / counted,
  counting goals on track, at risk or off track (pending and no data are not counted).

Total (:func:`total_score`): over the components with a positive weight wᶜ and a score,
T = 100 · Σ wᶜ sᶜ / Σ wᶜ, SE(T) = 100 · √(Σ wᶜ² SE(sᶜ)²) / Σ wᶜ; a component without data is
left out and the others' weights renormalised (the sheet says which). The points of a
component are its share of T: 100 · wᶜ sᶜ / Σ wᶜ.

Bands (:func:`tie_bands`): schools are not ranked where their difference lies within the
uncertainty. In order of T, a band starts at its first school and takes every following school
whose difference from that school is within z · √(SE₁² + SE₂²) (z = 1.96); the next school
starts the next band. A band's number is the position of its first school (1, 1, 3 …): the
schools of one band are tied. (Goldstein & Spiegelhalter 1996, *JRSS A* 159:385–443: league
tables must show the uncertainty of every rank.) For internal use: no published league tables
(GLOSSARY, rules on publishing).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from eduquality.i18n import register

__all__ = [
    "KIND_OF_STAGE",
    "TIE_Z",
    "balance_score",
    "goal_score",
    "mean_effect_size",
    "retention_score",
    "teacher_score",
    "tie_bands",
    "total_score",
    "value_added_score",
]

TIE_Z = 1.96
"""Two schools differ when their totals differ by more than TIE_Z standard errors."""

KIND_OF_STAGE = {"primary": "primary", "junior": "junior", "nine_year": "junior",
                 "senior": "high", "complete": "high", "twelve_year": "high",
                 "vocational": "vocational"}
"""School stage → the kind of school whose weights apply (and whose schools form a first tier)."""

MESSAGES = register({
    "assessment.kind.primary": ("小学", "primary schools"),
    "assessment.kind.junior": ("初中", "junior schools"),
    "assessment.kind.high": ("普通高中", "high schools"),
    "assessment.kind.vocational": ("中职学校", "vocational schools"),
    "assessment.component.value_added": ("监测结果增值", "value-added of monitoring results"),
    "assessment.component.retention": ("控辍保学", "retention (no dropouts)"),
    "assessment.component.balance": ("优质均衡", "balanced resources (优质均衡)"),
    "assessment.component.teachers": ("教师发展", "teacher development"),
    "assessment.component.goals": ("学校发展目标", "the school's plan goals"),
    "assessment.weight": ("权重", "weight"),
})


def _clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


def mean_effect_size(estimates: ArrayLike, ses: ArrayLike, sds: ArrayLike
                     ) -> tuple[float, float, int]:
    """(ē, SE(ē), m): the mean of m value-added estimates divided by their score SDs, and its
    SE √(Σ(ŝᵢ/σᵢ)²)/m (module docstring); estimates without an SE or SD are left out;
    (NaN, NaN, 0) without any.

    >>> [round(x, 6) for x in mean_effect_size([2.0, -1.0, 5.0], [1.0, 1.0, None], [10, 10, 10])]
    [0.05, 0.070711, 2]
    """
    e, s, sd = (np.asarray(a, dtype=float) for a in (estimates, ses, sds))
    ok = ~(np.isnan(e) | np.isnan(s) | np.isnan(sd)) & (sd > 0)
    if not ok.any():
        return math.nan, math.nan, 0
    m = int(ok.sum())
    return (float(np.sum(e[ok] / sd[ok]) / m), float(np.sqrt(np.sum((s[ok] / sd[ok]) ** 2)) / m),
            m)


def value_added_score(estimates: ArrayLike, ses: ArrayLike, sds: ArrayLike,
                      span: float) -> tuple[float, float]:
    """(s, SE(s)) from value-added estimates, their SEs and the students' score SDs (module
    docstring, :func:`mean_effect_size`); (NaN, NaN) without any estimate.

    >>> s, se = value_added_score([2.0, -1.0], [1.0, 1.0], [10.0, 10.0], 0.5)
    >>> round(s, 6), round(se, 6)             # ē = (0.2 − 0.1)/2, SE √(0.01 + 0.01)/2
    (0.55, 0.070711)
    """
    mean, se, m = mean_effect_size(estimates, ses, sds)
    if not m:
        return math.nan, math.nan
    return _clip01(0.5 + mean / (2 * span)), se / (2 * span)


def retention_score(dropouts: float, enrolled: float, zero_at: float) -> float:
    """1 − min(1, (d/n)/r₀); NaN without students.

    >>> retention_score(0, 400, 0.01), retention_score(2, 400, 0.01)   # 0.5 % of a 1 % scale
    (1.0, 0.5)
    """
    if not enrolled or math.isnan(enrolled):
        return math.nan
    return 1.0 - min(1.0, dropouts / enrolled / zero_at)


def balance_score(n_met: float, n_indicators: int = 7) -> float:
    """k of the seven indicators met, as a share.

    >>> round(balance_score(6), 4)
    0.8571
    """
    return math.nan if math.isnan(n_met) else float(n_met) / n_indicators


def teacher_score(in_programme: float, teachers: float, full_at: float) -> float:
    """min(1, (k/n)/f); NaN without teachers.

    >>> teacher_score(3, 20, 0.25), teacher_score(8, 20, 0.25)
    (0.6, 1.0)
    """
    if not teachers:
        return math.nan
    return min(1.0, in_programme / teachers / full_at)


def goal_score(statuses: Iterable[str]) -> float:
    """(on track + ½ at risk) / counted; NaN when no goal is counted.

    >>> goal_score(["on_track", "at_risk", "off_track", "pending"])
    0.5
    """
    counted = [s for s in statuses if s in ("on_track", "at_risk", "off_track")]
    if not counted:
        return math.nan
    return (counted.count("on_track") + 0.5 * counted.count("at_risk")) / len(counted)


def total_score(scores: Mapping[str, tuple[float, float]], weights: Mapping[str, float]
                ) -> tuple[float, float, dict[str, float]]:
    """(T, SE(T), points per component) over the components with a positive weight and a score
    (module docstring); (NaN, NaN, {}) when none has both.

    >>> total_score({"a": (1.0, 0.0), "b": (0.5, 0.1), "c": (math.nan, math.nan)},
    ...             {"a": 30, "b": 10, "c": 60})
    (87.5, 2.5, {'a': 75.0, 'b': 12.5})
    """
    used = {c: (s, se) for c, (s, se) in scores.items()
            if weights.get(c, 0) > 0 and not math.isnan(s)}
    total_w = sum(weights[c] for c in used)
    if not used or total_w <= 0:
        return math.nan, math.nan, {}
    points = {c: 100 * weights[c] * s / total_w for c, (s, _) in used.items()}
    var = sum((weights[c] * (0.0 if math.isnan(se) else se)) ** 2 for c, (_, se) in used.items())
    return sum(points.values()), 100 * math.sqrt(var) / total_w, points


def _se(ses: pd.Series, unit: object) -> float:
    x = float(ses.get(unit, 0.0))
    return 0.0 if math.isnan(x) else x


def tie_bands(totals: pd.Series, ses: pd.Series, z: float = TIE_Z) -> pd.Series:
    """Each unit's band (module docstring): the position of the band's first unit in the order
    of the totals; units without a total get <NA>.

    >>> t = pd.Series({"A": 80.0, "B": 78.0, "C": 70.0, "D": 69.0})
    >>> tie_bands(t, pd.Series({"A": 1.0, "B": 1.0, "C": 1.0, "D": 1.0})).tolist()
    [1, 1, 3, 3]
    """
    order = totals.dropna().sort_values(ascending=False, kind="stable")
    band = pd.Series(pd.NA, index=totals.index, dtype="Int64")
    lead, lead_pos = None, 0
    for pos, unit in enumerate(order.index, start=1):
        if lead is not None:
            se = math.hypot(_se(ses, lead), _se(ses, unit))
            if order[lead] - order[unit] <= z * se:
                band[unit] = lead_pos
                continue
        lead, lead_pos = unit, pos
        band[unit] = pos
    return band
