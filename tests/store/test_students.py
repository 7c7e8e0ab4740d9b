"""store.students: finding students by ID number, 考号, name within a class, and their class
of a school year, on a database built by hand here (every expected value written out)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduquality.store import Database, open_database
from eduquality.store.students import (
    canonical_national_id,
    canonical_national_ids,
    ids_by_exam_number,
    ids_by_national_id,
    person_key,
    person_keys,
    student_ids,
    students_without_events,
    year_placements,
    year_roster,
)


@pytest.fixture(scope="module")
def db(module_db_location) -> Database:
    """Students 1 甲 and 2 乙 in S1 1班 (grade 8, 2021-2022), 3 甲 in S2 2班 (grade 7);
    student 4 丁 has no class in 2021-2022 (only in 2020-2021). Student 1 has an admission
    event. E1 registers 1 as K1 and 2 as K2; E2 registers 3 as K1."""
    d = open_database(module_db_location)
    with d.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '测试省')")
        for y in ("2020-2021", "2021-2022"):
            con.execute("INSERT INTO school_year VALUES (?, ?, ?)",
                        [y, f"{y[:4]}-09-01", f"{y[5:]}-07-15"])
        con.execute("INSERT INTO school VALUES ('S1', '甲校', 'D', 'junior', 'public', 'urban',"
                    " NULL, NULL, NULL), ('S2', '乙校', 'D', 'junior', 'public', 'urban', NULL,"
                    " NULL, NULL)")
        con.execute("INSERT INTO class VALUES"
                    " ('C1', 'S1', '2021-2022', 8, '1班', 'physics', NULL),"
                    " ('C2', 'S2', '2021-2022', 7, '2班', NULL, NULL),"
                    " ('C0', 'S1', '2020-2021', 7, '1班', NULL, NULL)")
        con.execute("INSERT INTO student (student_id, national_id, name) VALUES"
                    " (1, 'G0001', '甲'), (2, 'G0002', '乙'), (3, 'G0003', '甲'),"
                    " (4, 'G0004', '丁')")
        con.execute("INSERT INTO class_membership VALUES (1, '2021-2022', 'C1'),"
                    " (2, '2021-2022', 'C1'), (3, '2021-2022', 'C2'), (4, '2020-2021', 'C0')")
        con.execute("INSERT INTO enrolment_event VALUES"
                    " (1, '2021-09-01', 'admission', 'S1', NULL)")
        con.execute("INSERT INTO exam VALUES"
                    " ('E1', '期末', 'final', 'district', '2021-2022', 2, NULL, 8),"
                    " ('E2', '期末', 'final', 'district', '2021-2022', 2, NULL, 7)")
        con.execute("INSERT INTO exam_registration VALUES ('E1', 1, 'K1', 'S1', 'C1'),"
                    " ('E1', 2, 'K2', 'S1', 'C1'), ('E2', 3, 'K1', 'S2', 'C2')")
    return d


def _pairs(frame: pd.DataFrame) -> list[tuple[str, int]]:
    return sorted((str(k), int(s)) for k, s in frame.itertuples(index=False, name=None))


def test_student_ids(db):
    assert _pairs(student_ids(db)) == [("G0001", 1), ("G0002", 2), ("G0003", 3), ("G0004", 4)]
    assert _pairs(students_without_events(db)) == [("G0002", 2), ("G0003", 3), ("G0004", 4)]


def test_student_ids_inside_a_write_see_the_students_written(db):
    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), db.write() as con:
        con.execute("INSERT INTO student (student_id, national_id, name) VALUES"
                    " (5, 'G0005', '戊')")
        assert ("G0005", 5) in _pairs(student_ids(con))
        assert ("G0005", 5) in _pairs(students_without_events(con))
        raise Rollback
    assert len(student_ids(db)) == 4


def test_ids_by_national_id(db):
    keys = pa.array(["G0003", "G0001", "G9999"], type=pa.string())
    assert _pairs(ids_by_national_id(db, keys)) == [("G0001", 1), ("G0003", 3)]  # G9999: none
    assert ids_by_national_id(db, pa.array([], type=pa.string())).empty


def test_ids_by_national_id_finds_an_id_written_without_its_g(db):
    keys = pa.array(["0001", "g0003", " g0002", "0009"], type=pa.string())
    assert _pairs(ids_by_national_id(db, keys)) == [(" g0002", 2), ("0001", 1), ("g0003", 3)]


def test_ids_by_national_id_an_id_two_students_fit_finds_none(db):
    """'0002' stored beside 'G0002' (as an import before the rule could store it): each is
    found by its own form; another form fits both and finds neither ('0001' still finds
    G0001, the one student it fits)."""
    with db.write() as con:
        con.execute("INSERT INTO student (student_id, national_id, name) VALUES"
                    " (5, '0002', '乙')")
    try:
        keys = pa.array(["0002", "G0002", "g0002", "0001"], type=pa.string())
        assert _pairs(ids_by_national_id(db, keys)) == [("0001", 1), ("0002", 5), ("G0002", 2)]
    finally:
        with db.write() as con:
            con.execute("DELETE FROM student WHERE student_id = 5")


@pytest.mark.parametrize(("text", "stored"), [
    ("530102201001011234", "G530102201001011234"),     # the 身份证号 as the 学籍号: G added
    (" 53010220100101123x ", "G53010220100101123X"),
    ("g530102201001011234", "G530102201001011234"),
    ("G530102201001011234", "G530102201001011234"),
    ("L2021530102001", "L2021530102001"),              # not a 身份证号: kept
    ("5301022010010112", "5301022010010112"),          # 16 digits: not a 身份证号
])
def test_canonical_national_id(text, stored):
    assert canonical_national_id(text) == stored


_IDS = st.one_of(st.text(max_size=22),
                 st.from_regex(r"[ gG]?\d{17}[\dxX] ?", fullmatch=True))


@given(_IDS)
def test_canonical_national_id_is_stable_and_names_the_same_person(text):
    stored = canonical_national_id(text)
    assert canonical_national_id(stored) == stored
    assert person_key(stored) == person_key(text)


def test_person_key_in_sql_is_the_python_rule(db):
    from eduquality.store.students import person_sql

    texts = ["G0001", "g0001", " 0001 ", "53010220100101123x", "GG1", "", "L1"]
    rows = ", ".join(f"('{t}')" for t in texts)
    got = db.con.execute(f"SELECT t, {person_sql('t')} FROM (VALUES {rows}) AS x(t)"
                         " WHERE t <> ?", ["-"]).fetchall()  # a parameter beside the rule
    assert {t: k for t, k in got} == {t: person_key(t) for t in texts}


def test_ids_by_exam_number_is_of_the_exam_asked(db):
    keys = pa.array(["K1", "K2", "K3"], type=pa.string())
    assert _pairs(ids_by_exam_number(db, "E1", keys)) == [("K1", 1), ("K2", 2)]
    assert _pairs(ids_by_exam_number(db, "E2", keys)) == [("K1", 3)]   # the same 考号, E2's
    assert ids_by_exam_number(db, "E9", keys).empty


def test_year_roster(db):
    every = year_roster(db, "2021-2022").sort_values("student_id")
    assert list(every.columns) == ["student_id", "name", "national_id", "school_code",
                                   "class_name", "school_name", "grade"]
    assert every.values.tolist() == [[1, "甲", "G0001", "S1", "1班", "甲校", 8],
                                     [2, "乙", "G0002", "S1", "1班", "甲校", 8],
                                     [3, "甲", "G0003", "S2", "2班", "乙校", 7]]   # 4: no class
    assert year_roster(db, "2021-2022", 8)["student_id"].sort_values().tolist() == [1, 2]
    assert year_roster(db, "2020-2021")["student_id"].tolist() == [4]


def _values(column: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in column]


def test_year_placements_keep_the_order_asked(db):
    found = year_placements(db, "2021-2022", np.array([3, -1, 1, 4, 1]))
    assert found["pos"].tolist() == [0, 1, 2, 3, 4]
    assert _values(found["student_id"]) == [3, None, 1, 4, 1]
    assert _values(found["roster_nid"]) == ["G0003", None, "G0001", "G0004", "G0001"]
    assert _values(found["roster_name"]) == ["甲", None, "甲", "丁", "甲"]
    assert _values(found["class_id"]) == ["C2", None, "C1", None, "C1"]   # 4: no class this year
    assert _values(found["school_name"]) == ["乙校", None, "甲校", None, "甲校"]
    assert _values(found["roster_class"]) == ["2班", None, "1班", None, "1班"]
    assert _values(found["class_track"]) == [None, None, "physics", None, "physics"]
    assert year_placements(db, "2021-2022", np.array([], dtype=np.int64)).empty


_ID_TEXT = st.one_of(st.none(), st.text(st.sampled_from([*"Gg0123456789Xx ", "５"]), max_size=20),
                     st.from_regex(r"[Gg]?[0-9]{17}[0-9Xx]", fullmatch=True))


@given(st.lists(_ID_TEXT, max_size=12), st.sampled_from(["str", object]))
def test_column_rules_are_the_scalar_rules(ids, dtype):
    """Property: the vectorised ``person_keys`` and ``canonical_national_ids`` give, cell by
    cell, what ``person_key`` and ``canonical_national_id`` give (missing stays missing)."""
    col = pd.Series(ids, dtype=dtype)
    for column_rule, rule in ((person_keys, person_key),
                              (canonical_national_ids, canonical_national_id)):
        got = [None if pd.isna(v) else v for v in column_rule(col).tolist()]
        assert got == [None if v is None else rule(v) for v in ids]
