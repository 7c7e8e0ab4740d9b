"""义务教育优质均衡 (教督〔2017〕6号《县域义务教育优质均衡发展督导评估办法》): the seven resource
indicators of each school against their standards, each school's compliance, and the
enrolment-weighted between-school 差异系数 (coefficient of variation) of each indicator.

The seven indicators (per school; primary / junior standards, GLOSSARY 优质均衡):

====================================  ==========================================  ======  ======
code                                  indicator                                   小学    初中
====================================  ==========================================  ======  ======
qualified_teachers_per_100            每百名学生拥有高于规定学历教师数              4.2     5.3
backbone_teachers_per_100             每百名学生拥有县级以上骨干教师数              1.0     1.0
pe_art_teachers_per_100               每百名学生拥有体育、艺术（美术、音乐）专任教师数  0.9     0.9
teaching_floor_area_per_student       生均教学及辅助用房面积（平方米）              4.5     5.8
sports_area_per_student               生均体育运动场馆面积（平方米）                7.5     10.2
equipment_value_per_student           生均教学仪器设备值（元）                      2000    2500
multimedia_classrooms_per_100         每百名学生拥有网络多媒体教室数                2.3     2.4
====================================  ==========================================  ======  ======

- A school complies (:func:`school_compliance`) when at least 6 of the 7 reach their standard
  and every one is at least 85 % of it.
- For each indicator the between-school 差异系数 (:func:`weighted_cv`), with Pᵢ the enrolment of
  school i and P = ΣPᵢ: mean X̄ = ΣPᵢXᵢ / P, SD = √(ΣPᵢ(Xᵢ − X̄)² / P), CV = SD / X̄ — at most
  0.50 for primary schools and 0.45 for junior schools (the 办法's formula: a population SD
  weighted by enrolment, not the sample SD of the GLOSSARY's score summaries).

The quality dimension (the 办法's 第三章 教育质量, the part the data support), each a share with
its 95 % Wilson interval against its target (:data:`QUALITY_TARGETS`, :func:`quality_row`):

- ``consolidation`` 巩固率: the 办法 asks ≥ 95 % of a cohort from grade 1 to the end of grade 9;
  the data hold a few years of enrolment, so the share measured is the year's: 1 − dropouts of
  compulsory grades in the school year / students of compulsory grades (a year's retention;
  the 9-year cohort rate is its product over nine years);
- ``disabled_enrolment`` 残疾儿童少年入学率: students of compulsory grades flagged 残疾 / the
  school-age (6–15) children with disabilities of the district (statistic
  ``disabled_children_school_age``), ≥ 95 %;
- ``monitoring_level`` 监测结果: per monitoring exam of a compulsory grade and subject, the share
  of students at or above the good line (the 办法's "达到Ⅲ级以上", read as our 良好 line), ≥ 50 %
  here as a working target (the 办法 sets no share: the district's own choice).

Nine-year schools: the 办法 splits them into their primary and junior parts; the data here hold
one set of resources per school, so a caller assesses a school against one level.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from eduquality.measures.indicators import indicator_interval, indicator_value

__all__ = ["CV_LIMITS", "INDICATORS", "QUALITY_COLUMNS", "QUALITY_TARGETS", "STANDARDS",
           "balance_summary", "quality_row", "resource_indicators", "school_compliance",
           "weighted_cv"]

STANDARDS: dict[str, dict[str, float]] = {
    "qualified_teachers_per_100": {"primary": 4.2, "junior": 5.3},
    "backbone_teachers_per_100": {"primary": 1.0, "junior": 1.0},
    "pe_art_teachers_per_100": {"primary": 0.9, "junior": 0.9},
    "teaching_floor_area_per_student": {"primary": 4.5, "junior": 5.8},
    "sports_area_per_student": {"primary": 7.5, "junior": 10.2},
    "equipment_value_per_student": {"primary": 2000.0, "junior": 2500.0},
    "multimedia_classrooms_per_100": {"primary": 2.3, "junior": 2.4},
}
"""Indicator → level → standard (教督〔2017〕6号, 第二章第五条)."""

INDICATORS: dict[str, tuple[str, float]] = {
    "qualified_teachers_per_100": ("qualified_teachers", 100.0),
    "backbone_teachers_per_100": ("backbone_teachers", 100.0),
    "pe_art_teachers_per_100": ("pe_art_teachers", 100.0),
    "teaching_floor_area_per_student": ("teaching_floor_area", 1.0),
    "sports_area_per_student": ("sports_area", 1.0),
    "equipment_value_per_student": ("equipment_value", 1.0),
    "multimedia_classrooms_per_100": ("multimedia_classrooms", 100.0),
}
"""Indicator → (the school statistic it divides by enrolment, factor)."""

CV_LIMITS = {"primary": 0.50, "junior": 0.45}
"""Largest between-school 差异系数 allowed per level."""

MIN_MET = 6
FLOOR = 0.85

QUALITY_TARGETS = {"consolidation": 0.95, "disabled_enrolment": 0.95, "monitoring_level": 0.50}
"""The quality indicators' targets (shares; module docstring)."""

QUALITY_COLUMNS = ["indicator", "item", "numerator", "denominator", "value", "low", "high",
                   "target", "meets"]


