"""Plan files: the shipped Wuhua plan, located problems in zh and en, extends/bind."""

from __future__ import annotations

import textwrap

import pytest

from eduquality.errors import EduQualityError
from eduquality.ingest.planfile import PlanProblems, check_plan, load_plan, problem_line


def _file(tmp_path, text: str, name: str = "p.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_wuhua_plan_holds_every_target_of_section_two():
    plan = load_plan("wuhua-2019")
    assert (plan.code, plan.document, plan.baseline_year, plan.target_year) == (
        "wuhua-2019", "五办通〔2019〕6号", 2018, 2022)
    by_code = {i.code: i for i in plan.indicators}
    assert by_code["attainment_years"].target.value == 12
    assert by_code["general_high_per_10k"].target.value == 212
    assert by_code["general_high_per_10k"].factor == 10_000
    assert by_code["upper_secondary_ger"].target.value == 99
    assert (by_code["yiben_rate"].target.kind, by_code["yiben_rate"].target.step) == ("step", 4)
    assert by_code["quality_high_share"].target.value == 80
    assert by_code["poverty_dropouts"].target.direction == "down"
    assert by_code["vocational_progression"].target.kind == "rising"
    assert by_code["vocational_general_ratio"].target.kind == "band"
    assert by_code["quality_junior_schools"].target.value == 3
    for code in ("balanced_schools_share", "spending_per_student_ratio", "teacher_pay_ratio"):
        assert code in by_code
    assert all(i.owner and i.definition.zh and i.definition.en for i in plan.indicators)
    # goals by type only: no real school is bound
    assert {g.goal for g in plan.goals} == {"lead_first_tier", "promotion", "middle_to_lead",
                                            "top_n", "front_of_category",
                                            "provincial_key_vocational"}
    assert all(g.school is None for g in plan.goals)


BAD = """\
plan: x
title: X
baseline_year: 2018
target_year: 2022
indicators:
  - code: a
    name: A
    definition: d
    owner: me
    numerator: {stat: nosuch}
    target: {kind: level, value: twelve}
  - code: a
    name: B
    definition: d
    owner: me
    colour: red
    numerator: {db: students, line: 一本}
    target: {kind: sideways}
school_goals:
  - code: g
    goal: top_n
    text: t
    years: 3
    indicator: zzz
"""


def test_every_problem_is_located_by_line_and_field(tmp_path):
    plan, problems = check_plan(_file(tmp_path, BAD))
    assert plan is None
    got = {(p.row, dict(p.params)["field"]) for p in problems}
    assert got == {
        (11, "indicators[0].target.value"),      # 'twelve' is not a number
        (10, "indicators[0].numerator.stat"),    # unknown statistic
        (16, "indicators[1].colour"),            # unknown field
        (17, "indicators[1].numerator.line"),    # 'students' takes no line
        (18, "indicators[1].target.kind"),       # unknown kind
        (12, "indicators[1].code"),              # duplicate code
        (23, "school_goals[0].years"),           # top_n takes n, not years
        (24, "school_goals[0].indicator"),       # unknown indicator
    }
    zh = PlanProblems(problems, "zh").render()
    en = PlanProblems(problems, "en").render()
    assert "p.yaml" in zh and "p.yaml" in en
    assert "第 11 行，值「twelve」：字段 indicators[0].target.value：应为数字" in zh
    assert "line 11, value 'twelve': field indicators[0].target.value: must be a number" in en


def test_a_yaml_syntax_error_is_located(tmp_path):
    _, problems = check_plan(_file(tmp_path, "plan: x\nindicators: [\n  - a: b\n"))
    assert len(problems) == 1 and problems[0].row is not None
    assert problem_line(problems[0], "en").startswith("line ")


def test_missing_top_level_fields(tmp_path):
    _, problems = check_plan(_file(tmp_path, "plan: x\ntitle: X\n"))
    assert {dict(p.params)["field"] for p in problems} == {"baseline_year", "target_year"}


def test_a_district_plan_extends_the_shipped_one_and_binds_goals(tmp_path):
    path = _file(tmp_path, """\
        plan: demo
        extends: wuhua-2019
        bind: {lead_first_tier: S01, top_ten_second_class: S02}
        """)
    plan = load_plan(path)
    schools = {g.code: g.school for g in plan.goals}
    assert schools["lead_first_tier"] == "S01" and schools["top_ten_second_class"] == "S02"
    assert schools["middle_to_lead"] is None
    assert plan.code == "demo" and len(plan.indicators) == 13
    bad = _file(tmp_path, "plan: d\nextends: wuhua-2019\nbind: {nosuch: S1}\n", "b.yaml")
    with pytest.raises(PlanProblems, match="nosuch"):
        load_plan(bad)
    other = _file(tmp_path, "plan: d\nextends: elsewhere-2020\n", "c.yaml")
    with pytest.raises(PlanProblems, match="elsewhere-2020"):
        load_plan(other, "en")


def test_a_missing_file(tmp_path):
    with pytest.raises(EduQualityError, match="not found"):
        load_plan(tmp_path / "none.yaml", "en")
