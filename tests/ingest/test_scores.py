"""Score sheets: layouts, statuses, optional groups, choices, and every bad input's message."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.ingest import import_scores
from tests.ingest.conftest import fails_to_import_scores, snapshot, write_rows

HEAD = ["考号", "学籍号", "姓名", "学校", "班级"]
ID1 = ["001", "G001", "张三", "一中", "1班"]
ID2 = ["002", "G002", "李四", "S1", "1班"]
ID3 = ["003", "G003", "王五", "一中", "2班"]
WORDS = "缺考、缺、-、—、／、/、缺席、请假、病假、事假、未考、违纪、作弊、舞弊、免考、免"
"""The words a score cell may hold instead of a number, as the message names them."""


@pytest.fixture()
def district(any_district):
    """Every test of this module runs on both stores."""
    return any_district


def results(db) -> pd.DataFrame:
    return db.sql("""SELECT s.national_id, r.paper_id, r.status, r.score
                     FROM subject_result r JOIN student s USING (student_id)
                     ORDER BY s.national_id, r.paper_id""")


def item_scores(db, nid: str) -> list[float | None]:
    got = db.sql("""SELECT i.score FROM item_score i JOIN student s USING (student_id)
                    WHERE s.national_id = ? ORDER BY i.seq""", [nid])["score"]
    return [None if pd.isna(v) else float(v) for v in got]


fails = fails_to_import_scores
"""Import must fail and leave every table as it was (the one helper in conftest)."""


# -- layouts ------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_item_level_with_optional_group_and_choices(district, tmp_path, suffix):
    rows = [
        [*HEAD, "1", "1选项", "第2题", "3", "17(1)", "17(2)", "总分"],
        [*ID1, None, "A", 5, 8, 7, 9, 27],     # item 1 from the key: A = key → 5
        [*ID2, None, "c", 0, 3, None, None, 3],  # wrong choice → 0; group unanswered
        [*ID3, None, None, None, None, None, None, "缺考"],
    ]
    path = write_rows(tmp_path / f"数学{suffix}", rows, sheet="数学")
    result = import_scores(district, path, "E1", "数学" if suffix == ".csv" else None)
    assert result.outcome == "imported"
    got = results(district)
    # 5 + 5 + 8 + max(7, 9) = 27 — the optional group counts its best item once
    assert got["score"].tolist()[:2] == [27.0, 3.0]
    assert got["status"].tolist() == ["present", "present", "absent"]
    assert pd.isna(got["score"].iloc[2])
    assert item_scores(district, "G001") == [5.0, 5.0, 8.0, 7.0, 9.0]
    assert item_scores(district, "G002") == [0.0, 0.0, 3.0, None, None]
    assert item_scores(district, "G003") == []  # absent: no item rows
    choice = district.scalar("""SELECT choice FROM item_score JOIN student USING (student_id)
                                WHERE national_id = 'G002' AND seq = 1""")
    assert choice == "C"
    reg = district.sql("SELECT exam_number, school_code FROM exam_registration ORDER BY 1")
    assert reg["exam_number"].tolist() == ["001", "002", "003"]
    assert set(reg["school_code"]) == {"S1"}


@pytest.mark.slow
def test_merged_two_row_header_several_subjects(district, tmp_path):
    path = tmp_path / "合并表头.xlsx"
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("成绩")
    for j, h in enumerate(["学籍号", "姓名"]):
        ws.merge_range(0, j, 1, j, h)
    ws.merge_range(0, 2, 0, 6, "数学")
    ws.write_row(1, 2, ["1", "2", "3", "17(1)", "17(2)"])
    ws.merge_range(0, 7, 0, 8, "语文")
    ws.write_row(1, 7, ["1", "2"])
    ws.write_row(2, 0, ["G001", "张三", 5, 0, 10, None, 12, 3, 80])
    ws.write_row(3, 0, ["G004", "赵六", 0, 5, 1, 4, None, "缺考", None])
    ws.write_row(4, 0, ["平均分", None, 2.5])
    wb.close()
    import_scores(district, path, "E1")
    got = results(district).set_index(["national_id", "paper_id"])
    assert got.loc[("G001", "E1/math"), "score"] == 27
    assert got.loc[("G001", "E1/chinese"), "score"] == 83
    assert got.loc[("G004", "E1/math"), "score"] == 10
    assert got.loc[("G004", "E1/chinese"), "status"] == "absent"
    assert len(got) == 4  # the 平均分 row is skipped


@pytest.mark.slow
def test_two_row_header_in_csv(district, tmp_path):
    rows = [["学籍号", "姓名", "数学", None, None, None, None],
            [None, None, "1", "2", "3", "17(1)", "17(2)"],
            ["G001", "张三", 5, 5, 10, 10, 0]]
    import_scores(district, write_rows(tmp_path / "m.csv", rows), "E1")
    assert results(district)["score"].tolist() == [30.0]


@pytest.mark.slow
@pytest.mark.parametrize("absent, cheating", [
    ("缺考", "违纪"), ("缺", "作弊"), ("-", "违纪"), (None, "违纪"),
    ("缺 考", "舞弊"), ("（缺考）", "【违纪】"), ("请假", "违纪"), ("病假", "违纪")])
def test_absent_spellings_and_statuses(district, tmp_path, absent, cheating):
    rows = [["学籍号", "姓名", "语文", "数学", "英语", "总分"],
            ["G001", "张三", 90, absent, cheating, 90],
            ["G002", "李四", 80.5, 20, "免考", 100.5],
            ["合计", None, 170.5, 20]]
    import_scores(district, write_rows(tmp_path / "t.xlsx", rows), "E1")
    got = results(district).set_index(["national_id", "paper_id"])["status"]
    assert got[("G001", "E1/math")] == "absent"
    assert got[("G001", "E1/english")] == "cheating"
    assert got[("G002", "E1/english")] == "exempt"
    assert results(district)["score"].notna().sum() == 3  # never counted as zero


@pytest.mark.slow
def test_reimport_same_file_unchanged_and_changed_file_updates(district, tmp_path):
    path = write_rows(tmp_path / "t.csv", [["学籍号", "数学"], ["G001", 20], ["G002", 10]])
    first = import_scores(district, path, "E1")
    before = snapshot(district)
    again = import_scores(district, path, "E1")
    assert again.outcome == "unchanged"
    after = snapshot(district)
    assert after["import_log"]["outcome"].tolist() == ["imported"] * 3 + ["unchanged"]
    for t in before:
        if t != "import_log":
            pd.testing.assert_frame_equal(after[t], before[t])
    write_rows(path, [["学籍号", "数学"], ["G001", 25], ["G002", 10]])
    changed = import_scores(district, path, "E1")
    assert changed.outcome == "imported" and changed.import_id != first.import_id
    assert results(district)["score"].tolist() == [25.0, 10.0]
    assert district.scalar("SELECT count(*) FROM subject_result") == 2
    log = district.sql("SELECT kind, target, imported_by, rows_read FROM import_log "
                       "WHERE kind = 'scores' ORDER BY import_id")
    assert log["target"].tolist() == ["E1"] * 3 and log["rows_read"].tolist() == [2, 0, 2]
    assert log["imported_by"].str.len().min() > 0


@pytest.mark.slow
def test_user_and_map_option(district, tmp_path):
    path = write_rows(tmp_path / "t.csv", [["学生编号", "数学成绩"], ["G001", 20]])
    err = fails(district, path, "E1")
    assert {p.value for p in err.problems if p.value} == {"学生编号", "数学成绩"}
    assert "--map 学生编号=字段" in err.problems[0].message("zh")
    assert "--map 学生编号=FIELD" in err.problems[0].message("en")
    import_scores(district, path, "E1", mapping=["学生编号=学籍号", "数学成绩=数学"], user="王老师")
    assert district.scalar("SELECT imported_by FROM import_log ORDER BY import_id DESC") == "王老师"
    assert results(district)["score"].tolist() == [20.0]


# -- bad inputs ---------------------------------------------------------------------------
@pytest.mark.slow
def test_score_above_full_marks(district, tmp_path):
    rows = [["学籍号", "1", "2", "3", "17(1)", "17(2)"], ["G001", 6, 0, 11, 0, 0]]
    err = fails(district, write_rows(tmp_path / "数学.xlsx", rows, "数学"), "E1")
    assert [(p.row, p.column, p.value) for p in err.problems] == [
        (2, "B（1）", "6"), (2, "D（3）", "11")]
    assert err.problems[0].message("zh") == "得分超过该题满分 5"
    assert err.problems[1].message("en") == "score above the item's full marks 10"


@pytest.mark.slow
def test_subject_total_above_paper_full_marks(district, tmp_path):
    err = fails(district, write_rows(tmp_path / "t.csv", [["学籍号", "数学"], ["G001", 33]]),
                "E1")
    assert err.problems[0].message("zh") == "成绩超过试卷满分 32"


def test_marking_system_decorations(district, tmp_path):
    """Item headers with their full marks (1(5分)), circled sub-items (17①) and the item type
    (选择题2, 主观题3), and rows of full marks and answer keys under the header, as marking
    systems export them: the items are the paper's, the reference rows are not students."""
    rows = [
        ["学籍号", "姓名", "1(5分)", "选择题2", "主观题3", "17①", "17②(12分)"],
        ["满分", None, 5, 5, 10, 10, 12],
        ["标准答案", None, "A", "BD", None, None, None],
        ["G001", "张三", 5, 0, 8, 7, None],
    ]
    import_scores(district, write_rows(tmp_path / "阅卷.xlsx", rows), "E1", "数学")
    assert item_scores(district, "G001") == [5.0, 0.0, 8.0, 7.0, None]
    assert results(district)["score"].tolist() == [20.0]
    assert len(results(district)) == 1


