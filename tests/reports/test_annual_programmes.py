"""The annual report's programmes section (控辍保学, 三名工程) on the hand-made 控辍保学 cohort
(tests.factories.dropout_db): the figures are the analyses' own, and the publication policy
decides what shows."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from eduquality.analysis.annual import programme_data
from eduquality.analysis.dropout import alerts, reconcile
from eduquality.config import Settings
from eduquality.reports.annual import _programme_methods, _programmes_section
from eduquality.reports.model import Table
from eduquality.results import AnnualData
from tests.factories import dropout_db

AS_OF = pd.Timestamp("2022-07-15").date()


@pytest.fixture(scope="module")
def case():
    db = dropout_db()
    settings = Settings()
    progs = programme_data(db, 2021, settings)
    rec = reconcile(db, AS_OF, min_n=settings.min_unit_n)
    found = alerts(db, AS_OF)
    # two hand-made rows of the 三名工程 frames, to see them laid out
    progs["studios"] = pd.DataFrame([{"studio_id": "S1", "name": "数学名师工作室", "kind": "teacher",
                                      "level": "district", "subject_code": "math",
                                      "host_school": "J1", "members": 3, "va_effect": 0.12,
                                      "va_se": 0.05, "va_low": 0.02, "va_high": 0.22,
                                      "va_estimates": 2}])
    progs["mentoring"] = pd.DataFrame([  # a subject, and a studio without one (as stored)
        {"group": "math", "level": 1, "roots": 1, "reached": 4, "target": 10, "coverage": 0.4},
        {"group": "None", "level": 1, "roots": 1, "reached": 2, "target": 10, "coverage": 0.2}])
    progs["partners"] = pd.DataFrame([{"lead_school": "J1", "partner_school": "J2",
                                       "kind": "pair", "start_year": 2021, "outcome": "results",
                                       "comparison": 0, "did": 0.3, "se": 0.1,
                                       "ci_low": 0.104, "ci_high": 0.496}])
    data = AnnualData(year=2021, district="测试区", plan={}, indicators=pd.DataFrame(),
                      values=pd.DataFrame(), goals=pd.DataFrame(), balance={},
                      assessment={}, weights=pd.DataFrame(), scales={}, exams=pd.DataFrame(),
                      school_names={"J1": "一中", "J2": "二中"}, programmes=progs)
    return data, rec, found


def test_data_are_the_analyses_own(case):
    data, rec, found = case
    p = data.programmes
    expected = rec.rates[rec.rates["level"].isin(["district", "group"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(p["rates"], expected)
    district = p["rates"][(p["rates"]["level"] == "district")].set_index("measure")
    # tests/analysis/test_dropout.py: 巩固率 = 6 retained / (11 entrants + 1 in − 1 out) = 50 %
    assert district.loc["consolidation", "numerator"] == 6
    assert district.loc["consolidation", "denominator"] == 11
    assert district.loc["consolidation", "rate"] == pytest.approx(100 * 6 / 11)
    assert not math.isnan(district.loc["consolidation", "ci_low"])
    open_ = found[found["state"] == "open"]
    counts = dict(zip(p["alerts"]["unit"], p["alerts"]["open"], strict=True))
    assert counts["district"] == len(open_) > 0
    assert counts["poverty_registered"] == int(open_["poverty_registered"].sum()) == 1
    assert list(p["alerts"]["unit"])[:2] == ["district", "poverty_registered"]


def _tables(section) -> dict[str, Table]:
    return {b.title: b for b in section.blocks if isinstance(b, Table)}


def _text(section) -> str:
    return "\n".join(b.frame.astype(str).to_string() if isinstance(b, Table) else str(b)
                     for b in section.blocks)


def test_internal_with_groups_shows_everything(case):
    data, _, _ = case
    sec = _programmes_section(data, "zh", public=False, groups=True)
    text = _text(sec)
    assert "建档立卡" in text and "数学名师工作室" in text and "二中" in text
    tables = list(_tables(sec).values())
    rates = tables[0].frame
    assert set(rates["level"]) == {"district", "group"}
    alerts_ = tables[1].frame
    assert list(alerts_["label"])[:2] == ["全区", "建档立卡"]
    assert "name" not in alerts_.columns and "student_id" not in alerts_.columns


def test_without_group_right_no_group_figures(case):
    data, _, _ = case
    sec = _programmes_section(data, "zh", public=False, groups=False)
    tables = list(_tables(sec).values())
    assert set(tables[0].frame["level"]) == {"district"}
    assert list(tables[1].frame["unit"]) == ["district"]
    assert "建档立卡" not in _text(sec)
    assert "数学名师工作室" in _text(sec)


def test_public_edition_keeps_the_district_only(case):
    data, _, _ = case
    sec = _programmes_section(data, "en", public=True, groups=True)
    tables = list(_tables(sec).values())
    assert len(tables) == 2
    assert set(tables[0].frame["level"]) == {"district"}
    assert list(tables[1].frame["unit"]) == ["district"]
    text = _text(sec)
    assert "数学名师工作室" not in text and "J2" not in text and "二中" not in text


def test_a_year_without_enrolment_says_why():
    db = dropout_db()
    p = programme_data(db, 2019, Settings())
    assert "rates" not in p and "alerts" not in p
    assert "2019-2020" in p["window"]["error"].iloc[0]
    data = AnnualData(year=2019, district="测试区", plan={}, indicators=pd.DataFrame(),
                      values=pd.DataFrame(), goals=pd.DataFrame(), balance={}, assessment={},
                      weights=pd.DataFrame(), scales={}, exams=pd.DataFrame(), programmes=p)
    sec = _programmes_section(data, "zh", public=True, groups=False)
    assert "2019-2020" in str(sec.blocks[0])


def test_the_section_renders_to_html_and_excel(case, tmp_path):
    import openpyxl

    from eduquality.reports.bundle import write_report
    from eduquality.reports.model import Report

    data, _, _ = case
    sec = _programmes_section(data, "zh", public=False, groups=True)
    report = Report(kind="annual", lang="zh", title="年报", subtitle="", internal=True, meta=[],
                    sections=[sec], methods=[])
    html = write_report(report, tmp_path / "a.html").read_text(encoding="utf-8")
    assert "数学名师工作室" in html and "建档立卡" in html
    wb = openpyxl.load_workbook(write_report(report, tmp_path / "a.xlsx"))
    values = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert 0.12 in values and 0.3 in values  # the studio's effect, the DiD (num2 cells)
    assert "成绩（标准分）" in values  # the outcome by its label, not its code
    assert "数学" in values and 0.4 in values  # mentoring coverage per subject


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_methods_appendix_describes_the_programme_figures(case, tmp_path, lang):
    from eduquality.reports.bundle import write_report
    from eduquality.reports.model import Report

    data, _, _ = case
    report = Report(kind="annual", lang=lang, title="年报", subtitle="", internal=True, meta=[],
                    sections=[_programmes_section(data, lang, public=False, groups=True)],
                    methods=_programme_methods(data, lang, 10))
    html = write_report(report, tmp_path / f"{lang}.html").read_text(encoding="utf-8")
    methods = html[html.index('<dl class="methods">'):]
    expected = {
        "zh": ["巩固率与辍学率（第五部分）", "同一届学生小学一年级入学时人数",  # GLOSSARY
               "本报告对 2020-2021 至 2022-07-15 的窗口", "辍学率 = 学年内辍学人数 ÷ 学年初在校生数",
               "以一带十", "1: 10；2: 100；3: 1,000", "根数 × 目标人数",
               "σ̂√(1/n − x̄′(X′X)⁻¹x̄)", "不依据原始升学率", "DiD =", "平行趋势",
               "不足 10 人时不报告", "隐去补充单元格", "Welch", "Newcombe"],
        "en": ["Consolidation and dropout rates (section 5)",
               "the same cohort&#39;s grade-1 entrants",
               "to the window 2020-2021 to 2022-07-15", "dropout rate = dropouts in the year",
               "1: 10; 2: 100; 3: 1,000", "(roots × target)", "never on raw progression rates",
               "parallel trends", "fewer than 10 is not reported", "complementary cells",
               "Welch", "Newcombe"]}[lang]
    for words in expected:
        assert words in methods, words
