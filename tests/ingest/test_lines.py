"""Cut lines and 一分一段 tables: good files land, bad cells are located, nothing half-written."""

from __future__ import annotations

import pytest

from eduquality.ingest.lines import import_lines
from eduquality.ingest.problems import ImportProblems
from eduquality.store import open_database

LINES = "年份,省份,考试,科类,批次,分数线\n2021,云岭省,高考,理科,一本,512\n2021,云岭省,高考,文科,一本,531\n"
DIST = ("年份,省份,考试,科类,分数,人数,累计人数\n"
        "2021,云岭省,高考,理科,600,3,3\n2021,云岭省,高考,理科,599,5,8\n"
        "2021,云岭省,高考,理科,598,4,12\n")


def _write(tmp_path, name, text, encoding="utf-8-sig"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.slow
def test_lines_and_distribution_land_and_reimport_is_unchanged(tmp_path, db_location):
    db = open_database(db_location)
    r = import_lines(db, _write(tmp_path, "lines.csv", LINES, "gbk"), user="t")
    assert (r.outcome, r.rows_written) == ("imported", 2)
    got = db.sql("SELECT track, line_code, score FROM cut_line ORDER BY track")
    assert got.values.tolist() == [["arts", "一本", 531.0], ["science", "一本", 512.0]]
    path = _write(tmp_path, "dist.csv", DIST)
    assert import_lines(db, path, user="t").rows_written == 3
    assert import_lines(db, path, user="t").outcome == "unchanged"
    assert import_lines(db, path, user="t", force=True).outcome == "imported"
    assert db.scalar("SELECT count(*) FROM score_distribution") == 3  # replaced, not doubled


def test_bad_cells_are_located_and_nothing_is_written(tmp_path, db_location):
    db = open_database(db_location)
    bad = ("年份,省份,考试,科类,分数,人数,累计人数\n"
           "2021,云岭省,高考,理科,600,3,3\n二〇二一,云岭省,高考,理科,599,5,8\n"
           "2021,云岭省,联考,理科,598,4,12\n2021,云岭省,高考,理科,597,-1,99\n")
    with pytest.raises(ImportProblems) as err:
        import_lines(db, _write(tmp_path, "bad.csv", bad), user="t")
    text = err.value.render()
    assert "第 3 行" in text and "年份应为四位数字" in text
    assert "考试应为 高考 或 中考" in text
    assert "「人数」应为不小于 0 的数" in text
    assert "累计人数应等于" in text
    assert db.scalar("SELECT count(*) FROM score_distribution") == 0


def test_unknown_layout(tmp_path, db_location):
    db = open_database(db_location, lang="en")
    with pytest.raises(ImportProblems) as err:
        import_lines(db, _write(tmp_path, "x.csv", "a,b\n1,2\n"), user="t")
    assert "neither a cut-line table" in err.value.render()


def test_duplicate_rows_point_to_the_first(tmp_path, db_location):
    db = open_database(db_location)
    dup = LINES + "2021,云岭省,高考,理科,一本,515\n"
    with pytest.raises(ImportProblems) as err:
        import_lines(db, _write(tmp_path, "dup.csv", dup), user="t")
    assert "第 4 行" in err.value.render() and "与第 2 行重复" in err.value.render()


def test_a_line_is_stored_by_its_code_whatever_the_spelling(tmp_path, db_location):
    """The province's notice may say 特殊类型招生控制线 or 本科一批: stored as 特控线 and 一本
    (vocab.CUT_LINES), so plans and analyses find them; an unlisted line stays as written."""
    text = ("年份,省份,考试,科类,批次,分数线\n"
            "2025,云岭省,高考,物理类,特殊类型招生控制线,520\n"
            "2025,云岭省,高考,物理类, 本科批 ,440\n"
            "2025,云岭省,高考,物理类,艺术类本科,300\n"
            "2021,云岭省,高考,理科,本科一批,512\n")
    db = open_database(db_location)
    import_lines(db, _write(tmp_path, "lines.csv", text), user="t")
    got = db.sql("SELECT line_code, score FROM cut_line ORDER BY score DESC")
    assert got.values.tolist() == [["特控线", 520.0], ["一本", 512.0], ["本科批", 440.0],
                                   ["艺术类本科", 300.0]]
