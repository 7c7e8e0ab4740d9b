"""The one builder of a unit-summary table (:func:`eduquality.reports.model.summary_table`),
serving the reports and the web pages: the same header, cells and kinds of number for the same
column, wherever the table is shown."""

from __future__ import annotations

import math

import pandas as pd

from eduquality.reports import labels as L
from eduquality.reports.model import summary_table
from eduquality.web.pages import summary_table as web_summary_table
from eduquality.web.text import translator

FRAME = pd.DataFrame({
    "subject_code": ["math", "math"], "school_code": ["S1", "S2"], "n_registered": [40, 12],
    "n": [38, 12], "full_marks": [150.0, 150.0], "mean": [101.256, math.nan],
    "sd": [12.5, math.nan], "ci_low": [97.1, math.nan], "ci_high": [105.4, math.nan],
    "excellent_rate": [0.25, math.nan], "good_rate": [0.5, math.nan],
    "pass_rate": [0.8, math.nan], "low_rate": [0.05, math.nan],
    "band": ["above", math.nan],  # S2 withheld (too few): no band
})


def _cells(table, row: int) -> dict[str, str]:
    rec = table.records()[row]
    return {c.key: L.cell(rec.get(c.key), c.fmt, "zh") for c in table.columns}


def test_the_reports_columns_each_where_the_lists_say():
    table = summary_table(FRAME, ["一中", "二中"], "学校", "zh", title="学校 · 数学")
    where = {c.key: c.where for c in table.columns}
    assert list(where)[:1] == ["unit"] and where["unit"] == "both"
    assert where["n"] == where["mean"] == where["band"] == "both"
    assert where["ci"] == "print" and where["ci_low"] == where["ci_high"] == "excel"
    assert where["good_rate"] == where["n_registered"] == "excel"
    assert "q1" not in where  # a column the frame lacks is left out
    assert [r["unit"] for r in table.records()] == ["一中", "二中"]  # the rows as given
    assert _cells(table, 0)["ci"] == "97.10–105.40" and _cells(table, 0)["mean"] == "101.26"
    assert _cells(table, 1)["ci"] == "—" and _cells(table, 1)["band"] == "—"
    no_compare = summary_table(FRAME, ["一中", "二中"], "学校", "zh", compare=False)
    assert not {"ci", "band", "ci_low"} & {c.key for c in no_compare.columns}


def test_the_web_table_is_the_same_builder_with_the_pages_columns():
    web = web_summary_table(FRAME, translator("zh"), "zh", unit=lambda r: r.school_code,
                            href=lambda r: f"/schools/{r.school_code}" if r.n > 20 else None)
    report = summary_table(FRAME, ["S1", "S2"], "单位", "zh")
    assert [c.key for c in web.columns] == ["unit", "subject", "n_registered", "n", "mean", "sd",
                                            "ci", "excellent_rate", "good_rate", "pass_rate",
                                            "low_rate", "band"]
    assert all(c.where == "both" for c in web.columns)  # the download shows what the page does
    assert web.columns[0].link_key == "_href"
    assert [r["_href"] for r in web.records()] == ["/schools/S1", None]
    labels = {c.key: c.label for c in report.columns}
    for c in web.columns[2:]:
        assert c.label == labels[c.key] and c.fmt == next(
            r.fmt for r in report.columns if r.key == c.key), c.key
    for i in range(2):
        web_cells, report_cells = _cells(web, i), _cells(report, i)
        assert {k: web_cells[k] for k in report_cells if k in web_cells} == {
            k: report_cells[k] for k in web_cells if k in report_cells}
    assert _cells(web, 0)["subject"] == "数学"
    # a column the page asks for and the frame lacks is a column of blanks
    lean = web_summary_table(FRAME.drop(columns=["n_registered"]), translator("zh"), "zh",
                             unit=None)
    assert lean.columns[0].key == "subject" and "n_registered" in lean.frame
    assert _cells(lean, 0)["n_registered"] == "—"
