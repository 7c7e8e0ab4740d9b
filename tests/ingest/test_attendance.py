"""Attendance sheets (monthly totals, daily 出勤 grids) built by hand: what lands in
``attendance_month``, located zh/en problems, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from eduquality.ingest.attendance import import_attendance
from eduquality.ingest.problems import ImportProblems
from tests.factories import dropout_db
from tests.ingest.conftest import write_sheets

S1, S2, S4 = "G530102200101010001", "G530102200201010002", "G530102200401010004"


@pytest.fixture
def db():
    database = dropout_db()
    with database.write() as con:
        con.execute("DELETE FROM attendance_month")
    yield database
    database.close()


def _rows(db):
    return db.con.execute("SELECT student_id, CAST(month AS VARCHAR), school_code, school_days,"
                          " days_absent, sick_days, leave_days FROM attendance_month"
                          " ORDER BY 1, 2").fetchall()


def test_monthly_sheet_under_a_title(db, tmp_path):
    path = write_sheets(tmp_path / "月汇总.xlsx", {"出勤": [
        ["翠湖中学 2021-2022 学年缺勤统计"],
        ["学籍号", "姓名", "班级", "9月", "10月", "2022年3月"],
        [S1, "学生1", "八(1)", 0, 2.5, None],
        [S2, "学生2", "八(1)", 1, None, 11],
    ]})
    result = import_attendance(db, path, year="2021-2022")
    assert result.outcome == "imported" and result.counts == {"attendance_month": 4}
    assert _rows(db) == [
        (1, "2021-09-01", "J1", None, 0.0, None, None),
        (1, "2021-10-01", "J1", None, 2.5, None, None),
        (2, "2021-09-01", "J1", None, 1.0, None, None),
        (2, "2022-03-01", "J1", None, 11.0, None, None)]


def test_daily_grid_is_summed_into_the_month(db, tmp_path):
    path = write_sheets(tmp_path / "出勤.xlsx", {"2021年10月": [
        ["学籍号", "姓名", "1", "2", "3", "4日", "5", "6"],
        [S1, "学生1", "√", "√", "×", "病", None, "事"],
        [S2, "学生2", "√", "✓", "√", "√", None, "√"],
    ]})
    import_attendance(db, path)
    # student 1: 5 school days (blank = no school), × + 病 + 事 = 3 absent, 1 sick, 1 leave
    assert _rows(db) == [(1, "2021-10-01", "J1", 5, 3.0, 1.0, 1.0),
                         (2, "2021-10-01", "J1", 5, 0.0, 0.0, 0.0)]


def test_problems_are_located_and_nothing_is_written(db, tmp_path):
    path = write_sheets(tmp_path / "坏.xlsx", {
        "2021年10月": [["学籍号", "姓名", "1", "2"],
                      [S1, "学生1", "√", "?"],          # unknown mark
                      ["G999", "某某", "√", "√"],        # unknown student
                      [S2, "李四", "√", "√"]],           # name differs
        "汇总": [["学籍号", "9月"], [S1, 40], [S4, 1]],  # 40 days; student 4 has no class 2021
    })
    with pytest.raises(ImportProblems) as err:
        import_attendance(db, path, year="2021-2022", lang="en")
    found = {(p.sheet, p.row, p.column, p.reason) for p in err.value.problems}
    assert found == {
        ("2021年10月", 2, "D（2）", "attendance.mark"),
        ("2021年10月", 3, "A（学籍号）", "attendance.unknown_student"),
        ("2021年10月", 4, "B（姓名）", "attendance.name"),
        ("汇总", 2, "B（9月）", "attendance.days"),
        ("汇总", 3, "A（学籍号）", "attendance.no_class"),
    }
    assert "no class in 2021-2022" in str(err.value)
    assert _rows(db) == []
    zh = {p.message("zh") for p in err.value.problems}
    assert "姓名与学籍记录不符（记录为 学生2）" in zh


def test_month_without_a_year_needs_the_school_year(db, tmp_path):
    path = write_sheets(tmp_path / "m.xlsx", {"出勤": [["学籍号", "9月"], [S1, 1]]})
    with pytest.raises(ImportProblems) as err:
        import_attendance(db, path)
    assert [p.reason for p in err.value.problems] == ["attendance.no_year"]
    grid = write_sheets(tmp_path / "d.xlsx", {"出勤": [["学籍号", "1", "2"], [S1, "√", "×"]]})
    with pytest.raises(ImportProblems) as err:
        import_attendance(db, grid)
    assert [p.reason for p in err.value.problems] == ["attendance.no_month"]
    import_attendance(db, grid, month=dt.date(2021, 11, 1))
    assert _rows(db) == [(1, "2021-11-01", "J1", 2, 1.0, 0.0, 0.0)]


def test_a_school_may_import_only_its_own_students(db, tmp_path):
    path = write_sheets(tmp_path / "m.xlsx", {"出勤": [["学籍号", "2021年9月"], [S1, 1]]})
    with pytest.raises(ImportProblems) as err:
        import_attendance(db, path, only_schools=frozenset({"J2"}))
    assert [p.reason for p in err.value.problems] == ["ingest.other_schools"]
    import_attendance(db, path, only_schools=frozenset({"J1"}))
    assert _rows(db) == [(1, "2021-09-01", "J1", None, 1.0, None, None)]