@pytest.mark.slow
def test_full_width_numbers_read_as_numbers(district, tmp_path):
    """Numbers typed with a Chinese input method in full width (９０, ８５．５) are the numbers
    they show; full-width text that is not a number is still a problem."""
    rows = [["学籍号", "姓名", "语文", "数学"], ["G001", "张三", "９０", "１５．５"],
            ["G002", "李四", "８５", "二十"]]
    err = fails(district, write_rows(tmp_path / "t.xlsx", rows), "E1")
    assert [(p.row, p.value) for p in err.problems] == [(3, "二十")]
    rows[2][3] = "２０"
    import_scores(district, write_rows(tmp_path / "t.xlsx", rows), "E1")
    assert results(district)["score"].tolist() == [90.0, 15.5, 85.0, 20.0]


@pytest.mark.slow
def test_negative_and_text_scores(district, tmp_path):
    rows = [["学籍号", "姓名", "语文", "数学"], ["G001", "张三", -3, "二十"],
            ["G002", "李四", "90分", 12]]
    err = fails(district, write_rows(tmp_path / "t.xlsx", rows), "E1", lang="en")
    got = [(p.row, p.column, p.value, p.message("zh")) for p in err.problems]
    assert (2, "C（语文）", "-3", "成绩不能为负数") in got
    assert (2, "D（数学）", "二十", "成绩应为数字，或 " + WORDS) in got
    assert (3, "C（语文）", "90分", "成绩应为数字，或 " + WORDS) in got
    assert "row 2, column C（语文）, value '-3': a score cannot be negative" in str(err)


