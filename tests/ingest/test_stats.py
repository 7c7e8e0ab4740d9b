"""Statistics templates and their import: hand-made workbooks, located problems, all or
nothing."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from eduquality.ingest.problems import ImportProblems
from eduquality.ingest.stats import import_stats, write_stat_templates
from eduquality.store import open_database
from eduquality.store.statistics import STATISTICS, TEMPLATES, statistic_values

HEADER = ["年份", "学校代码", "统计项目", "分类", "数值", "来源", "来源日期"]


@pytest.fixture()
def db(db_location):
    db = open_database(db_location)
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', NULL, NULL)")
        con.execute("INSERT INTO school VALUES ('S1', '甲校', 'D', 'primary', 'public', 'urban',"
                    " NULL, NULL, NULL)")
    yield db
    db.close()


def _book(path, rows, sheet="数据", extra_sheet=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    if extra_sheet:
        wb.create_sheet("说明").append(["代码", "统计项目"])
    wb.save(path)
    return path


GOOD = [
    [2020, None, "population_by_age", 15, 5120, "第七次全国人口普查", dt.date(2020, 11, 1)],
    [2020, None, "常住人口（单岁组）", "16", 5080, "第七次全国人口普查", "2020-11-01"],
    [2020, None, "15岁及以上人口（按最高受教育程度）", "初中", 210_000, "七普", None],
    [2020, None, "attainment_population", "tertiary", 300_000, "七普", None],
    [2020, "S1", "教学仪器设备值", None, 2_400_000.5, "装备统计", None],
    [2020, "S1", "vocational_graduates", None, 0, "学籍", None],
]


def test_a_good_file_is_imported_with_source_and_date(db, tmp_path):
    result = import_stats(db, _book(tmp_path / "s.xlsx", GOOD), user="t")
    assert result.outcome == "imported" and result.counts == {"statistic": 6}
    v = statistic_values(db).set_index(["stat_code", "category"])
    assert v.loc[("population_by_age", "15"), "value"] == 5120
    assert v.loc[("population_by_age", "16"), "source_date"].date() == dt.date(2020, 11, 1)
    assert v.loc[("population_by_age", "15"), "source_date"].date() == dt.date(2020, 11, 1)
    assert v.loc[("attainment_population", "junior"), "value"] == 210_000
    assert v.loc[("equipment_value", ""), "school_code"] == "S1"
    assert v.loc[("equipment_value", ""), "value"] == 2_400_000.5
    assert v.loc[("attainment_population", "tertiary"), "source"] == "七普"
    # a corrected file replaces the values of the same key
    fixed = [*GOOD[:1], [2020, None, "population_by_age", 16, 5090, "七普（修订）", None]]
    import_stats(db, _book(tmp_path / "s2.xlsx", fixed), user="t")
    v = statistic_values(db, ["population_by_age"]).set_index("category")
    assert v.loc["16", "value"] == 5090 and v.loc["16", "source"] == "七普（修订）"
    assert len(statistic_values(db)) == 6


def test_every_problem_is_located_and_nothing_is_written(db, tmp_path):
    rows = [
        [20, None, "常住人口总数", None, 100, "x", None],                      # 2: year
        [2020, None, "no_such_thing", None, 1, "x", None],                     # 3: statistic
        [2020, "S1", "常住人口总数", None, 1, "x", None],                       # 4: school given
        [2020, None, "教学仪器设备值", None, 1, "x", None],                     # 5: school needed
        [2020, "S9", "教学仪器设备值", None, 1, "x", None],                     # 6: unknown school
        [2020, None, "population_by_age", "十五", 1, "x", None],               # 7: age
        [2020, None, "attainment_population", "博士", 1, "x", None],           # 8: level
        [2020, None, "常住人口总数", "男", 1, "x", None],                        # 9: no category
        [2020, None, "resident_population", None, -5, "x", None],             # 10: value
        [2021, None, "resident_population", None, 5, None, None],             # 11: source
        [2019, None, "resident_population", None, 5, "x", "昨天"],             # 12: date
        [2018, None, "resident_population", None, 5, "x", None],              # 13
        [2018, None, "常住人口总数", None, 6, "x", None],                        # 14: duplicate
    ]
    with pytest.raises(ImportProblems) as err:
        import_stats(db, _book(tmp_path / "bad.xlsx", rows), lang="en", user="t",
                     errors=tmp_path / "problems.csv")
    got = {(p.row, p.column.split("（")[0] if p.column else None, p.reason)
           for p in err.value.problems}
    assert got == {
        (2, "A", "stats.year"), (3, "C", "stats.unknown"), (4, "B", "stats.school_blank"),
        (5, "B", "stats.school_needed"), (6, "B", "stats.school_unknown"),
        (7, "D", "stats.age"), (8, "D", "stats.attainment"), (9, "D", "stats.category_blank"),
        (10, "E", "stats.value"), (11, "F", "stats.source"), (12, "G", "stats.date"),
        (14, "C", "stats.duplicate"),
    }
    text = err.value.render()
    assert "duplicates row 13" in text and "sheet '数据'" in text
    assert statistic_values(db).empty
    assert (tmp_path / "problems.csv").is_file()


def test_a_file_without_a_statistics_sheet(db, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "学号"])
    wb.active.append(["张三", "1"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(ImportProblems, match="no statistics sheet"):
        import_stats(db, tmp_path / "x.xlsx", lang="en", user="t")


def test_the_blank_templates_read_back(db, tmp_path):
    paths = write_stat_templates(tmp_path / "t")
    assert len(paths) == len(TEMPLATES)
    book = openpyxl.load_workbook(next(p for p in paths if "工资" in p.name))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    listed = {row[0].value for row in book["说明"].iter_rows(min_row=2)}
    assert listed == {s.code for s in STATISTICS.values() if s.template == "salaries"}
    sheet = book.worksheets[0]
    sheet.append([2020, None, "teacher_average_salary", None, 120_000, "区人社局", None])
    book.save(tmp_path / "filled.xlsx")
    result = import_stats(db, tmp_path / "filled.xlsx", user="t")
    assert result.counts == {"statistic": 1}
