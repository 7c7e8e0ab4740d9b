"""Reads that find students: by ID number (学籍号), by exam number (考号), by name within a class,
and the class each had in a school year. For the importers, which match the rows of a file to
the students on record.

Lookups over many keys are set-based: the distinct keys are registered as an Arrow table and
joined inside DuckDB, one query for 200,000 rows (never one query per row).

Column contracts (DataFrames; ``national_id`` is UNMASKED — for matching, never for display):

* :func:`student_ids`: ``national_id``, ``student_id``.
* :func:`students_without_events`: ``national_id``, ``student_id``.
* :func:`ids_by_national_id`, :func:`ids_by_exam_number`: ``k`` (the key), ``student_id``.

Who an ID names (one rule for every importer and the 控辍保学 reads): a 学籍号 is "G" + the
身份证号, and schools often type the 身份证号 (or a lower-case g) instead, so an ID is compared by
its :func:`person_key` (upper case, a leading G dropped; :func:`person_sql` in SQL), and a
new student's 学籍号 is stored in its :func:`canonical_national_id` form.
* :func:`year_roster`: ``student_id``, ``name``, ``national_id``, ``school_code``,
  ``class_name``, ``school_name``, ``grade``.
* :func:`exam_genders`: ``student_id``, ``gender`` ('M' | 'F' | None) of an exam's registered
  students.
* :func:`year_placements`: ``pos``, ``student_id``, ``roster_nid``, ``roster_name``,
  ``class_id``, ``school_code``, ``school_name``, ``roster_class``, ``class_track``; one row
  per ID asked for, in the order asked.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from eduquality.store.db import Database, Source, connection_of

__all__ = [
    "canonical_national_id",
    "canonical_national_ids",
    "exam_genders",
    "ids_by_exam_number",
    "ids_by_national_id",
    "person_key",
    "person_keys",
    "person_sql",
    "student_ids",
    "students_without_events",
    "year_placements",
    "year_roster",
]


def person_key(national_id: str | None) -> str | None:
    """The person behind an ID: the 身份证号 in upper case (a 学籍号 is G + 身份证号, so its
    leading G is dropped). The one rule; :func:`person_sql` is the same in SQL.

    >>> person_key("g530102201001011234")
    '530102201001011234'
    >>> person_key(" 53010220100101123x ")
    '53010220100101123X'
    """
    if national_id is None:
        return None
    s = str(national_id).strip().upper()
    return s[1:] if s.startswith("G") else s


def person_keys(ids: pd.Series) -> pd.Series:
    """:func:`person_key` of each ID of a column of text, in one vectorised pass (a roster of
    200,000 new students). Missing stays missing."""
    s = ids.astype("str").str.strip().str.upper()
    return s.where(~s.str.startswith("G", na=False), s.str.slice(1))


def person_sql(column: str) -> str:
    """:func:`person_key` of ``column`` as an SQL expression (DuckDB and PostgreSQL; no '%',
    so that it may stand in a query with parameters)."""
    return (f"CASE WHEN substr(upper(trim({column})), 1, 1) = 'G' "
            f"THEN substr(upper(trim({column})), 2) ELSE upper(trim({column})) END")


_ID_CARD = re.compile(r"[0-9]{17}[0-9X]")   # ASCII digits: the column rule (RE2) reads so too


def canonical_national_id(text: str | None) -> str | None:
    """A 学籍号 as stored: trimmed, upper case, and a bare 身份证号 (17 digits and a digit or X)
    with the G that the national 学籍号 puts in front of it. Same :func:`person_key` as the
    text; other IDs (临时学籍号 …) are kept as written, in upper case.

    >>> canonical_national_id(" 53010220100101123x "), canonical_national_id("g5301022010010112")
    ('G53010220100101123X', 'G5301022010010112')
    """
    if text is None:
        return None
    s = str(text).strip().upper()
    return "G" + s if _ID_CARD.fullmatch(s) else s


def canonical_national_ids(ids: pd.Series) -> pd.Series:
    """:func:`canonical_national_id` of each ID of a column of text, in one vectorised pass.
    Missing stays missing."""
    s = ids.astype("str").str.strip().str.upper()
    return s.where(~s.str.fullmatch(_ID_CARD.pattern, na=False), "G" + s)


def student_ids(source: Source) -> pd.DataFrame:
    """Every student's ID number and internal ID. ``source`` may be the connection of a write
    transaction, to see the students it has just written."""
    return connection_of(source).execute("SELECT national_id, student_id FROM student").df()


def students_without_events(source: Source) -> pd.DataFrame:
    """The students with no enrolment event (admission, transfer …) yet. ``source`` may be the
    connection of a write transaction."""
    return connection_of(source).execute(
        """SELECT national_id, student_id FROM student s
           WHERE NOT EXISTS (SELECT 1 FROM enrolment_event e
                             WHERE e.student_id = s.student_id)""").df()


def _by_keys(db: Database, sql: str, params: list[Any], keys: pa.Array) -> pd.DataFrame:
    """Run ``sql`` with ``keys`` registered as table ``_eq_keys`` (column ``k``)."""
    db.con.register("_eq_keys", pa.table({"k": keys.cast(pa.string())}))
    try:
        return db.con.sql(sql, params=params).df()
    finally:
        db.con.unregister("_eq_keys")


def ids_by_national_id(db: Database, keys: pa.Array) -> pd.DataFrame:
    """The student of each of ``keys`` (distinct ID numbers) that is on record: the student
    stored under the key itself, else the one student of the same :func:`person_key`
    ('530…' and 'g530…' find 'G530…'); a key that two students' IDs fit (stored both with
    and without the G) finds none. Columns ``k``, ``student_id``.

    Two steps: the exact IDs first, then the person rule for the keys left (usually none, and
    then no second query). In one statement, PostgreSQL ran ``NOT IN (the exact matches)``
    as a subplan per key: a 200,000-student sheet did not finish in 25 minutes."""
    exact = _by_keys(db, "SELECT k.k, s.student_id FROM _eq_keys k "
                         "JOIN student s ON s.national_id = k.k", [], keys)
    keys = keys.cast(pa.string())
    found = pa.array(exact["k"].astype("str").tolist(), type=pa.string())
    rest = keys.filter(pc.invert(pc.fill_null(pc.is_in(keys, value_set=found), True)))
    if len(rest) == 0:
        return exact
    loose = _by_keys(db, f"""
        SELECT k.k, min(s.student_id) AS student_id FROM _eq_keys k JOIN student s
          ON {person_sql("s.national_id")} = {person_sql("k.k")}
        GROUP BY k.k HAVING count(*) = 1""", [], rest)
    return pd.concat([exact, loose], ignore_index=True)


def ids_by_exam_number(db: Database, exam_id: str, keys: pa.Array) -> pd.DataFrame:
    """The student registered for ``exam_id`` under each of ``keys`` (distinct 考号) that is."""
    return _by_keys(db, "SELECT k.k, r.student_id FROM _eq_keys k "
                        "JOIN exam_registration r ON r.exam_number = k.k AND r.exam_id = ?",
                    [exam_id], keys)


def year_roster(db: Database, year_code: str, grade: int | None = None) -> pd.DataFrame:
    """Every student with a class in ``year_code`` (of ``grade`` when given): name, ID number,
    school and class names — to find a student by name within a school and class."""
    return db.sql("""SELECT s.student_id, s.name, s.national_id, c.school_code,
                            c.name AS class_name, sc.name AS school_name, c.grade
                     FROM class_membership m JOIN student s USING (student_id)
                     JOIN class c USING (class_id) JOIN school sc USING (school_code)
                     WHERE m.year_code = ? AND (CAST(? AS INTEGER) IS NULL OR c.grade = ?)""",
                  [year_code, grade, grade])


def year_placements(db: Database, year_code: str, student_ids: np.ndarray) -> pd.DataFrame:
    """For each of ``student_ids`` (−1: none; repeats allowed) in order: the student and the
    class, school and track the student had in ``year_code`` (NULL where none)."""
    keys = pa.table({"student_id": pa.array(student_ids, type=pa.int64()),
                     "pos": pa.array(np.arange(len(student_ids), dtype=np.int64))})
    db.con.register("_eq_sid", keys)
    try:
        relation = db.con.sql(
            """SELECT k.pos, s.student_id, s.national_id AS roster_nid, s.name AS roster_name,
                      c.class_id, c.school_code, sc.name AS school_name, c.name AS roster_class,
                      c.track AS class_track
               FROM _eq_sid k
               LEFT JOIN student s ON s.student_id = k.student_id
               LEFT JOIN class_membership m ON m.student_id = s.student_id AND m.year_code = ?
               LEFT JOIN class c ON c.class_id = m.class_id
               LEFT JOIN school sc ON sc.school_code = c.school_code
               ORDER BY k.pos""", params=[year_code])
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
        table: pa.Table = fetch()
    finally:
        db.con.unregister("_eq_sid")
    return table.to_pandas()


def exam_genders(db: Database, exam_id: str) -> pd.DataFrame:
    """The gender of every student registered for ``exam_id`` (for tables by gender)."""
    return db.sql("""SELECT r.student_id, s.gender FROM exam_registration r
                     JOIN student s USING (student_id) WHERE r.exam_id = ?
                     ORDER BY r.student_id""", [exam_id])
