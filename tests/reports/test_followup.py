"""The follow-up section and table: a hand-made FollowUp laid out for a school (its rows, the
district's and its teachers', withheld rows blank), and left out of public documents."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from eduquality.reports.bundle import build_report
from eduquality.reports.followup import followup_frame, followup_section, followup_table
from eduquality.reports.model import Table, Text
from eduquality.results import FollowUp
from tests.reports.conftest import view_of


def hand_followup() -> FollowUp:
    nan = math.nan
    rows = [  # level, unit, school, cohort, left, stayed, missing, share, sgp, band, withheld
        ("district", "all", None, 25, 10, 12, 3, 10 / 22, 52.0, "expected", False),
        ("school", "S1", "S1", 12, 5, 6, 1, 5 / 11, 55.0, "expected", False),
        ("school", "S2", "S2", nan, nan, nan, nan, nan, nan, "insufficient", True),
        ("school", "S3", "S3", nan, nan, nan, nan, nan, nan, "insufficient", True),
        ("teacher", "T1", "S1", 12, 5, 6, 1, 5 / 11, 55.0, "expected", False),
        ("teacher", "T9", "S3", 6, 2, 4, 0, 2 / 6, 40.0, "expected", False),
    ]
    cols = ["level", "unit", "school_code", "n_cohort", "n_left", "n_stayed", "n_missing",
            "left_share", "mean_sgp", "sgp_band", "withheld"]
    t = pd.DataFrame(rows, columns=cols).assign(
        group="struggling", subject_code="math", later_exam="E2",
        n_followed=lambda f: f.n_left + f.n_stayed, n_sgp=lambda f: f.n_left + f.n_stayed,
        left_ci_low=lambda f: f.left_share - 0.2, left_ci_high=lambda f: f.left_share + 0.2,
        sgp_ci_low=lambda f: f.mean_sgp - 8, sgp_ci_high=lambda f: f.mean_sgp + 8,
        n_peer=100, peer_mean_sgp=50.0, sgp_gap=lambda f: f.mean_sgp - 50,
        gap_ci_low=lambda f: f.sgp_gap - 9, gap_ci_high=lambda f: f.sgp_gap + 9)
    return FollowUp("E1", ["E2"], t, {"school": {"S1": "甲校"}, "teacher": {"T1": "王老师"},
                                      "exam": {"E1": "期末 2022-01-10", "E2": "期末 2022-06-20"}})


def test_frame_for_a_school_keeps_district_school_and_its_teachers():
    f = followup_frame(hand_followup(), "zh", "S1")
    assert list(zip(f.level, f.unit, strict=True)) == [
        ("district", "all"), ("school", "S1"), ("teacher", "T1")]
    assert f.unit_label.tolist() == ["全区", "甲校", "王老师"]
    assert f.group_label.iloc[0] == "学困生 · 数学"
    assert f.exam_label.iloc[0] == "期末 2022-06-20"
    assert f.share_ci.iloc[0] == "25.5%–65.5%"  # 10/22 = 45.45 % ± 20 points, as shown
    assert f.gap_ci.iloc[1] == "-4.0–14.0"  # S1: 55 − 50 = 5 ± 9


def test_withheld_rows_show_no_number():
    f = followup_frame(hand_followup(), "en")
    s2 = f[f.unit == "S2"].iloc[0]
    assert s2.band_label == "too few, not reported" and s2.share_ci == "—"
    assert np.isnan(s2.n_cohort)


def test_table_columns_and_section():
    table = followup_table(hand_followup(), "en", "S1")
    keys = [c.key for c in table.columns]
    assert keys[:4] == ["group_label", "exam_label", "unit_label", "n_cohort"]
    assert {c.key for c in table.columns if not c.in_excel} == {"share_ci", "sgp_ci", "gap_ci"}
    section = followup_section(hand_followup(), "en", 10, "S1")
    assert isinstance(section.blocks[0], Text) and "under 10 students" in section.blocks[0].text
    assert isinstance(section.blocks[1], Table)
    empty = FollowUp("E1", [], hand_followup().table.iloc[0:0])
    assert isinstance(followup_section(empty, "en", 10).blocks[1], Text)


def test_school_report_has_the_section_internal_only(compulsory):
    fu = hand_followup()
    report = build_report(view_of(compulsory), "school", "S1", followup=fu)
    titles = [s.title for s in report.sections]
    assert "学困生、弱科生、临界生帮扶跟踪" in titles
    table = report.sections[titles.index("学困生、弱科生、临界生帮扶跟踪")].blocks[1]
    assert isinstance(table, Table) and set(table.frame.unit) == {"all", "S1", "T1"}
    public = build_report(view_of(compulsory, public=True), "school", "S1", followup=fu)
    assert "学困生、弱科生、临界生帮扶跟踪" not in [s.title for s in public.sections]


def test_the_section_renders_in_html_and_excel(compulsory, tmp_path):
    from openpyxl import load_workbook

    from eduquality.reports.bundle import write_report

    report = build_report(view_of(compulsory, lang="en"), "school", "S1",
                          followup=hand_followup())
    html = write_report(report, tmp_path / "s.html", "html").read_text(encoding="utf-8")
    assert "Share left 95 % CI" in html and "25.5%–65.5%" in html
    book = load_workbook(write_report(report, tmp_path / "s.xlsx", "xlsx"))
    sheet = next(ws for ws in book.worksheets if ws.title.startswith("Follow-up"))
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert 12 in values and "District" in values
