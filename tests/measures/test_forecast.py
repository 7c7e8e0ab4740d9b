"""高考/中考 forecasts: 位次法, equipercentile linking, logistic lines, unit intervals, backtests."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from eduquality.measures.forecast import (
    PRIOR_SHIFT_SD,
    PRIOR_SHIFT_WEIGHT,
    EquipercentileLink,
    ForecastInputError,
    LogisticLineModel,
    brier_score,
    calibration_table,
    count_interval,
    interval_coverage,
    line_probabilities,
    logit_draws,
    logit_shift,
    loglinear_smooth,
    normal_scores,
    plan_progress,
    poisson_binomial_mixture_cdf,
    poisson_binomial_pmf,
    rank_method_line,
    rank_method_lines,
    shift_variance,
    table_rank,
    unit_dispersion,
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
    ours = LogisticLineModel(firth=False).fit(mock, above)
    ref = sm.Logit(above.astype(float), sm.add_constant(mock)).fit(disp=0)
    np.testing.assert_allclose(ours.coef_, ref.params, rtol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(mock), ref.predict(sm.add_constant(mock)),
                               atol=1e-9)
    with pytest.raises(ForecastInputError):  # perfect separation: no ML estimate
        LogisticLineModel(firth=False).fit(mock[:, 0], mock[:, 0] > 500)
    with pytest.raises(ForecastInputError):  # everyone above the line: none either
        LogisticLineModel(firth=False).fit(mock[:, 0], np.ones(800))


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


# ------------------------------------------------------------------------------------------
# intervals that carry the model's uncertainty (issue 15)


def test_logistic_covariance_equals_statsmodels():
    rng = np.random.default_rng(5)
    x = rng.normal(500, 80, 800)
    y = (rng.uniform(size=800) < 1 / (1 + np.exp(-(x - 520) / 30))).astype(float)
    model = LogisticLineModel(firth=False).fit(x, y)
    ref = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
    np.testing.assert_allclose(model.cov_, ref.cov_params(), rtol=1e-5)
    np.testing.assert_allclose(model.linear_predictor(x[:3]),
                               ref.params[0] + ref.params[1] * x[:3], rtol=1e-6)


def test_shift_and_dispersion_by_hand():
    # Σσ(0 + δ) = 3 of 4 → σ(δ) = ¾ → δ = log 3; variance 1/(4·¾·¼) = 4/3
    d, v = logit_shift([0.0] * 4, [1, 1, 1, 0])
    assert d == pytest.approx(np.log(3)) and v == pytest.approx(4 / 3)
    # (2·0.3² + (0.5² − 0.01) + (0.3² − 0.01)) / 4
    assert shift_variance([0.5, -0.3], [0.01, 0.01]) == pytest.approx(0.125)
    assert shift_variance() == pytest.approx(PRIOR_SHIFT_SD ** 2)  # no history: the prior
    # shifts smaller than their sampling error add nothing beyond the prior's weight
    assert shift_variance([0.1], [0.05], prior_sd=0.2, prior_weight=1) == pytest.approx(0.02)
    # ((10−6)² − 4 + (2−6)² − 4) / (4² + 4²) = 24/32
    assert unit_dispersion([10, 2], [6, 6], [4, 4]) == pytest.approx(0.75)
    assert unit_dispersion([6, 7], [6, 6], [4, 4]) == 0.0  # less spread than chance: none


def test_mixture_interval_by_hand():
    # two students, p = 0.5 or 0.1 for both (two draws of the model, equally likely):
    # PB(.5, .5) = .25 .5 .25, PB(.1, .1) = .81 .18 .01 → mixture .53 .34 .13
    np.testing.assert_allclose(poisson_binomial_mixture_cdf([[0.5, 0.5], [0.1, 0.1]]),
                               [0.53, 0.87, 1.0])
    # the same mean count 0.6 with the model known (p = 0.3 each): .49 .42 .09
    # 80 % intervals: smallest k with F ≥ 0.1 and with F ≥ 0.9 → [0, 1] known, [0, 2] drawn
    assert count_interval([[0.3, 0.3]], level=0.8) == (0.0, 1.0)
    assert count_interval([[0.5, 0.5], [0.1, 0.1]], level=0.8) == (0.0, 2.0)


def test_mixture_normal_approximation_matches_exact():
    rng = np.random.default_rng(2)
    P = rng.uniform(0.05, 0.95, size=(30, 400))
    exact = np.cumsum(np.mean([poisson_binomial_pmf(r) for r in P], axis=0))
    np.testing.assert_allclose(poisson_binomial_mixture_cdf(P), exact, atol=2e-3)


def test_unit_forecast_with_draws_by_hand():
    # one unit of two students whose draws are the hand case above: count = Σ mean p = 0.6
    probs = pd.DataFrame({"unit": ["A", "A"], "track": "物理类", "line": "特控线",
                          "probability": [0.3, 0.3],
                          "logit_draws": [np.log([1.0, 1 / 9]), np.log([1.0, 1 / 9])]})
    u = unit_forecast(probs, level=0.8).iloc[0]
    assert (u["count"], u["count_low"], u["count_high"]) == pytest.approx((0.6, 0.0, 2.0))
    known = unit_forecast(probs.drop(columns="logit_draws"), level=0.8).iloc[0]
    assert (known["count_low"], known["count_high"]) == (0.0, 1.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.02, 0.98), min_size=5, max_size=120),
       st.floats(0.1, 1.5), st.integers(0, 10_000))
def test_intervals_widen_with_model_uncertainty_and_contain_the_forecast(ps, sd, seed):
    p = np.array(ps)
    eta = np.log(p / (1 - p))
    z = np.random.default_rng(seed).normal(size=200)
    z = np.r_[z, -z]  # antithetic: the draws are centred on the point estimate
    lo0, hi0 = count_interval(p[None, :])
    lo1, hi1 = count_interval(1 / (1 + np.exp(-(eta[None, :] + sd * z[:, None]))),
                              point=float(p.sum()))
    assert lo1 <= p.sum() <= hi1
    assert lo1 <= lo0 and hi1 >= hi0
    lo2, hi2 = count_interval(1 / (1 + np.exp(-(eta[None, :] + 2 * sd * z[:, None]))),
                              point=float(p.sum()))
    assert hi2 - lo2 >= hi1 - lo1


def test_line_probabilities_with_draws_are_flatter_and_carry_their_draws():
    rng = np.random.default_rng(4)
    prev = pd.DataFrame({"track": "理科", "mock": rng.normal(500, 80, 600)})
    prev["gaokao"] = prev["mock"] + rng.normal(0, 30, 600)
    now = pd.DataFrame({"track": "理科", "mock": [380.0, 500.0, 620.0], "unit": "S1"})
    lines = pd.DataFrame({"track": ["理科"], "line": ["一本"], "score": [560.0]})
    point = line_probabilities(prev, now, lines, ["mock"])
    drawn = line_probabilities(prev, now, lines, ["mock"], draws=2000, shift_sd=0.5)
    assert len(drawn["logit_draws"].iloc[0]) == 2000
    # the predictive probability lies between the point estimate and ½ (logistic-normal)
    for p0, p1 in zip(point["probability"], drawn["probability"], strict=True):
        assert min(p0, 0.5) - 1e-3 <= p1 <= max(p0, 0.5) + 1e-3
    # the draws are the model's: their mean log-odds is the point estimate's
    assert np.mean(drawn["logit_draws"].iloc[1]) == pytest.approx(drawn["logit"].iloc[1],
                                                                  abs=0.05)


def _cohort(rng, n_schools, n, shift, school_sd, a=-1.0, b=2.5):
    x = rng.normal(0, 1, (n_schools, n))
    v = rng.normal(0, school_sd, n_schools)[:, None]
    p = 1 / (1 + np.exp(-(a + b * x + shift + v)))
    return pd.DataFrame({"unit": np.repeat([f"S{i}" for i in range(n_schools)], n),
                         "x": x.ravel(), "y": (rng.uniform(size=p.shape) < p).ravel()})


def test_simulated_cohorts_95_intervals_cover_at_least_93_percent():
    """Cohorts drawn with a yearly shift (sd 0.45) and school deviations (sd 0.2) of the log-odds:
    each year's schools forecast from the year before's fit, τ from the earlier shifts
    (shift_variance), τᵤ from the calibration cohort (unit_dispersion). The 95 % intervals with
    the model drawn cover ≥ 93 % of the schools' counts; with the model known they do not."""
    rng = np.random.default_rng(11)
    years = [_cohort(rng, 6, 150, rng.normal(0, 0.45), 0.2) for _ in range(26)]
    shifts, variances, hits, hits_known = [], [], [], []
    for k in range(1, len(years)):
        prev, now = years[k - 1], years[k]
        model = LogisticLineModel().fit(prev["x"], prev["y"])
        if len(shifts) >= 4:  # forecast once a few shifts are known
            p_prev = model.predict_proba(prev["x"])
            agg = pd.DataFrame({"unit": prev["unit"], "o": prev["y"], "e": p_prev,
                                "v": p_prev * (1 - p_prev)}).groupby("unit").sum()
            unit_sd = np.sqrt(unit_dispersion(agg["o"], agg["e"], agg["v"]))
            tau = np.sqrt(shift_variance(shifts, variances))
            eta = logit_draws(model, now["x"], tau, 400, np.random.default_rng(k),
                              shift_df=PRIOR_SHIFT_WEIGHT + len(shifts))
            probs = now.assign(track="t", line="l", probability=1 / (1 + np.exp(-eta)).mean(0),
                               logit_draws=list(eta.T))
            u = unit_forecast(probs, unit_sd=unit_sd, seed=k).set_index("unit")
            known = unit_forecast(probs.assign(probability=model.predict_proba(now["x"]))
                                  .drop(columns="logit_draws")).set_index("unit")
            actual = now.groupby("unit")["y"].sum()
            hits += list((u.count_low <= actual) & (actual <= u.count_high))
            hits_known += list((known.count_low <= actual) & (actual <= known.count_high))
        d, v = logit_shift(model.linear_predictor(now["x"]), now["y"])
        shifts.append(d)
        variances.append(v)
    assert len(hits) == 6 * 21
    assert np.mean(hits) >= 0.93
    assert np.mean(hits_known) < 0.85


