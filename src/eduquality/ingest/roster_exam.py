"""A roster imported with ``--exam``: its 考号 column registers the students for that exam,
checked as a score sheet's registrations are (:mod:`eduquality.ingest.registrations`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.problems import Phrase, Problems, phrase
from eduquality.ingest.registrations import registrations, upsert_registrations
from eduquality.store.db import Database
from eduquality.store.exams import find_exam
from eduquality.store.students import student_ids

if TYPE_CHECKING:
    from eduquality.ingest.roster import Sheet

MESSAGES = register({
    "ingest.exam_other_year": (
        "考试 {exam} 属于 {exam_year} 学年，该行不是该学年的名单，考号无法登记",
        "exam {exam} belongs to school year {exam_year} and this row to another year: the "
        "exam number cannot be registered",
    ),
    "ingest.no_exam_number_column": (
        "指定了 --exam {exam}，但学生名单中没有「考号」列（准考证号、考试号）",
        "--exam {exam} was given but the student list has no 考号 column (准考证号, 考试号)",
    ),
    "ingest.note_registered": (
        "考试 {exam}：登记考号 {n} 个", "exam {exam}: {n} exam numbers registered",
    ),
    "ingest.note_not_registered": (
        "考试 {exam}：{n} 名学生没有填写考号，未登记", "exam {exam}: {n} students without a 考号 "
        "were not registered",
    ),
    # the dry run's wording (import check)
    "ingest.note_registered_check": (
        "考试 {exam}：将登记考号 {n} 个", "exam {exam}: {n} exam numbers would be registered",
    ),
    "ingest.note_not_registered_check": (
        "考试 {exam}：{n} 名学生没有填写考号，将不会登记", "exam {exam}: {n} students without a "
        "考号 would not be registered",
    ),
})


@dataclass
class Registrations:
    """The 考号 a roster gives for one exam: exam_id, national_id, exam_number, school_code,
    class_id (the student ids are known once the students are written)."""

    frame: pd.DataFrame

    def write(self, con: Any) -> int:
        """Register the students (a changed 考号 replaces the old one). Writes."""
        ids = student_ids(con)
        regs = self.frame.merge(ids, on="national_id")
        regs["student_id"] = regs["student_id"].astype(np.int32)
        return upsert_registrations(con, regs[["exam_id", "student_id", "exam_number",
                                               "school_code", "class_id"]])


def roster_registrations(db: Database, exam: str, sheets: list[Sheet], problems: Problems,
                         notes: list[Phrase], check: bool = False) -> Registrations | None:
    """考号 of the student sheets for ``exam``, checked as a score sheet's are
    (:func:`~eduquality.ingest.registrations.registrations`: one per student, unique in the
    exam); rows of another school year than the exam's are problems. Adds the counts to
    ``notes`` (``check``: in the dry run's wording, what the import would register)."""
    info = find_exam(db, exam)
    if info is None:
        problems.add("ingest.unknown_exam", exam=exam)
        return None
    exam_year = info.year_code
    students = [s for s in sheets if s.layout.kind == "student"]
    with_col = [s for s in students if s.cells.has("exam_number")]
    if not with_col:
        problems.add("ingest.no_exam_number_column", sheet=students[0].cells.grid.sheet
                     if students else None, exam=exam)
        return None
    parts = []
    blank = 0
    for s in with_col:
        fr, c = s.frame, s.cells
        has = (fr["exam_number"].notna() & fr["national_id"].notna()).to_numpy()
        blank += int((fr["exam_number"].isna() & fr["national_id"].notna()).sum())
        other = has & (fr["year_code"].notna() & (fr["year_code"] != exam_year)).to_numpy()
        c.report("exam_number", other, "ingest.exam_other_year", exam=exam, exam_year=exam_year)
        ok = has & ~other & fr["class_id"].notna().to_numpy()
        parts.append(fr.loc[ok, ["national_id", "exam_number", "school_code", "class_id"]]
                     .assign(row=c.rows[ok], sheet=c.grid.sheet))
    allr = pd.concat(parts, ignore_index=True)
    ids = student_ids(db)
    allr = allr.merge(ids, on="national_id", how="left")
    # students not yet in the database: distinct placeholder ids (never equal to a real one)
    placeholder = -1 - pd.factorize(allr["national_id"])[0]
    known_id = allr["student_id"].astype("Float64").fillna(0).to_numpy(dtype=float)
    allr["student_id"] = np.where(allr["student_id"].isna().to_numpy(), placeholder,
                                  known_id).astype(np.int64)
    regs = registrations(db, exam, [allr], problems)
    by_id = allr.drop_duplicates("student_id").set_index("student_id")["national_id"]
    regs = regs.assign(national_id=regs["student_id"].map(by_id)).drop(columns="student_id")
    dry = "_check" if check else ""
    notes.append(phrase(f"ingest.note_registered{dry}", exam=exam, n=len(regs)))
    if blank:
        notes.append(phrase(f"ingest.note_not_registered{dry}", exam=exam, n=blank))
    return Registrations(regs)
