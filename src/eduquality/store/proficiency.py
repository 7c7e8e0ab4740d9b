"""Reads of the 合格考 results (table ``proficiency_result``, migration 18): for the importer
(the sittings already on record, to tell a 补考) and the analysis (the rates).

Column contract of :func:`proficiency_results`: student_id, subject_code, sitting ('YYYY-MM'),
grade, passed, retake, school_code (NULL: no class that school year), one row per student,
subject and sitting, ordered by sitting, subject and student.

Column contract of :func:`proficiency_students`: student_id, national_id, name, cohort (the year
the student entered 高一), school_code, class_id, class_name, grade, year_code — the student's
latest 高中 class on record (grade 10–12), one row per student with a 合格考 result, ordered by
student.
"""

from __future__ import annotations

import pandas as pd

from eduquality.store.db import Source, connection_of

__all__ = ["has_proficiency_results", "proficiency_results", "proficiency_students"]


def proficiency_results(source: Source) -> pd.DataFrame:
    """Every 合格考 result on record (module docstring)."""
    return connection_of(source).execute(
        """SELECT student_id, subject_code, sitting, grade, passed, retake, school_code
           FROM proficiency_result ORDER BY sitting, subject_code, student_id""").df()


def proficiency_students(source: Source) -> pd.DataFrame:
    """The students with a 合格考 result and their latest 高中 class (module docstring)."""
    return connection_of(source).execute(
        """SELECT student_id, national_id, name, cohort, school_code, class_id, class_name,
                  grade, year_code
           FROM (SELECT m.student_id, s.national_id, s.name,
                        CAST(substr(m.year_code, 1, 4) AS INTEGER) - (c.grade - 10) AS cohort,
                        c.school_code, c.class_id, c.name AS class_name, c.grade, m.year_code,
                        ROW_NUMBER() OVER (PARTITION BY m.student_id
                                           ORDER BY m.year_code DESC) AS k
                 FROM class_membership m JOIN class c ON c.class_id = m.class_id
                 JOIN student s ON s.student_id = m.student_id
                 WHERE c.grade >= 10
                   AND m.student_id IN (SELECT student_id FROM proficiency_result)) t
           WHERE k = 1 ORDER BY student_id""").df()


def has_proficiency_results(source: Source) -> bool:
    """Whether any 合格考 result is on record (the navigation links the pages then)."""
    return bool(connection_of(source).execute(
        "SELECT count(*) FROM (SELECT 1 FROM proficiency_result LIMIT 1) t").fetchone()[0])