# ------------------------------------------------------------------------------------------
# lines that (nearly) everyone reached: Firth and the share's Beta posterior (issue 15)


def test_line_everyone_reached_is_its_share_with_the_jeffreys_posterior():
    rng = np.random.default_rng(8)
    mock = rng.normal(400, 60, 300)
    model = LogisticLineModel().fit(mock, np.ones(300))
    # k = n = 300: p̂ = (300 + ½)/(300 + 1), the same at every mock score (slope 0)
    np.testing.assert_allclose(model.predict_proba([200.0, 400.0, 600.0]), 300.5 / 301)
    assert model.share_prior_ == (300.5, 0.5) and model.coef_[1] == 0
    assert model.cov_[0, 0] == pytest.approx(float(special.polygamma(1, 300.5)
                                                   + special.polygamma(1, 0.5)))
    nobody = LogisticLineModel().fit(mock, np.zeros(300))
    np.testing.assert_allclose(nobody.predict_proba([500.0]), 0.5 / 301)
    # the draws are the Beta posterior's: its mean and its 5 % quantile
    eta = logit_draws(model, mock[:3], 0.0, 20_000, np.random.default_rng(0))
    p = stats.logistic.cdf(eta[:, 0])
    assert p.mean() == pytest.approx(300.5 / 301, abs=2e-4)
    assert np.quantile(p, 0.05) == pytest.approx(stats.beta.ppf(0.05, 300.5, 0.5), abs=1e-3)
    assert np.all(eta[:, 0] == eta[:, 2])  # no slope: every student alike


