"""School goals: required ranks and statuses worked by hand."""

from __future__ import annotations

import pandas as pd

from eduquality.measures.goals import competition_rank, rank_goal, required_rank, tier_goal


def test_competition_rank_shares_the_best_rank():
    v = pd.Series({"A": 10.0, "B": 20.0, "C": 20.0, "D": float("nan")})
    assert competition_rank(v).tolist() == [3, 1, 1, pd.NA]


def test_required_ranks():
    assert required_rank("lead_first_tier", 5) == 1
    assert required_rank("top_n", 30, n=10) == 10
    assert required_rank("front_of_category", 9) == 3            # ⌈9/3⌉
    assert required_rank("front_of_category", 10, share=0.25) == 3   # ⌈2.5⌉
    # from rank 7 to the lead in 3 years: 7 → ⌈7 − 6·1/3⌉ = 5 → ⌈7 − 4⌉ = 3 → 1 → 1
    assert [required_rank("middle_to_lead", 9, years=3, start_rank=7, years_elapsed=k)
            for k in range(5)] == [7, 5, 3, 1, 1]
    assert required_rank("middle_to_lead", 9, years=3, start_rank=None) is None


def test_rank_goal_statuses():
    values = pd.Series({"A": 50.0, "B": 44.0, "C": 40.0, "D": 30.0})
    high = pd.Series({"A": 58.0, "B": 52.0, "C": 49.0, "D": 39.0})
    assert rank_goal("A", values, high, 1) == ("on_track", 1)
    # C is 3rd, top 2 asked: the 2nd's value is 44, C's upper end 49 reaches it
    assert rank_goal("C", values, high, 2) == ("at_risk", 3)
    # D is 4th: upper end 39 < 44
    assert rank_goal("D", values, high, 2) == ("off_track", 4)
    assert rank_goal("D", values, None, 2) == ("off_track", 4)
    assert rank_goal("E", values, high, 1) == ("no_data", None)


def test_tier_goal():
    assert tier_goal("省一级三等", "省一级三等", 2019, 2022) == "on_track"
    assert tier_goal("", "省一级三等", 2021, 2022) == "pending"
    assert tier_goal(None, "省一级三等", 2022, 2022) == "off_track"
