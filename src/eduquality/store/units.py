"""Names of the units results are grouped by: schools (and their peer groups), classes,
teachers. Not personal data of students: every role may read them."""

from __future__ import annotations

from eduquality.store.db import Database

__all__ = ["UNIT_NAME_KINDS", "unit_names"]

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