def test_line_nearly_everyone_reached_keeps_probabilities_near_one():
    """A 专科批: 233 calibration students, all above it (ML: no estimate; once drawn from its
    huge covariance the forecast was 0.47 each and the interval [0, 233]); and one that all
    but a few reach (ML near separation)."""
    rng = np.random.default_rng(9)
    prev = pd.DataFrame({"track": "历史类", "mock": rng.normal(450, 60, 233)})
    prev["gaokao"] = prev["mock"] + rng.normal(0, 25, 233)
    lines = pd.DataFrame({"track": ["历史类", "历史类"], "line": ["专科批", "本科批"],
                          "score": [prev["gaokao"].min() - 1, np.sort(prev["gaokao"])[4]]})
    now = prev.assign(unit="S1")
    probs = line_probabilities(prev, now, lines, ["mock"], draws=400, shift_sd=0.3,
                               shift_df=2.0)
    every = probs[probs.line == "专科批"]
    assert every["probability"].min() > 0.99
    few = probs[probs.line == "本科批"]  # 4 of 233 below it
    assert few["probability"].mean() == pytest.approx(229 / 233, abs=0.01)
    u = unit_forecast(probs).set_index("line")
    assert u.loc["专科批", "count_low"] >= 220 and u.loc["专科批", "count_high"] == 233
    assert u.loc["本科批", "count_low"] >= 210


