"""Score summaries: hand arithmetic for every measure, R for quantiles/t-intervals/Welch,
hypothesis properties for the invariants."""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from eduquality.config import Thresholds
from eduquality.i18n import tr
from eduquality.measures.scores import (
    _rank_counts,
    above_mean_rate,
    all_pass_rate,
    band_vs_reference,
    compare_units,
    competition_rank,
    deviation,
    grade_letters,
    group_t,
    group_t_scores,
    mean_ci,
    mean_interval,
    normalised_scores,
    one_point_table,
    percentile_rank,
    rank_statistics,
    rate_flags,
    score_bands,
    stanine,
    summarise,
    t_scores,
    variation_coefficient,
    z_scores,
)
from tests.rscript import needs_r

NAN = np.nan
LINES = Thresholds()  # the default lines: 85/70/60/40 % of full marks


# --- rates and summaries ------------------------------------------------------------------------

def test_rates_at_or_above_the_line_and_low_strictly_below():
    # full marks 150: lines 127.5, 105, 90, 60
    s = [127.5, 127, 105, 90, 89.5, 60, 59.5, NAN]
    out = summarise(s, 150, lines=LINES).loc["all"]
    # valid n = 7 (absent excluded, not 0): excellent {127.5} = 1/7; good {127.5, 127, 105} = 3/7
    # pass adds 90 → 4/7; low: only 59.5 < 60 → 1/7 (60 itself is not 低分)
    assert out["n"] == 7 and out["n_registered"] == 8
    assert out["excellent_rate"] == pytest.approx(1 / 7)
    assert out["good_rate"] == pytest.approx(3 / 7)
    assert out["pass_rate"] == pytest.approx(4 / 7)
    assert out["low_rate"] == pytest.approx(1 / 7)
    # mean = (127.5 + 127 + 105 + 90 + 89.5 + 60 + 59.5)/7 = 658.5/7
    assert out["mean"] == pytest.approx(658.5 / 7)


def test_rate_line_floating_point_boundary():
    # 0.85 × 120 = 101.99999999999999 or 102.00000000000001 in binary: 102 must count
    assert rate_flags([102.0], 120, LINES)["excellent"].iloc[0] == 1.0
    assert rate_flags([101.5], 120, LINES)["excellent"].iloc[0] == 0.0


def test_configurable_lines():
    lines = Thresholds(excellent=0.9, good=0.8, pass_=0.6, low=0.3)
    out = summarise([95, 85, 35, 25], 100, lines=lines).loc["all"]
    assert out["excellent_rate"] == 0.25 and out["good_rate"] == 0.5
    assert out["low_rate"] == 0.25  # only 25 < 30


def test_summary_statistics_by_hand():
    out = summarise([1, 2, 3, 4], 10, lines=LINES).loc["all"]
    # mean 2.5; SD = √((2.25 + 0.25 + 0.25 + 2.25)/3) = √(5/3); CV = SD/mean
    assert out["sd"] == pytest.approx(np.sqrt(5 / 3))
    assert out["cv"] == pytest.approx(np.sqrt(5 / 3) / 2.5)
    # type-7 quartiles: position 1 + 0.25·3 = 1.75 → 1.75; median 2.5; 1 + 0.75·3 = 3.25 → 3.25
    assert (out["q1"], out["median"], out["q3"]) == (1.75, 2.5, 3.25)
    assert (out["min"], out["max"]) == (1, 4)


def test_summary_by_group_keys():
    s = pd.Series([90, 80, 70, NAN, 50, 60.0])
    cls = pd.Series(list("aabbcc"), name="class")
    school = pd.Series(list("xxxxyy"), name="school")
    by_class = summarise(s, 100, by=cls, lines=LINES)
    assert by_class.index.name == "class"
    assert by_class["mean"].tolist() == [85, 70, 55]
    assert by_class["n"].tolist() == [2, 1, 2]
    both = summarise(s, 100, by=[school, cls], lines=LINES)
    assert both.index.names == ["school", "class"]
    assert both.loc[("y", "c"), "pass_rate"] == 0.5


