"""Grouping of problems on screen: one line per problem with its row ranges and count."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from eduquality.ingest.problems import (
    ImportProblems,
    Problems,
    format_ranges,
    group_problems,
    row_ranges,
    write_error_file,
)


@given(st.lists(st.integers(min_value=1, max_value=400), max_size=200))
def test_row_ranges_cover_exactly_the_rows(rows: list[int]) -> None:
    ranges = row_ranges(rows)
    covered = [r for a, b in ranges for r in range(a, b + 1)]
    assert covered == sorted(set(rows))  # exactly the rows, each once, ascending
    for (_, b), (a2, _) in pairwise(ranges):
        assert a2 > b + 1  # maximal: no two ranges touch
    assert all(a <= b for a, b in ranges)


def test_format_ranges() -> None:
    assert format_ranges(row_ranges([2, 3, 4, 7, 9, 10])) == "2–4、7、9–10"
    assert format_ranges(row_ranges([2, 3, 4, 7]), "en") == "2–4, 7"


def _many() -> Problems:
    p = Problems("成绩.xlsx")
    for r in range(2, 152):
        p.add("ingest.unknown_student", sheet="数学", row=r, column="A（学籍号）", value=f"X{r}")
    p.add("ingest.score_negative", sheet="数学", row=7, column="D（1）", value=-1)
    p.add("ingest.unknown_student", sheet="数学", row=160, column="A（学籍号）", value="X160")
    return p


def test_the_same_problem_in_150_rows_is_one_line() -> None:
    p = _many()
    text = str(ImportProblems(p.items, "zh"))
    lines = text.splitlines()
    assert lines[0].startswith("文件 成绩.xlsx 有 152 个问题")
    assert len(lines) == 3
    assert lines[1] == ("  工作表「数学」，第 2–151、160 行，A（学籍号） 列："
                        "学籍号不存在（请先导入学生名册）（共 151 处）")
    assert lines[2] == "  工作表「数学」，第 7 行，D（1） 列，值「-1」：成绩不能为负数"
    en = ImportProblems(p.items, "en").render()
    assert "rows 2–151, 160, column A（学籍号）: unknown student id" in en
    assert en.splitlines()[1].endswith("(151 rows)")


def test_same_key_with_other_parameters_is_not_merged() -> None:
    p = Problems("f.csv")
    p.add("ingest.score_over_item", row=3, column="C（1）", full=5)
    p.add("ingest.score_over_item", row=4, column="C（1）", full=5)
    p.add("ingest.score_over_item", row=5, column="C（1）", full=6)
    groups = group_problems(p.items)
    assert [g.count for g in groups] == [2, 1]
    assert groups[0].rows == (3, 4)


def test_limit_counts_the_problems_left_out() -> None:
    p = Problems("f.csv")
    for c in range(60):
        p.add("ingest.score_negative", row=2, column=f"C{c}")
        p.add("ingest.score_negative", row=3, column=f"C{c}")
    text = ImportProblems(p.items, "zh", Path("e.xlsx")).render()
    assert len(text.splitlines()) == 1 + 50 + 1
    assert "还有 20 个问题" in text


def test_error_file_still_lists_every_row(tmp_path: Path) -> None:
    p = _many()
    out = write_error_file(p.items, tmp_path / "e.csv")
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert len(frame) == 152
    assert sorted(frame.loc[frame["问题"].str.startswith("学籍号不存在"), "行"]) == [
        *range(2, 152), 160]
