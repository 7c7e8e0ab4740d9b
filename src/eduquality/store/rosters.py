"""Reads of who sat an exam, where, and who teaches them.

Column contracts (DataFrames):

* :func:`registrations`: ``student_id``, ``school_code``, ``class_id`` (NULL when the
  registration names no class), ``peer_group`` (of the school; NULL when none).
* :func:`subject_teachers`: ``class_id``, ``teacher_id``.
* :func:`registered_identities`: ``student_id``, ``national_id`` (UNMASKED), ``name``.
* :func:`present_scores`: ``exam_id``, ``student_id``, ``score``.
* :func:`exam_numbers`: ``exam_number``, ``student_id``, ``national_id`` (UNMASKED).
* :func:`schools_of_people`: a set of school codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from eduquality.store.db import Database

__all__ = [
    "Placement",
    "exam_numbers",
    "first_placement",
    "present_scores",
    "registered_identities",
    "registrations",
    "schools_of_people",
    "subject_teachers",
]


def registrations(db: Database, exam_id: str) -> pd.DataFrame:
    """One row per student registered for ``exam_id``: where they sat it."""
    return db.sql("""SELECT r.student_id, r.school_code, r.class_id, s.peer_group
                     FROM exam_registration r JOIN school s USING (school_code)
                     WHERE r.exam_id = ?""", [exam_id])


def exam_numbers(db: Database, exam_id: str) -> pd.DataFrame:
    """The 考号 of every student registered for ``exam_id``, with the student's ID number (an
    importer names the student who already holds a number a file gives to another).

    Read as Arrow (texts stay Arrow strings): for 200,000 registrations several times faster
    than a DataFrame built cell by cell, on both stores."""
    return db.con.sql("""SELECT r.exam_number, r.student_id, s.national_id
                         FROM exam_registration r JOIN student s USING (student_id)
                         WHERE r.exam_id = ?""", params=[exam_id]).to_arrow_table().to_pandas()


def subject_teachers(db: Database, subject_code: str) -> pd.DataFrame:
    """Who teaches ``subject_code`` in each class (teaching assignments)."""
    return db.sql("SELECT class_id, teacher_id FROM teaching_assignment WHERE subject_code = ?",
                  [subject_code])


def registered_identities(db: Database, exam_id: str) -> pd.DataFrame:
    """Name and unmasked ID number of every student registered for ``exam_id``.

    For documents that mask IDs themselves (``reports.policy``); a read a person asks for goes
    through :mod:`eduquality.store.scoped` instead."""
    return db.sql("""SELECT s.student_id, s.national_id, s.name FROM student s
                     JOIN exam_registration r ON r.student_id = s.student_id
                     WHERE r.exam_id = ?""", [exam_id])


def present_scores(db: Database, subject_code: str, exam_ids: list[str]) -> pd.DataFrame:
    """Scores in ``subject_code`` of the students present, in each of ``exam_ids`` (at least
    one)."""
    return db.sql(
        f"""SELECT p.exam_id, r.student_id, r.score
            FROM subject_result r JOIN paper p USING (paper_id)
            WHERE p.subject_code = ? AND r.status = 'present'
              AND p.exam_id IN ({", ".join("?" * len(exam_ids))})""",
        [subject_code, *exam_ids])


@dataclass(frozen=True)
class Placement:
    """Where one registered student sat an exam, and a teacher of their class."""

    school_code: str
    class_id: str | None
    student_id: int
    teacher_id: str | None


def first_placement(db: Database, exam_id: str) -> Placement | None:
    """A registration of ``exam_id`` whose class has a teacher when any has (first teacher ID,
    then first student ID); None when the exam has no registration."""
    row = db.con.execute("""SELECT r.school_code, r.class_id, r.student_id, t.teacher_id
                            FROM exam_registration r
                            LEFT JOIN teaching_assignment t ON t.class_id = r.class_id
                            WHERE r.exam_id = ? ORDER BY t.teacher_id NULLS LAST, r.student_id
                            LIMIT 1""", [exam_id]).fetchone()
    if row is None:
        return None
    school, class_id, student_id, teacher_id = row
    return Placement(str(school), None if class_id is None else str(class_id), int(student_id),
                     None if teacher_id is None else str(teacher_id))


def schools_of_people(db: Database, teacher_ids: list[str], national_ids: list[str]) -> set[str]:
    """The schools the given teachers belong to, and those of the given students' classes in
    their latest school year (students by 学籍号)."""
    codes: set[str] = set()
    if teacher_ids:
        codes |= {r[0] for r in db.con.execute(
            "SELECT DISTINCT school_code FROM teacher WHERE teacher_id = ANY(?)",
            [teacher_ids]).fetchall()}
    if national_ids:
        codes |= {r[0] for r in db.con.execute(
            "SELECT DISTINCT c.school_code FROM class_membership m "
            "JOIN class c USING (class_id) JOIN student s USING (student_id) "
            "WHERE s.national_id = ANY(?) AND m.year_code = (SELECT max(l.year_code) "
            "FROM class_membership l WHERE l.student_id = m.student_id)",
            [national_ids]).fetchall()}
    return codes
