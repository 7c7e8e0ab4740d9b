"""优质均衡 from the database: school-condition statistics over enrolment, by hand."""

from __future__ import annotations

import textwrap

import pytest

from eduquality.analysis.balance import balance_status
from eduquality.analysis.plan import plan_status
from eduquality.ingest.planfile import load_plan
from eduquality.store import open_database

CONDITIONS = {  # school → statistic → value (students: P1 10, P2 20)
    "P1": {"qualified_teachers": 1, "backbone_teachers": 1, "pe_art_teachers": 1,
           "teaching_floor_area": 50, "sports_area": 80, "equipment_value": 25_000,
           "multimedia_classrooms": 1},
    "P2": {"qualified_teachers": 1, "backbone_teachers": 0, "pe_art_teachers": 1,
           "teaching_floor_area": 60, "sports_area": 200, "equipment_value": 50_000,
           "multimedia_classrooms": 1},
}


def balance_db(path=":memory:"):
    """Two primary schools (P1: 10 students, P2: 20) with their 2020 school conditions."""
    db = open_database(path)
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', NULL, NULL)")
        con.execute("INSERT INTO school_year VALUES ('2020-2021', '2020-09-01', '2021-07-15')")
        sid = 0
        for code, n in (("P1", 10), ("P2", 20)):
            con.execute("INSERT INTO school VALUES (?, ?, 'D', 'primary', 'public', 'rural', NULL,"
                        " NULL, NULL)", [code, code])
            con.execute("INSERT INTO class VALUES (?, ?, '2020-2021', 3, '1班', NULL, NULL)",
                        [f"{code}-c", code])
            for _ in range(n):
                sid += 1
                con.execute("INSERT INTO student (student_id, national_id, name) VALUES (?, ?, ?)",
                            [sid, f"G{sid:04d}", "x"])
                con.execute("INSERT INTO class_membership VALUES (?, '2020-2021', ?)",
                            [sid, f"{code}-c"])
            con.executemany("INSERT INTO statistic VALUES (?, 2020, ?, '', ?, '装备统计', NULL)",
                            [(stat, code, float(v)) for stat, v in CONDITIONS[code].items()])
    return db


@pytest.fixture()
def db(db_location):
    db = balance_db(db_location)
    yield db
    db.close()


def test_balance_by_hand(db):
    b = balance_status(db, 2020)
    schools = b.schools["primary"]
    # P1: per 100 students 10 teachers of each kind; 5.0 m², 8.0 m², ¥2500, 10 classrooms
    assert schools.loc["P1", "teaching_floor_area_per_student"] == 5.0
    assert schools.loc["P1", "qualified_teachers_per_100"] == 10.0
    assert bool(schools.loc["P1", "complies"])
    # P2: no 骨干 teacher (0 of 1) and 3.0 m² of 4.5: 5 of 7 met
    assert schools.loc["P2", "teaching_floor_area_per_student"] == 3.0
    assert (schools.loc["P2", "n_met"], bool(schools.loc["P2", "complies"])) == (5, False)
    s = b.summary["primary"].set_index("indicator")
    # floor area: mean (10·5 + 20·3)/30 = 11/3; variance (10·(4/3)² + 20·(2/3)²)/30 = 8/9
    assert s.loc["teaching_floor_area_per_student", "mean"] == pytest.approx(11 / 3)
    assert s.loc["teaching_floor_area_per_student", "cv"] == pytest.approx(
        (8 / 9) ** 0.5 / (11 / 3))
    assert b.shortfalls["primary"][["school", "indicator"]].values.tolist() == [
        ["P2", "backbone_teachers_per_100"], ["P2", "teaching_floor_area_per_student"]]
    assert "junior" not in b.schools


def test_the_plan_indicator_counts_complying_schools(db, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent("""\
        plan: b
        title: B
        baseline_year: 2020
        target_year: 2022
        indicators:
          - {code: balanced, name: B, definition: d, owner: o, factor: 100, decimals: 1,
             numerator: {db: balance_schools_meeting}, denominator: {db: balance_schools},
             target: {kind: level, value: 100}}
        """), encoding="utf-8")
    v = plan_status(db, load_plan(path)).values
    row = v[(v.unit == "district") & (v.year == 2020)].iloc[0]
    assert (row.numerator, row.denominator, row.value) == (1, 2, 50.0)   # P1 of P1, P2


def test_quality_monitoring_levels_from_the_years_monitoring_exams():
    """The share at or above the good line of every subject of a monitoring exam of a
    compulsory grade, with its Wilson interval, from the exam's district summary."""
    from eduquality.analysis.balance import balance_quality
    from eduquality.analysis.stored import stored_analysis
    from eduquality.config import Settings
    from eduquality.measures.indicators import wilson_interval
    from tests.factories import tiny_exam_db

    db = tiny_exam_db()
    db.con.execute("UPDATE exam SET exam_type = 'monitoring' WHERE exam_id = 'E1'")
    q = balance_quality(db, 2021, Settings())
    rows = q[q["indicator"] == "monitoring_level"].set_index("item")
    district = stored_analysis(db, "E1", Settings()).summaries["district"]
    subjects = district[district["subject_code"] != "total"]
    assert set(rows.index) == {f"E1 {s}" for s in subjects["subject_code"]}
    for r in subjects.to_dict("records"):
        got = rows.loc[f"E1 {r['subject_code']}"]
        k = round(r["good_rate"] * r["n"])
        assert (got["numerator"], got["denominator"]) == (k, r["n"])
        assert got["value"] == pytest.approx(k / r["n"])
        assert (got["low"], got["high"]) == pytest.approx(wilson_interval(k, r["n"]))
        assert got["meets"] == (k / r["n"] >= 0.5)
    assert balance_quality(db, 2020, Settings())["indicator"].tolist() == ["disabled_enrolment"]
    db.close()
