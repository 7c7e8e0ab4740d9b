"""The official 赋分 of a 3+1+2 高考 file (原始分 and 赋分 side by side), built by hand: stored
as imported, bad 赋分 located (nothing written), and the totals of the analysis count it
instead of converting again over the district's candidates."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.analysis.scaling import exam_totals
from eduquality.ingest import ImportProblems, import_paper, import_roster, import_scores
from eduquality.store import open_database
from tests.conftest import STORES
from tests.ingest.conftest import (
    assert_unchanged,
    private_copy,
    snapshot,
    write_rows,
    write_xlsx,
)

YEAR = "2024-2025"
IDS = ["G1", "G2", "G3", "G4"]
COMBINATION = ["物化生", "物化生", "历政地", "历政地"]


def _roster() -> dict[str, pd.DataFrame]:
    return {
        "区县": pd.DataFrame({"区县代码": ["530102"], "区县名称": ["五华区"], "市": ["昆明市"],
                            "省": ["云南省"]}),
        "学年": pd.DataFrame({"学年": [YEAR], "开始日期": ["2024-09-01"],
                            "结束日期": ["2025-07-15"]}),
        "学校": pd.DataFrame({"学校代码": ["H1"], "学校名称": ["一中"], "学段": ["高中"],
                            "办学性质": ["公办"], "城乡": ["城区"]}),
        "班级": pd.DataFrame({"学年": [YEAR], "学校代码": ["H1"], "年级": [12], "班级": ["1班"]}),
        "学生": pd.DataFrame({"学籍号": IDS, "姓名": ["甲", "乙", "丙", "丁"],
                            "性别": ["男", "女", "男", "女"], "学校代码": ["H1"] * 4,
                            "学年": [YEAR] * 4, "年级": ["高三"] * 4, "班级": ["1班"] * 4}),
        "学生选科": pd.DataFrame({"学籍号": IDS, "学年": [YEAR] * 4, "选科组合": COMBINATION}),
    }


def _paper() -> dict[str, pd.DataFrame]:
    subjects = ["语文", "数学", "英语", "物理", "历史", "化学", "生物", "思想政治", "地理"]
    return {
        "考试信息": pd.DataFrame({
            "字段": ["考试代码", "考试名称", "考试类型", "范围", "学年", "考试日期", "年级"],
            "值": ["G25", "2025年高考", "高考", "省级", YEAR, "2025-06-07", "高三"]}),
        "试卷结构": pd.DataFrame({"学科": subjects,
                              "满分": [150, 150, 150] + [100] * 6}),
    }


def _build_senior(location, tmp) -> None:
    db = open_database(location)
    import_roster(db, write_xlsx(tmp / "名册.xlsx", _roster()))
    import_paper(db, write_xlsx(tmp / "试卷.xlsx", _paper()))
    db.close()


@pytest.fixture(scope="module")
def senior_file(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("senior")
    _build_senior(tmp / "base.duckdb", tmp)
    return tmp / "base.duckdb"


@pytest.fixture(scope="module")
def senior_pg(pg_cluster, tmp_path_factory) -> str:
    """:func:`senior_file` as a PostgreSQL database (the template of each test's copy)."""
    pg_cluster.create_database("eq_senior")
    _build_senior(pg_cluster.url("eq_senior"), tmp_path_factory.mktemp("senior_pg"))
    return "eq_senior"


@pytest.fixture(params=STORES)
def senior(request, tmp_path):
    """A private copy of the senior-school district, on each store."""
    yield from private_copy(request, request.param, "senior_file", "senior_pg", tmp_path)


HEAD = ["学籍号", "姓名", "语文", "数学", "英语", "物理", "历史", "化学", "化学赋分", "生物",
        "生物赋分", "思想政治", "思想政治赋分", "地理", "地理赋分", "总分"]
# official 赋分 as the province published them (not what 2 district candidates would give)
ROWS = [
    ["G1", "甲", 120, 130, 125, 80, None, 80, 88, 70, 79, None, None, None, None, 622],
    ["G2", "乙", 110, 120, 115, 70, None, 60, 65, 75, 83, None, None, None, None, 563],
    ["G3", "丙", 115, 100, 120, None, 75, None, None, None, None, 70, 75, 66, 71, 556],
    ["G4", "丁", 100, 90, 110, None, 60, None, None, None, None, 50, 48, 40, 42, "缺考"],
]
ROWS[3][15] = 100 + 90 + 110 + 60 + 48 + 42  # 450


def _two_row_header() -> list[list[object]]:
    top, bottom = [], []
    for h in HEAD:
        if h.endswith("赋分"):
            top.append(None)
            bottom.append("赋分")
        elif h in ("化学", "生物", "思想政治", "地理"):
            top.append(h)
            bottom.append("原始分")
        else:
            top.append(h)
            bottom.append(None)
    return [top, bottom]


@pytest.mark.parametrize("header", ["one_row", "two_rows"])
def test_raw_and_official_scaled_scores_are_both_stored(senior, tmp_path, header):
    head = [HEAD] if header == "one_row" else _two_row_header()
    result = import_scores(senior, write_rows(tmp_path / "高考.xlsx", [*head, *ROWS]), "G25")
    assert result.counts["official_scaled_score"] == 8
    got = senior.sql("""SELECT s.national_id, p.subject_code, r.score AS raw, o.score AS scaled
                        FROM official_scaled_score o JOIN paper p USING (paper_id)
                        JOIN student s USING (student_id)
                        JOIN subject_result r ON r.paper_id = o.paper_id
                                             AND r.student_id = o.student_id
                        ORDER BY 1, 2""")
    assert got.values.tolist() == [
        ["G1", "biology", 70.0, 79.0], ["G1", "chemistry", 80.0, 88.0],
        ["G2", "biology", 75.0, 83.0], ["G2", "chemistry", 60.0, 65.0],
        ["G3", "geography", 66.0, 71.0], ["G3", "politics", 70.0, 75.0],
        ["G4", "geography", 40.0, 42.0], ["G4", "politics", 50.0, 48.0]]


def test_totals_count_the_official_scaled_scores(senior, tmp_path):
    import_scores(senior, write_rows(tmp_path / "高考.xlsx", [HEAD, *ROWS]), "G25")
    ids = dict(senior.sql("SELECT national_id, student_id FROM student").values.tolist())
    totals = exam_totals(senior, "G25").execute().set_index("student_id")
    # raw 语数外 + 首选 + the two official 赋分: G1 120+130+125+80 + 88+79 = 622 …
    # (converted over the district's two 化学 takers, G1's 80 would be B's only score → 85)
    assert totals.loc[[ids[i] for i in IDS], "score"].tolist() == [622, 563, 556, 450]
    assert totals.loc[[ids[i] for i in IDS], "track"].tolist() == [
        "physics", "physics", "history", "history"]
    # a re-import without the 赋分 columns clears them: the district's conversion again
    raw_only = [[c for j, c in enumerate(r) if not HEAD[j].endswith("赋分")][:-1]
                for r in [HEAD, *ROWS]]
    import_scores(senior, write_rows(tmp_path / "raw.xlsx", raw_only), "G25")
    assert senior.scalar("SELECT count(*) FROM official_scaled_score") == 0
    again = exam_totals(senior, "G25").execute().set_index("student_id")
    # 化学 over G1, G2: B ≤ 1 → G1 alone in B (85), G2 E… and 生物 likewise: not 622 any more
    assert again.loc[ids["G1"], "score"] != 622


def test_bad_scaled_scores_are_located_and_nothing_is_written(senior, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][8], rows[0][15] = 101, 635       # row 2, I: above A's 100 (总分 agrees)
    rows[1][10], rows[1][15] = 85.5, 565.5   # row 3, K: between B (85) and A (86)
    rows[2][12] = None    # row 4, M: a raw 思想政治 without its 赋分
    rows[2][15] = None
    head = [*HEAD[:6], "物理赋分", *HEAD[6:]]  # G: 物理 is the 首选 subject: no 赋分
    rows = [[*r[:6], None, *r[6:]] for r in rows]
    before = snapshot(senior)
    with pytest.raises(ImportProblems) as err:
        import_scores(senior, write_rows(tmp_path / "高考.xlsx", [head, *rows]), "G25")
    assert_unchanged(senior, before)
    got = {(p.row, p.column.split("（")[0] if p.column else None): p.message("zh")
           for p in err.value.problems}
    assert got == {
        (1, "G"): "列「物理赋分」是赋分，但考试 G25 的「物理」不按等级赋分（只有新高考 3+1+2 的再选科目"
                  "按所在省份的规则赋分：思想政治、地理、化学、生物）",
        (2, "J"): "赋分不在云南省的任一等级区间内（A 100–86、B 85–71、C 70–56、D 55–41、E 40–30）",
        (3, "L"): "赋分不在云南省的任一等级区间内（A 100–86、B 85–71、C 70–56、D 55–41、E 40–30）",
        (4, "N"): "有原始分却没有赋分",
    }
    en = {p.row: p.message("en") for p in err.value.problems}
    assert en[4] == "a raw score without its scaled score"
    assert en[1] == ("column '物理赋分' holds scaled scores, but Physics of exam G25 is not "
                     "scaled (only the re-selected subjects of the 3+1+2 regime are, by the "
                     "province's rule: Politics, Geography, Chemistry, Biology)")
