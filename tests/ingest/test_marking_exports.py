"""Score sheets as marking systems export them, built by hand with openpyxl: title rows, merged
group rows (客观题/主观题, 第Ⅰ卷/第Ⅱ卷) above decorated item labels, aggregate columns, rank and
grade columns, statuses in 备注/总分, students without 学籍号 — each imports to the same rows as
the canonical file, and each bad variant gives its located problem and changes nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from eduquality.ingest import ImportProblems, import_paper, import_roster, import_scores
from eduquality.ingest.scores.columns import aggregate_key, group_key, is_rank_or_grade, item_label
from tests.ingest.conftest import (
    EXAM,
    fails_to_import_scores,
    write_rows,
    write_xlsx,
)

IDENT = ["考号", "姓名", "学校", "班级"]


def marking_sheet(path: Path, rows: list[list[object]], merges: list[str],
                  sheet: str = "数学") -> Path:
    """``rows`` as given (None = empty cell) with the merged ranges ``merges`` (openpyxl)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


def math_export(path: Path, rows: list[list[object]] | None = None) -> Path:
    """The 数学 sheet of a marking system: a title row, then 考号/姓名/学校/班级 and the merged
    groups 客观题 (1, 2) and 主观题 (3, 17(1), 17(2) 选做) over decorated labels, then 客观分,
    主观分, 总分, 班级排名, 等级, 备注 (each merged over both header rows)."""
    head1 = [*IDENT, "客观题", None, "主观题", None, None, "客观分", "主观分", "总分",
             "班级排名", "等级", "备注"]
    head2 = [None] * 4 + ["T1", "第2题", "3题", "17-1(选做)", "17(2)选做"] + [None] * 6
    data = rows if rows is not None else [
        ["001", "张三", "一中", "1班", "A", "BD", 8, 7, 9, 10, 17, 27, 1, "A", None],
        ["002", "李四", "S1", "（1）班", "c", "D", 3, None, None, 0, 3, 3, 2, "C", None],
        ["003", "王五", "一中", "2班", None, None, None, None, None, None, None, None, None,
         None, "缺考"],
        ["004", "赵六", "二中", "1班", None, None, None, None, None, None, None, "缺考", None,
         None, None],
        ["005", "钱七", "二中", "1班", None, None, None, None, None, None, None, None, None,
         None, "作弊"],
    ]
    rows_all = [["2021学年九年级期末 数学 成绩表"], head1, head2, *data]
    merges = ["A1:O1", *[f"{c}2:{c}3" for c in "ABCDJKLMNO"], "E2:F2", "G2:I2"]
    return marking_sheet(path, rows_all, merges)


def canonical_math(path: Path) -> Path:
    """The same scores as :func:`math_export` in the documented layout (学籍号, items, choices)."""
    rows = [["学籍号", "考号", "1选项", "2选项", "3", "17(1)", "17(2)"],
            ["G001", "001", "A", "BD", 8, 7, 9],
            ["G002", "002", "C", "D", 3, None, None],
            ["G003", "003", None, None, "缺考", None, None],
            ["G004", "004", None, None, None, None, None],
            ["G005", "005", "违纪", None, None, None, None]]
    return write_rows(path, rows, sheet="数学")


def rows_of(db) -> dict[str, pd.DataFrame]:
    return {
        "subject_result": db.sql("""SELECT s.national_id, r.paper_id, r.status, r.score
                                    FROM subject_result r JOIN student s USING (student_id)
                                    ORDER BY 1, 2, 3, 4"""),
        "item_score": db.sql("""SELECT s.national_id, i.paper_id, i.seq, i.score, i.choice
                                FROM item_score i JOIN student s USING (student_id)
                                ORDER BY 1, 2, 3, 4, 5"""),
        "exam_registration": db.sql("""SELECT s.national_id, r.exam_number, r.school_code,
                                              r.class_id
                                       FROM exam_registration r JOIN student s USING (student_id)
                                       ORDER BY 1, 2, 3, 4"""),
    }


