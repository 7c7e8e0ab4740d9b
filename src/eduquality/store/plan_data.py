"""Data elements of a plan's indicators (the DHIS2 "data elements"): what a numerator or a
denominator counts in the database, with the parameters each takes. One place: the plan file
loader (:mod:`eduquality.ingest.planfile`) checks names and parameters against
:data:`ELEMENTS`; :mod:`eduquality.analysis.plan` evaluates them.

Years: a plan year Y is the school year that starts in the autumn of Y for enrolment and
dropouts (the 学年初 statistics of 教育统计: '2019年' = 2019/2020 学年初), and the 高考 of June Y
(the exam of school year (Y−1)/Y).

Column contract of :func:`student_counts` and :func:`dropout_counts`: year, school_code, stage,
locale, tier, poverty_registered, disabled, migrant, left_behind, value (a count), one row per
distinct combination.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from eduquality.store.db import Database

__all__ = ["DISAGGREGATIONS", "ELEMENTS", "GROUPS", "GROUP_LABELS", "Element", "dropout_counts",
           "school_attributes", "student_counts", "student_groups",
           "teacher_development", "year_students"]


@dataclass(frozen=True)
class Element:
    """A data element: its parameters (name → kind: 'stages', 'grades', 'tiers', 'line',
    'category', 'ages', 'weights') and its zh/en description."""

    name: str
    params: tuple[str, ...]
    zh: str
    en: str


ELEMENTS: dict[str, Element] = {e.name: e for e in (
    Element("students", ("stages", "grades", "tiers", "group"),
            "在校生数（学年初，按班级归属）", "students enrolled (start of the school year)"),
    Element("dropouts", ("stages", "grades", "tiers", "group"),
            "学年内辍学人数（学籍变动：辍学）", "dropouts during the school year"),
    Element("gaokao_takers", ("group",), "高考有效总分人数", "高考 candidates with a total"),
    Element("gaokao_above", ("line", "group"), "高考上线人数（总分 ≥ 该批次线）",
            "高考 candidates at or above the line"),
    Element("balance_schools", (), "义务教育学校数（有办学条件统计）",
            "compulsory schools (with school-condition statistics)"),
    Element("balance_schools_meeting", (), "优质均衡资源配置达标学校数（教督〔2017〕6号）",
            "compulsory schools meeting the 优质均衡 resource standard"),
)}
"""Elements over the student data."""

STAT_PARAMS = ("category", "ages", "weights")
"""Parameters of a ``{stat: CODE}`` element: one category, an age range [from, to] (单岁组), or
weights per category (Σ weight × value: 人均受教育年限's years per level)."""

GROUPS = ("poverty_registered", "disabled", "migrant", "left_behind")
"""Special groups (student flags): 建档立卡, 残疾, 随迁子女, 留守儿童."""

GROUP_LABELS = {"poverty_registered": ("建档立卡", "registered poor household"),
                "disabled": ("残疾", "disability"), "migrant": ("随迁子女", "migrant child"),
                "left_behind": ("留守儿童", "left-behind child")}
"""Special group → (zh, en) label."""

DISAGGREGATIONS = ("school", "stage", "locale", "group")
"""What an indicator can be broken down by: per school, school type (stage), 城乡 (locale),
special group."""

_GRAIN = """s.school_code, s.stage, s.locale, coalesce(s.tier, '') AS tier,
            st.poverty_registered, st.disabled, st.migrant, st.left_behind"""


def _filters(params: dict[str, Any], grade_col: str | None) -> tuple[str, list[Any]]:
    where, args = [], []
    if params.get("stages"):
        where.append("s.stage = ANY(?)")
        args.append(list(params["stages"]))
    if params.get("tiers"):
        where.append("coalesce(s.tier, '') = ANY(?)")
        args.append(list(params["tiers"]))
    if params.get("grades") and grade_col:
        where.append(f"{grade_col} = ANY(?)")
        args.append([int(g) for g in params["grades"]])
    return "".join(f" AND {w}" for w in where), args


def student_counts(db: Database, params: dict[str, Any]) -> pd.DataFrame:
    """Students with a class in the school year starting in each year, by the grain of the
    module docstring (``stages``, ``grades``, ``tiers`` filter)."""
    extra, args = _filters(params, "c.grade")
    return db.sql(f"""
        SELECT CAST(EXTRACT(YEAR FROM y.start_date) AS INTEGER) AS year, {_GRAIN}, count(*) AS value
        FROM class_membership m JOIN class c ON c.class_id = m.class_id
        JOIN school s ON s.school_code = c.school_code
        JOIN student st ON st.student_id = m.student_id
        JOIN school_year y ON y.year_code = m.year_code
        WHERE TRUE {extra}
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9""", args)


def dropout_counts(db: Database, params: dict[str, Any]) -> pd.DataFrame:
    """Dropout events dated within the school year starting in each year, at the school of the
    event, by the grain of the module docstring (a student's class grade that year filters
    ``grades``)."""
    extra, args = _filters(params, "c.grade")
    return db.sql(f"""
        SELECT CAST(EXTRACT(YEAR FROM y.start_date) AS INTEGER) AS year, {_GRAIN}, count(*) AS value
        FROM enrolment_event e JOIN school s ON s.school_code = e.school_code
        JOIN student st ON st.student_id = e.student_id
        JOIN school_year y ON e.event_date BETWEEN y.start_date AND y.end_date
        LEFT JOIN class_membership m ON m.student_id = e.student_id
             AND m.year_code = y.year_code
        LEFT JOIN class c ON c.class_id = m.class_id
        WHERE e.event_type = 'dropout' {extra}
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9""", args)


def student_groups(db: Database) -> pd.DataFrame:
    """student_id and the special-group flags of :data:`GROUPS` (booleans)."""
    return db.sql(f"SELECT student_id, {', '.join(GROUPS)} FROM student")


def year_students(db: Database, year_code: str) -> pd.DataFrame:
    """The students with a class in school year ``year_code``: student_id, school_code and
    grade of that class, and the special-group flags of :data:`GROUPS`."""
    flags = ", ".join(f"s.{g}" for g in GROUPS)
    return db.sql(f"""SELECT m.student_id, c.school_code, c.grade, {flags}
                      FROM class_membership m JOIN class c USING (class_id)
                      JOIN student s ON s.student_id = m.student_id
                      WHERE m.year_code = ?""", [year_code])


def school_attributes(db: Database) -> pd.DataFrame:
    """school_code, name, stage, locale, tier ('' when none), peer_group ('' when none)."""
    return db.sql("""SELECT school_code, name, stage, locale, coalesce(tier, '') AS tier,
                     coalesce(peer_group, '') AS peer_group FROM school ORDER BY school_code""")


def teacher_development(db: Database, year: int) -> pd.DataFrame:
    """Per school: teachers (as recorded now) and those of them in a development programme in
    the school year starting in ``year``: a tier of ``teacher_programme`` (骨干教师, 名师, 名校长),
    the host or a member of a 名师工作室 or 名校长基地, a mentee of a mentoring link
    (以一带十 …), or entered in the 名校（园）长后备人才库 (migration 16), active that year
    (:mod:`eduquality.store.programmes`). Columns school_code, teachers, in_programme; empty
    when nothing of the kind is recorded that year (teacher development has no data then,
    rather than none in a programme). The one definition the school assessment's teacher
    component uses."""
    from eduquality.store.programmes import year_bounds

    first, last = year_bounds(year)
    return db.sql("""
        WITH p AS (SELECT tp.teacher_id FROM teacher_programme tp
                   JOIN school_year y ON y.year_code = tp.year_code
                   WHERE extract(year FROM y.start_date) = ?
                   UNION
                   SELECT teacher_id FROM studio_member
                   WHERE joined <= ? AND (left_on IS NULL OR left_on >= ?)
                   UNION
                   SELECT host_teacher_id FROM studio
                   WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?)
                   UNION
                   SELECT mentee_id FROM mentoring
                   WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?)
                   UNION
                   SELECT teacher_id FROM principal_reserve WHERE year_code = ?)
        SELECT t.school_code, count(*) AS teachers,
               count(p.teacher_id) AS in_programme
        FROM teacher t LEFT JOIN p ON p.teacher_id = t.teacher_id
        WHERE EXISTS (SELECT 1 FROM p)
        GROUP BY t.school_code ORDER BY t.school_code""",
                  [year, last, first, last, first, last, first, f"{year}-{year + 1}"])
