"""Use case: 义务教育优质均衡 of the district in a year (教督〔2017〕6号, issue 13 §2): each
compulsory school's seven resource indicators from the school-condition statistics
(:mod:`eduquality.store.statistics`, template 办学条件) over its enrolment, its compliance, the
enrolment-weighted 差异系数 of every indicator per level, and the schools and indicators that hold
the district back (:mod:`eduquality.measures.balance`).

Levels: primary schools against the primary standards, junior and nine-year schools against the
junior ones (the data hold one set of resources per school; the 办法 splits a nine-year school
into its two parts). Enrolment: the school's students with a class in the school year starting in
``year`` (:func:`eduquality.store.plan_data.student_counts`). Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from eduquality.measures.balance import (
    INDICATORS,
    balance_summary,
    resource_indicators,
    school_compliance,
)
from eduquality.store import Database
from eduquality.store.plan_data import student_counts
from eduquality.store.statistics import statistic_values

__all__ = ["LEVEL_OF_STAGE", "BalanceStatus", "balance_status"]

LEVEL_OF_STAGE = {"primary": "primary", "junior": "junior", "nine_year": "junior"}
"""School stage → the level of standards it is assessed against."""


@dataclass
class BalanceStatus:
    """Per level ('primary', 'junior'): ``schools`` (the seven indicators, students, n_met,
    lowest_ratio, complies per school), ``summary`` (per indicator: standard, mean, cv, limit,
    within, schools_below) and ``shortfalls`` (school, indicator, value, standard, gap, ratio)."""

    year: int
    schools: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: dict[str, pd.DataFrame] = field(default_factory=dict)
    shortfalls: dict[str, pd.DataFrame] = field(default_factory=dict)


def balance_status(db: Database, year: int) -> BalanceStatus:
    """优质均衡 of ``year`` for the schools that have school-condition statistics that year."""
    stats = statistic_values(db, [s for s, _ in INDICATORS.values()])
    stats = stats[(stats["year"] == year) & (stats["school_code"] != "")]
    counts = stats.pivot_table(index="school_code", columns="stat_code", values="value",
                               aggfunc="sum")
    enrolled = student_counts(db, {"stages": list(LEVEL_OF_STAGE)})
    enrolled = enrolled[enrolled["year"] == year]
    n = enrolled.groupby("school_code")["value"].sum()
    stage = enrolled.groupby("school_code")["stage"].first()
    students = {str(k): float(v) for k, v in n.items()}
    out = BalanceStatus(year)
    for level in ("primary", "junior"):
        members = [s for s in counts.index if LEVEL_OF_STAGE.get(stage.get(s, "")) == level]
        if not members:
            continue
        ind = resource_indicators(counts.loc[members], students)
        per_school = ind.join(n.rename("students")).join(school_compliance(ind, level))
        out.schools[level] = per_school
        out.summary[level], out.shortfalls[level] = balance_summary(ind, students, level)
    return out
