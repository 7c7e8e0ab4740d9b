"""Scoped reads: rows a principal asked for, filtered *in the query* by their scope.

Students are minors (PIPL): every read of student-level data that a person asks for goes
through here (ID numbers masked by :func:`eduquality.store.masking.id_column`); the
``require_*`` checks tell an unknown object (NotFoundError) from one out of scope
(PermissionDenied).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from eduquality.errors import PermissionDenied
from eduquality.i18n import tr
from eduquality.store.db import Database
from eduquality.store.masking import id_column
from eduquality.store.policy import Scope
from eduquality.store.refs import exists, not_found, require_ref

__all__ = [
    "require_class",
    "require_exam",
    "require_school",
    "require_student",
    "scoped_classes",
    "scoped_exams",
    "scoped_results",
    "scoped_schools",
    "scoped_students",
    "scoped_unit_exams",
]


_REG = {"school_code": "g.school_code", "class_id": "g.class_id", "student_id": "g.student_id"}


def scoped_exams(db: Database, scope: Scope) -> pd.DataFrame:
    """Exams with at least one registration in the principal's exam scope, newest first."""
    return scoped_unit_exams(db, scope)


def scoped_unit_exams(db: Database, scope: Scope, *, school_code: str | None = None,
                      class_id: str | None = None) -> pd.DataFrame:
    """:func:`scoped_exams` narrowed to the exams in which ``school_code`` (or ``class_id``)
    has a registration that is in the principal's exam scope, newest first."""
    where, params = scope.sql("exam", _REG)
    for column, value in (("g.school_code", school_code), ("g.class_id", class_id)):
        if value is not None:
            where, params = f"{where} AND {column} = ?", [*params, value]
    return db.sql(f"""
        SELECT e.exam_id, e.name, e.exam_type, e.scope, e.year_code, e.term_no,
               CAST(e.exam_date AS VARCHAR) AS exam_date, e.grade
        FROM exam e
        WHERE EXISTS (SELECT 1 FROM exam_registration g
                      WHERE g.exam_id = e.exam_id AND {where})
        ORDER BY e.exam_date DESC NULLS LAST, e.exam_id""", params)


def require_exam(db: Database, scope: Scope, exam_id: str) -> None:
    """Raise NotFoundError for an unknown exam and PermissionDenied for an exam without any
    registration in the principal's exam scope.

    One query when the exam is in scope (every page view of an exam asks): a registration
    references its exam (a foreign key), so finding one in scope proves both; the exam is
    looked up only when none is found, to tell unknown from out of scope."""
    where, params = scope.sql("exam", _REG)
    if db.scalar(f"SELECT 1 FROM exam_registration g WHERE g.exam_id = ? AND {where} LIMIT 1",
                 [exam_id, *params]) is None:
        require_ref(db, "exam", exam_id, scope.lang)
        raise PermissionDenied(tr("access.denied", scope.lang, what=f"exam {exam_id}"))


def require_school(db: Database, scope: Scope, school_code: str) -> None:
    """NotFoundError for an unknown school; PermissionDenied outside the school scope."""
    require_ref(db, "school", school_code, scope.lang)
    scope.require("school", school_code=school_code)


def require_class(db: Database, scope: Scope, class_id: str) -> str:
    """The class's school code; NotFoundError for an unknown class, PermissionDenied outside
    the class scope."""
    school_code = db.scalar("SELECT school_code FROM class WHERE class_id = ?", [class_id])
    if school_code is None:
        raise not_found("class", class_id, scope.lang)
    scope.require("class", school_code=school_code, class_id=class_id)
    return str(school_code)


def require_student(db: Database, scope: Scope, student_id: int) -> pd.DataFrame:
    """The student's placements in scope (as :func:`scoped_students`); NotFoundError for an
    unknown student, PermissionDenied when no placement is in the student scope."""
    rows = scoped_students(db, scope, student_ids=[student_id])
    if rows.empty:
        if exists(db, "student", int(student_id)):
            raise PermissionDenied(tr("access.denied", scope.lang, what=f"student {student_id}"))
        raise not_found("student", student_id, scope.lang)
    return rows


