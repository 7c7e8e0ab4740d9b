"""优质均衡 (教督〔2017〕6号) on a district of three primary schools worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from eduquality.measures.balance import (
    STANDARDS,
    balance_summary,
    school_compliance,
    weighted_cv,
)

STUDENTS = {"A": 500, "B": 300, "C": 200}


def _district() -> pd.DataFrame:
    x = pd.DataFrame({k: [v["primary"]] * 3 for k, v in STANDARDS.items()}, index=list("ABC"))
    x.loc["A", "multimedia_classrooms_per_100"] = 0.5     # 0.5/2.3 = 0.217
    x.loc["B", "qualified_teachers_per_100"] = 4.0        # 4.0/4.2 = 0.952
    x.loc["A", "qualified_teachers_per_100"] = 4.4
    x.loc["C", "qualified_teachers_per_100"] = 5.0
    x.loc["C", "sports_area_per_student"] = 6.0           # 6.0/7.5 = 0.8
    x.loc["C", "equipment_value_per_student"] = 1800.0    # 0.9
    x.loc["C", "multimedia_classrooms_per_100"] = 6.0
    return x


def test_weighted_cv_by_hand():
    # qualified teachers: mean (500·4.4 + 300·4.0 + 200·5.0)/1000 = 4.4;
    # variance (300·0.16 + 200·0.36)/1000 = 0.12; CV = √0.12 / 4.4 = 0.078730
    assert weighted_cv([4.4, 4.0, 5.0], [500, 300, 200]) == pytest.approx(0.078730, abs=1e-6)
    # equal values: no difference
    assert weighted_cv([3.0, 3.0], [10, 90]) == 0.0
    assert math.isnan(weighted_cv([], []))


def test_compliance_by_hand():
    c = school_compliance(_district(), "primary")
    # A: 6 met, multimedia at 21.7 % of its standard (< 85 %); B: 6 met, lowest 95.2 %;
    # C: 5 met (sports 80 %, equipment 90 %)
    assert c["n_met"].to_dict() == {"A": 6, "B": 6, "C": 5}
    assert c["complies"].to_dict() == {"A": False, "B": True, "C": False}
    assert c.loc["B", "lowest_ratio"] == pytest.approx(4.0 / 4.2)


def test_summary_names_the_schools_that_hold_the_district_back():
    summary, short = balance_summary(_district(), STUDENTS, "primary")
    s = summary.set_index("indicator")
    # sports: mean (3750 + 2250 + 1200)/1000 = 7.2; variance (500·0.09 + 300·0.09 + 200·1.44)
    # /1000 = 0.36; CV = 0.6/7.2 = 0.083333 ≤ 0.50
    assert s.loc["sports_area_per_student", "mean"] == pytest.approx(7.2)
    assert s.loc["sports_area_per_student", "cv"] == pytest.approx(0.6 / 7.2)
    # multimedia: mean (250 + 690 + 1200)/1000 = 2.14; variance (500·1.64² + 300·0.16² +
    # 200·3.86²)/1000 = 4.3324; CV = 2.081442/2.14 = 0.972636 > 0.50
    assert s.loc["multimedia_classrooms_per_100", "cv"] == pytest.approx(0.972636, abs=1e-6)
    assert not s.loc["multimedia_classrooms_per_100", "within"]
    assert s.loc["sports_area_per_student", "within"]
    assert s["schools_below"].sum() == 4
    assert list(zip(short.school, short.indicator, short.ratio.round(3), strict=True)) == [
        ("A", "multimedia_classrooms_per_100", 0.217),
        ("C", "sports_area_per_student", 0.8),
        ("C", "equipment_value_per_student", 0.9),
        ("B", "qualified_teachers_per_100", 0.952),
    ]
    assert short.loc[0, "gap"] == pytest.approx(0.5 - 2.3)
    # junior standards and limit
    summary_j, _ = balance_summary(_district(), STUDENTS, "junior")
    assert set(summary_j["limit"]) == {0.45}


# A published worked example of the 差异系数: 《县域义务教育校际均衡指标计算方法（以生均图书册数为例）》,
# the county-level calculation guide of the 义务教育均衡发展 evaluations (copies at
# https://m.777doc.com/doc-2019910.html and https://360docs.net/doc/7e8843742.html). Five
# primary schools (在校生数, 图书册数); the guide's per-school 差异情况 (Pᵢ/P)(Xᵢ − X̄)²: 0.003, 0.85,
# 5.13, 4.50, 0.17; their sum 10.65; √10.65 = 3.26; X̄ = 6.33; 差异系数 3.26 / 6.33 = 0.52. The
# guide is of 基本均衡 (eight indicators), with the formula 教督〔2017〕6号 keeps for 优质均衡.
GUIDE_SCHOOLS = [(45, 279), (37, 137), (89, 935), (76, 160), (55, 402)]


def test_weighted_cv_against_the_published_worked_example():
    students = [n for n, _ in GUIDE_SCHOOLS]
    per_student = [books / n for n, books in GUIDE_SCHOOLS]
    total = sum(students)
    mean = sum(books for _, books in GUIDE_SCHOOLS) / total
    assert round(mean, 2) == 6.33
    spreads = [n / total * (x - mean) ** 2 for n, x in zip(students, per_student, strict=True)]
    # the guide rounds each school's figure before adding: 0.003 + 0.85 + 5.13 + 4.50 + 0.17
    assert [round(s, 2) for s in spreads] == pytest.approx([0.00, 0.85, 5.13, 4.50, 0.17])
    assert round(sum(spreads), 2) == 10.65
    assert round(weighted_cv(per_student, students), 2) == 0.52
