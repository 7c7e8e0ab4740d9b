"""`import check` (dry run: nothing written) and mapping templates (saved, applied by name or by
header fingerprint)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.errors import EduQualityError
from eduquality.ingest import (
    ImportProblems,
    check_file,
    import_roster,
    import_scores,
)
from eduquality.ingest.readers import read_sheets
from eduquality.ingest.templates import candidate_fingerprints, header_fingerprint
from tests.ingest.conftest import (
    EXAM,
    ITEMS,
    assert_unchanged,
    roster_sheets,
    snapshot,
    write_rows,
    write_xlsx,
)

HEAD = ["学生学籍编码", "学生名", "语文得分", "英语得分"]
MAP = ["学生学籍编码=national_id", "学生名=name", "语文得分=语文", "英语得分=英语"]


def marking_file(path, scores, title="2022年1月 九年级期末 成绩"):
    """A marking system's export: a title row, then the table with its own header texts."""
    rows = [[title], HEAD]
    rows += [[f"G00{i + 1}", n, a, b] for i, (n, a, b) in enumerate(scores)]
    return write_rows(path, rows)


SCORES_JAN = [("张三", 90, 120), ("李四", "缺考", 99), ("王五", 70, 80)]
SCORES_FEB = [("张三", 91, 121), ("李四", 60, 98), ("王五", 71, "缺考")]  # 李四 语文 and 王五
# 英语 change status: the re-import updates status and score together


def results(db) -> list[tuple[str, str, str, float | None]]:
    got = db.sql("""SELECT s.national_id, r.paper_id, r.status, r.score
                    FROM subject_result r JOIN student s USING (student_id)
                    ORDER BY s.national_id, r.paper_id""")
    return [(a, b, c, None if pd.isna(d) else float(d)) for a, b, c, d in got.itertuples(
        index=False)]



@pytest.fixture()
def district(any_district):
    """Every test of this module that touches the store runs on both."""
    return any_district

# -- fingerprints -------------------------------------------------------------------------
def test_fingerprint_ignores_spacing_width_and_trailing_blanks():
    assert header_fingerprint([["学籍号", "17（2）", ""]]) == header_fingerprint(
        [[" 学籍 号", "17(2)"]])
    assert header_fingerprint([["学籍号", "姓名"]]) != header_fingerprint([["姓名", "学籍号"]])


def test_candidates_find_the_header_below_any_title(tmp_path):
    a = read_sheets(marking_file(tmp_path / "a.xlsx", SCORES_JAN, "一月"))
    b = read_sheets(marking_file(tmp_path / "b.xlsx", SCORES_FEB, "二月"))
    head = header_fingerprint([HEAD])
    assert head in candidate_fingerprints(a) and head in candidate_fingerprints(b)


# -- import check -------------------------------------------------------------------------
@pytest.mark.slow
def test_check_shows_kind_mapping_counts_and_writes_nothing(district, tmp_path):
    path = marking_file(tmp_path / "成绩.xlsx", SCORES_JAN)
    before = snapshot(district)
    result = check_file(district, path, exam_id="E1", mapping=MAP)
    assert_unchanged(district, before)  # import_log included: no row
    assert result.outcome == "checked" and result.kind == "scores"
    assert result.problems == []
    (sheet,) = result.mapping
    assert sheet.header_rows == (1,)
    assert sheet.columns == (("A", "学生学籍编码", "national_id"), ("B", "学生名", "name"),
                             ("C", "语文得分", "语文"), ("D", "英语得分", "英语"))
    assert result.rows_read == 3
    assert result.counts == {"exam_registration": 3, "subject_result": 6, "item_score": 0}


@pytest.mark.slow
def test_check_reports_the_problems_without_an_error_file(district, tmp_path):
    path = marking_file(tmp_path / "成绩.xlsx", SCORES_JAN)
    before = snapshot(district)
    result = check_file(district, path, exam_id="E1")
    assert_unchanged(district, before)
    assert {p.reason for p in result.problems} >= {"ingest.unknown_column"}
    assert result.counts == {}
    assert not list(tmp_path.glob("*问题清单*"))


