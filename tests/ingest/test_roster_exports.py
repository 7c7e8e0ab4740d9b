"""Rosters as the 学籍 system and schools export them (issue 9 §1), on files built by hand:
schools named by name, alias or former name; no 学年 column (--year, or the school year
containing today); the grade in the class name; classes from the students' rows; columns a
roster does not store listed as ignored; --exam registering the 考号."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.ingest import ImportProblems, import_paper, import_roster
from eduquality.store import open_database
from eduquality.store.catalog import column_types
from eduquality.vocab import school_year_dates, school_year_of
from tests.ingest.conftest import EXAM, ITEMS, assert_unchanged, snapshot, write_xlsx

TODAY = dt.date(2022, 3, 1)  # in school year 2021-2022

SCHOOLS = pd.DataFrame({
    "学校代码": ["S1", "S2", "S3", "S4"],
    "学校名称": ["昆明市第一中学", "昆明市第二中学", "中心小学", "五华区中心小学"],
    "学段": ["初中", "初中", "小学", "小学"], "办学性质": ["公办"] * 4, "城乡": ["城区"] * 4,
    "别名": ["昆明一中、一中", "昆明二中", None, None],
    "曾用名": ["五华区第一中学", None, None, "中心小学"],  # S4 had S3's name before
})

HEADER = ["序号", "全国学籍号", "姓名", "性别", "出生日期", "民族", "学校名称", "班级", "考号",
          "联系电话", "家庭住址", "备注"]
ROWS = [
    [1, "G2021001", "张三", "男", "2008-05-01", "汉族", "昆明市第一中学", "七年级1班", "K001",
     "13800000001", "五华区某路1号", None],
    [2, "G2021002", "李四", "女", "2008-07-12", "彝族", "昆明一中", "初一(1)班", "K002",
     "13800000002", "五华区某路2号", "转学生"],
    [3, "G2021003", "王五", "男", "2008-02-03", "汉族", "五华区第一中学", "七年级（2）班", "K003",
     None, None, None],
    [4, "G2021004", "赵六", "女", "2008-11-30", "白族", "昆明 二中", "七年级 1 班", "K004",
     None, None, None],
]


def write_export(path: Path, rows: list[list[object]] = ROWS,
                 header: list[str] = HEADER) -> Path:
    """A 学籍-system export: a title row, the header, the rows; .xlsx (openpyxl) or GBK .csv."""
    if path.suffix == ".csv":
        with path.open("w", encoding="gbk", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows([["" if v is None else v for v in r] for r in rows])
        return path
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学生名册"
    ws.append(["全国中小学生学籍信息管理系统 学生名册（导出）"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def base_workbook(tmp: Path, year: bool = False) -> Path:
    sheets = {
        "区县": pd.DataFrame({"区县代码": ["530102"], "区县名称": ["五华区"]}),
        "学校": SCHOOLS,
    }
    if year:
        sheets["学年"] = pd.DataFrame({"学年": ["2021-2022"], "开始日期": ["2021-09-01"],
                                     "结束日期": ["2022-07-15"]})
    return write_xlsx(tmp / "base.xlsx", sheets)


@pytest.fixture()
def db(db_location, tmp_path):
    """District and schools (with aliases and a former name); no school year, no class; on
    each store."""
    d = open_database(db_location)
    import_roster(d, base_workbook(tmp_path))
    yield d
    d.close()


def fails(db, path, **kw) -> ImportProblems:
    before = snapshot(db)
    with pytest.raises(ImportProblems) as err:
        import_roster(db, path, **kw)
    assert_unchanged(db, before)
    return err.value


def members(db) -> list[tuple[str, str, str, int, str]]:
    got = db.sql("""SELECT s.national_id, c.school_code, m.year_code, c.grade, c.name
                    FROM class_membership m JOIN student s USING (student_id)
                    JOIN class c USING (class_id) ORDER BY 1""")
    return [tuple(r) for r in got.itertuples(index=False)]


WANT = [("G2021001", "S1", "2021-2022", 7, "1班"), ("G2021002", "S1", "2021-2022", 7, "1班"),
        ("G2021003", "S1", "2021-2022", 7, "2班"), ("G2021004", "S2", "2021-2022", 7, "1班")]


def test_school_year_rule():
    assert school_year_of(dt.date(2022, 8, 31)) == "2021-2022"
    assert school_year_of(dt.date(2022, 9, 1)) == "2022-2023"
    assert school_year_of(dt.date(2022, 1, 1)) == "2021-2022"
    assert school_year_dates("2021-2022") == (dt.date(2021, 9, 1), dt.date(2022, 8, 31))


@pytest.mark.slow
def test_aliases_are_imported_from_the_school_roster(db):
    got = db.sql("SELECT school_code, alias, kind FROM school_alias ORDER BY 1, 2")
    assert [tuple(r) for r in got.itertuples(index=False)] == [
        ("S1", "一中", "alias"), ("S1", "五华区第一中学", "former"), ("S1", "昆明一中", "alias"),
        ("S2", "昆明二中", "alias"), ("S4", "中心小学", "former")]


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_xueji_export_with_year_option(db, tmp_path, suffix):
    """Recognised without --kind; schools by name, alias, former name and with spaces; the
    grade from the class name; classes created; the year created with its default dates."""
    result = import_roster(db, write_export(tmp_path / f"学籍{suffix}"), year="2021-2022")
    assert members(db) == WANT
    assert db.table_counts()["class"] == 3
    assert db.sql("SELECT start_date::VARCHAR a, end_date::VARCHAR b FROM school_year"
                  ).to_dict("records") == [{"a": "2021-09-01", "b": "2022-08-31"}]
    st = db.sql("SELECT name, gender, ethnicity, birth_date::VARCHAR d FROM student "
                "WHERE national_id = 'G2021002'").to_dict("records")
    assert st == [{"name": "李四", "gender": "F", "ethnicity": "彝族", "d": "2008-07-12"}]
    assert db.table_counts()["exam_registration"] == 0  # no --exam: 考号 not stored
    notes = "\n".join(result.note_lines("zh"))
    assert "按 2021-2022 学年导入（--year 指定）" in notes
    assert "学年 2021-2022 此前不存在，已按默认日期 2021-09-01 至 2022-08-31 创建" in notes
    assert "按学生名单新建班级 3 个（S1、S2 此前没有该学年的班级名单）" in notes
    assert "已忽略的列（不导入）：考号、序号、联系电话、家庭住址、备注" in notes
    assert result.counts["class"] == 3


@pytest.mark.slow
def test_same_contents_as_the_canonical_roster(db, tmp_path):
    """The export and the canonical file (codes, 学年, 年级, class list) give the same rows."""
    import_roster(db, write_export(tmp_path / "学籍.xlsx"), year="2021-2022")
    other = open_database(":memory:")
    import_roster(other, base_workbook(tmp_path, year=True))
    canonical = {
        "班级": pd.DataFrame({"学年": ["2021-2022"] * 3, "学校代码": ["S1", "S1", "S2"],
                            "年级": [7, 7, 7], "班级": ["1班", "2班", "1班"]}),
        "学生": pd.DataFrame({
            "学籍号": [r[1] for r in ROWS], "姓名": [r[2] for r in ROWS],
            "性别": [r[3] for r in ROWS], "出生日期": [r[4] for r in ROWS],
            "民族": [r[5] for r in ROWS], "学校代码": ["S1", "S1", "S1", "S2"],
            "学年": ["2021-2022"] * 4, "年级": ["七年级"] * 4,
            "班级": ["1班", "1班", "2班", "1班"]}),
    }
    import_roster(other, write_xlsx(tmp_path / "canonical.xlsx", canonical))
    assert members(other) == members(db)
    columns = ", ".join(c for c in column_types(db.con, "student") if c != "student_id")
    q = f"SELECT {columns} FROM student ORDER BY national_id"
    pd.testing.assert_frame_equal(db.sql(q), other.sql(q), check_dtype=False)
    other.close()


@pytest.mark.slow
def test_default_year_is_the_one_containing_today(db, tmp_path):
    path = write_export(tmp_path / "学籍.xlsx")
    result = import_roster(db, path, today=TODAY)
    assert {m[2] for m in members(db)} == {"2021-2022"}
    assert any("按 2021-2022 学年导入（默认：今天所在的学年" in n for n in result.note_lines("zh"))
    result = import_roster(db, path, today=dt.date(2022, 9, 1), lang="en")
    assert {m[2] for m in members(db)} == {"2021-2022", "2022-2023"}
    assert any("imported for school year 2022-2023 (default" in n for n in result.note_lines("en"))


@pytest.mark.slow
def test_bad_year_option(db, tmp_path):
    from eduquality.errors import EduQualityError

    with pytest.raises(EduQualityError, match="不是学年"):
        import_roster(db, write_export(tmp_path / "学籍.xlsx"), year="2021")


@pytest.mark.slow
def test_year_column_contradicting_the_option(db, tmp_path):
    header = ["学籍号", "姓名", "性别", "学校代码", "学年", "班级"]
    rows = [["G1", "甲", "男", "S1", "2021-2022", "七年级1班"],
            ["G2", "乙", "女", "S1", "2022-2023", "七年级1班"]]
    import_roster(db, base_workbook(tmp_path, year=True), force=True)
    err = fails(db, write_export(tmp_path / "y.xlsx", rows, header), year="2021-2022")
    assert [(p.row, p.message("zh")) for p in err.problems] == [
        (4, "学年与指定的 --year 2021-2022 不符"), (4, "未知学年（数据库和本文件中都没有）")]


@pytest.mark.slow
def test_unknown_school_name_names_similar_schools(db, tmp_path):
    rows = [r.copy() for r in ROWS]
    rows[1][6] = "昆明市第三中学"
    err = fails(db, write_export(tmp_path / "学籍.xlsx", rows), year="2021-2022")
    [p] = err.problems
    assert (p.sheet, p.row, p.column, p.value) == ("学生名册", 4, "G（学校名称）", "昆明市第三中学")
    assert p.message("zh").startswith("未知学校名称")
    assert "相近的学校：" in p.message("zh") and "昆明市第二中学（S2）" in p.message("zh")
    assert "similar schools: " in p.message("en")


@pytest.mark.slow
def test_ambiguous_school_name_names_the_candidates(db, tmp_path):
    rows = [r.copy() for r in ROWS]
    rows[0][6] = rows[2][6] = "中心 小学"
    err = fails(db, write_export(tmp_path / "学籍.xlsx", rows), year="2021-2022")
    assert [(p.row, p.message("zh")) for p in err.problems] == [
        (r, "该学校名称对应多所学校：中心小学（S3）、五华区中心小学（S4）；请改用学校代码")
        for r in (3, 5)]
    assert err.problems[0].message("en").startswith("this school name fits several schools")


@pytest.mark.slow
def test_name_and_code_must_agree(db, tmp_path):
    header = ["学籍号", "姓名", "性别", "学校代码", "学校名称", "班级"]
    rows = [["G1", "甲", "男", "S1", "昆明一中", "七年级1班"],
            ["G2", "乙", "女", "S1", "昆明二中", "七年级1班"]]
    err = fails(db, write_export(tmp_path / "n.xlsx", rows, header), year="2021-2022")
    assert [(p.row, p.message("zh")) for p in err.problems] == [
        (4, "学校名称与学校代码不符（该名称是 昆明市第二中学（S2））")]


@pytest.mark.slow
def test_alias_of_another_school_is_refused(db, tmp_path):
    sheets = {"学校": SCHOOLS.assign(别名=["昆明一中", "昆明一中", None, None])}
    err = fails(db, write_xlsx(tmp_path / "s.xlsx", sheets))
    assert [(p.row, p.message("zh")) for p in err.problems] == [
        (3, "别名「昆明一中」已是其他学校的名称或别名：昆明市第一中学（S1）")]


@pytest.mark.slow
def test_aliases_are_replaced_on_reimport(db, tmp_path):
    sheets = {"学校": SCHOOLS.assign(别名=["一中", None, None, None]).drop(columns="曾用名")}
    import_roster(db, write_xlsx(tmp_path / "s.xlsx", sheets))
    got = db.sql("SELECT school_code, alias, kind FROM school_alias ORDER BY 1, 2")
    assert [tuple(r) for r in got.itertuples(index=False)] == [  # no 曾用名 column: kept
        ("S1", "一中", "alias"), ("S1", "五华区第一中学", "former"), ("S4", "中心小学", "former")]


@pytest.mark.slow
def test_class_list_is_checked_against(db, tmp_path):
    classes = pd.DataFrame({"学年": ["2021-2022"] * 2, "学校名称": ["昆明一中"] * 2,
                            "班级": ["七年级1班", "七年级(2)班"]})
    import_roster(db, base_workbook(tmp_path, year=True), force=True)
    res = import_roster(db, write_xlsx(tmp_path / "班级.xlsx", {"班级": classes}))
    assert res.counts["class"] == 2
    assert db.sql("SELECT name FROM class ORDER BY 1")["name"].tolist() == ["1班", "2班"]
    rows = [r.copy() for r in ROWS]
    rows[2][7] = "七年级3班"  # S1 has a class list without it
    err = fails(db, write_export(tmp_path / "学籍.xlsx", rows), year="2021-2022")
    assert [(p.row, p.column, p.message("zh")) for p in err.problems] == [
        (5, "H（班级）", "未知班级（数据库和本文件中都没有）")]
    import_roster(db, write_export(tmp_path / "学籍.xlsx"), year="2021-2022")
    # 初一(1)班 and 七年级（2）班 are the listed classes; S2 has no list: its class is created
    assert [m[4] for m in members(db)] == ["1班", "1班", "2班", "1班"]
    assert db.table_counts()["class"] == 3


@pytest.mark.slow
def test_classes_from_rows_grow_with_the_next_export(db, tmp_path):
    import_roster(db, write_export(tmp_path / "学籍.xlsx"), year="2021-2022")
    rows = [*ROWS, [5, "G2021005", "钱七", "男", None, None, "昆明一中", "七年级4班", None,
                    None, None, None]]
    result = import_roster(db, write_export(tmp_path / "学籍.xlsx", rows), year="2021-2022")
    assert any("新建班级 1 个" in n for n in result.note_lines("zh"))
    assert members(db)[-1] == ("G2021005", "S1", "2021-2022", 7, "4班")


@pytest.mark.slow
def test_grade_column_and_class_name_must_agree(db, tmp_path):
    header = ["学籍号", "姓名", "性别", "学校代码", "年级", "班级"]
    rows = [["G1", "甲", "男", "S1", "初一", "七年级1班"], ["G2", "乙", "女", "S1", "八年级", "七年级1班"],
            ["G3", "丙", "女", "S1", None, "3班"], ["G4", "丁", "男", "S1", 7, "七年级"]]
    err = fails(db, write_export(tmp_path / "g.xlsx", rows, header), year="2021-2022")
    assert [(p.row, p.message("zh")[:10]) for p in err.problems] == [
        (4, "班级名称中的年级与「"), (5, "无法判断年级：请加「"), (6, "班级名称中只有年级，")]


@pytest.mark.slow
def test_exam_numbers_registered_with_exam(db_location, tmp_path):
    db = open_database(db_location)
    import_roster(db, base_workbook(tmp_path, year=True))
    import_paper(db, write_xlsx(tmp_path / "试卷.xlsx", {"考试信息": EXAM, "试卷结构": ITEMS}))
    rows = [r.copy() for r in ROWS]
    rows[3][8] = None  # not registered
    result = import_roster(db, write_export(tmp_path / "学籍.xlsx", rows), year="2021-2022",
                           exam="E1")
    got = db.sql("""SELECT s.national_id, r.exam_number, r.school_code, r.class_id
                    FROM exam_registration r JOIN student s USING (student_id) ORDER BY 1""")
    assert [tuple(r) for r in got.itertuples(index=False)] == [
        ("G2021001", "K001", "S1", "S1/2021-2022/7/1班"),
        ("G2021002", "K002", "S1", "S1/2021-2022/7/1班"),
        ("G2021003", "K003", "S1", "S1/2021-2022/7/2班")]
    assert "考试 E1：登记考号 3 个" in result.note_lines("zh")
    assert "考试 E1：1 名学生没有填写考号，未登记" in result.note_lines("zh")
    assert not any("考号" in n and "忽略" in n for n in result.note_lines("zh"))
    # a 考号 used twice is a problem; nothing changes
    rows[1][8] = "K001"
    err = fails(db, write_export(tmp_path / "学籍2.xlsx", rows), year="2021-2022", exam="E1")
    assert [(p.row, p.message("zh")) for p in err.problems] == [
        (3, "考号已被另一名学生（学籍号 G2021002）使用")]
    # an exam of another year, an unknown exam, a roster without 考号
    err = fails(db, write_export(tmp_path / "学籍3.xlsx"), year="2022-2023", exam="E1")
    assert err.problems[0].message("zh").startswith("考试 E1 属于 2021-2022 学年")
    err = fails(db, write_export(tmp_path / "学籍3.xlsx"), year="2021-2022", exam="E9")
    assert err.problems[0].message("zh").startswith("考试「E9」不存在")
    no_number = [r[:8] for r in ROWS]
    err = fails(db, write_export(tmp_path / "学籍4.xlsx", no_number, HEADER[:8]),
                year="2021-2022", exam="E1")
    assert err.problems[0].message("zh").startswith("指定了 --exam E1，但学生名单中没有「考号」列")
    db.close()


@pytest.mark.slow
def test_reimport_is_idempotent(db, tmp_path):
    path = write_export(tmp_path / "学籍.xlsx")
    import_roster(db, path, year="2021-2022")
    before = snapshot(db)
    assert import_roster(db, path, year="2021-2022").outcome == "unchanged"
    again = import_roster(db, path, year="2021-2022", force=True)
    assert again.outcome == "imported"
    after = snapshot(db)
    for t in before:
        if t != "import_log":
            pd.testing.assert_frame_equal(after[t], before[t], obj=t)
    # the same file for another year is not 'unchanged'
    assert import_roster(db, path, year="2022-2023").outcome == "imported"


@pytest.mark.slow
def test_bad_values_leave_the_database_unchanged(db, tmp_path):
    rows = [r.copy() for r in ROWS]
    rows[0][3] = "X"
    rows[3][1] = rows[2][1]
    err = fails(db, write_export(tmp_path / "学籍.csv", rows), year="2021-2022")
    got = {(p.row, p.column.split("（")[0]) for p in err.problems}
    assert got == {(2, "D"), (5, "B")}  # CSV: no title row


@pytest.mark.slow
def test_cli_roster_with_year_and_exam(tmp_path, command_db):
    runner = CliRunner()
    dbp = command_db
    base = base_workbook(tmp_path, year=True)
    paper = write_xlsx(tmp_path / "试卷.xlsx", {"考试信息": EXAM, "试卷结构": ITEMS})
    assert runner.invoke(main, ["--db", dbp, "import", "roster", str(base)]).exit_code == 0
    assert runner.invoke(main, ["--db", dbp, "import", "paper", str(paper)]).exit_code == 0
    export = write_export(tmp_path / "学籍.xlsx")
    res = runner.invoke(main, ["--db", dbp, "import", "roster", str(export), "--year",
                               "2021-2022", "--exam", "E1"])
    assert res.exit_code == 0, res.output
    assert "已导入 学籍.xlsx" in res.output
    assert "按 2021-2022 学年导入（--year 指定）" in res.output
    assert "考试 E1：登记考号 4 个" in res.output
    assert "已忽略的列（不导入）：序号、联系电话、家庭住址、备注" in res.output


@pytest.mark.slow
def test_xuehao_is_the_student_id_only_without_xuejihao(db, tmp_path):
    """学号 next to 全国学籍号 is the school's own number (ignored); alone, it is the id."""
    header = ["学号", "全国学籍号", "姓名", "性别", "学校名称", "班级"]
    rows = [["20210101", "G1", "甲", "男", "昆明一中", "七年级1班"]]
    result = import_roster(db, write_export(tmp_path / "a.xlsx", rows, header),
                           year="2021-2022")
    assert "工作表「学生名册」中已忽略的列（不导入）：学号" in result.note_lines("zh")
    assert db.sql("SELECT national_id FROM student")["national_id"].tolist() == ["G1"]
    header = ["学号", "姓名", "性别", "学校名称", "班级"]
    rows = [["G2", "乙", "女", "昆明一中", "七年级1班"]]
    import_roster(db, write_export(tmp_path / "b.xlsx", rows, header), year="2021-2022")
    assert db.sql("SELECT national_id FROM student ORDER BY 1")["national_id"].tolist() == [
        "G1", "G2"]