def scoped_schools(db: Database, scope: Scope) -> pd.DataFrame:
    """Schools whose aggregates the principal may see, in school-code order."""
    where, params = scope.sql("school", {"school_code": "school_code"})
    return db.sql(f"SELECT school_code, name, stage, peer_group FROM school WHERE {where} "
                  "ORDER BY school_code", params)


def scoped_classes(db: Database, scope: Scope, school_code: str | None = None) -> pd.DataFrame:
    """Classes whose aggregates the principal may see (optionally of one school)."""
    where, params = scope.sql("class", {"school_code": "school_code", "class_id": "class_id"})
    if school_code is not None:
        where, params = f"{where} AND school_code = ?", [*params, school_code]
    return db.sql(f"""SELECT class_id, school_code, year_code, grade, name, head_teacher_id
                      FROM class WHERE {where} ORDER BY school_code, year_code, grade, class_id""",
                  params)


def _placements(exam_id: str | None) -> tuple[str, list[Any]]:
    """Where each student sits: an exam's registrations, or every class membership and
    registration on record (a student is in scope through any placement in scope)."""
    if exam_id is not None:
        return ("SELECT student_id, school_code, class_id FROM exam_registration "
                "WHERE exam_id = ?", [exam_id])
    return ("SELECT m.student_id, c.school_code, m.class_id FROM class_membership m "
            "JOIN class c USING (class_id) UNION "
            "SELECT student_id, school_code, class_id FROM exam_registration", [])


def scoped_students(
    db: Database, scope: Scope, *, exam_id: str | None = None, school_code: str | None = None,
    class_id: str | None = None, student_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Students in the principal's scope with name and ID number (masked unless the role may
    see it), one row per (student, school, class) placement; optionally narrowed to one exam's
    registrations, a school, a class or some students."""
    placements, params = _placements(exam_id)
    where, scope_params = scope.sql("student", _REG)
    extra = ""
    if school_code is not None:
        extra += " AND g.school_code = ?"
        scope_params = [*scope_params, school_code]
    if class_id is not None:
        extra += " AND g.class_id = ?"
        scope_params = [*scope_params, class_id]
    if student_ids is not None:
        ids = sorted({int(i) for i in student_ids})
        if not ids:
            extra += " AND FALSE"
        else:
            extra += f" AND g.student_id IN ({', '.join('?' * len(ids))})"
            scope_params = [*scope_params, *ids]
    return db.sql(f"""
        SELECT DISTINCT s.student_id, s.name, {id_column(scope, 's.national_id')} AS national_id,
               s.gender, g.school_code, g.class_id
        FROM ({placements}) g JOIN student s USING (student_id)
        WHERE {where}{extra}
        ORDER BY g.school_code, g.class_id, s.student_id""", [*params, *scope_params])


def scoped_results(db: Database, scope: Scope, exam_id: str | None = None,
                   student_id: int | None = None) -> pd.DataFrame:
    """Subject results in the principal's student scope: one row per (exam, paper, student)
    with the school and class of the registration, status and score (NULL unless present)."""
    where, params = scope.sql("student", _REG)
    if exam_id is not None:
        where, params = f"{where} AND p.exam_id = ?", [*params, exam_id]
    if student_id is not None:
        where, params = f"{where} AND r.student_id = ?", [*params, int(student_id)]
    return db.sql(f"""
        SELECT p.exam_id, r.paper_id, p.subject_code, p.full_marks, r.student_id,
               g.school_code, g.class_id, r.status,
               CASE WHEN r.status = 'present' THEN r.score END AS score
        FROM subject_result r JOIN paper p USING (paper_id)
        JOIN exam_registration g ON g.exam_id = p.exam_id AND g.student_id = r.student_id
        WHERE {where}
        ORDER BY p.exam_id, g.school_code, g.class_id, r.student_id, r.paper_id""", params)
