"""上线分析: hand-computed examples, loop re-implementations on simulated data, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.i18n import tr
from eduquality.measures.cutlines import (
    DEFINITIONS,
    CutlineError,
    line_by_proportion,
    online_flags,
    online_summary,
    subject_lines_coefficient,
    subject_lines_proportion,
)


def _exam(n: int = 500, seed: int = 0) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, n)
    subj = pd.DataFrame({
        name: np.clip(np.round(full * (0.6 + 0.15 * (ability + rng.normal(0, 0.7, n)))), 0, full)
        for name, full in [("chinese", 150), ("math", 150), ("english", 150), ("physics", 100)]
    }, index=[f"s{i}" for i in range(n)]).astype(float)
    subj = subj.mask(rng.random(subj.shape) < 0.02)  # 缺考
    total = subj.sum(axis=1, min_count=4)
    school = pd.Series(rng.choice(["S1", "S2", "S3"], n), index=subj.index)
    return total, subj, school


def test_line_by_proportion_hand() -> None:
    s = pd.Series([95, 90, 90, 85, 80, 75, 70, 60, 50, 40, np.nan])
    # N = 10 valid; p = 0.3 → ⌈3⌉ = rank 3 → 90 (rank 2 and 3 are tied at 90)
    assert line_by_proportion(s, 0.3) == 90
    # p = 0.15 → ⌈1.5⌉ = 2 → 90; p = 0.05 → ⌈0.5⌉ = 1 → 95; p = 1 → 40
    assert line_by_proportion(s, 0.15) == 90
    assert line_by_proportion(s, 0.05) == 95
    assert line_by_proportion(s, 1.0) == 40
    # 0.07·100 is 7.000000000000001 in floating point; the line must be rank 7, not 8
    hundred = pd.Series(np.arange(100, 0, -1, dtype=float))
    assert line_by_proportion(hundred, 0.07) == 94
    with pytest.raises(CutlineError):
        line_by_proportion(s, 0)
    with pytest.raises(CutlineError):
        line_by_proportion(pd.Series([np.nan]), 0.5)


def test_line_by_proportion_per_group_matches_loop() -> None:
    total, _, school = _exam()
    lines = line_by_proportion(total, 0.2, group=school)
    assert isinstance(lines, pd.Series)
    for name in ["S1", "S2", "S3"]:
        values = sorted(total[(school == name) & total.notna()].tolist(), reverse=True)
        assert lines[name] == values[math.ceil(0.2 * len(values)) - 1]


def test_coefficient_method_hand() -> None:
    total = pd.Series([620.0, 560, 540, 480, 400])
    subj = pd.DataFrame({"math": [140.0, 120, np.nan, 100, 90],
                         "chinese": [120.0, 110, 115, 100, 85]})
    # T0 = 540: reached = 620, 560, 540 → P1 = 1720/3 = 573.33; k = 540/573.33 = 0.941860
    # math: the reached with a valid score: (140 + 120)/2 = 130 → 130·0.941860 = 122.4419
    # chinese: (120 + 110 + 115)/3 = 115 → 115·0.941860 = 108.3140
    lines = subject_lines_coefficient(total, subj, 540)
    assert lines["math"] == pytest.approx(130 * 540 / (1720 / 3))
    assert lines["math"] == pytest.approx(122.4419, abs=1e-4)
    assert lines["chinese"] == pytest.approx(108.3140, abs=1e-4)
    with pytest.raises(CutlineError, match="没有学生达到"):
        subject_lines_coefficient(total, subj, 700)


def test_coefficient_lines_add_up_to_the_total_line() -> None:
    # When the subjects make up the total and nobody misses one, Σ k·pᵢ = k·P1 = T0
    _, subj, _ = _exam()
    full = subj.dropna()
    lines = subject_lines_coefficient(full.sum(axis=1), full, 420)
    assert lines.sum() == pytest.approx(420)


def test_proportion_method_hand() -> None:
    total = pd.Series([620.0, 560, 540, 480, 400])
    subj = pd.DataFrame({"math": [140.0, 120, np.nan, 100, 90],
                         "chinese": [100.0, 110, 120, 130, 85],
                         "pe": [np.nan, 30.0, np.nan, np.nan, np.nan]})
    # T0 = 540 → n = 3 reach it. math valid sorted: 140 120 100 90 → 3rd = 100;
    # chinese sorted: 130 120 110 100 85 → 3rd = 110; pe has one taker → its lowest, 30
    assert subject_lines_proportion(total, subj, 540).tolist() == [100, 110, 30]


def test_flags_and_summary_hand() -> None:
    idx = list("abcdef")
    total = pd.Series([600.0, 550, 520, 480, 450, np.nan], index=idx)
    subj = pd.DataFrame({"math": [130.0, 100, 115, 120, 90, np.nan],
                         "chinese": [110.0, 120, 95, 100, 101, 99]}, index=idx)
    lines = pd.Series({"math": 110.0, "chinese": 100.0})
    unit = pd.Series(["X", "X", "X", "Y", "Y", "Y"], index=idx)
    summary = online_summary(online_flags(total, subj, 500, lines), unit).set_index(
        ["unit", "subject"])
    # X: all three reach 500. math ≥ 110: a, c → 单科 2, 双 2, 单上线(total only) b → 1
    #    命中率 2/2 = 1, 贡献率 2/3
    x = summary.loc[("X", "math")]
    assert (x["n_total_on"], x["n_subject_on"], x["n_double_on"], x["n_total_only"]) == (
        3, 2, 2, 1)
    assert x["hit_rate"] == 1 and x["contribution_rate"] == pytest.approx(2 / 3)
    # Y: nobody reaches 500 (f has no total). chinese ≥ 100: d 100, e 101 → 单科 2, 双 0
    #    命中率 0/2 = 0; 贡献率 0/0 → NaN; f is absent in math → 2 valid math takers
    y = summary.loc[("Y", "chinese")]
    assert (y["n_subject_on"], y["n_double_on"], y["n_subject_only"]) == (2, 0, 2)
    assert y["hit_rate"] == 0 and np.isnan(y["contribution_rate"])
    assert summary.loc[("Y", "math"), "n_valid"] == 2
    assert tr(DEFINITIONS["contribution_rate"], "zh") == "贡献率（双上线/总分上线）"


def test_missing_subject_line_is_an_error() -> None:
    total, subj, _ = _exam(20)
    with pytest.raises(CutlineError) as info:
        online_flags(total, subj, 400, pd.Series({"math": 90.0}))
    assert "chinese" in info.value.text("en")


@pytest.mark.slow
def test_summary_matches_loop_on_simulated_exam() -> None:
    total, subj, school = _exam()
    t0 = line_by_proportion(total, 0.3)
    assert isinstance(t0, float)
    lines = subject_lines_coefficient(total, subj, t0)
    ours = online_summary(online_flags(total, subj, t0, lines), school).set_index(
        ["unit", "subject"])
    for s in ["S1", "S2", "S3"]:
        for subject in subj.columns:
            counts = {"total": 0, "subject": 0, "double": 0}
            for student in subj.index:
                if school[student] != s:
                    continue
                t_on = not math.isnan(total[student]) and total[student] >= t0
                x = subj.loc[student, subject]
                s_on = not math.isnan(x) and x >= lines[subject]
                counts["total"] += t_on
                counts["subject"] += s_on
                counts["double"] += t_on and s_on
            row = ours.loc[(s, subject)]
            assert row["n_total_on"] == counts["total"]
            assert row["n_subject_on"] == counts["subject"]
            assert row["n_double_on"] == counts["double"]
            assert row["hit_rate"] == pytest.approx(counts["double"] / counts["subject"])
            assert row["contribution_rate"] == pytest.approx(counts["double"] / counts["total"])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=60),
    st.integers(0, 200), st.floats(0.01, 1.0),
)
@pytest.mark.slow
def test_rates_are_shares(pairs: list[tuple[int, int]], t0: int, p: float) -> None:
    subj = pd.DataFrame(pairs, columns=["math", "chinese"]).astype(float)
    total = subj.sum(axis=1)
    line = line_by_proportion(total, p)
    assert isinstance(line, float)
    # at least ⌈p·N⌉ students reach a proportion line
    assert (total >= line).sum() >= math.ceil(round(p * len(total), 9))
    flags = online_flags(total, subj, t0, pd.Series({"math": 50.0, "chinese": 60.0}))
    summary = online_summary(flags)
    for col in ["hit_rate", "contribution_rate"]:
        rates = summary[col].dropna()
        assert ((rates >= 0) & (rates <= 1)).all()
    assert (summary["n_double_on"] <= summary[["n_total_on", "n_subject_on"]].min(axis=1)).all()
    if (total >= t0).any():
        lines = subject_lines_proportion(total, subj, t0)
        n = int((total >= t0).sum())
        for c in subj.columns:  # exactly the n-th highest: at least n at or above it
            assert (subj[c] >= lines[c]).sum() >= n


@pytest.mark.slow
def test_large_population_runs() -> None:
    rng = np.random.default_rng(1)
    subj = pd.DataFrame(rng.integers(0, 150, (200_000, 6)).astype(float),
                        columns=[f"x{i}" for i in range(6)])
    total = subj.sum(axis=1)
    lines = subject_lines_proportion(total, subj, float(total.quantile(0.7)))
    unit = pd.Series(rng.integers(0, 400, 200_000))
    out = online_summary(online_flags(total, subj, float(total.quantile(0.7)), lines), unit)
    assert len(out) == 400 * 6
