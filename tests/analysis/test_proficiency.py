"""The 合格考 rates as readers see them (scope), and end to end on a small simulated district:
the simulator's files import cleanly and the stored results and rates are the truth's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eduquality.analysis.proficiency import labelled, proficiency_tables
from eduquality.store.policy import scope_for
from eduquality.store.principals import Principal
from tests.factories import PROFICIENCY_SUBJECTS as YUNNAN
from tests.factories import proficiency_all_subjects, proficiency_db, proficiency_risk_db


def _insert(db, rows):
    with db.write() as con:
        con.executemany("INSERT INTO proficiency_result VALUES (?, 'math', ?, ?, ?, ?, ?, NULL)",
                        rows)


def test_tables_by_scope_and_labels():
    db = proficiency_db()
    _insert(db, [(k, "2024-06", "合格" if k != 2 else "不合格", k != 2, False,
                  "H1" if k <= 4 else "H2") for k in range(1, 8)])
    everyone = proficiency_tables(db, scope_for(db, Principal("r", "researcher")), 0)
    t = everyone["sittings"]
    assert t[["level", "school_code", "n_takers", "n_passed"]].values.tolist() == [
        [0, None, 7.0, 6.0], [1, "H1", 4.0, 3.0], [1, "H2", 3.0, 3.0]]
    principal = Principal("p", "principal", school_code="H2")
    mine = proficiency_tables(db, scope_for(db, principal), 0)["first_sittings"]
    assert mine["school_code"].tolist() == [None, "H2"]
    one = proficiency_tables(db, scope_for(db, Principal("r", "researcher")), 0, school="H1")
    assert one["sittings"]["school_code"].tolist() == [None, "H1"]
    shown = labelled(t, {"H1": "甲中", "H2": "乙中"}, "zh")
    assert shown[["sitting", "subject", "unit"]].values.tolist()[:2] == [
        ["2024年6月", "数学", "全区"], ["2024年6月", "数学", "甲中"]]
    db.close()


@pytest.mark.slow
def test_the_simulated_results_import_and_give_the_truths_rates(tmp_path):
    """800 students, minimal profile, six school years (2018-2019 … 2023-2024: the sittings of
    June 2023, January and June 2024)."""
    from eduquality.analysis.demo import _import_entry
    from eduquality.ingest.proficiency import import_proficiency
    from eduquality.simulate import simulate_district
    from eduquality.simulate.truth import load_proficiency
    from eduquality.store import open_database
    from eduquality.vocab import SUBJECTS

    m = simulate_district(tmp_path / "d", students=800, seed=11, profile="minimal", years=6)
    entries = m.of_kind("proficiency")
    assert [Path(e.path).name[:7] for e in entries] == ["2023年6月", "2024年1月", "2024年6月"]
    db = open_database(":memory:")
    root = Path(m.out_dir)
    for entry in m.files:
        if entry.kind in ("roster", "proficiency"):
            _import_entry(db, root, entry)
    truth = load_proficiency(m.out_dir)
    stored = db.sql("SELECT s.national_id, r.subject_code, r.sitting, r.passed, r.retake, "
                    "r.school_code FROM proficiency_result r JOIN student s USING (student_id)")
    nid = m.out_dir / "truth"
    students = pd.read_parquet(nid / "students.parquet")[["sid", "national_id"]]
    want = truth.merge(students, on="sid").assign(
        subject_code=lambda t: [SUBJECTS.parse(s) for s in t["subject"]])
    key = ["national_id", "subject_code", "sitting"]
    both = want.merge(stored, on=key, how="outer", suffixes=("_t", "_s"), indicator=True)
    assert (both["_merge"] == "both").all() and len(both) == len(truth)
    assert (both["passed_t"] == both["passed_s"]).all()
    assert (both["retake_t"] == both["retake_s"]).all()
    assert (both["school_code_t"] == both["school_code_s"]).all()
    # the district's 一次合格率 of each subject and first sitting is the truth's
    tables = proficiency_tables(db, scope_for(db, Principal("r", "researcher")), 0)
    first = want[~want["retake"]].groupby(["sitting", "subject_code"])["passed"].agg(
        ["size", "mean"])
    district = tables["first_sittings"].query("level == 0").set_index(
        ["sitting", "subject_code"])
    assert district["n_students"].to_dict() == first["size"].astype(float).to_dict()
    pd.testing.assert_series_equal(district["rate_first"], first["mean"], check_names=False)
    # the 补考 of January 2024 are the June 2023 failures still on a roll
    jan = tables["sittings"].query("level == 0 and sitting == '2024-01'")
    assert jan["n_retake"].sum() == want.query("sitting == '2024-01'")["retake"].sum() > 0
    # 全科合格: the students who passed all 11 subjects at some sitting, of those who sat
    best = want.groupby(["national_id", "subject_code"])["passed"].any().unstack()
    every = best.reindex(columns=list(YUNNAN)).fillna(False).astype(bool).all(axis=1)
    district = tables["all_pass"].query("level == 0")
    assert district["n_students"].sum() == len(best)
    assert district["n_all_passed"].sum() == every.sum() > 0
    # without the 考试类别 column the importer tells the 补考 from the record
    wide = pd.read_excel(root / entries[1].path, dtype=str, engine="calamine").drop(
        columns=["考试类别"])
    path = tmp_path / "no_kind.xlsx"
    wide.to_excel(path, index=False)
    with db.write() as con:
        con.execute("UPDATE proficiency_result SET retake = NOT retake WHERE sitting = '2024-01'")
    import_proficiency(db, path)
    again = db.sql("SELECT s.national_id, r.subject_code, r.sitting, r.retake FROM "
                   "proficiency_result r JOIN student s USING (student_id) "
                   "WHERE r.sitting = '2024-01'")
    check = again.merge(want, on=key)
    assert len(check) == len(again) and (check["retake_x"] == check["retake_y"]).all()
    db.close()


def test_the_tables_of_one_school_year():
    from eduquality.analysis.proficiency import year_tables

    db = proficiency_db()
    # 2023-06 (school year 2022): 2 fails, retakes in 2024-01 (2023) and passes; 2024-09 is
    # in 2024 and not counted for 2023
    _insert(db, [(1, "2023-06", "合格", True, False, "H1"), (2, "2023-06", "不合格", False, False,
                                                             "H1"),
                 (2, "2024-01", "合格", True, True, "H1"), (3, "2024-01", "不合格", False,
                                                            False, "H1"),
                 (3, "2024-09", "合格", True, True, "H1")])
    y22, y23 = year_tables(db, 2022, 0), year_tables(db, 2023, 0)
    assert y22["sittings"]["sitting"].unique().tolist() == ["2023-06"]
    assert y23["sittings"]["sitting"].unique().tolist() == ["2024-01"]
    d22 = y22["first_sittings"].query("level == 0").iloc[0]   # the 补考 of 2024-01: next year
    assert (d22["n_students"], d22["n_first_passed"], d22["n_passed"]) == (2, 1, 1)
    d23 = y23["first_sittings"].query("level == 0").iloc[0]   # student 3: not yet passed
    assert (d23["sitting"], d23["n_students"], d23["n_passed"]) == ("2024-01", 1, 0)
    db.close()


def test_all_subject_pass_rates_by_cohort_and_scope():
    db = proficiency_db()
    proficiency_all_subjects(db)
    t = proficiency_tables(db, scope_for(db, Principal("r", "researcher")), 0)["all_pass"]
    # 甲中: 1, 2, 3, 4 sat; 1 and 2 passed all (2 after the 补考): 2/4; 乙中: 5: 1/1;
    # the district 3/5 (6 and 7 never sat: not counted)
    assert t[["school_code", "cohort", "n_students", "n_all_passed"]].values.tolist() == [
        [None, 2022, 5, 3], ["H1", 2022, 4, 2], ["H2", 2022, 1, 1]]
    assert t["rate"].tolist() == pytest.approx([0.6, 0.5, 1.0])
    principal = Principal("p", "principal", school_code="H2")
    mine = proficiency_tables(db, scope_for(db, principal), 0)["all_pass"]
    assert mine["school_code"].tolist() == [None, "H2"]
    # withheld at min_n 2: 乙中 (1), and 甲中 with it
    w = proficiency_tables(db, scope_for(db, Principal("r", "researcher")), 2)["all_pass"]
    assert w["withheld"].tolist() == [False, True, True] and w.loc[0, "n_students"] == 5
    # a district whose province has no rule: no 全科合格 figures
    with db.write() as con:
        con.execute("UPDATE district SET province = '示例省'")
    none = proficiency_tables(db, scope_for(db, Principal("r", "researcher")), 0)["all_pass"]
    assert none.empty
    db.close()


def test_all_subject_pass_rates_of_one_school_year():
    from eduquality.analysis.proficiency import year_tables

    db = proficiency_db()
    proficiency_all_subjects(db)
    # at the end of 2022-2023 student 2 has not yet retaken math: 2 of 5
    y22 = year_tables(db, 2022, 0)["all_pass"].query("level == 0").iloc[0]
    assert (y22["cohort"], y22["n_students"], y22["n_all_passed"]) == (2022, 5, 2)
    y23 = year_tables(db, 2023, 0)["all_pass"].query("level == 0").iloc[0]
    assert (y23["n_students"], y23["n_all_passed"]) == (5, 3)
    # a year without a sitting of the cohort: no row
    assert year_tables(db, 2024, 0)["all_pass"].empty
    db.close()


def test_students_at_risk_by_hand_and_by_scope():
    from eduquality.analysis.proficiency import at_risk_students

    db = proficiency_risk_db()
    everyone = at_risk_students(db, scope_for(db, Principal("r", "researcher")))
    assert everyone[["student_id", "school_code", "class_id", "cohort", "n_subjects"]
                    ].values.tolist() == [[3, "H1", "H1-2023-11", 2022, 1],
                                          [4, "H1", "H1-2023-11-2", 2022, 1],
                                          [6, "H2", "H2-2023-11", 2022, 1]]
    assert everyone["subjects"].tolist() == [("physics",), ("geography",), ("math",)]
    assert everyone.loc[0, "sittings"] == (("2023-06", "2024-01"),)
    # masked for the researcher, in full for the administrator
    assert everyone.loc[0, "national_id"] == "G530***********0003"
    admin = at_risk_students(db, scope_for(db, Principal("a", "admin")))
    assert admin.loc[0, "national_id"] == "G530100200701010003"
    principal = scope_for(db, Principal("p", "principal", school_code="H1"))
    assert at_risk_students(db, principal)["student_id"].tolist() == [3, 4]
    assert at_risk_students(db, principal, school="H2").empty
    teacher = scope_for(db, Principal("t", "teacher", school_code="H1",
                                      class_ids=frozenset({"H1-2023-11-2"})))
    assert at_risk_students(db, teacher)["student_id"].tolist() == [4]
    assert at_risk_students(db, scope_for(db, Principal("l", "leader"))).empty
    db.close()
