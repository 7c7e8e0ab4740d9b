"""Roster imports: kinds from headers, references, upserts, and bad inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.ingest import ImportProblems, import_roster
from eduquality.store import open_database
from tests.ingest.conftest import STUDENTS, assert_unchanged, roster_sheets, snapshot, write_xlsx


@pytest.fixture()
def db(db_location):
    d = open_database(db_location)
    yield d
    d.close()


def fails(db, path, **kw) -> ImportProblems:
    before = snapshot(db)
    with pytest.raises(ImportProblems) as err:
        import_roster(db, path, **kw)
    assert_unchanged(db, before)
    return err.value


@pytest.mark.slow
def test_full_roster_workbook(db, tmp_path):
    result = import_roster(db, write_xlsx(tmp_path / "r.xlsx", roster_sheets()))
    assert result.counts["school"] == 2 and result.counts["class"] == 3
    counts = db.table_counts()
    assert counts["student"] == 6 and counts["class_membership"] == 6
    st = db.sql("SELECT national_id, gender, poverty_registered FROM student ORDER BY 1")
    assert st["gender"].tolist() == ["M", "F", "M", "F", "M", "F"]
    assert st["poverty_registered"].tolist() == [True, False, False, False, False, True]
    m = db.sql("""SELECT s.national_id, c.school_code, c.grade, c.name FROM class_membership
                  JOIN student s USING (student_id) JOIN class c USING (class_id) ORDER BY 1""")
    assert m["grade"].tolist() == [9] * 6  # 九年级, 9 and 初三 all mean grade 9
    assert m["name"].tolist() == ["1班", "1班", "2班", "1班", "1班", "1班"]
    ev = db.sql("SELECT event_type, event_date::VARCHAR AS d, school_code FROM enrolment_event")
    assert ev.to_dict("records") == [
        {"event_type": "admission", "d": "2019-09-01", "school_code": "S1"}]
    sch = db.sql("SELECT * FROM school ORDER BY 1")
    assert sch["district_code"].tolist() == ["530102", "530102"]
    assert sch["ownership"].tolist() == ["public", "private"]
    assert sch["locale"].tolist() == ["urban", "rural"]


@pytest.mark.slow
def test_separate_csv_files_in_any_order_of_imports(db, tmp_path):
    sheets = roster_sheets()
    for name in ["区县", "学年", "学校", "班级", "学生"]:
        path = tmp_path / f"{name}.csv"
        sheets[name].to_csv(path, index=False, encoding="gbk")
        import_roster(db, path)
    assert db.table_counts()["student"] == 6


@pytest.mark.slow
def test_reimport_updates_instead_of_duplicating(db, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", roster_sheets())
    import_roster(db, path)
    sheets = roster_sheets()
    sheets["学生"] = STUDENTS.assign(姓名=STUDENTS["姓名"].where(STUDENTS["学籍号"] != "G002",
                                                              "李思"))
    sheets["学生"].loc[2, "班级"] = "1班"  # G003 moves to class 1
    import_roster(db, write_xlsx(path, sheets))
    assert db.table_counts()["student"] == 6 and db.table_counts()["class_membership"] == 6
    assert db.scalar("SELECT name FROM student WHERE national_id = 'G002'") == "李思"
    cls = db.scalar("""SELECT c.name FROM class_membership JOIN student s USING (student_id)
                       JOIN class c USING (class_id) WHERE national_id = 'G003'""")
    assert cls == "1班"
    assert import_roster(db, path).outcome == "unchanged"


@pytest.mark.slow
def test_teachers_assignments_events_and_statistics(db, tmp_path):
    sheets = roster_sheets()
    sheets["教师"] = pd.DataFrame({"工号": ["T1", "T2"], "姓名": ["周老师", "吴老师"],
                                 "学校代码": ["S1", "S2"], "任教学科": ["数学", "语文"],
                                 "骨干/名师": ["骨干；区级名师", None],
                                 "认定学年": ["2021-2022", None]})
    sheets["任课"] = pd.DataFrame({"学年": ["2021-2022"], "学校代码": ["S1"], "年级": [9],
                                 "班级": ["1班"], "学科": ["数学"], "教师工号": ["T1"]})
    sheets["异动"] = pd.DataFrame({"学籍号": ["G001", "G002"],
                                 "日期": ["2021-09-01", "2022-03-01"],
                                 "异动类型": ["转入", "转出"], "学校代码": ["S1", "S1"]})
    sheets["统计"] = pd.DataFrame({"学年": ["2021-2022"], "指标": ["辍学率"], "数值": [0.001]})
    import_roster(db, write_xlsx(tmp_path / "r.xlsx", sheets))
    assert db.sql("SELECT tier FROM teacher_programme ORDER BY 1")["tier"].tolist() == [
        "backbone", "district_master"]
    assert db.scalar("SELECT teacher_id FROM teaching_assignment") == "T1"
    status = db.sql("""SELECT s.national_id, st.status FROM student_status st
                       JOIN student s USING (student_id) ORDER BY 1""")
    # G001's transfer-in counts as its event: no admission event is added from 入学日期
    assert status.to_dict("records") == [{"national_id": "G001", "status": "enrolled"},
                                         {"national_id": "G002", "status": "left"}]
    assert db.scalar("SELECT district_code FROM district_statistic") == "530102"


@pytest.mark.slow
def test_unknown_school_and_class(db, tmp_path):
    sheets = roster_sheets()
    sheets["学生"] = STUDENTS.copy()
    sheets["学生"].loc[1, "学校代码"] = "S9"
    sheets["学生"].loc[3, "班级"] = "7班"
    err = fails(db, write_xlsx(tmp_path / "r.xlsx", sheets))
    got = [(p.sheet, p.row, p.column, p.message("zh")) for p in err.problems]
    assert ("学生", 3, "D（学校代码）", "未知学校代码（数据库和本文件中都没有）") in got
    assert ("学生", 5, "G（班级）", "未知班级（数据库和本文件中都没有）") in got
    assert err.problems[0].message("en").startswith("unknown school code")


@pytest.mark.slow
def test_duplicate_students_and_bad_values(db, tmp_path):
    sheets = roster_sheets()
    bad = STUDENTS.copy()
    bad.loc[2, "学籍号"] = "G001"
    bad.loc[4, "性别"] = "X"
    bad.loc[5, "学年"] = "2021-2023"
    bad.loc[0, "入学日期"] = "去年"
    sheets["学生"] = bad
    err = fails(db, write_xlsx(tmp_path / "r.xlsx", sheets))
    got = {(p.row, p.column.split("（")[0]): p.message("zh") for p in err.problems}
    assert got[(4, "A")] == "与第 2 行重复（G001 / 2021-2022）"
    assert got[(6, "C")].startswith("「性别」的值无法识别（可用：男、女）")
    assert got[(7, "E")] == "学年格式应为 2021-2022（前后相差一年）"
    assert got[(2, "I")] == "「入学日期」不是有效日期（例：2021-09-01）"


@pytest.mark.slow
def test_wrong_duplicate_and_missing_headers(db, tmp_path):
    sheets = roster_sheets()
    sheets["学校"] = pd.DataFrame({"学校代码": ["S1", "S2"], "学校编码": ["S1", "S2"],
                                 "学校名称": ["一中", "二中"], "学段": ["初中"] * 2,
                                 "办学性质": ["公办"] * 2, "城乡": ["城区"] * 2,
                                 "校长": ["某某"] * 2})
    err = fails(db, write_xlsx(tmp_path / "r.xlsx", sheets))
    msgs = [p.message("zh") for p in err.problems]
    assert "列「学校编码」与 A（学校代码） 列重复（都对应字段 school_code）" in msgs
    assert any(m.startswith("无法识别的列名「校长」；如需导入请用 --map 校长=字段") for m in msgs)
    ok = import_roster(db, tmp_path / "r.xlsx", mapping=["学校编码=-", "校长=-"])
    assert ok.counts["school"] == 2
    classes = pd.DataFrame({"学年": ["2021-2022"], "学校代码": ["S1"], "班级": ["1班"],
                            "年级": [9]}).drop(columns="年级")
    err = fails(db, write_xlsx(tmp_path / "c.xlsx", {"班级": classes}), kind="classes")
    assert err.problems[0].message("zh").startswith("缺少必需的列「年级」")


@pytest.mark.slow
def test_unrecognised_sheet_kind(db, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"杂项": pd.DataFrame({"甲": [1], "乙": [2]})})
    err = fails(db, path)
    assert err.problems[0].message("zh").startswith("无法判断该工作表是哪类名册")
    assert err.problems[0].message("en").startswith("cannot tell which kind of roster")


def test_title_row_above_the_header_is_skipped(db, tmp_path):
    import xlsxwriter

    path = tmp_path / "d.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("区县")
    ws.write(0, 0, "五华区基本信息表")
    ws.write_row(2, 0, ["区县代码", "区县名称"])
    ws.write_row(3, 0, ["530102", "五华区"])
    wb.close()
    import_roster(db, path)
    assert db.scalar("SELECT name FROM district") == "五华区"


@pytest.mark.slow
def test_value_and_reference_problems_are_reported_together(db, tmp_path):
    sheets = roster_sheets()
    bad = STUDENTS.copy()
    bad.loc[0, "性别"] = "?"
    bad.loc[1, "学校代码"] = "S9"
    sheets["学生"] = bad
    err = fails(db, write_xlsx(tmp_path / "r.xlsx", sheets))
    assert {(p.row, p.column.split("（")[0]) for p in err.problems} == {(2, "C"), (3, "D")}


@pytest.mark.slow
def test_reimport_updates_a_referenced_school_and_year(district, tmp_path):
    """A school renamed and re-tiered after its classes and students exist: the changed roster
    updates the rows in place (no duplicate, nothing else touched)."""
    from tests.ingest.conftest import roster_sheets, write_xlsx

    sheets = roster_sheets()
    sheets["学校"] = sheets["学校"].assign(学校名称=["一中（新校名）", "二中"], 学校等级=["市一级", None])
    sheets["学年"] = sheets["学年"].assign(结束日期=["2022-07-10"])
    before = district.table_counts()
    import_roster(district, write_xlsx(tmp_path / "名册2.xlsx", sheets))
    assert district.scalar("SELECT name FROM school WHERE school_code = 'S1'") == "一中（新校名）"
    assert district.scalar("SELECT tier FROM school WHERE school_code = 'S1'") == "市一级"
    assert str(district.scalar("SELECT end_date FROM school_year")) == "2022-07-10"
    after = district.table_counts()
    assert {k: v for k, v in after.items() if k != "import_log"} == {
        k: v for k, v in before.items() if k != "import_log"}


# -- who a 学籍号 names, and names as stored --------------------------------------------------
PAN = "530102201001011234"  # a 身份证号; the 学籍号 is G + it


def _students(rows: list[list[object]]) -> dict[str, pd.DataFrame]:
    """A 学生 sheet of the district's school S1, 2021-2022, grade 9 (rows: 学籍号, 姓名, 班级)."""
    return {"学生": pd.DataFrame(
        [[nid, name, "女", "S1", "2021-2022", 9, cls] for nid, name, cls in rows],
        columns=["学籍号", "姓名", "性别", "学校代码", "学年", "年级", "班级"])}


