"""The annual education-quality report (年报) and the schools' assessment sheets on a district
built by hand (tests/analysis/test_assessment's three junior schools, with school conditions,
salaries and a plan): every figure checked in the PDF text and the workbook against the use
cases' values and, where it can be, by hand."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import openpyxl
import pytest

from eduquality.analysis.annual import annual_data
from eduquality.analysis.assessment import assess
from eduquality.analysis.stored import stored_analysis
from eduquality.config import PublicationPolicy, Settings
from eduquality.ingest.planfile import load_plan
from eduquality.reports.annual import annual_report, assessment_sheet
from eduquality.reports.bundle import write_annual_report, write_report
from tests.analysis.test_assessment import assessment_db

pytestmark = pytest.mark.slow   # the district's exam analysis and value-added: ~40 s of setup

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdftotext) not installed")

# school conditions in 2021 (80 students each): S2 lacks a 骨干 teacher and has 5.0 m² of 5.8
CONDITIONS = {
    "S1": {"qualified_teachers": 5, "backbone_teachers": 1, "pe_art_teachers": 1,
           "teaching_floor_area": 480, "sports_area": 880, "equipment_value": 240_000,
           "multimedia_classrooms": 2},
    "S2": {"qualified_teachers": 5, "backbone_teachers": 0, "pe_art_teachers": 1,
           "teaching_floor_area": 400, "sports_area": 880, "equipment_value": 240_000,
           "multimedia_classrooms": 2},
    "S3": {"qualified_teachers": 5, "backbone_teachers": 1, "pe_art_teachers": 1,
           "teaching_floor_area": 560, "sports_area": 880, "equipment_value": 240_000,
           "multimedia_classrooms": 2},
}

PLAN = """\
plan: annual-test
title: {zh: 测试计划, en: Test plan}
document: 测〔2021〕1号
baseline_year: 2021
target_year: 2023
indicators:
  - {code: pay, name: {zh: 教师工资比, en: Teacher pay ratio}, definition: d, owner: o,
     factor: 100, decimals: 1, unit: "%",
     numerator: {stat: teacher_average_salary},
     denominator: {stat: civil_servant_average_salary}, target: {kind: hold, value: 100}}
  - {code: dropouts, name: {zh: 辍学人数, en: Dropouts}, definition: d, owner: o, decimals: 0,
     per_school: true, unit: 人, numerator: {db: dropouts},
     target: {kind: hold, value: 0, direction: down}}
  - {code: balanced, name: {zh: 优质均衡达标学校比例, en: Schools meeting the standard},
     definition: d, owner: o, factor: 100, decimals: 1, unit: "%",
     numerator: {db: balance_schools_meeting}, denominator: {db: balance_schools},
     target: {kind: level, value: 100, year: 2023}}
school_goals:
  - {code: g1, goal: promotion, to_tier: 一级一等, text: {zh: 晋升一级一等, en: Promotion}, school: S3}
