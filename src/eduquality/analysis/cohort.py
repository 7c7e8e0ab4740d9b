"""Linking the same students across exams (进退步, growth, value-added).

Students are linked by their internal id (one per 学籍号), so a transfer between schools keeps
the link; the unit a student is credited to is the school/class at the *current* exam.

Across the change to 3+1+2 (a 高一 exam where everyone sits every subject, a 高三 exam by
物理类/历史类 with two 再选 subjects): a subject's rows are those of the students who sat it at
the *current* exam, so the priors of students who did not choose a 再选 subject never enter;
the 总分 of each exam is the total as it counts (:func:`eduquality.analysis.scaling.
exam_totals`: over every paper in 高一, the 3+1+2 total of 750 in 高三), and ``track`` says which
of the current exam's tracks a student belongs to (value-added of a total is computed within it).
"""

from __future__ import annotations

import pandas as pd

from eduquality.analysis.scaling import exam_totals
from eduquality.analysis.tables import subject_results
from eduquality.store import Database
from eduquality.store.exams import cohort_exam_ids, find_exam
from eduquality.store.rosters import present_scores, registrations

TOTAL = "total"


PRIOR_FALLBACK_TYPE = "final"
"""The exam type (期末) whose earlier sittings are a cohort's priors when it has no earlier exam
of the current exam's own type: a 高三 一诊 or 模拟, or a 高考, whose kind is first sat in 高三,
is measured against the cohort's 高二 and 高一 期末 exams."""


def cohort_exams(db: Database, exam_id: str, exam_type: str | None = None) -> list[str]:
    """Earlier exams of the same cohort as ``exam_id``: one grade lower per school year back,
    same exam type unless ``exam_type`` says otherwise; most recent first. With no earlier
    exam of its own type (and no ``exam_type`` asked for), the cohort's earlier
    :data:`PRIOR_FALLBACK_TYPE` exams."""
    exam = find_exam(db, exam_id)
    if exam is None:
        return []
    found = cohort_exam_ids(db, exam, exam_type or exam.exam_type)
    if found or exam_type is not None or exam.exam_type == PRIOR_FALLBACK_TYPE:
        return found
    return cohort_exam_ids(db, exam, PRIOR_FALLBACK_TYPE)


def _totals(db: Database, exam_id: str) -> pd.DataFrame:
    """The 总分 row of every student of ``exam_id``: exam_id, student_id, track and score (the
    total that counts; NaN unless the student sat every paper, and in 3+1+2 all six)."""
    t = exam_totals(db, exam_id).execute()
    t.loc[t["status"] != "present", "score"] = float("nan")
    return t[["exam_id", "student_id", "score", "track"]]


def _paper_tracks(db: Database, exam_id: str, subject_code: str) -> pd.Series:
    """The track of the paper each student sat in ``subject_code`` (None for a paper common
    to all tracks), by student_id."""
    sr = subject_results(db.ibis(), exam_id)
    rows = sr.filter(sr.subject_code == subject_code).select("student_id", "track").execute()
    return rows.drop_duplicates("student_id").set_index("student_id")["track"]


def linked_scores(db: Database, subject_code: str, current: str,
                  priors: list[str]) -> pd.DataFrame:
    """One row per student present in ``subject_code`` of the ``current`` exam: school_code,
    class_id (at the current exam), ``track`` (the student's track at the current exam: the
    首选's 物理类/历史类 in 3+1+2, 文科/理科 before; None before 选科), ``paper_track`` (the
    track of the paper the current score is on: None for a paper common to all tracks; for
    ``subject_code`` 'total' the student's track, as every track's total is its own sum),
    ``current`` score and one column ``prior_1`` … per prior exam (most recent first; NaN when
    absent or not taken).

    Scores are raw paper scores; for 'total' the 总分 as it counts (module docstring)."""
    exams = [current, *priors]
    totals = [_totals(db, e) for e in exams] if subject_code == TOTAL else []
    long = (pd.concat(totals, ignore_index=True).dropna(subset=["score"]) if totals
            else present_scores(db, subject_code, exams))
    wide = long.pivot_table(index="student_id", columns="exam_id", values="score",
                            aggfunc="first")
    reg = registrations(db, current)[["student_id", "school_code", "class_id"]
                                     ].set_index("student_id")
    out = reg.join(wide.reindex(columns=exams), how="inner")
    out = out.dropna(subset=[current]).rename(
        columns={current: "current", **{e: f"prior_{i + 1}" for i, e in enumerate(priors)}})
    track = (totals[0] if totals else _totals(db, current)).set_index("student_id")["track"]
    out.insert(2, "track", track.reindex(out.index).astype(object).to_numpy())
    paper = track if totals else _paper_tracks(db, current, subject_code)
    out.insert(3, "paper_track", paper.reindex(out.index).astype(object).to_numpy())
    out[["track", "paper_track"]] = out[["track", "paper_track"]].where(
        out[["track", "paper_track"]].notna(), None)
    return out.reset_index()
