"""Use case: value-added (增值评价) of schools, classes and teachers for one exam and subject.

The same students are linked to their prior exams of the same cohort (:mod:`cohort`); the three
estimators of :mod:`eduquality.measures.valueadded` are computed side by side (covariate-adjusted
residuals, random-intercept multilevel with empirical-Bayes shrinkage, mean/median SGP), each with
SE, 95 % CI and a band. Units below ``settings.min_unit_n`` are not reported. For internal
improvement only: never a published league table (GLOSSARY, rules on publishing). Writes nothing.

Across the change to 3+1+2 (a 高三 exam by 物理类/历史类 against the cohort's 高一 exams, where
everyone sat every subject):

- a subject: the students who sat it at the current exam, and only they — a 再选 subject's
  priors come from the students who chose it (:func:`eduquality.analysis.cohort.
  linked_scores`). The current score is the **raw** paper score, not the 等级赋分: 赋分 is a
  piecewise-linear map of the candidate's rank among the subject's takers (GLOSSARY 高考), so
  it adds nothing to the raw score but ties and a compressed 30–100 scale, and its reference
  population (the district's takers, or the province for the official 高考 赋分) is not the
  students being compared. Raw scores keep the paper's own scale; the SGP, built on ranks,
  would be nearly the same on either.
- the 总分: the 高一 total is over every subject, the 高三 total the 3+1+2 total (750: 语数外 and
  the 首选 raw, the two 再选 赋分, :func:`eduquality.analysis.scaling.exam_totals`). The two
  tracks' totals are sums over different subjects — not one scale — so the models are fitted
  **within each track separately**, never on the pooled totals: for track k,
  yᵢ = αₖ + βₖ′xᵢ + eᵢ (residual) and yᵢⱼ = αₖ + βₖ′xᵢⱼ + uⱼₖ + eᵢⱼ (multilevel), the SGPs
  from track k's students only, and school j's value-added in track k is its track-k students'
  mean residual ēⱼₖ (resp. ûⱼₖ). A track dummy as a covariate would shift the intercept only,
  forcing one slope and one residual variance on two different totals. The 高考 does the
  same: lines and 一分一段 tables per 物理类/历史类 (GLOSSARY 高考); scores of different tests
  are not interchangeable unless equated (Kolen & Brennan, *Test Equating, Scaling, and
  Linking*, 3rd ed., 2014, ch. 1).
- generally, a subject with one paper per track (数学 文科/理科 before 3+1+2) is modelled per
  paper track the same way; a paper common to all tracks is one model.

Each estimate row carries its ``track`` (the group it was fitted in; None for a common paper).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eduquality.analysis.cohort import TOTAL, cohort_exams, linked_scores
from eduquality.config import Settings
from eduquality.errors import EduQualityError
from eduquality.i18n import LIST_SEPARATORS, register, tr
from eduquality.measures.growth import student_growth_percentiles
from eduquality.measures.valueadded import compare_estimators
from eduquality.results import ValueAdded
from eduquality.store import Database
from eduquality.store.exams import exam_subject_codes
from eduquality.store.rosters import subject_teachers
from eduquality.vocab import SUBJECTS, TRACKS

__all__ = ["ValueAdded", "summary_by_level", "truth_check", "value_added"]

MESSAGES = register({
    "va.no_prior": ("考试 {exam_id} 的「{subject}」没有同一批学生的前测成绩，无法计算增值",
                    "no prior exam of the same students for {subject} in {exam_id}: "
                    "value-added needs one"),
    "va.prior_lacks_subject": (
        "考试 {exam_id} 的「{subject}」无法计算增值：前测考试 {priors} 都没有「{subject}」的成绩"
        "（例如高一未考该科），请用 --prior 指定考过该科的前测考试",
        "no value-added for {subject} in {exam_id}: none of the prior exams {priors} has "
        "{subject} (e.g. not sat in 高一); name a prior exam that has it with --prior"),
    "va.too_few_linked": (
        "考试 {exam_id} 的「{subject}」{track}只有 {n} 名学生在前测考试 {priors} 中有成绩，"
        "少于最低人数 {min_n}，无法计算增值",
        "no value-added for {subject}{track} in {exam_id}: only {n} students have a score in "
        "the prior exams {priors}, fewer than the minimum {min_n}"),
})

LEVEL_COLUMN = {"school": "school_code", "class": "class_id", "teacher": "teacher_id"}
SGP_MIN_N = 50
"""Fewest students with the same priors to fit an SGP model on (per track)."""


def _teacher_of(db: Database, subject_code: str) -> pd.DataFrame:
    return subject_teachers(db, subject_code)


def _subject_label(code: str, lang: str) -> str:
    return SUBJECTS.label(code, lang) if code in SUBJECTS.terms else code


def _no_prior(db: Database, exam_id: str, subject_code: str, prior_ids: list[str],
              students: pd.DataFrame | None, track: str | None, min_n: int) -> EduQualityError:
    """The located reason why ``subject_code`` of ``exam_id`` has no value-added: no prior
    exam, no prior exam with the subject, or too few ``students`` (of ``track``) with every
    prior."""
    lang = db.lang
    subject = _subject_label(subject_code, lang)
    if not prior_ids:
        return EduQualityError(tr("va.no_prior", lang, exam_id=exam_id, subject=subject))
    priors = LIST_SEPARATORS.get(lang, ", ").join(prior_ids)
    if subject_code != TOTAL and not any(subject_code in exam_subject_codes(db, p)
                                         for p in prior_ids):
        return EduQualityError(tr("va.prior_lacks_subject", lang, exam_id=exam_id,
                                  subject=subject, priors=priors))
    n = 0 if students is None else int(students.filter(like="prior_").notna().all(axis=1).sum())
    where = "" if track is None else (f"（{TRACKS.label(track, lang)}）" if lang != "en"
                                      else f" ({TRACKS.label(track, lang)})")
    return EduQualityError(tr("va.too_few_linked", lang, exam_id=exam_id, subject=subject,
                              track=where, n=n, priors=priors, min_n=min_n))


def _estimates(group: pd.DataFrame, prior_cols: list[str], min_n: int) -> pd.DataFrame:
    """The estimators at every level for one group of comparable students (module docstring)."""
    complete = group.dropna(subset=prior_cols)
    parts = []
    for level, column in LEVEL_COLUMN.items():
        rows = complete.dropna(subset=[column])
        if rows.empty:
            continue
        est = compare_estimators(
            rows["current"].to_numpy(), rows[prior_cols].to_numpy(), rows[column].to_numpy(),
            sgp=rows["sgp"].astype("float64").to_numpy(), min_n=min_n)
        est.insert(0, "level", level)
        parts.append(est)
    return pd.concat(parts, ignore_index=True)


def value_added(db: Database, exam_id: str, subject_code: str, settings: Settings,
                priors: list[str] | None = None, max_priors: int = 2,
                track: str | None = None) -> ValueAdded:
    """Value-added of every school, class and teacher for ``subject_code`` (a subject code or
    'total') of ``exam_id``, against the cohort's earlier exams of its type (or ``priors``,
    most recent first); ``track`` (a :data:`eduquality.vocab.TRACKS` code: 'physics' 物理类 …):
    only the students of that track at ``exam_id``.

    Models are fitted within each group of comparable scores — a paper track, and for the 总分
    the student's track (module docstring) — and each estimate row says its ``track``. Raises a
    located :class:`EduQualityError` when there is no prior exam, when no prior exam has the
    subject, or when fewer than ``settings.min_unit_n`` students have every prior."""
    prior_ids = (priors if priors is not None else cohort_exams(db, exam_id))[:max_priors]
    students = linked_scores(db, subject_code, exam_id, prior_ids) if prior_ids else None
    prior_cols = [f"prior_{i + 1}" for i in range(len(prior_ids))]
    if students is not None and track is not None:
        students = students[students["track"] == track].reset_index(drop=True)
    if students is None or students[prior_cols].notna().all(axis=1).sum() < settings.min_unit_n:
        raise _no_prior(db, exam_id, subject_code, prior_ids, students, track,
                        settings.min_unit_n)
    students = students.merge(_teacher_of(db, subject_code), on="class_id", how="left")
    # Residual and multilevel models need complete priors: use the students who have them all
    # (SGPs use the most priors each student has). One set of models per paper track.
    group_of = students["paper_track"].fillna("")
    sgp_parts, parts = [], []
    for key, group in students.groupby(group_of, sort=True):
        sgp = student_growth_percentiles(group["current"].to_numpy(),
                                         group[prior_cols].to_numpy(), min_n=SGP_MIN_N)
        group = pd.concat([group, sgp.set_index(group.index)], axis=1)
        sgp_parts.append(sgp.set_index(group.index))
        if group[prior_cols].notna().all(axis=1).sum() < settings.min_unit_n:
            continue
        est = _estimates(group, prior_cols, settings.min_unit_n)
        est.insert(1, "track", key or None)
        parts.append(est)
    if not parts:  # enough students in all, too few in every track
        complete = group_of[students[prior_cols].notna().all(axis=1)]
        biggest = str(complete.value_counts().index[0])
        raise _no_prior(db, exam_id, subject_code, prior_ids, students[group_of == biggest],
                        biggest or None, settings.min_unit_n)
    students = pd.concat([students, pd.concat(sgp_parts).reindex(students.index)], axis=1)
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
