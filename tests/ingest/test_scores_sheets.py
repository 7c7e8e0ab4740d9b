"""Score workbooks of several sheets, written by hand as schools keep them: one sheet per class
of the same paper, a 全年级汇总 sheet repeating the class sheets, a hidden sheet holding an
older copy; and a 各科成绩 sheet over a paper already imported item by item."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from eduquality.ingest import check_file, import_scores
from eduquality.ingest.problems import group_problems
from tests.ingest.conftest import fails_to_import_scores, write_sheets

HEAD = ["学籍号", "姓名", "学校", "班级"]
ITEMS = ["1", "2", "3", "17(1)", "17(2)"]
ZHANG, LI, WANG = (["G001", "张三", "一中", "1班"], ["G002", "李四", "一中", "1班"],
                   ["G003", "王五", "一中", "2班"])


@pytest.fixture()
def district(any_district):
    """Every test of this module runs on both stores."""
    return any_district


def item_rows(db) -> pd.DataFrame:
    return db.sql("""SELECT s.national_id, i.seq, i.score FROM item_score i
                     JOIN student s USING (student_id) ORDER BY s.national_id, i.seq""")


def results(db) -> dict[tuple[str, str], tuple[str, float | None]]:
    got = db.sql("""SELECT s.national_id, r.paper_id, r.status, r.score FROM subject_result r
                    JOIN student s USING (student_id)""")
    return {(n, p): (st, None if pd.isna(sc) else float(sc))
            for n, p, st, sc in got.itertuples(index=False)}


fails = fails_to_import_scores
"""Import must fail and leave every table as it was (the one helper in conftest)."""


def test_one_sheet_per_class_keeps_every_sheets_item_scores(district, tmp_path):
    """Two class sheets of the same item-level paper: each student's items are written (the
    second sheet's write used to delete the first's)."""
    path = write_sheets(tmp_path / "数学.xlsx", {
        "1班": [[*HEAD, *ITEMS], [*ZHANG, 5, 5, 8, 7, 9], [*LI, 0, 5, 3, 2, None]],
        "2班": [[*HEAD, *ITEMS], [*WANG, 5, 0, 10, None, 12]],
    })
    import_scores(district, path, "E1", "数学")
    got = item_rows(district)
    assert got.groupby("national_id").size().to_dict() == {"G001": 5, "G002": 5, "G003": 5}
    # 5 + 0 + 10 + max(blank, 12): the optional group counts its best item
    assert results(district)[("G003", "E1/math")] == ("present", 27.0)


def test_conflicting_copy_on_another_sheet_is_refused(district, tmp_path):
    """A 汇总 sheet whose 数学 differs from the class sheet: nothing is written, and the later
    rows name the sheet that has the student first (one line per subject on screen)."""
    path = write_sheets(tmp_path / "成绩.xlsx", {
        "1班": [[*HEAD, "数学", "语文"], [*ZHANG, 30, 90], [*LI, 20, 60]],
        "汇总": [[*HEAD, "数学", "语文"], [*ZHANG, 31, 90], [*LI, "缺考", 60],
                 [*WANG, 25, 55]],
    })
    err = fails(district, path, "E1")
    bad = [(p.sheet, p.row, p.value, dict(p.params)["subject"]) for p in err.problems]
    assert bad == [("汇总", 2, "31", "数学"), ("汇总", 3, "缺考", "数学")]
    assert all(dict(p.params)["first_sheet"] == "1班" for p in err.problems)
    lines = [g.line("zh") for g in group_problems(err.problems)]
    assert lines == [
        "工作表「汇总」，第 2–3 行：工作表「1班」已有该学生的「数学」成绩，且与本行不同；"
        "请删除重复或过时的工作表后再导入（共 2 处）"]


def test_identical_copy_on_another_sheet_is_written_once(district, tmp_path):
    """Class sheets repeated identically by a 汇总 sheet: imported once, and the summary says
    how many rows the later sheet repeated."""
    path = write_sheets(tmp_path / "成绩.xlsx", {
        "1班": [[*HEAD, "数学", "语文"], [*ZHANG, 30, 90], [*LI, "缺考", 60]],
        "汇总": [[*HEAD, "数学", "语文"], [*ZHANG, 30, 90], [*LI, "缺考", 60],
                 [*WANG, 25, 55]],
    })
    result = import_scores(district, path, "E1")
    got = results(district)
    assert got[("G001", "E1/math")] == ("present", 30.0)
    assert got[("G002", "E1/math")] == ("absent", None)
    assert got[("G003", "E1/chinese")] == ("present", 55.0)
    assert len(got) == 6
    notes = "\n".join(result.note_lines("zh"))
    assert "工作表「汇总」有 2 行「数学」成绩与前面的工作表相同，只导入一次" in notes


def test_item_scores_differing_on_another_sheet_are_refused(district, tmp_path):
    """The same total from other item scores (5 + 5 against 0 + 10 …) is still a conflict."""
    path = write_sheets(tmp_path / "数学.xlsx", {
        "1班": [[*HEAD, *ITEMS], [*ZHANG, 5, 5, 8, 7, 9]],
        "全年级": [[*HEAD, *ITEMS], [*ZHANG, 5, 5, 9, 6, 8], [*WANG, 5, 0, 10, None, 12]],
    })
    err = fails(district, path, "E1", "数学")
    assert [(p.sheet, p.row, p.reason) for p in err.problems] == [
        ("全年级", 2, "ingest.duplicate_items_across_sheets")]


def test_hidden_sheet_is_not_imported_unless_named(district, tmp_path):
    """An older copy in a hidden sheet is skipped, with a note; named by --sheet it is read."""
    path = write_sheets(tmp_path / "成绩.xlsx", {
        "成绩": [[*HEAD, "数学"], [*ZHANG, 30], [*LI, 20]],
        "旧版": [[*HEAD, "数学"], [*ZHANG, 16], [*LI, 15]],
    })
    wb = openpyxl.load_workbook(path)
    wb["旧版"].sheet_state = "hidden"
    wb.save(path)
    checked = check_file(district, path, exam_id="E1")
    assert not checked.problems
    assert any("已跳过隐藏的工作表「旧版」" in line for line in checked.note_lines("zh"))
    result = import_scores(district, path, "E1")
    assert any("hidden sheet '旧版' skipped" in line for line in result.note_lines("en"))
    assert results(district)[("G001", "E1/math")] == ("present", 30.0)
    import_scores(district, path, "E1", sheet="旧版", force=True)
    assert results(district)[("G001", "E1/math")] == ("present", 16.0)


def test_total_over_item_level_paper_must_agree_with_its_items(district, tmp_path):
    """A 各科成绩 sheet over a paper imported by item: a total equal to the stored result is
    accepted; another total, or 缺考, is refused at its row (the item scores would contradict
    the result)."""
    import_scores(district, write_sheets(tmp_path / "数学.xlsx", {
        "数学": [[*HEAD, *ITEMS], [*ZHANG, 5, 5, 8, 7, 9], [*LI, 0, 5, 3, 2, None]],
    }), "E1", "数学")
    stored = results(district)
    assert stored[("G001", "E1/math")] == ("present", 27.0)
    same = write_sheets(tmp_path / "总分.xlsx", {
        "各科": [[*HEAD, "数学", "语文"], [*ZHANG, 27, 90], [*LI, 10, 60], [*WANG, 25, 50]],
    })
    import_scores(district, same, "E1")
    assert results(district)[("G003", "E1/math")] == ("present", 25.0)
    assert len(item_rows(district)) == 10
    other = write_sheets(tmp_path / "总分2.xlsx", {
        "各科": [[*HEAD, "数学", "语文"], [*ZHANG, 30, 90], [*LI, "缺考", 60], [*WANG, 26, 50]],
    })
    err = fails(district, other, "E1")
    assert [(p.row, p.reason, dict(p.params)["stored"], dict(p.params)["this"])
            for p in err.problems] == [(2, "ingest.total_over_items", "27", "30"),
                                       (3, "ingest.total_over_items", "10", "缺考")]


def test_school_and_class_merged_over_their_students(district, tmp_path):
    """Students found by 姓名 within 学校 and 班级 whose 学校 and 班级 cells are merged down
    over their rows, as a teacher's sheet often has them."""
    path = write_sheets(tmp_path / "成绩.xlsx", {"成绩": [
        ["姓名", "学校", "班级", "数学"], ["张三", "一中", "1班", 30], ["李四", None, None, 20],
        ["王五", None, "2班", 25]]})
    wb = openpyxl.load_workbook(path)
    wb["成绩"].merge_cells("B2:B4")
    wb["成绩"].merge_cells("C2:C3")
    wb.save(path)
    import_scores(district, path, "E1")
    got = results(district)
    assert {k: v for k, v in got.items() if k[1] == "E1/math"} == {
        ("G001", "E1/math"): ("present", 30.0), ("G002", "E1/math"): ("present", 20.0),
        ("G003", "E1/math"): ("present", 25.0)}


def test_a_student_twice_on_one_sheet_is_not_a_clash_between_sheets(district, tmp_path):
    """Twice on the same sheet is that sheet's duplicate row, said once, not a clash between
    sheets."""
    path = write_sheets(tmp_path / "成绩.xlsx", {
        "1班": [[*HEAD, "数学"], [*ZHANG, 30]],
        "2班": [[*HEAD, "数学"], [*WANG, 25], [*WANG, 20]],
    })
    err = fails(district, path, "E1")
    assert [(p.sheet, p.row, p.reason) for p in err.problems] == [
        ("2班", 3, "ingest.duplicate_row")]
