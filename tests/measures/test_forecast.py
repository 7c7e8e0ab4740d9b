"""高考/中考 forecasts: 位次法, equipercentile linking, logistic lines, unit intervals, backtests."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from eduquality.measures.forecast import (
    EquipercentileLink,
    ForecastInputError,
    LogisticLineModel,
    brier_score,
    calibration_table,
    interval_coverage,
    line_probabilities,
    loglinear_smooth,
    plan_progress,
    poisson_binomial_pmf,
    rank_method_line,
    rank_method_lines,
    table_rank,
    unit_forecast,
)

TABLE = pd.DataFrame({"score": [610, 605, 600, 598, 590], "count": [2, 3, 5, 10, 80]})


def test_rank_method_by_hand():
    # rank of 600 = 2 + 3 + 5 = 10 of 100 → p = 0.10; 25 mock takers → rank ⌈2.5⌉ = 3
    mock = np.arange(100, 75, -1.0)  # 100, 99, …, 76
    r = rank_method_line(TABLE, 600, mock)
    assert (r.rank, r.total, r.share, r.mock_rank, r.forecast_line) == (10, 100, 0.1, 3, 98.0)
    assert table_rank(TABLE, 599) == 10 and table_rank(TABLE, 598) == 20
    # exact multiples do not round up: p = 0.2, 50 takers → rank 10
    assert rank_method_line(TABLE, 598, np.arange(50.0)).mock_rank == 10
    with pytest.raises(ForecastInputError):
        rank_method_line(TABLE.rename(columns={"count": "n"}), 600, mock)


def test_rank_method_for_each_track_and_line():
    tables = {"物理类": TABLE, "历史类": TABLE.assign(count=[1, 1, 2, 6, 90])}
    lines = pd.DataFrame({"track": ["物理类", "物理类", "历史类"],
                          "line": ["特控线", "本科批", "特控线"], "score": [605, 598, 600]})
    mock = pd.DataFrame({"track": ["物理类"] * 20 + ["历史类"] * 10,
                         "score": np.r_[np.arange(20.0), np.arange(10.0)]})
    out = rank_method_lines(tables, lines, mock).set_index(["track", "line"])
    # 物理类 特控线: rank 5/100 → ⌈0.05·20⌉ = 1 → 19; 本科批: 20/100 → 4 → 16
    assert out.loc[("物理类", "特控线"), "forecast_line"] == 19
    assert out.loc[("物理类", "本科批"), "forecast_line"] == 16
    # 历史类 特控线: rank 4/100 → ⌈0.4⌉ = 1 → 9
    assert out.loc[("历史类", "特控线"), ["rank", "forecast_line"]].tolist() == [4, 9]


def test_rank_method_with_tied_mock_scores():
    mock = [90, 90, 90, 80, 70, np.nan]
    r = rank_method_line(TABLE, 605, mock)  # p = 0.05 → rank ⌈0.25⌉ = 1
    assert r.mock_n == 5 and r.forecast_line == 90


def test_equipercentile_by_hand_without_smoothing():
    # mock uniform on 1..4, 高考 uniform on 2, 4, 6, 8: Kolen & Brennan's formulas give e(x) = 2x
    link = EquipercentileLink(degree=None).fit([1, 2, 3, 4], [4, 2, 8, 6])
    np.testing.assert_allclose(link.transform([1, 2, 3, 4]), [2, 4, 6, 8])
    # P(1.5) = 25 %: the smallest y with G(y) > .25 is 4, e = (.25 − G(3))/g(4) + 4 − .5 = 3.5
    assert link.transform([1.5])[0] == pytest.approx(3.5)
    assert link.percentile_rank([2])[0] == pytest.approx(0.375)


def test_equipercentile_identity_and_monotone():
    rng = np.random.default_rng(1)
    x = rng.normal(450, 80, 5000).round()
    link = EquipercentileLink(degree=6).fit(x, x)
    grid = np.arange(300, 600, 7.0)
    np.testing.assert_allclose(link.transform(grid), grid, atol=1e-6)
    y = (0.8 * x + rng.normal(100, 30, 5000)).round()
    e = EquipercentileLink().fit(x, y).transform(grid)
    assert np.all(np.diff(e) > 0)
    # linked scores reproduce the 高考 distribution: their quantiles match
    linked = EquipercentileLink().fit(x, y).transform(x)
    for q in (0.1, 0.5, 0.9):
        assert np.quantile(linked, q) == pytest.approx(np.quantile(y, q), abs=3)


def test_loglinear_smoothing_equals_poisson_glm():
    rng = np.random.default_rng(2)
    freq = np.bincount(rng.binomial(40, 0.6, 3000), minlength=41)
    ours = loglinear_smooth(freq, degree=4)
    g = np.arange(41.0)
    z = (g - g.mean()) / g.std()
    glm = sm.GLM(freq, np.vander(z, 5, increasing=True), family=sm.families.Poisson()).fit()
    np.testing.assert_allclose(ours, glm.fittedvalues, rtol=1e-6)
    for c in range(5):
        assert np.sum(ours * g**c) == pytest.approx(np.sum(freq * g**c), rel=1e-8)


def test_logistic_equals_statsmodels():
    rng = np.random.default_rng(3)
    mock = rng.normal(500, 60, (800, 2))
    eta = -30 + 0.04 * mock[:, 0] + 0.02 * mock[:, 1]
    above = rng.random(800) < 1 / (1 + np.exp(-eta))
    ours = LogisticLineModel().fit(mock, above)
    ref = sm.Logit(above.astype(float), sm.add_constant(mock)).fit(disp=0)
    np.testing.assert_allclose(ours.coef_, ref.params, rtol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(mock), ref.predict(sm.add_constant(mock)),
                               atol=1e-9)
    with pytest.raises(ForecastInputError):
        LogisticLineModel().fit(mock[:, 0], mock[:, 0] > 500)  # perfect separation


def test_poisson_binomial_against_enumeration_and_binomial():
    p = np.array([0.1, 0.5, 0.9, 0.3, 0.75, 0.02, 0.6, 0.45])
    brute = np.zeros(9)
    for bits in itertools.product([0, 1], repeat=8):
        b = np.array(bits)
        brute[b.sum()] += np.prod(np.where(b == 1, p, 1 - p))
    np.testing.assert_allclose(poisson_binomial_pmf(p), brute, atol=1e-12)
    np.testing.assert_allclose(poisson_binomial_pmf(np.full(300, 0.3)),
                               stats.binom.pmf(np.arange(301), 300, 0.3), atol=1e-12)


def test_unit_forecast_interval_from_the_exact_distribution():
    probs = pd.DataFrame({"unit": ["A"] * 40 + ["B"] * 10, "track": "物理类",
                          "line": "本科批", "probability": np.r_[np.full(40, 0.5), np.full(10, .9)]})
    out = unit_forecast(probs).set_index("unit")
    assert out.loc["A", "count"] == 20 and out.loc["A", "share"] == 0.5
    lo, hi = stats.binom.ppf([0.025, 0.975], 40, 0.5)
    assert (out.loc["A", "count_low"], out.loc["A", "count_high"]) == (lo, hi)
    assert out.loc["B", "count_low"] <= 9 <= out.loc["B", "count_high"]


def test_unit_forecast_normal_approximation_for_large_units():
    p = np.random.default_rng(4).uniform(0.1, 0.9, 6000)
    out = unit_forecast(pd.DataFrame({"unit": "D", "track": "理科", "line": "一本",
                                      "probability": p}))
    sd = np.sqrt(np.sum(p * (1 - p)))
    assert out.loc[0, "count_high"] - out.loc[0, "count_low"] == pytest.approx(
        2 * 1.96 * sd, abs=2)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=60))
def test_intervals_contain_the_point_forecast(ps):
    out = unit_forecast(pd.DataFrame({"unit": "u", "track": "t", "line": "l",
                                      "probability": ps}))
    row = out.iloc[0]
    assert row.count_low <= row["count"] <= row.count_high
    assert 0 <= row.share_low <= row.share <= row.share_high <= 1


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-200, 200))
def test_probabilities_in_unit_interval(seed, shift):
    rng = np.random.default_rng(seed)
    mock = rng.normal(500, 50, 200)
    above = rng.random(200) < 1 / (1 + np.exp(-(mock - 500) / 30))
    p = LogisticLineModel().fit(mock, above).predict_proba(mock + shift)
    assert np.all((p >= 0) & (p <= 1))


def test_line_probabilities_for_both_regimes():
    rng = np.random.default_rng(5)

    def cohort(n, tracks):
        mock = rng.normal(480, 70, n)
        return pd.DataFrame({"track": rng.choice(tracks, n), "mock": mock,
                             "gaokao": mock + rng.normal(10, 30, n),
                             "unit": rng.choice(["S1", "S2"], n)})

    for tracks, lines in (
        (["文科", "理科"], [("文科", "一本", 560), ("文科", "二本", 480),
                          ("理科", "一本", 520), ("理科", "二本", 430)]),
        (["物理类", "历史类"], [("物理类", "本科批", 450), ("物理类", "特控线", 540),
                              ("历史类", "本科批", 470), ("历史类", "特控线", 550)]),
    ):
        prev, now = cohort(1500, tracks), cohort(600, tracks)
        table = pd.DataFrame(lines, columns=["track", "line", "score"])
        probs = line_probabilities(prev, now, table, ["mock"])
        assert len(probs) == 2 * len(now)
        assert probs["probability"].between(0, 1).all()
        wide = probs.pivot_table(index="row", columns="line", values="probability")
        hi, lo = ("一本", "二本") if "一本" in wide else ("特控线", "本科批")
        assert (wide[hi] <= wide[lo] + 1e-12).all()  # the higher line is harder to reach
        units = unit_forecast(probs)
        assert set(units["unit"]) == {"S1", "S2"} and len(units) == 8


def test_backtest_metrics_by_hand():
    p = [0.05, 0.15, 0.15, 0.95, 0.85]
    o = [0, 0, 1, 1, 1]
    assert brier_score(p, o) == pytest.approx((0.05**2 + 0.15**2 + 0.85**2 + 0.05**2
                                               + 0.15**2) / 5)
    cal = calibration_table(p, o, bins=10)
    assert cal["n"].tolist() == [1, 2, 1, 1]
    row = cal.loc[cal["bin_low"] == 0.1].iloc[0]
    assert row["mean_predicted"] == pytest.approx(0.15) and row["observed"] == 0.5
    assert row["observed_low"] < 0.5 < row["observed_high"]
    assert interval_coverage([10, 20], [8, 21], [12, 25]) == 0.5


def test_plan_progress_by_hand():
    rates = pd.DataFrame({"unit": ["A"] * 3 + ["B"] * 2, "year": [2021, 2022, 2023, 2022, 2023],
                          "rate": [0.30, 0.35, 0.37, 0.5, 0.6]})
    out = plan_progress(rates, base_year=2021, step=0.04)
    a = out[out.unit == "A"]
    np.testing.assert_allclose(a["target"], [0.30, 0.34, 0.38])
    assert a["on_track"].tolist() == [True, True, False]
    assert out[out.unit == "B"]["target"].isna().all()
    assert (out["step"] == 0.04).all()  # carried for the report's note
    # a plan of 5 points a year: 0.30 → 0.35 → 0.40; 2022's 0.35 just on track
    five = plan_progress(rates, base_year=2021, step=0.05)
    np.testing.assert_allclose(five[five.unit == "A"]["target"], [0.30, 0.35, 0.40])
    assert five[five.unit == "A"]["on_track"].tolist() == [True, True, False]


@pytest.mark.slow
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=61))
@settings(max_examples=200, deadline=None)
def test_poisson_binomial_equals_the_recursion_for_odd_and_even_n(p):
    """Against the textbook recursion P_k ← P_k (1 − p) + P_{k−1} p, for every n (an odd n, whose
    transform has a Nyquist term, was once left uninitialised)."""
    want = np.zeros(len(p) + 1)
    want[0] = 1.0
    for q in p:
        want[1:] = want[1:] * (1 - q) + want[:-1] * q
        want[0] *= 1 - q
    np.testing.assert_allclose(poisson_binomial_pmf(np.array(p)), want, atol=1e-12)
