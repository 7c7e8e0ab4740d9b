"""Use case: 选科 of a 3+1+2 exam's students — combinations by unit and results by combination.

A student's choice is read from the papers they sat at the exam (语数外 + one of 物理/历史 + two
再选 subjects: :func:`eduquality.analysis.scaling.add_scaled_scores` marks them ``new_regime``),
so any 3+1+2 exam gives its 选科 without a separate choice table. Shares and results are the
pure :mod:`eduquality.measures.subject_choice`; the results by combination are on the 750 total
(赋分 included). The caller passes the students a reader may see (an analysis cut to the
reader's scope) and the minimum unit size. Writes nothing.

Over the years (:func:`choices_over_years`): the choices recorded per school year (table
``student_subject_choice``, every student with a choice that year, 高二 and 高三), district
shares by year. A school's page (:func:`school_choice_tables`): its students at the exam by
class and by gender, and their results by combination.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from eduquality.measures.gaokao_scaling import ELECTIVES, FIRST_CHOICE
from eduquality.measures.scaling_rules import exam_rule_for
from eduquality.measures.subject_choice import choice_shares, results_by_combination
from eduquality.results import ExamAnalysis
from eduquality.store import Database
from eduquality.store.choices import subject_choices
from eduquality.store.exams import senior_exams
from eduquality.store.lines import district_province
from eduquality.store.refs import school_years
from eduquality.store.students import exam_genders

__all__ = ["BY", "choice_tables", "choices_over_years", "exam_choice_tables", "exam_choices",
           "latest_choice_exam", "school_choice_tables"]

BY = {"school": ["school_code"], "class": ["school_code", "class_id"], "gender": ["gender"],
      "school-gender": ["school_code", "gender"]}
"""The unit nestings a 选科 table can be broken down by."""


def exam_choices(students: pd.DataFrame) -> pd.DataFrame:
    """One row per new-regime student of an exam (``ExamAnalysis.students``): student_id,
    school_code, class_id, first_choice, second_choice_1, second_choice_2 (subject codes) and
    total (the 750 total with 赋分; NaN when incomplete)."""
    cols = ["student_id", "school_code", "class_id", "first_choice", "second_choice_1",
            "second_choice_2", "total"]
    if "new_regime" not in students.columns or not students["new_regime"].any():
        return pd.DataFrame(columns=cols)
    mine = students[students["new_regime"].astype(bool)]
    papers = mine[mine["subject_code"] != "total"]
    units = mine.drop_duplicates("student_id").set_index("student_id")[
        ["school_code", "class_id"]]
    first = papers[papers["subject_code"].isin(FIRST_CHOICE)].set_index("student_id")[
        "subject_code"]
    electives = papers[papers["subject_code"].isin(ELECTIVES)]
    second = electives.sort_values(["student_id", "subject_code"]).groupby("student_id")[
        "subject_code"].agg(list)
    total = mine[mine["subject_code"] == "total"].set_index("student_id")["scaled_score"]
    out = units.assign(first_choice=first.reindex(units.index),
                       second_choice_1=second.reindex(units.index).str[0],
                       second_choice_2=second.reindex(units.index).str[1],
                       total=total.reindex(units.index))
    return out.reset_index()[cols]


def choice_tables(choices: pd.DataFrame, by: Sequence[str], min_n: int
                  ) -> dict[str, pd.DataFrame]:
    """``shares`` (:func:`~eduquality.measures.subject_choice.choice_shares` by the nesting
    ``by``) and ``results`` (:func:`~eduquality.measures.subject_choice.results_by_combination`
    of the 750 total), small units withheld at ``min_n``."""
    return {"shares": choice_shares(choices, by, min_n),
            "results": results_by_combination(choices, "total", min_n)}


def exam_choice_tables(db: Database, analysis: ExamAnalysis, by: str, min_n: int
                       ) -> dict[str, pd.DataFrame]:
    """:func:`choice_tables` of the students in ``analysis`` (already cut to what the reader
    may see) broken down by ``by`` (a key of :data:`BY`), with their gender from the store."""
    return choice_tables(_with_genders(db, analysis), BY[by], min_n)


def _with_genders(db: Database, analysis: ExamAnalysis) -> pd.DataFrame:
    choices = exam_choices(analysis.students)
    genders = exam_genders(db, analysis.exam.exam_id)
    return choices.merge(genders, on="student_id", how="left")


def school_choice_tables(db: Database, analysis: ExamAnalysis, school_code: str, min_n: int
                         ) -> dict[str, pd.DataFrame]:
    """A school's 选科 at the exam: ``classes`` (shares by class), ``gender`` (shares by
    gender) and ``results`` (750 total by combination) of its students in ``analysis``
    (already cut to what the reader may see), small units withheld at ``min_n``."""
    choices = _with_genders(db, analysis)
    mine = choices[choices["school_code"] == school_code]
    return {"classes": choice_shares(mine, ["class_id"], min_n),
            "gender": choice_shares(mine, ["gender"], min_n),
            "results": results_by_combination(mine, "total", min_n)}


def choices_over_years(db: Database, min_n: int) -> pd.DataFrame:
    """District shares of the combinations per school year from the recorded choices
    (:func:`~eduquality.measures.subject_choice.choice_shares` by ``year_code``: level 0 all
    years together, level 1 each year), small years withheld at ``min_n``."""
    frames = []
    for year in school_years(db)["year_code"]:
        rows = subject_choices(db, str(year))
        if not rows.empty:
            frames.append(rows.assign(year_code=str(year)))
    if not frames:
        return choice_shares(pd.DataFrame(columns=["year_code", "first_choice",
                                                   "second_choice_1", "second_choice_2"]),
                             ["year_code"], min_n)
    every = pd.concat(frames, ignore_index=True).rename(
        columns={"second_1": "second_choice_1", "second_2": "second_choice_2"})
    return choice_shares(every, ["year_code"], min_n)


def latest_choice_exam(db: Database) -> str | None:
    """The latest 高二/高三 exam of the 3+1+2 regime (it has a 赋分 rule: :func:`eduquality.
    analysis.scaling.exam_rule`, the province read once), or None: the exam the 选科 pages open on."""
    province = district_province(db)
    for exam in senior_exams(db):
        if exam_rule_for(province, exam) is not None:
            return exam.exam_id
    return None
