"""The student report of a 3+1+2 exam shows the raw score and, for the 再选 subjects, the 赋分
(hand-made 高考 of tests/factories.new_regime_db)."""

from __future__ import annotations

import pytest

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.reports.bundle import build_report, make_view
from eduquality.reports.roster import with_identities
from tests.factories import new_regime_db
from tests.reports.test_builders import find


@pytest.fixture(scope="module")
def view():
    """The hand-made 3+1+2 高考, analysed, with identities."""
    db = new_regime_db()
    return make_view(with_identities(analyse_exam(db, "2025-gaokao", Settings()), db),
                     Settings(), "zh")


def test_student_report_shows_raw_and_scaled(view) -> None:
    # student 5 (P5): 化学 raw 70 → 赋分 71 (B), 地理 raw 86 → 82 (B); 总分 = 750 total 543
    report = build_report(view, "student", "G000005")
    t = find(report, "各科结果")
    rows = t.frame.set_index("subject")
    assert rows.loc["化学", "score"] == 70 and rows.loc["化学", "scaled_score"] == 71
    assert rows.loc["地理", "scaled_grade"] == "B" and rows.loc["地理", "scaled_score"] == 82
    assert rows.loc["数学", "score"] == 100 and rows.loc[["数学", "物理"], "scaled_score"].isna().all()
    assert rows.loc["总分", "score"] == 543
