"""The programmes' readers (store.programmes) and teacher development (store.plan_data) on both
stores, against rows written out here."""

from __future__ import annotations

import datetime as dt

import pytest

from eduquality.store import open_database
from eduquality.store.plan_data import teacher_development
from eduquality.store.programmes import (
    activities,
    mentoring_links,
    partnerships,
    student_support,
    studio_members,
    studios,
    teacher_training,
    training_by_school,
    year_bounds,
)


@pytest.fixture(scope="module")
def db(module_db_location):
    d = open_database(module_db_location)
    with d.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '区', NULL, NULL)")
        con.execute("INSERT INTO school_year VALUES ('2023-2024', '2023-09-01', '2024-07-15')")
        con.execute("INSERT INTO school VALUES ('S1', '甲', 'D', 'junior', 'public', 'urban',"
                    " NULL, NULL, NULL), ('S2', '乙', 'D', 'primary', 'private', 'rural', NULL,"
                    " NULL, NULL)")
        con.execute("INSERT INTO teacher (teacher_id, name, school_code, subject_code) VALUES"
                    " ('T1', '王', 'S1', 'math'), ('T2', '李', 'S1', 'math'),"
                    " ('T3', '张', 'S2', 'math'), ('T4', '赵', 'S2', NULL)")
        con.execute("INSERT INTO studio VALUES ('W', '工作室', 'studio', 'T1', 'math', 'city',"
                    " '2022-09-01', NULL), ('B', '基地', 'principal_base', 'T4', NULL,"
                    " 'district', '2020-09-01', '2023-06-30')")
        con.execute("INSERT INTO studio_member VALUES ('W', 'T2', '2023-03-01', NULL),"
                    " ('W', 'T3', '2024-09-01', NULL), ('W', 'T1', '2022-09-01', NULL)")
        con.execute("INSERT INTO mentoring VALUES ('T1', 'T2', 'W', '2023-01-01', NULL),"
                    " ('T2', 'T3', NULL, '2022-01-01', '2023-08-31')")
        con.execute("INSERT INTO programme_activity VALUES"
                    " ('W', '2023-09-01', 'research', 'a', NULL, 10),"
                    " ('W', '2024-08-31', 'outreach', 'b', 'S2', NULL),"
                    " ('W', '2024-09-01', 'project', 'c', NULL, NULL)")
        con.execute("INSERT INTO teacher_training VALUES ('T1', '2023-2024', 60, 20),"
                    " ('T2', '2023-2024', 30, 0)")
        con.execute("INSERT INTO teacher_rotation VALUES ('T2', 'S1', 'S2', '2023-09-01', NULL),"
                    " ('T3', 'S2', 'S1', '2021-09-01', '2022-07-15')")
        con.execute("INSERT INTO school_partnership VALUES ('S1', 'S2', 'branch', 2022)")
        con.execute("INSERT INTO student (student_id, national_id, name) VALUES (1, 'G1', '甲')")
        con.execute("INSERT INTO student_support VALUES (1, '2023-2024', 'grant', 500),"
                    " (1, '2023-2024', 'nutrition', 300)")
    yield d
    d.close()


def test_year_bounds():
    assert year_bounds(2023) == (dt.date(2023, 9, 1), dt.date(2024, 8, 31))


def test_active_in_the_year(db):
    assert studios(db, 2023)["studio_id"].tolist() == ["W"]          # B ended 2023-06-30
    assert studios(db)["studio_id"].tolist() == ["B", "W"]
    m = studio_members(db, 2023)
    # the host once (as host, even when also listed as a member); T3 joins in 2024
    assert m[["teacher_id", "role"]].values.tolist() == [["T1", "host"], ["T2", "member"]]
    assert mentoring_links(db, 2023)[["mentor_id", "mentee_id"]].values.tolist() == [
        ["T1", "T2"]]
    assert activities(db, 2023)["title"].tolist() == ["a", "b"]
    assert teacher_training(db, 2023)[["teacher_id", "school_code", "hours", "it_hours"]
                                      ].values.tolist() == [["T1", "S1", 60.0, 20.0],
                                                            ["T2", "S1", 30.0, 0.0]]
    tr = training_by_school(db, 2023)
    # S2: no training record (means missing), T2 rotated in; T3's rotation ended in 2022
    assert tr.fillna(-1).values.tolist() == [["S1", 2, 45.0, 10.0, 1, 0],
                                             ["S2", 0, -1, -1, 0, 1]]
    assert partnerships(db)[["partner_school", "kind", "start_year", "partner_stage"]
                            ].values.tolist() == [["S2", "branch", 2022, "primary"]]
    sup = student_support(db, 2023)
    assert (int(sup["kinds"].iloc[0]), float(sup["amount"].iloc[0])) == (2, 800.0)


def test_teacher_development_counts_programmes(db):
    got = teacher_development(db, 2023)
    # S1: T1 (host) and T2 (member, mentee) of 2; S2: none of 2 (T3 joins in 2024; B ended)
    assert got[["school_code", "teachers", "in_programme"]].values.tolist() == [
        ["S1", 2, 2], ["S2", 2, 0]]
    got = teacher_development(db, 2022)
    # 2022-2023: T1 host; T2 member from 2023-03 and mentee; T3 mentee; T4 hosts B
    assert got["in_programme"].tolist() == [2, 2]
    assert teacher_development(db, 2019).empty
