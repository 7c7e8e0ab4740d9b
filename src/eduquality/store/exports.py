"""The clean merged results of an exam, one row per student and subject, for export.

Rows are filtered in the query by the reader's scope (:mod:`eduquality.store.access`) and ID
numbers are masked in the query unless asked for in full by a reader whose role may see them (``full_national_id``:
admin only), with :func:`~eduquality.store.access.mask_sql` — the same rule as
:func:`~eduquality.store.access.mask_national_id`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from eduquality.store.db import Database
from eduquality.store.masking import mask_sql
from eduquality.store.policy import Scope

_REG = {"school_code": "g.school_code", "class_id": "g.class_id", "student_id": "g.student_id"}


def result_rows(db: Database, scope: Scope, exam_id: str, subject_code: str | None = None,
                full_ids: bool = False) -> pd.DataFrame:
    """Subject results of ``exam_id`` (of one subject when ``subject_code``): national_id
    (masked unless ``full_ids`` is asked for and the scope may see it), exam_number, name, school_code, class_name,
    subject_code, track, status (the stored code), score (NULL unless present).

    Ordered by school, class, exam number and subject. Every student has one paper per subject
    (the paper of his track), so (student, subject) is unique."""
    where, params = scope.sql("student", _REG)
    full = full_ids and scope.can("full_national_id")
    nid = "s.national_id" if full else mask_sql("s.national_id")
    extra: list[Any] = []
    if subject_code is not None:
        where += " AND p.subject_code = ?"
        extra.append(subject_code)
    return db.sql(f"""
        SELECT {nid} AS national_id, g.exam_number, s.name, g.school_code,
               c.name AS class_name, p.subject_code, p.track, r.status,
               CASE WHEN r.status = 'present' THEN r.score END AS score
        FROM subject_result r
        JOIN paper p USING (paper_id)
        JOIN exam_registration g ON g.exam_id = p.exam_id AND g.student_id = r.student_id
        JOIN student s ON s.student_id = r.student_id
        LEFT JOIN class c ON c.class_id = g.class_id
        WHERE p.exam_id = ? AND {where}
        ORDER BY g.school_code, c.name, g.exam_number, p.subject_code""",
                  [exam_id, *params, *extra])
