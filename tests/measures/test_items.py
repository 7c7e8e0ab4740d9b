"""Item analysis: hand arithmetic, published LSAT6/SAT12 values, independent recomputation."""

from __future__ import annotations

import math
import subprocess

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from eduquality.measures.items import (
    difficulty,
    discrimination_27,
    ebel_band,
    flag_items,
    group_size,
    item_analysis,
    item_sums,
    normalise_choice,
    option_analysis,
    score_choices,
    upper_lower_groups,
)
from tests.paths import REFDATA
from tests.rscript import needs_r


def lsat6() -> pd.DataFrame:
    pat = pd.read_csv(REFDATA / "lsat6_patterns.csv")
    return pat.loc[pat.index.repeat(pat["freq"]), pat.columns[:-1]].reset_index(drop=True)


def sat12() -> tuple[pd.DataFrame, pd.Series]:
    raw = pd.read_csv(REFDATA / "sat12_raw_unscored.csv")
    key = pd.read_csv(REFDATA / "sat12_key.csv").set_index("item")["key"]
    return raw, key


# --- difficulty and discrimination --------------------------------------------------------------

def test_difficulty_by_hand_and_missing_not_zero():
    # item 1 (3 marks): 3, 1, NaN, 2 → mean of answered = 6/3 = 2 → P = 2/3 (not 6/4/3 = 0.5)
    x = [[3, 1], [1, 0], [np.nan, 1], [2, 1]]
    np.testing.assert_allclose(difficulty(x, [3, 1]), [2 / 3, 3 / 4])
    # default full marks = observed maximum: 3 and 1
    np.testing.assert_allclose(difficulty(x), [2 / 3, 3 / 4])


def test_lsat6_published_p_and_total_frequencies():
    data = lsat6()
    np.testing.assert_allclose(difficulty(data), [0.924, 0.709, 0.553, 0.763, 0.870], atol=5e-4)
    freq = data.sum(axis=1).value_counts().sort_index()
    assert freq.tolist() == [3, 20, 85, 237, 357, 298]
    res = item_analysis(data)
    np.testing.assert_allclose(res.items["p"], [0.924, 0.709, 0.553, 0.763, 0.870], atol=5e-4)
    np.testing.assert_allclose(res.items["total_r"], [0.362, 0.567, 0.618, 0.534, 0.435],
                               atol=5e-4)
    assert res.alpha == pytest.approx(0.295, abs=5e-4)


def test_group_size_is_ceiling_of_27_percent():
    for n in (1, 4, 10, 100, 101, 1000):
        hi, lo = upper_lower_groups(np.arange(n, dtype=float))
        assert hi.sum() == lo.sum() == math.ceil(0.27 * n)
    # NaN totals are in neither group and do not count in n: 10 valid → 3
    t = np.r_[np.arange(10.0), np.nan, np.nan]
    hi, lo = upper_lower_groups(t)
    assert hi.sum() == 3 and not hi[10:].any() and not lo[10:].any()
    assert np.flatnonzero(hi).tolist() == [7, 8, 9]
    assert np.flatnonzero(lo).tolist() == [0, 1, 2]


def test_d27_by_hand():
    # 10 persons, totals 10..1 → groups of ⌈2.7⌉ = 3: high = rows 0-2, low = rows 7-9
    total = np.arange(10, 0, -1.0)
    item = np.array([2, 2, 1, 1, 0, 2, 1, 0, 1, 0.0])  # 2 marks
    # mean_high = 5/3, mean_low = 1/3 → D = (4/3)/2 = 2/3
    assert discrimination_27(item[:, None], [2], total=total)[0] == pytest.approx(2 / 3)


def test_d27_matches_sorting_recomputation_on_lsat6():
    data = lsat6()
    total = data.sum(axis=1)
    g = math.ceil(0.27 * len(data))
    order = total.sort_values(kind="stable")
    low = data.loc[order.index[:g]]
    high = data.loc[total.sort_values(ascending=False, kind="stable").index[:g]]
    expected = (high.mean() - low.mean()).to_numpy()  # 0/1 items: P_high − P_low
    np.testing.assert_allclose(discrimination_27(data), expected, rtol=1e-12)


def test_point_biserial_formula_equals_total_r():
    data = lsat6()
    total = data.sum(axis=1)
    res = item_analysis(data)
    for col in data.columns:
        p = data[col].mean()
        m1, m0 = total[data[col] == 1].mean(), total[data[col] == 0].mean()
        r_pb = (m1 - m0) * math.sqrt(p * (1 - p)) / total.std(ddof=0)
        assert res.items.loc[col, "total_r"] == pytest.approx(r_pb, rel=1e-10)


def test_item_analysis_missing_excluded_from_mean():
    x = pd.DataFrame({"a": [1, 0, np.nan, 1], "b": [2, 1, 1, 0]})
    res = item_analysis(x, [1, 2])
    assert res.items.loc["a", "n"] == 3
    assert res.items.loc["a", "mean"] == pytest.approx(2 / 3)
    assert res.items.loc["b", "p"] == pytest.approx(4 / 4 / 2)


