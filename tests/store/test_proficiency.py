"""The 合格考 table and its reads on both stores (migration 18 is portable SQL): an import
writes the same rows on DuckDB and PostgreSQL, and the reads give the same answer."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from eduquality.ingest.proficiency import import_proficiency
from eduquality.store.proficiency import (
    has_proficiency_results,
    proficiency_results,
    proficiency_students,
)
from tests.factories import proficiency_db


@pytest.fixture(scope="module")
def both(pg_cluster):
    url = pg_cluster.create_database()
    pair = proficiency_db(), proficiency_db(location=url)
    yield pair
    for db in pair:
        db.close()
    pg_cluster.drop_database(url)


def _file(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["考籍号", "学籍号", "科目", "成绩", "考试批次"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_import_and_reads_agree_on_both_stores(both, tmp_path):
    june = _file(tmp_path / "june.xlsx", [
        [f"K{k}", f"G53010020070101{k:04d}", "历史", "不合格" if k == 2 else "合格", "2023年6月"]
        for k in range(1, 8)])
    january = _file(tmp_path / "jan.xlsx", [["K2", "G530100200701010002", "历史", "合格",
                                             "2024-01"]])
    frames = []
    for db in both:
        assert not has_proficiency_results(db)
        assert import_proficiency(db, june).counts == {"proficiency_result": 7}
        assert import_proficiency(db, january).counts == {"proficiency_result": 1}
        assert has_proficiency_results(db)
        frames.append(proficiency_results(db))
    duck, pg = frames
    assert len(duck) == 8 and duck["retake"].sum() == 1       # told from the record
    assert duck.loc[duck["sitting"] == "2024-01", "retake"].tolist() == [True]
    pd.testing.assert_frame_equal(duck, pg)
    # the students with a result, at their latest 高中 class (高二 2023-2024): cohort 2022
    students = [proficiency_students(db) for db in both]
    pd.testing.assert_frame_equal(*students, check_dtype=False)
    duck = students[0]
    assert duck["student_id"].tolist() == list(range(1, 8))
    assert set(duck["cohort"]) == {2022} and set(duck["grade"]) == {11}
    assert duck.loc[duck["student_id"] == 5, ["school_code", "class_id", "class_name"]
                    ].values.tolist() == [["H2", "H2-2023-11", "1班"]]
