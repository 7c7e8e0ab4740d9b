"""赋分 rules as data: the shipped rules, located errors, published worked examples, boundaries."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.gaokao_scaling import YUNNAN_2025, scale_scores
from eduquality.measures.scaling_rules import (
    ScalingRulesError,
    parse_rules,
    rule_for,
    shipped_rules,
)

RULE = """format = 1
[[rule]]
province = "{province}"
first_year = {first}
subjects = ["politics", "geography", "chemistry", "biology"]
grades = {grades}
shares = {shares}
ranges = {ranges}
source = "test"
"""

# 广东 (3+1+2 since 2021): A 17 % 100–83, B 33 % 82–71, C 33 % 70–59, D 15 % 58–41, E 2 % 40–30
GUANGDONG = RULE.format(
    province="广东省", first=2021, grades='["A", "B", "C", "D", "E"]',
    shares="[0.17, 0.33, 0.33, 0.15, 0.02]",
    ranges="[[100, 83], [82, 71], [70, 59], [58, 41], [40, 30]]")
# 山东 (3+3 since 2020): eight grades 3/7/16/24/24/16/7/3 %, 100–91 … 30–21
SHANDONG = RULE.format(
    province="山东省", first=2020, grades='["A", "B+", "B", "C+", "C", "D+", "D", "E"]',
    shares="[0.03, 0.07, 0.16, 0.24, 0.24, 0.16, 0.07, 0.03]",
    ranges="[[100, 91], [90, 81], [80, 71], [70, 61], [60, 51], [50, 41], [40, 31], [30, 21]]")


def test_shipped_yunnan_rule_is_the_national_scheme() -> None:
    rule = rule_for("云南省", 2025)
    assert rule is not None and rule.scheme.shares == YUNNAN_2025.shares
    assert rule.scheme.ranges == YUNNAN_2025.ranges and rule.scheme.rounding == "half_up"
    assert rule.subjects == ("politics", "geography", "chemistry", "biology")
    assert rule_for("Yunnan", 2030) == rule and rule_for(" 云南 ", 2026) == rule
    assert rule_for("云南省", 2024) is None  # the 2024 高考 was the last of 文科/理科
    assert rule_for("云岭省", 2025) is not None  # the simulated province (模拟)
    assert rule_for("火星省", 2025) is None and rule_for(None, 2025) is None
    assert all(r.source for r in shipped_rules())  # every shipped rule cites its source


def test_guangdong_published_example() -> None:
    # 广东省教育考试院 (via 南方+, http://k.jiangsulong.com/a/2020/0927/1601140900_2.html):
    # 思想政治 卷面分 75, grade B whose raw range at that exam is 80~61, B's range 82~71:
    # T = 71 + (82 − 71)(75 − 61)/(80 − 61) = 79.1 → "该同学思想政治科目等级分为79分".
    (rule,) = parse_rules(GUANGDONG, "guangdong.toml")
    # 100 candidates: A = ranks ≤ 17 (97 … 81), B = ranks 18–50 (80 … 61, 75 among them),
    # C = 51–83, D = 84–98, E = 99–100
    a = list(range(97, 80, -1))
    b = [*range(80, 60, -1), *[70] * 13]
    c = [*range(60, 40, -1), *[50] * 13]
    d = [*range(40, 25, -1)]
    e = [10, 5]
    raw = [float(x) for x in (*a, *b, *c, *d, *e)]
    assert (len(a), len(b), len(c), len(d)) == (17, 33, 33, 15)
    out = scale_scores(raw, rule.scheme)
    at = raw.index(75.0)
    assert out["grade"].iloc[at] == "B" and out["scaled"].iloc[at] == 79
    assert out["scaled"].iloc[raw.index(80.0)] == 82 and out["scaled"].iloc[raw.index(61.0)] == 71


def test_shandong_published_example() -> None:
    # 山东 (http://8netcn.com/know/205439.html): 物理 85 in the top 3 % grade (赋分 100–91)
    # whose raw scores run from 80 to 90: 91 + 9·(85 − 80)/(90 − 80) = 95.5 → 96 (四舍五入).
    (rule,) = parse_rules(SHANDONG, "shandong.toml")
    raw = [90.0, 85.0, 80.0, *np.linspace(79, 0, 97).round()]
    out = scale_scores(raw, rule.scheme)
    assert list(out["grade"][:4]) == ["A", "A", "A", "B+"]
    assert out["scaled"].tolist()[:3] == [100, 96, 91]


def test_ties_at_a_grade_boundary_tiny_groups_and_all_equal() -> None:
    # N = 20, Yunnan: A = ranks ≤ 3. 95 is tied at ranks 3–4: the whole tie takes the higher
    # grade (best rank 3), so A = {99, 97, 95, 95} and B starts at 90.
    raw = [99.0, 97, 95, 95, *range(90, 74, -1)]
    out = scale_scores(raw, YUNNAN_2025)
    assert "".join(out["grade"][:5]) == "AAAAB"
    # A: Y1 = 95, Y2 = 99: 97 → 86 + 14·2/4 = 93; the tie at Y1 → 86
    assert out["scaled"].tolist()[:5] == [100, 93, 86, 86, 85]
    # one candidate: 1 > 0.15, 0.5, 0.85, 0.98 → the last grade E, alone in it (Y1 = Y2) →
    # its upper end, 40
    assert scale_scores([42.0])["scaled"].tolist() == [40]
    # two: 0.15·2 = 0.3 < 1, so rank 1 is not A; 0.5·2 = 1 → rank 1 in B (alone: 85);
    # rank 2: 0.85·2 = 1.7 < 2 ≤ 0.98·2 = 1.96? no → E (40)
    two = scale_scores([60.0, 50.0])
    assert "".join(two["grade"]) == "BE" and two["scaled"].tolist() == [85, 40]
    # everyone equal: one tie, best rank 1 → A, degenerate → 100 for all
    assert set(scale_scores([55.0] * 7)["scaled"]) == {100}


@pytest.mark.parametrize(("edit", "key", "en"), [
    (("shares = [0.15, 0.35, 0.35, 0.13, 0.02]", "shares = [0.15, 0.35, 0.35, 0.13, 0.03]"),
     "grades/shares/ranges", "sum to 1"),
    (("first_year = 2025", "first_year = 25"), "first_year", "must be a year"),
    (('subjects = ["politics"', 'subjects = ["physics"'), "subjects", "re-selected subject"),
    (("[40, 30]]", "[40, 30]]\nrounding = \"nearest\""), "rounding", "invalid rounding"),
    (("source = ", "colour = 1\nsource = "), "colour", "not a known key"),
    (("ranges = [[100, 86], [85, 71]", "ranges = [[100, 86], [86, 71]"),
     "grades/shares/ranges", "without overlap"),
])
def test_errors_name_file_rule_key_and_value(edit: tuple[str, str], key: str, en: str) -> None:
    text = RULE.format(province="云南省", first=2025, grades='["A", "B", "C", "D", "E"]',
                       shares="[0.15, 0.35, 0.35, 0.13, 0.02]",
                       ranges="[[100, 86], [85, 71], [70, 56], [55, 41], [40, 30]]")
    assert edit[0] in text
    bad = "format = 1\n[[rule]]\nprovince = \"甲省\"\nfirst_year = 2020\nlast_year = 2020\n" \
          "subjects = [\"化学\"]\ngrades = [\"A\"]\nshares = [1.0]\nranges = [[100, 30]]\n" \
          "source = \"x\"\n" + text.replace("format = 1\n", "").replace(*edit)
    with pytest.raises(ScalingRulesError) as info:
        parse_rules(bad, "rules.toml")
    zh, english = str(info.value), info.value.text("en")
    assert "rules.toml" in zh and "第 2 条规则（云南省）" in zh and key in zh
    assert "rule 2 (云南省)" in english and en in english


def test_file_level_errors() -> None:
    with pytest.raises(ScalingRulesError, match="不是有效的 TOML"):
        parse_rules("format = = 1", "x.toml")
    with pytest.raises(ScalingRulesError, match="format 须为 1"):
        parse_rules("format = 2", "x.toml")
    with pytest.raises(ScalingRulesError, match="没有 \\[\\[rule\\]\\]"):
        parse_rules("format = 1", "x.toml")
    twice = GUANGDONG + GUANGDONG.replace("format = 1\n", "").replace("2021", "2024")
    with pytest.raises(ScalingRulesError) as info:
        parse_rules(twice, "x.toml")
    assert "overlap" in info.value.text("en") and "广东省" in str(info.value)
    later = twice.replace('province = "广东省"\nfirst_year = 2021',
                          'province = "广东省"\nfirst_year = 2021\nlast_year = 2023')
    assert [r.holds(2023) for r in parse_rules(later, "x.toml")] == [True, False]


schemes = st.sampled_from([parse_rules(t)[0].scheme for t in (GUANGDONG, SHANDONG)]
                          + [YUNNAN_2025])


@given(st.lists(st.integers(0, 100).map(float), min_size=1, max_size=120), schemes)
@settings(max_examples=150, deadline=None)
def test_monotone_and_within_the_scheme(raw: list[float], scheme: object) -> None:
    from eduquality.measures.gaokao_scaling import ScalingScheme

    assert isinstance(scheme, ScalingScheme)
    out = scale_scores(raw, scheme)
    t = out["scaled"].to_numpy()
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(t[order]) >= 0)  # higher raw never gets a lower 赋分
    lows = {g: lo for g, (_, lo) in zip(scheme.grades, scheme.ranges, strict=True)}
    highs = {g: hi for g, (hi, _) in zip(scheme.grades, scheme.ranges, strict=True)}
    for g, v in zip(out["grade"], t, strict=True):
        assert lows[g] <= v <= highs[g] and not math.isnan(v)
