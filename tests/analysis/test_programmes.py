"""Programmes over a database built by hand (issue 14 §1, §4): the tree of a studio, its
value-added against a direct computation, and a partner school's DiD of results worked out
from the raw scores here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.programmes import (
    mentoring_coverage,
    partner_effects,
    studio_performance,
)
from eduquality.config import Settings
from tests.factories import add_prior_year, tiny_exam_db


@pytest.fixture(scope="module")
def db():
    """tiny_exam_db + E0; T1 (S1) teaches 语文 in both S1 classes and hosts studio W (members
    T2, T3; T2 mentors T4, T4 mentors T5; T6's link ended 2021-06-30); W held 2 教研 and
    1 送教 in 2021-2022; S2 is S1's 名校融民校 partner from 2021."""
    d = tiny_exam_db(n_per_class=40)
    add_prior_year(d)
    with d.write() as con:
        for tid, school in [("T1", "S1"), ("T2", "S1"), ("T3", "S2"), ("T4", "S2"),
                            ("T5", "S3"), ("T6", "S3")]:
            con.execute("INSERT INTO teacher VALUES (?, ?, NULL, ?, 'chinese', NULL, NULL)",
                        [tid, f"教师{tid}", school])
        con.execute("INSERT INTO teaching_assignment VALUES ('S1-2021-8-1', 'chinese', 'T1'),"
                    " ('S1-2021-8-2', 'chinese', 'T1'), ('S2-2021-8-1', 'chinese', 'T3')")
        con.execute("INSERT INTO studio VALUES ('W', '王语文工作室', 'studio', 'T1', 'chinese',"
                    " 'city', '2020-09-01', NULL)")
        con.execute("INSERT INTO studio_member VALUES ('W', 'T2', '2020-09-01', NULL),"
                    " ('W', 'T3', '2021-09-01', NULL)")
        con.execute("INSERT INTO mentoring VALUES ('T2', 'T4', NULL, '2021-01-01', NULL),"
                    " ('T4', 'T5', NULL, '2021-01-01', NULL),"
                    " ('T1', 'T6', NULL, '2020-01-01', '2021-06-30')")
        con.execute("INSERT INTO programme_activity VALUES"
                    " ('W', '2021-10-01', 'research', '集体备课', NULL, 20),"
                    " ('W', '2022-03-01', 'research', '作文教学', NULL, 18),"
                    " ('W', '2022-04-01', 'outreach', '送教', 'S3', 40),"
                    " ('W', '2021-05-01', 'project', '去年的课题', NULL, NULL)")
        con.execute("INSERT INTO school_partnership VALUES ('S1', 'S2', 'merger', 2021)")
    yield d
    d.close()


def test_mentoring_tree_of_the_year(db):
    m = mentoring_coverage(db, 2021)
    assert dict(zip(m.levels["teacher_id"], m.levels["level"], strict=True)) == {
        "T2": 1, "T3": 1, "T4": 2, "T5": 3}
    assert m.by_studio[["level", "reached", "target"]].values.tolist() == [
        [1, 2, 10], [2, 1, 100], [3, 1, 1000]]
    assert m.by_subject["group"].unique().tolist() == ["chinese"]
    school = m.by_school.set_index("school_code")
    # S1: T2 of T1, T2; S2: T3, T4 of 2; S3: T5 of T5, T6
    assert school["reached"].to_dict() == {"S1": 1, "S2": 2, "S3": 1}
    assert school["share"].to_dict() == {"S1": 0.5, "S2": 1.0, "S3": 0.5}
    # 2020-2021: T3 not yet a member; T6's link active (it ends 2021-06-30), and so are the
    # links begun 2021-01-01; 2019-2020: no studio yet
    m0 = mentoring_coverage(db, 2020)
    assert dict(zip(m0.levels["teacher_id"], m0.levels["level"], strict=True)) == {
        "T2": 1, "T6": 1, "T4": 2, "T5": 3}
    assert mentoring_coverage(db, 2019).levels.empty


def test_studio_value_added_activities_and_coverage(db):
    perf = studio_performance(db, 2021, Settings())
    row = perf.studios.set_index("studio_id").loc["W"]
    assert (row["activities_research"], row["activities_outreach"],
            row["activities_project"]) == (2, 1, 0)
    assert (row["reached_1"], row["target_1"], row["reached_3"]) == (2, 10, 1)
    assert row["members"] == 3            # host T1, T2 and T3
    # value-added: E1 语文 against E0, the students of T1 (S1) and T3 (S2 class 1) against
    # everyone else, by hand: OLS on the prior and the studio's mean residual
    s = db.sql("""SELECT r.student_id, r.class_id, c.score AS cur, p.score AS pri
                  FROM exam_registration r
                  JOIN subject_result c ON c.student_id = r.student_id
                       AND c.paper_id = 'E1/chinese' AND c.status = 'present'
                  JOIN subject_result p ON p.student_id = r.student_id
                       AND p.paper_id = 'E0/chinese' AND p.status = 'present'
                  WHERE r.exam_id = 'E1'""")
    X = np.column_stack([np.ones(len(s)), s["pri"].to_numpy(float)])
    y = s["cur"].to_numpy(float)
    r = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    inside = s["class_id"].isin(["S1-2021-8-1", "S1-2021-8-2", "S2-2021-8-1"]).to_numpy()
    va = perf.value_added.set_index("studio_id").loc["W"]
    assert (va["exam_id"], va["subject_code"], va["n"]) == ("E1", "chinese", inside.sum())
    assert va["estimate"] == pytest.approx(r[inside].mean())
    sd = float(db.sql("SELECT score FROM subject_result WHERE paper_id = 'E1/chinese'"
                      )["score"].std())
    assert row["va_effect"] == pytest.approx(r[inside].mean() / sd)
    assert row["va_se"] == pytest.approx(va["se"] / sd)
    assert row["va_low"] == pytest.approx(row["va_effect"] - 1.959964 * row["va_se"], abs=1e-6)
    assert row["va_estimates"] == 1


def test_partner_school_did_of_results(db):
    eff = partner_effects(db, Settings())
    res = eff.pairs.set_index("outcome").loc["results"]
    assert (res["partner_school"], res["comparison"]) == ("S2", 1)   # S3: junior, no partner

    def school_z(paper: str) -> pd.Series:
        sc = db.sql(f"""SELECT r.school_code, s.score FROM subject_result s
                        JOIN paper p USING (paper_id)
                        JOIN exam_registration r ON r.student_id = s.student_id
                             AND r.exam_id = p.exam_id
                        WHERE paper_id = '{paper}' AND s.status = 'present'""")
        sc["z"] = (sc["score"] - sc["score"].mean()) / sc["score"].std()
        return sc.groupby("school_code")["z"].mean()

    pre = school_z("E0/chinese")
    post = (school_z("E1/math") + school_z("E1/chinese")) / 2
    want = (post["S2"] - pre["S2"]) - (post["S3"] - pre["S3"])
    assert res["did"] == pytest.approx(want)
    assert res["ci_low"] < res["did"] < res["ci_high"]
    # value-added has no year before the start (E0 has no prior): no DiD
    assert math.isnan(eff.pairs.set_index("outcome").loc["value_added", "did"])