@pytest.mark.slow
@needs_r
@pytest.mark.r
def test_quantiles_and_sd_match_r():
    x = [3, 17, 8, 8, 11, 2.5, 19, 14, 6, 10, 13]
    r = subprocess.run(
        ["Rscript", "-e", f"x <- c({', '.join(map(str, x))}); "
         "cat(quantile(x, c(.25, .5, .75), type = 7), sd(x), sep = '\\n')"],
        check=True, capture_output=True, text=True, timeout=60,
    )
    q1, med, q3, sd = map(float, r.stdout.split())
    out = summarise(x, 20, lines=LINES).loc["all"]
    assert (out["q1"], out["median"], out["q3"]) == pytest.approx((q1, med, q3))
    assert out["sd"] == pytest.approx(sd)


def test_all_pass_rate_by_hand_and_by_group():
    # full marks 语文 100 (line 60), 数学 150 (line 90)
    df = pd.DataFrame({"语文": [70, 90, 60, NAN, 59], "数学": [100, 80, NAN, NAN, 140]})
    # s1 passes both; s2 fails 数学 (80 < 90); s3 took 语文 only, 60 passes; s4 took nothing
    # (not counted); s5 fails 语文 → 2 of 4
    assert all_pass_rate(df, [100, 150], 0.60) == pytest.approx(2 / 4)
    by = all_pass_rate(df, [100, 150], 0.60, by=["a", "a", "b", "b", "b"])
    # a: s1 pass, s2 fail → 0.5; b: s3 pass, s5 fail (s4 not counted) → 0.5
    assert by.to_dict() == {"a": 0.5, "b": 0.5}


def test_grade_letters_by_hand_follow_the_rate_lines():
    # full marks 120: lines 102 (A), 84 (B), 72 (C); 102 counts although 0.85 × 120 is inexact
    g = grade_letters([120, 102, 101.5, 84, 83.5, 72, 71.5, NAN], 120, LINES)
    assert g.iloc[:7].tolist() == ["A", "A", "B", "B", "C", "C", "D"]
    assert pd.isna(g.iloc[7])
    # other lines, per-student full marks (a 100 and a 150 paper)
    custom = Thresholds(excellent=0.9, good=0.8, pass_=0.5, low=0.3)
    assert grade_letters([90, 89, 75, 74], [100, 100, 150, 150], custom).tolist() == [
        "A", "B", "C", "D"]


def test_variation_coefficient_by_hand():
    # SD 12 over mean 80 → 0.15; Series elementwise
    assert variation_coefficient(12.0, 80.0) == pytest.approx(0.15)
    cv = variation_coefficient(pd.Series([5.0, 9.0]), pd.Series([50.0, 60.0]))
    assert cv.tolist() == pytest.approx([0.1, 0.15])


def test_above_mean_rate_and_deviation():
    # class mean 66 vs school mean 60 → (66 − 60)/60 = 0.1
    assert above_mean_rate(66.0, 60.0) == pytest.approx(0.1)
    units = pd.Series({"c1": 54.0, "c2": 66.0})
    assert above_mean_rate(units, 60.0).tolist() == pytest.approx([-0.1, 0.1])
    # 班离差: class a mean 70 → 80 − 70 = 10 …; overall mean 75 → 80 − 75 = 5
    d = deviation([80, 60, 70, 90], by=["a", "a", "b", "b"])
    assert d.tolist() == [10, -10, -10, 10]
    assert deviation([80, 60, 70, 90]).tolist() == [5, -15, -5, 15]


# --- standard scores ----------------------------------------------------------------------------

