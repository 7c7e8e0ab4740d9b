"""Excel download of a :class:`~eduquality.web.pages.Page`: the same sections, rows and columns
as the page, numbers kept as numbers, marked 内部资料 and signed with who exported it when."""

from __future__ import annotations

import io
import numbers
from collections.abc import Callable

import xlsxwriter

from eduquality.reports.formats import (
    NUMBER_FORMATS,
    NUMERIC,
    SheetNames,
    display_width,
    is_missing,
    shown_number,
)
from eduquality.web.pages import Page


def page_xlsx(page: Page, t: Callable[..., str], exported_by: str, when: str) -> bytes:
    """The page as an .xlsx workbook (one sheet)."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_urls": False,
                                      "strings_to_formulas": False})
    bold = wb.add_format({"bold": True})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    red = wb.add_format({"bold": True, "font_color": "#b00020"})
    header = wb.add_format({"bold": True, "bg_color": "#e8eef6", "border": 1, "text_wrap": True})
    formats = {k: wb.add_format({"num_format": NUMBER_FORMATS[k]}) for k in NUMERIC}
    ws = wb.add_worksheet(SheetNames()(page.title))
    row = 0
    ws.write(row, 0, page.title, title_fmt)
    row += 1
    if page.subtitle:
        ws.write(row, 0, page.subtitle)
        row += 1
    if page.internal:
        ws.write(row, 0, t("web.internal"), red)
        row += 1
    ws.write(row, 0, t("web.exported_by", user=exported_by, time=when))
    row += 1
    for note in page.notes:
        ws.write(row, 0, note)
        row += 1
    widths: dict[int, int] = {}
    for section in page.sections:
        row += 1
        ws.write(row, 0, section.title, bold)
        row += 1
        for note in section.notes:
            ws.write(row, 0, note)
            row += 1
        if section.table is None or not section.table.rows:
            ws.write(row, 0, t("web.empty"))
            row += 1
            continue
        for j, col in enumerate(section.table.columns):
            ws.write(row, j, col.label, header)
            widths[j] = max(widths.get(j, 8), display_width(col.label))
        row += 1
        for rec in section.table.rows:
            for j, col in enumerate(section.table.columns):
                value = rec.get(col.key)
                if is_missing(value):
                    ws.write_blank(row, j, None)
                elif col.fmt in NUMERIC and isinstance(value, numbers.Real):
                    ws.write_number(row, j, shown_number(value, col.fmt), formats[col.fmt])
                else:
                    text = str(value)
                    ws.write_string(row, j, text)
                    widths[j] = max(widths.get(j, 8), min(display_width(text), 40))
            row += 1
    for j, w in widths.items():
        ws.set_column(j, j, w + 2)
    wb.close()
    return buffer.getvalue()
