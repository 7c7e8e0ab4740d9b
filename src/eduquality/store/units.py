"""Names of the units results are grouped by: the district, schools (and their peer groups), classes,
teachers; the other names of schools (aliases, former names), the classes and the class lists
on record. Not personal data of students: every role may read them.

Column contracts (DataFrames): :func:`school_aliases`: ``school_code``, ``alias``;
:func:`classes`: ``class_id``, ``school_code``, ``year_code``, ``grade``, ``name``.
"""

from __future__ import annotations

import pandas as pd

from eduquality.store.db import Database, Source, connection_of

__all__ = ["UNIT_NAME_KINDS", "class_lists", "classes", "district_name", "school_aliases",
           "school_names", "unit_names"]

UNIT_NAME_KINDS = ("school", "peer", "class", "teacher")
"""The keys of :func:`unit_names`."""


def unit_names(db: Database, exam_id: str | None = None) -> dict[str, dict[str, str]]:
    """Display names by kind: ``"school"`` school_code → name, ``"peer"`` school_code → peer
    group ('' when none), ``"class"`` class_id → name, ``"teacher"`` teacher_id → name.

    With ``exam_id`` the classes are those with a registration in that exam; without, all."""
    schools = db.sql("SELECT school_code, name, coalesce(peer_group, '') AS peer FROM school")
    if exam_id is None:
        classes = db.sql("SELECT class_id, name FROM class")
    else:
        classes = db.sql("""SELECT DISTINCT c.class_id, c.name FROM class c
                            JOIN exam_registration r ON r.class_id = c.class_id
                            WHERE r.exam_id = ?""", [exam_id])
    teachers = db.sql("SELECT teacher_id, name FROM teacher")
    return {
        "school": dict(zip(schools["school_code"], schools["name"], strict=True)),
        "peer": dict(zip(schools["school_code"], schools["peer"], strict=True)),
        "class": dict(zip(classes["class_id"], classes["name"], strict=True)),
        "teacher": dict(zip(teachers["teacher_id"], teachers["name"], strict=True)),
    }


def school_names(db: Database) -> dict[str, str]:
    """Every school's registered name: school_code → name."""
    rows = db.con.execute("SELECT school_code, name FROM school").fetchall()
    return {str(code): str(name) for code, name in rows}


def district_name(db: Database) -> str:
    """The district's name ('' when no district is on record)."""
    return str(db.scalar("SELECT name FROM district LIMIT 1") or "")


def school_aliases(db: Database) -> pd.DataFrame:
    """The other names of schools (aliases, abbreviations, former names; any kind)."""
    return db.sql("SELECT school_code, alias FROM school_alias")


def classes(source: Source, year_code: str | None = None) -> pd.DataFrame:
    """The classes on record (of ``year_code`` when given). ``source`` may be the connection of
    a write transaction, to see the classes it has just written."""
    where, params = ("WHERE year_code = ?", [year_code]) if year_code is not None else ("", [])
    return connection_of(source).execute(
        f"SELECT class_id, school_code, year_code, grade, name FROM class {where}", params).df()


def class_lists(db: Database) -> set[tuple[str, str]]:
    """The (school_code, year_code) pairs whose classes came from a class list (班级 sheet)."""
    rows = db.con.execute("SELECT school_code, year_code FROM class_list").fetchall()
    return {(str(s), str(y)) for s, y in rows}
