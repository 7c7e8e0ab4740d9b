"""Linking the same students across exams (进退步, growth, value-added).

Students are linked by their internal id (one per 学籍号), so a transfer between schools keeps
the link; the unit a student is credited to is the school/class at the *current* exam.
"""

from __future__ import annotations

import pandas as pd

from eduquality.store import Database
from eduquality.store.exams import cohort_exam_ids, find_exam
from eduquality.store.rosters import present_scores, registrations


def cohort_exams(db: Database, exam_id: str, exam_type: str | None = None) -> list[str]:
    """Earlier exams of the same cohort as ``exam_id``: one grade lower per school year back,
    same exam type unless ``exam_type`` says otherwise; most recent first."""
    exam = find_exam(db, exam_id)
    if exam is None:
        return []
    return cohort_exam_ids(db, exam, exam_type or exam.exam_type)


def linked_scores(db: Database, subject_code: str, current: str,
                  priors: list[str]) -> pd.DataFrame:
    """One row per student present in ``subject_code`` of the ``current`` exam: school_code,
    class_id (at the current exam), ``current`` score and one column ``prior_1`` … per prior exam
    (most recent first; NaN when absent or not taken)."""
    exams = [current, *priors]
    long = present_scores(db, subject_code, exams)
    wide = long.pivot_table(index="student_id", columns="exam_id", values="score",
                            aggfunc="first")
    reg = registrations(db, current)[["student_id", "school_code", "class_id"]
                                     ].set_index("student_id")
    out = reg.join(wide.reindex(columns=exams), how="inner")
    out = out.dropna(subset=[current]).rename(
        columns={current: "current", **{e: f"prior_{i + 1}" for i, e in enumerate(priors)}})
    return out.reset_index()
