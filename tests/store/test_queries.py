"""The store's read functions (store.exams, store.units, store.rosters, store.papers,
store.lines, store.refs) on a database built by hand here, with every expected value written
out. (store.students and store.imports: tests/store/test_students.py, test_imports.py.)"""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.errors import NotFoundError
from eduquality.store import Database, open_database
from eduquality.store.exams import (
    ExamRecord,
    busiest_exam_with_items,
    cohort_exam_ids,
    exam_data_fingerprint,
    exam_subject_codes,
    exams_of_type,
    exams_of_year,
    find_exam,
    later_cohort_exam_ids,
    latest_exam_id,
)
from eduquality.store.lines import cut_lines, score_distribution
from eduquality.store.papers import (
    exam_item_keys,
    exam_items,
    exam_knowledge_tags,
    exam_papers,
    item_tags,
    paper_items,
    papers_with_item_scores,
    papers_without_items,
    present_item_scores,
    students_item_scores,
)
from eduquality.store.refs import exists, keys, require_ref
from eduquality.store.rosters import (
    Placement,
    exam_numbers,
    first_placement,
    present_scores,
    registered_identities,
    registrations,
    subject_teachers,
)
from eduquality.store.units import (
    class_lists,
    classes,
    school_aliases,
    school_names,
    unit_names,
)


@pytest.fixture(scope="module")
def db(module_db_location) -> Database:
    """Two schools (S1 peer group A, alias 一中; S2 none); E0 grade 7 last year, E1 grade 8 this
    year with 数学 (2 items, item scores) and 语文 (no items); student 3 absent from E1 数学;
    S1 has a class list for 2021-2022."""
    d = open_database(module_db_location)
    with d.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '测试省')")
        for y in ("2020-2021", "2021-2022"):
            con.execute("INSERT INTO school_year VALUES (?, ?, ?)",
                        [y, f"{y[:4]}-09-01", f"{y[5:]}-07-15"])
        con.execute("INSERT INTO school VALUES ('S1', '甲校', 'D', 'junior', 'public', 'urban',"
                    " NULL, 'A', NULL), ('S2', '乙校', 'D', 'junior', 'public', 'urban', NULL,"
                    " NULL, NULL)")
        con.execute("INSERT INTO teacher (teacher_id, name, school_code) VALUES"
                    " ('T1', '王老师', 'S1')")
        con.execute("INSERT INTO class VALUES ('C1', 'S1', '2021-2022', 8, '1班', NULL, NULL),"
                    " ('C2', 'S2', '2021-2022', 8, '2班', NULL, NULL),"
                    " ('C9', 'S2', '2021-2022', 8, '9班', NULL, NULL)")
        con.execute("INSERT INTO school_alias VALUES ('S1', '一中', 'alias'),"
                    " ('S1', '城关中学', 'former')")
        con.execute("INSERT INTO class_list VALUES ('S1', '2021-2022')")
        con.execute("INSERT INTO teaching_assignment VALUES ('C2', 'math', 'T1')")
        con.execute("INSERT INTO student (student_id, national_id, name) VALUES"
                    " (1, 'G0001', '甲'), (2, 'G0002', '乙'), (3, 'G0003', '丙')")
        con.execute("INSERT INTO exam VALUES"
                    " ('E0', '期末', 'final', 'district', '2020-2021', 2, '2021-06-30', 7),"
                    " ('E1', '期末', 'final', 'district', '2021-2022', 2, '2022-06-30', 8),"
                    " ('M1', '期中', 'midterm', 'school', '2021-2022', 1, NULL, 8)")
        con.execute("INSERT INTO paper VALUES ('E1/math', 'E1', 'math', NULL, 10),"
                    " ('E1/chinese', 'E1', 'chinese', NULL, 100),"
                    " ('E0/math', 'E0', 'math', NULL, 10)")
        con.execute("INSERT INTO item VALUES"
                    " ('E1/math', 1, '1', 'objective', 4, 'A', '理解', NULL),"
                    " ('E1/math', 2, '2', 'subjective', 6, NULL, NULL, NULL)")
        con.execute("INSERT INTO item_knowledge VALUES ('E1/math', 1, '函数', 1),"
                    " ('E1/math', 2, '几何', 0.5)")
        con.execute("INSERT INTO exam_registration VALUES"
                    " ('E1', 1, 'K1', 'S1', 'C1'), ('E1', 2, 'K2', 'S2', 'C2'),"
                    " ('E1', 3, 'K3', 'S2', 'C2'), ('E0', 1, 'P1', 'S1', 'C1')")
        con.execute("INSERT INTO subject_result VALUES"
                    " ('E1/math', 1, 'present', 7), ('E1/math', 2, 'present', 4),"
                    " ('E1/math', 3, 'absent', NULL), ('E1/chinese', 1, 'present', 90),"
                    " ('E0/math', 1, 'present', 6)")
        con.execute("INSERT INTO item_score VALUES"
                    " ('E1/math', 1, 1, 4, 'A'), ('E1/math', 1, 2, 3, NULL),"
                    " ('E1/math', 2, 1, 0, 'C'), ('E1/math', 2, 2, 4, NULL),"
                    " ('E1/math', 3, 1, NULL, NULL)")
        con.execute("INSERT INTO cut_line VALUES"
                    " (2021, '测试省', 'gaokao', 'physics', '二本', 420),"
                    " (2021, '测试省', 'gaokao', 'physics', '一本', 510),"
                    " (2021, '测试省', 'zhongkao', NULL, '普高', 500)")
        con.execute("INSERT INTO score_distribution VALUES"
                    " (2021, '测试省', 'gaokao', 'physics', 510, 7, 7)")
    return d


