"""知识点/能力层级 rates and 薄弱点: hand examples, loop re-implementations, scipy/statsmodels
reference values, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from eduquality.measures.knowledge import (
    KnowledgeError,
    benjamini_hochberg,
    item_matrix,
    student_tag_rates,
    tag_rates,
    weak_points,
)

FULL = pd.Series({"1": 3.0, "2": 3.0, "3": 4.0, "4": 10.0})
MAPPING = pd.DataFrame({
    "item": ["1", "2", "3", "4", "4"],
    "tag": ["函数", "几何", "函数", "函数", "几何"],
    "weight": [1.0, 1.0, 1.0, 0.6, 0.4],
})


def test_tag_rates_by_hand() -> None:
    x = pd.DataFrame({
        "1": [3.0, 0.0, 3.0, np.nan],
        "2": [3.0, 3.0, 0.0, np.nan],
        "3": [2.0, 4.0, np.nan, np.nan],  # student c skipped item 3 (not counted either way)
        "4": [5.0, 10.0, 0.0, np.nan],    # student d: 缺考 — in no count
    }, index=["a", "b", "c", "d"])
    # 函数 possible for a full student: 3 + 4 + 0.6·10 = 13; 几何: 3 + 0.4·10 = 7
    # a: 函数 (3 + 2 + 0.6·5)/13 = 8/13; 几何 (3 + 0.4·5)/7 = 5/7
    # b: 函数 (0 + 4 + 6)/13 = 10/13;     几何 (3 + 4)/7 = 1
    # c: 函数 (3 + 0)/(3 + 6) = 3/9;      几何 (0 + 0)/7 = 0
    rates = student_tag_rates(x, FULL, MAPPING)
    assert rates.loc["a", "函数"] == pytest.approx(8 / 13)
    assert rates.loc["a", "几何"] == pytest.approx(5 / 7)
    assert rates.loc["b", "几何"] == pytest.approx(1.0)
    assert rates.loc["c", "函数"] == pytest.approx(3 / 9)
    assert rates.loc["d"].isna().all()
    units = pd.DataFrame({"class": ["1班", "1班", "2班", "2班"]}, index=x.index)
    out = tag_rates(x, FULL, MAPPING, units, include_students=True).set_index(
        ["level", "unit", "tag"])
    # all: 函数 (8 + 10 + 3)/(13 + 13 + 9) = 21/35 = 0.6; 几何 (5 + 7 + 0)/21 = 12/21
    assert out.loc[("all", "all", "函数"), "rate"] == pytest.approx(0.6)
    assert out.loc[("all", "all", "几何"), "rate"] == pytest.approx(12 / 21)
    assert out.loc[("all", "all", "函数"), "n"] == 3
    # 1班: 函数 18/26; 2班: 函数 3/9 (d counts nowhere), n = 1
    assert out.loc[("class", "1班", "函数"), "rate"] == pytest.approx(18 / 26)
    assert out.loc[("class", "2班", "函数"), "n"] == 1
    assert out.loc[("student", "c", "函数"), "rate"] == pytest.approx(3 / 9)
    assert np.isnan(out.loc[("student", "d", "几何"), "rate"])


def test_ability_levels_use_the_same_computation() -> None:
    x = pd.DataFrame({"1": [3.0, 1.0], "2": [0.0, 3.0], "3": [4.0, 2.0], "4": [10.0, 5.0]})
    levels = pd.DataFrame({"item": ["1", "2", "3", "4"],
                           "tag": ["了解", "理解", "理解", "运用"]})
    out = tag_rates(x, FULL, levels).set_index("tag")["rate"]
    # 了解: (3 + 1)/6; 理解: (0 + 4 + 3 + 2)/(7 + 7) = 9/14; 运用: 15/20
    assert out.to_dict() == pytest.approx({"了解": 4 / 6, "理解": 9 / 14, "运用": 0.75})


def test_item_matrix_from_long() -> None:
    long = pd.DataFrame({"student_id": ["a", "b", "a"], "item": ["1", "1", "2"],
                         "score": [1.0, 2.0, 3.0]})
    wide = item_matrix(long)
    assert wide.loc["a", "2"] == 3 and np.isnan(wide.loc["b", "2"])


def test_bad_input_is_reported() -> None:
    x = pd.DataFrame({"1": [3.0], "2": [1.0], "3": [1.0], "4": [1.0]})
    with pytest.raises(KnowledgeError) as info:
        student_tag_rates(x, FULL, MAPPING.assign(item=["1", "2", "3", "9", "4"]))
    assert "9" in info.value.text("en") and "not in the score table" in info.value.text("en")
    with pytest.raises(KnowledgeError, match="权重"):
        student_tag_rates(x, FULL, MAPPING.assign(weight=[1, 1, 1, -0.6, 0.4]))
    with pytest.raises(KnowledgeError, match="多次"):
        student_tag_rates(x, FULL, pd.concat([MAPPING, MAPPING.iloc[:1]]))
    with pytest.raises(KnowledgeError, match="超出"):
        student_tag_rates(x.assign(**{"1": 4.0}), FULL, MAPPING)
    with pytest.raises(KnowledgeError, match="满分"):
        student_tag_rates(x, FULL.drop("3"), MAPPING)
    with pytest.raises(KnowledgeError) as info:
        student_tag_rates(x, FULL, MAPPING.rename(columns={"tag": "kp"}))
    assert "tag" in info.value.text("en")


def _simulated(n: int = 400, seed: int = 11) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame,
                                                      pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_items = 12
    full = pd.Series(rng.choice([2.0, 4.0, 6.0, 10.0], n_items), index=[f"q{i}" for i in
                                                                        range(n_items)])
    ability = rng.normal(0, 1, n)
    school = rng.choice(["S1", "S2", "S3"], n)
    cls = np.array([f"{s}-{c}" for s, c in zip(school, rng.choice([1, 2], n), strict=True)])
    p = 1 / (1 + np.exp(-(ability[:, None] + rng.normal(0, 1, n_items))))
    x = pd.DataFrame(np.round(p * full.to_numpy() + rng.normal(0, 0.5, (n, n_items))).clip(
        0, full.to_numpy()), columns=full.index, index=[f"s{i}" for i in range(n)])
    x = x.mask(rng.random(x.shape) < 0.05)
    rows = []
    for i, item in enumerate(full.index):
        tags = rng.choice(["k1", "k2", "k3", "k4"], 1 + i % 2, replace=False)
        w = rng.dirichlet(np.ones(len(tags))) if len(tags) > 1 else [1.0]
        rows += [{"item": item, "tag": t, "weight": float(wt)} for t, wt in zip(tags, w,
                                                                                   strict=True)]
    units = pd.DataFrame({"school": school, "class": cls}, index=x.index)
    return x, full, pd.DataFrame(rows), units


@pytest.mark.slow
def test_tag_rates_match_loop() -> None:
    x, full, mapping, units = _simulated()
    ours = tag_rates(x, full, mapping, units).set_index(["level", "unit", "tag"])
    for level in ["school", "class"]:
        for u in units[level].unique():
            members = [s for s in x.index if units.loc[s, level] == u]
            for tag in mapping["tag"].unique():
                tagged = list(mapping[mapping["tag"] == tag].itertuples())
                earned = possible = 0.0
                for student in members:
                    for row in tagged:
                        score = x.loc[student, row.item]
                        if not math.isnan(score):
                            earned += row.weight * score
                            possible += row.weight * full[row.item]
                assert ours.loc[(level, u, tag), "rate"] == pytest.approx(earned / possible)


def _one_class_below() -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]:
    # Two items of 10 marks: item A → 代数, item B → 几何. Class 1 (5 students) is clearly
    # weak in 代数; classes 2 and 3 (5 each) do well; all classes are alike in 几何.
    algebra = [*(2, 3, 2, 4, 3), *(8, 9, 7, 8, 9), *(9, 8, 8, 7, 9)]
    geometry = [*(6, 7, 5, 6, 7), *(6, 5, 7, 6, 7), *(7, 6, 5, 6, 6)]
    x = pd.DataFrame({"A": algebra, "B": geometry}, dtype=float,
                     index=[f"s{i}" for i in range(15)])
    full = pd.Series({"A": 10.0, "B": 10.0})
    mapping = pd.DataFrame({"item": ["A", "B"], "tag": ["代数", "几何"]})
    cls = pd.Series(["1班"] * 5 + ["2班"] * 5 + ["3班"] * 5, index=x.index)
    return x, full, mapping, cls


def test_weak_point_one_class_clearly_below() -> None:
    x, full, mapping, cls = _one_class_below()
    out = weak_points(x, full, mapping, cls, min_gap=0.05).set_index(["unit", "tag"])
    row = out.loc[("1班", "代数")]
    # 1班 代数 rates .2 .3 .2 .4 .3 → mean 0.28; rest (10 students) 82/100 = 0.82; gap −0.54
    assert row["rate_unit"] == pytest.approx(0.28)
    assert row["rate_ref"] == pytest.approx(0.82)
    assert row["gap"] == pytest.approx(-0.54)
    # Welch: unit Σ(r − .28)² = .028 → var .007; rest Σ(r − .82)² = .056 → var .056/9
    # se = √(.007/5 + (.056/9)/10) = √(.0014 + .000622) = 0.044969
    assert row["se"] == pytest.approx(math.sqrt(0.007 / 5 + 0.056 / 9 / 10), rel=1e-9)
    ref = stats.ttest_ind([.2, .3, .2, .4, .3], [.8, .9, .7, .8, .9, .9, .8, .8, .7, .9],
                          equal_var=False, alternative="less")
    assert row["t"] == pytest.approx(ref.statistic)
    assert row["p"] == pytest.approx(ref.pvalue)
    # R 4: t.test(c(.2,.3,.2,.4,.3), c(.8,.9,.7,.8,.9,.9,.8,.8,.7,.9), alternative = "less")
    #      → t = -12.008239, df = 7.6721311, p-value = 1.512028e-06
    assert row["t"] == pytest.approx(-12.008239, abs=1e-6)
    assert row["df"] == pytest.approx(7.6721311, abs=1e-7)
    assert row["p"] == pytest.approx(1.512028e-06, rel=1e-6)
    assert row["weak"] and row["rank"] == 1
    # weight: 代数 holds 10 of the paper's 20 points → priority 0.54 · 0.5 = 0.27
    assert row["weight"] == 0.5 and row["priority"] == pytest.approx(0.27)
    assert not out.loc[("1班", "几何"), "weak"]
    assert not out.loc[["2班", "3班"], "weak"].any()
    assert set(out.columns) >= {"rate_unit", "rate_ref", "gap", "se", "p", "p_adj", "weak",
                                "priority"}


def test_min_gap_and_alpha_are_respected() -> None:
    x, full, mapping, cls = _one_class_below()
    out = weak_points(x, full, mapping, cls, min_gap=0.6)  # gap −0.54 is not large enough
    assert not out["weak"].any()
    out = weak_points(x, full, mapping, cls, alpha=1e-12, min_gap=0.05)
    assert not out["weak"].any()


@pytest.mark.slow
def test_weak_points_match_scipy_and_statsmodels_on_simulated_data() -> None:
    x, full, mapping, units = _simulated()
    peer = units["school"].map({"S1": "A", "S2": "A", "S3": "B"})
    out = weak_points(x, full, mapping, units["class"], reference=peer,
                      alternative="two-sided", min_gap=0.05)
    rates = student_tag_rates(x, full, mapping)
    indexed = out.set_index(["unit", "tag"])
    for cls in units["class"].unique():
        members = units["class"] == cls
        rest = (peer == peer[members].iloc[0]) & ~members
        for tag in rates.columns:
            a, b = rates.loc[members, tag].dropna(), rates.loc[rest, tag].dropna()
            ref = stats.ttest_ind(a, b, equal_var=False)
            assert indexed.loc[(cls, tag), "p"] == pytest.approx(ref.pvalue, rel=1e-8)
            assert indexed.loc[(cls, tag), "gap"] == pytest.approx(a.mean() - b.mean())
        mine = indexed.loc[cls]
        expected = multipletests(mine["p"].to_numpy(), method="fdr_bh")[1]
        np.testing.assert_allclose(mine["p_adj"].to_numpy(), expected, rtol=1e-10)


def test_benjamini_hochberg_groups_and_nan() -> None:
    p = pd.Series([0.01, 0.04, np.nan, 0.03, 0.2, 0.5])
    g = pd.Series(["u", "u", "u", "u", "u", "v"])
    out = benjamini_hochberg(p, g)
    # u: 0.01 0.03 0.04 0.2 with m = 4 → 0.04, 0.0533, 0.0533, 0.2; v alone → 0.5
    np.testing.assert_allclose(out.to_numpy(), [0.04, 0.16 / 3, np.nan, 0.16 / 3, 0.2, 0.5])
    np.testing.assert_allclose(
        stats.false_discovery_control([0.01, 0.04, 0.03, 0.2]), out.iloc[[0, 1, 3, 4]])


def test_units_spanning_reference_groups_are_rejected() -> None:
    x, full, mapping, cls = _one_class_below()
    peer = pd.Series(["A"] * 7 + ["B"] * 8, index=x.index)  # 2班 straddles A and B
    with pytest.raises(KnowledgeError) as info:
        weak_points(x, full, mapping, cls, reference=peer, min_gap=0.05)
    assert "2班" in str(info.value)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 6), st.integers(0, 1)),
                min_size=2, max_size=40), st.booleans())
@pytest.mark.slow
def test_properties(rows: list[tuple[int, int, int]], one_unit: bool) -> None:
    x = pd.DataFrame([(a, b) for a, b, _ in rows], columns=["A", "B"], dtype=float)
    full = pd.Series({"A": 4.0, "B": 6.0})
    mapping = pd.DataFrame({"item": ["A", "B", "B"], "tag": ["k1", "k1", "k2"],
                            "weight": [1.0, 0.3, 0.7]})
    units = pd.DataFrame({"cls": [c for _, _, c in rows]})
    rates = tag_rates(x, full, mapping, units, include_students=True)["rate"].dropna()
    assert ((rates >= 0) & (rates <= 1 + 1e-12)).all()
    if one_unit:  # the unit is the whole reference group: nothing to be below
        out = weak_points(x, full, mapping, pd.Series("all", index=x.index), min_gap=0.05)
        assert not out["weak"].any() and out["p"].isna().all()
    else:
        out = weak_points(x, full, mapping, units["cls"], min_gap=0.05)
        assert not out.loc[out["weak"], "gap"].gt(-0.05).any()
        assert out["p_adj"].dropna().between(0, 1).all()


@pytest.mark.slow
def test_large_population_runs() -> None:
    rng = np.random.default_rng(4)
    n, n_items = 200_000, 30
    full = pd.Series(4.0, index=[f"q{i}" for i in range(n_items)])
    x = pd.DataFrame(rng.integers(0, 5, (n, n_items)).astype(float), columns=full.index)
    mapping = pd.DataFrame({"item": full.index, "tag": [f"k{i % 10}" for i in range(n_items)]})
    school = pd.Series(rng.integers(0, 100, n)).astype(str)
    units = pd.DataFrame({"school": school, "class": school + "-" + pd.Series(
        rng.integers(0, 10, n)).astype(str)})
    assert len(tag_rates(x, full, mapping, units)) == 10 * (1 + 100 + 1000)
    assert len(weak_points(x, full, mapping, units["class"], min_gap=0.05)) == 10_000
