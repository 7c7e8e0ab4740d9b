"""`eduquality import …`: exit codes, messages in both languages, the error file — on both
stores (``command_db``: a DuckDB file or a PostgreSQL URL)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from eduquality.cli import main
from tests.ingest.conftest import EXAM, ITEMS, roster_sheets, write_rows, write_xlsx

pytestmark = pytest.mark.slow  # every test here is slow: `make test` runs it, `make check` not


def _setup(tmp_path, db: str) -> tuple[CliRunner, str]:
    runner = CliRunner()
    roster = write_xlsx(tmp_path / "名册.xlsx", roster_sheets())
    paper = write_xlsx(tmp_path / "试卷.xlsx", {"考试信息": EXAM, "试卷结构": ITEMS})
    assert runner.invoke(main, ["--db", db, "import", "roster", str(roster)]).exit_code == 0
    res = runner.invoke(main, ["--db", db, "import", "paper", str(paper), "--user", "教研员"])
    assert res.exit_code == 0, res.output
    return runner, db


def test_import_commands_and_unchanged(tmp_path, command_db):
    runner, db = _setup(tmp_path, command_db)
    scores = write_rows(tmp_path / "s.csv", [["学籍号", "数学"], ["G001", 20]])
    res = runner.invoke(main, ["--db", db, "import", "scores", str(scores), "--exam", "E1"])
    assert res.exit_code == 0, res.output
    assert "已导入 s.csv：读取 1 行" in res.output
    res = runner.invoke(main, ["--db", db, "--lang", "en", "import", "scores", str(scores),
                               "--exam", "E1"])
    assert res.exit_code == 0 and "identical to the last import" in res.output


def test_problems_exit_code_and_listing(tmp_path, command_db):
    runner, db = _setup(tmp_path, command_db)
    rows = [["学籍号", "数学"]] + [[f"X{i}", 1] for i in range(55)] + [["G001", 99]]
    scores = write_rows(tmp_path / "bad.csv", rows)
    errors = tmp_path / "问题.csv"
    res = runner.invoke(main, ["--db", db, "import", "scores", str(scores), "--exam", "E1",
                               "--errors", str(errors)])
    assert res.exit_code == 2
    assert "文件 bad.csv 有 56 个问题，未导入任何数据" in res.output
    # the same problem in 55 rows is one line with the row range and the count
    assert "第 2–56 行，A（学籍号） 列：学籍号不存在（请先导入学生名册）（共 55 处）" in res.output
    assert "第 57 行，B（数学） 列，值「99」：成绩超过试卷满分 32" in res.output
    assert f"完整问题清单：{errors}" in res.output
    assert errors.is_file() and len(errors.read_text(encoding="utf-8-sig").splitlines()) == 57
    res = runner.invoke(main, ["--db", db, "--lang", "en", "import", "scores", str(scores),
                               "--exam", "E1", "--errors", str(errors)])
    assert res.exit_code == 2 and "56 problem(s) in bad.csv" in res.output
    assert "score above the paper's full marks 32" in errors.read_text(encoding="utf-8-sig")


def test_bad_map_and_missing_file(tmp_path, command_db):
    runner, db = _setup(tmp_path, command_db)
    scores = write_rows(tmp_path / "s.csv", [["学籍号", "数学"], ["G001", 20]])
    res = runner.invoke(main, ["--db", db, "import", "scores", str(scores), "--exam", "E1",
                               "--map", "没有等号"])
    assert res.exit_code == 2 and "格式应为 列名=字段" in res.output
    res = runner.invoke(main, ["--db", db, "import", "roster", str(tmp_path / "无.xlsx")])
    assert res.exit_code == 2 and "找不到文件" in res.output
    res = runner.invoke(main, ["--db", db, "import", "roster", str(scores), "--kind", "x"])
    assert res.exit_code == 2 and "未知名册类型 x" in res.output


def test_an_import_into_an_exam_stores_its_analysis(tmp_path, command_db):
    """After the import commits, the exam is analysed once and stored, with a progress line;
    an unchanged file analyses nothing."""
    from eduquality.analysis.stored import analysis_key, stored_analysis
    from eduquality.config import Settings
    from eduquality.store import open_database
    from eduquality.store.analysis_store import stored_keys

    runner, db = _setup(tmp_path, command_db)
    scores = write_rows(tmp_path / "s.csv", [["学籍号", "数学"], ["G001", 20], ["G002", 25]])
    res = runner.invoke(main, ["--db", db, "import", "scores", str(scores), "--exam", "E1"])
    assert res.exit_code == 0, res.output
    assert "正在分析考试 E1" in res.output and "考试 E1 的分析已保存" in res.output
    with open_database(db) as d:
        key = stored_keys(d)["E1"]
        assert key == analysis_key(d, "E1", Settings())
        made = d.scalar("SELECT created_at FROM exam_analysis WHERE exam_id = 'E1'")
    res = runner.invoke(main, ["--db", db, "--lang", "en", "import", "scores", str(scores),
                               "--exam", "E1"])
    assert res.exit_code == 0 and "analysing" not in res.output
    with open_database(db) as d:
        assert d.scalar("SELECT created_at FROM exam_analysis WHERE exam_id = 'E1'") == made
    # a re-import with other scores: the stored analysis is replaced by one of the new data
    changed = write_rows(tmp_path / "s.csv", [["学籍号", "数学"], ["G001", 21], ["G002", 25]])
    res = runner.invoke(main, ["--db", db, "import", "scores", str(changed), "--exam", "E1"])
    assert res.exit_code == 0 and "正在分析考试 E1" in res.output, res.output
    with open_database(db) as d:
        assert stored_keys(d)["E1"] != key
        assert stored_keys(d)["E1"] == analysis_key(d, "E1", Settings())
        students = stored_analysis(d, "E1", Settings()).students
        assert sorted(students.loc[students["subject_code"] == "math", "score"]) == [21, 25]
