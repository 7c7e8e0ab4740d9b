"""Exam registrations (考号): one per student, unique in the exam, checked against the
database; written so that two students swapping numbers never collide. Used by the score
importer and by rosters imported with ``--exam``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.problems import Problems
from eduquality.ingest.values import records
from eduquality.ingest.writes import changed_rows, pending_rows, replace_rows, upsert
from eduquality.store.db import Database
from eduquality.store.rosters import exam_numbers

MESSAGES = register({
    "ingest.exam_number_taken": ("考号已被另一名学生（学籍号 {other}）使用",
                                 "exam number already used by another student ({other})"),
    "ingest.exam_number_conflict": ("同一学生在另一工作表中的考号为 {other}",
                                    "the same student has exam number {other} in another sheet"),
})


def registrations(db: Database, exam_id: str, regs: list[pd.DataFrame],
                  problems: Problems, registered: pd.DataFrame | None = None) -> pd.DataFrame:
    """One registration per student; 考号 unique in the exam (file and database).

    ``regs``: frames of student_id, exam_number, school_code, class_id, national_id and the
    row and sheet they come from (for the problems); ``registered``: the exam's registrations
    (:func:`~eduquality.store.rosters.exam_numbers`) when the caller has read them already."""
    if not regs:
        return pd.DataFrame(columns=["exam_id", "student_id", "exam_number", "school_code",
                                     "class_id"])
    allr = pd.concat(regs, ignore_index=True)
    first = allr.drop_duplicates("student_id", keep="first")
    clash = allr.merge(first[["student_id", "exam_number"]], on="student_id",
                       suffixes=("", "_first"))
    for r in records(clash[clash["exam_number"] != clash["exam_number_first"]]):
        problems.add("ingest.exam_number_conflict", sheet=r.sheet, row=int(r.row),
                     value=r.exam_number, other=r.exam_number_first)
    taken = (exam_numbers(db, exam_id) if registered is None else registered).rename(columns={"student_id": "other_id",
                                                      "national_id": "other"})
    taken = taken[~taken["other_id"].isin(first["student_id"])]
    hit = first.merge(taken, on="exam_number")
    for r in records(hit):
        problems.add("ingest.exam_number_taken", sheet=r.sheet, row=int(r.row),
                     value=r.exam_number, other=r.other)
    dup_num = first[first["exam_number"].duplicated(keep=False)]
    for r in records(dup_num.drop_duplicates("exam_number", keep="first")):
        other = dup_num[(dup_num["exam_number"] == r.exam_number)
                        & (dup_num["student_id"] != r.student_id)]
        if len(other):
            problems.add("ingest.exam_number_taken", sheet=r.sheet, row=int(r.row),
                         value=r.exam_number, other=other["national_id"].iloc[0])
    out = first[["student_id", "exam_number", "school_code", "class_id"]].assign(exam_id=exam_id)
    out["student_id"] = out["student_id"].astype(np.int32)
    return out[["exam_id", "student_id", "exam_number", "school_code", "class_id"]]


def upsert_registrations(con: Any, regs: pd.DataFrame) -> int:
    """Update changed registrations in place, insert new ones. Students whose 考号 changes are
    deleted first, so that two students swapping numbers never collide on the unique 考号."""
    key = ["exam_id", "student_id"]
    if not pending_rows(con, "exam_registration", regs, key):
        return 0   # every registration already there as it is (the common re-import)
    renumbered = changed_rows(con, "exam_registration", regs[[*key, "exam_number"]], key)
    if not renumbered.empty:
        replace_rows(con, "exam_registration", regs.iloc[:0], key, keys=renumbered)
    return upsert(con, "exam_registration", regs, key)
