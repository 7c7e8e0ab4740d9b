"""Use case: the annual school assessment (年度目标考核, issue 13 §3) of a year.

Every school of the district is scored on the components of
:mod:`eduquality.measures.assessment` with the weights of its kind (settings ``[assessment]``,
:class:`eduquality.config.AssessmentRules`), from:

- value-added: the school-level multilevel (empirical-Bayes) estimate of
  :func:`eduquality.analysis.value_added.value_added` for every subject of every exam of the
  school year organised above the school (scope district or higher) of the types in
  :data:`EXAM_TYPES`, wherever the same students have a prior exam; never raw averages;
- 控辍保学: dropouts in the school year over the school's students
  (:mod:`eduquality.store.plan_data`, the plan's data elements);
- 优质均衡: the resource indicators met (:func:`eduquality.analysis.balance.balance_status`),
  compulsory schools only;
- teacher development: the share of the school's teachers in a development programme that year,
  where any programme is recorded (else the component is absent for every school: no data is
  not a score of 0) — :func:`eduquality.store.plan_data.teacher_development` (tiers, studios,
  mentoring, the principal reserve); the year's training hours (信息技术 among them) and
  rotations are shown as its evidence (:func:`eduquality.store.programmes.training_by_school`),
  not scored;
- the school's own plan goals of the year (:func:`eduquality.analysis.plan.plan_status`).

A component without data is absent (its reason given) and the others' weights renormalised.
Bands are formed among schools of the same kind (their weights differ). The evidence frame
holds every figure behind every point. Year Y is the school year starting in the autumn of Y
(as the plan's). For internal use: no published league tables. Reads only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from eduquality.analysis.balance import balance_status
from eduquality.analysis.plan import plan_status
from eduquality.analysis.value_added import value_added
from eduquality.config import ASSESSMENT_COMPONENTS, Settings
from eduquality.errors import EduQualityError
from eduquality.i18n import register
from eduquality.ingest.planfile import Plan
from eduquality.measures.assessment import (
    KIND_OF_STAGE,
    TIE_Z,
    balance_score,
    goal_score,
    retention_score,
    teacher_score,
    tie_bands,
    total_score,
    value_added_score,
)
from eduquality.measures.balance import INDICATORS
from eduquality.store import Database
from eduquality.store.exams import district_exams_of_school_year, exam_subject_codes
from eduquality.store.plan_data import (
    dropout_counts,
    school_attributes,
    student_counts,
    teacher_development,
)
from eduquality.store.programmes import training_by_school

__all__ = ["COMPONENT_COLUMNS", "EVIDENCE_COLUMNS", "EXAM_TYPES", "SCHOOL_COLUMNS",
           "Assessment", "assess"]

EXAM_TYPES = ("monitoring", "final", "zhongkao", "gaokao")
"""Exams whose results count: the district's monitoring and end-of-year exams, 中考 and 高考
(not the schools' own practice exams: midterms, 诊断, mocks)."""

SCHOOL_COLUMNS = ["school_code", "name", "kind", "total", "se", "low", "high", "band", "tied"]
COMPONENT_COLUMNS = ["school_code", "component", "weight", "score", "se", "points", "state",
                     "reason"]
EVIDENCE_COLUMNS = ["school_code", "component", "item", "value", "low", "high", "n", "note"]

MESSAGES = register({
    "assessment.state.scored": ("已计分", "scored"),
    "assessment.state.absent": ("无数据", "no data"),
    "assessment.state.not_weighted": ("不计（权重为 0）", "not counted (weight 0)"),
    "assessment.absent.value_added": ("本学年没有可与前测关联的区级考试成绩，无法计算增值",
                                      "no district exam of the year with a prior exam of the "
                                      "same students: no value-added"),
    "assessment.absent.retention": ("本学年没有在校生数据", "no students enrolled this year"),
    "assessment.absent.balance": ("没有本学年的办学条件统计（或非义务教育学校）",
                                  "no school-condition statistics this year (or not a "
                                  "compulsory school)"),
    "assessment.absent.teachers": ("本学年没有教师发展（骨干、名师）记录：不计分，而非 0 分",
                                   "no teacher-development record this year: not scored, "
                                   "rather than 0"),
    "assessment.absent.goals": ("没有本学年可评定的学校发展目标", "no plan goal of the school to "
                                "assess this year"),
    "assessment.evidence.dropouts": ("辍学人数", "dropouts"),
    "assessment.evidence.indicators_met": ("资源配置达标项数（共 7 项）", "resource indicators met "
                                           "(of 7)"),
    "assessment.evidence.in_programme": ("参加发展项目的教师", "teachers in a programme"),
    "assessment.evidence.training_hours": ("教师年均培训学时（有培训记录的教师）",
                                           "mean training hours (teachers with a record)"),
    "assessment.evidence.it_hours": ("其中信息技术学时", "of which IT hours"),
    "assessment.evidence.rotations": ("交流轮岗（出 / 入）", "rotations (out / in)"),
})


@dataclass
class Assessment:
    """One year's assessment: ``schools`` (:data:`SCHOOL_COLUMNS`: total, its SE and 95 %
    interval, band among schools of the same kind, tied when the band holds several schools),
    ``components`` (:data:`COMPONENT_COLUMNS`) and ``evidence`` (:data:`EVIDENCE_COLUMNS`: the
    figures behind each component)."""

    year: int
    schools: pd.DataFrame
    components: pd.DataFrame
    evidence: pd.DataFrame

    def sheet(self, school: str) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
        """One school's row, components and evidence (KeyError when not assessed)."""
        rows = self.schools[self.schools["school_code"] == school]
        if rows.empty:
            raise KeyError(school)
        return (rows.iloc[0], self.components[self.components["school_code"] == school],
                self.evidence[self.evidence["school_code"] == school])


def _value_added(db: Database, year: int, settings: Settings,
                 evidence: list[dict]) -> dict[str, tuple[float, float]]:
    rows = []
    for exam in district_exams_of_school_year(db, f"{year}-{year + 1}", list(EXAM_TYPES)):
        for subject in dict.fromkeys(exam_subject_codes(db, exam.exam_id)):
            try:
                va = value_added(db, exam.exam_id, subject, settings)
            except EduQualityError:
                continue   # no prior exam of the same students for this subject
            sd = float(va.students["current"].std())
            est = va.estimates[(va.estimates["level"] == "school")
                               & (va.estimates["estimator"] == "multilevel")]
            for r in est.to_dict("records"):
                rows.append({"school_code": str(r["unit"]), "estimate": float(r["estimate"]),
                             "se": float(r["se"]), "sd": sd})
                evidence.append({"school_code": str(r["unit"]), "component": "value_added",
                                 "item": f"{exam.exam_id} {subject}",
                                 "value": float(r["estimate"]), "low": float(r["ci_low"]),
                                 "high": float(r["ci_high"]), "n": int(r["n"]),
                                 "note": f"valueadded.band.{r['band']}"})
    frame = pd.DataFrame(rows, columns=["school_code", "estimate", "se", "sd"])
    return {str(s): value_added_score(g["estimate"], g["se"], g["sd"],
                                      settings.assessment.va_span)
            for s, g in frame.groupby("school_code")}


def _retention(db: Database, year: int, settings: Settings,
               evidence: list[dict]) -> dict[str, tuple[float, float]]:
    def per_school(frame: pd.DataFrame) -> pd.Series:
        return frame[frame["year"] == year].groupby("school_code")["value"].sum()

    enrolled, dropped = per_school(student_counts(db, {})), per_school(dropout_counts(db, {}))
    out = {}
    for school, n in enrolled.items():
        d = float(dropped.get(school, 0))
        out[str(school)] = (retention_score(d, float(n), settings.assessment.dropout_rate_zero),
                            0.0)
        evidence.append({"school_code": str(school), "component": "retention",
                         "item": "assessment.evidence.dropouts", "value": d, "low": math.nan,
                         "high": math.nan, "n": int(n), "note": ""})
    return out


def _balance(db: Database, year: int, evidence: list[dict]) -> dict[str, tuple[float, float]]:
    out = {}
    for level, frame in balance_status(db, year).schools.items():
        for school, r in frame.iterrows():
            out[str(school)] = (balance_score(float(r["n_met"]), len(INDICATORS)), 0.0)
            evidence.append({"school_code": str(school), "component": "balance",
                             "item": "assessment.evidence.indicators_met",
                             "value": float(r["n_met"]), "low": math.nan, "high": math.nan,
                             "n": len(INDICATORS),
                             "note": f"{level}: complies={bool(r['complies'])}"})
    return out


def _teachers(db: Database, year: int, settings: Settings,
              evidence: list[dict]) -> dict[str, tuple[float, float]]:
    out = {}
    for r in teacher_development(db, year).to_dict("records"):
        out[str(r["school_code"])] = (
            teacher_score(float(r["in_programme"]), float(r["teachers"]),
                          settings.assessment.teacher_share_full), 0.0)
        evidence.append({"school_code": str(r["school_code"]), "component": "teachers",
                         "item": "assessment.evidence.in_programme",
                         "value": float(r["in_programme"]), "low": math.nan, "high": math.nan,
                         "n": int(r["teachers"]), "note": ""})
    for r in training_by_school(db, year).to_dict("records"):   # evidence only, not scored
        school = str(r["school_code"])
        if r["trained"]:
            for item, col in (("training_hours", "hours_mean"), ("it_hours", "it_hours_mean")):
                evidence.append({"school_code": school, "component": "teachers",
                                 "item": f"assessment.evidence.{item}",
                                 "value": float(r[col]), "low": math.nan, "high": math.nan,
                                 "n": int(r["trained"]), "note": ""})
        if r["rotated_out"] or r["rotated_in"]:
            evidence.append({"school_code": school, "component": "teachers",
                             "item": "assessment.evidence.rotations",
                             "value": float(r["rotated_out"]), "low": math.nan,
                             "high": math.nan, "n": int(r["rotated_in"]),
                             "note": f"{int(r['rotated_out'])} / {int(r['rotated_in'])}"})
    return out


def _goals(db: Database, plan: Plan | None, year: int,
           evidence: list[dict]) -> dict[str, tuple[float, float]]:
    if plan is None or not any(g.school for g in plan.goals):
        return {}
    goals = plan_status(db, plan, year=year).goals
    out = {}
    for school, g in goals.groupby("school"):
        out[str(school)] = (goal_score(g["status"].astype(str)), 0.0)
        for r in g.to_dict("records"):
            evidence.append({"school_code": str(school), "component": "goals",
                             "item": str(r["goal"]), "value": r["value"], "low": math.nan,
                             "high": math.nan,
                             "n": None if pd.isna(r["rank"]) else int(r["rank"]),
                             "note": f"trajectory.{r['status']}"})
    return out


def assess(db: Database, year: int, settings: Settings, plan: Plan | None = None) -> Assessment:
    """The assessment of ``year`` for every school of ``db`` (module docstring); ``plan`` the
    action plan whose bound school goals count (None: the goals component is absent)."""
    evidence: list[dict] = []
    found = {
        "value_added": _value_added(db, year, settings, evidence),
        "retention": _retention(db, year, settings, evidence),
        "balance": _balance(db, year, evidence),
        "teachers": _teachers(db, year, settings, evidence),
        "goals": _goals(db, plan, year, evidence),
    }
    schools = school_attributes(db)
    school_rows, component_rows = [], []
    for s in schools.itertuples(index=False):
        code, kind = str(s.school_code), KIND_OF_STAGE.get(str(s.stage), "junior")
        weights = settings.assessment.weights(kind)
        scores = {c: found[c].get(code, (math.nan, math.nan)) for c in ASSESSMENT_COMPONENTS}
        total, se, points = total_score(scores, weights)
        for c in ASSESSMENT_COMPONENTS:
            score, c_se = scores[c]
            state = ("not_weighted" if weights[c] <= 0 else
                     "absent" if math.isnan(score) else "scored")
            component_rows.append({
                "school_code": code, "component": c, "weight": weights[c], "score": score,
                "se": c_se, "points": points.get(c, math.nan), "state": state,
                "reason": f"assessment.absent.{c}" if state == "absent" else ""})
        school_rows.append({"school_code": code, "name": str(s.name), "kind": kind,
                            "total": total, "se": se, "low": total - TIE_Z * se,
                            "high": total + TIE_Z * se})
    table = pd.DataFrame(school_rows, columns=SCHOOL_COLUMNS[:-2])
    bands = [tie_bands(g.set_index("school_code")["total"], g.set_index("school_code")["se"])
             for _, g in table.groupby("kind")]
    band = pd.concat(bands) if bands else pd.Series(dtype="Int64")
    table["band"] = table["school_code"].map(band).astype("Int64")
    sizes = table.groupby(["kind", "band"])["school_code"].transform("size")
    table["tied"] = table["band"].notna() & (sizes > 1)
    table = table.sort_values(["kind", "band", "school_code"], na_position="last")
    return Assessment(year, table.reset_index(drop=True)[SCHOOL_COLUMNS],
                      pd.DataFrame(component_rows, columns=COMPONENT_COLUMNS),
                      pd.DataFrame(evidence, columns=EVIDENCE_COLUMNS))
