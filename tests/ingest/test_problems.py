"""Grouping of problems on screen: one line per problem with its row ranges and count; every
part of a message, its parameters included, in the reader's language."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduquality.ingest import import_paper, import_roster, import_scores
from eduquality.ingest.problems import (
    ImportProblems,
    Problems,
    format_ranges,
    group_problems,
    listed,
    problems_frame,
    row_ranges,
    student_candidate,
    write_error_file,
)
from eduquality.store import open_database
from tests.ingest import corpus


@pytest.mark.slow
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
    assert text.splitlines()[-1] == "……还有 20 个问题，完整清单见错误文件 e.xlsx"


def test_without_an_error_file_the_last_line_says_how_to_write_one() -> None:
    """No error file written (``import check`` without --errors): the line about the problems
    left out names no file, it gives the option that writes the full list."""
    p = Problems("f.csv")
    for c in range(60):
        p.add("ingest.score_negative", row=2, column=f"C{c}")
        p.add("ingest.score_negative", row=3, column=f"C{c}")
    zh = ImportProblems(p.items, "zh").render().splitlines()
    assert len(zh) == 1 + 50 + 1
    assert zh[-1] == "……还有 20 个问题未列出；加上 --errors 问题清单.xlsx 可写出完整清单"
    en = ImportProblems(p.items, "en").render().splitlines()
    assert en[-1] == "…and 20 more problem(s) not shown; add --errors FILE.xlsx to write the full list"


def test_error_file_still_lists_every_row(tmp_path: Path) -> None:
    p = _many()
    out = write_error_file(p.items, tmp_path / "e.csv")
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert len(frame) == 152
    assert sorted(frame.loc[frame["问题"].str.startswith("学籍号不存在"), "行"]) == [
        *range(2, 152), 160]


# -- the language of a message is the reader's, parameters included ------------------------
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
"""Chinese characters and punctuation (、，（）「」 …)."""


def _foreign(message: str, own: Iterable[str]) -> list[str]:
    """The CJK characters of ``message`` once the user's own values ``own`` (names, school names,
    the Chinese headers a file is asked to have) are taken out."""
    for value in sorted(own, key=len, reverse=True):
        message = message.replace(value, "")
    return CJK.findall(message)


def test_lists_and_phrases_are_rendered_in_the_readers_language() -> None:
    p = Problems("成绩.xlsx")
    cands = listed(student_candidate(n, m) for n, m in (("张伟", "G***1"), ("张伟", "G***2")))
    p.add("ingest.name_ambiguous", sheet="数学", row=3, column="A（姓名）", value="张伟", n=2,
          candidates=cands)
    p.add("ingest.name_ambiguous", sheet="数学", row=4, column="A（姓名）", value="张伟", n=2,
          candidates=cands)
    zh, en = p.items[0].message("zh"), p.items[0].message("en")
    assert zh == "该班有 2 名同名学生：张伟（学籍号 G***1）、张伟（学籍号 G***2）；请加学籍号或考号列区分"
    assert en.startswith("2 students of this name in that class: "
                         "张伟 (student ID G***1), 张伟 (student ID G***2); ")
    assert [g.count for g in group_problems(p.items)] == [2]  # the same message: one line
    frame = problems_frame(p.items, "en")
    assert frame.iloc[0, -1] == en  # the error file too


def _roster_with_two_schools_of_one_name(d: corpus.District) -> dict[str, pd.DataFrame]:
    """S2 had S1's name before (曾用名): S1's name now fits both."""
    sheets = corpus.roster_sheets(d)
    sheets["学校"] = sheets["学校"].assign(曾用名=[None, corpus.SCHOOLS["S1"]])
    return sheets


@pytest.mark.slow
def test_english_messages_carry_no_chinese_but_the_users_values(tmp_path: Path) -> None:
    """Candidates (students, schools) and lists in an English message: no 、 or （学籍号 …）;
    the only Chinese left is the user's own: names, school names, header names."""
    twins = corpus.district(namesake=True)
    db = open_database(tmp_path / "twins.duckdb")
    import_roster(db, corpus.write_sheets(tmp_path / "名册.xlsx", corpus.roster_sheets(twins)))
    import_paper(db, corpus.write_sheets(tmp_path / "试卷.xlsx", corpus.paper_sheets()))
    with pytest.raises(ImportProblems) as err:
        import_scores(db, corpus.marking_choice_rank(twins, tmp_path / "数学.xlsx"), corpus.EXAM_ID,
                      lang="en")
    own = [*twins.students["name"], "学籍号", "考号"]
    messages = [p.message("en") for p in err.value.problems]
    assert messages and all("student ID G***" in m for m in messages), messages
    assert [_foreign(m, own) for m in messages] == [[] for _ in messages]
    db.close()

    d = corpus.district()
    db = open_database(tmp_path / "schools.duckdb")
    schools = _roster_with_two_schools_of_one_name(d)
    import_roster(db, corpus.write_sheets(tmp_path / "学校.xlsx",
                                     {k: schools[k] for k in ("区县", "学年", "学校")}))
    with pytest.raises(ImportProblems) as err:  # a 学籍 export naming schools by name
        import_roster(db, corpus.xueji_roster(d, tmp_path / "学籍导出.xlsx"), year=corpus.YEAR,
                      lang="en")
    messages = {p.message("en") for p in err.value.problems}
    assert messages == {"this school name fits several schools: 华岭区第一中学 (S1), "
                        "华岭区第二中学 (S2); use the school code"}, messages
    zh = err.value.problems[0].message("zh")
    assert zh == "该学校名称对应多所学校：华岭区第一中学（S1）、华岭区第二中学（S2）；请改用学校代码"
    db.close()


def test_english_lists_of_accepted_values_use_the_english_separator() -> None:
    p = Problems("名册.xlsx")
    p.add("ingest.bad_vocab", sheet="学生", row=2, column="C（性别）", value="x", label="性别",
          allowed=listed(["男", "女"]))
    assert "男, 女" in p.items[0].message("en") and "男、女" in p.items[0].message("zh")