@pytest.mark.slow
def test_check_detects_roster_and_paper(district, tmp_path):
    roster = write_xlsx(tmp_path / "名册.xlsx", roster_sheets())
    got = check_file(district, roster)
    assert got.kind == "roster" and not got.problems
    assert {m.kind for m in got.mapping} == {"district", "school_year", "school", "class",
                                             "student"}
    assert got.counts["student"] == 6
    paper = write_xlsx(tmp_path / "试卷.xlsx", {"考试信息": EXAM, "试卷结构": ITEMS})
    got = check_file(district, paper)
    assert got.kind == "paper" and got.counts["item"] == len(ITEMS)
    (items,) = got.mapping
    assert items.sheet == "试卷结构" and ("B", "题号", "item_no") in items.columns


@pytest.mark.slow
def test_check_of_scores_needs_the_exam(district, tmp_path):
    path = marking_file(tmp_path / "成绩.xlsx", SCORES_JAN)
    with pytest.raises(EduQualityError, match="--exam"):
        check_file(district, path, kind="scores")


NEW_STUDENTS = [["学籍号", "姓名", "性别", "学校代码", "年级", "班级"],
                ["G101", "周一", "男", "S1", 7, "3班"], ["G102", "吴二", "女", "S1", 7, "3班"]]
"""A student list without 学年 (so for the year given with --year), of a class not yet listed."""


@pytest.mark.slow
def test_check_of_a_roster_takes_the_year_and_says_what_the_import_would_do(district,
                                                                             tmp_path):
    """The dry run of a roster without 学年 checks it for ``year`` as the import does, and
    states the same facts as the import, as what would happen (nothing was done)."""
    path = write_rows(tmp_path / "学生.xlsx", NEW_STUDENTS)
    before = snapshot(district)
    got = check_file(district, path, year="2022-2023")
    assert_unchanged(district, before)
    assert got.kind == "roster" and not got.problems
    assert got.counts == {"student": 2, "school_year": 1, "class": 1}
    assert got.note_lines("zh") == [
        "文件中没有「学年」列的工作表将按 2022-2023 学年导入（--year 指定）",
        "学年 2022-2023 尚不存在，导入时将按默认日期 2022-09-01 至 2023-08-31 创建",
        "导入时将按学生名单新建班级 1 个（S1 尚无该学年的班级名单）",
    ]
    assert got.note_lines("en") == [
        "sheets without a 学年 column would be imported for school year 2022-2023 "
        "(given with --year)",
        "school year 2022-2023 does not exist yet; the import would create it with the default "
        "dates 2022-09-01 to 2023-08-31",
        "the import would create 1 classes from the students' rows (no class list for the "
        "year yet at S1)",
    ]
    done = import_roster(district, path, year="2022-2023")
    assert done.note_lines("zh") == [
        "文件中没有「学年」列的工作表按 2022-2023 学年导入（--year 指定）",
        "学年 2022-2023 此前不存在，已按默认日期 2022-09-01 至 2023-08-31 创建",
        "按学生名单新建班级 1 个（S1 此前没有该学年的班级名单）",
    ]


@pytest.mark.slow
def test_check_of_a_roster_with_an_exam_says_what_it_would_register(district, tmp_path):
    """``exam_id`` reaches the roster's dry run as ``import roster --exam`` (its 考号 checked
    and counted), in the dry run's wording."""
    rows = [["学籍号", "姓名", "性别", "学校代码", "学年", "年级", "班级", "考号"],
            ["G001", "张三", "男", "S1", "2021-2022", 9, "1班", "K001"],
            ["G002", "李四", "女", "S1", "2021-2022", 9, "1班", None]]
    path = write_rows(tmp_path / "考号.xlsx", rows)
    got = check_file(district, path, kind="roster", exam_id="E1")
    assert not got.problems
    assert got.note_lines("zh")[-2:] == ["考试 E1：将登记考号 1 个",
                                         "考试 E1：1 名学生没有填写考号，将不会登记"]
    assert got.note_lines("en")[-2:] == [
        "exam E1: 1 exam numbers would be registered",
        "exam E1: 1 students without a 考号 would not be registered"]