def test_z_and_t_by_hand_with_missing():
    # 2, 4, 6, 8 (absent excluded): mean 5, SD = √((9 + 1 + 1 + 9)/3) = √(20/3)
    z = z_scores([2, 4, NAN, 6, 8])
    sd = np.sqrt(20 / 3)
    np.testing.assert_allclose(z, [-3 / sd, -1 / sd, NAN, 1 / sd, 3 / sd])
    np.testing.assert_allclose(t_scores([2, 4, NAN, 6, 8]), 50 + 10 * z.to_numpy())


def test_z_within_groups():
    # group a: 1, 3 (mean 2, SD √2); group b: 10, 20, 30 (mean 20, SD 10)
    z = z_scores([1, 3, 10, 20, 30], by=list("aabbb"))
    np.testing.assert_allclose(z, [-1 / np.sqrt(2), 1 / np.sqrt(2), -1, 0, 1])


def test_group_t_by_hand():
    # all: 50, 60, 70, 80, 90 → mean 70, SD = √((400 + 100 + 0 + 100 + 400)/4) = √250
    # school A: 50, 60 (mean 55) → 50 + 10 · (−15)/√250; school B: 70, 80, 90 (mean 80)
    t = group_t_scores([50, 60, 70, 80, 90], by=list("AABBB"))
    assert t["A"] == pytest.approx(50 - 150 / np.sqrt(250))
    assert t["B"] == pytest.approx(50 + 100 / np.sqrt(250))
    # from the aggregates: mean 55 against mean 70, SD 10 → 50 + 10 · (−15)/10 = 35
    assert group_t(55.0, 70.0, 10.0) == pytest.approx(35.0)


def test_percentile_rank_by_hand_within_groups():
    # group a: 1, 2, 2 → 1: (0 + ½)/3; 2: (1 + 2/2)/3; group b: 5 alone → 50
    pr = percentile_rank([1, 2, 2, 5], by=list("aaab"))
    np.testing.assert_allclose(pr, [100 * 0.5 / 3, 100 * 2 / 3, 100 * 2 / 3, 50])


def test_percentile_rank_against_a_reference_group():
    # district reference 50, 60, 60, 70, 80: 60 → (1 below + ½·2 tied)/5 = 40; 65 → 3/5 = 60;
    # 45 → 0; 80 → (4 + ½)/5 = 90; 90 → 100
    pr = percentile_rank([60, 65, 45, 80, 90, NAN], reference=[50, 60, 60, 70, 80, NAN])
    np.testing.assert_allclose(pr, [40, 60, 0, 90, 100, NAN])


def test_series_keys_align_by_label():
    s = pd.Series([10.0, 20.0, 30.0, 40.0], index=[3, 1, 2, 0])
    key = pd.Series(["a", "a", "b", "b"], index=[0, 1, 2, 3])  # same labels, other order
    # by label: index 3 → b, 1 → a, 2 → b, 0 → a → a = {20, 40}, b = {10, 30}
    assert deviation(s, by=key).tolist() == [-10, -10, 10, 10]


def test_normalised_scores_by_hand():
    # 5 distinct scores → PR 10, 30, 50, 70, 90 → 500 + 100 Φ⁻¹(p)
    ns = normalised_scores([1, 2, 3, 4, 5])
    np.testing.assert_allclose(ns, 500 + 100 * stats.norm.ppf([0.1, 0.3, 0.5, 0.7, 0.9]))
    # Φ⁻¹(0.9) = 1.2815516 → 628.155
    assert ns.iloc[4] == pytest.approx(628.155, abs=1e-3)


