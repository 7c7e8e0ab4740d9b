"""Indicator values in the DHIS2 manner: numerator / denominator × factor, rounded to the
indicator's decimals, with the interval that says how sure the value is.

An indicator (DHIS2 "indicator": numerator, denominator, factor, decimals) is

    value = numerator / denominator × factor

where the factor sets the unit: 100 for a percentage, 10 000 for "per 10 000 people", 1 for a
plain ratio or mean. A denominator of 1 makes the indicator a plain count (e.g. the number of
dropouts). A zero or missing denominator gives no value (NaN), never 0 or infinity.

Uncertainty (:func:`indicator_interval`), stated by the indicator's ``uncertainty``:

- ``"proportion"``: the numerator is a count of the denominator's members (上线 students among
  takers, students of quality schools among all). The value is read as an estimate of an
  underlying rate; the interval is Wilson's score interval for a binomial proportion (Wilson
  1927, *JASA* 22:209–212), recommended over the Wald interval for small n and rates near 0 or 1
  by Newcombe (1998, *Statistics in Medicine* 17:857–872) and Brown, Cai & DasGupta (2001,
  *Statistical Science* 16:101–133), then multiplied by the factor.
- ``"count"``: the numerator is a small count of events (dropouts): Garwood's exact Poisson
  interval for the count (Garwood 1936, *Biometrika* 28:437–442; lower = χ²(α/2; 2k)/2, upper =
  χ²(1 − α/2; 2k + 2)/2), divided by the denominator and multiplied by the factor.
- ``"none"``: a census or an administrative figure without sampling error (population, spending):
  no interval (NaN, NaN).
"""

from __future__ import annotations

import math

from scipy import stats

from eduquality.errors import KeyedError
from eduquality.i18n import register

__all__ = [
    "UNCERTAINTY",
    "IndicatorError",
    "garwood_interval",
    "indicator_interval",
    "indicator_value",
    "wilson_interval",
]

UNCERTAINTY = ("proportion", "count", "none")
"""The kinds of interval :func:`indicator_interval` knows."""

MESSAGES = register({
    "indicators.level": ("置信水平须在 (0, 1) 之间（现为 {level}）",
                         "the confidence level must lie in (0, 1) (got {level})"),
    "indicators.counts": ("计数须为不小于 0 的数，且分子不大于分母（分子 {k}，分母 {n}）",
                          "counts must be ≥ 0 and the numerator at most the denominator "
                          "(numerator {k}, denominator {n})"),
    "indicators.kind": ("未知的不确定性类型「{kind}」（proportion、count 或 none）",
                        "unknown uncertainty '{kind}' (proportion, count or none)"),
})


class IndicatorError(KeyedError):
    """Input to an indicator computation is invalid (message in zh; ``text(lang)``)."""


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def indicator_value(numerator: float | None, denominator: float | None, factor: float = 1.0,
                    decimals: int | None = None) -> float:
    """numerator / denominator × factor, rounded to ``decimals`` (None: not rounded); NaN when
    either is missing or the denominator is 0.

    >>> indicator_value(45, 180, 100, 1)          # 45 of 180 students: 25.0 %
    25.0
    >>> indicator_value(31_300, 1_476_000, 10_000, 0)   # 普高 students per 10 000 people
    212.0
    >>> indicator_value(3, 0, 100)
    nan
    """
    if _missing(numerator) or _missing(denominator) or denominator == 0:
        return math.nan
    value = float(numerator) / float(denominator) * factor  # type: ignore[arg-type]
    return round(value, decimals) if decimals is not None else value


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise IndicatorError("indicators.level", level=level)
    return 1 - level


def wilson_interval(k: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for the proportion k/n (Wilson 1927):

        centre = (p̂ + z²/2n) / (1 + z²/n),  half = z √(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n)

    with z the (1 + level)/2 normal quantile. (NaN, NaN) when n = 0.

    >>> [round(x, 4) for x in wilson_interval(8, 10)]   # statsmodels proportion_confint(8, 10, method='wilson')
    [0.4902, 0.9433]
    >>> wilson_interval(0, 10)[0]
    0.0
    """
    alpha = _check_level(level)
    if n == 0:
        return math.nan, math.nan
    if k < 0 or n < 0 or k > n:
        raise IndicatorError("indicators.counts", k=k, n=n)
    z = float(stats.norm.ppf(1 - alpha / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def garwood_interval(k: float, level: float = 0.95) -> tuple[float, float]:
    """Garwood's exact interval for a Poisson count k (Garwood 1936):
    lower = χ²(α/2; 2k)/2 (0 when k = 0), upper = χ²(1 − α/2; 2k + 2)/2.

    >>> [round(x, 3) for x in garwood_interval(0)]      # the 'rule of three': upper ≈ 3.689
    [0.0, 3.689]
    >>> [round(x, 3) for x in garwood_interval(4)]      # R: poisson.test(4)$conf.int → 1.0899, 10.2416
    [1.09, 10.242]
    """
    alpha = _check_level(level)
    if k < 0:
        raise IndicatorError("indicators.counts", k=k, n="-")
    low = 0.0 if k == 0 else float(stats.chi2.ppf(alpha / 2, 2 * k)) / 2
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * k + 2)) / 2
    return low, high


def indicator_interval(numerator: float | None, denominator: float | None, factor: float,
                       uncertainty: str, level: float = 0.95) -> tuple[float, float]:
    """The ``level`` interval of numerator / denominator × factor for the ``uncertainty`` kind
    (module docstring: ``proportion`` Wilson, ``count`` Garwood, ``none`` no interval).

    >>> [round(x, 2) for x in indicator_interval(8, 10, 100, "proportion")]
    [49.02, 94.33]
    >>> [round(x, 3) for x in indicator_interval(0, 500, 100, "count")]   # 0 dropouts of 500
    [0.0, 0.738]
    """
    if uncertainty not in UNCERTAINTY:
        raise IndicatorError("indicators.kind", kind=uncertainty)
    if (uncertainty == "none" or _missing(numerator) or _missing(denominator)
            or denominator == 0):
        return math.nan, math.nan
    k, n = float(numerator), float(denominator)  # type: ignore[arg-type]
    if uncertainty == "proportion":
        low, high = wilson_interval(k, n, level)
    else:
        low, high = (x / n for x in garwood_interval(k, level))
    return low * factor, high * factor
