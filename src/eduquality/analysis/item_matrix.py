"""A paper's item scores as a (students × items) matrix, read in one vectorised pass.

Item analysis, reliability and IRT work on matrices; the store keeps long rows
(paper_id, student_id, seq, score, choice). Only students present in the subject are included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from eduquality.store import Database
from eduquality.store.papers import paper_items, present_item_scores


@dataclass
class ItemMatrix:
    paper_id: str
    student_ids: np.ndarray
    """int array, sorted."""
    scores: np.ndarray
    """float (n_students × n_items); NaN = not answered / optional item not chosen."""
    choices: np.ndarray | None
    """object array of chosen options for objective items (None where no choices were given)."""
    items: pd.DataFrame
    """seq, item_no, item_type, full_marks, answer_key, ability_level, optional_group."""


def load_item_matrix(db: Database, paper_id: str) -> ItemMatrix:
    """Read ``paper_id``'s item scores of present students into a dense matrix."""
    items = paper_items(db, paper_id)
    long: pa.Table = present_item_scores(db, paper_id)
    sid = np.asarray(long.column("student_id").to_numpy(zero_copy_only=False))
    seq = np.asarray(long.column("seq").to_numpy(zero_copy_only=False))
    score = long.column("score").to_numpy(zero_copy_only=False).astype(np.float64)
    students, row = np.unique(sid, return_inverse=True)
    col = np.searchsorted(items["seq"].to_numpy(), seq)
    matrix = np.full((len(students), len(items)), np.nan)
    matrix[row, col] = score
    choice_col = long.column("choice")
    choices = None
    if choice_col.null_count < len(choice_col):
        choices = np.full((len(students), len(items)), None, dtype=object)
        choices[row, col] = np.asarray(choice_col.to_pylist(), dtype=object)
    return ItemMatrix(paper_id, students, matrix, choices, items)
