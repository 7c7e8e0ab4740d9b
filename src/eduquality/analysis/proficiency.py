"""Use case: the 合格考's 合格率, 一次合格率 and 补考 results by district, school, subject and
sitting, the 全科合格率 by cohort, and the students who still need a 补考, as a reader may see
them (issue 15).

The rates are :func:`eduquality.measures.proficiency.sitting_rates` (each sitting: all takers,
first attempts, 补考) and :func:`~eduquality.measures.proficiency.cohort_rates` (each subject's
first sitting: 一次合格率 and 合格率 after the 补考), over the results on record
(``proficiency_result``), small schools withheld at ``min_n`` before the rows are cut to the
reader's scope (:func:`restrict`): the district rows need the district level, a school's rows
that school. 全科合格 (:func:`~eduquality.measures.proficiency.all_passed`) takes each student's
cohort and school from the latest 高中 class on record
(:func:`eduquality.store.proficiency.proficiency_students`) and the subjects from the rule of
the district's province for that cohort (:func:`~eduquality.measures.proficiency.rule_for`); a
cohort without a rule (or a district without a province) is left out.

The students at risk (:func:`at_risk_students`: a subject sat and never passed, so a 补考 is
due) are student-level rows: cut to the reader's student scope in the query's frame (a
principal: the own school; a teacher: the own classes; roles without student scope: none), ID
numbers masked unless the role sees full IDs. Writes nothing.
"""

from __future__ import annotations

import pandas as pd

from eduquality.measures.proficiency import (
    all_pass_rates,
    all_passed,
    at_risk,
    cohort_rates,
    rule_for,
    sitting_rates,
)
from eduquality.store import Database
from eduquality.store.lines import district_province
from eduquality.store.masking import mask_national_id
from eduquality.store.policy import Scope
from eduquality.store.proficiency import proficiency_results, proficiency_students

__all__ = ["AT_RISK_COLUMNS", "TABLES", "at_risk_students", "labelled", "proficiency_tables",
           "restrict", "students_all_passed", "year_tables"]

TABLES = ("sittings", "first_sittings", "all_pass")
"""The tables of :func:`proficiency_tables`: rates at each sitting; rates by first sitting;
全科合格率 by cohort."""


def _required(db: Database, cohorts: pd.Series) -> dict[int, tuple[str, ...]]:
    """Cohort → the 合格考 subjects of the district's province's rule for it (cohorts without
    a rule left out)."""
    province = district_province(db)
    rules = {c: rule_for(province, c) for c in {int(c) for c in cohorts}}
    return {c: r.subjects for c, r in rules.items() if r is not None}


def students_all_passed(db: Database, results: pd.DataFrame | None = None) -> pd.DataFrame:
    """全科合格 of every student with a 合格考 result (:func:`all_passed`'s columns), over
    ``results`` (default: all on record)."""
    results = proficiency_results(db) if results is None else results
    students = proficiency_students(db)
    return all_passed(results, students, _required(db, students["cohort"]))


AT_RISK_COLUMNS = ("student_id", "national_id", "name", "school_code", "class_id", "class_name",
                   "grade", "cohort", "n_subjects", "subjects", "sittings")
"""The columns of :func:`at_risk_students`."""


def at_risk_students(db: Database, scope: Scope, school: str | None = None) -> pd.DataFrame:
    """The students who have a 合格考 subject sat and not passed at any sitting
    (:func:`~eduquality.measures.proficiency.at_risk`), one row per student, as ``scope`` may
    see them (module docstring); ``school``: that school's only. Columns
    :data:`AT_RISK_COLUMNS`: the student's latest 高中 class (school, class, grade, cohort),
    ``n_subjects``, ``subjects`` (tuple of subject codes, in code order) and ``sittings``
    (tuple, per subject, of the tuple of sittings tried); by school, class and student."""
    risk = at_risk(proficiency_results(db))
    students = proficiency_students(db)
    frame = students.merge(risk, on="student_id", how="inner")
    frame = scope.frame("student", frame)
    if school is not None:
        frame = frame[frame["school_code"] == school]
    if frame.empty:
        return pd.DataFrame(columns=list(AT_RISK_COLUMNS))
    keys = list(AT_RISK_COLUMNS[:8])
    out = frame.groupby(keys, sort=False, dropna=False).agg(
        subjects=("subject_code", tuple), sittings=("sittings", tuple)).reset_index()
    out["n_subjects"] = [len(s) for s in out["subjects"]]
    if not scope.can("full_national_id"):
        out["national_id"] = out["national_id"].map(mask_national_id)
    out = out.sort_values(["school_code", "class_id", "student_id"], kind="stable")
    return out[list(AT_RISK_COLUMNS)].reset_index(drop=True)


