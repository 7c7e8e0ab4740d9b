"""合格考 grade schemes as data (located errors, the shipped Yunnan rule) and the rates:
hand-computed counts, small schools withheld with their complement, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.proficiency import (
    ProficiencyRulesError,
    all_pass_rates,
    all_passed,
    at_risk,
    cohort_rates,
    parse_rules,
    parse_sitting,
    rule_for,
    sitting_label,
    sitting_rates,
)

RULE = """format = 1
[[rule]]
province = "示例省"
first_cohort = {first}
grades = {grades}
passing = {passing}
subjects = {subjects}
source = "test"
"""


def _rules(first=2021, grades='["A", "B", "C", "D"]', passing='["A", "B", "C"]',
           subjects='["chinese", "tech"]'):
    return parse_rules(RULE.format(first=first, grades=grades, passing=passing,
                                   subjects=subjects), "t.toml")


def test_an_a_to_d_scheme_and_the_shipped_yunnan_rule():
    rules = _rules()
    rule = rule_for("示例省", 2023, rules)
    assert rule is not None and rule.grades == ("A", "B", "C", "D")
    assert [rule.passes(g) for g in rule.grades] == [True, True, True, False]
    assert rule.grade("b") == "B" and rule.grade("合格") is None
    assert rule_for("示例省", 2020, rules) is None
    yunnan = rule_for("云南省", 2022)
    assert yunnan is not None and yunnan.grades == ("合格", "不合格")
    assert yunnan.passing == ("合格",) and "tech" in yunnan.subjects
    assert "NOT among the stored documents" in yunnan.source   # stated, not guessed silently
    assert rule_for("云岭省", 2025) is not None                  # the simulated province


@pytest.mark.parametrize(("kwargs", "key", "reason"), [
    ({"first": 1999}, "first_cohort", "2000–2100"),
    ({"passing": '["A", "B", "C", "D"]'}, "passing", "不合格"),
    ({"passing": '["E"]'}, "passing", "grades"),
    ({"subjects": '["chinese", "dance"]'}, "subjects", "SUBJECTS"),
    ({"grades": "[]"}, "grades", "文本列表"),
])
def test_rule_errors_are_located(kwargs, key, reason):
    with pytest.raises(ProficiencyRulesError) as err:
        _rules(**kwargs)
    text = str(err.value)
    assert "t.toml" in text and "第 1 条规则（示例省）" in text and key in text and reason in text
    assert "rule 1 (示例省)" in err.value.text("en")


def test_sittings():
    assert [parse_sitting(t) for t in ("2023年6月", "2024-01", "2024/1", "202406", "2025.06",
                                       "2024年1月合格考", "2024", "2024年13月", "")] == [
        "2023-06", "2024-01", "2024-01", "2024-06", "2025-06", "2024-01", None, None, None]
    assert sitting_label("2024-01") == "2024年1月" and sitting_label("2024-01", "en") == \
        "January 2024"


def _results():
    """Sitting 2023-06 math: A 4 takers (3 pass), B 3 (2 pass), C 1 (fails); sitting 2024-01:
    the three who failed retake: A's passes, B's fails, C's passes; and one first-timer of B
    (transferred in) who passes."""
    rows = [(1, "A", "2023-06", True, False), (2, "A", "2023-06", True, False),
            (3, "A", "2023-06", True, False), (4, "A", "2023-06", False, False),
            (5, "B", "2023-06", True, False), (6, "B", "2023-06", True, False),
            (7, "B", "2023-06", False, False), (8, "C", "2023-06", False, False),
            (4, "A", "2024-01", True, True), (7, "B", "2024-01", False, True),
            (8, "C", "2024-01", True, True), (9, "B", "2024-01", True, False)]
    return pd.DataFrame(rows, columns=["student_id", "school_code", "sitting", "passed",
                                       "retake"]).assign(subject_code="math")


def _row(t, sitting, school):
    mask = (t["sitting"] == sitting) & (t["school_code"].isna() if school is None
                                        else t["school_code"] == school)
    return t[mask].iloc[0]


def test_rates_at_each_sitting_by_hand():
    t = sitting_rates(_results())
    d = _row(t, "2023-06", None)
    assert (d["n_takers"], d["n_passed"], d["rate"]) == (8, 5, 5 / 8)
    assert (d["n_first"], d["n_retake"], np.isnan(d["rate_retake"])) == (8, 0, True)
    d = _row(t, "2024-01", None)
    assert (d["n_takers"], d["n_passed"], d["n_retake"], d["n_retake_passed"]) == (4, 3, 3, 2)
    assert d["rate_retake"] == pytest.approx(2 / 3) and d["rate_first"] == 1.0
    b = _row(t, "2024-01", "B")
    assert (b["n_takers"], b["n_passed"], b["rate"]) == (2, 1, 0.5)
    assert not t["withheld"].any()


def test_first_time_and_eventual_pass_rates_by_hand():
    t = cohort_rates(_results())
    d = _row(t, "2023-06", None)
    # 8 first sat in June 2023; 5 passed at once; 7 by January (4 and 8 passed the 补考)
    assert (d["n_students"], d["n_first_passed"], d["n_passed"], d["n_not_passed"]) == \
        (8, 5, 7, 1)
    assert (d["rate_first"], d["rate"]) == (5 / 8, 7 / 8)
    a = _row(t, "2023-06", "A")
    assert (a["n_students"], a["rate_first"], a["rate"]) == (4, 0.75, 1.0)
    late = _row(t, "2024-01", None)            # student 9's first attempt
    assert (late["n_students"], late["n_first_passed"]) == (1, 1)


def test_small_schools_are_withheld_with_their_complement():
    t = sitting_rates(_results(), min_n=3)
    t["unit"] = t["school_code"].fillna("district")
    june = t[t["sitting"] == "2023-06"].set_index("unit")
    # C (1 taker) is withheld; then B (the smallest other school, 3) too, else D − A − B = C
    assert june["withheld"].to_dict() == {"district": False, "A": False, "B": True, "C": True}
    assert np.isnan(june.loc["C", "rate"]) and np.isnan(june.loc["B", "n_takers"])
    assert june.loc["district", "n_takers"] == 8
    jan = t[t["sitting"] == "2024-01"].set_index("unit")
    assert jan["withheld"].to_dict() == {"district": False, "A": True, "B": True, "C": True}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.sampled_from("XYZ"),
                          st.sampled_from(["2023-06", "2024-01", "2024-06"]), st.booleans()),
                min_size=1, max_size=60))
def test_invariants(rows):
    frame = pd.DataFrame(rows, columns=["student_id", "school_code", "sitting", "passed"])
    frame = frame.drop_duplicates(["student_id", "sitting"]).assign(subject_code="math")
    frame = frame.sort_values(["student_id", "sitting"])
    frame["retake"] = frame.duplicated("student_id")
    for t, n in ((sitting_rates(frame), "n_takers"), (cohort_rates(frame), "n_students")):
        for _key, part in t.groupby("sitting"):
            district = part.loc[part["level"] == 0, n].iloc[0]
            assert district == part.loc[part["level"] == 1, n].sum()
        rates = t[[c for c in t.columns if c.startswith("rate")]].to_numpy(dtype=float)
        assert np.all((rates[~np.isnan(rates)] >= 0) & (rates[~np.isnan(rates)] <= 1))
    c = cohort_rates(frame)
    assert (c["n_first_passed"] <= c["n_passed"]).all()
    assert c["n_students"].sum() == 2 * frame.drop_duplicates("student_id").shape[0]


def _sat(rows):
    return pd.DataFrame(rows, columns=["student_id", "subject_code", "sitting", "passed"])


STUDENTS = pd.DataFrame({"student_id": [1, 2, 3, 4, 5, 6, 7],
                         "cohort": [2022, 2022, 2022, 2022, 2022, 2022, 2019],
                         "school_code": ["A", "A", "A", "B", "B", "B", "B"]})
REQUIRED = {2022: ("chinese", "math", "physics")}
BY_HAND = _sat([
    # 1: all three at once
    (1, "chinese", "2023-06", True), (1, "math", "2023-06", True),
    (1, "physics", "2024-01", True),
    # 2: math failed in June, passed at the 补考 in January: all passed
    (2, "chinese", "2023-06", True), (2, "math", "2023-06", False),
    (2, "math", "2024-01", True), (2, "physics", "2024-01", True),
    # 3: physics failed twice; a pass in an unexamined subject counts for nothing
    (3, "chinese", "2023-06", True), (3, "math", "2023-06", True),
    (3, "physics", "2023-06", False), (3, "physics", "2024-01", False),
    (3, "history", "2023-06", True),
    # 4: physics not sat yet
    (4, "chinese", "2023-06", True), (4, "math", "2023-06", True),
    # 5: the 补考 listed before the first sitting: order does not matter
    (5, "math", "2024-01", True), (5, "math", "2023-06", False),
    (5, "chinese", "2023-06", True), (5, "physics", "2023-06", True),
    # 7: cohort 2019 has no rule: left out (6 has no result: left out)
    (7, "chinese", "2020-06", True)])


def test_all_passed_by_hand():
    t = all_passed(BY_HAND, STUDENTS, REQUIRED).set_index("student_id")
    assert t.index.tolist() == [1, 2, 3, 4, 5]
    assert t["all_passed"].tolist() == [True, True, False, False, True]
    assert t["n_passed"].tolist() == [3, 3, 2, 2, 3] and set(t["n_required"]) == {3}
    assert t.loc[3, "missing"] == ("physics",) and t.loc[4, "missing"] == ("physics",)
    assert t.loc[1, "missing"] == ()


def test_all_pass_rates_by_hand_and_withheld():
    t = all_pass_rates(all_passed(BY_HAND, STUDENTS, REQUIRED))
    # A: 1, 2, 3 sat, 1 and 2 passed all: 2/3; B: 4, 5 sat, 5 passed all: 1/2; district 3/5
    assert t[["school_code", "cohort", "n_students", "n_all_passed", "n_not_all_passed"]
             ].values.tolist() == [[None, 2022, 5, 3, 2], ["A", 2022, 3, 2, 1],
                                   ["B", 2022, 2, 1, 1]]
    assert t["rate"].tolist() == pytest.approx([3 / 5, 2 / 3, 1 / 2])
    # min_n 3: B (2) withheld, and A with it (district − A = B)
    w = all_pass_rates(all_passed(BY_HAND, STUDENTS, REQUIRED), min_n=3)
    assert w["withheld"].tolist() == [False, True, True]
    assert w.loc[0, "n_all_passed"] == 3 and w.loc[1:, "rate"].isna().all()


def test_at_risk_by_hand():
    t = at_risk(BY_HAND)
    assert t[["student_id", "subject_code", "n_sittings", "last_sitting"]].values.tolist() == [
        [3, "physics", 2, "2024-01"]]
    assert t.loc[0, "sittings"] == ("2023-06", "2024-01")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 20), st.sampled_from(["chinese", "math", "it"]),
                          st.sampled_from(["2023-06", "2024-01"]), st.booleans()),
                min_size=1, max_size=60))
def test_all_pass_invariants(rows):
    frame = _sat(rows).drop_duplicates(["student_id", "subject_code", "sitting"])
    students = pd.DataFrame({"student_id": range(1, 21), "cohort": 2022,
                             "school_code": [s % 3 for s in range(1, 21)]})
    per = all_passed(frame, students, {2022: ("chinese", "math")})
    best = frame.groupby(["student_id", "subject_code"])["passed"].any()
    for sid, ok in zip(per["student_id"], per["all_passed"], strict=True):
        assert ok == all(best.get((sid, s), False) for s in ("chinese", "math"))
    # a student at risk in a required subject is never 全科合格
    risky = at_risk(frame)
    risky = set(risky.loc[risky["subject_code"].isin(["chinese", "math"]), "student_id"])
    assert not risky & set(per.loc[per["all_passed"], "student_id"])
    t = all_pass_rates(per)
    if len(t):
        district = t[t["level"] == 0].iloc[0]
        assert district["n_students"] == len(per) == t.loc[t["level"] == 1, "n_students"].sum()
        assert district["n_all_passed"] == per["all_passed"].sum()
