"""高考 forecasts from 三诊: checked by construction (the simulated mock and 高考 share one
ability) and by a backtest on the previous cohort."""

from __future__ import annotations

import numpy as np
import pytest

from eduquality.analysis.forecast import backtest, forecast_gaokao, plan_tracking
from eduquality.config import Settings
from eduquality.errors import EduQualityError
from tests.factories import gaokao_db


@pytest.fixture(scope="module")
def db():
    return gaokao_db(n_per_year=1500)


@pytest.mark.slow
def test_forecast_uses_the_previous_cohort(db):
    fc = forecast_gaokao(db, "2021-diag3")
    assert fc.calibration_exams == ("2020-diag3", "2020-gaokao")
    assert set(fc.lines.line) == {"一本", "二本"} and set(fc.lines.track) == {"理科", "文科"}
    # 位次法: the share above last year's line in the official table, re-found in this mock
    row = fc.lines.iloc[0]
    table = db.sql("SELECT score, n FROM score_distribution WHERE year = 2020 AND track = ?",
                   ["science" if row.track == "理科" else "arts"])
    assert row["rank"] == table[table.score >= row.score].n.sum()
    mock = fc.students[fc.students.track == row.track].mock.sort_values(ascending=False)
    k = int(np.ceil(row["share"] * len(mock) - 1e-9))
    assert row.forecast_line == mock.iloc[k - 1]


@pytest.mark.slow
def test_probabilities_and_intervals(db):
    fc = forecast_gaokao(db, "2021-diag3")
    p = fc.students[["p_一本", "p_二本"]]
    assert ((p >= 0) & (p <= 1)).all().all()
    assert (fc.students["p_二本"] >= fc.students["p_一本"] - 1e-12).all()  # lower line, likelier
    u = fc.units
    assert ((u.count_low <= u["count"]) & (u["count"] <= u.count_high)).all()
    d = u[(u.unit == "district") & (u.line == "一本")]
    assert d.n.sum() == len(fc.students)
    by_school = u[(u.unit != "district") & (u.line == "一本")].groupby("track")["count"].sum()
    np.testing.assert_allclose(by_school.sort_index(),
                               d.set_index("track")["count"].sort_index())
    s3 = u[(u.unit == "S3") & (u.line == "一本")]["share"].mean()
    s2 = u[(u.unit == "S2") & (u.line == "一本")]["share"].mean()
    assert s3 > s2  # the stronger school is forecast higher


@pytest.mark.slow
def test_backtest_is_calibrated(db):
    bt = backtest(db, "2020-diag3")
    assert 0 < bt.brier < 0.15  # 0.25 would be a coin toss
    assert bt.coverage >= 0.5
    # calibration: the mean prediction lies in the Wilson 95 % interval of the observed rate
    # in most bins (a few misses are expected by chance across 10 bins)
    cal = bt.calibration[bt.calibration.n >= 30]
    inside = (cal.mean_predicted >= cal.observed_low) & (cal.mean_predicted <= cal.observed_high)
    assert inside.mean() >= 0.7


@pytest.mark.slow
def test_plan_tracking(db):
    plan = plan_tracking(db, step=Settings().plan.step)  # 4 points a year
    d = plan[plan.unit == "district"].set_index("year")
    assert list(d.index) == [2019, 2020, 2021]
    assert d.loc[2021, "target"] == pytest.approx(d.loc[2019, "rate"] + 0.08)
    other = plan_tracking(db, step=0.05).set_index(["unit", "year"])
    assert other.loc[("district", 2021), "target"] == pytest.approx(d.loc[2019, "rate"] + 0.10)


@pytest.mark.slow
def test_not_a_mock(db):
    with pytest.raises(EduQualityError, match="不是高三"):
        forecast_gaokao(db, "2021-gaokao")
    with pytest.raises(EduQualityError, match="上一届"):
        forecast_gaokao(db, "2019-diag3")


@pytest.fixture(scope="module")
def db_new():
    """2023–2024 文科/理科, 2025–2026 物理类/历史类 (3+1+2)."""
    return gaokao_db(n_per_year=600, years=(2023, 2024, 2025, 2026), new_from=2025)


