"""Use case: 义务教育优质均衡 of the district in a year (教督〔2017〕6号, issue 13 §2): each
compulsory school's seven resource indicators from the school-condition statistics
(:mod:`eduquality.store.statistics`, template 办学条件) over its enrolment, its compliance, the
enrolment-weighted 差异系数 of every indicator per level, and the schools and indicators that hold
the district back (:mod:`eduquality.measures.balance`).

Levels: primary schools against the primary standards, junior and nine-year schools against the
junior ones (the data hold one set of resources per school; the 办法 splits a nine-year school
into its two parts). Enrolment: the school's students with a class in the school year starting in
``year`` (:func:`eduquality.store.plan_data.student_counts`).

The quality dimension (:func:`balance_quality`, the rules of
:func:`eduquality.measures.balance.quality_row`): the year's 巩固率 over the students of grades
1–9, the 残疾儿童少年入学率 against the entered statistic ``disabled_children_school_age``, and
the share at or above the good line in every monitoring exam of a compulsory grade that school
year (its stored analysis). Reads only (a stale exam analysis is recomputed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from eduquality.config import Settings
from eduquality.measures.balance import (
    INDICATORS,
    QUALITY_COLUMNS,
    balance_summary,
    quality_row,
    resource_indicators,
    school_compliance,
)
from eduquality.store import Database
from eduquality.store.exams import district_exams_of_school_year
from eduquality.store.plan_data import dropout_counts, student_counts
from eduquality.store.statistics import statistic_values

__all__ = ["COMPULSORY_GRADES", "LEVEL_OF_STAGE", "BalanceStatus", "balance_quality",
           "balance_status"]

COMPULSORY_GRADES = list(range(1, 10))

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


def _year_total(frame: pd.DataFrame, year: int, flag: str | None = None) -> float:
    rows = frame[frame["year"] == year]
    if flag is not None:
        rows = rows[rows[flag].astype(bool)]
    return float(rows["value"].sum())


def balance_quality(db: Database, year: int, settings: Settings) -> pd.DataFrame:
    """The quality dimension of 优质均衡 in ``year`` (module docstring): one row per indicator
    (and per monitoring exam and subject), columns :data:`~eduquality.measures.balance
    .QUALITY_COLUMNS`. An indicator without data has no value (NaN), never 0."""
    from eduquality.analysis.stored import stored_analysis

    grades = {"grades": COMPULSORY_GRADES}
    enrolled = student_counts(db, grades)
    rows = []
    n = _year_total(enrolled, year)
    if n > 0:
        rows.append(quality_row("consolidation", n - _year_total(dropout_counts(db, grades), year),
                                n))
    disabled = statistic_values(db, ["disabled_children_school_age"])
    disabled = disabled[(disabled["year"] == year) & (disabled["school_code"] == "")]
    rows.append(quality_row("disabled_enrolment", _year_total(enrolled, year, "disabled"),
                            float(disabled["value"].sum()) if len(disabled) else math.nan))
    for exam in district_exams_of_school_year(db, f"{year}-{year + 1}", ["monitoring"]):
        analysis = stored_analysis(db, exam.exam_id, settings)
        if analysis.exam.grade not in COMPULSORY_GRADES:
            continue
        for r in analysis.summaries["district"].to_dict("records"):
            if r["subject_code"] == "total" or pd.isna(r.get("good_rate")) or not r["n"]:
                continue
            rows.append(quality_row("monitoring_level", round(float(r["good_rate"]) * r["n"]),
                                    float(r["n"]), item=f"{exam.exam_id} {r['subject_code']}"))
    return pd.DataFrame(rows, columns=QUALITY_COLUMNS)