def test_a_schools_own_student_number_beside_the_exam_number(district, tmp_path):
    """A marking system's 学号 column holds the school's own numbers, not 学籍号: the row's
    registered 考号 finds the student; a 学号 that is neither, with nothing else, is unknown."""
    import_scores(district, write_rows(tmp_path / "a.csv", [[*HEAD, "数学"], [*ID1, 20],
                                                            [*ID2, 10]]), "E1")
    rows = [["学号", "考号", "数学"], ["2021001", "001", 21], ["G002", "002", 11]]
    import_scores(district, write_rows(tmp_path / "b.csv", rows), "E1")
    assert results(district)["score"].tolist() == [21.0, 11.0]
    err = fails(district, write_rows(tmp_path / "c.csv", [["学号", "数学"], ["2021001", 5]]),
                "E1")
    assert [(p.row, p.reason) for p in err.problems] == [(2, "ingest.unknown_student")]
    strict = [["学籍号", "考号", "数学"], ["2021001", "001", 21]]
    err = fails(district, write_rows(tmp_path / "d.csv", strict), "E1")
    assert [(p.row, p.reason) for p in err.problems] == [(2, "ingest.unknown_student")]


def test_full_marks_in_an_item_header_are_checked_against_the_paper(district, tmp_path):
    """'3(12分)' over an item of 10 marks: the paper structure or the header is wrong; said at
    the header cell, and nothing is imported."""
    rows = [["学籍号", "姓名", "1(5分)", "2", "3(12分)", "17(1)", "17(2)(12分)"],
            ["G001", "张三", 5, 0, 8, 7, None]]
    err = fails(district, write_rows(tmp_path / "t.xlsx", rows), "E1", "数学")
    assert [(p.row, p.column, p.reason, dict(p.params)["given"], dict(p.params)["full"])
            for p in err.problems] == [(1, "E（3(12分)）", "ingest.header_marks_differ", "12",
                                        "10")]


