"""The programmes workbook (issue 14 §1, §4): template, import of hand-built files, located
problems in both languages, all-or-nothing, corrected files update."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from eduquality.ingest.problems import ImportProblems
from eduquality.ingest.programmes import (
    SHEETS,
    import_programmes,
    write_programme_template,
)
from eduquality.store import open_database
from tests.ingest.conftest import write_sheets


@pytest.fixture
def db(db_location):
    d = open_database(db_location)
    with d.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', NULL, NULL)")
        con.execute("INSERT INTO school_year VALUES ('2023-2024', '2023-09-01', '2024-07-15')")
        con.execute("INSERT INTO school VALUES ('S1', '甲校', 'D', 'junior', 'public', 'urban',"
                    " NULL, NULL, NULL), ('S2', '乙校', 'D', 'junior', 'private', 'rural', NULL,"
                    " NULL, NULL)")
        con.execute("INSERT INTO teacher (teacher_id, name, school_code, subject_code) VALUES"
                    " ('T1', '王', 'S1', 'math'), ('T2', '李', 'S1', 'math'),"
                    " ('T3', '张', 'S2', 'math')")
        con.execute("INSERT INTO student (student_id, national_id, name) VALUES"
                    " (1, 'G0001', '甲'), (2, 'G0002', '乙')")
    yield d
    d.close()


GOOD = {
    "工作室": [["工作室编号", "名称", "类型", "主持人工号", "学科", "级别", "成立日期", "结束日期"],
            ["W1", "王数学工作室", "名师工作室", "T1", "数学", "市级", dt.date(2023, 9, 1), None]],
    "工作室成员": [["工作室编号", "教师工号", "加入日期", "退出日期"],
              ["W1", "T2", "2023-09-01", None], ["W1", "T3", "2023/10/1", None]],
    "师徒结对": [["导师工号", "学员工号", "工作室编号", "开始日期"],
             ["T1", "T2", "W1", "2023-09-01"], ["T2", "T3", None, "2023年10月1日"]],
    "工作室活动": [["工作室编号", "日期", "活动类型", "主题", "送教学校代码", "参与人数"],
              ["W1", "2023-11-02", "送教", "函数复习课", "S2", 30],
              ["W1", "2024-03-05", "课题", "单元作业设计", None, None]],
    "教师培训": [["教师工号", "学年", "培训学时", "信息技术学时"],
             ["T1", "2023-2024", 72, 24], ["T2", "2023—2024学年", 40, None]],
    "交流轮岗": [["教师工号", "原学校代码", "交流学校代码", "开始日期", "结束日期"],
             ["T2", "S1", "S2", "2023-09-01", "2024-07-15"]],
    "后备人才库": [["教师工号", "入库学年", "备注"], ["T1", "2023-2024", None]],
    "结对学校": [["牵头学校代码", "结对学校代码", "结对类型", "起始年份"],
             ["S1", "S2", "名校融民校", 2022]],
    "学生资助": [["学籍号", "学年", "资助类型", "金额（元）"],
             ["G0001", "2023-2024", "生活补助", 1250], ["G0001", "2023-2024", "营养餐", 800]],
}


def test_template_has_every_sheet_and_imports_back_empty(tmp_path):
    path = write_programme_template(tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [s.zh for s in SHEETS] + ["说明"]
    assert [c.value for c in wb["学生资助"][1]] == ["学籍号", "学年", "资助类型", "金额（元）"]


def test_a_good_file_is_written_and_reimport_updates(db, tmp_path):
    path = write_sheets(tmp_path / "p.xlsx", GOOD)
    result = import_programmes(db, path, user="t")
    assert result.outcome == "imported"
    assert result.counts == {"studio": 1, "studio_member": 2, "mentoring": 2,
                             "programme_activity": 2, "teacher_training": 2,
                             "teacher_rotation": 1, "principal_reserve": 1,
                             "school_partnership": 1, "student_support": 2}
    assert db.con.execute("SELECT kind, host_teacher_id, subject_code, level, start_date, "
                          "end_date FROM studio").fetchall() == [
        ("studio", "T1", "math", "city", dt.date(2023, 9, 1), None)]
    assert db.con.execute("SELECT teacher_id, joined FROM studio_member ORDER BY 1").fetchall(
    ) == [("T2", dt.date(2023, 9, 1)), ("T3", dt.date(2023, 10, 1))]
    assert db.con.execute("SELECT mentor_id, mentee_id, studio_id, start_date FROM mentoring "
                          "ORDER BY 1").fetchall() == [
        ("T1", "T2", "W1", dt.date(2023, 9, 1)), ("T2", "T3", None, dt.date(2023, 10, 1))]
    assert db.con.execute("SELECT kind, school_code, participants FROM programme_activity "
                          "ORDER BY activity_date").fetchall() == [
        ("outreach", "S2", 30), ("project", None, None)]
    assert db.con.execute("SELECT teacher_id, year_code, hours, it_hours FROM teacher_training "
                          "ORDER BY 1").fetchall() == [("T1", "2023-2024", 72.0, 24.0),
                                                       ("T2", "2023-2024", 40.0, 0.0)]
    assert db.con.execute("SELECT * FROM school_partnership").fetchall() == [
        ("S1", "S2", "merger", 2022)]
    assert db.con.execute("SELECT student_id, kind, amount FROM student_support ORDER BY 2"
                          ).fetchall() == [(1, "living_allowance", 1250.0), (1, "nutrition", 800.0)]
    # a corrected file updates the row, it does not add one
    fixed = dict(GOOD)
    fixed["学生资助"] = [GOOD["学生资助"][0], ["G0001", "2023-2024", "生活补助", 1500]]
    import_programmes(db, write_sheets(tmp_path / "p2.xlsx", fixed), user="t")
    assert db.con.execute("SELECT kind, amount FROM student_support ORDER BY 1").fetchall() == [
        ("living_allowance", 1500.0), ("nutrition", 800.0)]
    assert db.scalar("SELECT count(*) FROM studio") == 1


def test_problems_are_located_and_nothing_is_written(db, tmp_path):
    bad = {
        "工作室": [GOOD["工作室"][0],
                ["W1", "甲", "名师工作室", "T9", None, "国家级", "2023-09-01", "2023-01-01"]],
        "工作室成员": [GOOD["工作室成员"][0], ["W2", "T2", "2023-09-01", None]],
        "师徒结对": [GOOD["师徒结对"][0], ["T1", "T1", None, "昨天"]],
        "教师培训": [GOOD["教师培训"][0], ["T1", "2022-2023", 10, 12], ["T2", "2023-2024", 10, 12],
                 ["T2", "2023-2024", 5, 0]],
        "结对学校": [GOOD["结对学校"][0], ["S1", "S1", "合并", 1800]],
        "学生资助": [GOOD["学生资助"][0], ["G9999", "2023-2024", "生活补助", -5]],
        "Sheet9": [["x"], [1]],
    }
    path = write_sheets(tmp_path / "bad.xlsx", bad)
    with pytest.raises(ImportProblems) as err:
        import_programmes(db, path, lang="en", errors=tmp_path / "e.xlsx")
    found = {(p.sheet, p.row, p.column and p.column[0], p.reason) for p in err.value.problems}
    assert found == {
        ("Sheet9", None, None, "prog.unknown_sheet"),
        ("工作室", 2, "D", "prog.teacher"), ("工作室", 2, "F", "prog.vocab"),
        ("工作室", 2, "H", "prog.end_before_start"), ("工作室", 2, "E", "prog.subject_needed"),
        ("工作室成员", 2, "A", "prog.studio"),
        ("师徒结对", 2, "D", "prog.date"), ("师徒结对", 2, "B", "prog.self_mentor"),
        ("教师培训", 2, "B", "prog.year"), ("教师培训", 2, "D", "prog.it_hours"),
        ("教师培训", 3, "D", "prog.it_hours"),
        ("教师培训", 4, None, "prog.duplicate"),
        ("结对学校", 2, "C", "prog.vocab"), ("结对学校", 2, "D", "prog.start_year"),
        ("结对学校", 2, "B", "prog.same_school"),
        ("学生资助", 2, "A", "prog.student"), ("学生资助", 2, "D", "prog.number"),
    }
    texts = [p.line("en") for p in err.value.problems if p.reason == "prog.duplicate"]
    assert len(texts) == 1 and "duplicates row 3 (T2、2023-2024)" in texts[0]
    zh = [p.line("zh") for p in err.value.problems if p.reason == "prog.student"]
    assert "没有这个学籍号的学生" in zh[0] and "学生资助" in zh[0]
    assert db.scalar("SELECT count(*) FROM studio") == 0
    assert db.scalar("SELECT count(*) FROM teacher_training") == 0


def test_cross_column_rules(db, tmp_path):
    bad = {"工作室": [GOOD["工作室"][0],
                   ["W1", "甲", "名师工作室", "T1", None, "区级", "2023-09-01", None]],
           "师徒结对": [GOOD["师徒结对"][0], ["T1", "T1", None, "2023-09-01"]],
           "交流轮岗": [GOOD["交流轮岗"][0], ["T2", "S1", "S1", "2023-09-01", None]],
           "结对学校": [GOOD["结对学校"][0], ["S1", "S1", "分校", 2020]]}
    with pytest.raises(ImportProblems) as err:
        import_programmes(db, write_sheets(tmp_path / "x.xlsx", bad), lang="zh",
                          errors=tmp_path / "e.xlsx")
    assert sorted((p.sheet, p.reason) for p in err.value.problems) == [
        ("交流轮岗", "prog.same_school"), ("工作室", "prog.subject_needed"),
        ("师徒结对", "prog.self_mentor"), ("结对学校", "prog.same_school")]


def test_missing_column_and_no_sheet(db, tmp_path):
    with pytest.raises(ImportProblems) as err:
        import_programmes(db, write_sheets(tmp_path / "m.xlsx", {"教师培训": [["教师工号", "学年"],
                                                                     ["T1", "2023-2024"]]}),
                          errors=tmp_path / "e.xlsx")
    assert [(p.reason, dict(p.params)) for p in err.value.problems] == [
        ("prog.missing_column", {"name": "培训学时"})]
    with pytest.raises(ImportProblems) as err:
        import_programmes(db, write_sheets(tmp_path / "n.xlsx", {"说明": [["x"]]}),
                          errors=tmp_path / "e.xlsx")
    assert {p.reason for p in err.value.problems} & {"prog.no_sheet", "ingest.empty_file"}
