"""Follow-up of flagged students through the store: a hand-made district with every status
computed by hand, and a small simulated one checked against direct computations."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.exam import student_groups, student_scores
from eduquality.analysis.followup import followup, restrict_followup
from eduquality.config import Settings
from eduquality.store import open_database
from eduquality.store.policy import Filter, Scope
from eduquality.store.principals import Principal
from tests.factories import add_later_exam, results_frame, tiny_exam_db

# sid: (school, E1 math, E2 math); None = absent. Full marks 100, one subject (the rules apply
# to it): 学困生 = the ⌈10 % · N⌉ lowest or below 40; 临界生 = 55 ≤ x < 60 (pass 60, band 5).
HAND = {1: ("S1", 20, 30), 2: ("S1", 35, None), 3: ("S1", 50, 52), 4: ("S1", 57, 61),
        5: ("S1", 80, 82), 6: ("S1", 90, 88), 7: ("S2", 38, 45), 8: ("S2", 45, 20),
        9: ("S2", 58, 59), 10: ("S2", 70, 72), 11: ("S2", 85, 80), 12: ("S2", 95, 93)}


def hand_db(location: str = ":memory:"):
    db = open_database(location)
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '测试省')")
        con.execute("INSERT INTO school_year VALUES ('2021-2022', '2021-09-01', '2022-07-15')")
        for s in ("S1", "S2"):
            con.execute("INSERT INTO school VALUES (?, ?, 'D', 'junior', 'public', 'urban', NULL,"
                        " 'A', NULL)", [s, f"{s}校"])
            con.execute("INSERT INTO class VALUES (?, ?, '2021-2022', 8, '1班', NULL, NULL)",
                        [f"{s}-1", s])
            con.execute("INSERT INTO teacher VALUES (?, ?, NULL, ?, 'math', NULL, NULL)",
                        [f"T{s}", f"{s}老师", s])
            con.execute("INSERT INTO teaching_assignment VALUES (?, 'math', ?)",
                        [f"{s}-1", f"T{s}"])
        for e, date in (("E1", "2022-01-10"), ("E2", "2022-06-20")):
            con.execute("INSERT INTO exam VALUES (?, '期末', 'final', 'district', '2021-2022', 1,"
                        " ?, 8)", [e, date])
            con.execute("INSERT INTO paper VALUES (?, ?, 'math', NULL, 100)", [f"{e}/math", e])
        for sid, (school, e1, e2) in HAND.items():
            con.execute("INSERT INTO student (student_id, national_id, name) VALUES (?, ?, ?)",
                        [sid, f"G{sid:06d}", f"学生{sid}"])
            for e, score in (("E1", e1), ("E2", e2)):
                con.execute("INSERT INTO exam_registration VALUES (?, ?, ?, ?, ?)",
                            [e, sid, f"{e}{sid}", school, f"{school}-1"])
                con.execute("INSERT INTO subject_result VALUES (?, ?, ?, ?)",
                            [f"{e}/math", sid, "absent" if score is None else "present",
                             None if score is None else float(score)])
    return db


def _row(table, group, level, unit):
    rows = table[(table.group == group) & (table.level == level) & (table.unit == unit)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_hand_made_statuses_and_counts(db_location):
    # E1 学困生: ⌈1.2⌉ = 2 lowest (1: 20, 2: 35) and below 40 (7: 38) → {1, 2, 7}.
    # E2 (11 present): ⌈1.1⌉ = 2 lowest (8: 20, 1: 30), both below 40 → {1, 8}.
    # So 1 stayed, 2 missing (absent), 7 left (45). 临界生 E1 {4: 57, 9: 58}; E2 {9: 59}: 4 left.
    fu = followup(hand_db(db_location), "E1", replace(Settings(), min_unit_n=1))
    assert fu.later == ["E2"]
    t = fu.table
    assert set(t.group) == {"struggling", "borderline"} and set(t.subject_code) == {"math"}
    d = _row(t, "struggling", "district", "all")
    assert (d.n_cohort, d.n_left, d.n_stayed, d.n_missing, d.n_followed) == (3, 1, 1, 1, 2)
    assert d.left_share == 0.5
    assert d.left_ci_low == pytest.approx(0.5 - 0.40547, abs=1e-4)  # Wilson 1/2 by hand
    s1, s2 = _row(t, "struggling", "school", "S1"), _row(t, "struggling", "school", "S2")
    assert (s1.n_cohort, s1.n_stayed, s1.n_missing) == (2, 1, 1)
    assert (s2.n_cohort, s2.n_left) == (1, 1)
    assert _row(t, "struggling", "teacher", "TS2").school_code == "S2"
    b = _row(t, "borderline", "district", "all")
    assert (b.n_cohort, b.n_left, b.n_stayed) == (2, 1, 1)
    # 12 students: fewer than the 50 an SGP model needs, so no growth percentile is made up
    assert (t.n_sgp == 0).all() and (t.sgp_band == "insufficient").all()


def test_hand_made_small_units_withheld_with_their_complement(db_location):
    # S2's 学困生 cohort has 1 member (< 2): withheld; all − S1 would give it back: S1 too
    fu = followup(hand_db(db_location), "E1", replace(Settings(), min_unit_n=2), group="struggling")
    t = fu.table
    assert _row(t, "struggling", "school", "S2").withheld
    assert _row(t, "struggling", "school", "S1").withheld
    assert np.isnan(_row(t, "struggling", "school", "S1").n_cohort)
    assert not _row(t, "struggling", "district", "all").withheld


def test_scope_teacher_sees_district_own_school_and_self(db_location):
    fu = followup(hand_db(db_location), "E1", replace(Settings(), min_unit_n=1))
    teacher = Principal("t", "teacher", school_code="S1", class_ids=frozenset({"S1-1"}),
                        teacher_id="TS1")
    scope = Scope(teacher, {"district": Filter(), "school": Filter(school_code=frozenset({"S1"})),
                            "teacher": Filter(teacher_id=frozenset({"TS1"}))})
    seen = restrict_followup(fu, scope).table
    assert set(zip(seen.level, seen.unit, strict=True)) == {
        ("district", "all"), ("school", "S1"), ("teacher", "TS1")}
    parent = Principal("p", "parent", student_id=1)
    none = restrict_followup(fu, Scope(parent, {"district": Filter()}), school="S2").table
    assert set(none.level) == {"district"}


@pytest.fixture(scope="module")
def simulated():
    db = tiny_exam_db(n_per_class=60, seed=5)
    add_later_exam(db, teachers=True)
    return db, followup(db, "E1", replace(Settings(), min_unit_n=5))


def test_simulated_cohorts_match_the_exam_groups(simulated):
    db, fu = simulated
    raw = results_frame(db)
    settings = Settings()
    students = student_scores(_with_total(raw[raw.paper_id.str.startswith("E1/")]), settings)
    groups = student_groups(students, settings)
    checked = 0
    for (g, s), rows in groups[groups.group != "top"].groupby(["group", "subject_code"]):
        d = _row(fu.table[fu.table.subject_code == s], g, "district", "all")
        if len(rows) < 5:  # min_unit_n = 5: a district cohort of 3 is withheld too
            assert d.withheld and np.isnan(d.n_cohort)
            continue
        assert d.n_cohort == len(rows) and not d.withheld
        assert d.n_left + d.n_stayed + d.n_missing == d.n_cohort
        checked += 1
    assert checked >= 2  # 学困生 and 临界生 on the total at least
    shown = fu.table[~fu.table.withheld & (fu.table.level == "school")]
    for (g, s), rows in shown.groupby(["group", "subject_code"]):
        d = _row(fu.table[fu.table.subject_code == s], g, "district", "all")
        if len(rows) == 3:  # every school shown: they add up to the district
            assert rows.n_cohort.sum() == d.n_cohort


def test_simulated_growth_percentiles_have_intervals(simulated):
    _, fu = simulated
    d = fu.table[(fu.table.level == "district") & (fu.table.n_sgp > 1)]
    assert not d.empty
    assert ((d.sgp_ci_low <= d.mean_sgp) & (d.mean_sgp <= d.sgp_ci_high)).all()
    assert d.mean_sgp.between(1, 99).all()
    # cohort and non-flagged peers split the students with an SGP in the subject: the same
    # total for every group of that subject
    both = d.n_sgp + d.n_peer
    assert (both.groupby(d.subject_code).nunique() == 1).all()
    assert (d.sgp_gap - (d.mean_sgp - d.peer_mean_sgp)).abs().max() < 1e-9
    assert ((d.gap_ci_low <= d.sgp_gap) & (d.sgp_gap <= d.gap_ci_high)).all()
    assert set(fu.table.level) >= {"district", "school"}
    # a total has no teacher; a subject's cohort has teacher rows
    assert not ((fu.table.subject_code == "total") & (fu.table.level == "teacher")).any()


def _with_total(raw: pd.DataFrame) -> pd.DataFrame:
    """The exam's results with the 总分 rows (present in every paper), built by hand."""
    raw = raw.assign(track=None)
    wide = raw.pivot_table(index="student_id", columns="subject_code", values="score",
                           aggfunc="first", dropna=False)
    complete = wide.notna().all(axis=1)
    first = raw.drop_duplicates("student_id").set_index("student_id")
    total = pd.DataFrame({
        "paper_id": "E1/total", "subject_code": "total",
        "full_marks": raw.groupby("subject_code").full_marks.max().sum(),
        "student_id": wide.index, "school_code": first.school_code.reindex(wide.index).to_numpy(),
        "class_id": first.class_id.reindex(wide.index).to_numpy(),
        "peer_group": first.peer_group.reindex(wide.index).to_numpy(),
        "status": np.where(complete, "present", "incomplete"),
        "score": wide.sum(axis=1).where(complete).to_numpy(), "track": None})
    return pd.concat([raw, total], ignore_index=True)
