"""Use case: value-added (增值评价) of schools, classes and teachers for one exam and subject.

The same students are linked to their prior exams of the same cohort (:mod:`cohort`); the three
estimators of :mod:`eduquality.measures.valueadded` are computed side by side (covariate-adjusted
residuals, random-intercept multilevel with empirical-Bayes shrinkage, mean/median SGP), each with
SE, 95 % CI and a band. Units below ``settings.min_unit_n`` are not reported. For internal
improvement only: never a published league table (GLOSSARY, rules on publishing). Writes nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eduquality.analysis.cohort import cohort_exams, linked_scores
from eduquality.config import Settings
from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.measures.growth import student_growth_percentiles
from eduquality.measures.valueadded import compare_estimators
from eduquality.results import ValueAdded
from eduquality.store import Database
from eduquality.store.rosters import subject_teachers

__all__ = ["ValueAdded", "summary_by_level", "truth_check", "value_added"]

MESSAGES = register({
    "va.no_prior": ("考试 {exam_id} 的「{subject}」没有同一批学生的前测成绩，无法计算增值",
                    "no prior exam of the same students for {subject} in {exam_id}: "
                    "value-added needs one"),
})

LEVEL_COLUMN = {"school": "school_code", "class": "class_id", "teacher": "teacher_id"}


def _teacher_of(db: Database, subject_code: str) -> pd.DataFrame:
    return subject_teachers(db, subject_code)


def value_added(db: Database, exam_id: str, subject_code: str, settings: Settings,
                priors: list[str] | None = None, max_priors: int = 2) -> ValueAdded:
    """Value-added of every school, class and teacher for ``subject_code`` of ``exam_id``,
    against the cohort's earlier exams (or ``priors``)."""
    prior_ids = (priors if priors is not None else cohort_exams(db, exam_id))[:max_priors]
    students = linked_scores(db, subject_code, exam_id, prior_ids) if prior_ids else None
    prior_cols = [f"prior_{i + 1}" for i in range(len(prior_ids))]
    if students is None or students[prior_cols].notna().all(axis=1).sum() < settings.min_unit_n:
        raise EduQualityError(tr("va.no_prior", db.lang, exam_id=exam_id, subject=subject_code))
    # Residual and multilevel models need complete priors: use the students who have them all
    # (SGPs use the most priors each student has).
    sgp = student_growth_percentiles(students["current"].to_numpy(),
                                     students[prior_cols].to_numpy(), min_n=50)
    students = pd.concat([students, sgp.set_index(students.index)], axis=1)
    students = students.merge(_teacher_of(db, subject_code), on="class_id", how="left")
    complete = students.dropna(subset=prior_cols)
    parts = []
    for level, column in LEVEL_COLUMN.items():
        rows = complete.dropna(subset=[column])
        if rows.empty:
            continue
        est = compare_estimators(
            rows["current"].to_numpy(), rows[prior_cols].to_numpy(), rows[column].to_numpy(),
            sgp=rows["sgp"].astype("float64").to_numpy(), min_n=settings.min_unit_n)
        est.insert(0, "level", level)
        parts.append(est)
    estimates = pd.concat(parts, ignore_index=True)
    estimates = estimates[estimates["n"] >= settings.min_unit_n].reset_index(drop=True)
    return ValueAdded(exam_id, subject_code, prior_ids, students, estimates)


def truth_check(va: ValueAdded, true_effects: pd.Series, level: str = "school",
                estimator: str = "multilevel") -> dict[str, float]:
    """Correlation, RMSE and CI coverage of ``estimator``'s unit estimates against true unit
    effects (e.g. the simulated district's ground truth, in score points)."""
    from eduquality.measures.valueadded import check_against_truth

    est = va.estimates[(va.estimates["level"] == level) & (va.estimates["estimator"] == estimator)]
    return check_against_truth(est.set_index("unit"), true_effects)


def summary_by_level(va: ValueAdded) -> pd.DataFrame:
    """Counts of units per band for each level and estimator (for report overviews)."""
    counts = va.estimates.groupby(["level", "estimator", "band"]).size().unstack(fill_value=0)
    return counts.reset_index().astype({c: np.int64 for c in counts.columns})