def test_simulated_line_nearly_everyone_reaches_is_covered_and_sharp():
    """A 专科批 (log-odds 7 + 2.5x: about 99 % reach it) in cohorts of 6 × 40 students: some
    calibration cohorts all reached it (the Beta share), the others nearly did (Firth). The
    95 % intervals cover ≥ 93 % of the schools' counts, the drawn probabilities score no worse
    than the point ones, and the intervals stay narrow (the ML fit gave p ≈ ½ and [0, n])."""
    rng = np.random.default_rng(12)
    years = [_cohort(rng, 6, 40, rng.normal(0, 0.45), 0.2, a=7.0) for _ in range(16)]
    shifts, variances, hits, widths, shares = [], [], [], [], 0
    drawn_sq, point_sq = [], []
    for k in range(1, len(years)):
        prev, now = years[k - 1], years[k]
        model = LogisticLineModel().fit(prev["x"], prev["y"])
        shares += model.share_prior_ is not None
        if len(shifts) >= 4:
            tau = np.sqrt(shift_variance(shifts, variances))
            eta = logit_draws(model, now["x"], tau, 400, np.random.default_rng(k),
                              shift_df=PRIOR_SHIFT_WEIGHT + len(shifts))
            p = (1 / (1 + np.exp(-eta))).mean(0)
            u = unit_forecast(now.assign(track="t", line="l", probability=p,
                                         logit_draws=list(eta.T)), seed=k).set_index("unit")
            actual = now.groupby("unit")["y"].sum()
            hits += list((u.count_low <= actual) & (actual <= u.count_high))
            widths += list(u.count_high - u.count_low)
            drawn_sq += list((p - now["y"]) ** 2)
            point_sq += list((model.predict_proba(now["x"]) - now["y"]) ** 2)
        d, v = logit_shift(model.linear_predictor(now["x"]), now["y"])
        shifts.append(d)
        variances.append(v)
    assert shares >= 1 and len(hits) == 6 * 11
    assert np.mean(hits) >= 0.93
    assert np.mean(drawn_sq) <= np.mean(point_sq) + 0.005
    assert np.median(widths) <= 8 and np.max(widths) <= 20  # of 40 students (seen: 5 and 13)


