"""An import's result carries no language: its notes are message keys with their parameters,
rendered in the reader's language where they are shown (the CLI, the web)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.ingest import import_roster
from eduquality.ingest.problems import Phrase
from eduquality.store import open_database
from tests.ingest.conftest import roster_sheets, write_rows, write_xlsx

SCHOOLS = {name: roster_sheets()[name] for name in ("区县", "学校")}  # S1, S2
STUDENTS = [["学籍号", "姓名", "性别", "学校代码", "年级", "班级", "联系电话", "备注"],
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
    result = import_roster(db, write_rows(tmp_path / "学生.xlsx", STUDENTS), year="2021-2022",
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
    students = write_rows(tmp_path / "学生.xlsx", STUDENTS)
    for lang, lines in (("en", EN), ("zh", ZH)):
        db = ["--db", str(tmp_path / f"{lang}.duckdb"), "--lang", lang, "import", "roster"]
        assert runner.invoke(main, [*db, str(schools)]).exit_code == 0
        shown = runner.invoke(main, [*db, str(students), "--year", "2021-2022"])
        assert shown.exit_code == 0, shown.output
        assert all(f"  {line}" in shown.output for line in lines), shown.output