def test_find_exam_is_typed_and_none_when_unknown(db):
    assert find_exam(db, "E1") == ExamRecord("E1", "期末", "final", "district", "2021-2022",
                                             2, "2022-06-30", 8)
    assert find_exam(db, "M1").exam_date is None
    assert find_exam(db, "nope") is None


def test_exam_lists(db):
    assert exam_subject_codes(db, "E1") == ["chinese", "math"]  # 语文 before 数学, whatever the entry order
    assert cohort_exam_ids(db, find_exam(db, "E1"), "final") == ["E0"]  # one grade lower
    assert cohort_exam_ids(db, find_exam(db, "E1"), "midterm") == []
    # one grade higher per year on, same scope (M1 is a school's own exam): E0 → E1 only
    assert later_cohort_exam_ids(db, find_exam(db, "E0")) == ["E1"]
    assert later_cohort_exam_ids(db, find_exam(db, "E1")) == []
    assert [e.exam_id for e in exams_of_year(db, "2021-2022", 8, ["final", "midterm"])] == [
        "E1", "M1"]                                                    # undated last
    assert exams_of_year(db, "2021-2022", 8, []) == []
    assert [e.exam_id for e in exams_of_type(db, "final")] == ["E0", "E1"]
    assert busiest_exam_with_items(db, "final") == "E1"   # E1 has item scores, E0 none
    assert busiest_exam_with_items(db, "monitoring") is None
    assert latest_exam_id(db) == "E1"


def test_fingerprint_changes_with_results(db):
    before = exam_data_fingerprint(db, "E1")
    assert before[:3] == (5 - 1, 7 + 4 + 90, 3)   # E1 results (count, sum), registrations
    with db.write() as con:
        con.execute("UPDATE subject_result SET score = 5 WHERE paper_id = 'E1/math'"
                    " AND student_id = 2")
    try:
        assert exam_data_fingerprint(db, "E1") != before
    finally:
        with db.write() as con:
            con.execute("UPDATE subject_result SET score = 4 WHERE paper_id = 'E1/math'"
                        " AND student_id = 2")


def test_unit_names(db):
    every = unit_names(db)
    assert every["school"] == {"S1": "甲校", "S2": "乙校"}
    assert every["peer"] == {"S1": "A", "S2": ""}
    assert every["class"] == {"C1": "1班", "C2": "2班", "C9": "9班"}
    assert every["teacher"] == {"T1": "王老师"}
    assert unit_names(db, "E1")["class"] == {"C1": "1班", "C2": "2班"}   # registered only


def test_rosters(db):
    reg = registrations(db, "E1").sort_values("student_id")
    assert list(reg.columns) == ["student_id", "school_code", "class_id", "peer_group"]
    assert reg["school_code"].tolist() == ["S1", "S2", "S2"]
    assert reg["peer_group"].tolist()[0] == "A" and reg["peer_group"].isna().tolist()[1:] == [
        True, True]
    assert subject_teachers(db, "math").to_dict("records") == [
        {"class_id": "C2", "teacher_id": "T1"}]
    ids = registered_identities(db, "E1").sort_values("student_id")
    assert ids["national_id"].tolist() == ["G0001", "G0002", "G0003"]   # unmasked
    scores = present_scores(db, "math", ["E1", "E0"]).sort_values(["exam_id", "student_id"])
    assert scores.values.tolist() == [["E0", 1, 6.0], ["E1", 1, 7.0], ["E1", 2, 4.0]]
    assert first_placement(db, "E1") == Placement("S2", "C2", 2, "T1")   # taught class first
    assert first_placement(db, "M1") is None


def test_papers_and_items(db):
    assert papers_with_item_scores(db, "E1").values.tolist() == [["E1/math", "math", 10.0]]
    assert paper_items(db, "E1/math")["seq"].tolist() == [1, 2]
    long = present_item_scores(db, "E1/math").to_pylist()
    assert [(r["student_id"], r["seq"], r["score"]) for r in long] == [
        (1, 1, 4.0), (1, 2, 3.0), (2, 1, 0.0), (2, 2, 4.0)]          # absent student 3 left out
    tags = item_tags(db, "E1/math").sort_values(["kind", "seq"])
    assert tags.values.tolist() == [[1, "理解", 1.0, "ability"], [1, "函数", 1.0, "knowledge"],
                                    [2, "几何", 0.5, "knowledge"]]
    assert len(exam_items(db, "E1")) == 2
    assert exam_knowledge_tags(db, "E1")["tag"].tolist() == ["函数", "几何"]
    own = students_item_scores(db, "E1", [2])
    assert sorted(own["score"].tolist()) == [0.0, 4.0] and set(own["student_id"]) == {2}


