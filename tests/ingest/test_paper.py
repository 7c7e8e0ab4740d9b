"""Exam and paper definitions: full marks with optional groups, keys, knowledge points."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.ingest import ImportProblems, import_paper, import_scores
from eduquality.ingest.paper import parse_knowledge
from tests.ingest.conftest import EXAM, ITEMS, assert_unchanged, snapshot, write_xlsx


@pytest.fixture()
def district(any_district):
    """Every test of this module runs on both stores."""
    return any_district


def fails(db, path, **kw) -> ImportProblems:
    before = snapshot(db)
    with pytest.raises(ImportProblems) as err:
        import_paper(db, path, **kw)
    assert_unchanged(db, before)
    return err.value


def test_exam_papers_items_groups_knowledge(district):
    exam = district.sql("SELECT * FROM exam").iloc[0]
    assert (exam["exam_type"], exam["scope"], exam["grade"], exam["term_no"]) == (
        "final", "district", 9, 1)
    papers = district.sql("SELECT paper_id, full_marks FROM paper ORDER BY 1")
    # 数学: 5 + 5 + 10 + the better of the optional 17(1)=10 / 17(2)=12 → 32
    assert dict(zip(papers["paper_id"], papers["full_marks"], strict=True)) == {
        "E1/chinese": 100.0, "E1/english": 150.0, "E1/math": 32.0}
    items = district.sql("SELECT * FROM item WHERE paper_id = 'E1/math' ORDER BY seq")
    assert items["item_no"].tolist() == ["1", "2", "3", "17(1)", "17(2)"]
    assert items["answer_key"].tolist()[:2] == ["A", "BD"]
    assert items["item_type"].tolist() == ["objective"] * 2 + ["subjective"] * 3
    assert district.sql("SELECT * FROM optional_group").to_dict("records") == [
        {"paper_id": "E1/math", "group_code": "G1", "n_counted": 1}]
    kp = district.sql("SELECT seq, knowledge_point, weight FROM item_knowledge ORDER BY 1, 2, 3")
    assert kp.values.tolist() == [[1, "几何", 1.0], [1, "函数", 0.5], [2, "集合", 1.0],
                                  [4, "导数", 1.0], [5, "导数", 1.0], [5, "数列", 1.0]]


def test_parse_knowledge():
    assert parse_knowledge("函数：0.5；几何,数列") == [("函数", 0.5), ("几何", 1.0), ("数列", 1.0)]
    assert parse_knowledge("函数:x") is None
    assert parse_knowledge("函数:-1") is None


@pytest.mark.slow
def test_csv_items_with_existing_exam_and_header_row_exam_info(district, tmp_path):
    items = tmp_path / "items.csv"
    pd.DataFrame({"学科": ["物理"], "题号": ["1"], "题型": ["主观题"], "满分": [100]}).to_csv(
        items, index=False, encoding="utf-8-sig")
    import_paper(district, items, exam_id="E1")
    assert district.scalar("SELECT full_marks FROM paper WHERE paper_id = 'E1/physics'") == 100
    info = tmp_path / "info.csv"
    pd.DataFrame({"考试代码": ["E2"], "考试名称": ["一诊"], "考试类型": ["一诊"],
                  "范围": ["市级"], "学年": ["2021-2022"], "年级": ["初三"]}).to_csv(
        info, index=False)
    import_paper(district, items, exam_info=info, force=True)
    assert district.scalar("SELECT exam_type FROM exam WHERE exam_id = 'E2'") == "diag1"


@pytest.mark.slow
def test_bad_items(district, tmp_path):
    bad = ITEMS.copy()
    bad.loc[0, "答案"] = "X"           # not an option letter
    bad.loc[1, "满分"] = 0             # full marks 0
    bad.loc[2, "题号"] = "2"           # duplicate item number in 数学
    bad.loc[3, "知识点"] = "导数:很重要"  # bad weight
    bad.loc[5, "题型"] = "作文题"
    err = fails(district, write_xlsx(tmp_path / "p.xlsx", {"考试信息": EXAM, "试卷结构": bad}))
    got = {(p.row, p.column.split("（")[0]): p.message("zh") for p in err.problems}
    assert got[(2, "E")] == "答案应为 A–H 的字母"
    assert got[(3, "D")] == "满分必须大于 0"
    assert got[(4, "B")] == "与第 3 行重复（math / 2）"
    assert got[(5, "F")] == "知识点权重无法识别（例：函数:0.5）"
    assert got[(7, "C")].startswith("「题型」的值无法识别")
    bad_key = next(p for p in err.problems if p.row == 2)
    assert bad_key.message("en") == "an answer key is made of letters A–H"


@pytest.mark.slow
def test_unknown_year_and_missing_exam_info(district, tmp_path):
    exam = EXAM.copy()
    exam.loc[4, "值"] = "2030-2031"
    err = fails(district, write_xlsx(tmp_path / "p.xlsx", {"考试信息": exam, "试卷结构": ITEMS}))
    assert err.problems[0].message("zh") == "未知学年（数据库和本文件中都没有）"
    assert err.problems[0].message("en") == (
        "unknown school year (neither in the database nor in this file)")
    err = fails(district, write_xlsx(tmp_path / "q.xlsx", {"试卷结构": ITEMS}))
    assert err.problems[0].message("zh").startswith("找不到考试信息")


@pytest.mark.slow
def test_structure_of_a_scored_paper_cannot_change(district, tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"学籍号": ["G001"], "1": [5], "2": [5], "3": [1], "17(1)": [1],
                  "17(2)": [0]}).to_csv(path, index=False)
    import_scores(district, path, "E1", "数学")
    changed = ITEMS.copy()
    changed.loc[2, "满分"] = 12
    err = fails(district, write_xlsx(tmp_path / "p.xlsx", {"考试信息": EXAM,
                                                           "试卷结构": changed}))
    assert err.problems[0].message("zh").startswith("试卷 E1/math 已有小题成绩")