@pytest.fixture()
def district(any_district):
    """Every test of this module that imports runs on both stores."""
    return any_district


fails = fails_to_import_scores
"""Import must fail and leave every table as it was (the one helper in conftest)."""


def where(err: ImportProblems) -> dict[tuple[int | None, str | None], str]:
    return {(p.row, p.column): p.message("zh") for p in err.problems}


# -- header texts ------------------------------------------------------------------------------
@pytest.mark.slow
@given(st.integers(1, 199), st.integers(1, 9))
def test_decorated_item_labels_read_as_the_printed_number(n, k):
    for text in (f"{n}", f"第{n}题", f"{n}题", f"T{n}", f"t{n}", f"{n}(选做)", f"{n}选做",
                 f"{n}（选做）", f"第{n}小题", f"0{n}"):
        assert item_label(text) == str(n), text
    for text in (f"{n}({k})", f"{n}（{k}）", f"{n}-{k}", f"第{n}({k})题", f"{n}-{k}(选做)"):
        assert item_label(text) == f"{n}({k})", text


@pytest.mark.parametrize(("text", "key"), [
    ("客观题", "客观题"), ("主观题", "主观题"), ("选择题", "选择题"), ("非选择题", "非选择题"),
    ("填空题", "填空题"), ("解答题", "解答题"), ("一、选择题", "选择题"), ("二、填空题", "填空题"),
    ("选择题（共60分）", "选择题"), ("第Ⅰ卷", "卷1"), ("第Ⅱ卷", "卷2"), ("卷Ⅰ", "卷1"),
    ("Ⅱ卷", "卷2"), ("卷一", "卷1"), ("数学", None), ("17(2)", None), ("姓名", None),
    ("班级排名", None)])
def test_group_labels(text, key):
    assert group_key(text) == key


@pytest.mark.parametrize(("text", "key"), [
    ("客观分", "objective"), ("客观题得分", "objective"), ("主观分", "subjective"),
    ("主观题总分", "subjective"), ("卷Ⅰ", "卷1"), ("第Ⅱ卷得分", "卷2"), ("选择题得分", "选择题"),
    ("总分", None), ("语文", None), ("备注", None)])
def test_aggregate_columns(text, key):
    assert aggregate_key(text) == key


@pytest.mark.parametrize(("text", "ranked"), [
    ("班级排名", True), ("学校排名", True), ("区排名", True), ("校名次", True), ("名次", True),
    ("总分名次", True), ("等级", True), ("数学等第", True), ("等级分", False), ("班级", False),
    ("班名", False)])
def test_rank_and_grade_columns(text, ranked):
    assert is_rank_or_grade(text) is ranked


# -- the marking system's file = the canonical file ------------------------------------------
@pytest.mark.slow
def test_marking_export_imports_like_the_canonical_file(district, twin, tmp_path):
    result = import_scores(district, math_export(tmp_path / "阅卷导出.xlsx"), "E1")
    import_scores(twin, canonical_math(tmp_path / "canonical.xlsx"), "E1")
    got, want = rows_of(district), rows_of(twin)
    for table in got:
        pd.testing.assert_frame_equal(got[table], want[table], obj=table)
    res = got["subject_result"].set_index("national_id")
    # 张三: A = key A → 5, BD = key → 5, 8, best of the 选做 pair 9 → 27 (the sheet's 总分)
    assert res.loc["G001", "score"] == 27 and res.loc["G002", "score"] == 3
    assert res["status"].tolist() == ["present", "present", "absent", "absent", "cheating"]
    assert res.loc[["G003", "G004", "G005"], "score"].isna().all()  # never zero
    # ranks and grades are ignored, and said so
    assert [n.split("中", 1)[1] for n in result.note_lines("zh")] == ["已忽略的列（不导入）：班级排名、等级"]
    again = import_scores(district, tmp_path / "阅卷导出.xlsx", "E1")
    assert again.outcome == "unchanged"
    import_scores(district, tmp_path / "阅卷导出.xlsx", "E1", force=True)  # idempotent
    for table, frame in rows_of(district).items():
        pd.testing.assert_frame_equal(frame, want[table], obj=table)


