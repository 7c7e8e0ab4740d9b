"""Fixtures: the factory exam analysed three ways (compulsory grade 8, senior grade 11, 高考),
with identities from the store, and hand-made item/knowledge/weak-point/group frames."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.reports.bundle import make_view
from eduquality.reports.roster import with_identities
from eduquality.results import ExamAnalysis
from tests.factories import tiny_exam_db


def analysed(exam_type: str = "final", grade: int = 8, lang: str = "zh") -> ExamAnalysis:
    db = tiny_exam_db()
    db.lang = lang  # the language of the database's messages; results carry none
    with db.write() as con:
        con.execute("UPDATE exam SET exam_type = ?, grade = ? WHERE exam_id = 'E1'",
                    [exam_type, grade])
    return with_identities(analyse_exam(db, "E1", Settings()), db)


@pytest.fixture(scope="session")
def compulsory() -> ExamAnalysis:
    return analysed()


@pytest.fixture(scope="session")
def senior() -> ExamAnalysis:
    return analysed("final", 11)


@pytest.fixture(scope="session")
def gaokao() -> ExamAnalysis:
    return analysed("gaokao", 12)


def with_measures(a: ExamAnalysis) -> ExamAnalysis:
    """``a`` with small hand-made frames in the columns ``analyse_exam`` gives (items, options,
    reliability, knowledge incl. ability levels and student rows, weak points, groups)."""
    items = pd.DataFrame({
        "paper_id": ["E1/math"] * 3, "subject_code": ["math"] * 3, "seq": [3, 1, 2],
        "item": ["3", "1", "2"], "full_marks": [6.0, 2.0, 2.0], "mean": [3.1, 1.5, 1.0],
        "p": [0.52, 0.75, 0.5], "d27": [0.45, 0.31, 0.12], "total_r": [0.8, 0.5, 0.4],
        "rest_r": [0.41, 0.33, 0.18], "alpha_if_deleted": [0.2, 0.45, 0.5],
        "ebel": ["very_good", "good", "poor"],
        "poor_discrimination": [False, False, True], "possibly_miskeyed": [False, False, True],
        "flawed_distractor": [False, False, False]})
    options = pd.DataFrame({
        "paper_id": ["E1/math"] * 4, "item": ["1", "1", "2", "2"], "option": ["A", "B", "A", "B"],
        "is_key": [True, False, False, True], "n": [130, 43, 86, 87],
        "share": [0.75, 0.25, 0.5, 0.5], "share_high": [0.9, 0.1, 0.4, 0.6],
        "share_low": [0.6, 0.4, 0.55, 0.45], "disc": [0.3, -0.3, -0.15, 0.15]})
    reliability = pd.DataFrame({"paper_id": ["E1/math"], "subject_code": ["math"],
                                "alpha": [0.512], "sem": [1.82], "n": [173], "n_items": [3]})
    knowledge = pd.DataFrame({
        "paper_id": ["E1/math"] * 10, "subject_code": ["math"] * 10,
        "kind": ["knowledge"] * 8 + ["ability"] * 2,
        "level": ["district", "district", "school", "school", "class", "class", "student",
                  "student", "district", "school"],
        "unit": ["all", "all", "S2", "S2", "S2-2021-8-1", "S2-2021-8-1", "61", "61", "all",
                 "S2"],
        "knowledge_point": ["函数", "几何"] * 4 + ["运算能力", "运算能力"],
        "rate": [0.55, 0.48, 0.44, 0.37, 0.40, 0.30, 0.20, 0.90, 0.6, 0.5]})
    weak = pd.DataFrame({
        "paper_id": ["E1/math"] * 4, "subject_code": ["math"] * 4,
        "level": ["school", "school", "class", "school"],
        "unit": ["S2", "S2", "S2-2021-8-1", "S1"], "knowledge_point": ["函数", "几何", "几何", "函数"],
        "rate_unit": [0.44, 0.37, 0.30, 0.60], "rate_ref": [0.55, 0.48, 0.48, 0.55],
        "gap": [-0.11, -0.11, -0.18, 0.05], "p_adj": [0.01, 0.002, 0.03, 0.9],
        "weak": [True, True, True, False], "priority": [0.05, 0.08, 0.1, -0.02],
        "rank": [2.0, 1.0, 1.0, None]})
    groups = pd.DataFrame({"student_id": [61, 62, 100, 61],
                           "group": ["top", "struggling", "top", "weak_subject"],
                           "subject_code": ["total", "total", "total", "math"]})
    return replace(a, items=items, options=options, reliability=reliability,
                   knowledge=knowledge, weak_points=weak, groups=groups)


@pytest.fixture(scope="session")
def english() -> ExamAnalysis:
    return with_measures(analysed(lang="en"))


@pytest.fixture(scope="session")
def full(compulsory: ExamAnalysis) -> ExamAnalysis:
    return with_measures(compulsory)


def view_of(a: ExamAnalysis, lang: str = "zh", public: bool = False):
    return make_view(a, Settings(), lang, public)
