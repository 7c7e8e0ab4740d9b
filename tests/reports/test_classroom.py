"""The class list of a 3+1+2 exam: each 再选 subject's 赋分 beside its raw score."""

from __future__ import annotations

from eduquality.reports.classroom import student_list
from tests.reports.test_student import view  # noqa: F401  (the fixture)


def test_student_list_scaled_columns(view) -> None:  # noqa: F811
    mine = view.analysis.students[view.analysis.students["school_code"] == "S1"]
    frame = student_list(view, mine).frame.set_index("student_id")
    # P5 (student 5): 化学 raw 70 → 赋分 71; 地理 86 → 82; 数学 is not scaled
    assert frame.loc[5, "chemistry.score"] == 70 and frame.loc[5, "chemistry.scaled"] == 71
    assert frame.loc[5, "geography.scaled"] == 82 and "math.scaled" not in frame.columns