def test_lines(db):
    assert cut_lines(db, "gaokao", 2021).values.tolist() == [
        ["physics", "一本", 510.0], ["physics", "二本", 420.0]]          # highest line first
    assert cut_lines(db, "zhongkao", 2021)["line"].tolist() == ["普高"]
    assert score_distribution(db, "gaokao", 2021).values.tolist() == [["physics", 510.0, 7]]


def test_refs(db):
    assert exists(db, "exam", "E1") and not exists(db, "school", "S9")
    require_ref(db, "class", "C1", "zh")
    with pytest.raises(NotFoundError, match="找不到学校 S9"):
        require_ref(db, "school", "S9", "zh")
    with pytest.raises(NotFoundError, match="teacher not found: T9"):
        require_ref(db, "teacher", "T9", "en")


def test_keys_on_record(db):
    assert keys(db, "school") == {"S1", "S2"}
    assert keys(db, "year") == {"2020-2021", "2021-2022"}
    assert keys(db, "district") == {"D"}
    assert keys(db, "teacher") == {"T1"}
    assert keys(db, "exam") == {"E0", "E1", "M1"}


def test_school_names_aliases_classes(db):
    assert school_names(db) == {"S1": "甲校", "S2": "乙校"}
    assert sorted(school_aliases(db).itertuples(index=False, name=None)) == [
        ("S1", "一中"), ("S1", "城关中学")]                        # aliases and former names
    every = classes(db).sort_values("class_id")
    assert list(every.columns) == ["class_id", "school_code", "year_code", "grade", "name"]
    assert every.values.tolist() == [["C1", "S1", "2021-2022", 8, "1班"],
                                     ["C2", "S2", "2021-2022", 8, "2班"],
                                     ["C9", "S2", "2021-2022", 8, "9班"]]
    assert classes(db, "2020-2021").empty and len(classes(db, "2021-2022")) == 3
    assert class_lists(db) == {("S1", "2021-2022")}


def test_classes_inside_a_write_sees_the_rows_written(db):
    """On the connection of a write transaction, the read sees what it has just written."""
    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), db.write() as con:
        con.execute("INSERT INTO class VALUES ('C7', 'S1', '2020-2021', 7, '7班', NULL, NULL)")
        assert classes(con, "2020-2021")["class_id"].tolist() == ["C7"]
        raise Rollback
    assert classes(db, "2020-2021").empty


def test_exam_numbers(db):
    regs = exam_numbers(db, "E1").sort_values("student_id")
    assert list(regs.columns) == ["exam_number", "student_id", "national_id"]
    assert regs.values.tolist() == [["K1", 1, "G0001"], ["K2", 2, "G0002"],
                                    ["K3", 3, "G0003"]]               # unmasked, to match
    assert exam_numbers(db, "E0").values.tolist() == [["P1", 1, "G0001"]]
    assert exam_numbers(db, "M1").empty


def test_exam_papers_and_item_keys(db):
    papers = exam_papers(db, "E1").sort_values("paper_id")
    assert papers.values.tolist() == [["E1/chinese", "chinese", None, 100.0],
                                      ["E1/math", "math", None, 10.0]]
    assert papers_without_items(db, "E1").values.tolist() == [["E1/chinese", "chinese"]]
    assert papers_without_items(db, "E0")["paper_id"].tolist() == ["E0/math"]
    with db.write() as con:
        con.execute("INSERT INTO optional_group VALUES ('E1/math', 'G', 1)")
        con.execute("UPDATE item SET optional_group = 'G' WHERE paper_id = 'E1/math' AND seq = 2")
    try:
        found = exam_item_keys(db, "E1")
        assert list(found.columns) == ["paper_id", "seq", "item_no", "item_type", "full_marks",
                                       "answer_key", "optional_group", "n_counted"]
        assert found[["seq", "item_no", "full_marks"]].values.tolist() == [
            [1, "1", 4.0], [2, "2", 6.0]]
        assert found["answer_key"].iloc[0] == "A" and pd.isna(found["answer_key"].iloc[1])
        assert pd.isna(found["optional_group"].iloc[0]) and found["optional_group"].iloc[1] == "G"
        assert found["n_counted"].isna().tolist() == [True, False]
        assert found["n_counted"].iloc[1] == 1
        assert exam_item_keys(db, "E0").empty
    finally:
        with db.write() as con:
            con.execute("UPDATE item SET optional_group = NULL WHERE paper_id = 'E1/math'")
            con.execute("DELETE FROM optional_group")