@pytest.mark.slow
def test_three_row_header_subject_over_parts_with_part_sums(district, tmp_path):
    """数学 over 第Ⅰ卷/第Ⅱ卷 over the items, with 卷Ⅰ/卷Ⅱ sums; no --subject, no sheet name."""
    rows = [
        ["学籍号", "姓名", "数学", None, None, None, None, None, None, "总分"],
        [None, None, "第Ⅰ卷", None, "第Ⅱ卷", None, None, "卷Ⅰ", "卷Ⅱ", None],
        [None, None, "1", "2", "3", "17(1)", "17(2)", None, None, None],
        ["G001", "张三", 5, 0, 10, 4, None, 5, 14, 19],
        ["G004", "赵六", 0, 5, 1, None, 12, 5, 13, 18],
    ]
    merges = ["A1:A3", "B1:B3", "C1:I1", "C2:D2", "E2:G2", "H2:H3", "I2:I3", "J1:J3"]
    import_scores(district, marking_sheet(tmp_path / "m.xlsx", rows, merges, "成绩"), "E1")
    got = rows_of(district)["subject_result"]
    assert got["score"].tolist() == [19.0, 18.0]


@pytest.mark.slow
def test_a_sum_column_that_disagrees_is_a_located_problem(district, tmp_path):
    path = math_export(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["数学"]["J4"] = 9  # 张三's 客观分: the objective items sum to 10
    wb.save(path)
    err = fails(district, path, "E1")
    assert where(err) == {(4, "J（客观分）"): "与该列所合计小题之和 10 不符"}
    assert err.problems[0].message("en") == "differs from the sum 10 of the items this column adds up"


@pytest.mark.slow
def test_status_in_remark_contradicted_by_scores(district, tmp_path):
    rows = [["学籍号", "语文", "数学", "英语", "备注"],
            ["G001", 90, None, 100, "缺考"],      # 数学 blank: the remark is its status
            ["G002", 80, 20, 100, "违纪"],        # every subject scored: a contradiction
            ["G003", None, None, None, "免考"]]
    err = fails(district, write_rows(tmp_path / "t.xlsx", rows), "E1")
    assert where(err) == {(3, "E（备注）"): "该学生本科目既有分数又标为「违纪」"}
    rows[2][4] = "转学生"  # free text in 备注 is a remark, not a status
    import_scores(district, write_rows(tmp_path / "t.xlsx", rows), "E1")
    got = rows_of(district)["subject_result"].set_index(["national_id", "paper_id"])
    assert got.loc[("G001", "E1/math"), "status"] == "absent"
    assert (got.loc["G003", "status"] == "exempt").all()
    assert got.loc[("G002", "E1/math"), "score"] == 20


# -- students without 学籍号 ------------------------------------------------------------------
@pytest.mark.slow
def test_exam_numbers_registered_by_an_earlier_file_identify_students(district, tmp_path):
    import_scores(district, canonical_math(tmp_path / "c.xlsx"), "E1")
    rows = [["考号", "姓名", "语文"], ["001", "张三", 90], ["005", "钱七", 80],
            ["099", "无名", 70]]
    err = fails(district, write_rows(tmp_path / "y.csv", rows), "E1")
    assert where(err) == {(4, "A（考号）"): (
        "考号未在本次考试登记，又无法按姓名、学校、班级确定学生（请加学籍号列，或先登记考号）")}
    import_scores(district, write_rows(tmp_path / "y.csv", rows[:3]), "E1")
    got = rows_of(district)["subject_result"]
    chinese = got[got["paper_id"] == "E1/chinese"]
    assert chinese["national_id"].tolist() == ["G001", "G005"]


@pytest.mark.slow
def test_same_name_in_one_class_names_the_candidates(district, tmp_path):
    extra = pd.DataFrame({"学籍号": ["G007"], "姓名": ["张三"], "性别": ["女"],
                          "学校代码": ["S1"], "学年": ["2021-2022"], "年级": [9],
                          "班级": ["1班"]})
    import_roster(district, write_xlsx(tmp_path / "转入.xlsx", {"学生": extra}))
    rows = [["姓名", "学校", "班级", "语文"], ["张三", "一中", "1班", 90],
            ["王五", "一中", "1班", 80], ["李四", "一中 ", "1 班", 70]]
    err = fails(district, write_rows(tmp_path / "n.xlsx", rows), "E1")
    assert where(err) == {
        (2, "A（姓名）"): "该班有 2 名同名学生：张三（学籍号 G**1）、张三（学籍号 G**7）；"
                        "请加学籍号或考号列区分",
        (3, "A（姓名）"): "该学校该班级没有这个姓名的学生（请核对姓名、学校、班级，或加学籍号列）",
    }
    twins = next(p for p in err.problems if p.row == 2)
    assert twins.message("en").startswith("2 students of this name in that class")
    # the remedy the message gives: a 学籍号 column
    rows = [["学籍号", *rows[0]], ["G007", *rows[1]], ["G002", *rows[3]]]
    import_scores(district, write_rows(tmp_path / "n.xlsx", rows), "E1")
    assert rows_of(district)["subject_result"]["national_id"].tolist() == ["G002", "G007"]


@pytest.mark.slow
def test_unknown_school_name(district, tmp_path):
    rows = [["姓名", "学校", "班级", "语文"], ["张三", "第九中学", "1班", 90]]
    err = fails(district, write_rows(tmp_path / "s.csv", rows), "E1")
    assert (2, "B（学校）") in where(err)
    assert where(err)[(2, "B（学校）")] == (
        "未知学校名称（数据库和本文件中都没有该校名、别名或曾用名）；请改用学校代码，或登记别名")


# -- --map and the remedies the messages suggest ----------------------------------------------
@pytest.mark.slow
def test_map_accepts_the_multi_row_header_as_printed(district, tmp_path):
    rows = [["学籍号", "其他", None, None, None, None],
            [None, "1", "2", "3", "17(1)", "17(2)"],
            ["G001", 5, 5, 10, 0, 12]]
    path = marking_sheet(tmp_path / "m.xlsx", rows, ["A1:A2", "B1:F1"])
    err = fails(district, path, "E1", "数学")
    assert where(err)[(1, "B（其他/1）")].startswith("无法识别的列名「其他/1」；如需导入请用 "
                                                  "--map 其他/1=字段")
    mapping = [f"其他/{x}={x}" for x in ("1", "2", "3", "17(1)", "17(2)")]
    import_scores(district, path, "E1", "数学", mapping=mapping)
    assert rows_of(district)["subject_result"]["score"].tolist() == [32.0]


@pytest.mark.slow
def test_map_group_header_explicitly(district, tmp_path):
    """The issue's own example: ``--map 客观题/1=1`` (here also what the header means anyway)."""
    import_scores(district, math_export(tmp_path / "m.xlsx"), "E1",
                  mapping=["客观题/T1=1", "主观题/3题=3"])
    assert rows_of(district)["subject_result"]["score"].tolist()[:2] == [27.0, 3.0]


@pytest.mark.slow
def test_a_part_sum_without_its_items_can_be_ignored_as_suggested(district, tmp_path):
    rows = [["学籍号", "1", "2", "3", "17(1)", "17(2)", "卷Ⅱ"], ["G001", 5, 5, 10, 0, 12, 22]]
    path = write_rows(tmp_path / "p.csv", rows)
    err = fails(district, path, "E1", "数学")
    msg = err.problems[0].message("zh")
    assert "--map 卷Ⅱ=-" in msg
    import_scores(district, path, "E1", "数学", mapping=["卷Ⅱ=-"])
    assert rows_of(district)["subject_result"]["score"].tolist() == [32.0]


@pytest.mark.slow
def test_formula_cells_use_their_cached_values(district, tmp_path):
    path = tmp_path / "f.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数学")
    ws.write_row(0, 0, ["学籍号", "1", "2", "3", "17(1)", "17(2)", "客观分", "总分"])
    ws.write_row(1, 0, ["G001", 5, 0, 10, 4, 6])
    ws.write_formula(1, 6, "=B2+C2", None, 5)
    ws.write_formula(1, 7, "=SUM(B2:D2)+MAX(E2:F2)", None, 21)
    wb.close()
    import_scores(district, path, "E1")
    assert rows_of(district)["subject_result"]["score"].tolist() == [21.0]