@pytest.mark.slow
def test_alias_sheet_of_its_own(db, tmp_path):
    """Aliases without the whole school roster: 学校代码 (学校名称 checked) + 别名/曾用名."""
    sheet = pd.DataFrame({"学校代码": ["S2", "S3"], "学校名称": ["昆明二中", "中心小学"],
                          "别名": ["二中；昆明市二中", None]})
    result = import_roster(db, write_xlsx(tmp_path / "别名.xlsx", {"学校别名": sheet}))
    assert result.counts["school_alias"] == 2
    got = db.sql("SELECT alias FROM school_alias WHERE school_code = 'S2' ORDER BY 1")
    assert got["alias"].tolist() == ["二中", "昆明市二中"]  # 昆明二中 replaced
    rows = [r.copy() for r in ROWS]
    rows[3][6] = "二中"
    import_roster(db, write_export(tmp_path / "学籍.xlsx", rows), year="2021-2022")
    assert members(db)[3][1] == "S2"
    bad = sheet.assign(学校名称=["昆明一中", "中心小学"])
    err = fails(db, write_xlsx(tmp_path / "别名2.xlsx", {"学校别名": bad}))
    assert [(p.row, p.message("zh")) for p in err.problems] == [
        (2, "学校名称与学校代码不符（该名称是 昆明市第一中学（S1））")]


@pytest.mark.slow
def test_import_check_states_the_year_and_what_would_be_created(db, tmp_path):
    """The dry run states the same facts as the import, as what the import would do, and counts
    the classes and year it would create."""
    before = snapshot(db)
    result = import_roster(db, write_export(tmp_path / "学籍.xlsx"), year="2021-2022",
                           check=True)
    assert result.outcome == "checked" and not result.problems
    assert result.counts == {"student": 4, "school_year": 1, "class": 3}
    assert result.note_lines("zh")[:3] == [
        "文件中没有「学年」列的工作表将按 2021-2022 学年导入（--year 指定）",
        "学年 2021-2022 尚不存在，导入时将按默认日期 2021-09-01 至 2022-08-31 创建",
        "导入时将按学生名单新建班级 3 个（S1、S2 尚无该学年的班级名单）"]
    [m] = result.mapping
    assert ("A", "序号", "-") in m.columns and ("B", "全国学籍号", "national_id") in m.columns
    assert_unchanged(db, before)