"""


def annual_db():
    db = assessment_db()
    with db.write() as con:
        con.executemany("INSERT INTO statistic VALUES (?, 2021, ?, '', ?, '装备统计', NULL)",
                        [(stat, code, float(v)) for code, c in CONDITIONS.items()
                         for stat, v in c.items()])
        con.executemany("INSERT INTO statistic VALUES (?, 2021, '', '', ?, '人社统计', NULL)",
                        [("teacher_average_salary", 100_000.0),
                         ("civil_servant_average_salary", 95_000.0),
                         ("disabled_children_school_age", 4.0)])
        # three of the district's school-age children with disabilities are enrolled
        con.execute("UPDATE student SET disabled = TRUE WHERE student_id IN (1, 2, 3)")
    return db


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    db = annual_db()
    path = tmp_path_factory.mktemp("plan") / "p.yaml"
    path.write_text(textwrap.dedent(PLAN), encoding="utf-8")
    plan = load_plan(path)
    data = annual_data(db, 2021, Settings(), plan)
    yield db, plan, data
    db.close()


def test_data_by_hand(case):
    db, plan, data = case
    v = data.values.set_index(["indicator", "unit", "year"])
    # pay: 100 000 / 95 000 × 100 = 105.26 → 105.3, at least 100: on track
    assert v.loc[("pay", "district", 2021), "value"] == 105.3
    assert v.loc[("pay", "district", 2021), "status"] == "on_track"
    # dropouts: S2's two; at most 0: off track; S1 none
    assert v.loc[("dropouts", "district", 2021), "value"] == 2
    assert v.loc[("dropouts", "district", 2021), "status"] == "off_track"
    assert v.loc[("dropouts", "S2", 2021), "value"] == 2
    # 优质均衡: S1 and S3 comply, S2 meets 5 of 7 (no 骨干 teacher; 5.0 of 5.8 m²): 2/3 = 66.7 %
    assert v.loc[("balanced", "district", 2021), "value"] == 66.7
    junior = data.balance["junior"]
    s = junior["summary"].set_index("indicator")
    # floor area 6.0, 5.0, 7.0 m² at 80 students each: mean 6, SD √(2/3), CV 0.1361
    assert s.loc["teaching_floor_area_per_student", "mean"] == pytest.approx(6.0)
    assert s.loc["teaching_floor_area_per_student", "cv"] == pytest.approx(
        math.sqrt(2 / 3) / 6)
    assert list(junior["schools"].set_index("school_code")["n_met"]) == [7, 5, 7]
    # quality: 巩固率 1 − 2/240 (S2's dropouts among grade-8 students); 残疾儿童少年入学率 3/4
    q = data.quality.set_index("indicator")
    assert (q.loc["consolidation", "numerator"], q.loc["consolidation", "denominator"]) == (
        238, 240)
    assert q.loc["disabled_enrolment", "value"] == 0.75
    assert q.loc[["consolidation", "disabled_enrolment"], "meets"].tolist() == [True, False]
    assert "monitoring_level" not in q.index          # E1 is an end-of-year exam
    # the assessment is the use case's
    want = assess(db, 2021, Settings(), plan).schools
    assert list(data.assessment["schools"]["total"]) == pytest.approx(list(want["total"]))
    # the year's district exam: E1 (final), its district summary
    summary = stored_analysis(db, "E1", Settings()).summaries["district"]
    got = data.exams.set_index("subject_code")["mean"]
    for r in summary.to_dict("records"):
        assert got[r["subject_code"]] == pytest.approx(r["mean"])


def pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def written(case, tmp_path_factory):
    _, _, data = case
    out = tmp_path_factory.mktemp("annual")
    return out, write_annual_report(data, out, "zh", ("pdf", "xlsx"))


def _sheet(wb, start: str):
    name = next(n for n in wb.sheetnames if n.startswith(start))
    rows = list(wb[name].iter_rows(values_only=True))
    header = rows[1]
    return [dict(zip(header, r, strict=False)) for r in rows[2:] if any(r)]


@needs_poppler
def test_pdf_text_carries_the_figures(case, written):
    _, _, data = case
    out, paths = written
    text = pdftext(out / "annual-2021.pdf")
    flat = re.sub(r"\s+", " ", text)
    assert "测试区2021 年度教育质量报告" in flat and "内部资料" in flat
    # the indicators: 105.3 % on track against ≥ 100, 2 dropouts against ≤ 0, 66.7 % on the
    # path to 100 % by 2023 (the baseline year 2021: the path starts at the value itself)
    assert re.search(r"教师工资比 105\.3 % .*每年 ≥ 100 达标进度内", flat)
    assert re.search(r"辍学人数 2 人 .*每年 ≤ 0 未达进度", flat)
    assert re.search(r"优质均衡达标学校比例 66\.7 % 66\.7 2023 年达到 100", flat)
    # 优质均衡: 2 of 3 schools; the floor area's CV 0.136; S2 (乙校) named below the standard
    assert "初中（含九年一贯制学校）：2/3 所学校资源配置达标" in flat
    assert re.search(r"生均教学及辅助用房面积（平方米） 5\.80 6\.00 0\.136 0\.45", flat)
    assert re.search(r"乙校 每百名学生拥有县级以上骨干教师数 0\.00 1\.00 -1\.00 0\.0%", flat)
    assert re.search(r"巩固率（本学年） 238 240 99\.2% .*95\.0% 是", flat)
    assert re.search(r"残疾儿童少年入学率 3 4 75\.0% .*95\.0% 否", flat)
    # the assessment: each school's band and total, in the fixed order S1, S2, S3 (never by
    # total: S3 scores above S2)
    schools = data.assessment["schools"].set_index("school_code")
    part = flat[flat.index("三、学校年度目标考核"):flat.index("四、考试监测概况")]
    rows = re.findall(r"(甲校|乙校|丙校) 第\s*(\d)\s*档 (\d+\.\d)", part)
    assert [name for name, _, _ in rows] == ["甲校", "乙校", "丙校"]
    for (_, band, total), code in zip(rows, ("S1", "S2", "S3"), strict=True):
        assert int(band) == schools.loc[code, "band"]
        assert total == f"{schools.loc[code, 'total']:.1f}"
    assert "控辍保学" in part
    # the exam: E1's district means per subject
    for r in data.exams.to_dict("records"):
        assert f"{r['mean']:.2f}" in flat
    # the methods appendix: formulas, intervals, weights, publication policy
    for words in ("stat:teacher_average_salary ÷ stat:civil_servant_average_salary × 100",
                  "Wilson", "Garwood", "差异系数 CV = SD / X̄", "监测结果增值 40",
                  "发布规定", "不按成绩给学校排名",
                  # section 5's figures: 巩固率, mentoring, studios, partners, special groups
                  "同一届学生小学一年级入学时人数", "以一带十", "名师工作室增值", "平行趋势",
                  "隐去补充单元格"):
        assert words in flat, words
    # one sheet per school
    assert {p.name for p in paths if p.parent.name == "schools"} == {
        f"assessment-2021-{c}.{f}" for c in ("S1", "S2", "S3") for f in ("pdf", "xlsx")}


def test_workbook_holds_the_numbers(case, written):
    _, _, data = case
    out, _ = written
    wb = openpyxl.load_workbook(out / "annual-2021.xlsx")
    rows = {r["指标"]: r for r in _sheet(wb, "2021 年各指标")}
    assert rows["教师工资比"]["数值"] == 105.3 and rows["教师工资比"]["状态"] == "达标进度内"
    assert rows["辍学人数"]["数值"] == 2 and rows["辍学人数"]["分子"] == 2
    assert rows["优质均衡达标学校比例"]["分子"] == 2 and rows["优质均衡达标学校比例"]["分母"] == 3
    by_school = _sheet(wb, "分学校指标")
    assert [(r["学校"], r["数值"]) for r in by_school if r["指标"] == "辍学人数"] == [
        ("甲校", 0), ("乙校", 2), ("丙校", 0)]
    summary = {r["指标"]: r for r in _sheet(wb, "初中（含九年一贯制学校）：资源配置七项指标")}
    assert summary["生均教学及辅助用房面积（平方米）"]["差异系数"] == pytest.approx(
        round(math.sqrt(2 / 3) / 6, 3))
    want = data.assessment["schools"].set_index("name")
    got = {r["学校"]: r for r in _sheet(wb, "初中：总分")}
    for name in ("甲校", "乙校", "丙校"):
        assert got[name]["总分"] == pytest.approx(round(want.loc[name, "total"], 1))
        assert got[name]["标准误"] == pytest.approx(round(want.loc[name, "se"], 2))
    exam = _sheet(wb, "E1")
    means = data.exams.set_index("subject_code")["mean"]
    assert sorted(r["平均分"] for r in exam) == pytest.approx(
        sorted(round(m, 2) for m in means))
    methods = {r[0]: r[1] for r in wb["指标定义"].iter_rows(values_only=True)}
    assert "stat:teacher_average_salary" in methods["教师工资比"]
    assert "监测结果增值 40" in methods["考核权重与计分"]
    goals = _sheet(wb, "学校发展目标")
    assert [(r["学校"], r["目标"], r["状态"]) for r in goals] == [("丙校", "晋升一级一等", "待评定")]


def test_public_edition_keeps_the_district_only(case, tmp_path):
    _, _, data = case
    report = annual_report(data, "zh", PublicationPolicy(), public=True)
    assert not report.internal
    titles = [t.title for t in report.tables()]
    assert not any("分学校" in t or "总分" in t or "未达标准的学校" in t or "学校发展目标" in t
                   for t in titles)
    text = " ".join(b.text for s in report.sections for b in s.blocks if b.kind == "text")
    assert "不公开发布" in text
    paths = write_annual_report(data, tmp_path, "zh", ("xlsx",), public=True)
    assert [p.name for p in paths] == ["annual-2021.xlsx"]      # no school sheets
    wb = openpyxl.load_workbook(paths[0])
    cells = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True)
                     for c in row if c)
    assert "甲校" not in cells and "乙校" not in cells


def test_school_sheet_and_english(case, tmp_path):
    _, _, data = case
    sheet = assessment_sheet(data, "S2", "en")
    assert sheet.internal and "乙校" in sheet.title
    comps = sheet.tables()[1].frame.set_index("component")
    want = data.assessment["components"].query("school_code == 'S2'").set_index("component")
    assert comps.loc["retention (no dropouts)", "score"] == want.loc["retention", "score"] == 0
    assert comps.loc["balanced resources (优质均衡)", "score"] == pytest.approx(5 / 7)
    # the factory's value-added fit lands on τ² = 0: the evidence says there is no detectable
    # difference between schools, with no 0.00 (0.00–0.00)
    ev = sheet.tables()[2].frame
    va = ev[ev["component"] == "value-added of monitoring results"]
    assert len(va) == 1 and va["value"].isna().all() and (va["interval"] == "").all()
    assert list(va["note"]) == ["no detectable difference between schools (or classes)"]
    with pytest.raises(KeyError):
        assessment_sheet(data, "NOPE", "zh")
    en = annual_report(data, "en")
    html = write_report(en, tmp_path / "a.html")
    body = html.read_text(encoding="utf-8")
    assert "1. The action plan" in body and "Teacher pay ratio" in body
    assert "on track" in body and "Publication policy" in body
    assert "Mentoring coverage" in body and "Special groups: suppression" in body


def test_the_years_proficiency_tests_internal_and_public(case, tmp_path):
    """合格考 tables in the exam section: the district's rows, and the schools' in the
    internal edition only (a withheld school marked)."""
    import dataclasses

    import pandas as pd

    from eduquality.measures.proficiency import (
        all_pass_rates,
        all_passed,
        cohort_rates,
        sitting_rates,
    )

    _, _, data = case
    results = pd.DataFrame(
        [(k, "math", "2022-06", k != 3, False, "S1" if k <= 12 else "S2") for k in range(1, 15)],
        columns=["student_id", "subject_code", "sitting", "passed", "retake", "school_code"])
    students = pd.DataFrame({"student_id": range(1, 15), "cohort": 2021,
                             "school_code": ["S1" if k <= 12 else "S2" for k in range(1, 15)]})
    per = all_passed(results, students, {2021: ("math",)})
    data = dataclasses.replace(data, proficiency={
        "sittings": sitting_rates(results, 10), "first_sittings": cohort_rates(results, 10),
        "all_pass": all_pass_rates(per, 10)})
    names = dict(data.school_names)
    report = annual_report(data, "zh", PublicationPolicy())
    tables = {t.title: t for t in report.tables() if "合格性考试" in t.title}
    assert len(tables) == 3
    all_pass = tables["学业水平合格性考试：全科合格率（按年级）"].frame
    assert all_pass["cohort_label"].tolist()[0] == "2021级"
    assert (all_pass.loc[0, "n_students"], all_pass.loc[0, "n_all_passed"]) == (14, 13)
    sittings = tables["学业水平合格性考试：各批次合格率"].frame
    assert sittings["unit"].tolist() == ["全区", names.get("S1", "S1") + "（人数过少，不显示）",
                                         names.get("S2", "S2") + "（人数过少，不显示）"]
    assert sittings.loc[0, "n_takers"] == 14 and sittings.loc[0, "rate"] == 13 / 14
    public = annual_report(data, "zh", PublicationPolicy(), public=True)
    shown = [t.frame for t in public.tables() if "合格性考试" in t.title]
    assert len(shown) == 3 and all(f["unit"].tolist() == ["全区"] for f in shown)
    paths = write_annual_report(data, tmp_path, "en", ("xlsx",), public=True)
    wb = openpyxl.load_workbook(paths[0])
    assert "Proficiency sittings" in wb.sheetnames and "Proficiency first attempts" in \
        wb.sheetnames
