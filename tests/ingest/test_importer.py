"""The importer's entry points: an import limited to some schools (``only_schools``, a school's own
upload: every row must belong to them; district-wide data is refused; the check is a problem of
the file like any other, all or nothing), and an import's result carries no language (its notes
are message keys with their parameters, rendered in the reader's language where shown)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.ingest import ImportProblems, check_file, import_paper, import_roster
from eduquality.ingest.problems import Phrase
from eduquality.store import open_database
from tests.ingest.conftest import (
    ITEMS,
    STUDENTS,
    assert_unchanged,
    roster_sheets,
    snapshot,
    write_rows,
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


SCHOOLS = {name: roster_sheets()[name] for name in ("区县", "学校")}  # S1, S2
STUDENT_ROWS = [["学籍号", "姓名", "性别", "学校代码", "年级", "班级", "联系电话", "备注"],
            ["G1", "甲", "男", "S1", 7, "1班", "13800000001", None],
            ["G2", "乙", "女", "S2", 7, "1班", None, "转学生"]]

ZH = ["文件中没有「学年」列的工作表按 2021-2022 学年导入（--year 指定）",
      "学年 2021-2022 此前不存在，已按默认日期 2021-09-01 至 2022-08-31 创建",
      "按学生名单新建班级 2 个（S1、S2 此前没有该学年的班级名单）",
      "工作表「Sheet1」中已忽略的列（不导入）：联系电话、备注"]
EN = ["sheets without a 学年 column were imported for school year 2021-2022 (given with --year)",
      "school year 2021-2022 did not exist; created with the default dates 2021-09-01 to "
      "2022-08-31",
      "2 classes created from the students' rows (S1, S2 had no class list for the year)",
      "sheet 'Sheet1': columns ignored (not imported): 联系电话, 备注"]


def test_notes_are_message_keys_rendered_in_zh_and_en(tmp_path):
    db = open_database(":memory:")
    import_roster(db, write_xlsx(tmp_path / "学校.xlsx", SCHOOLS))
    # imported in English: the notes still carry no language
    result = import_roster(db, write_rows(tmp_path / "学生.xlsx", STUDENT_ROWS), year="2021-2022",
                           lang="en")
    db.close()
    assert all(isinstance(n, Phrase) for n in result.notes)
    assert [n.key for n in result.notes] == ["ingest.note_year", "ingest.note_year_created",
                                             "ingest.note_classes_created", "ingest.note_ignored"]
    assert result.note_lines("zh") == ZH
    assert result.note_lines("en") == EN


@pytest.mark.slow
def test_the_cli_shows_the_notes_in_the_users_language(tmp_path):
    runner = CliRunner()
    schools = write_xlsx(tmp_path / "学校.xlsx", SCHOOLS)
    students = write_rows(tmp_path / "学生.xlsx", STUDENT_ROWS)
    for lang, lines in (("en", EN), ("zh", ZH)):
        db = ["--db", str(tmp_path / f"{lang}.duckdb"), "--lang", lang, "import", "roster"]
        assert runner.invoke(main, [*db, str(schools)]).exit_code == 0
        shown = runner.invoke(main, [*db, str(students), "--year", "2021-2022"])
        assert shown.exit_code == 0, shown.output
        assert all(f"  {line}" in shown.output for line in lines), shown.output
