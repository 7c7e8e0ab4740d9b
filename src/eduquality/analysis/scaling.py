"""Use case: 等级赋分 of an exam's 再选 subjects and its 新高考 3+1+2 totals. Writes nothing.

Which rule (:func:`exam_rule`): the district's province (:func:`eduquality.store.lines.
district_province`) and the 高考 year of the exam's cohort (the school year's end + 12 − grade;
the 高考 itself is in its own year) → :func:`eduquality.measures.scaling_rules.rule_for`. No rule
(the old regime, or a province without rules) → nothing is converted.

Who is converted (:func:`add_scaled_scores`): the students whose papers at this exam are a 3+1+2
set — 语文, 数学, 外语, exactly one of 物理/历史 and exactly two of the rule's 再选 subjects.
Before 选科 (a 高一 exam where everyone sits every subject) nobody is, so nothing changes.

Reference population of each 再选 subject: the exam's own valid candidates in it, both tracks
together — the district's distribution, as districts do for their mocks. For the 高考 the
official 赋分 is the province's (its population is the whole province); the district holds only
its own candidates, so the 高考's conversion here is the same rule over the district's
candidates, and the analysis' method note says so
(:func:`eduquality.analysis.exam.method_notes`): exact for mocks, an approximation of the
official 高考 赋分 until those can be imported.

Kept, both: ``score`` stays the raw score of every subject; the 总分 of a new-regime student is
the 3+1+2 total everywhere (:func:`scaled_totals` puts it into the exam's total rows before the
unit summaries, so bulletins and reports show the total that counts). ``scaled_score`` is the
score as it counts in the 3+1+2 total — raw for 语数外 and the 首选 subject, 赋分 for the 再选 subjects, and on the
'total' rows the 750 total (:func:`~eduquality.measures.gaokao_scaling.new_regime_totals`:
NaN unless all six scores are present) — and ``scaled_grade`` the 再选 grade (A–E);
``new_regime`` flags those students' rows and ``track`` is their first choice ('physics' 物理类,
'history' 历史类). :func:`counted_scores` is the one place that picks, per row, the score that
counts (``scaled_score`` in the new regime, ``score`` otherwise).
"""

from __future__ import annotations

from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from eduquality.analysis.tables import subject_results, total_results
from eduquality.measures.gaokao_scaling import (
    FIRST_CHOICE,
    NEW_REGIME_CORE,
    new_regime_totals,
    scale_scores,
)
from eduquality.measures.scaling_rules import ScalingRule, rule_for
from eduquality.store import Database
from eduquality.store.exams import find_exam
from eduquality.store.lines import district_province

__all__ = ["add_scaled_scores", "cohort_gaokao_year", "counted_scores", "exam_rule",
           "exam_totals", "scaled_totals"]


class _Exam(Protocol):
    """What the rule of an exam depends on (an ExamInfo or a store ExamRecord)."""

    @property
    def year_code(self) -> str: ...
    @property
    def grade(self) -> int: ...
    @property
    def exam_type(self) -> str: ...


def cohort_gaokao_year(exam: _Exam) -> int:
    """The 高考 year of the exam's cohort: the school year's end year + (12 − grade); a 高考
    is in its own year.

    >>> from eduquality.results import ExamInfo
    >>> info = ExamInfo("e", "期末", "final", "district", "2022-2023", 10, "2023-01-10", [])
    >>> cohort_gaokao_year(info)   # 高一 in 2022–23 → 高考 2025
    2025
    """
    end = int(exam.year_code[5:9])
    return end if exam.exam_type == "gaokao" else end + (12 - exam.grade)


def exam_rule(db: Database, exam: _Exam) -> ScalingRule | None:
    """The 赋分 rule of this exam's cohort in the district's province, or None (old regime)."""
    if exam.grade < 10:
        return None
    return rule_for(district_province(db), cohort_gaokao_year(exam))


def exam_totals(db: Database, exam_id: str, con: Any = None) -> ir.Table:
    """The 总分 rows of ``exam_id`` as they count — :func:`eduquality.analysis.tables.
    total_results` with the 3+1+2 total and track of the new regime's students
    (:func:`scaled_totals`): the one source of an exam's totals for every use case. ``con``:
    the Ibis backend the rows are read on (default: the store's DuckDB; Spark for
    ``--engine spark``)."""
    con = con if con is not None else db.ibis()
    record = find_exam(db, exam_id)
    rule = None if record is None else exam_rule(db, record)
    return scaled_totals(subject_results(con, exam_id), total_results(con, exam_id), rule)