def test_a_bridge_adds_its_own_heavy_tailed_shift_to_each_lines_draws():
    """logit_draws with ``bridge_sd`` σ_b: the same draws as without (same seed) plus
    σ_b · t with ν₀ = PRIOR_SHIFT_WEIGHT = 2 degrees of freedom. By hand, t₂'s quantile is
    q(p) = (2p − 1)/√(2p(1 − p)): q(0.975) = 0.95/√0.04875 = 4.3027, q(0.75) = 0.5/√0.375
    = 0.8165; the median 0."""
    from eduquality.measures.forecast import BRIDGE_SHIFT_SD, LogisticLineModel, logit_draws

    assert PRIOR_SHIFT_WEIGHT == 2
    rng = np.random.default_rng(7)
    x = rng.normal(0, 1, 4000)
    y = (rng.uniform(size=x.size) < 1 / (1 + np.exp(-(0.3 + 1.2 * x)))).astype(float)
    model = LogisticLineModel().fit(x[:, None], y)
    at = np.array([[0.0], [1.5]])
    plain = logit_draws(model, at, 0.5, 40_000, np.random.default_rng(1))
    bridged = logit_draws(model, at, 0.5, 40_000, np.random.default_rng(1),
                          bridge_sd=BRIDGE_SHIFT_SD)
    d = (bridged - plain) / BRIDGE_SHIFT_SD
    assert np.allclose(d[:, 0], d[:, 1])            # one shift per draw for the line's students
    q = np.quantile(d[:, 0], [0.025, 0.25, 0.5, 0.75, 0.975])
    assert q == pytest.approx([-4.3027, -0.8165, 0.0, 0.8165, 4.3027], abs=0.12)
    # the bridged 95 % range of the log-odds holds the plain one
    lo0, hi0 = np.quantile(plain[:, 0], [0.025, 0.975])
    lo1, hi1 = np.quantile(bridged[:, 0], [0.025, 0.975])
    assert lo1 < lo0 and hi1 > hi0


def test_normal_scores_by_hand():
    """zᵢ = Φ⁻¹((rᵢ − ½)/n): 10, 20, 30 → Φ⁻¹(1/6), 0, Φ⁻¹(5/6) = ∓0.96742; ties take their
    average rank: 5, 5, 1 → ranks 2.5, 2.5, 1 → Φ⁻¹(2/3) = 0.43073 twice, Φ⁻¹(1/6); NaN
    stays and is not counted in n."""
    assert normal_scores([30, 10, 20]) == pytest.approx([0.96742, -0.96742, 0.0], abs=1e-5)
    assert normal_scores([5, 5, 1]) == pytest.approx([0.43073, 0.43073, -0.96742], abs=1e-5)
    z = normal_scores([np.nan, 20.0, 10.0])
    assert np.isnan(z[0]) and z[1:] == pytest.approx([0.67449, -0.67449], abs=1e-5)
    assert normal_scores([]).size == 0 and np.isnan(normal_scores([np.nan])).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-10_000, 10_000), min_size=1, max_size=80),
       st.integers(1, 100), st.integers(-1000, 1000))
def test_normal_scores_keep_the_order_and_forget_the_scale(v, a, b):
    """Only the order counts: a·x + b (a > 0) gives the same scores; higher values never score
    lower; without ties the scores are symmetric about 0 (they sum to 0); all lie inside (−Φ⁻¹(1 − 1/2n), …).
    (Integer scores, as marks are: a·x + b is then exact and keeps the ties.)"""
    x = np.array(v, dtype=float)
    z = normal_scores(x)
    assert normal_scores(a * x + b) == pytest.approx(z, abs=1e-12)
    order = np.argsort(x, kind="stable")
    assert (np.diff(z[order]) >= -1e-12).all()
    if len(set(v)) == len(v):   # without ties the scores pair off as ±z
        assert abs(z.sum()) < 1e-8
    assert np.abs(z).max() <= stats.norm.ppf(1 - 0.5 / x.size) + 1e-12


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.02, 0.98), min_size=3, max_size=90), st.floats(0.0, 2.0),
       st.integers(0, 10_000))
def test_mixture_intervals_nest_as_the_level_rises(ps, sd, seed):
    p = np.array(ps)
    eta = np.log(p / (1 - p))
    z = np.random.default_rng(seed).standard_t(2, size=200)
    P = 1 / (1 + np.exp(-(eta[None, :] + sd * z[:, None])))
    inner = [count_interval(P, level) for level in (0.5, 0.8, 0.9, 0.95, 0.99)]
    for (lo_a, hi_a), (lo_b, hi_b) in itertools.pairwise(inner):
        assert lo_b <= lo_a and hi_a <= hi_b
