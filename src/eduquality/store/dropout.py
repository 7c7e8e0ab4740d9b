"""控辍保学 data (migration 15): enrolment histories, attendance, the register of school-age
children, and the follow-ups of alerts. Reads return whole-district frames for
:mod:`eduquality.analysis.dropout`, which applies the reader's scope and masks IDs; the one
write here is :func:`record_followup`.

Column contracts:

- :func:`student_facts`: student_id, person_id, national_id, name, gender, birth_date,
  poverty_registered, disabled, migrant, left_behind.
- :func:`enrolment_events`: student_id, event_date, event_type, school_code, note.
- :func:`memberships`: student_id, year_code, start_date, end_date, class_id, school_code,
  grade.
- :func:`attendance`: student_id, month, school_code, school_days, days_absent, sick_days,
  leave_days.
- :func:`followups`: followup_id, person_id, action, done_on, note, proof, recorded_by.
- :func:`exam_standing`: student_id, exam_id, year_code, exam_date, standing.
- :func:`children`: year, person_id, name, gender, birth_date, community, poverty_registered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from eduquality.store.audit import insert_audit
from eduquality.store.db import Database
from eduquality.store.principals import Principal
from eduquality.store.students import person_key, person_sql

__all__ = ["attendance", "child_person_ids", "children", "enrolment_events", "exam_standing",
           "followups", "memberships", "person_key", "record_followup", "student_facts",
           "warning_data_fingerprint"]


_PERSON_SQL = person_sql("national_id")


def student_facts(db: Database) -> pd.DataFrame:
    """Every student with the person key and the special-group flags."""
    return db.sql(f"""SELECT student_id, {_PERSON_SQL} AS person_id, national_id, name, gender,
                             birth_date, poverty_registered, disabled, migrant, left_behind
                      FROM student ORDER BY student_id""")


def enrolment_events(db: Database, until: dt.date | None = None) -> pd.DataFrame:
    """Enrolment events (dated on or before ``until`` when given), by student and date."""
    where, params = ("WHERE event_date <= ?", [until]) if until else ("", [])
    return db.sql(f"""SELECT student_id, event_date, event_type, school_code, note
                      FROM enrolment_event {where}
                      ORDER BY student_id, event_date, event_type""", params)


def memberships(db: Database) -> pd.DataFrame:
    """Class memberships with their school year's dates, school and grade."""
    return db.sql("""SELECT m.student_id, m.year_code, y.start_date, y.end_date, m.class_id,
                            c.school_code, c.grade
                     FROM class_membership m JOIN class c ON c.class_id = m.class_id
                     JOIN school_year y ON y.year_code = m.year_code
                     ORDER BY m.student_id, y.start_date""")


def attendance(db: Database, start: dt.date | None = None,
               end: dt.date | None = None) -> pd.DataFrame:
    """Monthly attendance rows with ``month`` between ``start`` and ``end`` (inclusive)."""
    where, params = ["TRUE"], []
    if start is not None:
        where.append("month >= ?")
        params.append(start)
    if end is not None:
        where.append("month <= ?")
        params.append(end)
    return db.sql(f"""SELECT student_id, month, school_code, school_days, days_absent,
                             sick_days, leave_days FROM attendance_month
                      WHERE {' AND '.join(where)} ORDER BY student_id, month""", params)


def exam_standing(db: Database) -> pd.DataFrame:
    """Each student's standing in each exam: the mean over the papers taken of the score's z
    within the paper ((score − paper mean) / paper SD, population SD; papers without spread
    left out)."""
    return db.sql("""
        WITH z AS (
            SELECT r.student_id, p.exam_id,
                   (r.score - avg(r.score) OVER (PARTITION BY r.paper_id))
                   / nullif(stddev_pop(r.score) OVER (PARTITION BY r.paper_id), 0) AS z
            FROM subject_result r JOIN paper p ON p.paper_id = r.paper_id
            WHERE r.status = 'present')
        SELECT z.student_id, z.exam_id, e.year_code, e.exam_date, avg(z.z) AS standing
        FROM z JOIN exam e ON e.exam_id = z.exam_id
        WHERE z.z IS NOT NULL
        GROUP BY z.student_id, z.exam_id, e.year_code, e.exam_date
        ORDER BY z.student_id, e.exam_date, z.exam_id""")


def warning_data_fingerprint(db: Database) -> tuple[Any, ...]:
    """A cheap summary of what the early warning reads (:mod:`eduquality.analysis.early_warning`):
    when it changes, fit again. The newest import that wrote (``import_log``, as
    :func:`eduquality.store.exams.exam_data_fingerprint` uses it) and the size of each table
    the warning reads — school years, students, class memberships, enrolment events,
    attendance (rows and days absent) and subject results (rows and score sum) — so that a
    write outside an import (a deletion, a test's direct insert) counts as well."""
    row = db.con.execute("""
        SELECT (SELECT coalesce(max(import_id), 0) FROM import_log WHERE outcome = 'imported'),
               (SELECT count(*) FROM school_year),
               (SELECT count(*) FROM student),
               (SELECT count(*) FROM class_membership),
               (SELECT count(*) FROM enrolment_event),
               (SELECT count(*) FROM attendance_month),
               (SELECT coalesce(sum(days_absent), 0) FROM attendance_month),
               (SELECT count(*) FROM subject_result),
               (SELECT coalesce(sum(score), 0) FROM subject_result)""").fetchone()
    return tuple(row or ())


def followups(db: Database) -> pd.DataFrame:
    """Every follow-up recorded, oldest first."""
    return db.sql("""SELECT followup_id, person_id, action, done_on, note, proof, recorded_by
                     FROM dropout_followup ORDER BY done_on, followup_id""")


def children(db: Database, year: int) -> pd.DataFrame:
    """The register of school-age children of list year ``year``."""
    return db.sql("""SELECT year, person_id, name, gender, birth_date, community,
                            poverty_registered FROM school_age_child WHERE year = ?
                     ORDER BY person_id""", [year])


def child_person_ids(db: Database) -> set[Any]:
    """The person IDs of every child in the register of school-age children (any list year)."""
    return set(db.sql("SELECT person_id FROM school_age_child")["person_id"])


def record_followup(db: Database, person_id: str, action: str, done_on: dt.date,
                    recorded_by: str, note: str | None = None,
                    proof: str | None = None, *, audit_by: Principal | None = None) -> int:
    """Record what was done about an alert (``action``: a code of
    :data:`eduquality.vocab.FOLLOWUP_ACTIONS`). Writes; returns the follow-up's id. With
    ``audit_by``, the audit row ('import' of ``dropout:followup``, naming the follow-up and its
    action, not the child) is written in the same transaction."""
    with db.write(check_scores=False) as con:
        row = con.execute(
            "INSERT INTO dropout_followup (person_id, action, done_on, note, proof, "
            "recorded_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING followup_id",
            [person_id, action, done_on, note, proof, recorded_by]).fetchone()
        if audit_by is not None:
            insert_audit(con, audit_by, "import", "dropout:followup",
                         f"#{int(row[0])} {action} {done_on}")
    return int(row[0])
