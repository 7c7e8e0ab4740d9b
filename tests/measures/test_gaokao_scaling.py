"""等级赋分 and 高考 totals: hand-worked examples, a loop-based exact re-implementation, properties."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.gaokao_scaling import (
    YUNNAN_2025,
    ScalingError,
    ScalingScheme,
    new_regime_totals,
    old_regime_totals,
    scale_scores,
)

RAW20 = [98, 95, 93, 90, 88, 85, 83, 80, 78, 75, 73, 70, 68, 65, 63, 60, 58, 55, 50, 30]


def test_twenty_candidates_worked_by_hand() -> None:
    # N = 20: A ranks ≤ 0.15·20 = 3; B ≤ 0.50·20 = 10; C ≤ 0.85·20 = 17; D ≤ 0.98·20 = 19.6
    # (ranks 18, 19); E rank 20.
    # A: Y1 = 93, Y2 = 98, T 86..100: 98 → 100; 95 → 86 + 14·2/5 = 91.6 → 92; 93 → 86
    # B: Y1 = 75, Y2 = 90, T 71..85: 90 → 85; 88 → 71 + 14·13/15 = 83.13 → 83;
    #    85 → 71 + 14·10/15 = 80.33 → 80; 83 → 71 + 14·8/15 = 78.47 → 78;
    #    80 → 71 + 14·5/15 = 75.67 → 76; 78 → 71 + 14·3/15 = 73.8 → 74; 75 → 71
    # C: Y1 = 58, Y2 = 73, T 56..70: 73 → 70; 70 → 56 + 14·12/15 = 67.2 → 67;
    #    68 → 56 + 14·10/15 = 65.33 → 65; 65 → 56 + 14·7/15 = 62.53 → 63;
    #    63 → 56 + 14·5/15 = 60.67 → 61; 60 → 56 + 14·2/15 = 57.87 → 58; 58 → 56
    # D: Y1 = 50, Y2 = 55, T 41..55: 55 → 55; 50 → 41
    # E: one score (Y1 = Y2 = 30): the grade's upper end, 40
    expected = [100, 92, 86, 85, 83, 80, 78, 76, 74, 71, 70, 67, 65, 63, 61, 58, 56, 55, 41, 40]
    out = scale_scores(pd.Series(RAW20, dtype=float)[::-1])  # order of input does not matter
    assert out["scaled"].tolist()[::-1] == expected
    assert "".join(out["grade"])[::-1] == "AAABBBBBBBCCCCCCCDDE"


def test_half_up_rounding_at_exactly_half() -> None:
    # A: Y1 = 0, Y2 = 4 over 86..100 is not a .5 case; use B-free scheme with one grade 0..10:
    scheme = ScalingScheme(name="t", grades=("A",), shares=(1.0,), ranges=((10, 0),))
    # T = 10·Y/4: Y = 1 → 2.5 → 3 (四舍五入; banker's rounding would give 2); Y = 3 → 7.5 → 8
    out = scale_scores([0.0, 1.0, 3.0, 4.0], scheme)["scaled"].tolist()
    assert out == [0, 3, 8, 10]
    even = ScalingScheme(name="t", grades=("A",), shares=(1.0,), ranges=((10, 0),),
                         rounding="half_even")
    assert scale_scores([0.0, 1.0, 3.0, 4.0], even)["scaled"].tolist() == [0, 2, 8, 10]
    none = ScalingScheme(name="t", grades=("A",), shares=(1.0,), ranges=((10, 0),),
                         rounding="none")
    assert scale_scores([0.0, 1.0, 3.0, 4.0], none)["scaled"].tolist() == [0, 2.5, 7.5, 10]


def test_tie_straddling_boundary() -> None:
    # 20 candidates; ranks 3 and 4 tied at 93 straddle the A boundary (rank ≤ 3)
    raw = [98, 95, 93, 93, *range(80, 64, -1)]
    higher = scale_scores(raw)
    assert list(higher["grade"][:5]) == ["A", "A", "A", "A", "B"]  # the tie goes up
    # A now holds 98, 95, 93, 93: 93 → 86 (Y1), 95 → 86 + 14·2/5 → 92
    assert higher["scaled"].tolist()[:4] == [100, 92, 86, 86]
    lower = scale_scores(raw, ScalingScheme(tie_rule="lower"))
    assert list(lower["grade"][:5]) == ["A", "A", "B", "B", "B"]  # the tie goes down
    # A = {98, 95}: Y1 = 95 → 86; B's top is 93 → 85
    assert lower["scaled"].tolist()[:4] == [100, 86, 85, 85]


def test_missing_scores_are_not_in_the_population() -> None:
    raw = pd.Series([*RAW20, np.nan, np.nan], index=[f"s{i}" for i in range(22)])
    out = scale_scores(raw)
    assert out["grade"].iloc[-2:].isna().all() and out["scaled"].iloc[-2:].isna().all()
    pd.testing.assert_frame_equal(out.iloc[:20], scale_scores(raw.iloc[:20]))


def test_single_distinct_score_in_a_grade() -> None:
    everyone = scale_scores([70.0] * 10)  # one tie holding all ranks → best rank 1 → grade A
    assert set(everyone["grade"]) == {"A"} and set(everyone["scaled"]) == {100}
    mid = scale_scores([70.0] * 10, ScalingScheme(degenerate="mid"))
    assert set(mid["scaled"]) == {93}  # (86 + 100)/2
    low = scale_scores([70.0] * 10, ScalingScheme(degenerate="lower", tie_rule="lower"))
    assert set(low["grade"]) == {"E"} and set(low["scaled"]) == {30}


def test_half_up_boundary_in_small_population() -> None:
    # N = 10: floor gives A = ranks ≤ 1.5 → 1 candidate; half_up rounds 1.5 → 2 candidates
    raw = list(range(100, 90, -1))
    assert list(scale_scores(raw)["grade"][:3]) == ["A", "B", "B"]
    assert list(scale_scores(raw, ScalingScheme(boundary="half_up"))["grade"][:3]) == [
        "A", "A", "B"]


def test_scheme_validation() -> None:
    with pytest.raises(ScalingError, match="合计为 1"):
        ScalingScheme(shares=(0.2, 0.35, 0.35, 0.13, 0.02))
    with pytest.raises(ScalingError):
        ScalingScheme(ranges=((100, 86), (86, 71), (70, 56), (55, 41), (40, 30)))  # overlap
    with pytest.raises(ScalingError) as info:
        ScalingScheme(rounding="nearest")  # type: ignore[arg-type]
    assert "invalid rounding" in info.value.text("en")


# ---- an independent, loop-based, exact (Fraction) re-implementation ---------------------------

def reference_scale(raw: list[float], scheme: ScalingScheme) -> list[tuple[str | None, float]]:
    valid = [x for x in raw if not math.isnan(x)]
    n = len(valid)
    cum, limits = Fraction(0), []
    for share in scheme.shares:
        cum += Fraction(str(share))
        limits.append(cum * n)
    limits[-1] = Fraction(n)
    grade_of: dict[float, int] = {}
    for x in set(valid):
        best = 1 + sum(1 for y in valid if y > x)
        worst = sum(1 for y in valid if y >= x)
        rank = best if scheme.tie_rule == "higher" else worst
        grade_of[x] = next(g for g, lim in enumerate(limits) if rank <= lim)
    out: list[tuple[str | None, float]] = []
    for x in raw:
        if math.isnan(x):
            out.append((None, math.nan))
            continue
        g = grade_of[x]
        members = [y for y in valid if grade_of[y] == g]
        y1, y2 = min(members), max(members)
        t2, t1 = scheme.ranges[g]
        if y1 == y2:
            t = Fraction(t2)
        else:
            t = Fraction(t1) + (Fraction(t2) - Fraction(t1)) * (
                Fraction(x) - Fraction(y1)) / (Fraction(y2) - Fraction(y1))
        out.append((scheme.grades[g], float(math.floor(t + Fraction(1, 2)))))
    return out


@pytest.mark.parametrize("tie_rule", ["higher", "lower"])
def test_matches_loop_reimplementation(tie_rule: str) -> None:
    rng = np.random.default_rng(7)
    raw = np.round(rng.normal(60, 15, 400).clip(0, 100) * 2) / 2  # half points: many ties
    raw[rng.random(400) < 0.05] = np.nan
    scheme = ScalingScheme(tie_rule=tie_rule)  # type: ignore[arg-type]
    ours = scale_scores(raw, scheme)
    ref = reference_scale(raw.tolist(), scheme)
    assert [None if pd.isna(g) else g for g in ours["grade"]] == [g for g, _ in ref]
    np.testing.assert_array_equal(ours["scaled"].to_numpy(), [t for _, t in ref])


def test_groups_scale_separately() -> None:
    rng = np.random.default_rng(3)
    raw = pd.Series(rng.integers(20, 100, 300).astype(float))
    subject = pd.Series(np.repeat(["chemistry", "biology", "geography"], 100))
    together = scale_scores(raw, group=subject)
    for code in ["chemistry", "biology", "geography"]:
        part = subject == code
        pd.testing.assert_frame_equal(together[part], scale_scores(raw[part]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 100).map(float), st.just(math.nan)),
                min_size=1, max_size=120))
@pytest.mark.slow
def test_properties(raw: list[float]) -> None:
    out = scale_scores(raw)
    s = pd.Series(raw)
    valid = s.notna()
    assert out["scaled"].isna().equals(~valid)
    order = s[valid].sort_values(kind="stable").index
    # monotone non-decreasing in the raw score
    assert out.loc[order, "scaled"].diff().dropna().ge(0).all()
    # equal raw scores share a grade and a converted score
    assert out[valid].groupby(s[valid])["grade"].nunique().eq(1).all()
    # each converted score lies in its grade's range
    ranges = dict(zip(YUNNAN_2025.grades, YUNNAN_2025.ranges, strict=True))
    for grade, score in zip(out["grade"][valid], out["scaled"][valid], strict=True):
        hi, lo = ranges[grade]
        assert lo <= score <= hi


def test_large_population_runs() -> None:
    raw = np.random.default_rng(0).normal(60, 15, 200_000).round().clip(0, 100)
    out = scale_scores(raw)
    shares = out["grade"].value_counts(normalize=True)
    assert abs(shares["A"] - 0.15) < 0.02 and abs(shares["E"] - 0.02) < 0.02


# ---- totals -----------------------------------------------------------------------------------

def _new_frame() -> pd.DataFrame:
    nan = np.nan
    return pd.DataFrame({
        "chinese": [120.0, 100, 110, 90],
        "math": [130.0, 90, 100, 95],
        "english": [125.0, 110, 105, nan],
        "physics": [80.0, nan, 60, 70],
        "history": [nan, 75.0, nan, nan],
        "politics": [nan, 80.0, nan, nan],
        "geography": [nan, 70.0, nan, 60],
        "chemistry": [88.0, nan, 60, 50],
        "biology": [75.0, nan, 55, nan],
    }, index=["a", "b", "c", "d"])


def test_new_regime_totals_hand_computed() -> None:
    out = new_regime_totals(_new_frame(), scale=False)
    # a: 120 + 130 + 125 + 80 (physics) + 88 + 75 = 618
    # b: 100 + 90 + 110 + 75 (history) + 80 + 70 = 525
    # c: 110 + 100 + 105 + 60 + 60 + 55 = 490; d misses English → NaN
    assert out["total"].iloc[:3].tolist() == [618, 525, 490] and np.isnan(out.loc["d", "total"])
    assert out.loc["a", "track"] == "physics" and out.loc["b", "track"] == "history"


def test_new_regime_rejects_bad_combinations() -> None:
    frame = _new_frame()
    frame.loc["b", "biology"] = 65.0
    with pytest.raises(ScalingError) as info:
        new_regime_totals(frame, scale=False)  # b now has three electives
    assert "b" in str(info.value) and "more than two" in info.value.text("en")
    frame.loc["b", "biology"] = np.nan
    frame.loc["a", "history"] = 50.0
    with pytest.raises(ScalingError, match="物理和历史"):
        new_regime_totals(frame, scale=False)


def test_new_regime_missing_subject_gives_no_total_and_scaling_within_takers() -> None:
    out = new_regime_totals(_new_frame())
    # d missed English → no total (缺考 is never counted as 0)
    assert np.isnan(out.loc["d", "total"])
    # b: 100 + 90 + 110 + 75 = 375 raw, plus politics and geography scaled among their takers:
    # politics has one taker (b, 80): N = 1, rank 1 ≤ 0.98·1? no → grade E, Y1 = Y2 → 40;
    # geography takers b (70), d (60): N = 2, ranks 1, 2; limits 0.3, 1.0, 1.7, 1.96, 2 →
    # 70 → rank 1 → B (single score → 85); 60 → rank 2 → E → 40
    assert out.loc["b", "politics_scaled"] == 40
    assert out.loc["b", "geography_scaled"] == 85
    assert out.loc["b", "total"] == 375 + 40 + 85
    # chemistry takers a 88, c 60, d 50: limits 0.45, 1.5, 2.55, 2.94, 3 → 88 B, 60 C, 50 E
    assert out.loc[["a", "c", "d"], "chemistry_scaled"].tolist() == [85, 70, 40]


def test_old_regime_totals() -> None:
    frame = pd.DataFrame({
        "chinese": [100.0, 110, 90], "math": [120.0, 90, 80], "english": [130.0, 95, 85],
        "politics": [60.0, np.nan, 50], "history": [70.0, np.nan, np.nan],
        "geography": [65.0, np.nan, 40],
        "physics": [np.nan, 80.0, np.nan], "chemistry": [np.nan, 70.0, np.nan],
        "biology": [np.nan, 60.0, np.nan],
    })
    track = pd.Series(["arts", "science", "arts"])
    # 100+120+130 + 60+70+65 = 545; 110+90+95 + 80+70+60 = 505; third misses history → NaN
    total = old_regime_totals(frame, track)
    assert total.iloc[:2].tolist() == [545, 505] and np.isnan(total.iloc[2])
    frame["综合"] = [200.0, 230, 150]
    assert old_regime_totals(frame, track, comprehensive="综合").tolist() == [550, 525, 405]
    with pytest.raises(ScalingError, match="physics"):
        old_regime_totals(frame, pd.Series(["arts", "physics", "arts"]))
