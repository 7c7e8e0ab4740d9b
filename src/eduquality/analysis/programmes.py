"""Use cases of the plan's programmes (issue 14 §1, §4): the mentoring tree's coverage, a
studio's yearly performance for 奖补, and the partner schools' difference-in-differences.
(Special groups: :mod:`eduquality.analysis.special_groups`.) Reads only.

Mentoring tree of a school year (:func:`mentoring_coverage`): each active studio is a root at
its host; the host's level-1 teachers are the studio's active members and the host's mentees,
and every mentor → mentee link active that year continues the tree
(:func:`eduquality.measures.programmes.mentoring_levels`). Coverage against 10 / 100 / 1,000 per
studio and per subject of the studios (:func:`~eduquality.measures.programmes.tree_coverage`),
and per school the share of its teachers reached
(:func:`~eduquality.measures.programmes.staff_coverage`).

Studio performance (:func:`studio_performance`): for every exam of the school year that counts
for the school assessment (:data:`eduquality.analysis.assessment.EXAM_TYPES`, organised above
the school) and each of its subjects with a prior exam of the same students, the residual
value-added of the students taught by the studio's host and active members
(:func:`~eduquality.measures.programmes.studio_value_added`), divided by the SD of the students'
scores; their mean effect size with its 95 % interval
(:func:`eduquality.measures.assessment.mean_effect_size`); the studio's activities by kind; and
its tree coverage. Never raw 升学率 or averages: internal evidence for 奖补, not a ranking.

Partner schools (:func:`partner_effects`): per school and school year, the results (the mean of
the students' z-scores within each exam and subject, averaged over the year's exams and
subjects) and the value-added (the multilevel school estimate as an effect size, averaged as
above), each with its SE; then the DiD of each partner school around its start year against the
comparable schools: the schools of the same kind (:data:`eduquality.measures.assessment.
KIND_OF_STAGE`) in no partnership (:func:`~eduquality.measures.programmes.
difference_in_differences`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eduquality.analysis.assessment import EXAM_TYPES
from eduquality.analysis.value_added import value_added
from eduquality.config import Settings
from eduquality.errors import EduQualityError
from eduquality.i18n import register
from eduquality.measures.assessment import KIND_OF_STAGE, mean_effect_size
from eduquality.measures.programmes import (
    TREE_TARGETS,
    difference_in_differences,
    mentoring_levels,
    staff_coverage,
    studio_value_added,
    tree_coverage,
)
from eduquality.measures.valueadded import BAND_Z, Z95
from eduquality.results import ValueAdded
from eduquality.store import Database
from eduquality.store.exams import district_exams_of_school_year, exam_subject_codes
from eduquality.store.plan_data import school_attributes
from eduquality.store.programmes import (
    activities,
    mentoring_links,
    partnerships,
    studio_members,
    studios,
    teacher_staff,
)
from eduquality.store.refs import school_years
from eduquality.store.rosters import present_scores, registrations
from eduquality.vocab import ACTIVITY_KINDS

__all__ = ["Mentoring", "PartnerEffects", "StudioPerformance", "mentoring_coverage",
           "partner_effects", "studio_performance", "yearly_school_outcomes"]


@dataclass
class Mentoring:
    """The tree of school year ``year``: ``levels`` (studio_id, teacher_id, level),
    ``by_studio`` and ``by_subject`` (group, level, roots, reached, target, coverage) and
    ``by_school`` (school_code, teachers, reached, share)."""

    year: int
    levels: pd.DataFrame
    by_studio: pd.DataFrame
    by_subject: pd.DataFrame
    by_school: pd.DataFrame


def mentoring_coverage(db: Database, year: int) -> Mentoring:
    """The mentoring tree of ``year`` and its coverage (module docstring)."""
    active = studios(db, year)
    members = studio_members(db, year)
    links = mentoring_links(db, year)
    parts = []
    for s in active.itertuples(index=False):
        own = members[(members["studio_id"] == s.studio_id) & (members["role"] == "member")]
        edges = [(s.host_teacher_id, t) for t in own["teacher_id"]]
        edges += list(zip(links["mentor_id"], links["mentee_id"], strict=True))
        lv = mentoring_levels(edges, [s.host_teacher_id])
        parts.append(lv.assign(root=str(s.studio_id)))
    levels = (pd.concat(parts, ignore_index=True) if parts else
              pd.DataFrame(columns=["root", "teacher_id", "level"]))
    subject_of: dict[Hashable, Hashable] = {
        str(r.studio_id): (r.subject_code if isinstance(r.subject_code, str) else "-")
        for r in active.itertuples(index=False)}
    staff = teacher_staff(db)
    by_school = staff_coverage(levels, dict(zip(staff["teacher_id"], staff["school_code"],
                                                strict=True)),
                               staff.groupby("school_code").size().to_dict())
    return Mentoring(year, levels.rename(columns={"root": "studio_id"}),
                     tree_coverage(levels, {s: s for s in subject_of}),
                     tree_coverage(levels, subject_of), by_school)


@dataclass
class StudioPerformance:
    """A year's studios (:data:`STUDIO_COLUMNS`) and the value-added rows behind them
    (studio_id, exam_id, subject_code, n, estimate, se, ci_low, ci_high, sd, band)."""

    year: int
    studios: pd.DataFrame
    value_added: pd.DataFrame


STUDIO_COLUMNS = ["studio_id", "name", "kind", "level", "subject_code", "host_teacher_id",
                  "host_name", "host_school", "members",
                  *[f"activities_{k}" for k in ACTIVITY_KINDS.codes()],
                  *[f"reached_{d}" for d in TREE_TARGETS], *[f"target_{d}" for d in TREE_TARGETS],
                  "va_effect", "va_se", "va_low", "va_high", "va_estimates", "va_band"]


def _year_value_added(db: Database, year: int, settings: Settings) -> Iterator[ValueAdded]:
    """The value-added of every exam and subject of ``year`` that counts (module docstring)."""
    for exam in district_exams_of_school_year(db, f"{year}-{year + 1}", list(EXAM_TYPES)):
        for subject in dict.fromkeys(exam_subject_codes(db, exam.exam_id)):
            try:
                yield value_added(db, exam.exam_id, subject, settings)
            except EduQualityError:
                continue   # no prior exam of the same students for this subject


def studio_performance(db: Database, year: int, settings: Settings) -> StudioPerformance:
    """Every studio active in ``year`` with its value-added, activities and coverage (module
    docstring)."""
    active = studios(db, year)
    members = studio_members(db, year)
    who: dict[Hashable, Collection[Hashable]] = {
        str(s): set(g["teacher_id"]) for s, g in members.groupby("studio_id")}
    va_rows = []
    for va in _year_value_added(db, year, settings) if who else iter(()):
        prior_cols = [c for c in va.students.columns if c.startswith("prior_")]
        rows = va.students.dropna(subset=prior_cols)
        sd = float(va.students["current"].std())
        est = studio_value_added(rows["current"].to_numpy(), rows[prior_cols].to_numpy(),
                                 rows["teacher_id"].to_numpy(dtype=object), who,
                                 min_n=settings.min_unit_n)
        for r in est.to_dict("records"):
            va_rows.append({"studio_id": r["studio"], "exam_id": va.exam_id,
                            "subject_code": va.subject_code, "n": int(r["n"]),
                            "estimate": r["estimate"], "se": r["se"], "ci_low": r["ci_low"],
                            "ci_high": r["ci_high"], "sd": sd, "band": r["band"]})
    va_frame = pd.DataFrame(va_rows, columns=["studio_id", "exam_id", "subject_code", "n",
                                              "estimate", "se", "ci_low", "ci_high", "sd",
                                              "band"])
    acts = activities(db, year)
    cov = mentoring_coverage(db, year).by_studio.set_index(["group", "level"])
    out = []
    for s in active.itertuples(index=False):
        own = va_frame[va_frame["studio_id"] == s.studio_id]
        mean, se, m = mean_effect_size(own["estimate"], own["se"], own["sd"])
        z = mean / se if m and se > 0 else math.nan
        band = ("insufficient" if not m else "above" if z >= BAND_Z else
                "below" if z <= -BAND_Z else "expected")
        kinds = acts[acts["studio_id"] == s.studio_id]["kind"].value_counts()
        row = {"studio_id": s.studio_id, "name": s.name, "kind": s.kind, "level": s.level,
               "subject_code": s.subject_code, "host_teacher_id": s.host_teacher_id,
               "host_name": s.host_name, "host_school": s.host_school,
               "members": int((members["studio_id"] == s.studio_id).sum()),
               **{f"activities_{k}": int(kinds.get(k, 0)) for k in ACTIVITY_KINDS.codes()},
               "va_effect": mean, "va_se": se, "va_low": mean - Z95 * se,
               "va_high": mean + Z95 * se, "va_estimates": m, "va_band": band}
        for d, target in TREE_TARGETS.items():
            got = cov["reached"].get((s.studio_id, d), 0)
            row[f"reached_{d}"], row[f"target_{d}"] = int(got), target
        out.append(row)
    return StudioPerformance(year, pd.DataFrame(out, columns=STUDIO_COLUMNS), va_frame)


# -- partner schools -------------------------------------------------------------------------

OUTCOMES = ("results", "value_added")

MESSAGES = register({
    "programmes.outcome.results": ("成绩（标准分）", "results (z-scores)"),
    "programmes.outcome.value_added": ("增值（效应量）", "value-added (effect size)"),
})


def _results(db: Database, exam_id: str, subject: str) -> pd.DataFrame:
    """Per school: the mean z-score of its students in ``subject`` of ``exam_id`` and its SE."""
    scores = present_scores(db, subject, [exam_id]).merge(
        registrations(db, exam_id)[["student_id", "school_code"]], on="student_id")
    sd = float(scores["score"].std())
    if len(scores) < 2 or not sd > 0:
        return pd.DataFrame(columns=["school_code", "value", "se"])
    scores["z"] = (scores["score"] - scores["score"].mean()) / sd
    g = scores.groupby("school_code")["z"]
    out = pd.DataFrame({"value": g.mean(), "se": g.std() / np.sqrt(g.size())}).reset_index()
    return out


def yearly_school_outcomes(db: Database, settings: Settings) -> pd.DataFrame:
    """Per school, school year and outcome (:data:`OUTCOMES`): value and SE (module docstring).
    Columns outcome, unit (school code), year, value, se."""
    years = sorted(int(str(y)[:4]) for y in school_years(db)["year_code"])
    rows = []
    for year in years:
        res, va_parts = [], []
        for exam in district_exams_of_school_year(db, f"{year}-{year + 1}", list(EXAM_TYPES)):
            for subject in dict.fromkeys(exam_subject_codes(db, exam.exam_id)):
                res.append(_results(db, exam.exam_id, subject))
        for va in _year_value_added(db, year, settings):
            est = va.estimates[(va.estimates["level"] == "school")
                               & (va.estimates["estimator"] == "multilevel")]
            va_parts.append(pd.DataFrame({"school_code": est["unit"].astype(str),
                                          "estimate": est["estimate"], "se": est["se"],
                                          "sd": float(va.students["current"].std())}))
        if res:
            frame = pd.concat(res, ignore_index=True)
            for school, g in frame.groupby("school_code"):
                se = float(np.sqrt(np.nansum(g["se"].to_numpy(dtype=float) ** 2)) / len(g))
                rows.append(("results", str(school), year, float(g["value"].mean()), se))
        if va_parts:
            frame = pd.concat(va_parts, ignore_index=True)
            for school, g in frame.groupby("school_code"):
                mean, se, m = mean_effect_size(g["estimate"], g["se"], g["sd"])
                if m:
                    rows.append(("value_added", str(school), year, mean, se))
    return pd.DataFrame(rows, columns=["outcome", "unit", "year", "value", "se"])


@dataclass
class PartnerEffects:
    """``pairs``: one row per partnership and outcome (lead_school, partner_school, kind,
    start_year, outcome, comparison (the number of comparable schools) and the columns of
    :func:`~eduquality.measures.programmes.difference_in_differences`); ``yearly``: the
    values behind them (:func:`yearly_school_outcomes`)."""

    pairs: pd.DataFrame
    yearly: pd.DataFrame


def partner_effects(db: Database, settings: Settings) -> PartnerEffects:
    """The DiD of every partner school (module docstring)."""
    pairs = partnerships(db)
    if pairs.empty:
        return PartnerEffects(pd.DataFrame(), pd.DataFrame())
    yearly = yearly_school_outcomes(db, settings)
    schools = school_attributes(db)
    kind = {str(s): KIND_OF_STAGE.get(str(st), "junior")
            for s, st in zip(schools["school_code"], schools["stage"], strict=True)}
    involved = set(pairs["lead_school"]) | set(pairs["partner_school"])
    rows = []
    for p in pairs.to_dict("records"):
        partner, start = str(p["partner_school"]), int(p["start_year"])
        comparison = [s for s in kind if kind[s] == kind.get(partner) and s not in involved]
        for outcome in OUTCOMES:
            values = yearly[yearly["outcome"] == outcome]
            did = difference_in_differences(values, partner, start, comparison)
            rows.append({"lead_school": p["lead_school"], "partner_school": partner,
                         "kind": p["kind"], "start_year": start, "outcome": outcome,
                         "comparison": len(comparison), **did})
    return PartnerEffects(pd.DataFrame(rows), yearly)