def test_stanine_by_hand_and_clipping():
    # 0, 0, 0, 0, 10: mean 2, SD = √((4·4 + 64)/4) = √20 = 4.472
    # Z(0) = −0.447 → 2Z + 5 = 4.106 → 4; Z(10) = 1.789 → 8.578 → 9
    assert stanine([0, 0, 0, 0, 10]).tolist() == [4, 4, 4, 4, 9]
    # twenty 0s and one 100: mean 100/21 = 4.762, SD = √((20 · 4.762² + 95.238²)/20) = 21.822
    # Z(100) = 4.364 → 2Z + 5 = 13.7 → clipped to 9; Z(0) = −0.218 → 4.564 → 5
    assert stanine([0] * 20 + [100]).tolist() == [5] * 20 + [9]
    # 0, 2 → Z = ∓1/√2 → 2Z + 5 = 3.586, 6.414 → 4, 6
    assert stanine([0, 2]).tolist() == [4, 6]
    # 0, 0, 0, 4: mean 1, SD = √((1 + 1 + 1 + 9)/3) = 2 → Z = −0.5, 1.5 → 2Z + 5 = 4, 8
    assert stanine([0, 0, 0, 4]).tolist() == [4, 4, 4, 8]
    assert np.isnan(stanine([1, NAN, 3]).iloc[1])


def test_competition_rank_with_ties_and_groups():
    assert competition_rank([90, 85, 85, 70, 85]).tolist() == [1, 2, 2, 5, 2]
    r = competition_rank([90, 95, 60, 60], by=list("aabb"))
    assert r.tolist() == [2, 1, 1, 1]


# --- distributions ------------------------------------------------------------------------------

def test_one_point_table_by_hand():
    t = one_point_table([98, 100, 98, 95, 97.5, NAN])
    # segments 100, 99, 98, 97, 96, 95 → counts 1, 0, 2, 1 (97.5), 0, 1
    assert t["score"].tolist() == [100, 99, 98, 97, 96, 95]
    assert t["count"].tolist() == [1, 0, 2, 1, 0, 1]
    assert t["cum_count"].tolist() == [1, 1, 3, 4, 4, 5]
    exact = one_point_table([98, 100, 98, 95, 97.5], step=None)
    assert exact["score"].tolist() == [100, 98, 97.5, 95]
    assert exact["cum_count"].tolist() == [1, 3, 4, 5]


def test_score_bands_by_hand():
    # full marks 150 in 30-point bands: [0,30) [30,60) [60,90) [90,120) [120,150]
    out = score_bands([150, 120, 119.5, 60, 0, 30, NAN], 150, width=30)
    assert out["band"].tolist() == ["[0,30)", "[30,60)", "[60,90)", "[90,120)", "[120,150]"]
    assert out["count"].tolist() == [1, 1, 1, 1, 2]
    custom = score_bands([59, 60, 85, 100], 100, edges=[0, 60, 85, 100])
    assert custom["count"].tolist() == [1, 1, 2]
    with pytest.raises(ValueError):
        score_bands([101], 100)


# --- uncertainty --------------------------------------------------------------------------------

def test_mean_ci_matches_t_test_by_group():
    x = np.array([60, 62, 64, 80, 82, 84, 70, 75, 65.0])
    out = mean_ci(x, by=list("aaabbbccc"))
    for g, vals in (("a", x[:3]), ("b", x[3:6]), ("c", x[6:])):
        lo, hi = stats.t.interval(0.95, len(vals) - 1, vals.mean(), stats.sem(vals))
        assert (out.loc[g, "ci_low"], out.loc[g, "ci_high"]) == pytest.approx((lo, hi))
    assert np.isnan(mean_ci([5.0]).loc["all", "ci_low"])


def test_mean_interval_by_hand_from_aggregates():
    # n = 4, mean 80, SD 2: se = 2/√4 = 1, t(0.975, 3) = 3.182446 → 80 ± 3.182446;
    # n = 1: no interval; levels: 90 % uses t(0.95, 3) = 2.353363
    out = mean_interval(pd.Series([4, 1]), pd.Series([80.0, 70.0]), pd.Series([2.0, NAN]))
    assert out.loc[0].tolist() == pytest.approx([1.0, 80 - 3.182446, 80 + 3.182446])
    assert out.loc[1, ["ci_low", "ci_high"]].isna().all()
    assert mean_interval(4, 80.0, 2.0, level=0.90)["ci_high"].iloc[0] == pytest.approx(
        82.353363, abs=1e-6)


