"""Reads of the 合格考 results (table ``proficiency_result``, migration 18): for the importer
(the sittings already on record, to tell a 补考) and the analysis (the rates).

Column contract of :func:`proficiency_results`: student_id, subject_code, sitting ('YYYY-MM'),
grade, passed, retake, school_code (NULL: no class that school year), one row per student,
subject and sitting, ordered by sitting, subject and student.
"""

from __future__ import annotations

import pandas as pd

from eduquality.store.db import Source, connection_of

__all__ = ["has_proficiency_results", "proficiency_results"]


def proficiency_results(source: Source) -> pd.DataFrame:
    """Every 合格考 result on record (module docstring)."""
    return connection_of(source).execute(
        """SELECT student_id, subject_code, sitting, grade, passed, retake, school_code
           FROM proficiency_result ORDER BY sitting, subject_code, student_id""").df()


def has_proficiency_results(source: Source) -> bool:
    """Whether any 合格考 result is on record (the navigation links the pages then)."""
    return bool(connection_of(source).execute(
        "SELECT count(*) FROM (SELECT 1 FROM proficiency_result LIMIT 1) t").fetchone()[0])
