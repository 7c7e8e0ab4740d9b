"""Reads of the official 等级赋分 (table ``official_scaled_score``, migration 17): the
province's converted 再选 scores imported with an exam's score file (the 高考's).

Column contract of :func:`official_scaled`: ``student_id``, ``subject_code``, ``scaled``
(the official 赋分); one row per student and 再选 paper of the exam that has one.
"""

from __future__ import annotations

import pandas as pd

from eduquality.store.db import Source, connection_of

__all__ = ["official_scaled"]


def official_scaled(source: Source, exam_id: str) -> pd.DataFrame:
    """The official 赋分 stored for ``exam_id`` (empty: the exam has none; its 赋分 is computed
    over its own candidates)."""
    con = connection_of(source)
    return con.execute(
        "SELECT o.student_id, p.subject_code, o.score AS scaled "
        "FROM official_scaled_score o JOIN paper p ON p.paper_id = o.paper_id "
        "WHERE p.exam_id = ? ORDER BY o.student_id, p.subject_code", [exam_id]).df()
