"""A target's trajectory and an indicator's status on it: on track, at risk, off track.

Kinds of target (the plan file's ``target.kind``):

- ``level``: reach ``value`` by ``year`` from the baseline (b₀ in year y₀) along the straight
  path  expected(y) = b₀ + (value − b₀) · (y − y₀) / (year − y₀)  (the value itself from the
  target year on). 人均受教育年限 12 by 2022.
- ``step``: change by ``step`` each year from the baseline: expected(y) = b₀ + step · (y − y₀)
  (一本上线率 +4 points a year; the same rule as :func:`eduquality.measures.forecast.plan_progress`).
- ``hold``: be at least (direction ``up``) or at most (``down``) ``value`` in every year
  (高中阶段毛入学率 ≥ 99 %; zero dropouts: at most 0).
- ``rising``: above the year before, every year (中职升学率逐年增长): expected(y) = value(y − 1).
- ``band``: stay within [``low``, ``high``] (中职 and 普高 enrolment about equal).

Status of a year's value v with its interval [lo, hi] (NaN when the value has no sampling
error) against expected e (direction up; mirrored for down):

- on track: v ≥ e (``rising``: v > e);
- at risk: v falls short, but e lies inside the interval (hi ≥ e: the shortfall may be chance),
  or the shortfall is within the indicator's ``tolerance`` (same unit as the value);
- off track: v falls short by more than both;
- no data: no value, or no expected value (no baseline).

The interval is the value's 95 % uncertainty (Wilson or Garwood, see
:mod:`eduquality.measures.indicators`). Comparing the observed value with the straight path from
baseline to target is how progress toward the SDG targets is assessed (UN Statistics Division,
*SDG Progress Chart*, technical note: actual against required progress); the at-risk band, a
shortfall that chance or the tolerance can explain, is this project's rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from eduquality.errors import KeyedError
from eduquality.i18n import register

__all__ = [
    "DIRECTIONS",
    "KINDS",
    "STATUSES",
    "Target",
    "TrajectoryError",
    "expected_value",
    "status",
    "track",
]

KINDS = ("level", "step", "hold", "rising", "band")
DIRECTIONS = ("up", "down")
STATUSES = ("on_track", "at_risk", "off_track", "no_data")

MESSAGES = register({
    "trajectory.on_track": ("达标进度内", "on track"),
    "trajectory.at_risk": ("有风险", "at risk"),
    "trajectory.off_track": ("未达进度", "off track"),
    "trajectory.no_data": ("无数据", "no data"),
    "trajectory.pending": ("待评定", "pending"),
    "trajectory.columns": ("缺少列：{cols}", "missing columns: {cols}"),
})


class TrajectoryError(KeyedError):
    """Input to a trajectory computation is invalid."""


@dataclass(frozen=True)
class Target:
    """A target as the plan file states it (see the module docstring for the kinds)."""

    kind: str
    direction: str = "up"
    value: float | None = None
    year: int | None = None
    step: float | None = None
    low: float | None = None
    high: float | None = None
    tolerance: float = 0.0


def _nan(x: float | None) -> bool:
    return x is None or math.isnan(x)


def expected_value(target: Target, year: int, baseline_year: int | None,
                   baseline: float | None, previous: float | None = None) -> float:
    """The value the path asks for in ``year`` (NaN when it cannot be said: before the
    baseline year, without a baseline value, or for ``rising`` without last year's value;
    ``band`` has no single value: NaN, see :func:`status`).

    >>> t = Target("level", value=12.0, year=2022)
    >>> expected_value(t, 2020, 2018, 10.8)              # 10.8 + 1.2 · 2/4
    11.4
    >>> round(expected_value(Target("step", step=4.0), 2021, 2018, 20.0), 6)   # 20 + 3 · 4
    32.0
    >>> expected_value(Target("hold", value=99.0), 2019, None, None)
    99.0
    """
    if target.kind == "hold":
        return float(target.value) if target.value is not None else math.nan
    if target.kind == "band":
        return math.nan
    if target.kind == "rising":
        return math.nan if _nan(previous) else float(previous)  # type: ignore[arg-type]
    if baseline_year is None or _nan(baseline) or year < baseline_year:
        return math.nan
    b = float(baseline)  # type: ignore[arg-type]
    if target.kind == "step":
        return b + float(target.step or 0.0) * (year - baseline_year)
    # level
    if target.value is None or target.year is None:
        return math.nan
    if year >= target.year or target.year == baseline_year:
        return float(target.value)
    return b + (float(target.value) - b) * (year - baseline_year) / (target.year - baseline_year)


def status(value: float, expected: float, target: Target, low: float = math.nan,
           high: float = math.nan) -> str:
    """on_track / at_risk / off_track / no_data of ``value`` (interval [low, high]) against
    ``expected`` (module docstring).

    >>> status(30.0, 32.0, Target("step", step=4.0), 24.1, 36.2)   # short, within the interval
    'at_risk'
    >>> status(30.0, 32.0, Target("step", step=4.0))                # short, no interval
    'off_track'
    >>> status(0.0, 0.0, Target("hold", direction="down", value=0.0))
    'on_track'
    >>> status(1.08, math.nan, Target("band", low=0.9, high=1.1))
    'on_track'
    """
    if _nan(value):
        return "no_data"
    if target.kind == "band":
        lo_b = -math.inf if target.low is None else target.low
        hi_b = math.inf if target.high is None else target.high
        if lo_b <= value <= hi_b:
            return "on_track"
        gap = lo_b - value if value < lo_b else value - hi_b
        overlaps = not (_nan(low) or _nan(high)) and high >= lo_b and low <= hi_b
        within = target.tolerance > 0 and gap <= target.tolerance
        return "at_risk" if overlaps or within else "off_track"
    if _nan(expected):
        return "no_data"
    sign = 1.0 if target.direction == "up" else -1.0
    gap = sign * (value - expected)           # ≥ 0: where the path asks or better
    met = gap > 0 if target.kind == "rising" else gap >= -1e-12
    if met:
        return "on_track"
    reach = high if sign > 0 else low         # the interval's end on the path's side
    if not _nan(reach) and sign * (reach - expected) >= 0:
        return "at_risk"
    return "at_risk" if target.tolerance > 0 and -gap <= target.tolerance else "off_track"


def track(series: pd.DataFrame, target: Target, baseline_year: int | None,
          baseline: float | None = None) -> pd.DataFrame:
    """Each year of ``series`` (columns year, value and optionally low, high) with expected,
    gap (value − expected) and status. Without ``baseline``, the series' own value in
    ``baseline_year`` is the baseline (NaN when it has none).

    >>> s = pd.DataFrame({"year": [2018, 2019, 2020], "value": [20.0, 25.0, 26.0]})
    >>> track(s, Target("step", step=4.0), 2018)[["expected", "status"]].values.tolist()
    [[20.0, 'on_track'], [24.0, 'on_track'], [28.0, 'off_track']]
    """
    need = {"year", "value"}
    if not need <= set(series.columns):
        raise TrajectoryError("trajectory.columns", cols=sorted(need - set(series.columns)))
    s = series.sort_values("year").reset_index(drop=True).copy()
    for col in ("low", "high"):
        if col not in s.columns:
            s[col] = math.nan
    if baseline is None and baseline_year is not None:
        at_base = s.loc[s["year"] == baseline_year, "value"]
        baseline = float(at_base.iloc[0]) if len(at_base) else math.nan
    values = s["value"].to_numpy(dtype=float)
    years = s["year"].to_numpy(dtype=int)
    lows, highs = s["low"].to_numpy(dtype=float), s["high"].to_numpy(dtype=float)
    expected, statuses = [], []
    for i in range(len(s)):
        prev = values[i - 1] if i > 0 and years[i - 1] == years[i] - 1 else math.nan
        e = expected_value(target, int(years[i]), baseline_year, baseline, prev)
        expected.append(e)
        statuses.append(status(float(values[i]), e, target, float(lows[i]), float(highs[i])))
    s["expected"] = expected
    s["gap"] = s["value"] - s["expected"]
    s["status"] = statuses
    return s