@pytest.mark.slow
def test_forecast_across_the_change_of_regime(db_new):
    fc = forecast_gaokao(db_new, "2025-diag3")  # calibrated on 2024: 文科/理科, 一本/二本
    assert fc.calibration_exams == ("2024-diag3", "2024-gaokao")
    assert set(fc.units.track) == {"物理类", "历史类"}
    assert set(fc.units.line) == {"特控线", "本科批"}  # 专科批 has no old-regime counterpart here
    pairs = set(zip(fc.bridge.old_track, fc.bridge.old_line, fc.bridge.track, fc.bridge.line,
                    strict=True))
    assert ("理科", "一本", "物理类", "特控线") in pairs and ("文科", "二本", "历史类", "本科批") in pairs
    # the 2024 一本 line is the bridged 特控线 of the 位次法
    one = db_new.sql("SELECT score FROM cut_line WHERE year = 2024 AND track = 'science' "
                     "AND line_code = '一本'").score.iloc[0]
    assert fc.lines.set_index(["track", "line"]).loc[("物理类", "特控线"), "score"] == one
    assert fc.uncertainty["history_shifts"] == 4  # 2024 from 2023: two tracks × two lines
    from eduquality.measures.forecast import BRIDGE_SHIFT_SD

    assert fc.uncertainty["bridge_sd"] == BRIDGE_SHIFT_SD > 0   # each line's bridge shift
    u = fc.units
    assert ((u.count_low <= u["count"]) & (u["count"] <= u.count_high)).all()


@pytest.mark.slow
def test_2026_same_regime_and_backtest_of_2025(db_new):
    fc = forecast_gaokao(db_new, "2026-diag3", with_backtest=True)
    assert fc.calibration_exams == ("2025-diag3", "2025-gaokao")
    assert fc.bridge is None or fc.bridge.empty
    assert set(fc.units.line) == {"特控线", "本科批", "专科批"}
    # 2025's shift from 2024 is the bridge's, not a year's: only 2024 from 2023 counts
    assert fc.uncertainty["history_shifts"] == 4 and fc.uncertainty["bridge_sd"] == 0
    bt = fc.backtest  # 2025 forecast across the bridge and compared with its 高考
    assert bt is not None and bt.exam_id == "2025-diag3"
    assert 0 < bt.brier < 0.15
    assert set(bt.units.unit) == {"S1", "S2", "S3", "district"}
    assert bt.calibration.n.sum() == len(bt.students)
    # intervals with the model drawn are at least as wide as with the model known
    known = forecast_gaokao(db_new, "2026-diag3", draws=0)
    w = fc.units.set_index(["unit", "track", "line"])
    k = known.units.set_index(["unit", "track", "line"])
    assert ((w.count_high - w.count_low) >= (k.count_high - k.count_low)).all()
    assert known.uncertainty["draws"] == 0


@pytest.mark.slow
def test_plan_tracking_carries_the_rate_across_the_change(db_new):
    plan = plan_tracking(db_new, step=0.04)
    d = plan[plan.unit == "district"].set_index("year")
    assert d.line.to_dict() == {2023: "一本", 2024: "一本", 2025: "特控线", 2026: "特控线"}
    assert d.loc[2026, "target"] == pytest.approx(d.loc[2023, "rate"] + 0.12)
    # the province share above the line (一分一段): about 15 % for 一本 and 14 % for 特控线
    assert d.loc[2024, "province_share"] == pytest.approx(0.15, abs=0.01)
    assert d.loc[2025, "province_share"] == pytest.approx(0.14, abs=0.01)
    from eduquality.reports.outlook import plan_bridge
    assert plan_bridge(plan) == {"old_line": "一本", "old_year": 2024,
                                 "old_share": d.loc[2024, "province_share"],
                                 "new_line": "特控线", "new_year": 2025,
                                 "new_share": d.loc[2025, "province_share"]}


def test_the_bridge_places_students_by_their_rank_in_the_track():
    """Across the bridge the model's feature is each cohort's rank-based normal score within its
    track (the two regimes' mocks are on different scales); within a regime the mock score."""
    import pandas as pd

    from eduquality.analysis.forecast import _Calibration, _model_features

    prev = pd.DataFrame({"track": ["物理类", "物理类", "历史类", "历史类"],
                         "mock": [400.0, 500.0, 300.0, 700.0]})
    now = pd.DataFrame({"track": ["物理类", "物理类", "物理类", "历史类"],
                        "mock": [90.0, 10.0, 50.0, 60.0]})
    same = _Calibration("m", "g", prev, pd.DataFrame(), pd.DataFrame(),
                        pd.DataFrame(columns=["old_track", "old_line", "track", "line"]))
    p, n, features = _model_features(same, prev, now)
    assert features == ["mock"] and p is prev and n is now
    bridged = _Calibration("m", "g", prev, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(
        {"old_track": ["理科"], "old_line": ["一本"], "track": ["物理类"], "line": ["特控线"]}))
    p, n, features = _model_features(bridged, prev, now)
    assert features == ["mock_place"]
    # Φ⁻¹((r − ½)/n): two in a track → ∓Φ⁻¹(3/4) = ∓0.67449; three → Φ⁻¹(1/6, 1/2, 5/6); one → 0
    assert p.mock_place.tolist() == pytest.approx([-0.67449, 0.67449, -0.67449, 0.67449],
                                                  abs=1e-5)
    assert n.mock_place.tolist() == pytest.approx([0.96742, -0.96742, 0.0, 0.0], abs=1e-5)
    assert "mock_place" not in prev and "mock_place" not in now   # the inputs stay as they were