# -- templates ----------------------------------------------------------------------------
@pytest.mark.slow
def test_saved_template_imports_next_months_file_with_no_flags(district, tmp_path):
    jan = marking_file(tmp_path / "一月.xlsx", SCORES_JAN)
    first = import_scores(district, jan, "E1", mapping=MAP, save_template="阅卷系统")
    assert first.template_saved == "阅卷系统" and first.template is None
    feb = marking_file(tmp_path / "二月.xlsx", SCORES_FEB, title="2022年2月 月考")
    second = import_scores(district, feb, "E1")
    assert (second.template, second.template_how) == ("阅卷系统", "headers")
    assert results(district) == [
        ("G001", "E1/chinese", "present", 91.0), ("G001", "E1/english", "present", 121.0),
        ("G002", "E1/chinese", "present", 60.0), ("G002", "E1/english", "present", 98.0),
        ("G003", "E1/chinese", "present", 71.0), ("G003", "E1/english", "absent", None),
    ]
    again = import_scores(district, feb, "E1", template="阅卷系统", force=True)
    assert (again.template, again.template_how) == ("阅卷系统", "named")


@pytest.mark.slow
def test_command_line_flags_win_over_the_template(district, tmp_path):
    jan = marking_file(tmp_path / "一月.xlsx", SCORES_JAN)
    import_scores(district, jan, "E1", mapping=MAP, save_template="阅卷系统")
    feb = marking_file(tmp_path / "二月.xlsx", SCORES_FEB)
    got = import_scores(district, feb, "E1", mapping=["英语得分=-"])  # 英语 ignored this time
    assert got.template == "阅卷系统"
    english = [r for r in results(district) if r[1] == "E1/english"]
    assert [r[3] for r in english] == [120.0, 99.0, 80.0]  # still January's
    assert [r[3] for r in results(district) if r[1] == "E1/chinese"] == [91.0, 60.0, 71.0]


@pytest.mark.slow
def test_other_headers_get_no_template(district, tmp_path):
    import_scores(district, marking_file(tmp_path / "一月.xlsx", SCORES_JAN), "E1", mapping=MAP,
                  save_template="阅卷系统")
    other = write_rows(tmp_path / "其他.xlsx", [["学籍编码X", "语文"], ["G001", 50]])
    before = snapshot(district)
    with pytest.raises(ImportProblems):
        import_scores(district, other, "E1")
    assert_unchanged(district, before)


@pytest.mark.slow
def test_a_failed_import_saves_no_template(district, tmp_path):
    bad = marking_file(tmp_path / "一月.xlsx", [("张三", 999, 120)])
    before = snapshot(district)
    with pytest.raises(ImportProblems):
        import_scores(district, bad, "E1", mapping=MAP, save_template="阅卷系统")
    assert_unchanged(district, before)
    assert district.scalar("SELECT count(*) FROM import_template") == 0


@pytest.mark.slow
def test_unknown_template_and_template_of_another_kind(district, tmp_path):
    jan = marking_file(tmp_path / "一月.xlsx", SCORES_JAN)
    with pytest.raises(EduQualityError, match="没有名为「无此模板」的导入模板"):
        import_scores(district, jan, "E1", template="无此模板")
    import_scores(district, jan, "E1", mapping=MAP, save_template="阅卷系统")
    roster = write_xlsx(tmp_path / "名册.xlsx", roster_sheets())
    with pytest.raises(EduQualityError, match="阅卷系统"):
        import_roster(district, roster, template="阅卷系统")


@pytest.mark.slow
def test_template_keeps_the_options(district, tmp_path):
    jan = marking_file(tmp_path / "一月.xlsx", SCORES_JAN)
    import_scores(district, jan, "E1", mapping=MAP, save_template="阅卷系统")
    stored = district.sql("SELECT kind, mapping, options FROM import_template")
    assert stored["kind"].tolist() == ["scores"]
    assert '"学生学籍编码": "national_id"' in stored["mapping"].iloc[0]
    assert stored["options"].iloc[0] == "{}"