def test_exam_numbers_excel_turned_into_scientific_notation(district, tmp_path):
    """考号 that Excel showed as 2.60801E+10 lost their digits: one message saying so, not
    'unknown exam number' and 'duplicate' for every row."""
    rows = [["考号", "姓名", "数学"], ["2.60801E+10", "张三", 20], ["2.60801E+10", "李四", 10],
            ["2.6E10", "王五", 10]]
    err = fails(district, write_rows(tmp_path / "t.csv", rows), "E1")
    assert {(p.row, p.reason) for p in err.problems} == {
        (2, "ingest.id_scientific"), (3, "ingest.id_scientific"), (4, "ingest.id_scientific")}
    assert "科学计数法" in err.problems[0].message("zh")
    assert "scientific notation" in err.problems[0].message("en")


@pytest.mark.slow
def test_unknown_school_class_and_student(district, tmp_path):
    rows = [[*HEAD, "数学"],
            ["001", "G001", "张三", "三中", "1班", 10],
            ["002", "G002", "李四", "一中", "9班", 10],
            ["003", "G003", "王五", "一中", "1班", 10],
            ["004", "G999", "无名", "一中", "1班", 10],
            ["005", "G004", "赵七", "二中", "1班", 10]]
    err = fails(district, write_rows(tmp_path / "t.csv", rows), "E1")
    got = {(p.row, p.column.split("（")[0]): p.message("zh") for p in err.problems}
    assert got[(2, "D")] == ("未知学校名称（数据库和本文件中都没有该校名、别名或曾用名）；"
                             "相近的学校：一中（S1）、二中（S2）")
    assert got[(3, "E")] == "该校该学年没有这个班级"
    assert got[(4, "E")] == "班级与名册不符（名册中为「2班」）"
    assert got[(5, "B")] == "学籍号不存在（请先导入学生名册）"
    assert got[(6, "C")] == "姓名与学籍号不符（名册中为「赵六」）"
    assert len(err.problems) == 5  # all problems at once
    en = {p.row: p.message("en") for p in err.problems}
    assert en[2] == ("unknown school name (no school, alias or former name of that name in the "
                     "database or this file); similar schools: 一中 (S1), 二中 (S2)")
    assert en[5] == "unknown student id (import the roster first)"


@pytest.mark.slow
def test_school_of_another_student(district, tmp_path):
    rows = [["学籍号", "学校", "数学"], ["G004", "一中", 10]]
    err = fails(district, write_rows(tmp_path / "t.csv", rows), "E1")
    assert err.problems[0].message("zh") == "学校与名册不符（名册中为「二中」）"


@pytest.mark.slow
def test_duplicate_students_and_exam_numbers(district, tmp_path):
    rows = [["考号", "学籍号", "数学"], ["001", "G001", 10], ["002", "G001", 11],
            ["002", "G003", 12]]
    err = fails(district, write_rows(tmp_path / "t.xlsx", rows), "E1")
    msgs = [(p.row, p.message("zh")) for p in err.problems]
    assert (3, "与第 2 行重复（G001）") in msgs
    assert (4, "与第 3 行重复（002）") in msgs
    assert err.problems[0].message("en") == "duplicates row 2 (G001)"


