"""Use case: 等级赋分 of an exam's 再选 subjects and its 新高考 3+1+2 totals. Writes nothing.

Which rule (:func:`exam_rule`): the district's province (:func:`eduquality.store.lines.
district_province`) and the 高考 year of the exam's cohort (the school year's end + 12 − grade;
the 高考 itself is in its own year) → :func:`eduquality.measures.scaling_rules.rule_for`. No rule
(the old regime, or a province without rules) → nothing is converted.

Who is converted (:func:`add_scaled_scores`): the students whose papers at this exam are a 3+1+2
set — 语文, 数学, 外语, exactly one of 物理/历史 and exactly two of the rule's 再选 subjects.
Before 选科 (a 高一 exam where everyone sits every subject) nobody is, so nothing changes.

Reference population of each 再选 subject: the exam's own valid candidates in it, both tracks
together — the district's distribution, as districts do for their mocks. An exam whose score
file came with the official 赋分 (the 高考: the province converts over the whole province's
candidates, which the district does not hold; table ``official_scaled_score``, read by
:func:`eduquality.store.scaled.official_scaled`) is not converted again: its stored official
赋分 count (:func:`exam_official`, the ``official`` argument below), and the analysis' method
note says which basis it used (:func:`eduquality.analysis.exam.method_notes`).

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

from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from eduquality.analysis.tables import subject_results, total_results
from eduquality.measures.gaokao_scaling import (
    FIRST_CHOICE,
    NEW_REGIME_CORE,
    grade_of_scaled,
    new_regime_totals,
    scale_scores,
)
from eduquality.measures.scaling_rules import (
    ExamLike,
    ScalingRule,
    cohort_gaokao_year,
    exam_rule_for,
)
from eduquality.store import Database
from eduquality.store.exams import find_exam
from eduquality.store.lines import district_province
from eduquality.store.scaled import official_scaled

__all__ = ["add_scaled_scores", "cohort_gaokao_year", "counted_scores", "exam_official",
           "exam_rule", "exam_totals", "scaled_totals"]


def exam_rule(db: Database, exam: ExamLike) -> ScalingRule | None:
    """The 赋分 rule of this exam's cohort in the district's province, or None (old regime):
    :func:`eduquality.measures.scaling_rules.exam_rule_for`."""
    return exam_rule_for(district_province(db), exam)


def exam_totals(db: Database, exam_id: str, con: Any = None,
                subjects: ir.Table | None = None) -> ir.Table:
    """The 总分 rows of ``exam_id`` as they count — :func:`eduquality.analysis.tables.
    total_results` with the 3+1+2 total and track of the new regime's students
    (:func:`scaled_totals`): the one source of an exam's totals for every use case. ``con``:
    the Ibis backend the rows are read on (default: the store's DuckDB; Spark for
    ``--engine spark``); ``subjects``: the exam's :func:`~eduquality.analysis.tables.
    subject_results` already read (an in-memory table: the joins are not run again)."""
    con = con if con is not None else db.ibis(exam_id)
    record = find_exam(db, exam_id)
    rule = None if record is None else exam_rule(db, record)
    official = exam_official(db, exam_id) if rule is not None else None
    subjects = subjects if subjects is not None else subject_results(con, exam_id)
    return scaled_totals(subjects, total_results(con, exam_id, subjects), rule, official)


def exam_official(db: Database, exam_id: str) -> pd.DataFrame | None:
    """The official 赋分 imported for ``exam_id`` (``student_id``, ``subject_code``,
    ``scaled``), or None when it has none (its 赋分 is then converted over its candidates)."""
    found = official_scaled(db, exam_id)
    return None if found.empty else found


def _new_regime_students(subjects: pd.DataFrame, rule: ScalingRule) -> pd.Index:
    papers = subjects.groupby("student_id")["subject_code"].agg(frozenset)
    core, first, electives = set(NEW_REGIME_CORE), set(FIRST_CHOICE), set(rule.subjects)
    ok = papers.map(lambda s: core <= s and len(s & first) == 1 and len(s & electives) == 2
                    and s <= core | first | electives)
    return papers.index[ok.to_numpy(dtype=bool)]


def add_scaled_scores(students: pd.DataFrame, rule: ScalingRule | None,
                      official: pd.DataFrame | None = None) -> pd.DataFrame:
    """``students`` (one row per student and subject, 'total' rows included: the frame of
    :func:`eduquality.analysis.exam.student_scores`) with ``new_regime``, ``scaled_score``,
    ``scaled_grade`` and, for the new regime's students, ``track`` set to their first choice
    (module docstring). ``rule`` None: the columns are added empty. ``official`` (the
    exam's imported official 赋分, :func:`exam_official`): the 再选 scores are taken from it
    (a score it lacks stays NaN, and so does that student's total) and graded by the rule's
    ranges (:func:`~eduquality.measures.gaokao_scaling.grade_of_scaled`) instead of
    converted over the exam's candidates."""
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
    converted = _converted(df.loc[elective], rule, official)
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


def _converted(rows: pd.DataFrame, rule: ScalingRule,
               official: pd.DataFrame | None) -> pd.DataFrame:
    """``grade`` and ``scaled`` of the 再选 ``rows``: the official 赋分 when given, else the
    conversion over these rows (per subject)."""
    if official is None:
        return scale_scores(rows["score"], rule.scheme, group=rows["subject_code"])
    table = official.set_index(["student_id", "subject_code"])["scaled"]
    table = table[~table.index.duplicated(keep="last")]
    keys = pd.MultiIndex.from_arrays([rows["student_id"], rows["subject_code"]])
    scaled = pd.Series(table.reindex(keys).to_numpy(dtype=float), index=rows.index)
    scaled = scaled.where(rows["score"].notna())  # 缺考: no 赋分 counts
    return pd.DataFrame({"grade": grade_of_scaled(scaled, rule.scheme), "scaled": scaled})


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


def scaled_totals(subjects: ir.Table, totals: ir.Table, rule: ScalingRule | None,
                  official: pd.DataFrame | None = None) -> ir.Table:
    """The exam's total rows (:func:`eduquality.analysis.tables.total_results`) with, for the
    new regime's students, the 3+1+2 total as ``score`` and the first choice as ``track``
    (same columns and types; an in-memory table when anything changes, ``totals`` itself
    otherwise). The conversion (or the ``official`` 赋分) is :func:`add_scaled_scores`'."""
    if rule is None:
        return totals
    subj: Any = subjects.execute()
    tot: Any = totals.execute()
    scaled = add_scaled_scores(pd.concat([subj, tot], ignore_index=True), rule, official)
    rows = scaled[(scaled["subject_code"] == "total") & scaled["new_regime"]]
    if rows.empty:
        return totals
    by_student = rows.set_index("student_id")
    regime = tot["student_id"].isin(by_student.index).to_numpy()
    ids = tot.loc[regime, "student_id"]
    tot.loc[regime, "score"] = by_student["scaled_score"].reindex(ids).to_numpy()
    tot.loc[regime, "track"] = by_student["track"].reindex(ids).to_numpy()
    return ibis.memtable(tot, schema=totals.schema())