@pytest.mark.slow
@needs_r
@pytest.mark.r
def test_mean_ci_and_welch_match_r():
    a = [61, 70, 55, 68, 72, 80, 66]
    b = [75, 82, 79, 90, 71]
    script = (f"a <- c({', '.join(map(str, a))}); b <- c({', '.join(map(str, b))}); "
              "w <- t.test(a, b); cat(t.test(a)$conf.int, w$statistic, w$parameter, w$p.value,"
              " sep = '\\n')")
    out = subprocess.run(["Rscript", "-e", script], check=True, capture_output=True, text=True,
                         timeout=60)
    lo, hi, t, df, p = map(float, out.stdout.split())
    ca, cb = mean_ci(a), mean_ci(b)
    assert (ca.loc["all", "ci_low"], ca.loc["all", "ci_high"]) == pytest.approx((lo, hi))
    res = compare_units(ca, cb).iloc[0]
    assert (res["t"], res["df"], res["p"]) == pytest.approx((t, df, p))
    assert bool(res["differ"]) == (p < 0.05)


def test_compare_units_overlap_is_more_conservative():
    # means 0 and 1.5 with SE 0.5 each: Welch t = 1.5/√0.5 = 2.12 (df 198) → p ≈ 0.035: differ;
    # the 95 % intervals (±0.99) overlap (0.99 > 1.5 − 0.99) → not different by overlap
    a = pd.DataFrame({"n": [100.0], "mean": [0.0], "sd": [5.0]})
    b = pd.DataFrame({"n": [100.0], "mean": [1.5], "sd": [5.0]})
    assert bool(compare_units(a, b)["differ"].iloc[0])
    assert not bool(compare_units(a, b, method="overlap")["differ"].iloc[0])
    assert compare_units(a, b)["p"].iloc[0] == pytest.approx(
        stats.ttest_ind_from_stats(0, 5, 100, 1.5, 5, 100, equal_var=False).pvalue)


def test_band_vs_reference():
    # a: 60, 62, 64 → mean 62, SE 2/√3, t(2) = 4.303 → CI 62 ± 4.97 lies below 72
    units = mean_ci([60, 62, 64, 80, 82, 84, 70, 75, 65, 71], by=list("aaabbbcccd"))
    band = band_vs_reference(units, 72.0)
    assert band.to_dict() == {"a": "below", "b": "above", "c": "similar", "d": "too_few"}
    # the same as a one-sample t-test at 5 %
    assert stats.ttest_1samp([60, 62, 64], 72).pvalue < 0.05
    assert stats.ttest_1samp([70, 75, 65], 72).pvalue > 0.05
    assert tr("scores.band.below", "zh") == "显著低于参照"


# --- properties ---------------------------------------------------------------------------------

