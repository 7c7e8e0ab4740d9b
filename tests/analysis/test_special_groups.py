"""Special groups' support, coverage and gaps over a database built by hand (issue 14 §4):
figures by hand, small cells withheld with their complements, roles refused or scoped."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eduquality.analysis.special_groups import special_groups
from eduquality.config import Settings
from eduquality.errors import PermissionDenied
from eduquality.measures.indicators import wilson_interval
from eduquality.store import open_database
from eduquality.store.policy import scope_for
from eduquality.store.principals import Principal

# school → number of 建档立卡 students among its 12 grade-9 students
POOR = {"S1": 4, "S2": 5, "S3": 1}


@pytest.fixture(scope="module")
def db(module_db_location):
    """Three schools of 12 grade-9 students each in 2023-2024 (the first POOR[s] of each
    建档立卡); 数学 of exam E: student k of a school scores 50 + 3k (k = 0 … 11), S2's +10;
    S2's first three 建档立卡 students receive 1000 元 each; in 2024-2025 the students k ≥ 3
    of S1 and S2 and all of S3 have a grade-10 class."""
    d = open_database(module_db_location)
    with d.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '区', NULL, NULL)")
        con.execute("INSERT INTO school_year VALUES ('2023-2024', '2023-09-01', '2024-07-15'),"
                    " ('2024-2025', '2024-09-01', '2025-07-15')")
        con.execute("INSERT INTO exam VALUES ('E', '期末', 'final', 'district', '2023-2024', 1,"
                    " '2024-01-10', 9)")
        con.execute("INSERT INTO paper VALUES ('E/math', 'E', 'math', NULL, 100)")
        sid = 0
        for s, poor in POOR.items():
            con.execute("INSERT INTO school VALUES (?, ?, 'D', 'junior', 'public', 'urban', NULL,"
                        " NULL, NULL)", [s, f"{s}校"])
            con.execute("INSERT INTO class VALUES (?, ?, '2023-2024', 9, '1班', NULL, NULL)",
                        [f"{s}-9", s])
            con.execute("INSERT INTO class VALUES (?, ?, '2024-2025', 10, '1班', NULL, NULL)",
                        [f"{s}-10", s])
            for k in range(12):
                sid += 1
                con.execute("INSERT INTO student (student_id, national_id, name, "
                            "poverty_registered) VALUES (?, ?, ?, ?)",
                            [sid, f"G{sid:04d}", f"生{sid}", k < poor])
                con.execute("INSERT INTO class_membership VALUES (?, '2023-2024', ?)",
                            [sid, f"{s}-9"])
                con.execute("INSERT INTO exam_registration VALUES ('E', ?, ?, ?, ?)",
                            [sid, f"K{sid}", s, f"{s}-9"])
                con.execute("INSERT INTO subject_result VALUES ('E/math', ?, 'present', ?)",
                            [sid, 50 + 3 * k + (10 if s == "S2" else 0)])
                if s == "S3" or k >= 3:
                    con.execute("INSERT INTO class_membership VALUES (?, '2024-2025', ?)",
                                [sid, f"{s}-10"])
                if s == "S2" and k < 3:
                    con.execute("INSERT INTO student_support VALUES (?, '2023-2024', "
                                "'living_allowance', 1000)", [sid])
    yield d
    d.close()


def _scores():
    return {s: np.array([50 + 3 * k + (10 if s == "S2" else 0) for k in range(12)], float)
            for s in POOR}


def test_figures_by_hand_and_small_cells_withheld(db):
    t = special_groups(db, 2023, Settings(min_unit_n=3)).table
    poor = t[t["group"] == "poverty_registered"].set_index("unit")
    # S3 has 1 建档立卡 student (< 3): withheld; S1 (4, the smallest shown school) with it,
    # or S3's count would be the district's 10 minus S1's 4 and S2's 5
    assert poor.loc["S3", "withheld"] and poor.loc["S1", "withheld"]
    assert math.isnan(poor.loc["S3", "students"]) and math.isnan(poor.loc["S1", "result_gap"])
    assert not poor.loc["S2", "withheld"] and not poor.loc["", "withheld"]
    s2 = poor.loc["S2"]
    assert (s2["students"], s2["supported"], s2["amount"]) == (5, 3, 3000.0)
    assert s2["coverage"] == 3 / 5
    assert (s2["coverage_low"], s2["coverage_high"]) == pytest.approx(wilson_interval(3, 5))
    # results: z over the 36 students; S2's gap = mean z of its k < 5 minus its k ≥ 5
    allsc = np.concatenate(list(_scores().values()))
    z2 = (_scores()["S2"] - allsc.mean()) / allsc.std(ddof=1)
    a, b = z2[:5], z2[5:]
    gap = a.mean() - b.mean()
    se = math.sqrt(a.var(ddof=1) / 5 + b.var(ddof=1) / 7)
    assert s2["result_gap"] == pytest.approx(gap)
    assert s2["result_high"] == pytest.approx(gap + 1.959964 * se, abs=1e-5)
    # progression: S2's 建档立卡 2 of 5 (k = 3, 4) vs others 7 of 7
    assert (s2["progressed"], s2["grade9"]) == (2, 5)
    assert s2["progression_gap"] == pytest.approx(2 / 5 - 1)
    district = poor.loc[""]
    # district: 建档立卡 10 (S1 k=3 → 1, S2 2, S3 1 → 4 of 10); others 26, all but S1's and
    # S2's k < 3 non-poor (none: k < 3 are all poor in S1, S2) → 26 of 26
    assert (district["students"], district["progressed"], district["grade9"]) == (10, 4, 10)
    assert district["progression_gap"] == pytest.approx(0.4 - 1.0)
    # the other groups: nobody flagged → every school cell has 0 students, the district too
    assert (t[t["group"] == "migrant"]["students"].fillna(0) == 0).all()


def test_without_the_next_year_progression_is_missing(db):
    t = special_groups(db, 2024, Settings(min_unit_n=3)).table
    assert t["progression_gap"].isna().all()


def test_only_roles_that_may_see_group_membership(db):
    for role in ("leader", "teacher", "parent"):
        with pytest.raises(PermissionDenied):
            special_groups(db, 2023, Settings(), scope_for(
                db, Principal("u", role, school_code="S2", teacher_id="T", student_id=1)))
    own = special_groups(db, 2023, Settings(min_unit_n=3),
                         scope_for(db, Principal("p", "principal", school_code="S2"))).table
    assert set(own["unit"]) == {"", "S2"}
    everything = special_groups(db, 2023, Settings(min_unit_n=3),
                                scope_for(db, Principal("r", "researcher"))).table
    assert set(everything["unit"]) == {"", "S1", "S2", "S3"}