@pytest.mark.slow
def test_exam_number_of_another_student_in_database(district, tmp_path):
    import_scores(district, write_rows(tmp_path / "a.csv", [["考号", "学籍号", "数学"],
                                                             ["001", "G001", 10]]), "E1")
    err = fails(district, write_rows(tmp_path / "b.csv", [["考号", "学籍号", "语文"],
                                                           ["001", "G002", 10]]), "E1")
    assert err.problems[0].message("zh") == "考号已被另一名学生（学籍号 G001）使用"


@pytest.mark.slow
def test_wrong_and_duplicate_headers(district, tmp_path):
    rows = [["学籍号", "姓名", "数学", "数学", "物理成绩"], ["G001", "张三", 1, 2, 3]]
    err = fails(district, write_rows(tmp_path / "t.xlsx", rows), "E1")
    msgs = [p.message("zh") for p in err.problems]
    assert any(m.startswith("列「数学」与 C（数学） 列重复") for m in msgs)
    assert any(m.startswith("无法识别的列名「物理成绩」") for m in msgs)
    assert all(p.row == 1 for p in err.problems)


def test_missing_id_column(district, tmp_path):
    err = fails(district, write_rows(tmp_path / "t.csv", [["姓名", "数学"], ["张三", 1]]), "E1")
    assert err.problems[0].message("zh").startswith("缺少必需的列「学籍号」")
    assert err.problems[0].message("en").startswith("required column '学籍号' is missing")


@pytest.mark.slow
def test_items_not_in_paper_and_missing_items(district, tmp_path):
    rows = [["学籍号", "1", "2", "3", "17(1)", "18"], ["G001", 1, 1, 1, 1, 1]]
    err = fails(district, write_rows(tmp_path / "t.csv", rows), "E1", "数学")
    msgs = [p.message("zh") for p in err.problems]
    assert "试卷 E1/math 中没有这道题" in msgs
    assert "缺少试卷 E1/math 第「17(2)」题的列" in msgs


@pytest.mark.slow
def test_items_without_subject(district, tmp_path):
    err = fails(district, write_rows(tmp_path / "t.csv", [["学籍号", "1"], ["G001", 1]]), "E1")
    assert err.problems[0].message("zh").startswith("无法判断小题属于哪个学科")


@pytest.mark.slow
def test_scores_and_absent_mixed_and_total_mismatch(district, tmp_path):
    rows = [["学籍号", "1", "2", "3", "17(1)", "17(2)", "总分"],
            ["G001", 5, "缺考", 3, 0, 0, 8], ["G002", 5, 5, 5, 0, 0, 14]]
    err = fails(district, write_rows(tmp_path / "数学.xlsx", rows, "数学"), "E1")
    msgs = [(p.row, p.message("zh")) for p in err.problems]
    assert (2, "该学生本科目既有分数又标为「缺考」") in msgs
    assert (3, "总分与各项之和 15 不符") in msgs


@pytest.mark.slow
def test_unknown_exam_and_missing_paper(district, tmp_path):
    path = write_rows(tmp_path / "t.csv", [["学籍号", "物理"], ["G001", 1]])
    assert fails(district, path, "NOPE").problems[0].message("zh") == (
        "考试「NOPE」不存在，请先导入考试信息")
    assert fails(district, path, "E1").problems[0].message("zh") == (
        "考试 E1 没有「物理」试卷，请先导入试卷结构")


@pytest.mark.slow
def test_error_file_lists_every_problem(district, tmp_path):
    rows = [["学籍号", "数学"]] + [[f"X{i:03d}", 1] for i in range(60)]
    path = write_rows(tmp_path / "t.csv", rows)
    err = fails(district, path, "E1")
    assert len(err.problems) == 60
    text = str(err)
    assert "第 2–61 行" in text and "（共 60 处）" in text and str(err.error_file) in text
    assert err.error_file == tmp_path / "t_问题清单.xlsx"
    listed = pd.read_excel(err.error_file, engine="calamine")
    assert list(listed.columns) == ["文件", "工作表", "行", "列", "值", "问题"]
    assert len(listed) == 60 and listed["行"].tolist()[:2] == [2, 3]
    csv_path = tmp_path / "out" / "problems.csv"
    err_en = fails(district, path, "E1", lang="en", errors=csv_path)
    listed = pd.read_csv(csv_path, encoding="utf-8-sig")
    assert list(listed.columns) == ["file", "sheet", "row", "column", "value", "problem"]
    assert listed["problem"].iloc[0] == "unknown student id (import the roster first)"
    assert "rows 2–61, column A（学籍号）: unknown student id" in str(err_en)
    assert f"full list of problems: {csv_path}" in str(err_en)


