"""Page builders (:mod:`eduquality.web.views`): an exam whose papers carry subject totals only
says on its pages that item, option, reliability and knowledge-point analyses do not apply;
and what the rows of a page are called."""

from __future__ import annotations

import io

import openpyxl
import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.ingest import import_paper, import_roster, import_scores
from eduquality.store import open_database
from eduquality.store.users import add_user
from eduquality.web.app import create_app
from tests.ingest import corpus as c
from tests.web.conftest import PASSWORD
from tests.web.test_pages import _page

CHINESE = {"zh": "语文只有学科总分、没有小题分：试题分析、选项分析、信度和知识点分析不适用。",
           "en": "Chinese: subject totals only, no item scores; item, option, reliability and "
                 "knowledge-point analyses do not apply."}


@pytest.mark.slow
def test_pages_of_an_exam_name_its_subject_without_items(login):
    """The factory exam: 数学 has items, 语文 its total only."""
    c1 = login("res")
    for lang, sentence in CHINESE.items():
        for path in ("/exams/E1", "/exams/E1/schools/S1", "/exams/E1/classes/S1-2021-8-1"):
            page = c1.get(path, params={"lang": lang})
            assert page.status_code == 200, (path, page.text[:300])
            assert sentence in page.text, (lang, path)
    export = c1.get("/exams/E1", params={"lang": "zh", "format": "xlsx"})
    wb = openpyxl.load_workbook(io.BytesIO(export.content))
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if v]
    assert CHINESE["zh"] in cells


@pytest.mark.slow
def test_exam_page_of_an_exam_of_subject_totals_only(tmp_path):
    d = c.district()
    db = open_database(tmp_path / "zk.duckdb")
    import_roster(db, c.write_sheets(tmp_path / "名册.xlsx", c.roster_sheets(d)))
    import_paper(db, c.write_sheets(tmp_path / "试卷.xlsx", c.paper_sheets(subject_level=True)))
    import_scores(db, c.subject_level_totals(d, tmp_path / "成绩.xlsx"), c.EXAM_ID)
    add_user(db, "res", "researcher", PASSWORD)
    client = TestClient(create_app(db, Settings(), secret="test-secret"),
                        follow_redirects=False)
    assert client.post("/login", data={"username": "res", "password": PASSWORD}
                       ).status_code == 303
    for lang, sentence in (("zh", "语文、数学、英语只有学科总分、没有小题分"),
                           ("en", "Chinese, Mathematics, English: subject totals only")):
        page = client.get(f"/exams/{c.EXAM_ID}", params={"lang": lang})
        assert page.status_code == 200
        assert sentence in page.text, lang
    db.close()


def test_comparison_rows_are_named_by_their_level(login):
    """District, school and class rows side by side: the district row is 全区 and the school
    row the school's name (they were shown as 'nan nan' and '甲校 nan')."""
    c = login("res")
    klass = _page(c.get("/exams/E1/classes/S1-2021-8-1").text).sections[0]
    assert [row[0] for row in klass["rows"][:3]] == ["全区", "甲校", "甲校 1班"]
    school = _page(c.get("/exams/E1/schools/S1").text).sections[0]
    assert [row[0] for row in school["rows"][:2]] == ["全区", "甲校"]
    for path in ("/exams/E1/classes/S1-2021-8-1", "/exams/E1/schools/S1"):
        assert "nan" not in c.get(path).text
