"""Trajectories and statuses against values worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from eduquality.measures.trajectory import Target, TrajectoryError, expected_value, status, track


def test_level_path_is_a_straight_line_to_the_target():
    # baseline 203 in 2018, target 212 in 2022: 2.25 a year
    t = Target("level", value=212.0, year=2022)
    assert [expected_value(t, y, 2018, 203.0) for y in range(2018, 2024)] == [
        203.0, 205.25, 207.5, 209.75, 212.0, 212.0]
    assert math.isnan(expected_value(t, 2017, 2018, 203.0))
    assert math.isnan(expected_value(t, 2020, 2018, None))


def test_down_direction_and_tolerance():
    t = Target("level", direction="down", value=0.5, year=2022, tolerance=0.1)
    e = expected_value(t, 2020, 2018, 1.5)          # 1.5 − 1.0 · 2/4 = 1.0
    assert e == 1.0
    assert status(0.9, e, t) == "on_track"
    assert status(1.05, e, t) == "at_risk"          # 0.05 over, within 0.1
    assert status(1.2, e, t) == "off_track"
    assert status(1.2, e, t, low=0.95, high=1.6) == "at_risk"   # the interval reaches 1.0


def test_rising_needs_a_strict_rise():
    s = pd.DataFrame({"year": [2018, 2019, 2020, 2022], "value": [40.0, 42.0, 42.0, 45.0]})
    out = track(s, Target("rising"), 2018)
    # 2018: no year before; 2019 > 40; 2020 = 42 (no rise); 2022: 2021 missing
    assert out["status"].tolist() == ["no_data", "on_track", "off_track", "no_data"]


def test_band_and_hold():
    band = Target("band", low=0.9, high=1.1, tolerance=0.05)
    assert status(1.0, math.nan, band) == "on_track"
    assert status(0.87, math.nan, band) == "at_risk"     # 0.03 below, within 0.05
    assert status(0.7, math.nan, band) == "off_track"
    hold = Target("hold", value=99.0)
    assert status(98.0, expected_value(hold, 2020, None, None), hold) == "off_track"
    assert status(math.nan, 99.0, hold) == "no_data"


def test_track_step_from_the_series_baseline():
    s = pd.DataFrame({"year": [2019, 2018, 2020], "value": [0.25, 0.20, 0.26],
                      "low": [0.2, 0.15, 0.22], "high": [0.3, 0.25, 0.30]})
    out = track(s, Target("step", step=0.04), 2018)
    assert out["year"].tolist() == [2018, 2019, 2020]
    assert out["expected"].round(6).tolist() == [0.20, 0.24, 0.28]
    assert out["gap"].round(6).tolist() == [0.0, 0.01, -0.02]
    assert out["status"].tolist() == ["on_track", "on_track", "at_risk"]   # 0.30 ≥ 0.28


def test_track_needs_year_and_value():
    with pytest.raises(TrajectoryError):
        track(pd.DataFrame({"year": [2018]}), Target("hold", value=1.0), None)