@pytest.mark.slow
def test_item_level_reimport_replaces_item_scores(district, tmp_path):
    head = ["学籍号", "1", "2", "3", "17(1)", "17(2)"]
    path = write_rows(tmp_path / "数学.xlsx", [head, ["G001", 5, 5, 10, 1, 2],
                                                ["G002", 0, 0, 1, 0, 0]], "数学")
    import_scores(district, path, "E1")
    write_rows(path, [head, ["G001", 0, 5, 10, 3, 2], ["G002", 0, 0, 1, 0, 0]], "数学")
    again = import_scores(district, path, "E1")
    assert again.outcome == "imported"
    assert item_scores(district, "G001") == [0.0, 5.0, 10.0, 3.0, 2.0]
    assert district.scalar("SELECT count(*) FROM item_score") == 10
    assert results(district)["score"].tolist() == [18.0, 1.0]
    forced = import_scores(district, path, "E1", force=True)
    assert forced.outcome == "imported"
    assert district.scalar("SELECT count(*) FROM item_score") == 10
    assert district.scalar("SELECT count(*) FROM exam_registration") == 2


@pytest.mark.slow
def test_reimport_with_swapped_exam_numbers(district, tmp_path):
    path = write_rows(tmp_path / "t.csv", [["考号", "学籍号", "数学"], ["001", "G001", 1],
                                           ["002", "G002", 2]])
    import_scores(district, path, "E1")
    write_rows(path, [["考号", "学籍号", "数学"], ["002", "G001", 1], ["001", "G002", 3]])
    import_scores(district, path, "E1")
    reg = district.sql("""SELECT national_id, exam_number FROM exam_registration
                          JOIN student USING (student_id) ORDER BY 1""")
    assert reg.values.tolist() == [["G001", "002"], ["G002", "001"]]
    assert results(district)["score"].tolist() == [1.0, 3.0]


@pytest.mark.slow
def test_title_row_and_subject_column_beside_its_items(district, tmp_path):
    rows = [["2021学年期末数学成绩"], ["学籍号", "1", "2", "3", "17(1)", "17(2)", "数学"],
            ["G001", 5, 5, 10, 1, 2, 22], ["G002", 5, 5, 10, 1, 2, 21]]
    err = fails(district, write_rows(tmp_path / "数学.xlsx", rows, "数学"), "E1")
    assert [(p.row, p.message("zh")) for p in err.problems] == [(4, "总分与各项之和 22 不符")]


@pytest.mark.slow
def test_track_papers_by_track_column_with_total(district, tmp_path):
    from eduquality.ingest import import_paper

    info = tmp_path / "info.csv"
    pd.DataFrame({"考试代码": ["E2"], "考试名称": ["一诊"], "考试类型": ["一诊"],
                  "范围": ["市级"], "学年": ["2021-2022"], "年级": [9]}).to_csv(info, index=False)
    items = tmp_path / "items.csv"
    pd.DataFrame({"学科": ["数学", "数学", "语文"], "类别": ["文科", "理科", None],
                  "题号": ["1", "1", "1"], "题型": ["主观题"] * 3, "满分": [150] * 3}).to_csv(
        items, index=False)
    import_paper(district, items, exam_info=info)
    rows = [["学籍号", "类别", "语文", "数学", "总分"], ["G001", "文科", 100, 90, 190],
            ["G002", "理", 80, 70, 150]]
    import_scores(district, write_rows(tmp_path / "t.csv", rows), "E2")
    got = results(district)
    assert got[["national_id", "paper_id", "score"]].values.tolist() == [
        ["G001", "E2/chinese", 100.0], ["G001", "E2/math/arts", 90.0],
        ["G002", "E2/chinese", 80.0], ["G002", "E2/math/science", 70.0]]
    rows[1][4] = 200
    err = fails(district, write_rows(tmp_path / "u.csv", rows), "E2")
    assert [p.message("zh") for p in err.problems] == ["总分与各项之和 190 不符"]


