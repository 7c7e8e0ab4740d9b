"""The annual assessment over a database built by hand: each component from its own data,
the total by hand, absent components said and not scored."""

from __future__ import annotations

import pytest

from eduquality.analysis.assessment import assess
from eduquality.analysis.value_added import value_added
from eduquality.config import Settings
from eduquality.measures.assessment import value_added_score
from tests.factories import add_prior_year, tiny_exam_db


def assessment_db():
    """tiny_exam_db with a prior year (value-added of 语文), enrolment, two dropouts at S2 and
    teachers with one programme at S1 (docstrings of the lines below)."""
    db = tiny_exam_db(n_per_class=40)
    add_prior_year(db)
    with db.write() as con:
        # every E1 student is enrolled in their class in 2021-2022; two of S2's drop out
        con.execute("""INSERT INTO class_membership
                       SELECT student_id, '2021-2022', class_id FROM exam_registration
                       WHERE exam_id = 'E1'""")
        ids = [r[0] for r in con.execute(
            "SELECT student_id FROM exam_registration WHERE exam_id = 'E1' AND school_code = "
            "'S2' ORDER BY student_id LIMIT 2").fetchall()]
        for sid in ids:
            con.execute("INSERT INTO enrolment_event VALUES (?, '2022-03-01', 'dropout', 'S2', "
                        "NULL)", [sid])
        # teachers: S1 four, one of them 骨干 in 2021-2022; S2 two, none; S3 none recorded
        for tid, school in [("T1", "S1"), ("T2", "S1"), ("T3", "S1"), ("T4", "S1"),
                            ("T5", "S2"), ("T6", "S2")]:
            con.execute("INSERT INTO teacher VALUES (?, ?, NULL, ?, NULL, NULL, NULL)",
                        [tid, f"教师{tid}", school])
        con.execute("INSERT INTO teacher_programme VALUES ('T1', 'backbone', '2021-2022')")
    return db


@pytest.fixture(scope="module")
def db():
    db = assessment_db()
    yield db
    db.close()


def test_components_and_total_by_hand(db):
    settings = Settings()
    result = assess(db, 2021, settings)
    comp = result.components.set_index(["school_code", "component"])
    # value-added: E1 语文 against E0 (数学 has no prior), the multilevel school estimates
    va = value_added(db, "E1", "chinese", settings)
    sd = float(va.students["current"].std())
    est = va.estimates.query("level == 'school' and estimator == 'multilevel'").set_index("unit")
    for school in ("S1", "S2", "S3"):
        want, want_se = value_added_score([est.loc[school, "estimate"]],
                                          [est.loc[school, "se"]], [sd], 0.5)
        assert comp.loc[(school, "value_added"), "score"] == pytest.approx(want)
        assert comp.loc[(school, "value_added"), "se"] == pytest.approx(want_se)
    # 控辍保学: S2 has 2 dropouts of 80 students: 1 − (2/80)/0.01 < 0 → 0; the others 1
    assert comp.loc[("S2", "retention"), "score"] == 0.0
    assert comp.loc[("S1", "retention"), "score"] == 1.0
    # teachers: S1 1 of 4 in a programme: (0.25)/0.25 = 1; S2 0 of 2; S3 has no teacher
    assert comp.loc[("S1", "teachers"), "score"] == 1.0
    assert comp.loc[("S2", "teachers"), "score"] == 0.0
    assert comp.loc[("S3", "teachers"), "state"] == "absent"
    # no school-condition statistics and no plan: both absent, with their reason
    assert (comp.xs("balance", level="component")["reason"] == "assessment.absent.balance").all()
    assert (comp.xs("goals", level="component")["state"] == "absent").all()
    # S1 (junior: va 40, retention 20, teachers 10 of the weights with data):
    s1 = result.schools.set_index("school_code").loc["S1"]
    va1 = comp.loc[("S1", "value_added"), "score"]
    assert s1["total"] == pytest.approx(100 * (40 * va1 + 20 * 1.0 + 10 * 1.0) / 70)
    assert s1["se"] == pytest.approx(100 * 40 * comp.loc[("S1", "value_added"), "se"] / 70)
    assert s1["low"] == pytest.approx(s1["total"] - 1.96 * s1["se"])
    points = comp.loc["S1", "points"].dropna()
    assert points.sum() == pytest.approx(s1["total"])
    # evidence behind the points: the estimate with its interval, the counts
    ev = result.evidence
    e = ev[(ev.school_code == "S2") & (ev.component == "retention")].iloc[0]
    assert (e["value"], e["n"]) == (2.0, 80)
    v = ev[(ev.school_code == "S1") & (ev.component == "value_added")].iloc[0]
    assert v["item"] == "E1 chinese" and v["low"] <= v["value"] <= v["high"]


def test_bands_follow_the_totals_and_their_uncertainty(db):
    schools = assess(db, 2021, Settings()).schools.set_index("school_code")
    assert set(schools["kind"]) == {"junior"}
    order = schools.sort_values("total", ascending=False)
    assert int(order["band"].iloc[0]) == 1
    assert list(order["band"]) == sorted(order["band"])
    for school, row in schools.iterrows():
        others = schools[(schools["band"] == row["band"]) & (schools.index != school)]
        assert bool(row["tied"]) == (len(others) > 0)


