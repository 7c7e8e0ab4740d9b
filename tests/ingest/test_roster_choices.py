"""学生选科 (3+1+2 subject choices): a roster sheet of choices, on both stores, built by hand;
and a score sheet whose blank cells of unchosen subjects are not 缺考."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.ingest import ImportProblems, import_paper, import_roster, import_scores
from eduquality.ingest.roster_choices import parse_combination
from tests.ingest.conftest import assert_unchanged, snapshot, write_rows, write_xlsx


@pytest.fixture()
def district(any_district):
    """The district of tests/ingest/conftest.py (students G001–G006 in 2021-2022)."""
    return any_district


def choices(db) -> list[tuple]:
    return [tuple(r) for r in db.sql(
        """SELECT s.national_id, c.year_code, c.first_choice, c.second_1, c.second_2,
                  c.changed
           FROM student_subject_choice c JOIN student s USING (student_id)
           ORDER BY 1, 2""").itertuples(index=False)]


def test_parse_combination():
    assert parse_combination("物化生") == "physics,chemistry,biology"
    assert parse_combination("历地政") == "history,politics,geography"  # stored in vocab order
    assert parse_combination("物理+生物+地理") == "physics,biology,geography"
    assert parse_combination("历史、思想政治、地理") == "history,politics,geography"
    for bad in ("化物生", "物化化", "物化", "物化生地", "物理+化学", "理化生"):
        assert parse_combination(bad) is None, bad


def test_choices_by_columns_or_combination(district, tmp_path):
    sheet = pd.DataFrame({
        "学籍号": ["G001", "G002", "G003", "G004"], "姓名": ["张三", "李四", "王五", "赵六"],
        "学年": ["2021-2022"] * 4, "年级": ["高二"] * 4,
        "首选科目": ["物理", "历史类", None, None],
        "再选科目1": ["生物", "地理", None, None],
        "再选科目2": ["化学", "政治", None, None],
        "选科组合": ["物化生", None, "历政地", "物理+生物+地理"],
        "是否调整": ["否", "是", None, None]})
    path = write_xlsx(tmp_path / "选科.xlsx", {"学生选科": sheet})
    result = import_roster(district, path)
    assert result.counts["subject_choice"] == 4
    assert choices(district) == [
        ("G001", "2021-2022", "physics", "chemistry", "biology", False),
        ("G002", "2021-2022", "history", "politics", "geography", True),
        ("G003", "2021-2022", "history", "politics", "geography", False),
        ("G004", "2021-2022", "physics", "biology", "geography", False)]
    assert import_roster(district, path).outcome == "unchanged"
    # a later file for the same year replaces the student's choice
    changed = sheet.iloc[[0]].assign(再选科目2="地理", 选科组合=None, 是否调整="是")
    import_roster(district, write_xlsx(tmp_path / "改.xlsx", {"学生选科": changed}))
    assert choices(district)[0] == ("G001", "2021-2022", "physics", "biology", "geography",
                                    True)


def test_bad_choices_are_located_and_nothing_is_written(district, tmp_path):
    rows = [["学籍号", "学年", "首选科目", "再选科目1", "再选科目2", "选科组合"],
            ["G001", "2021-2022", "化学", "生物", "地理", None],     # row 2: 首选 not 物/历
            ["G002", "2021-2022", "物理", "生物", "生物", None],     # row 3: same 再选 twice
            ["G003", "2021-2022", "物理", "化学", "生物", "物化地"],  # row 4: contradicts
            ["G999", "2021-2022", "历史", "政治", "地理", None],     # row 5: unknown student
            ["G004", "2021-2022", None, None, None, None],          # row 6: blank choice
            ["G005", "2021-2022", "物理", "历史", "化学", None],     # row 7: 历史 is no 再选
            ["G006", "2021-2022", None, None, None, "物化化"]]       # row 8: bad combination
    before = snapshot(district)
    with pytest.raises(ImportProblems) as err:
        import_roster(district, write_rows(tmp_path / "选科.xlsx", rows))
    assert_unchanged(district, before)
    got = {(p.row, p.column.split("（")[0] if p.column else None): p.message("zh")
           for p in err.value.problems}
    assert got[(2, "C")] == "「首选科目」应为 物理 或 历史"
    assert got[(3, "E")] == "两门再选科目相同"
    assert got[(4, "F")] == "选科组合与 首选科目/再选科目 列不一致"
    assert got[(5, "A")] == "未知学籍号（数据库和本文件中都没有）"
    assert got[(6, "C")].startswith("缺少选科")
    assert got[(7, "D")] == "「再选科目1」应为 化学、生物、思想政治 或 地理 之一"
    assert got[(8, "F")].startswith("「选科组合」无法识别")
    assert len(got) == 7
    en = {p.row: p.message("en") for p in err.value.problems}
    assert en[2] == "'首选科目' must be 物理 or 历史"
    assert en[3] == "the two 再选 subjects are the same"


def test_blank_unchosen_subjects_are_not_absent(district, tmp_path):
    """With the choices on record, a blank 化学 of a student who did not choose it gives no
    result; a blank subject the student chose is 缺考. A student without a recorded choice
    keeps the old reading (blank = 缺考)."""
    info = tmp_path / "info.csv"
    pd.DataFrame({"考试代码": ["E3"], "考试名称": ["选科测试"], "考试类型": ["期末"],
                  "范围": ["区级"], "学年": ["2021-2022"], "年级": [9]}).to_csv(info, index=False)
    items = tmp_path / "items.csv"
    pd.DataFrame({"学科": ["语文", "物理", "历史", "化学", "生物", "思想政治", "地理"],
                  "类别": [None, "物理类", "历史类", None, None, None, None],
                  "题号": [None] * 7, "满分": [150, 100, 100, 100, 100, 100, 100]}).to_csv(
        items, index=False)
    import_paper(district, items, exam_info=info)
    import_roster(district, write_rows(tmp_path / "c.csv", [
        ["学籍号", "学年", "选科组合"], ["G001", "2021-2022", "物化生"],
        ["G002", "2021-2022", "历政地"]]))
    rows = [["学籍号", "语文", "物理", "历史", "化学", "生物", "思想政治", "地理"],
            ["G001", 100, 80, None, None, 70, None, None],   # 化学 chosen, blank: 缺考
            ["G002", 90, None, 75, None, None, 60, 65],
            ["G003", 95, 85, None, 60, None, None, None]]    # no choice on record
    import_scores(district, write_rows(tmp_path / "s.csv", rows), "E3")
    got = district.sql("""SELECT s.national_id, r.paper_id, r.status, r.score
                          FROM subject_result r JOIN student s USING (student_id)
                          ORDER BY 1, 2""")
    by = {(r.national_id, r.paper_id.split("/")[1]): r.status for r in got.itertuples()}
    assert {k[1] for k in by if k[0] == "G001"} == {"chinese", "physics", "chemistry",
                                                     "biology"}
    assert by[("G001", "chemistry")] == "absent" and by[("G001", "biology")] == "present"
    assert {k[1] for k in by if k[0] == "G002"} == {"chinese", "history", "politics",
                                                     "geography"}
    assert all(v == "present" for k, v in by.items() if k[0] == "G002")
    assert by[("G003", "history")] == "absent" and by[("G003", "biology")] == "absent"
    assert len([k for k in by if k[0] == "G003"]) == 7


def test_track_option_reads_the_new_tracks(district, tmp_path):
    """``--track`` takes the vocabulary's labels (物理类/历史类 as 文科/理科); anything else is a
    problem naming the allowed values."""
    info = tmp_path / "info.csv"
    pd.DataFrame({"考试代码": ["E4"], "考试名称": ["一诊"], "考试类型": ["一诊"],
                  "范围": ["市级"], "学年": ["2021-2022"], "年级": [9]}).to_csv(info, index=False)
    items = tmp_path / "items.csv"
    pd.DataFrame({"学科": ["数学", "数学"], "类别": ["物理类", "历史类"], "题号": ["1", "1"],
                  "题型": ["主观题"] * 2, "满分": [150, 150]}).to_csv(items, index=False)
    import_paper(district, items, exam_info=info)
    rows = [["学籍号", "1"], ["G001", 120]]
    import_scores(district, write_rows(tmp_path / "p.csv", rows), "E4", subject="数学",
                  track="物理类")
    assert district.scalar("SELECT paper_id FROM subject_result") == "E4/math/physics"
    before = snapshot(district)
    with pytest.raises(ImportProblems) as err:
        import_scores(district, write_rows(tmp_path / "q.csv", rows), "E4", subject="数学",
                      track="物理")
    assert_unchanged(district, before)
    msg = err.value.problems[0].message("zh")
    assert "--track" in msg and "物理类" in msg and "历史类" in msg