def restrict(table: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The rows of a rates table ``scope`` may see: district rows (level 0) with the district
    level, a school's rows with that school."""
    keep = [scope.admits("school", school_code=s) if lv == 1 else scope.admits("district")
            for lv, s in zip(table["level"], table["school_code"], strict=True)]
    return table.loc[keep].reset_index(drop=True)


def proficiency_tables(db: Database, scope: Scope, min_n: int,
                       school: str | None = None) -> dict[str, pd.DataFrame]:
    """``sittings``, ``first_sittings`` and ``all_pass`` (module docstring) as ``scope`` may
    see them; with ``school``, only that school's rows (and the district's, when visible, to
    compare)."""
    results = proficiency_results(db)
    tables = {"sittings": sitting_rates(results, min_n),
              "first_sittings": cohort_rates(results, min_n),
              "all_pass": all_pass_rates(students_all_passed(db, results), min_n)}
    out = {}
    for name, table in tables.items():
        table = restrict(table, scope)
        if school is not None:
            table = table[(table["level"] == 0) | (table["school_code"] == school)]
        out[name] = table.reset_index(drop=True)
    return out


def labelled(table: pd.DataFrame, school_names: dict[str, str], lang: str = "zh"
             ) -> pd.DataFrame:
    """A rates table with readable labels first: unit (全区 / the school's name), subject and
    sitting in ``lang`` (where the table has them); the codes dropped. Numbers unchanged."""
    from eduquality.measures.proficiency import sitting_label
    from eduquality.vocab import SUBJECTS

    district = "全区" if lang != "en" else "district"
    unit = [district if lv == 0 else school_names.get(str(s), str(s))
            for lv, s in zip(table["level"], table["school_code"], strict=True)]
    out = table.drop(columns=[c for c in ("level", "school_code", "subject_code", "sitting")
                              if c in table])
    first = []
    if "sitting" in table:
        first.append(("sitting", [sitting_label(str(s), lang) for s in table["sitting"]]))
    if "subject_code" in table:
        first.append(("subject", [SUBJECTS.label(str(s), lang) for s in table["subject_code"]]))
    for k, (name, values) in enumerate([*first, ("unit", unit)]):
        out.insert(k, name, values)
    return out


def year_tables(db: Database, year: int, min_n: int) -> dict[str, pd.DataFrame]:
    """The 合格考 of school year ``year`` (its sittings, September ``year`` – August
    ``year + 1``) for the annual report: ``sittings`` (the rates at each of its sittings) and
    ``first_sittings`` (一次合格率 and 合格率 after the 补考 of the subjects first sat that
    year, the 补考 counted up to the year's end) and ``all_pass`` (全科合格率 at the year's end
    of the cohorts with a student who sat that year), district and schools, small schools
    withheld; not cut to a scope (the report's editions choose the rows). Empty frames when
    none."""
    results = proficiency_results(db)
    first, last = f"{year}-09", f"{year + 1}-08"
    upto = results[results["sitting"] <= last]
    sittings = sitting_rates(upto[upto["sitting"] >= first], min_n)
    cohorts = cohort_rates(upto, min_n)
    per_student = students_all_passed(db, upto)
    sat = set(upto.loc[upto["sitting"] >= first, "student_id"])
    this_year = set(per_student.loc[per_student["student_id"].isin(sat), "cohort"])
    all_pass = all_pass_rates(per_student[per_student["cohort"].isin(this_year)], min_n)
    return {"sittings": sittings,
            "first_sittings": cohorts[cohorts["sitting"] >= first].reset_index(drop=True),
            "all_pass": all_pass}