def test_weights_from_the_settings_change_the_total(db):
    base = Settings()
    only_retention = base.with_overrides(assessment=type(base.assessment)(
        junior_value_added=0.0, junior_retention=1.0, junior_balance=0.0,
        junior_teachers=0.0, junior_goals=0.0))
    schools = assess(db, 2021, only_retention).schools.set_index("school_code")
    assert schools.loc["S2", "total"] == 0.0 and schools.loc["S1", "total"] == 100.0
    assert schools.loc["S1", "se"] == 0.0
    # census figures: S1 and S3 both 100 with SE 0 → tied; S2 alone in the next band
    assert schools.loc["S1", "band"] == schools.loc["S3", "band"] == 1
    assert schools.loc["S2", "band"] == 3 and not schools.loc["S2", "tied"]


def test_a_year_without_data_scores_nobody(db):
    result = assess(db, 2019, Settings())
    assert result.schools["total"].isna().all()
    assert result.schools["band"].isna().all()
    assert (result.components["state"] == "absent").sum() == 3 * 5


PLAN = """\
plan: t
title: T
baseline_year: 2019
target_year: 2022
indicators:
  - {code: n, name: N, definition: d, owner: o, numerator: {db: students},
     target: {kind: hold, value: 0}}
school_goals:
  - {code: g1, goal: promotion, to_tier: 省一级一等, text: t, school: S1, year: 2020}
  - {code: g2, goal: promotion, to_tier: 省一级一等, text: t, school: S2, year: 2023}
"""


def test_the_schools_own_plan_goals(db, tmp_path):
    from eduquality.ingest.planfile import load_plan

    path = tmp_path / "t.yaml"
    path.write_text(PLAN, encoding="utf-8")
    result = assess(db, 2021, Settings(), load_plan(path))
    comp = result.components.set_index(["school_code", "component"])
    # S1 is not 省一级一等 and its deadline (2020) has passed: off track, 0 of 1 goal
    assert comp.loc[("S1", "goals"), "score"] == 0.0
    # S2's deadline is 2023: pending, not counted → absent; S3 has no goal
    assert comp.loc[("S2", "goals"), "state"] == "absent"
    assert comp.loc[("S3", "goals"), "state"] == "absent"
    ev = result.evidence.query("component == 'goals'")
    assert set(zip(ev.school_code, ev.note, strict=True)) == {
        ("S1", "trajectory.off_track"), ("S2", "trajectory.pending")}


def test_studio_members_mentees_and_the_reserve_count_as_development():
    """Issue 14 §1: teacher development also counts 名师工作室 members and hosts, mentees and
    the 后备人才库, active in the year (store.plan_data.teacher_development, the one place)."""
    db = assessment_db()
    with db.write() as con:
        # S2: T5 a member of a studio hosted by T1 (S1) from 2021-10-01; T6 a mentee whose
        # link ended before 2021-09-01 (not counted); S1: T2 in the reserve of 2021-2022
        con.execute("INSERT INTO studio VALUES ('W', '工作室', 'studio', 'T1', 'math', 'city',"
                    " '2020-09-01', NULL)")
        con.execute("INSERT INTO studio_member VALUES ('W', 'T5', '2021-10-01', NULL)")
        con.execute("INSERT INTO mentoring VALUES ('T1', 'T6', NULL, '2020-09-01', "
                    "'2021-06-30')")
        con.execute("INSERT INTO principal_reserve VALUES ('T2', '2021-2022', NULL)")
        # training of 2021-2022: T1 60 h (20 IT), T2 40 h (10 IT); T3 rotates S1 → S2
        con.execute("INSERT INTO teacher_training VALUES ('T1', '2021-2022', 60, 20),"
                    " ('T2', '2021-2022', 40, 10)")
        con.execute("INSERT INTO teacher_rotation VALUES ('T3', 'S1', 'S2', '2021-09-01', "
                    "'2022-07-15')")
    comp = assess(db, 2021, Settings()).components.set_index(["school_code", "component"])
    # S1: T1 (骨干, host) and T2 (reserve) of 4 → 0.5/0.25 → 1; S2: T5 of 2 → 0.5/0.25 → 1
    assert comp.loc[("S1", "teachers"), "score"] == 1.0
    assert comp.loc[("S2", "teachers"), "score"] == 1.0
    ev = assess(db, 2021, Settings()).evidence.query("component == 'teachers'")
    got = {(r["school_code"], r["item"]): (r["value"], r["n"]) for r in ev.to_dict("records")}
    assert got == {("S1", "assessment.evidence.in_programme"): (2.0, 4),
                   ("S2", "assessment.evidence.in_programme"): (1.0, 2),
                   # evidence, not scored: mean hours (60 + 40)/2, IT (20 + 10)/2 of 2 trained
                   ("S1", "assessment.evidence.training_hours"): (50.0, 2),
                   ("S1", "assessment.evidence.it_hours"): (15.0, 2),
                   ("S1", "assessment.evidence.rotations"): (1.0, 0),
                   ("S2", "assessment.evidence.rotations"): (0.0, 1)}
    # 2020: only the studio (host T1) and T6's link count → S1 1 of 4, S2 1 of 2
    ev = assess(db, 2020, Settings()).evidence.query(
        "component == 'teachers' and item == 'assessment.evidence.in_programme'")
    assert dict(zip(ev["school_code"], ev["value"], strict=True)) == {"S1": 1.0, "S2": 1.0}
    db.close()