def _new_regime_students(subjects: pd.DataFrame, rule: ScalingRule) -> pd.Index:
    papers = subjects.groupby("student_id")["subject_code"].agg(frozenset)
    core, first, electives = set(NEW_REGIME_CORE), set(FIRST_CHOICE), set(rule.subjects)
    ok = papers.map(lambda s: core <= s and len(s & first) == 1 and len(s & electives) == 2
                    and s <= core | first | electives)
    return papers.index[ok.to_numpy(dtype=bool)]


def add_scaled_scores(students: pd.DataFrame, rule: ScalingRule | None) -> pd.DataFrame:
    """``students`` (one row per student and subject, 'total' rows included: the frame of
    :func:`eduquality.analysis.exam.student_scores`) with ``new_regime``, ``scaled_score``,
    ``scaled_grade`` and, for the new regime's students, ``track`` set to their first choice
    (module docstring). ``rule`` None: the columns are added empty."""
    df = students.copy()
    df["new_regime"] = False
    df["scaled_score"] = np.nan
    df["scaled_grade"] = pd.Series(pd.NA, index=df.index, dtype="string")
    if rule is None or df.empty:
        return df
    is_total = (df["subject_code"] == "total").to_numpy()
    who = _new_regime_students(df.loc[~is_total], rule)
    if who.empty:
        return df
    mine = df["student_id"].isin(who).to_numpy()
    df.loc[mine, "new_regime"] = True
    elective = mine & df["subject_code"].isin(rule.subjects).to_numpy()
    converted = scale_scores(df.loc[elective, "score"], rule.scheme,
                             group=df.loc[elective, "subject_code"])
    plain = mine & ~is_total & ~elective
    df.loc[plain, "scaled_score"] = df.loc[plain, "score"]
    df.loc[elective, "scaled_score"] = converted["scaled"]
    df.loc[elective, "scaled_grade"] = converted["grade"].astype("string")
    wide = df.loc[mine & ~is_total].pivot(
        index="student_id", columns="subject_code", values="scaled_score")
    wide = wide.reindex(columns=[*NEW_REGIME_CORE, *FIRST_CHOICE, *rule.subjects])
    for code in ("politics", "geography", "chemistry", "biology"):
        if code not in wide.columns:
            wide[code] = np.nan
    totals = new_regime_totals(wide, rule.scheme, scale=False)
    at_total = mine & is_total
    ids = df.loc[at_total, "student_id"]
    df.loc[at_total, "scaled_score"] = totals["total"].reindex(ids).to_numpy()
    first = df.loc[mine & ~is_total & df["subject_code"].isin(FIRST_CHOICE).to_numpy()]
    track = dict(zip(first["student_id"], first["subject_code"], strict=False))
    df.loc[mine, "track"] = df.loc[mine, "student_id"].map(track).to_numpy()
    return df


def counted_scores(students: pd.DataFrame) -> pd.Series:
    """The score that counts, per row: ``scaled_score`` for a new-regime student (再选 赋分, the
    3+1+2 total), else the raw ``score``. The one place that chooses.

    >>> df = pd.DataFrame({"score": [80.0, 600.0], "scaled_score": [88.0, 612.0],
    ...                    "new_regime": [True, False]})
    >>> counted_scores(df).tolist()
    [88.0, 600.0]
    """
    if "new_regime" not in students.columns:
        return students["score"]
    regime = students["new_regime"].fillna(False).astype(bool)
    return students["scaled_score"].where(regime, students["score"]).rename("score")


def scaled_totals(subjects: ir.Table, totals: ir.Table, rule: ScalingRule | None) -> ir.Table:
    """The exam's total rows (:func:`eduquality.analysis.tables.total_results`) with, for the
    new regime's students, the 3+1+2 total as ``score`` and the first choice as ``track``
    (same columns and types; an in-memory table when anything changes, ``totals`` itself
    otherwise). The conversion is :func:`add_scaled_scores`'."""
    if rule is None:
        return totals
    subj: Any = subjects.execute()
    tot: Any = totals.execute()
    scaled = add_scaled_scores(pd.concat([subj, tot], ignore_index=True), rule)
    rows = scaled[(scaled["subject_code"] == "total") & scaled["new_regime"]]
    if rows.empty:
        return totals
    by_student = rows.set_index("student_id")
    regime = tot["student_id"].isin(by_student.index).to_numpy()
    ids = tot.loc[regime, "student_id"]
    tot.loc[regime, "score"] = by_student["scaled_score"].reindex(ids).to_numpy()
    tot.loc[regime, "track"] = by_student["track"].reindex(ids).to_numpy()
    return ibis.memtable(tot, schema=totals.schema())
