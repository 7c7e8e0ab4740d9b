"""Reads of the official admission lines (分数线) and score distributions (一分一段表).

Column contracts (DataFrames):

* :func:`cut_lines`: ``track`` (a ``vocab.TRACKS`` code, or None), ``line`` (line code, e.g.
  '一本'), ``score``; by track, highest line first.
* :func:`score_distribution`: ``track``, ``score``, ``count`` (students with that score).
"""

from __future__ import annotations

import pandas as pd

from eduquality.store.db import Database

__all__ = ["cut_lines", "district_province", "score_distribution"]


def cut_lines(db: Database, exam_kind: str, year: int) -> pd.DataFrame:
    """The official lines of ``exam_kind`` ('gaokao' | 'zhongkao') in ``year``."""
    return db.sql("""SELECT track, line_code AS line, score FROM cut_line
                     WHERE exam_kind = ? AND year = ? ORDER BY track, score DESC""",
                  [exam_kind, year])


def score_distribution(db: Database, exam_kind: str, year: int) -> pd.DataFrame:
    """The official 一分一段表 of ``exam_kind`` in ``year``."""
    return db.sql("""SELECT track, score, n AS count FROM score_distribution
                     WHERE exam_kind = ? AND year = ?""", [exam_kind, year])


def district_province(db: Database) -> str | None:
    """The district's province: ``district.province`` when set, else the one province of the
    imported official lines (``cut_line``); None when neither says (or the lines name several).
    """
    named = db.sql("SELECT DISTINCT province FROM district WHERE province IS NOT NULL")
    if len(named) == 1:
        return str(named["province"].iloc[0])
    lines = db.sql("SELECT DISTINCT province FROM cut_line WHERE province IS NOT NULL")
    return str(lines["province"].iloc[0]) if len(lines) == 1 else None
