"""Statistics that are not in the student data, and their catalogue (one place for what can be
entered: code, names, unit, the template it belongs to, whether it is per school, and what its
``category`` means).

Entered through the templates of ``eduquality template stats`` and imported by
:mod:`eduquality.ingest.stats` (table ``statistic``, migration 9). A plan's indicator names a
statistic as ``{stat: CODE}`` in its numerator or denominator (:mod:`eduquality.store.plan_data`).

Column contract of :func:`statistic_values`: stat_code, year, school_code ('' = the district),
category ('' = none), value, source, source_date.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from eduquality.store.db import Database

__all__ = ["ATTAINMENT_LEVELS", "STATISTICS", "TEMPLATES", "Statistic", "population_by_age",
           "statistic_values"]


@dataclass(frozen=True)
class Statistic:
    """An enterable statistic. ``level``: 'district' (school code left blank), 'school' (a
    school code required) or 'both'. ``category``: what the 分类 column holds — None (left
    blank), 'age' (single year of age 0–120) or 'attainment' (:data:`ATTAINMENT_LEVELS`)."""

    code: str
    zh: str
    en: str
    unit: str
    template: str
    level: str = "district"
    category: str | None = None


ATTAINMENT_LEVELS = {"none": ("未上过学", "no schooling"), "primary": ("小学", "primary"),
                     "junior": ("初中", "junior secondary"),
                     "senior": ("高中（含中职）", "senior secondary (incl. vocational)"),
                     "tertiary": ("大专及以上", "tertiary")}
"""Highest level completed → (zh, en): the categories of ``attainment_population``. The years
each level counts (0/6/9/12/16, GLOSSARY 人均受教育年限) are the plan file's ``weights``."""

TEMPLATES = {
    "population": ("人口", "population"),
    "attainment": ("受教育程度", "attainment"),
    "finance": ("教育经费", "finance"),
    "salaries": ("工资", "salaries"),
    "conditions": ("办学条件", "school conditions"),
    "other": ("其他统计", "other statistics"),
}
"""Template code → (zh, en) names: one blank workbook each (``eduquality template stats``)."""

_LIST = [
    Statistic("population_by_age", "常住人口（单岁组）", "resident population by single year of age",
              "人", "population", category="age"),
    Statistic("resident_population", "常住人口总数", "resident population", "人", "population"),
    Statistic("disabled_children_school_age", "适龄残疾儿童少年人数（6–15岁）",
              "school-age children with disabilities (6–15)", "人", "population"),
    Statistic("attainment_population", "15岁及以上人口（按最高受教育程度）",
              "population aged 15+ by highest level completed", "人", "attainment",
              category="attainment"),
    Statistic("public_education_spending", "一般公共预算教育支出",
              "general public budget spending on education", "万元", "finance"),
    Statistic("spending_per_student", "生均一般公共预算教育支出（区属学校）",
              "public education spending per student (district schools)", "元", "finance"),
    Statistic("spending_per_student_provincial", "生均一般公共预算教育支出（省市属学校）",
              "public education spending per student (provincial and municipal schools)", "元",
              "finance"),
    Statistic("teacher_average_salary", "中小学教师年平均工资收入",
              "teachers' average yearly pay", "元", "salaries"),
    Statistic("civil_servant_average_salary", "本区公务员年平均工资收入",
              "civil servants' average yearly pay (district)", "元", "salaries"),
    Statistic("teaching_floor_area", "教学及辅助用房面积", "teaching and auxiliary floor area",
              "平方米", "conditions", level="school"),
    Statistic("sports_area", "体育运动场馆面积", "sports ground and hall area", "平方米",
              "conditions", level="school"),
    Statistic("equipment_value", "教学仪器设备值", "value of teaching equipment", "元",
              "conditions", level="school"),
    Statistic("multimedia_classrooms", "网络多媒体教室数", "networked multimedia classrooms", "间",
              "conditions", level="school"),
    Statistic("qualified_teachers", "高于规定学历的专任教师数",
              "teachers above the required qualification", "人", "conditions", level="school"),
    Statistic("backbone_teachers", "县级及以上骨干教师数", "county-level or higher 骨干 teachers",
              "人", "conditions", level="school"),
    Statistic("pe_art_teachers", "体育、艺术（音乐、美术）专任教师数", "PE and art teachers", "人",
              "conditions", level="school"),
    Statistic("vocational_graduates", "中职毕业生数", "vocational school graduates", "人", "other",
              level="both"),
    Statistic("vocational_progressing", "中职毕业生升学人数",
              "vocational graduates entering higher education", "人", "other", level="both"),
    Statistic("quality_junior_schools", "优质初中学校数（除长城中学外新建成）",
              "quality junior-high schools (new, besides 长城中学)", "所", "other"),
]

STATISTICS: dict[str, Statistic] = {s.code: s for s in _LIST}
"""Every enterable statistic by code."""


def statistic_values(db: Database, codes: list[str] | None = None) -> pd.DataFrame:
    """The stored values (of ``codes``, or all), by code, year, school and category."""
    where, params = ("WHERE stat_code = ANY(?)", [codes]) if codes is not None else (
        "", [])
    return db.sql(f"""SELECT stat_code, year, school_code, category, value, source, source_date
                      FROM statistic {where} ORDER BY stat_code, year, school_code, category""",
                  params)


def population_by_age(db: Database, year: int) -> pd.DataFrame:
    """The district's resident population by single year of age (statistic
    ``population_by_age``) of ``year``: age (integer), population."""
    return db.sql("""SELECT CAST(category AS INTEGER) AS age, value AS population
                     FROM statistic WHERE stat_code = 'population_by_age' AND year = ?
                     AND school_code = ''""", [year])
