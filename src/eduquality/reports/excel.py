"""Excel rendering with xlsxwriter: a cover sheet, one sheet per table, a methods sheet.

Reports are written by :func:`render_xlsx`; a web page's download is :func:`xlsx_bytes` of the
same :class:`~eduquality.reports.model.Report` the page shows (its tables become the sheets).

Every table sheet has its title in row 1, frozen headers in row 2 (and frozen key columns),
number formats per column (integers, decimals, percentages), conditional formatting (bands in
green/red, data bars on rates) and the 内部资料 mark in the print header. Files open in Excel and
LibreOffice (tested with ``libreoffice --headless --convert-to csv``).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from eduquality.outputs import XLSX_OPTIONS
from eduquality.reports import labels as L
from eduquality.reports.fonts import CJK_FAMILY
from eduquality.reports.formats import NUMBER_FORMATS, SheetNames, display_width, shown_number
from eduquality.reports.model import Column, Fmt, Report, Table


class _Styles:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": CJK_FAMILY, "font_size": 10}
        self.title = wb.add_format({**base, "font_size": 13, "font_color": "#0D3B66"})
        self.header = wb.add_format({**base, "bg_color": "#E8EEF4", "font_color": "#0D3B66",
                                     "bottom": 1, "text_wrap": True, "align": "center",
                                     "valign": "vcenter"})
        self.mark = wb.add_format({**base, "font_color": "#B00020"})
        self.note = wb.add_format({**base, "font_size": 9, "font_color": "#555555"})
        self.cells = {f: wb.add_format({**base, "num_format": NUMBER_FORMATS[f]})
                      for f in NUMBER_FORMATS}
        self.above = wb.add_format({"bg_color": "#E6F4EA", "font_color": "#1B5E20"})
        self.below = wb.add_format({"bg_color": "#FDECEA", "font_color": "#B71C1C"})
        self.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top"})


def _values(series: pd.Series, fmt: Fmt, lang: str) -> list[Any]:
    if fmt == "band":
        return [L.band(v, lang) if pd.notna(v) else None for v in series]
    if fmt == "text":
        return [None if pd.isna(v) else str(v) for v in series]
    numbers = pd.to_numeric(series, errors="coerce")
    # a word where a number is expected (缺考 instead of a score) stays, as on the page
    return [v if isinstance(v, str) and v and pd.isna(n) else shown_number(n, fmt)
            for v, n in zip(series, numbers, strict=True)]


def _mark_header(ws: Worksheet, report: Report) -> None:
    left = L.text("internal", report.lang) if report.internal else ""
    ws.set_header(f"&L{left.replace('&', '&&')}&R{report.title.replace('&', '&&')[:200]}")
    ws.set_footer("&C&P / &N")
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)


def _table_sheet(wb: Workbook, st: _Styles, report: Report, table: Table, name: str) -> None:
    ws = wb.add_worksheet(name)
    _mark_header(ws, report)
    cols: list[Column] = [c for c in table.columns if c.in_excel and c.key in table.frame]
    title = table.title + (f"（{L.text('internal', report.lang)}）" if report.internal else "")
    ws.write_string(0, 0, title, st.title)
    ws.set_row(1, 30)
    n = len(table.frame)
    for j, c in enumerate(cols):
        ws.write_string(1, j, c.label, st.header)
        values = _values(table.frame[c.key], c.fmt, report.lang)
        ws.write_column(2, j, values, st.cells[c.fmt])
        longest = max([display_width(c.label) // 2 + 2] + [display_width(str(v)) for v in values[:200] if
                                                    c.fmt in ("text", "band") and v])
        ws.set_column(j, j, min(max(longest + 2, 9), 40))
        if n and c.fmt == "band":
            rng = (2, j, n + 1, j)
            ws.conditional_format(*rng, {"type": "cell", "criteria": "==",
                                         "value": f'"{L.band("above", report.lang)}"',
                                         "format": st.above})
            ws.conditional_format(*rng, {"type": "cell", "criteria": "==",
                                         "value": f'"{L.band("below", report.lang)}"',
                                         "format": st.below})
        elif n and c.band_key:
            keys = [x.key for x in cols]
            if c.band_key in keys:
                ref = f"${xl_col_to_name(keys.index(c.band_key))}3"
                for code, fmt in (("above", st.above), ("below", st.below)):
                    ws.conditional_format(2, j, n + 1, j, {
                        "type": "formula", "format": fmt,
                        "criteria": f'={ref}="{L.band(code, report.lang)}"'})
        elif n > 1 and c.fmt == "pct":
            ws.conditional_format(2, j, n + 1, j, {"type": "data_bar", "bar_color": "#9CC3E6",
                                                   "min_type": "num", "min_value": 0,
                                                   "max_type": "num", "max_value": 1})
    if table.note:
        ws.write_string(n + 3, 0, table.note, st.note)
    ws.freeze_panes(2, min(table.key_columns, len(cols)))


def _cover(wb: Workbook, st: _Styles, report: Report, name: str) -> None:
    ws = wb.add_worksheet(name)
    _mark_header(ws, report)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 70)
    row = 0
    if report.internal:
        ws.write_string(row, 0, L.text("internal", report.lang), st.mark)
        row += 1
    ws.write_string(row, 0, report.title, st.title)
    if report.subtitle:
        row += 1
        ws.write_string(row, 0, report.subtitle, st.cells["text"])
    row += 2
    if report.meta:
        ws.write_string(row, 0, L.col("field", report.lang), st.header)
        ws.write_string(row, 1, L.col("value", report.lang), st.header)
        for k, v in report.meta:
            row += 1
            ws.write_string(row, 0, k, st.cells["text"])
            ws.write_string(row, 1, v, st.cells["text"])
        ws.freeze_panes(row - len(report.meta) + 1, 0)
        row += 2
    for note in report.notes:
        ws.write_string(row, 0, note, st.note)
        row += 1


def _methods(wb: Workbook, st: _Styles, report: Report, name: str) -> None:
    ws = wb.add_worksheet(name)
    _mark_header(ws, report)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 100)
    ws.write_string(0, 0, L.text("sec.methods", report.lang), st.title)
    ws.write_string(1, 0, L.col("term", report.lang), st.header)
    ws.write_string(1, 1, L.col("definition", report.lang), st.header)
    for i, (term, definition) in enumerate(report.methods, start=2):
        ws.write_string(i, 0, term, st.wrap)
        ws.write_string(i, 1, definition, st.wrap)
    ws.freeze_panes(2, 1)


def render_xlsx(report: Report, path: str | Path) -> Path:
    """Write the report as an Excel workbook to ``path``. Writes."""
    path = Path(path)
    _write(report, str(path))
    return path


def xlsx_bytes(report: Report) -> bytes:
    """The report (or a web page) as the bytes of an Excel workbook."""
    buffer = io.BytesIO()
    _write(report, buffer)
    return buffer.getvalue()


def _write(report: Report, target: str | IO[bytes]) -> None:
    """Cover, one sheet per table (in the order of the sections), methods when there are any.
    Text is never written as a formula, URL or number (:data:`eduquality.outputs.XLSX_OPTIONS`)."""
    wb = xlsxwriter.Workbook(target, {**XLSX_OPTIONS, "in_memory": not isinstance(target, str)})
    wb.set_properties({"title": report.title, "subject": "EduQuality",
                       "comments": L.text("internal" if report.internal else "public",
                                          report.lang)})
    st, names = _Styles(wb), SheetNames()
    _cover(wb, st, report, names(L.text("tbl.cover", report.lang)))
    for table in report.tables():
        _table_sheet(wb, st, report, table, names(table.sheet or table.title))
    if report.methods:
        _methods(wb, st, report, names(L.text("tbl.methods", report.lang)))
    wb.close()
