"""Use case: 选科 of a 3+1+2 exam's students — combinations by unit and results by combination.

A student's choice is read from the papers they sat at the exam (语数外 + one of 物理/历史 + two
再选 subjects: :func:`eduquality.analysis.scaling.add_scaled_scores` marks them ``new_regime``),
so any 3+1+2 exam gives its 选科 without a separate choice table. Shares and results are the
pure :mod:`eduquality.measures.subject_choice`; the results by combination are on the 750 total
(赋分 included). The caller passes the students a reader may see (an analysis cut to the
reader's scope) and the minimum unit size. Writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from eduquality.measures.gaokao_scaling import ELECTIVES, FIRST_CHOICE
from eduquality.measures.subject_choice import choice_shares, results_by_combination
from eduquality.results import ExamAnalysis
from eduquality.store import Database
from eduquality.store.students import exam_genders

__all__ = ["BY", "choice_tables", "exam_choice_tables", "exam_choices"]

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
    choices = exam_choices(analysis.students)
    genders = exam_genders(db, analysis.exam.exam_id)
    choices = choices.merge(genders, on="student_id", how="left")
    return choice_tables(choices, BY[by], min_n)
