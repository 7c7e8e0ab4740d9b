"""合格考 results: the province system's long layout and a school's wide retyping, both built by
hand; located problems, all or nothing, 补考 told from the record, the province's grade scheme.
The simulator's files: tests/analysis/test_proficiency.py (end to end)."""

from __future__ import annotations

import openpyxl
import pytest

from eduquality.ingest.problems import ImportProblems
from eduquality.ingest.proficiency import import_proficiency
from tests.factories import proficiency_db


@pytest.fixture
def db():
    database = proficiency_db()
    yield database
    database.close()


def _book(path, rows, title="成绩"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _nid(k: int) -> str:
    return f"G53010020070101{k:04d}"


LONG = ["考籍号", "学籍号", "姓名", "学校", "科目", "成绩", "考试批次", "考试类别"]


def _stored(db):
    return db.con.execute(
        "SELECT student_id, subject_code, sitting, grade, passed, retake, school_code, "
        "exam_number FROM proficiency_result ORDER BY sitting, student_id, subject_code"
    ).fetchall()


def test_the_long_layout_of_the_province_system(db, tmp_path):
    path = _book(tmp_path / "2023年6月.xlsx", [
        ["云南省2023年6月普通高中学业水平合格性考试成绩"], LONG,
        ["2253010000001", _nid(1), "学生1", "甲中", "历史", "合格", "2023年6月", "首考"],
        ["2253010000002", _nid(2), "学生2", "甲中", "历史", "不合格", "2023年6月", "首考"],
        ["2253010000002", _nid(2), "学生2", "甲中", "思想政治", " 合格 ", "2023-06", ""],
        ["2253010000005", _nid(5), "学生5", "乙中", "信息技术", "合格", "2023.6", "首考"]])
    result = import_proficiency(db, path)
    assert result.counts == {"proficiency_result": 4}
    assert "2023-06" in result.note_lines()[0] and "云南省" in result.note_lines()[0]
    assert _stored(db) == [
        (1, "history", "2023-06", "合格", True, False, "H1", "2253010000001"),
        (2, "history", "2023-06", "不合格", False, False, "H1", "2253010000002"),
        (2, "politics", "2023-06", "合格", True, False, "H1", "2253010000002"),
        (5, "it", "2023-06", "合格", True, False, "H2", "2253010000005")]


def test_a_wide_layout_and_retakes_told_from_the_record(db, tmp_path):
    import_proficiency(db, _book(tmp_path / "a.xlsx", [
        LONG, ["", _nid(2), "学生2", "甲中", "历史", "不合格", "2023年6月", "首考"]]))
    # a school's retyped sheet: one row per student, a column per subject, the sitting in the
    # title; no 考试类别 column
    path = _book(tmp_path / "b.xlsx", [
        ["甲中 2024年1月 学业水平合格性考试成绩汇总"], [],
        ["序号", "学籍号", "姓名", "物理", "化学", "生物学", "通用技术", "历史"],
        [1, _nid(1), "学生1", "合格", "合格", "不合格", None, None],
        [2, _nid(2), "学生2", "合格", None, "合格", "合格", "合格"],
        [3, _nid(6), None, "不合格", "合格", "合格", "合格", None]], title="Sheet1")
    result = import_proficiency(db, path)
    assert result.counts == {"proficiency_result": 11}
    rows = {(r[0], r[1]): r for r in _stored(db) if r[2] == "2024-01"}
    assert rows[(2, "history")][3:6] == ("合格", True, True)        # 补考: failed in 2023-06
    assert rows[(2, "physics")][3:6] == ("合格", True, False)
    assert rows[(1, "biology")][3:6] == ("不合格", False, False)
    assert rows[(6, "physics")][6] == "H2" and (1, "tech") not in rows  # blank: not sat
    # the same file again, corrected: a result replaced, nothing duplicated
    path = _book(tmp_path / "b2.xlsx", [
        ["学籍号", "生物学", "考试批次"], [_nid(1), "合格", "2024年1月"]])
    import_proficiency(db, path)
    assert len([r for r in _stored(db) if r[2] == "2024-01"]) == 11
    assert [r[3:5] for r in _stored(db) if r[:3] == (1, "biology", "2024-01")] == [("合格", True)]


def test_problems_are_located_and_nothing_is_written(db, tmp_path):
    path = _book(tmp_path / "坏.xlsx", [
        LONG,
        ["", _nid(1), "学生1", "甲中", "历史", "合格", "2023年6月", "首考"],
        ["", "G000", "某人", "甲中", "历史", "合格", "2023年6月", "首考"],
        ["", _nid(2), "别人", "甲中", "历史", "合格", "2023年6月", "首考"],
        ["", _nid(3), "学生3", "甲中", "历史", "良", "2023年6月", "首考"],
        ["", _nid(3), "学生3", "甲中", "美术", "合格", "2023年6月", "首考"],
        ["", _nid(3), "学生3", "甲中", "体育", "合格", "2023年6月", "首考"],
        ["", _nid(4), "学生4", "甲中", "历史", "合格", "六月", "首考"],
        ["", _nid(4), "学生4", "甲中", "地理", "合格", "2023年6月", "再考"],
        ["", _nid(8), "学生8", "丙初中", "历史", "合格", "2023年6月", "首考"],
        ["", _nid(1), "学生1", "甲中", "历史", "不合格", "2023-06", "首考"]])
    with pytest.raises(ImportProblems) as err:
        import_proficiency(db, path, lang="en")
    found = [(p.row, p.column, p.reason) for p in err.value.problems]
    assert found == [
        (3, "B（学籍号）", "proficiency.unknown_student"),
        (4, "C（姓名）", "proficiency.name"),
        (5, "F（成绩）", "proficiency.grade"),
        (6, "E（科目）", "proficiency.subject"),
        (7, "E（科目）", "proficiency.not_examined"),
        (8, "G（考试批次）", "proficiency.sitting"),
        (9, "H（考试类别）", "proficiency.kind"),
        (10, "B（学籍号）", "proficiency.no_class"),
        (11, "F（成绩）", "proficiency.duplicate")]
    text = str(err.value)
    assert "must be one of 合格、不合格" in text or "must be one of 合格, 不合格" in text
    assert "duplicates row 2" in text and "no senior-secondary class in 2022-2023" in text
    assert _stored(db) == []


def test_the_grade_scheme_needs_the_province(tmp_path):
    db = proficiency_db(province=None)
    path = _book(tmp_path / "x.xlsx", [["学籍号", "语文"], [_nid(1), "合格"]])
    with pytest.raises(ImportProblems) as err:
        import_proficiency(db, path, sitting="2024-06")
    assert [p.reason for p in err.value.problems] == ["proficiency.no_province"]
    with pytest.raises(ImportProblems) as err:
        import_proficiency(db, path, province="云南")   # no sitting anywhere
    assert [p.reason for p in err.value.problems] == ["proficiency.no_sitting"]
    result = import_proficiency(db, path, province="云南", sitting="2024年6月")
    assert result.counts == {"proficiency_result": 1}
    other = proficiency_db(province="示例省")
    with pytest.raises(ImportProblems) as err:
        import_proficiency(other, path, sitting="2024-06", lang="en")
    assert [p.reason for p in err.value.problems] == ["proficiency.no_rule"]
    assert "示例省 has no 合格考 grade scheme for the cohort entering in 2022" in str(err.value)
    db.close()
    other.close()


def test_the_kind_is_recognised_for_check_and_upload(db, tmp_path):
    from eduquality.ingest import check_file, detect_import_kind
    from eduquality.ingest.readers import read_sheets

    province = _book(tmp_path / "p.xlsx", [
        LONG, ["2253010000001", _nid(1), "学生1", "甲中", "历史", "合格", "2023年6月", "首考"]])
    titled = _book(tmp_path / "t.xlsx", [["2024年1月学业水平合格性考试"], ["学籍号", "物理"],
                                         [_nid(1), "合格"]])
    scores = _book(tmp_path / "s.xlsx", [["考号", "学籍号", "语文", "数学"],
                                         ["K1", _nid(1), 98, 87]])
    kinds = [detect_import_kind(read_sheets(p)) for p in (province, titled, scores)]
    assert kinds == ["proficiency", "proficiency", "roster"]
    assert detect_import_kind(read_sheets(province), exam_id="E1") == "scores"
    result = check_file(db, titled)
    assert (result.kind, result.outcome, result.counts) == (
        "proficiency", "checked", {"proficiency_result": 1})
    assert _stored(db) == []
