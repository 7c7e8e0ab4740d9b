"""Linking the same students across exams (进退步, growth, value-added).

Students are linked by their internal id (one per 学籍号), so a transfer between schools keeps
the link; the unit a student is credited to is the school/class at the *current* exam.
"""

from __future__ import annotations

import pandas as pd

from eduquality.store import Database


def cohort_exams(db: Database, exam_id: str, exam_type: str | None = None) -> list[str]:
    """Earlier exams of the same cohort as ``exam_id``: one grade lower per school year back,
    same exam type unless ``exam_type`` says otherwise; most recent first."""
    row = db.sql("SELECT exam_type, year_code, grade FROM exam WHERE exam_id = ?", [exam_id])
    if row.empty:
        return []
    kind = exam_type or str(row.exam_type.iloc[0])
    year_start = int(str(row.year_code.iloc[0])[:4])
    grade = int(row.grade.iloc[0])
    prior = db.sql(
        """SELECT exam_id FROM exam
           WHERE exam_type = ? AND exam_id <> ?
             AND CAST(substr(year_code, 1, 4) AS INTEGER) < ?
             AND grade = ? - (? - CAST(substr(year_code, 1, 4) AS INTEGER))
           ORDER BY year_code DESC, exam_date DESC NULLS LAST""",
        [kind, exam_id, year_start, grade, year_start])
    return list(prior.exam_id)


def linked_scores(db: Database, subject_code: str, current: str,
                  priors: list[str]) -> pd.DataFrame:
    """One row per student present in ``subject_code`` of the ``current`` exam: school_code,
    class_id (at the current exam), ``current`` score and one column ``prior_1`` … per prior exam
    (most recent first; NaN when absent or not taken)."""
    exams = [current, *priors]
    long = db.sql(
        f"""SELECT p.exam_id, r.student_id, r.score
            FROM subject_result r JOIN paper p USING (paper_id)
            WHERE p.subject_code = ? AND r.status = 'present'
              AND p.exam_id IN ({", ".join("?" * len(exams))})""",
        [subject_code, *exams])
    wide = long.pivot_table(index="student_id", columns="exam_id", values="score",
                            aggfunc="first")
    reg = db.sql("SELECT student_id, school_code, class_id FROM exam_registration "
                 "WHERE exam_id = ?", [current]).set_index("student_id")
    out = reg.join(wide.reindex(columns=exams), how="inner")
    out = out.dropna(subset=[current]).rename(
        columns={current: "current", **{e: f"prior_{i + 1}" for i, e in enumerate(priors)}})
    return out.reset_index()