# -- papers: objective items without a key, subject-level papers ------------------------------
def _exam(code: str, kind: str = "期末") -> pd.DataFrame:
    exam = EXAM.copy()
    exam.loc[0, "值"] = code
    exam.loc[1, "值"] = f"{code} 考试"
    exam.loc[2, "值"] = kind
    return exam


@pytest.mark.slow
def test_objective_items_without_a_key(district, tmp_path):
    items = pd.DataFrame({"学科": ["数学"] * 2, "题号": ["1", "2"], "题型": ["客观题", "客观题"],
                          "满分": [5, 5], "答案": [None, "A"]})
    import_paper(district, write_xlsx(tmp_path / "p.xlsx", {"考试信息": _exam("E2"),
                                                            "试卷结构": items}))
    assert district.scalar("SELECT full_marks FROM paper WHERE paper_id = 'E2/math'") == 10
    rows = [["学籍号", "1", "2"], ["G001", 5, "A"], ["G002", "B", "C"]]
    err = fails(district, write_rows(tmp_path / "s.xlsx", rows, sheet="数学"), "E2")
    assert where(err) == {(3, "B（1）"): (
        "第 1 题没有标准答案，无法由选项评分：请给出得分，或在试卷结构中填写答案后重新导入试卷")}
    rows[2][1] = 0
    import_scores(district, write_rows(tmp_path / "s.xlsx", rows, sheet="数学"), "E2")
    assert rows_of(district)["subject_result"]["score"].tolist() == [10.0, 0.0]


