"""Student names and ID numbers for the reports, read from the store when the analysis lacks
them. The IDs stay unmasked in memory (to find a student by 学籍号); every renderer shows them
only through :func:`eduquality.reports.policy.mask_id`."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from eduquality.results import ExamAnalysis
from eduquality.store import Database


def with_identities(analysis: ExamAnalysis, db: Database) -> ExamAnalysis:
    """``analysis`` with ``name`` and the unmasked ``national_id`` on every student row. Reads."""
    st = analysis.students
    if st.empty or ("name" in st and "national_id" in st
                    and not st["national_id"].astype(str).str.contains(r"\*").any()):
        return analysis
    ids = db.sql("""SELECT s.student_id, s.national_id, s.name FROM student s
                    JOIN exam_registration r ON r.student_id = s.student_id
                    WHERE r.exam_id = ?""", [analysis.exam.exam_id])
    ids["student_id"] = ids["student_id"].astype(st["student_id"].dtype)
    merged = st.drop(columns=[c for c in ("name", "national_id") if c in st]).merge(
        ids, on="student_id", how="left")
    merged["name"] = merged["name"].fillna("")
    return replace(analysis, students=pd.DataFrame(merged))
