"""Use case: follow the students flagged at one exam (学困生, 弱科生, 临界生) over the next exams.

The cohort: the students flagged at the starting exam by one group rule in one subject (the
rules of :func:`eduquality.analysis.exam.student_groups`: 学困生 and 临界生 on the total, or the
only subject; 弱科生 per subject). Each member is credited to the school, class and subject
teacher of the *starting* exam — the ones who were to help — even after a transfer. At each
later exam of the same cohort (:func:`eduquality.store.exams.later_cohort_exam_ids`) the
members are classed left / stayed / missing by the rule of :mod:`eduquality.measures.followup`
(the same rule applied to the later exam's own results), and their growth percentiles (SGP,
later score in the subject given the starting score; model fitted on every student with both,
at least :data:`SGP_MIN_N`) are averaged with 95 % intervals and compared with the mean SGP
of the unit's students not flagged at the start (the gap with Welch's interval).

Rows per (group, subject, later exam): the district ('all'), each school, each teacher (for a
subject's cohort; a total has no teacher). Units with fewer than ``settings.min_unit_n`` cohort
members are withheld with their complementary cells (:func:`~eduquality.measures.followup.
withhold_small`) before any scope is applied, so that no reader can subtract them back.
Aggregates only: no student row leaves this module. Writes nothing (the callers audit).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace

import numpy as np
import pandas as pd

from eduquality.analysis.exam import student_groups, student_scores
from eduquality.analysis.scaling import exam_totals
from eduquality.analysis.tables import subject_results
from eduquality.config import Settings
from eduquality.errors import NotFoundError
from eduquality.i18n import register, tr
from eduquality.measures.followup import (
    STAT_COLUMNS,
    followup_status,
    unit_followup,
    withhold_small,
)
from eduquality.measures.growth import student_growth_percentiles
from eduquality.results import FollowUp
from eduquality.store import Database
from eduquality.store.exams import find_exam, later_cohort_exam_ids
from eduquality.store.policy import Scope
from eduquality.store.rosters import subject_teachers
from eduquality.store.units import unit_names

__all__ = ["FOLLOWED_GROUPS", "SGP_MIN_N", "FollowUp", "followup", "restrict_followup"]

MESSAGES = register({
    "followup.no_exam": ("找不到考试 {exam_id}", "exam not found: {exam_id}"),
    "followup.no_results": ("考试 {exam_id} 还没有成绩", "exam {exam_id} has no results yet"),
})

FOLLOWED_GROUPS = ("struggling", "weak_subject", "borderline")
"""The groups that are helped and followed (尖子生 are not)."""

SGP_MIN_N = 50
"""Fewest students with both scores to fit an SGP model on (as ``analysis.value_added``)."""

LEVELS = ("district", "school", "teacher")
COLUMNS = ("group", "subject_code", "later_exam", "level", "unit", "school_code",
           *STAT_COLUMNS, "withheld")


def _exam_students(db: Database, exam_id: str, settings: Settings) -> pd.DataFrame:
    con = db.ibis(exam_id)
    subj = subject_results(con, exam_id)
    combined = subj.union(exam_totals(db, exam_id, con)) if len(
        set(subj.subject_code.execute())) > 1 else subj
    raw = combined.execute()
    if raw.empty:
        raise NotFoundError(tr("followup.no_results", db.lang, exam_id=exam_id))
    return student_scores(raw, settings)


def _flagged(groups: pd.DataFrame, group: str, subject: str) -> set[Hashable]:
    rows = groups[(groups["group"] == group) & (groups["subject_code"] == subject)]
    return set(rows["student_id"])


def _scores(students: pd.DataFrame, subject: str) -> pd.Series:
    rows = students[(students["subject_code"] == subject) & students["score"].notna()]
    return rows.set_index("student_id")["score"].astype(float)


def _sgp(start: pd.Series, later: pd.Series) -> pd.Series:
    both = pd.concat([later.rename("y"), start.rename("x")], axis=1, join="inner").dropna()
    if len(both) < SGP_MIN_N:
        return pd.Series(np.nan, index=both.index)
    out = student_growth_percentiles(both["y"].to_numpy(), both[["x"]].to_numpy(),
                                     min_n=SGP_MIN_N)
    return pd.Series(out["sgp"].astype("float64").to_numpy(), index=both.index)


def _one(start_units: pd.DataFrame, cohort: set[Hashable], later: pd.DataFrame,
         later_groups: pd.DataFrame, group: str, subject: str, sgp: pd.Series,
         teachers: pd.Series | None, min_n: int) -> pd.DataFrame:
    later_scores = _scores(later, subject)
    status = followup_status(sorted(cohort, key=str), later_scores.index,
                             _flagged(later_groups, group, subject))
    units = start_units.reindex(status.index)
    peer_sgp = sgp[~sgp.index.isin(list(cohort))]
    peer_units = start_units.reindex(peer_sgp.index)
    school = unit_followup(status, units["school_code"], sgp, peer_sgp=peer_sgp,
                           peer_unit=peer_units["school_code"]).assign(level="school")
    school["school_code"] = school["unit"]
    school.loc[school["unit"] == "all", ["level", "school_code"]] = ["district", None]
    parts = [school]
    tree: list[tuple[Hashable, list[Hashable]]] = [
        (("district", "all"), [("school", u) for u in school["unit"] if u != "all"])]
    if teachers is not None:
        tid = units["class_id"].map(teachers)
        teacher = unit_followup(status, tid, sgp, peer_sgp=peer_sgp,
                                peer_unit=peer_units["class_id"].map(teachers))
        school_of = pd.Series(units["school_code"].to_numpy(), index=tid.to_numpy())
        school_of = school_of[school_of.index.notna()].groupby(level=0).first()
        teacher = teacher[teacher["unit"] != "all"].assign(level="teacher")
        teacher["school_code"] = teacher["unit"].map(school_of)
        parts.append(teacher)
        for s in school["unit"]:
            if s != "all":
                tree.append((("school", s), [("teacher", t) for t in school_of[school_of == s]
                                             .index]))
    table = pd.concat(parts, ignore_index=True)
    keys = pd.Series(list(zip(table["level"], table["unit"], strict=True)), index=table.index)
    held = withhold_small(table.assign(unit=keys), min_n, tree)
    held["unit"] = table["unit"].to_numpy()
    return held.assign(group=group, subject_code=subject)


def followup(db: Database, exam_id: str, settings: Settings, *, group: str | None = None,
             subject: str | None = None) -> FollowUp:
    """Follow every cohort flagged at ``exam_id`` (or only ``group`` / ``subject``) over the
    later exams of the same students; see the module docstring."""
    exam = find_exam(db, exam_id)
    if exam is None:
        raise NotFoundError(tr("followup.no_exam", db.lang, exam_id=exam_id))
    start = _exam_students(db, exam_id, settings)
    start_groups = student_groups(start, settings)
    later_ids = later_cohort_exam_ids(db, exam)
    cohorts = start_groups[start_groups["group"].isin(FOLLOWED_GROUPS)][
        ["group", "subject_code"]].drop_duplicates()
    if group is not None:
        cohorts = cohorts[cohorts["group"] == group]
    if subject is not None:
        cohorts = cohorts[cohorts["subject_code"] == subject]
    start_units = start.drop_duplicates("student_id").set_index("student_id")[
        ["school_code", "class_id"]]
    teacher_maps = {s: subject_teachers(db, s).drop_duplicates("class_id")
                    .set_index("class_id")["teacher_id"]
                    for s in map(str, cohorts["subject_code"].unique()) if s != "total"}
    frames = []
    for later_id in later_ids:
        later = _exam_students(db, later_id, settings)
        later_groups = student_groups(later, settings)
        for g, s in cohorts.itertuples(index=False):
            cohort = _flagged(start_groups, g, s)
            sgp = _sgp(_scores(start, s), _scores(later, s))
            frame = _one(start_units, cohort, later, later_groups, g, s, sgp,
                         teacher_maps.get(s), settings.min_unit_n)
            frames.append(frame.assign(later_exam=later_id))
    table = (pd.concat(frames, ignore_index=True)[list(COLUMNS)] if frames
             else pd.DataFrame(columns=list(COLUMNS)))
    names = {k: v for k, v in unit_names(db, exam_id).items() if k in ("school", "teacher")}
    records = [r for r in (find_exam(db, e) for e in [exam_id, *later_ids]) if r is not None]
    names["exam"] = {r.exam_id: f"{r.name} {r.exam_date or r.year_code}" for r in records}
    return FollowUp(exam_id, later_ids, table, names)


def restrict_followup(fu: FollowUp, scope: Scope, school: str | None = None) -> FollowUp:
    """The rows ``scope`` may see (district row: the 'district' level; schools: the 'school'
    level by school_code; teachers: the 'teacher' level by teacher_id), and only ``school``'s
    rows and its teachers' when given. Apply after the small units are withheld (they are in
    :func:`followup`), so that a scope cannot change what is withheld."""
    t = fu.table
    keep = pd.Series(False, index=t.index)
    for level, key in (("district", None), ("school", "school_code"), ("teacher", "teacher_id")):
        rows = t["level"] == level
        if key is None:
            keep |= rows & scope.sees(level)
        else:
            keep |= rows & t["unit"].map(lambda u, lv=level, k=key: scope.admits(lv, **{k: u}))
    if school is not None:
        keep &= (t["level"] == "district") | (t["school_code"] == school)
    return replace(fu, table=t[keep].reset_index(drop=True))