def _classes_of(db, nid: str) -> list[tuple[str, str]]:
    return [tuple(r) for r in db.sql(
        """SELECT s.national_id, c.name FROM class_membership m JOIN student s USING (student_id)
           JOIN class c USING (class_id) WHERE s.national_id LIKE ? ORDER BY 1""",
        [f"%{nid}"]).itertuples(index=False, name=None)]


def test_an_id_without_its_g_is_the_student_on_record(district, tmp_path):
    """The 身份证号 typed as the 学籍号 (or a lower-case g) names the student stored with the
    G: no second student; a new student's 学籍号 is stored with the G."""
    import_roster(district, write_xlsx(tmp_path / "a.xlsx", _students([[f"G{PAN}", "潘语", "1班"]])))
    n = district.table_counts()["student"]
    import_roster(district, write_xlsx(tmp_path / "b.xlsx", _students([
        [PAN, "潘语", "2班"],                 # moves to 2班
        ["g002", "李思", "1班"],              # G002 renamed
        ["003", "王五", "2班"],               # not a 身份证号, stored as G003: the same person
        ["530102201001015678", "新生", "1班"],  # new: stored as G530102201001015678
    ])))
    assert district.table_counts()["student"] == n + 1
    assert _classes_of(district, PAN) == [(f"G{PAN}", "2班")]
    assert district.scalar("SELECT name FROM student WHERE national_id = 'G002'") == "李思"
    assert _classes_of(district, "530102201001015678") == [("G530102201001015678", "1班")]