def test_item_analysis_rejects_wrong_number_of_max_scores():
    with pytest.raises(ValueError, match="2 max scores for 3 items"):
        item_analysis([[1, 2, 3], [0, 1, 1]], [1, 2])


def test_ebel_bands():
    assert ebel_band([0.40, 0.399, 0.30, 0.299, 0.20, 0.199, np.nan]).tolist() == [
        "very_good", "good", "good", "revise", "revise", "poor", ""]


# --- key scoring --------------------------------------------------------------------------------

def test_sat12_scored_totals_published():
    raw, key = sat12()
    total = score_choices(raw, key, omit_codes=[8]).sum(axis=1)
    assert total.mean() == pytest.approx(18.202, abs=5e-4)
    assert total.std(ddof=1) == pytest.approx(5.054, abs=5e-4)
    # omitted = wrong: an omitted cell never scores; counted independently per cell
    expected = (raw.to_numpy() == key.reindex(raw.columns).to_numpy()[None, :]).sum(axis=1)
    assert total.tolist() == expected.tolist()


def test_multiple_answer_keys_and_partial_credit():
    ch = pd.DataFrame({"q": ["ABD", "DBA", "AB", "ABC", "", "abd", "E"]})
    full = score_choices(ch, {"q": "ABD"}, 5).iloc[:, 0].tolist()
    assert full == [5, 5, 0, 0, 0, 5, 0]
    partial = score_choices(ch, {"q": "ABD"}, 5, partial_credit=0.4).iloc[:, 0].tolist()
    # "AB" ⊂ key → 0.4 · 5 = 2; "ABC" has a wrong option → 0
    assert partial == [5, 5, 2, 0, 0, 5, 0]
    # proportional: "AB" has 2 of the key's 3 options → 2/3 · 5
    prop = score_choices(ch, {"q": "ABD"}, 5, partial_credit="proportional").iloc[:, 0].tolist()
    assert prop == pytest.approx([5, 5, 10 / 3, 0, 0, 5, 0])
    missing = score_choices(ch, {"q": "ABD"}, 5, omitted="missing").iloc[:, 0]
    assert np.isnan(missing.iloc[4]) and missing.iloc[3] == 0


def test_normalise_choice():
    assert normalise_choice(" c,a ") == "AC"
    assert normalise_choice(np.nan) == "omit"
    assert normalise_choice(4.0) == "4"


# --- option analysis and flags ------------------------------------------------------------------

def test_option_analysis_by_hand():
    # 4 persons, totals 4,3,2,1 → groups of ⌈1.08⌉ = 2: high = persons 0,1; low = 2,3
    ch = pd.DataFrame({"q": ["A", "B", "B", None]})
    out = option_analysis(ch, {"q": "A"}, total=[4, 3, 2, 1]).set_index("option")
    assert out["share"].to_dict() == {"A": 0.25, "B": 0.5, "omit": 0.25}
    assert out["share_high"].to_dict() == {"A": 0.5, "B": 0.5, "omit": 0.0}
    assert out["share_low"].to_dict() == {"A": 0.0, "B": 0.5, "omit": 0.5}
    assert out["is_key"].to_dict() == {"A": True, "B": False, "omit": False}


def test_option_analysis_sat12_consistent_with_scoring():
    raw, key = sat12()
    opts = option_analysis(raw, key, omit_codes=[8])
    sums = opts.groupby("item")[["share", "share_high", "share_low"]].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    scored = score_choices(raw, key, omit_codes=[8])
    key_share = opts[opts["is_key"]].set_index("item")["share"].reindex(raw.columns)
    np.testing.assert_allclose(key_share.to_numpy(), scored.mean().to_numpy())
    # key's high − low equals D of the scored item (same groups: total scored with the key)
    key_disc = opts[opts["is_key"]].set_index("item")["disc"].reindex(raw.columns)
    np.testing.assert_allclose(key_disc.to_numpy(), discrimination_27(scored, 1))


