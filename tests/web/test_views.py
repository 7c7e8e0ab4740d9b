"""Page builders: what the rows of a page are called."""

from __future__ import annotations

from tests.web.test_pages import _page


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
