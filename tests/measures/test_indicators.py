"""Indicator values and intervals against values computed by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduquality.measures.indicators import (
    IndicatorError,
    garwood_interval,
    indicator_interval,
    indicator_value,
    wilson_interval,
)


def test_value_is_numerator_over_denominator_times_factor():
    # 高中阶段毛入学率: (2 100 普高 + 900 中职) / 3 000 people aged 15–17 × 100 = 100.0
    assert indicator_value(2100 + 900, 3000, 100, 1) == 100.0
    # 普高万人占比: 31 300 / 1 476 000 × 10 000 = 212.05… → 212.1 with one decimal
    assert indicator_value(31_300, 1_476_000, 10_000, 1) == 212.1
    # 人均受教育年限: (0·10 + 6·20 + 9·30 + 12·25 + 16·15) / 100 = 930 / 100 = 9.3
    assert indicator_value(0 * 10 + 6 * 20 + 9 * 30 + 12 * 25 + 16 * 15, 100) == 9.3
    assert indicator_value(2, 3, 1, None) == 2 / 3


@pytest.mark.parametrize(("num", "den"), [(1, 0), (None, 5), (3, None), (math.nan, 4)])
def test_no_value_without_a_denominator(num, den):
    assert math.isnan(indicator_value(num, den, 100))
    assert all(math.isnan(x) for x in indicator_interval(num, den, 100, "proportion"))


def test_wilson_by_hand():
    # k = 2, n = 20, z = 1.959964: p = 0.1, z²/n = 0.192073, denom = 1.192073
    # centre = (0.1 + 0.096036) / 1.192073 = 0.164450
    # half = 1.959964 · √(0.0045 + 0.0024009) / 1.192073 = 1.959964 · 0.083072 / 1.192073
    #      = 0.136583  → [0.027867, 0.301033]
    low, high = wilson_interval(2, 20)
    assert low == pytest.approx(0.027867, abs=1e-5)
    assert high == pytest.approx(0.301033, abs=1e-5)


def test_garwood_by_hand():
    # k = 0: upper = χ²(0.975; 2)/2 = −ln(0.025) = 3.688879
    assert garwood_interval(0) == (0.0, pytest.approx(-math.log(0.025)))
    # k = 1: lower = χ²(0.025; 2)/2 = −ln(0.975) = 0.025318
    assert garwood_interval(1)[0] == pytest.approx(-math.log(0.975))


def test_interval_scales_with_factor_and_denominator():
    # 1 dropout of 400 students, per 100: Garwood [0.025318, 5.571643] / 400 × 100
    low, high = indicator_interval(1, 400, 100, "count")
    assert low == pytest.approx(-math.log(0.975) / 4)
    assert high == pytest.approx(5.571643 / 4, abs=1e-5)
    assert all(math.isnan(x) for x in indicator_interval(10, 20, 1, "none"))


def test_bad_input_is_refused():
    with pytest.raises(IndicatorError):
        wilson_interval(5, 3)
    with pytest.raises(IndicatorError):
        wilson_interval(1, 3, level=1.5)
    with pytest.raises(IndicatorError):
        indicator_interval(1, 3, 1, "bayes")


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_holds_the_estimate(k, n):
    k = min(k, n)
    low, high = wilson_interval(k, n)
    assert 0 <= low <= k / n + 1e-12 and k / n - 1e-12 <= high <= 1
