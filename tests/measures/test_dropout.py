"""巩固率/辍学率 arithmetic, AUC, calibration, the recall threshold and the early-warning model
against hand-computed values and statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.dropout import (
    EarlyWarning,
    auc,
    calibration_table,
    compulsory_age,
    consolidation_rate,
    dropout_rate,
    threshold_for_recall,
)

Z = 1.959963984540054


def _wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return 100 * (centre - half), 100 * (centre + half)


def test_consolidation_rate_adjusts_for_transfers():
    # 11 entrants + 1 transfer in − 1 transfer out = 11; 6 retained → 54.545 %
    r = consolidation_rate(entrants=11, transfers_in=1, transfers_out=1, retained=6)
    assert (r.numerator, r.denominator) == (6, 11)
    assert r.rate == pytest.approx(600 / 11)
    assert (r.ci_low, r.ci_high) == pytest.approx(_wilson(6, 11))
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(6, 11, method="wilson")
    assert (r.ci_low, r.ci_high) == pytest.approx((100 * low, 100 * high))


def test_dropout_rate_and_empty_base():
    r = dropout_rate(2, 8)
    assert r.rate == 25.0
    assert (r.ci_low, r.ci_high) == pytest.approx(_wilson(2, 8))
    assert math.isnan(dropout_rate(0, 0).rate)
    with pytest.raises(ValueError):
        dropout_rate(3, 2)
    with pytest.raises(ValueError):
        consolidation_rate(2, 0, 1, 2)


def test_compulsory_age_bounds():
    assert compulsory_age([5, 6, 10, 15, 16]).tolist() == [False, True, True, True, False]


def test_auc_tiny_hand_case_with_a_tie():
    # positives 0.9, 0.7, 0.3; negatives 0.8, 0.3: pairs won 1+1, 0+1, 0+½ → 3.5 / 6
    assert auc([1, 0, 1, 0, 1], [0.9, 0.8, 0.7, 0.3, 0.3]) == pytest.approx(3.5 / 6)
    assert auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75  # sklearn roc_auc_score: 0.75
    assert math.isnan(auc([0, 0], [0.1, 0.2]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5)), min_size=2, max_size=30))
def test_auc_is_the_pairwise_win_rate(pairs):
    y = np.array([p[0] for p in pairs])
    s = np.array([p[1] for p in pairs], dtype=float)
    if y.all() or not y.any():
        return
    wins = [(1.0 if a > b else 0.5 if a == b else 0.0) for a in s[y] for b in s[~y]]
    assert auc(y, s) == pytest.approx(np.mean(wins))
    assert auc(y, -s) == pytest.approx(1 - np.mean(wins))


def test_calibration_bands_and_brier():
    y = [0, 0, 1, 0, 1, 1]
    p = [0.1, 0.2, 0.3, 0.4, 0.8, 0.9]
    cal = calibration_table(y, p, bands=3)
    assert cal["n"].tolist() == [2, 2, 2]
    assert cal["mean_predicted"].tolist() == pytest.approx([0.15, 0.35, 0.85])
    assert cal["observed"].tolist() == pytest.approx([0.0, 0.5, 1.0])
    # (0.01 + 0.04 + 0.49 + 0.16 + 0.04 + 0.01) / 6
    assert cal.attrs["brier"] == pytest.approx(0.75 / 6)


def test_threshold_reaches_the_stated_recall():
    y = [0, 1, 0, 1, 1, 0, 1]
    p = [0.05, 0.9, 0.6, 0.4, 0.7, 0.2, 0.3]
    t, recall, flagged = threshold_for_recall(y, p, 0.75)
    assert t == 0.4 and recall == 0.75 and flagged == pytest.approx(4 / 7)
    t, recall, _ = threshold_for_recall(y, p, 1.0)
    assert t == 0.3 and recall == 1.0


def _data(n: int = 400, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"days_absent": rng.gamma(2, 3, n), "standing": rng.normal(0, 1, n),
                      "poor": (rng.random(n) < 0.2).astype(float)})
    eta = -2 + 0.25 * X["days_absent"] - 0.5 * X["standing"] + 0.3 * X["poor"]
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return X, y.to_numpy()


def test_unpenalised_fit_equals_statsmodels_logit():
    import statsmodels.api as sm

    X, y = _data()
    model = EarlyWarning(ridge=0.0).fit(X, y)
    ref = sm.Logit(y, sm.add_constant((X - X.mean()) / X.std(ddof=0))).fit(disp=0)
    assert model.intercept_ == pytest.approx(ref.params.iloc[0], abs=1e-6)
    assert model.coef_ == pytest.approx(ref.params.iloc[1:].to_numpy(), abs=1e-6)
    assert model.predict_proba(X) == pytest.approx(ref.predict(), abs=1e-8)


def test_contributions_explain_the_log_odds():
    X, y = _data()
    model = EarlyWarning(ridge=1.0).fit(X, y)
    c = model.contributions(X)
    assert (model.intercept_ + c.sum(axis=1)).to_numpy() == pytest.approx(model.log_odds(X))
    # a student far above the mean on days absent: that factor raises the score most
    top = model.raising(pd.DataFrame({"days_absent": [40.0], "standing": [0.0], "poor": [0.0]}))
    assert top[0][0] == "days_absent"
    assert auc(y, model.predict_proba(X)) > 0.7


def test_separating_factor_gets_a_finite_weight_and_missing_counts_as_mean():
    X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "blank": [np.nan] * 4})
    model = EarlyWarning(ridge=1.0).fit(X, [0, 0, 1, 1])
    assert np.isfinite(model.coef_).all() and model.coef_[1] == 0.0
    p = model.predict_proba(pd.DataFrame({"x": [np.nan], "blank": [np.nan]}))
    assert p[0] == pytest.approx(1 / (1 + math.exp(-model.intercept_)))
