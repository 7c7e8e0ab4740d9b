"""An import limited to some schools (``only_schools``, a school's own upload): every row must
belong to them; district-wide data (the district, years, schools, exams) is refused; the
check is a problem of the file like any other (all or nothing)."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.ingest import ImportProblems, check_file, import_paper, import_roster
from eduquality.store import open_database
from tests.ingest.conftest import (
    ITEMS,
    STUDENTS,
    assert_unchanged,
    roster_sheets,
    snapshot,
    write_xlsx,
)

S1 = frozenset({"S1"})


@pytest.fixture()
def db(tmp_path):
    d = open_database(":memory:")
    sheets = roster_sheets()
    sheets["学生"] = STUDENTS[STUDENTS["学校代码"] == "S1"]  # S2 has a class, no students yet
    import_roster(d, write_xlsx(tmp_path / "base.xlsx", sheets))
    yield d
    d.close()


def _reasons(problems) -> list[str]:
    return [p.reason for p in problems]


def test_own_school_rows_import(db, tmp_path):
    new = pd.DataFrame({"学籍号": ["G101"], "姓名": ["周九"], "性别": ["男"], "学校代码": ["S1"],
                        "学年": ["2021-2022"], "年级": [9], "班级": ["2班"]})
    path = write_xlsx(tmp_path / "s1.xlsx", {"学生": new})
    assert check_file(db, path, only_schools=S1).problems == []
    import_roster(db, path, only_schools=S1)
    assert db.scalar("SELECT name FROM student WHERE national_id = 'G101'") == "周九"


def test_another_schools_rows_are_a_problem_and_nothing_is_written(db, tmp_path):
    rows = STUDENTS[STUDENTS["学校代码"] == "S2"]
    path = write_xlsx(tmp_path / "s2.xlsx", {"学生": rows})
    checked = check_file(db, path, only_schools=S1, lang="en")
    assert _reasons(checked.problems) == ["ingest.other_schools"]
    assert checked.problems[0].message("en") == (
        "this file holds data of other schools (S2): you may import your own school's (S1) "
        "only")
    before = snapshot(db)
    with pytest.raises(ImportProblems):
        import_roster(db, path, only_schools=S1)
    assert_unchanged(db, before)
    import_roster(db, path)                                     # the district may
    assert db.scalar("SELECT count(*) FROM student WHERE national_id IN "
                     "('G004', 'G005', 'G006')") == 3


def test_district_wide_roster_kinds_are_refused(db, tmp_path):
    sheets = roster_sheets()
    path = write_xlsx(tmp_path / "all.xlsx", {"学校": sheets["学校"], "学年": sheets["学年"]})
    checked = check_file(db, path, only_schools=S1, lang="en")
    assert _reasons(checked.problems) == ["ingest.district_data"]
    assert "(school, school_year)" in checked.problems[0].message("en")


def test_a_paper_is_the_districts(db, tmp_path):
    exam = pd.DataFrame({"考试代码": ["E9"], "考试名称": ["期中"], "考试类型": ["期中"],
                         "学年": ["2021-2022"], "学期": [1], "年级": [9]})
    path = write_xlsx(tmp_path / "paper.xlsx", {"考试信息": exam, "试卷结构": ITEMS})
    before = snapshot(db)
    with pytest.raises(ImportProblems) as err:
        import_paper(db, path, only_schools=S1, lang="en")
    assert _reasons(err.value.problems)[-1] == "ingest.district_data"
    assert_unchanged(db, before)


def test_another_schools_people_are_not_rewritten(db, tmp_path):
    teachers = pd.DataFrame({"工号": ["T2"], "姓名": ["乙校老师"], "学校代码": ["S2"],
                             "任教学科": ["数学"]})
    import_roster(db, write_xlsx(tmp_path / "t.xlsx", {"教师": teachers}))
    moved = teachers.assign(学校代码="S1", 姓名="改名")       # the same teacher, claimed by S1
    checked = check_file(db, write_xlsx(tmp_path / "m.xlsx", {"教师": moved}), only_schools=S1)
    assert _reasons(checked.problems) == ["ingest.other_schools"]
    # a student of S1 (G001) may be updated by S1; one now in S2 may not
    import_roster(db, write_xlsx(tmp_path / "s2.xlsx", {
        "学生": STUDENTS[STUDENTS["学校代码"] == "S2"]}))
    mine = STUDENTS.head(1).assign(姓名="张三丰")
    assert check_file(db, write_xlsx(tmp_path / "a.xlsx", {"学生": mine}),
                      only_schools=S1).problems == []
    theirs = STUDENTS[STUDENTS["学籍号"] == "G004"].assign(学校代码="S1")
    checked = check_file(db, write_xlsx(tmp_path / "b.xlsx", {"学生": theirs}),
                         only_schools=S1, lang="en")
    assert checked.problems[0].message("en").startswith("this file holds data of other "
                                                        "schools (S2)")
