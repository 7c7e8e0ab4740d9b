"""The web page, its Excel download and the PDF/Excel reports show a unit summary the same way:
the same header, the same text for the same value, the same Excel number format per column."""

from __future__ import annotations

import io

import openpyxl
import pytest

from eduquality.reports import labels as L
from eduquality.reports import sections as S
from eduquality.reports.excel import render_xlsx, xlsx_bytes
from eduquality.reports.formats import NUMBER_FORMATS
from eduquality.reports.html import _table
from eduquality.reports.model import Report, Section
from eduquality.web.pages import page, section, summary_table
from eduquality.web.text import translator
from tests.reports.conftest import analysed, view_of

SHARED = ["n", "mean", "sd", "ci", "excellent_rate", "pass_rate", "low_rate", "band"]


@pytest.fixture(scope="module")
def schools():
    view = view_of(analysed())
    rows = view.analysis.summaries["school"]
    rows = rows.loc[rows["subject_code"] == "math"].reset_index(drop=True)
    names = [view.school(c) for c in rows["school_code"]]
    report_table = S.summary_table(view, rows, names, "学校", "学校 · 数学")
    web_table = summary_table(rows, translator("zh"), "zh", unit=lambda r: r.school_code,
                              subject_col=False)
    return view, rows, report_table, web_table


@pytest.mark.slow
def test_web_page_and_pdf_show_the_same_strings(schools):
    _, rows, report_table, web_table = schools
    printed = _table(report_table, "zh")
    keys = [c.key for c in report_table.columns if c.in_print and c.key in report_table.frame]
    assert set(SHARED) <= set(keys)
    for i, web_row in enumerate(web_table.records()):
        web_cells = {c.key: L.cell(web_row.get(c.key), c.fmt, "zh") for c in web_table.columns}
        pdf_cells = {k: printed["rows"][i][j][0].rstrip(" ↑↓≈") for j, k in enumerate(keys)}
        for key in SHARED:
            assert web_cells[key] == pdf_cells[key], (key, web_cells[key], pdf_cells[key])
    web_labels = {c.key: c.label for c in web_table.columns}
    pdf_labels = {c.key: c.label for c in report_table.columns}
    assert all(web_labels[k] == pdf_labels[k] for k in SHARED)  # one header per column
    mean, low, high = rows.loc[0, ["mean", "ci_low", "ci_high"]]
    assert web_cells["mean"] != "—" and len(L.cell(mean, "num2", "zh").partition(".")[2]) == 2
    assert web_table.records()[0]["ci"] == f"{low:.2f}–{high:.2f}"


@pytest.mark.slow
def test_web_download_and_report_workbook_use_the_same_number_formats(schools, tmp_path):
    _, _, report_table, web_table = schools
    shown = page("zh", "学校", [section("数学", web_table)])
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(shown.doc)))["数学"]
    assert [c.value for c in ws[2]] == [c.label for c in web_table.columns]
    web_formats = {c.key: ws.cell(3, j + 1).number_format
                   for j, c in enumerate(web_table.columns)}
    report = Report("district", "zh", "t", "", False, [], [Section("s", [report_table])], [])
    sheet = openpyxl.load_workbook(render_xlsx(report, tmp_path / "r.xlsx"))[report_table.title]
    excel_cols = [c.key for c in report_table.columns
                  if c.in_excel and c.key in report_table.frame]
    report_formats = {k: sheet.cell(3, j + 1).number_format for j, k in enumerate(excel_cols)}
    for key, kind in (("n", "int"), ("mean", "num2"), ("sd", "num2"), ("pass_rate", "pct")):
        assert web_formats[key] == report_formats[key] == NUMBER_FORMATS[kind], key
    assert report_formats["n"] == "#,##0"  # was "0": counts without separators in reports
