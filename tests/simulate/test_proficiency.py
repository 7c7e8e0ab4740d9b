"""The simulated 合格考 (issue 15 §1): who sits what when, pass probability rising with
ability, 补考 only after a failure at the sitting before, deterministic and apart from the
other streams. The file and its import: tests/ingest/test_proficiency.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eduquality.simulate.district import build_schools
from eduquality.simulate.population import simulate_population
from eduquality.simulate.proficiency import SITTINGS, simulate_proficiency
from eduquality.simulate.rng import stream
from eduquality.simulate.staff import build_teachers

YEARS = ["2021-2022", "2022-2023", "2023-2024", "2024-2025"]


@pytest.fixture(scope="module")
def world():
    schools = build_schools(600, stream(3, "schools"))
    pop = simulate_population(schools, build_teachers(schools, YEARS, stream(3, "teachers")),
                              YEARS, 3)
    return pop, schools, simulate_proficiency(pop, schools, 3)


def test_the_sittings_and_who_sits(world):
    pop, schools, results = world
    assert sorted(results["sitting"].unique()) == ["2023-06", "2024-01", "2024-06", "2025-01",
                                                   "2025-06"]  # none before the 2022 cohort
    vocational = set(schools.loc[schools["stage"] == "vocational", "school_code"])
    assert not results["school_code"].isin(vocational).any()
    first = results[~results["retake"]]
    for grade, month, subjects in SITTINGS:
        mine = first[(first["grade"] == grade) & (first["sitting"].str[5:] == f"{month:02d}")]
        assert set(mine["subject"]) == set(subjects)
    # each student sits each subject's first attempt once, in 高一 or 高二 only
    assert not first.duplicated(["sid", "subject"]).any()
    assert set(first["grade"]) == {10, 11}
    # the 2021 cohort (old regime) never sits: in 2022-2023 only 高一 students take part
    y22 = pop.membership[(pop.membership["year"] == "2022-2023")]
    sat = set(results.loc[results["sitting"] == "2023-06", "sid"])
    assert sat <= set(y22.loc[y22["grade"] == 10, "sid"])


def test_pass_rates_and_retakes(world):
    _pop, _schools, results = world
    first = results[~results["retake"]]
    assert 0.93 <= first["passed"].mean() <= 0.99
    # the pass probability rises with ability: the failers had lower probabilities
    assert first.loc[~first["passed"], "p_pass"].mean() < first.loc[first["passed"],
                                                                      "p_pass"].mean() - 0.1
    # every 补考 follows a failure of the same student and subject at the sitting before it
    order = sorted(results["sitting"].unique())
    before = {s: order[i - 1] for i, s in enumerate(order) if i}
    failed = set(zip(results.loc[~results["passed"], "sid"], results.loc[~results["passed"],
                                                                          "subject"],
                     results.loc[~results["passed"], "sitting"], strict=True))
    retakes = results[results["retake"]]
    assert len(retakes) > 10
    assert all((s, k, before[t]) in failed for s, k, t in zip(
        retakes["sid"], retakes["subject"], retakes["sitting"], strict=True))
    # nobody sits a subject again after passing it
    passed_at = results[results["passed"]].groupby(["sid", "subject"])["sitting"].min()
    later = results.join(passed_at.rename("passed_at"), on=["sid", "subject"])
    assert not (later["sitting"] > later["passed_at"]).any()


def test_deterministic(world):
    pop, schools, results = world
    again = simulate_proficiency(pop, schools, 3)
    pd.testing.assert_frame_equal(results, again)
    other = simulate_proficiency(pop, schools, 4)
    assert not np.array_equal(other["passed"].to_numpy()[:500],
                              results["passed"].to_numpy()[:500]) or len(other) != len(results)


def test_exam_numbers_name_the_cohort(world):
    from eduquality.simulate.proficiency import exam_numbers

    pop, _schools, results = world
    sids = results["sid"].unique()
    numbers = exam_numbers(pop, sids)
    assert len(set(numbers)) == len(sids) and all(len(n) == 13 for n in numbers)
    first = results.sort_values("sitting").drop_duplicates("sid").set_index("sid")
    june_2023 = first.index[first["sitting"] == "2023-06"]
    assert all(n.startswith("22530199") for n in exam_numbers(pop, june_2023.to_numpy()))