def test_one_student_twice_with_and_without_the_g_is_a_duplicate(district, tmp_path):
    err = fails(district, write_xlsx(tmp_path / "r.xlsx", _students([
        [f"G{PAN}", "潘语", "1班"], [PAN.lower(), "潘语", "2班"], ["g001", "张三", "1班"],
        ["G001", "张三", "1班"]])))
    got = {(p.row, p.column.split("（")[0]): p.message("zh") for p in err.problems}
    assert got == {(3, "A"): f"与第 2 行重复（G{PAN} / 2021-2022）",
                   (5, "A"): "与第 4 行重复（G001 / 2021-2022）"}


def test_an_id_that_two_students_on_record_fit_is_refused(district, tmp_path):
    """'g007' and '007' stored side by side (before the rule): 'G007' fits both."""
    with district.write() as con:
        con.execute("INSERT INTO student (national_id, name) VALUES ('g007', '甲'), ('007', '乙')")
    err = fails(district, write_xlsx(tmp_path / "r.xlsx", _students([["G007", "甲", "1班"]])))
    assert [p.message("zh") for p in err.problems] == [
        "名册中有两名学生与该学籍号对应（***、g**7，同一身份证号带与不带 G）；请按名册写出完整学籍号"]


def test_names_are_stored_without_padding_spaces(district, tmp_path):
    import_roster(district, write_xlsx(tmp_path / "r.xlsx", _students([
        ["G001", "张\u3000三", "1班"], [f"G{PAN}", " 潘 语 ", "1班"],
        ["G009", "Anna  Lee", "1班"]])))
    names = dict(district.con.execute(
        "SELECT national_id, name FROM student WHERE national_id IN ('G001', ?, 'G009')",
        [f"G{PAN}"]).fetchall())
    assert names == {"G001": "张三", f"G{PAN}": "潘语", "G009": "Anna Lee"}