def quality_row(indicator: str, numerator: float, denominator: float,
                item: str = "") -> dict[str, object]:
    """One quality indicator: value = numerator / denominator with its 95 % Wilson interval,
    its target and whether the value meets it (None when there is no value).

    >>> r = quality_row("consolidation", 990, 1000)
    >>> round(r["value"], 3), round(r["low"], 4), round(r["high"], 4), r["meets"]
    (0.99, 0.9817, 0.9946, True)
    """
    value = indicator_value(numerator, denominator, 1.0, None)
    low, high = indicator_interval(numerator, denominator, 1.0, "proportion")
    target = QUALITY_TARGETS[indicator]
    return {"indicator": indicator, "item": item, "numerator": numerator,
            "denominator": denominator, "value": value, "low": low, "high": high,
            "target": target, "meets": None if math.isnan(value) else bool(value >= target)}


def resource_indicators(counts: pd.DataFrame, students: Mapping[str, float]) -> pd.DataFrame:
    """The seven indicators per school: ``counts`` indexed by school with the statistics of
    :data:`INDICATORS` as columns (teachers, m², yuan, classrooms), ``students`` the enrolment.

    >>> c = pd.DataFrame({"qualified_teachers": [21.0], "backbone_teachers": [5.0],
    ...     "pe_art_teachers": [4.0], "teaching_floor_area": [2300.0], "sports_area": [4000.0],
    ...     "equipment_value": [1_100_000.0], "multimedia_classrooms": [12.0]}, index=["S1"])
    >>> resource_indicators(c, {"S1": 500}).loc["S1"].round(2).tolist()
    [4.2, 1.0, 0.8, 4.6, 8.0, 2200.0, 2.4]
    """
    n = pd.Series(students, dtype=float).reindex(counts.index)
    out = pd.DataFrame(index=counts.index)
    for code, (stat, factor) in INDICATORS.items():
        col = counts[stat] if stat in counts.columns else pd.Series(np.nan, index=counts.index)
        out[code] = col.astype(float) / n.where(n > 0) * factor
    return out


def school_compliance(indicators: pd.DataFrame, level: str) -> pd.DataFrame:
    """Per school: n_met (indicators at or above the standard), lowest ratio to the standard,
    complies (n_met ≥ 6 and every ratio ≥ 0.85). A school missing an indicator does not comply.

    >>> x = pd.DataFrame({k: [STANDARDS[k]["primary"]] for k in STANDARDS}, index=["A"])
    >>> x.loc["A", "sports_area_per_student"] = 6.5     # 6.5 / 7.5 = 0.867 ≥ 0.85
    >>> r = school_compliance(x, "primary").loc["A"]
    >>> int(r.n_met), round(float(r.lowest_ratio), 4), bool(r.complies)
    (6, 0.8667, True)
    """
    std = pd.Series({k: v[level] for k, v in STANDARDS.items()})
    ratio = indicators[list(std.index)].div(std, axis=1)
    met = (ratio >= 1 - 1e-12).sum(axis=1)
    lowest = ratio.min(axis=1, skipna=False)
    complete = ratio.notna().all(axis=1)
    return pd.DataFrame({"n_met": met.astype(int), "lowest_ratio": lowest,
                         "complies": complete & (met >= MIN_MET) & (lowest >= FLOOR - 1e-12)})


def weighted_cv(values: ArrayLike, weights: ArrayLike) -> float:
    """The enrolment-weighted 差异系数 of 教督〔2017〕6号: mean = ΣPᵢXᵢ/P,
    SD = √(ΣPᵢ(Xᵢ − mean)²/P), CV = SD/mean (NaN for no schools or a zero mean).

    >>> round(weighted_cv([4.0, 5.0, 6.0], [100, 200, 700]), 6)
    0.118451
    """
    x = np.asarray(values, dtype=float)
    p = np.asarray(weights, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(p))
    x, p = x[keep], p[keep]
    total = p.sum()
    if total <= 0:
        return math.nan
    mean = float((p * x).sum() / total)
    if mean == 0:
        return math.nan
    sd = math.sqrt(float((p * (x - mean) ** 2).sum() / total))
    return sd / mean


def balance_summary(indicators: pd.DataFrame, students: Mapping[str, float],
                    level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per indicator: standard, weighted mean, cv, limit, within (cv ≤ limit), schools below
    the standard; the shortfalls: school, indicator, value, standard, gap = value − standard,
    ratio) — where the district falls short, which schools and indicators hold it back and by
    how much."""
    n = pd.Series(students, dtype=float).reindex(indicators.index)
    rows, short = [], []
    for code, std in STANDARDS.items():
        x = indicators[code]
        cv = weighted_cv(x.to_numpy(), n.to_numpy())
        ok = x.notna() & n.notna()
        mean = float((x[ok] * n[ok]).sum() / n[ok].sum()) if n[ok].sum() > 0 else math.nan
        below = x[x < std[level] - 1e-12]
        rows.append({"indicator": code, "standard": std[level], "mean": mean, "cv": cv,
                     "limit": CV_LIMITS[level], "within": bool(cv <= CV_LIMITS[level] + 1e-12),
                     "schools_below": len(below)})
        short += [{"school": s, "indicator": code, "value": float(v), "standard": std[level],
                   "gap": float(v) - std[level], "ratio": float(v) / std[level]}
                  for s, v in below.items()]
    shortfalls = pd.DataFrame(short, columns=["school", "indicator", "value", "standard", "gap",
                                              "ratio"])
    return pd.DataFrame(rows), shortfalls.sort_values(["ratio"]).reset_index(drop=True)
