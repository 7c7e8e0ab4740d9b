"""The annual assessment's scores, total and bands against hand-computed values."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduquality.config import AssessmentRules, ConfigError, Settings
from eduquality.measures.assessment import (
    balance_score,
    goal_score,
    retention_score,
    teacher_score,
    tie_bands,
    total_score,
    value_added_score,
)


def test_value_added_score_by_hand():
    # effect sizes 3/12 = 0.25 and 0/8 = 0 → ē = 0.125; SE √((1.2/12)² + (0.8/8)²)/2 = √0.02/2
    s, se = value_added_score([3.0, 0.0, math.nan], [1.2, 0.8, 1.0], [12.0, 8.0, 10.0], 0.25)
    assert s == pytest.approx(0.5 + 0.125 / 0.5)          # 0.75
    assert se == pytest.approx(math.sqrt(0.02) / 2 / 0.5)
    assert value_added_score([9.0], [1.0], [10.0], 0.5)[0] == 1.0   # clipped at the top
    assert math.isnan(value_added_score([], [], [], 0.5)[0])


def test_component_scores_by_hand():
    assert retention_score(0, 250, 0.01) == 1.0
    assert retention_score(1, 250, 0.01) == pytest.approx(1 - 0.004 / 0.01)   # 0.6
    assert retention_score(5, 250, 0.01) == 0.0                               # 2 % ≥ 1 %
    assert math.isnan(retention_score(0, 0, 0.01))
    assert balance_score(7) == 1.0 and balance_score(5) == pytest.approx(5 / 7)
    assert teacher_score(2, 40, 0.25) == pytest.approx(0.2)
    assert math.isnan(teacher_score(0, 0, 0.25))
    assert goal_score(["on_track", "on_track", "at_risk", "no_data"]) == pytest.approx(2.5 / 3)
    assert math.isnan(goal_score(["pending"]))


def test_total_renormalises_over_the_components_with_data():
    scores = {"value_added": (0.6, 0.1), "retention": (1.0, 0.0), "balance": (0.5, 0.0),
              "teachers": (math.nan, math.nan), "goals": (0.0, 0.0)}
    weights = {"value_added": 40, "retention": 20, "balance": 20, "teachers": 10, "goals": 0}
    total, se, points = total_score(scores, weights)
    # Σw = 80 (teachers absent, goals weight 0): 100·(40·0.6 + 20·1 + 20·0.5)/80 = 67.5
    assert total == pytest.approx(67.5)
    assert se == pytest.approx(100 * 40 * 0.1 / 80)    # 5.0
    assert points == pytest.approx({"value_added": 30.0, "retention": 25.0, "balance": 12.5})
    assert math.isnan(total_score({"a": (math.nan, 0.0)}, {"a": 1})[0])


def test_bands_tie_what_the_uncertainty_cannot_tell_apart():
    totals = pd.Series({"A": 90.0, "B": 85.0, "C": 84.0, "D": 60.0, "E": math.nan})
    ses = pd.Series({"A": 2.0, "B": 2.0, "C": 2.0, "D": 0.0, "E": 1.0})
    # 1.96·√(2² + 2²) = 5.54: A−B = 5 is within it (tied); A−C = 6 is not (C starts band 3)
    assert tie_bands(totals, ses).tolist() == [1, 1, 3, 4, pd.NA]
    # census figures (SE 0): only equal totals tie
    exact = tie_bands(pd.Series({"A": 50.0, "B": 50.0, "C": 49.9}), pd.Series(dtype=float))
    assert exact.tolist() == [1, 1, 3]


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 10)), min_size=1, max_size=12))
def test_bands_are_ordered_and_start_at_a_member(rows):
    totals = pd.Series([t for t, _ in rows], index=[f"S{i}" for i in range(len(rows))])
    ses = pd.Series([s for _, s in rows], index=totals.index)
    band = tie_bands(totals, ses)
    order = totals.sort_values(ascending=False, kind="stable").index
    bands = [int(band[u]) for u in order]
    assert bands == sorted(bands) and bands[0] == 1
    for pos, b in enumerate(bands, start=1):
        assert b <= pos and bands[b - 1] == b     # a band's number is its first member's place


def test_weights_per_kind_are_settings_and_checked():
    rules = Settings().assessment
    assert sum(rules.weights("primary").values()) == 100
    assert rules.weights("high")["balance"] == 0
    with pytest.raises(ConfigError):
        AssessmentRules(junior_value_added=-1.0)
    with pytest.raises(ConfigError):
        AssessmentRules(vocational_value_added=0.0, vocational_retention=0.0,
                        vocational_teachers=0.0, vocational_goals=0.0)