@pytest.mark.slow
def test_subject_level_paper_takes_subject_totals(district, tmp_path):
    papers = pd.DataFrame({"学科": ["语文", "数学"], "满分": [120, 120]})
    import_paper(district, write_xlsx(tmp_path / "中考.xlsx", {"考试信息": _exam("Z1", "中考"),
                                                               "试卷结构": papers}))
    got = district.sql("SELECT paper_id, full_marks FROM paper WHERE exam_id = 'Z1' ORDER BY 1")
    assert got.values.tolist() == [["Z1/chinese", 120.0], ["Z1/math", 120.0]]
    assert district.scalar("SELECT count(*) FROM item WHERE paper_id LIKE 'Z1/%'") == 0
    rows = [["学籍号", "姓名", "语文", "数学", "总分", "区排名"],
            ["G001", "张三", 100, 110.5, 210.5, 1], ["G004", "赵六", 90, "缺考", 90, 2]]
    result = import_scores(district, write_rows(tmp_path / "z.xlsx", rows), "Z1")
    assert [n.split("中", 1)[1] for n in result.note_lines("zh")] == ["已忽略的列（不导入）：区排名"]
    res = rows_of(district)["subject_result"]
    assert res["score"].tolist()[:3] == [100.0, 110.5, 90.0]
    assert res["status"].tolist()[3] == "absent"
    items = [["学籍号", "1", "2"], ["G001", 1, 2]]
    err = fails(district, write_rows(tmp_path / "i.csv", items), "Z1", "数学")
    assert err.problems[0].message("zh").startswith("试卷 Z1/math 只按学科总分定义")


@pytest.mark.slow
def test_subject_row_and_item_rows_of_one_paper(district, tmp_path):
    papers = pd.DataFrame({"学科": ["数学", "数学"], "题号": [None, "1"],
                           "题型": [None, "主观题"], "满分": [120, 10]})
    with pytest.raises(ImportProblems) as err:
        import_paper(district, write_xlsx(tmp_path / "p.xlsx", {"考试信息": _exam("Z2"),
                                                                "试卷结构": papers}))
    assert err.value.problems[0].message("zh").startswith("「数学」既有不带题号的学科行又有小题行")


