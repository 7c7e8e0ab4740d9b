"""Whether a referenced object exists (an exam, school, class, teacher, student, district or
school year), the located NotFoundError when it does not, every key of one kind on record
(what an importer checks a file's references against), and the school years with their dates."""

from __future__ import annotations

from typing import Any

import pandas as pd

from eduquality.errors import NotFoundError
from eduquality.i18n import register, tr
from eduquality.store.db import Database

__all__ = ["REFS", "exists", "keys", "not_found", "require_ref", "school_years"]

MESSAGES = register({
    "access.unknown_ref": ("找不到{what} {value}", "{what} not found: {value}"),
})

REFS: dict[str, tuple[str, str, tuple[str, str]]] = {
    "exam": ("exam", "exam_id", ("考试", "exam")),
    "school": ("school", "school_code", ("学校", "school")),
    "class": ("class", "class_id", ("班级", "class")),
    "teacher": ("teacher", "teacher_id", ("教师", "teacher")),
    "student": ("student", "student_id", ("学生", "student")),
    "user": ("app_user", "username", ("用户", "user")),
    "district": ("district", "district_code", ("区县", "district")),
    "year": ("school_year", "year_code", ("学年", "school year")),
}
"""Kind of object → (table, key column, its name in (zh, en))."""


def exists(db: Database, kind: str, value: Any) -> bool:
    """Whether the ``kind`` object with key ``value`` is on record."""
    table, column, _ = REFS[kind]
    return bool(db.scalar(f"SELECT count(*) FROM {table} WHERE {column} = ?", [value]))


def keys(db: Database, kind: str) -> set[Any]:
    """Every key of the ``kind`` objects on record (school codes, school-year codes …)."""
    table, column, _ = REFS[kind]
    return {r[0] for r in db.con.execute(f"SELECT {column} FROM {table}").fetchall()}


def require_ref(db: Database, kind: str, value: Any, lang: str) -> None:
    """Raise NotFoundError unless the ``kind`` object with key ``value`` exists."""
    if not exists(db, kind, value):
        raise not_found(kind, value, lang)


def not_found(kind: str, value: Any, lang: str) -> NotFoundError:
    """The NotFoundError for an unknown ``kind`` object ``value``."""
    zh, en = REFS[kind][2]
    return NotFoundError(tr("access.unknown_ref", lang, what=en if lang == "en" else zh,
                            value=value))


def school_years(db: Database) -> pd.DataFrame:
    """Every school year on record: year_code, start_date, end_date, earliest first (by
    start_date)."""
    return db.sql("SELECT year_code, start_date, end_date FROM school_year ORDER BY start_date")
