"""Reads about exams: one exam's record, its subjects, the exams related to it.

Results are typed: :class:`ExamRecord` for exam rows, lists of exam IDs otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from eduquality.store.db import Database
from eduquality.vocab import SUBJECTS

__all__ = [
    "ExamRecord",
    "busiest_exam_with_items",
    "cohort_exam_ids",
    "district_exams_of_school_year",
    "exam_data_fingerprint",
    "exam_subject_codes",
    "exams_of_type",
    "exams_of_year",
    "find_exam",
    "later_cohort_exam_ids",
    "latest_exam_id",
]

_COLUMNS = ("exam_id, name, exam_type, scope, year_code, term_no, "
            "CAST(exam_date AS VARCHAR) AS exam_date, grade")


@dataclass(frozen=True)
class ExamRecord:
    """One row of ``exam``."""

    exam_id: str
    name: str
    exam_type: str
    """A code of ``vocab.EXAM_TYPES`` ('monitoring', 'mock', 'gaokao', …)."""
    scope: str
    year_code: str
    """The school year, '2021-2022'."""
    term_no: int | None
    exam_date: str | None
    """ISO date 'YYYY-MM-DD', or None when not recorded."""
    grade: int


def _record(row: tuple[Any, ...]) -> ExamRecord:
    exam_id, name, exam_type, scope, year_code, term_no, exam_date, grade = row
    return ExamRecord(str(exam_id), str(name), str(exam_type), str(scope), str(year_code),
                      None if term_no is None else int(term_no),
                      None if exam_date is None else str(exam_date)[:10], int(grade))


def _records(db: Database, where: str, params: list[Any]) -> list[ExamRecord]:
    rows = db.con.execute(f"SELECT {_COLUMNS} FROM exam WHERE {where}", params).fetchall()
    return [_record(r) for r in rows]


def find_exam(db: Database, exam_id: str) -> ExamRecord | None:
    """The exam ``exam_id``, or None when there is none."""
    found = _records(db, "exam_id = ?", [exam_id])
    return found[0] if found else None


def exam_subject_codes(db: Database, exam_id: str) -> list[str]:
    """The subject codes of the exam's papers, in the subjects' canonical order
    (:data:`eduquality.vocab.SUBJECTS`: 语文, 数学, 英语, …; a code outside it after them, by
    code). A subject with one paper per track appears once per paper. The order is the same
    on DuckDB and PostgreSQL and does not depend on when a paper was entered or changed."""
    rows = db.con.execute(
        "SELECT subject_code FROM paper WHERE exam_id = ? ORDER BY subject_code, paper_id",
        [exam_id]).fetchall()
    canonical = {code: i for i, code in enumerate(SUBJECTS.codes())}
    codes = [str(r[0]) for r in rows]
    return sorted(codes, key=lambda code: (canonical.get(code, len(canonical)), code))


def cohort_exam_ids(db: Database, exam: ExamRecord, exam_type: str) -> list[str]:
    """Earlier exams of ``exam``'s cohort: of type ``exam_type``, one grade lower per school
    year back; most recent first (school year, then exam date, undated last)."""
    year_start = int(exam.year_code[:4])
    rows = db.con.execute(
        """SELECT exam_id FROM exam
           WHERE exam_type = ? AND exam_id <> ?
             AND CAST(substr(year_code, 1, 4) AS INTEGER) < ?
             AND grade = ? - (? - CAST(substr(year_code, 1, 4) AS INTEGER))
           ORDER BY year_code DESC, exam_date DESC NULLS LAST""",
        [exam_type, exam.exam_id, year_start, exam.grade, year_start]).fetchall()
    return [str(r[0]) for r in rows]


def later_cohort_exam_ids(db: Database, exam: ExamRecord) -> list[str]:
    """Later exams of ``exam``'s cohort, of any type but the same scope: one grade higher per
    school year on; within the same school year only exams dated after ``exam`` (an undated
    one cannot be placed). In time order (school year, then date, undated last)."""
    year_start = int(exam.year_code[:4])
    rows = db.con.execute(
        """SELECT exam_id FROM exam
           WHERE scope = ? AND exam_id <> ?
             AND grade = ? + (CAST(substr(year_code, 1, 4) AS INTEGER) - ?)
             AND (CAST(substr(year_code, 1, 4) AS INTEGER) > ?
                  OR (year_code = ? AND CAST(exam_date AS DATE) > CAST(? AS DATE)))
           ORDER BY year_code, exam_date NULLS LAST, exam_id""",
        [exam.scope, exam.exam_id, exam.grade, year_start, year_start, exam.year_code,
         exam.exam_date]).fetchall()
    return [str(r[0]) for r in rows]


def exams_of_year(db: Database, year_code: str, grade: int,
                  exam_types: list[str]) -> list[ExamRecord]:
    """Exams of one school year and grade whose type is one of ``exam_types``, by exam date."""
    if not exam_types:
        return []
    marks = ", ".join("?" * len(exam_types))
    return _records(db, f"grade = ? AND year_code = ? AND exam_type IN ({marks}) "
                        "ORDER BY exam_date", [grade, year_code, *exam_types])


def district_exams_of_school_year(db: Database, year_code: str,
                                  exam_types: list[str]) -> list[ExamRecord]:
    """Exams of one school year organised above the school (scope district, city or province)
    whose type is one of ``exam_types``, by grade and exam ID."""
    if not exam_types:
        return []
    marks = ", ".join("?" * len(exam_types))
    return _records(db, f"year_code = ? AND scope <> 'school' AND exam_type IN ({marks}) "
                        "ORDER BY grade, exam_id", [year_code, *exam_types])


def exams_of_type(db: Database, exam_type: str) -> list[ExamRecord]:
    """Every exam of ``exam_type``, by school year."""
    return _records(db, "exam_type = ? ORDER BY year_code", [exam_type])


def senior_exams(db: Database, min_grade: int = 11) -> list[ExamRecord]:
    """Exams of grade ``min_grade`` and above (高二, 高三: after 选科), latest first."""
    return _records(db, "grade >= ? ORDER BY exam_date DESC NULLS LAST, exam_id", [min_grade])


def busiest_exam_with_items(db: Database, exam_type: str) -> str | None:
    """The latest exam of ``exam_type`` with item scores that involves the most schools (ties:
    the higher grade); None when there is none."""
    row = db.con.execute("""
        SELECT e.exam_id FROM exam e JOIN exam_registration r USING (exam_id)
        WHERE e.exam_type = ?
          AND EXISTS (SELECT 1 FROM paper p JOIN item_score s USING (paper_id)
                      WHERE p.exam_id = e.exam_id)
        GROUP BY e.exam_id, e.year_code, e.grade
        ORDER BY e.year_code DESC, count(DISTINCT r.school_code) DESC, e.grade DESC LIMIT 1""",
                         [exam_type]).fetchone()
    return None if row is None else str(row[0])


def latest_exam_id(db: Database) -> str | None:
    """The exam of the latest school year (ties: the first exam ID); None when there is none."""
    row = db.con.execute("SELECT exam_id FROM exam ORDER BY year_code DESC, exam_id LIMIT 1"
                         ).fetchone()
    return None if row is None else str(row[0])


def exam_list(db: Database, *, unregistered_only: bool = False) -> pd.DataFrame:
    """Exams as ``exam_id``, ``name``, ``year_code``, latest first; ``unregistered_only``: those
    no student is registered for yet (just defined, awaiting scores)."""
    where = (" WHERE exam_id NOT IN (SELECT DISTINCT exam_id FROM exam_registration)"
             if unregistered_only else "")
    return db.sql("SELECT exam_id, name, year_code FROM exam" + where
                  + " ORDER BY exam_date DESC NULLS LAST, exam_id")


def exams_with_results(db: Database) -> list[str]:
    """Every exam with at least one subject result, by exam id."""
    return [str(r[0]) for r in db.con.execute(
        "SELECT DISTINCT p.exam_id FROM paper p JOIN subject_result r USING (paper_id) "
        "ORDER BY 1").fetchall()]


def exam_data_fingerprint(db: Database, exam_id: str) -> tuple[Any, ...]:
    """A cheap summary of what an exam analysis reads: when it changes, re-analyse.

    Subject results (count and sum), registrations, teaching assignments and the import log:
    the newest import that wrote (a file skipped as unchanged changes nothing) and may concern
    this exam (score and paper imports of another exam do not; rosters, lines and the rest
    may); item scores arrive through imports (the log), and scanning them on every request
    would cost as much as the analysis itself. Stored analyses are keyed by it (:mod:`eduquality.analysis.stored`)."""
    row = db.con.execute("""
        SELECT (SELECT count(*) FROM subject_result r JOIN paper p USING (paper_id)
                WHERE p.exam_id = $1),
               (SELECT coalesce(sum(r.score), 0) FROM subject_result r JOIN paper p
                USING (paper_id) WHERE p.exam_id = $1),
               (SELECT count(*) FROM exam_registration WHERE exam_id = $1),
               (SELECT count(*) FROM teaching_assignment),
               (SELECT coalesce(max(import_id), 0) FROM import_log
                WHERE outcome = 'imported'
                  AND NOT (kind IN ('scores', 'paper') AND target IS NOT NULL
                           AND target <> $1 AND NOT starts_with(target, $1 || '/')))""",
                         [exam_id]).fetchone()
    return tuple(row or ())
