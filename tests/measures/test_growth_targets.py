"""Growth targets (percentile trajectories) and 进退步 with measurement error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eduquality.measures.growth import GrowthInputError, SGPModel, growth_targets, progress


def _cohort(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p1 = rng.normal(60, 12, n)
    y = 0.9 * p1 + rng.normal(8, 6, n)
    return pd.DataFrame({"y": y.round(), "p1": p1.round()})


_D = _cohort(700, 11)
_M = SGPModel().fit(_D.y, _D[["p1"]])


def test_one_year_target_is_the_first_quantile_reaching_the_line():
    cur = np.array([40.0, 55.0, 60.0, 70.0])
    line = 62.0
    t = growth_targets([_M], cur, np.empty((4, 0)), line, years=1)["target_1y"]
    # independent: the sorted quantile predictions at the current score
    q = np.sort(_M.design(cur[:, None]) @ _M.coef_, axis=1)
    for i in range(4):
        reach = np.flatnonzero(q[i, :99] >= line)
        if reach.size == 0:
            assert pd.isna(t[i])
        else:
            j = reach[0] + 1
            assert t[i] == j
            # an SGP of at least j means a score above the j-th prediction, so at the line
            assert j == 1 or q[i, j - 2] < line


def test_targets_fall_with_the_starting_score_and_rise_with_the_line():
    cur = np.linspace(35, 85, 11)
    low = growth_targets([_M], cur, np.empty((11, 0)), 60.0, years=3)
    high = growth_targets([_M], cur, np.empty((11, 0)), 70.0, years=3)
    for col in ("target_1y", "target_2y", "target_3y"):
        a = low[col].astype("Float64").fillna(100).to_numpy(dtype=float)
        b = high[col].astype("Float64").fillna(100).to_numpy(dtype=float)
        assert np.all(np.diff(a) <= 0) and np.all(b >= a)


@pytest.mark.slow
def test_targets_with_two_prior_model_chain_the_scores():
    rng = np.random.default_rng(12)
    n = 700
    p2 = rng.normal(60, 12, n)
    p1 = 0.9 * p2 + rng.normal(6, 6, n)
    y = 0.6 * p1 + 0.3 * p2 + rng.normal(6, 6, n)
    m2 = SGPModel().fit(y.round(), np.c_[p1, p2].round())
    out = growth_targets([m2, m2], y[:20], p1[:20, None], 65.0, years=2)
    assert list(out.columns) == ["target_1y", "target_2y"]
    got = out.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    assert np.nanmin(got) >= 1 and np.nanmax(got) <= 99


@pytest.mark.slow
def test_two_year_chain_equals_a_plain_loop():
    rng = np.random.default_rng(14)
    p2 = rng.normal(60, 12, 600)
    p1 = 0.9 * p2 + rng.normal(6, 6, 600)
    y = 0.6 * p1 + 0.3 * p2 + rng.normal(6, 6, 600)
    m2 = SGPModel().fit(y.round(), np.c_[p1, p2].round())
    cur, prev, line = np.array([48.0, 60.0, 71.0]), np.array([50.0, 58.0, 69.0]), 66.0
    got = growth_targets([_M, m2], cur, prev[:, None], line, years=2)["target_2y"]
    for i in range(3):
        expected = pd.NA
        for j in range(1, 100):  # trajectory j, one student at a time
            y1 = _M.predict_quantiles([[cur[i]]])[0, j - 1]
            y2 = m2.predict_quantiles([[y1, cur[i]]])[0, j - 1]
            if y2 >= line:
                expected = j
                break
        assert (pd.isna(got[i]) and pd.isna(expected)) or got[i] == expected


def test_unreachable_and_trivial_lines():
    cur = np.array([50.0])
    assert pd.isna(growth_targets([_M], cur, np.empty((1, 0)), 10_000.0, years=1).iloc[0, 0])
    assert growth_targets([_M], cur, np.empty((1, 0)), -10_000.0, years=1).iloc[0, 0] == 1


def test_progress_scales_match_scipy_and_the_glossary():
    s1 = np.array([90, 80, 80, 70, 60, np.nan])
    s2 = np.array([70, 85, 80, 75, 65, 50])
    out = progress(s1, s2, 0.9, 0.9)
    ok = ~np.isnan(s1)
    rank1 = stats.rankdata(-s1[ok], method="min")
    np.testing.assert_array_equal(out["rank_1"][ok], rank1)
    pr2 = [stats.percentileofscore(s2, v, kind="mean") for v in s2]
    np.testing.assert_allclose(out["pr_2"], pr2)
    t1 = 50 + 10 * (s1 - np.nanmean(s1)) / np.nanstd(s1, ddof=1)
    np.testing.assert_allclose(out["t_1"], t1)
    assert out["status_t"].iloc[5] is None or pd.isna(out["status_t"].iloc[5])
    # SE of a T change: 10 √((1 − .9) + (1 − .9))
    assert out["se_delta_t"].iloc[0] == pytest.approx(10 * np.sqrt(0.2))


def test_progress_counts_only_changes_beyond_measurement_error():
    rng = np.random.default_rng(13)
    true = np.sort(rng.normal(0, 1, 4000))
    true[:50] = rng.uniform(-1, 0, 50)  # fifty mid-to-low students who really improve
    s1 = true + rng.normal(0, 0.3, 4000)
    s2 = true + rng.normal(0, 0.3, 4000)
    s2[:50] += 3.0
    out = progress(s1, s2, 0.91, 0.91)
    for scale in ("t", "pr", "rank"):
        st_ = out[f"status_{scale}"]
        assert (st_[:50] == "progress").mean() > 0.9
        # pure noise is rarely flagged (≈ 5 % two-sided at z = 1.96)
        assert (st_[50:] != "stable").mean() < 0.08


def test_progress_rejects_bad_reliability():
    with pytest.raises(GrowthInputError) as err:
        progress([1, 2, 3], [1, 2, 3], 1.2, 0.8)
    assert "信度" in str(err.value) and "reliability must lie" in err.value.text("en")