@pytest.mark.slow
@needs_r
@pytest.mark.r
def test_option_shares_match_psych_score_multiple_choice(tmp_path):
    """psych::score.multiple.choice gives each option's share among those who answered and the
    share missing; ours are shares of everybody, so answered share = share / (1 − omit)."""
    out = tmp_path / "mc.csv"
    script = f"""
    suppressMessages(library(psych))
    x <- read.csv("{REFDATA / 'sat12_raw_unscored.csv'}")
    key <- read.csv("{REFDATA / 'sat12_key.csv'}")$key
    x[x == 8] <- NA
    r <- score.multiple.choice(key, x, score = TRUE, short = FALSE, missing = FALSE,
                               digits = 15)
    write.csv(r$item.stats, "{out}")
    """
    subprocess.run(["Rscript", "-e", script], check=True, capture_output=True, timeout=120)
    ref = pd.read_csv(out, index_col=0)
    raw, key = sat12()
    opts = option_analysis(raw, key, omit_codes=[8])
    wide = opts.pivot(index="item", columns="option", values="share").fillna(0.0)
    wide = wide.reindex(raw.columns)
    np.testing.assert_allclose(wide["omit"], ref["miss"], rtol=1e-9)
    answered = wide[["1", "2", "3", "4", "5"]].div(1 - wide["omit"], axis=0)
    np.testing.assert_allclose(answered.to_numpy(), ref[["1", "2", "3", "4", "5"]],
                               rtol=1e-9)
    # psych's mean = P among answered; ours omitted = missing gives the same
    p = score_choices(raw, key, omit_codes=[8], omitted="missing").mean()
    np.testing.assert_allclose(p.to_numpy(), ref["mean"], rtol=1e-9)


def test_miskeyed_item_is_flagged():
    raw, key = sat12()
    opts = option_analysis(raw, key, omit_codes=[8])
    d = pd.Series(discrimination_27(score_choices(raw, key, omit_codes=[8]), 1), raw.columns)
    clean = flag_items(d, opts)
    wrong = key.copy()
    target = clean.index[~clean["possibly_miskeyed"]][0]
    # re-key the item to its least-chosen real option
    cand = opts[(opts["item"] == target) & ~opts["is_key"] & (opts["option"] != "omit")]
    wrong[target] = int(cand.sort_values("share").iloc[0]["option"])
    opts_w = option_analysis(raw, wrong, omit_codes=[8])
    d_w = pd.Series(discrimination_27(score_choices(raw, wrong, omit_codes=[8]), 1), raw.columns)
    flags = flag_items(d_w, opts_w)
    assert flags.loc[target, "possibly_miskeyed"]
    assert flags.loc[target, "distractor_beats_key"]


def test_flags_without_options_and_bands():
    flags = flag_items(pd.Series({"a": 0.45, "b": 0.1, "c": -0.05}))
    assert flags["ebel"].tolist() == ["very_good", "poor", "poor"]
    assert flags["negative_discrimination"].tolist() == [False, False, True]
    assert not flags["possibly_miskeyed"].any()


# --- properties ---------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(arrays(np.int8, st.tuples(st.integers(2, 40), st.integers(1, 5)),
              elements=st.integers(0, 3)))
@pytest.mark.slow
def test_p_and_d_in_range(x):
    p = difficulty(x, 3)
    d = discrimination_27(x, 3)
    assert np.all((p >= 0) & (p <= 1))
    assert np.all((d >= -1) & (d <= 1))


@pytest.mark.slow
def test_string_and_numeric_choices_agree():
    raw, key = sat12()
    as_text = raw.astype(str).where(raw != 8, "")  # omitted as blank cells
    a = option_analysis(raw, key, omit_codes=[8])
    b = option_analysis(as_text, key.astype(str))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(score_choices(raw, key, omit_codes=[8]),
                                  score_choices(as_text, key))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 6).map(float), st.just(np.nan)), max_size=40),
       st.sampled_from([0.27, 0.5, 0.1]))
def test_upper_lower_groups_are_the_first_of_each_stable_order(totals, share):
    """The 27 % groups against their definition by two stable sorts: the low group the first
    g persons by total ascending, the high group the first g by total descending (ties: the
    earlier person first); NaN totals in neither."""
    t = np.asarray(totals, dtype=float)
    valid = np.flatnonzero(~np.isnan(t))
    g = group_size(valid.size, share)
    want_low = set(valid[np.argsort(t[valid], kind="stable")][:g].tolist())
    want_high = set(valid[np.argsort(-t[valid], kind="stable")][:g].tolist())
    high, low = upper_lower_groups(t, share)
    assert set(np.flatnonzero(low).tolist()) == want_low
    assert set(np.flatnonzero(high).tolist()) == want_high


@settings(max_examples=60, deadline=None)
@given(arrays(np.int8, st.tuples(st.integers(2, 40), st.integers(1, 6)),
              elements=st.integers(0, 5)),
       st.floats(0.1, 0.5), st.booleans())
def test_sums_of_a_complete_matrix_are_those_of_the_general_path(scores, share, halves):
    """A matrix without a missing answer takes a shorter path (M all ones, no filled copy);
    a person who answered nothing counts nowhere, so adding one sends the same persons through
    the general path: every sum agrees."""
    x = scores.astype(float) / (2.0 if halves else 1.0)
    fast = item_sums(x, share)
    general = item_sums(np.vstack([x, np.full((1, x.shape[1]), np.nan)]), share)
    for name in fast.__dataclass_fields__:
        assert np.allclose(getattr(fast, name), getattr(general, name), rtol=1e-12,
                           atol=1e-12), name