# -- command line -------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_check_and_template(district, tmp_path):
    from eduquality.cli import main

    path = district.path
    district.close()
    runner = CliRunner()
    jan = marking_file(tmp_path / "一月.xlsx", SCORES_JAN)
    maps = [a for m in MAP for a in ("--map", m)]
    res = runner.invoke(main, ["--db", path, "import", "check", str(jan), "--exam", "E1", *maps])
    assert res.exit_code == 0, res.output
    assert "成绩（scores）" in res.output and "A  学生学籍编码 → national_id" in res.output
    assert "没有问题" in res.output
    res = runner.invoke(main, ["--db", path, "import", "check", str(jan), "--exam", "E1"])
    assert res.exit_code == 2 and "缺少必需的列「学籍号」" in res.output
    res = runner.invoke(main, ["--db", path, "import", "scores", str(jan), "--exam", "E1", *maps,
                               "--save-template", "阅卷系统"])
    assert res.exit_code == 0, res.output
    assert "已保存导入模板「阅卷系统」" in res.output
    feb = marking_file(tmp_path / "二月.xlsx", SCORES_FEB)
    res = runner.invoke(main, ["--db", path, "import", "scores", str(feb), "--exam", "E1"])
    assert res.exit_code == 0, res.output
    assert "表头与导入模板「阅卷系统」相符，已套用" in res.output


@pytest.mark.slow
def test_cli_check_of_a_roster_takes_year(district, tmp_path):
    """`import check --year` as `import roster --year`, its notes in the dry run's wording."""
    from eduquality.cli import main

    path = district.path
    district.close()
    students = write_rows(tmp_path / "学生.xlsx", NEW_STUDENTS)
    runner = CliRunner()
    res = runner.invoke(main, ["--db", path, "import", "check", str(students),
                               "--year", "2022-2023"])
    assert res.exit_code == 0, res.output
    assert "文件中没有「学年」列的工作表将按 2022-2023 学年导入（--year 指定）" in res.output
    assert "学年 2022-2023 尚不存在，导入时将按默认日期 2022-09-01 至 2023-08-31 创建" in res.output
    assert "已按" not in res.output and "此前不存在" not in res.output
    res = runner.invoke(main, ["--db", path, "--lang", "en", "import", "check", str(students),
                               "--year", "2022-2023"])
    assert res.exit_code == 0, res.output
    assert "the import would create 1 classes from the students' rows" in res.output


@pytest.mark.slow
def test_cli_check_names_the_error_file_only_when_it_wrote_one(district, tmp_path):
    """More problems than the screen shows: without --errors the last line says how to get the
    full list (no file named, none written); with --errors it names the file written."""
    from eduquality.cli import main

    path = district.path
    district.close()
    head = ["学籍号", "数学", *[f"附加{k}" for k in range(52)]]  # 52 unknown columns: 52 lines
    scores = write_rows(tmp_path / "成绩.xlsx", [head, ["G001", 20, *[""] * 52]])
    runner = CliRunner()
    res = runner.invoke(main, ["--db", path, "import", "check", str(scores), "--exam", "E1"])
    assert res.exit_code == 2, res.output
    assert res.output.rstrip().endswith(
        "……还有 2 个问题未列出；加上 --errors 问题清单.xlsx 可写出完整清单")
    assert "错误文件" not in res.output
    assert not list(tmp_path.glob("*.csv")) and [p.name for p in tmp_path.glob("*.xlsx")] == [
        "成绩.xlsx"]
    res = runner.invoke(main, ["--db", path, "--lang", "en", "import", "check", str(scores),
                               "--exam", "E1"])
    assert res.output.rstrip().endswith(
        "…and 2 more problem(s) not shown; add --errors FILE.xlsx to write the full list")
    errors = tmp_path / "问题.xlsx"
    res = runner.invoke(main, ["--db", path, "import", "check", str(scores), "--exam", "E1",
                               "--errors", str(errors)])
    assert res.exit_code == 2
    assert res.output.rstrip().endswith(f"……还有 2 个问题，完整清单见错误文件 {errors}")
    assert errors.is_file()
