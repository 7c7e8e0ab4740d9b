"""The register of school-age children: a hand-made list, located problems, all or nothing,
a year's list replaced as a whole."""

from __future__ import annotations

import openpyxl
import pytest

from eduquality.ingest.children import import_children
from eduquality.ingest.problems import ImportProblems
from tests.factories import dropout_db


@pytest.fixture
def db():
    database = dropout_db()
    yield database
    database.close()


def _book(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["翠湖街道 2021 年适龄儿童少年名单"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


HEAD = ["身份证号", "姓名", "性别", "出生日期", "社区", "建档立卡"]


def _kids(db):
    return db.con.execute("SELECT person_id, name, gender, CAST(birth_date AS VARCHAR), "
                          "community, poverty_registered FROM school_age_child WHERE year = 2021"
                          " ORDER BY 1").fetchall()


def test_a_list_replaces_the_year(db, tmp_path):
    path = _book(tmp_path / "名单.xlsx", [
        HEAD, ["53010220140301002x", "小明", "男", "2014-03-01", "翠湖社区", "是"],
        ["530102201501010011", "小红", "女", "2015年1月1日", None, None]])
    result = import_children(db, path, 2021)
    assert result.counts == {"school_age_child": 2}
    assert _kids(db) == [
        ("53010220140301002X", "小明", "M", "2014-03-01", "翠湖社区", True),
        ("530102201501010011", "小红", "F", "2015-01-01", None, False)]


def test_problems_are_located(db, tmp_path):
    path = _book(tmp_path / "坏.xlsx", [
        HEAD, ["5301022014", "小明", "男", "2014-03-01", "", ""],
        ["530102201501010011", "", "女", "去年", "", "也许"],
        ["530102201501010012", "小刚", "X", "2015-01-01", "", ""],
        ["530102201501010013", "小兰", "女", "2015-01-01", "", ""],
        ["G530102201501010013", "小兰", "女", "2015-01-01", "", ""]])
    with pytest.raises(ImportProblems) as err:
        import_children(db, path, 2021, lang="en")
    found = [(p.row, p.column, p.reason) for p in err.value.problems]
    assert found == [(3, "A（身份证号）", "children.id"), (4, "B（姓名）", "children.name"),
                     (4, "D（出生日期）", "children.birth"), (4, "F（建档立卡）", "children.flag"),
                     (5, "C（性别）", "children.gender"), (7, "A（身份证号）", "children.duplicate")]
    assert "duplicates row 6" in str(err.value)
    assert len(_kids(db)) == 2  # the factory's list, untouched
