"""Follow-up of flagged students: statuses, unit counts and intervals, small units withheld."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures import followup
from eduquality.measures.followup import followup_status, unit_followup, withhold_small


def test_doctests():
    assert doctest.testmod(followup).failed == 0


def test_status_rule_by_hand():
    # 1 absent later (missing, never 'left'); 2 flagged again; 3 present, not flagged; a student
    # flagged later who was not in the cohort (9) is no part of it
    out = followup_status([1, 2, 3], present=[2, 3, 9], flagged=[2, 9])
    assert out.to_dict() == {1: "missing", 2: "stayed", 3: "left"}
    assert list(out.cat.categories) == ["left", "stayed", "missing"]


def test_unit_counts_share_and_intervals_by_hand():
    status = pd.Series(["left", "stayed", "left", "stayed", "missing"], index=[1, 2, 3, 4, 5])
    unit = pd.Series(["A", "A", "B", "B", "B"], index=[1, 2, 3, 4, 5])
    sgp = pd.Series([30.0, 50.0, 70.0, 90.0, 10.0], index=[1, 2, 3, 4, 5])  # 5 is missing
    table = unit_followup(status, unit, sgp, sgp_min_n=2).set_index("unit")
    a = table.loc["A"]
    assert (a.n_cohort, a.n_followed, a.n_left, a.n_stayed, a.n_missing) == (2, 2, 1, 1, 0)
    # Wilson 1/2: centre (0.5 + 1.96²/4)/(1 + 1.96²/2) = 0.5,
    # half = 1.96 √(0.25/2 + 1.96²/16) / (1 + 1.96²/2) = 0.40547
    assert a.left_share == 0.5
    assert a.left_ci_low == pytest.approx(0.5 - 0.40547, abs=1e-4)
    assert a.left_ci_high == pytest.approx(0.5 + 0.40547, abs=1e-4)
    # SGPs 30, 50: mean 40, s = 14.142, SE = s/√2 = 10, CI 40 ± 1.95996·10
    assert a.mean_sgp == 40.0
    assert a.sgp_ci_low == pytest.approx(40 - 19.5996, abs=1e-3)
    assert a.sgp_band == "expected"
    b = table.loc["B"]  # the missing student's SGP (10) is not used
    assert (b.n_cohort, b.n_followed, b.n_missing, b.n_sgp, b.mean_sgp) == (3, 2, 1, 2, 80.0)
    everyone = table.loc["all"]
    assert (everyone.n_cohort, everyone.n_left, everyone.n_sgp) == (5, 2, 4)
    assert everyone.mean_sgp == 60.0


def test_no_follow_up_no_share():
    table = unit_followup(pd.Series(["missing"], index=[1]), pd.Series(["A"], index=[1]))
    assert math.isnan(table.loc[0, "left_share"]) and table.loc[0, "sgp_band"] == "insufficient"


def test_withhold_small_blanks_primary_and_complementary_cells():
    status = pd.Series(["left"] * 3 + ["stayed"] * 12 + ["left"] * 10, index=range(25))
    unit = pd.Series(["A"] * 3 + ["B"] * 12 + ["C"] * 10, index=range(25))
    table = unit_followup(status, unit)
    out = withhold_small(table, 5, [("all", ["A", "B", "C"])]).set_index("unit")
    # A (3 < 5) is withheld; all − B − C would give it back, so the smallest other child (C)
    # goes too
    assert out["withheld"].to_dict() == {"all": False, "A": True, "B": False, "C": True}
    assert out.loc[["A", "C"], ["n_cohort", "n_left", "left_share"]].isna().all().all()
    assert out.loc["B", "n_cohort"] == 12 and out.loc["all", "n_cohort"] == 25
    assert out.loc["A", "sgp_band"] == "insufficient"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.booleans(), st.booleans()),
                min_size=1, max_size=40))
def test_counts_add_up(rows):
    ids = list(range(len(rows)))
    present = [i for i, (_u, p, _f) in zip(ids, rows, strict=True) if p]
    flagged = [i for i, (_u, _p, f) in zip(ids, rows, strict=True) if f]
    status = followup_status(ids, present, flagged)
    unit = pd.Series([u for u, _p, _f in rows], index=ids)
    table = unit_followup(status, unit).set_index("unit")
    parts = table.drop(index="all")
    for _, r in table.iterrows():
        assert r.n_left + r.n_stayed + r.n_missing == r.n_cohort
        assert r.n_left + r.n_stayed == r.n_followed
        if r.n_followed:
            assert r.left_ci_low - 1e-12 <= r.left_share <= r.left_ci_high + 1e-12
    cols = ["n_cohort", "n_followed", "n_left", "n_stayed", "n_missing"]
    assert (parts[cols].sum() == table.loc["all", cols]).all()
    assert table.loc["all", "n_left"] == len(set(present) - set(flagged))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=15), min_size=1, max_size=6),
       st.integers(min_value=2, max_value=10))
def test_no_withheld_unit_can_be_derived(sizes, min_n):
    units = [f"S{i}" for i in range(len(sizes))]
    table = pd.DataFrame({"unit": ["all", *units], "n_cohort": [sum(sizes), *sizes],
                          "n_followed": [sum(sizes), *sizes], "n_left": 0, "n_sgp": 0})
    out = withhold_small(table, min_n, [("all", units)])
    hidden = out.loc[out["withheld"], "unit"].tolist()
    assert all(u in hidden for u, n in zip(units, sizes, strict=True) if n < min_n)
    # a withheld school is never the only withheld one under a shown 'all'
    if hidden and "all" not in hidden:
        assert len(hidden) >= 2
    assert np.isnan(out.loc[out["withheld"], "n_cohort"]).all()


def test_gap_to_non_flagged_peers_by_hand():
    status = pd.Series(["left", "stayed"], index=[1, 2])
    unit = pd.Series(["A", "A"], index=[1, 2])
    sgp = pd.Series([30.0, 50.0], index=[1, 2])
    peers = pd.Series([60.0, 70.0, 80.0, 10.0], index=[3, 4, 5, 6])
    peer_unit = pd.Series(["A", "A", "A", "B"], index=[3, 4, 5, 6])
    table = unit_followup(status, unit, sgp, peer_sgp=peers, peer_unit=peer_unit
                          ).set_index("unit")
    a = table.loc["A"]
    # cohort mean 40 (s² = 200, n 2), peers 70 (s² = 100, n 3): gap −30,
    # SE = √(200/2 + 100/3) = 11.547, CI −30 ± 1.96·11.547 = −30 ± 22.63
    assert (a.n_peer, a.peer_mean_sgp, a.sgp_gap) == (3, 70.0, -30.0)
    assert a.gap_ci_low == pytest.approx(-52.632, abs=1e-3)
    assert a.gap_ci_high == pytest.approx(-7.368, abs=1e-3)
    everyone = table.loc["all"]  # all four peers: mean 55
    assert (everyone.n_peer, everyone.peer_mean_sgp, everyone.sgp_gap) == (4, 55.0, -15.0)
