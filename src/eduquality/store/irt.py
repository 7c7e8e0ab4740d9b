"""Storing and reading IRT calibrations: item parameters and scale scores (migration 2).

``item_parameter`` rows (one per item) and ``scale_score`` rows (one per present student) of a
paper are replaced together by :func:`save_calibration`.
"""

from __future__ import annotations

import pandas as pd

from eduquality.store.db import Database

__all__ = ["item_parameters", "paper_scale", "save_calibration"]


def item_parameters(db: Database, paper_id: str) -> pd.DataFrame:
    """Every column of ``item_parameter`` for ``paper_id``, by seq (empty: not calibrated)."""
    return db.sql("SELECT * FROM item_parameter WHERE paper_id = ? ORDER BY seq", [paper_id])


def paper_scale(db: Database, paper_id: str) -> str | None:
    """The scale ``paper_id``'s parameters are expressed on (None: not calibrated)."""
    value = db.scalar("SELECT min(scale) FROM item_parameter WHERE paper_id = ?",
                      [paper_id])
    return None if value is None else str(value)


def save_calibration(db: Database, paper_id: str, parameters: pd.DataFrame,
                     scores: pd.DataFrame) -> None:
    """Replace ``paper_id``'s item parameters and scale scores in one transaction. Writes.

    ``parameters`` and ``scores`` carry columns of ``item_parameter`` and ``scale_score`` (by
    name; missing ones take their defaults)."""
    with db.write() as con:
        con.execute("DELETE FROM item_parameter WHERE paper_id = ?", [paper_id])
        con.execute("DELETE FROM scale_score WHERE paper_id = ?", [paper_id])
        for table, frame in (("item_parameter", parameters), ("scale_score", scores)):
            src = f"irt_{table}_df"
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            con.register(src, frame)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {src}")
            con.unregister(src)