score_lists = st.lists(
    st.one_of(st.integers(0, 150).map(float), st.just(NAN), st.sampled_from([59.5, 89.5])),
    min_size=1, max_size=60,
)


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(score_lists)
def test_rates_in_unit_interval(xs):
    out = summarise(xs, 150, lines=LINES).loc["all"]
    for col in ("excellent_rate", "good_rate", "pass_rate", "low_rate"):
        v = out[col]
        assert np.isnan(v) or 0 <= v <= 1
    if out["n"] > 0:
        assert out["excellent_rate"] <= out["good_rate"] <= out["pass_rate"]


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(score_lists)
def test_ranks_are_a_permutation_with_ties(xs):
    x = pd.Series(xs)
    r = competition_rank(x)
    valid = x.notna()
    assert r[~valid].isna().all()
    v = x[valid].to_numpy()
    # rank = 1 + number strictly higher
    expected = 1 + (v[None, :] > v[:, None]).sum(axis=1)
    assert r[valid].astype(int).tolist() == expected.tolist()


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(score_lists)
def test_pr_stanine_t_invariants(xs):
    x = pd.Series(xs)
    valid = x.notna()
    pr = percentile_rank(x)[valid]
    assert ((pr > 0) & (pr < 100)).all()
    st9 = stanine(x).dropna()
    assert st9.isin(range(1, 10)).all()
    t = t_scores(x)[valid]
    order = np.argsort(x[valid].to_numpy(), kind="stable")
    assert np.all(np.diff(t.to_numpy()[order]) >= -1e-9) or t.isna().all()
    assert np.all(np.diff(pr.to_numpy()[order]) >= -1e-9)


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(score_lists, st.sampled_from([None, 1.0, 0.5, 5.0]))
def test_one_point_table_cumulative(xs, step):
    t = one_point_table(xs, step=step)
    assert (np.diff(t["score"]) < 0).all()  # highest first
    # cumulative count at or above: non-increasing as the score rises
    assert (np.diff(t["cum_count"].to_numpy()[::-1]) <= 0).all()
    assert t["count"].sum() == int(pd.Series(xs).notna().sum())


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(score_lists, st.lists(st.sampled_from(["a", "b", "c", None]), min_size=60, max_size=60))
def test_grouped_ranks_count_by_pairwise_comparison(xs, keys):
    """PR and 排名 within groups (a missing key: no group) against their definitions counted
    pair by pair: b = valid scores of the group strictly below, e = equal ones."""
    x = pd.Series(xs)
    key = pd.Series(keys[: len(xs)], dtype=object)
    pr, rank = percentile_rank(x, by=key), competition_rank(x, by=key)
    for i in range(len(x)):
        same = (key == key[i]).to_numpy() & x.notna().to_numpy()
        if key[i] is None or np.isnan(x[i]):
            assert np.isnan(pr[i]) and pd.isna(rank[i])
            continue
        v = x.to_numpy()[same]
        below, equal, above = (v < x[i]).sum(), (v == x[i]).sum(), (v > x[i]).sum()
        assert pr[i] == pytest.approx(100 * (below + equal / 2) / same.sum())
        assert rank[i] == above + 1


@given(st.lists(st.tuples(st.integers(-1, 3),
                          st.sampled_from([NAN, -0.0, 0.0, 0.5, 1.0, 2.5, 7.0, 100.0])),
                min_size=1, max_size=50),
       st.sampled_from([None, 0, 3]))
@settings(max_examples=150, deadline=None)
def test_rank_counts_by_table_and_by_sort_against_their_definition(rows, max_cells):
    """b (strictly below), e (equal, itself included) and n of each row within its group,
    counted pair by pair, against both ways of counting them: the (group, value) table and,
    when the table is refused (``max_cells`` 0 or 3), one sort of the keys; −0.0 equals 0.0."""
    groups = np.array([g for g, _ in rows], dtype=np.int64)
    values = np.array([v for _, v in rows], dtype=float)
    b, e, n = _rank_counts(values, groups, max_cells)
    for i, (g, v) in enumerate(rows):
        if g < 0 or np.isnan(v):
            assert np.isnan(b[i]) and np.isnan(e[i]) and np.isnan(n[i])
            continue
        mine = values[(groups == g) & ~np.isnan(values)]
        assert (b[i], e[i], n[i]) == ((mine < v).sum(), (mine == v).sum(), mine.size)


@given(st.lists(st.tuples(st.sampled_from(["语文", "数学", "物理", None]),
                          st.one_of(st.none(), st.integers(0, 8).map(float))),
                min_size=1, max_size=40))
@settings(max_examples=80, deadline=None)
def test_ranks_within_a_categorical_key_equal_those_within_its_text(rows):
    """A categorical group key (the students frame's subject codes), whose codes label the
    groups without a groupby and may skip an unused category, ranks as its text does."""
    text = pd.Series([k for k, _ in rows], dtype=object)
    scores = pd.Series([v for _, v in rows], dtype=float)
    categorical = text.astype(pd.CategoricalDtype(["化学", "数学", "物理", "语文"]))
    got, want = rank_statistics(scores, categorical), rank_statistics(scores, text)
    pd.testing.assert_frame_equal(got, want)