# -- identity as schools write it: 学籍号 without G, padded names, the grade in the class --------
def _scores_of(db) -> dict[str, float]:
    got = results(db)
    return dict(zip(got["national_id"], got["score"].astype(float), strict=True))


def test_id_without_its_g_or_with_a_lower_case_g(district, tmp_path):
    """The 身份证号 typed as the 学籍号 (here the district's IDs without their G), or g."""
    rows = [["学籍号", "姓名", "数学"], ["001", "张三", 10], ["g002", "李四", 11]]
    n = district.table_counts()["student"]
    import_scores(district, write_rows(tmp_path / "t.xlsx", rows), "E1")
    assert _scores_of(district) == {"G001": 10.0, "G002": 11.0}
    assert district.table_counts()["student"] == n


def test_names_padded_with_spaces_match(district, tmp_path):
    """「张　三」 in a sheet, 「王　五」 on record from an older roster: compared without the
    spaces, by 学籍号 and by name alike."""
    district.con.execute("UPDATE student SET name = '王\u3000五' WHERE national_id = 'G003'")
    rows = [["学籍号", "姓名", "学校", "班级", "数学"], ["G001", "张\u3000三", "一中", "1班", 10],
            ["G002", " 李 四", "一中", "1班", 11], ["G003", "王五", "一中", "2班", 12]]
    import_scores(district, write_rows(tmp_path / "a.xlsx", rows), "E1")
    by_name = [["姓名", "学校", "班级", "语文"], ["王 五", "一中", "2班", 50],
               ["赵\u00a0六", "二中", "1班", 60]]
    import_scores(district, write_rows(tmp_path / "b.xlsx", by_name), "E1")
    got = results(district)
    assert sorted(zip(got["national_id"], got["score"].astype(float), strict=True)) == [
        ("G001", 10.0), ("G002", 11.0), ("G003", 12.0), ("G003", 50.0), ("G004", 60.0)]


def test_class_written_with_its_grade(district, tmp_path):
    """初三(1)班 / 九年级2班 / 9年级1班 in a grade-9 exam: the class, as rosters read it."""
    rows = [["学籍号", "班级", "数学"], ["G001", "初三(1)班", 10], ["G003", "九年级2班", 11]]
    import_scores(district, write_rows(tmp_path / "a.xlsx", rows), "E1")
    by_name = [["姓名", "学校", "班级", "语文"], ["李四", "一中", "初三（01）班", 50],
               ["赵六", "二中", "9年级1班", 60]]
    import_scores(district, write_rows(tmp_path / "b.xlsx", by_name), "E1")
    got = results(district)
    assert sorted(zip(got["national_id"], got["score"].astype(float), strict=True)) == [
        ("G001", 10.0), ("G002", 50.0), ("G003", 11.0), ("G004", 60.0)]


def test_class_of_another_grade_or_unknown_is_blamed_on_the_class(district, tmp_path):
    rows = [["学籍号", "姓名", "学校", "班级", "数学"],
            ["G001", "张三", "一中", "初二(1)班", 10],     # the exam is grade 9's
            [None, "李四", "一中", "初二(1)班", 11],
            [None, "王五", "一中", "初三(5)班", 12],       # no 5班: the class, not the name
            [None, "无名", "一中", "初三(1)班", 13]]       # the class exists: the name
    err = fails(district, write_rows(tmp_path / "t.xlsx", rows), "E1")
    got = {(p.row, p.column.split("（")[0]): p.message("zh") for p in err.problems}
    assert got == {
        (2, "D"): "班级中写的年级（8 年级）与本次考试的年级（9 年级）不符",
        (3, "D"): "班级中写的年级（8 年级）与本次考试的年级（9 年级）不符",
        (4, "D"): "该校该学年没有这个班级",
        (5, "B"): "该学校该班级没有这个姓名的学生（请核对姓名、学校、班级，或加学籍号列）"}
    en = {p.row: p.message("en") for p in err.problems}
    assert en[2] == "the class names grade 8, but the exam is for grade 9"
