"""Mentoring tree, studio value-added, difference-in-differences and group gaps against
hand-computed values (issue 14 §1, §4)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.programmes import (
    difference_in_differences,
    mentoring_levels,
    proportion_gap,
    staff_coverage,
    studio_value_added,
    tree_coverage,
)


def test_tree_levels_shallowest_first_and_capped():
    # H mentors 2; each of them mentors 2; one of those mentors 1; a fourth level is cut
    edges = [("H", "a"), ("H", "b"), ("a", "c"), ("a", "d"), ("b", "e"), ("b", "c"),
             ("c", "f"), ("f", "g"), ("g", "H")]
    lv = mentoring_levels(edges, ["H"])
    assert dict(zip(lv["teacher_id"], lv["level"], strict=True)) == {
        "a": 1, "b": 1, "c": 2, "d": 2, "e": 2, "f": 3}
    # two roots: counted for each; coverage per group of roots
    lv2 = mentoring_levels([*edges, ("K", "c")], ["H", "K"])
    cov = tree_coverage(lv2, {"H": "math", "K": "math"})
    # level 1: a, b (H) and c (K) → 3 of 2·10; level 2: c, d, e (H) and f (K) → 4 of 200;
    # level 3: f (H), g (K) → 2 of 2000
    assert cov[["level", "roots", "reached", "target"]].values.tolist() == [
        [1, 2, 3, 20], [2, 2, 4, 200], [3, 2, 2, 2000]]
    assert cov["coverage"].tolist() == [3 / 20, 4 / 200, 2 / 2000]
    per_root = tree_coverage(lv2)
    assert per_root[per_root["group"] == "K"]["reached"].tolist() == [1, 1, 1]


def test_tree_with_no_mentoring_has_zero_coverage():
    lv = mentoring_levels([], ["H"])
    cov = tree_coverage(lv, {"H": "math"})
    assert cov["reached"].tolist() == [0, 0, 0] and cov["coverage"].tolist() == [0, 0, 0]


def test_staff_coverage_counts_each_teacher_once():
    lv = pd.DataFrame({"root": ["A", "B", "A"], "teacher_id": ["x", "x", "y"],
                       "level": [1, 1, 2]})
    got = staff_coverage(lv, {"x": "S1", "y": "S2"}, {"S1": 5, "S2": 1, "S3": 0})
    assert got.values.tolist()[:2] == [["S1", 5, 1, 0.2], ["S2", 1, 1, 1.0]]
    assert math.isnan(got["share"].iloc[2])


def test_studio_value_added_by_hand():
    """Pooled OLS on prior x: the studio's students' mean residual and its exact SE."""
    x = np.array([1, 2, 3, 1, 2, 3, 1, 2, 3], dtype=float)
    y = np.array([2, 3, 5, 4, 5, 6, 1, 2, 3], dtype=float)
    teacher = ["T1"] * 3 + ["T2"] * 3 + ["T3"] * 3
    f = studio_value_added(y, x, teacher, {"W": {"T1", "T2"}, "V": {"T9"}}, min_n=1)
    X = np.column_stack([np.ones(9), x])
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    r = y - X @ beta
    sigma2 = r @ r / (9 - 2)
    inside = np.arange(9) < 6
    xbar = X[inside].mean(axis=0)
    se = math.sqrt(sigma2 * (1 / 6 - xbar @ np.linalg.solve(X.T @ X, xbar)))
    w = f.set_index("studio").loc["W"]
    assert w["n"] == 6
    assert w["estimate"] == pytest.approx(r[inside].mean())
    assert w["se"] == pytest.approx(se)
    assert w["ci_low"] == pytest.approx(r[inside].mean() - 1.959964 * se, abs=1e-5)
    v = f.set_index("studio").loc["V"]
    assert v["band"] == "insufficient" and math.isnan(v["estimate"])
    # too few students: withheld
    assert studio_value_added(y, x, teacher, {"W": {"T1"}}, min_n=4)["band"].iloc[0] == (
        "insufficient")


def test_difference_in_differences_by_hand():
    rows = [("P", 2019, 50.0, 1.0), ("P", 2020, 52.0, 1.0), ("P", 2021, 58.0, 2.0),
            ("C1", 2019, 60.0, 1.0), ("C1", 2021, 61.0, 1.0),
            ("C2", 2020, 40.0, 2.0), ("C2", 2021, 43.0, 2.0), ("X", 2021, 99.0, 1.0)]
    v = pd.DataFrame(rows, columns=["unit", "year", "value", "se"])
    r = difference_in_differences(v, "P", 2021, ["C1", "C2"])
    # P: pre (50 + 52)/2 = 51, post 58; C: pre (60 + 40)/2 = 50, post (61 + 43)/2 = 52
    assert (r["treated_pre"], r["treated_post"], r["comparison_pre"], r["comparison_post"]) == (
        51.0, 58.0, 50.0, 52.0)
    assert r["did"] == 5.0
    # Var: (1 + 1)/4 + 4/1 + (1 + 4)/4 + (1 + 4)/4 = 0.5 + 4 + 1.25 + 1.25 = 7
    assert r["se"] == pytest.approx(math.sqrt(7))
    assert (r["n_treated_pre"], r["n_comparison_post"]) == (2, 2)
    assert r["ci_high"] - r["did"] == pytest.approx(1.959964 * math.sqrt(7), abs=1e-5)
    none = difference_in_differences(v[v["year"] >= 2021], "P", 2021, ["C1"])
    assert math.isnan(none["did"]) and math.isnan(none["ci_low"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=8, max_size=8), st.floats(-100, 100))
def test_did_ignores_a_shift_common_to_all_units_of_a_year(values, shift):
    v = pd.DataFrame({"unit": ["P", "P", "C", "C", "D", "D", "P", "C"],
                      "year": [2019, 2022, 2019, 2022, 2019, 2022, 2020, 2020],
                      "value": values, "se": [1.0] * 8})
    a = difference_in_differences(v, "P", 2021, ["C", "D"])
    shifted = v.assign(value=v["value"] + np.where(v["year"] >= 2021, shift, 0.0))
    b = difference_in_differences(shifted, "P", 2021, ["C", "D"])
    assert b["did"] == pytest.approx(a["did"], abs=1e-9)
    assert b["se"] == pytest.approx(a["se"])


def test_proportion_gap_newcombe():
    # Newcombe 1998, Table II, example (b), method 10: 9/10 vs 3/10 → 0.6 (0.1705, 0.8090)
    d, lo, hi = proportion_gap(9, 10, 3, 10)
    assert (round(d, 4), round(lo, 4), round(hi, 4)) == (0.6, 0.1705, 0.809)

    def wilson(k, n, z=1.959964):   # written out here, independent of the code
        p = k / n
        mid, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (mid - half) / (1 + z * z / n), (mid + half) / (1 + z * z / n)

    (l1, u1), (l0, u0) = wilson(9, 10), wilson(3, 10)
    assert lo == pytest.approx(0.6 - math.sqrt((0.9 - l1) ** 2 + (u0 - 0.3) ** 2), abs=1e-6)
    assert hi == pytest.approx(0.6 + math.sqrt((u1 - 0.9) ** 2 + (0.3 - l0) ** 2), abs=1e-6)
    assert all(math.isnan(x) for x in proportion_gap(1, 0, 1, 2))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
def test_tree_levels_are_shortest_paths(edges):
    """Every teacher reached is listed once, at the length of the shortest mentoring path from
    the root (levels 1–3), and the root itself never."""
    lv = mentoring_levels(edges, [0])
    assert lv["teacher_id"].is_unique and 0 not in set(lv["teacher_id"])
    dist = {0: 0}
    frontier = [0]
    while frontier:
        nxt = []
        for node in frontier:
            for a, b in edges:
                if a == node and b not in dist:
                    dist[b] = dist[node] + 1
                    nxt.append(b)
        frontier = nxt
    want = {t: d for t, d in dist.items() if 1 <= d <= 3}
    assert dict(zip(lv["teacher_id"], lv["level"], strict=True)) == want
