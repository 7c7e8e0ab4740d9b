"""The programmes' records read back (migration 16, issue 14 §1, §4): studios, their members,
mentoring links, activities, training, rotations, the principal reserve, partner schools and
student support, each for a school year where it has dates.

Year Y is the school year that starts in the autumn of Y (Y-09-01 … (Y+1)-08-31,
:func:`eduquality.vocab.school_year_dates`); a record with dates is *active* in Y when it starts
on or before the year's last day and has not ended before its first day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from eduquality.store.db import Database
from eduquality.vocab import school_year_dates

__all__ = ["activities", "mentoring_links", "partnerships", "student_support", "studio_ids",
           "studio_members", "studios", "teacher_staff", "teacher_training", "training_by_school", "year_bounds"]


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of school year ``year`` (autumn of ``year``)."""
    return school_year_dates(f"{year}-{year + 1}")


def _active(start: str, end: str) -> str:
    return f"{start} <= ? AND ({end} IS NULL OR {end} >= ?)"


def studios(db: Database, year: int | None = None) -> pd.DataFrame:
    """Studios (active in ``year``, or all): studio_id, name, kind, host_teacher_id, host_name,
    host_school, subject_code, level, start_date, end_date."""
    where, params = "", []
    if year is not None:
        first, last = year_bounds(year)
        where, params = f"WHERE {_active('s.start_date', 's.end_date')}", [last, first]
    return db.sql(f"""SELECT s.studio_id, s.name, s.kind, s.host_teacher_id, t.name AS host_name,
                             t.school_code AS host_school, s.subject_code, s.level,
                             s.start_date, s.end_date
                      FROM studio s JOIN teacher t ON t.teacher_id = s.host_teacher_id
                      {where} ORDER BY s.studio_id""", params)


def studio_ids(db: Database) -> set[Any]:
    """The IDs of every studio on record (what an imported record's studio must name)."""
    return {r[0] for r in db.con.execute("SELECT studio_id FROM studio").fetchall()}


def studio_members(db: Database, year: int) -> pd.DataFrame:
    """Members active in ``year``, the host included (role 'host' or 'member'): studio_id,
    teacher_id, name, school_code, subject_code, role."""
    first, last = year_bounds(year)
    return db.sql(f"""
        SELECT m.studio_id, m.teacher_id, t.name, t.school_code, t.subject_code,
               'member' AS role
        FROM studio_member m JOIN teacher t USING (teacher_id)
        WHERE {_active('m.joined', 'm.left_on')}
          AND m.teacher_id NOT IN (SELECT host_teacher_id FROM studio s
                                   WHERE s.studio_id = m.studio_id)
        UNION ALL
        SELECT s.studio_id, s.host_teacher_id, t.name, t.school_code, t.subject_code, 'host'
        FROM studio s JOIN teacher t ON t.teacher_id = s.host_teacher_id
        WHERE {_active('s.start_date', 's.end_date')}
        ORDER BY 1, 6, 2""", [last, first, last, first])


def mentoring_links(db: Database, year: int) -> pd.DataFrame:
    """Mentor → mentee links active in ``year``: mentor_id, mentee_id, studio_id."""
    first, last = year_bounds(year)
    return db.sql(f"""SELECT mentor_id, mentee_id, studio_id FROM mentoring
                      WHERE {_active('start_date', 'end_date')}
                      ORDER BY mentor_id, mentee_id""", [last, first])


def activities(db: Database, year: int) -> pd.DataFrame:
    """Activities dated within ``year``: studio_id, activity_date, kind, title, school_code,
    participants."""
    first, last = year_bounds(year)
    return db.sql("""SELECT studio_id, activity_date, kind, title, school_code, participants
                     FROM programme_activity WHERE activity_date BETWEEN ? AND ?
                     ORDER BY studio_id, activity_date, kind, title""", [first, last])


def teacher_staff(db: Database) -> pd.DataFrame:
    """Every teacher on record: teacher_id, name, school_code, subject_code."""
    return db.sql("SELECT teacher_id, name, school_code, subject_code FROM teacher "
                  "ORDER BY teacher_id")


def teacher_training(db: Database, year: int) -> pd.DataFrame:
    """Training of school year ``year`` per teacher: teacher_id, school_code, hours, it_hours."""
    return db.sql("""SELECT tt.teacher_id, t.school_code, tt.hours, tt.it_hours
                     FROM teacher_training tt JOIN teacher t USING (teacher_id)
                     WHERE tt.year_code = ? ORDER BY tt.teacher_id""",
                  [f"{year}-{year + 1}"])


def training_by_school(db: Database, year: int) -> pd.DataFrame:
    """Per school (of the teachers as recorded now), school year ``year``: teachers with a
    training record, their mean training hours and mean 信息技术 hours, and the teachers who
    rotated out to or in from another school during the year (交流轮岗 active in the year).
    Columns school_code, trained, hours_mean, it_hours_mean, rotated_out, rotated_in; only
    schools with any of these."""
    first, last = year_bounds(year)
    return db.sql(f"""
        WITH tr AS (SELECT t.school_code, count(*) AS trained, avg(tt.hours) AS hours_mean,
                           avg(tt.it_hours) AS it_hours_mean
                    FROM teacher_training tt JOIN teacher t USING (teacher_id)
                    WHERE tt.year_code = ? GROUP BY t.school_code),
             ro AS (SELECT from_school AS school_code, count(*) AS rotated_out
                    FROM teacher_rotation WHERE {_active('start_date', 'end_date')}
                    GROUP BY from_school),
             ri AS (SELECT to_school AS school_code, count(*) AS rotated_in
                    FROM teacher_rotation WHERE {_active('start_date', 'end_date')}
                    GROUP BY to_school),
             s AS (SELECT school_code FROM tr UNION SELECT school_code FROM ro
                   UNION SELECT school_code FROM ri)
        SELECT s.school_code, coalesce(tr.trained, 0) AS trained, tr.hours_mean,
               tr.it_hours_mean, coalesce(ro.rotated_out, 0) AS rotated_out,
               coalesce(ri.rotated_in, 0) AS rotated_in
        FROM s LEFT JOIN tr USING (school_code) LEFT JOIN ro USING (school_code)
        LEFT JOIN ri USING (school_code) ORDER BY s.school_code""",
                  [f"{year}-{year + 1}", last, first, last, first])


def partnerships(db: Database) -> pd.DataFrame:
    """Partner schools: lead_school, partner_school, kind, start_year, and both schools' stage."""
    return db.sql("""SELECT p.lead_school, p.partner_school, p.kind, p.start_year,
                            l.stage AS lead_stage, s.stage AS partner_stage
                     FROM school_partnership p
                     JOIN school l ON l.school_code = p.lead_school
                     JOIN school s ON s.school_code = p.partner_school
                     ORDER BY p.partner_school, p.lead_school""")


def student_support(db: Database, year: int) -> pd.DataFrame:
    """Support of school year ``year`` per student: student_id, kinds (count), amount (sum)."""
    return db.sql("""SELECT student_id, count(*) AS kinds, sum(amount) AS amount
                     FROM student_support WHERE year_code = ?
                     GROUP BY student_id ORDER BY student_id""", [f"{year}-{year + 1}"])