@pytest.mark.slow
def test_analyses_that_need_items_say_so_for_a_subject_level_paper(district, tmp_path):
    from eduquality.analysis.calibration import calibrate_paper
    from eduquality.analysis.item_stats import analyse_items
    from eduquality.errors import EduQualityError

    papers = pd.DataFrame({"学科": ["数学"], "满分": [120]})
    import_paper(district, write_xlsx(tmp_path / "中考.xlsx", {"考试信息": _exam("Z1", "中考"),
                                                               "试卷结构": papers}))
    rows = [["学籍号", "数学"], *[[f"G00{i}", 100 + i] for i in range(1, 7)]]
    import_scores(district, write_rows(tmp_path / "z.csv", rows), "Z1")
    frames = analyse_items(district, "Z1", min_gap=0.05)
    assert frames["items"].empty
    assert frames["no_items"].values.tolist() == [["Z1/math", "math"]]
    with pytest.raises(EduQualityError) as err:
        calibrate_paper(district, "Z1/math")
    assert str(err.value) == "试卷 Z1/math 只按学科总分定义（没有小题），IRT 标定需要小题分"


@pytest.mark.slow
def test_remedies_of_the_messages_work(district, tmp_path):
    """``--map X=-`` for an unknown column, ``--subject`` for items of no known subject, a
    学籍号 column for an exam number that is not registered."""
    rows = [["学籍号", "考号", "1", "2", "3", "17(1)", "17(2)", "阅卷老师"],
            ["G001", "A01", 5, 5, 10, 0, 12, "李老师"]]
    path = write_rows(tmp_path / "r.csv", rows)
    err = fails(district, path, "E1")
    msgs = sorted(p.message("zh") for p in err.problems)
    assert msgs[0].startswith("无法判断小题属于哪个学科：请用 --subject 指定")
    assert any("--map 阅卷老师=-" in m for m in msgs)
    import_scores(district, path, "E1", "数学", mapping=["阅卷老师=-"])
    assert rows_of(district)["subject_result"]["score"].tolist() == [32.0]
    rows = [["考号", "语文"], ["B02", 90]]
    err = fails(district, write_rows(tmp_path / "k.csv", rows), "E1")
    assert err.problems[0].message("zh").startswith("考号未在本次考试登记")
    rows = [["学籍号", "考号", "语文"], ["G002", "B02", 90]]
    import_scores(district, write_rows(tmp_path / "k.csv", rows), "E1")
    rows = [["考号", "英语"], ["B02", 100]]  # now registered: the 考号 alone identifies 李四
    import_scores(district, write_rows(tmp_path / "k2.csv", rows), "E1")
    english = rows_of(district)["subject_result"].query("paper_id == 'E1/english'")
    assert english["national_id"].tolist() == ["G002"]


@pytest.mark.slow
def test_cli_map_as_printed_and_ignored_columns_in_the_summary(tmp_path, command_db):
    from eduquality.cli import main
    from tests.cli.test_importing import _setup

    runner, db = _setup(tmp_path, command_db)
    rows = [["学籍号", "其他", None, None, None, None, "班级排名"],
            [None, "1", "2", "3", "17(1)", "17(2)", None],
            ["G001", 5, 5, 10, 0, 12, 1]]
    path = marking_sheet(tmp_path / "m.xlsx", rows, ["A1:A2", "B1:F1", "G1:G2"])
    args = ["--db", db, "import", "scores", str(path), "--exam", "E1", "--subject", "数学"]
    res = runner.invoke(main, args)
    assert res.exit_code == 2 and "--map 其他/1=字段" in res.output
    maps = [a for x in ("1", "2", "3", "17(1)", "17(2)") for a in ("--map", f"其他/{x}={x}")]
    res = runner.invoke(main, [*args, *maps])
    assert res.exit_code == 0, res.output
    assert "已忽略的列（不导入）：班级排名" in res.output
