"""Reads of the students' 选科 (新高考 3+1+2, table ``student_subject_choice``, migration 12).

Column contract of :func:`subject_choices`: ``student_id``, ``first_choice`` ('physics' or
'history'), ``second_1``, ``second_2`` (subject codes), ``changed`` (bool); one row per student
with a choice in the school year.
"""

from __future__ import annotations

import pandas as pd

from eduquality.store.db import Source, connection_of

__all__ = ["chosen_subjects", "subject_choices"]


def subject_choices(source: Source, year_code: str) -> pd.DataFrame:
    """The 选科 recorded for ``year_code``."""
    con = connection_of(source)
    return con.execute(
        "SELECT student_id, first_choice, second_1, second_2, changed "
        "FROM student_subject_choice WHERE year_code = ? ORDER BY student_id",
        [year_code]).df()


def chosen_subjects(source: Source, year_code: str) -> pd.DataFrame:
    """The same choices long: ``student_id``, ``subject_code`` (首选 and both 再选), three rows
    per student with a choice in ``year_code``."""
    wide = subject_choices(source, year_code)
    long = wide.melt(id_vars="student_id", value_vars=["first_choice", "second_1", "second_2"],
                     value_name="subject_code")
    return long[["student_id", "subject_code"]].sort_values(
        ["student_id", "subject_code"], ignore_index=True)
