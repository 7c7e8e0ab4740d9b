"""A page and its Excel download are one document (a :class:`~eduquality.reports.model.Report`
written by :mod:`eduquality.reports.excel`): the workbook's sheets are the page's sections, in
order, with the page's column headers, the page's cells and the reports' number format of each
column; the page's notes are on the cover."""

from __future__ import annotations

import io
from html import unescape
from html.parser import HTMLParser

import openpyxl
import pytest

from eduquality.reports.formats import NUMBER_FORMATS, as_fmt, format_value
from eduquality.web.pages import page, section, summary_table
from eduquality.web.text import translator


class _Sections(HTMLParser):
    """Each <section> of a page: its title, notes, headers (label, format) and cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[dict] = []
        self.aside: list[str] = []
        self._text: list[str] | None = None
        self._where = ""
        self._cls = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append({"title": "", "notes": [], "headers": [], "rows": []})
        elif tag == "aside":
            self._where = "aside"
        elif tag == "tr" and self.sections and self._where == "tbody":
            self.sections[-1]["rows"].append([])
        elif tag in ("thead", "tbody"):
            self._where = tag
        if tag in ("h2", "th", "td", "p"):
            self._text, self._cls = [], attrs.get("class") or ""

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "aside":
            self._where = ""
        if tag not in ("h2", "th", "td", "p") or self._text is None:
            return
        text = unescape("".join(self._text)).strip()
        self._text = None
        if self._where == "aside" and tag == "p":
            self.aside.append(text)
        elif not self.sections:
            return
        elif tag == "h2":
            self.sections[-1]["title"] = text
        elif tag == "p":
            self.sections[-1]["notes"].append(text)
        elif tag == "th":
            self.sections[-1]["headers"].append((text, as_fmt(self._cls)))
        elif tag == "td":
            self.sections[-1]["rows"][-1].append(text)


def _page(html: str) -> _Sections:
    parsed = _Sections()
    parsed.feed(html)
    return parsed


@pytest.mark.parametrize("user, path", [
    ("t1", "/exams/E1/classes/S1-2021-8-1"),    # students with links, 缺考 where no score
    ("res", "/exams/E3/classes/S1-2021-8-1"),   # ranks allowed
    ("res", "/exams/E1/schools/S1"),            # charts, knowledge points, teachers
    ("p1", "/exams/E1?lang=en"),
    ("par", "/students/1"),                     # one section per exam
    ("res", "/exams"),
])
@pytest.mark.slow
def test_download_is_the_page_section_by_section(login, user, path):
    c = login(user)
    shown = _page(c.get(path).text)
    sep = "&" if "?" in path else "?"
    wb = openpyxl.load_workbook(io.BytesIO(c.get(f"{path}{sep}format=xlsx").content))
    cover, *sheets = wb.worksheets
    assert len(sheets) == len(shown.sections) >= 1
    cover_text = [str(r[0]) for r in cover.iter_rows(values_only=True) if r[0] is not None]
    assert all(note in cover_text for note in shown.aside)  # the page's notes
    checked = 0
    for sec, ws in zip(shown.sections, sheets, strict=True):
        assert sec["title"].startswith(ws.title) and ws["A1"].value.startswith(sec["title"])
        labels = [label for label, _ in sec["headers"]]
        assert [c.value for c in ws[2]][:len(labels)] == labels
        assert len([c for c in ws[2] if c.value is not None]) == len(labels)
        for i, row in enumerate(sec["rows"], start=3):
            assert len(row) == len(labels)
            for j, ((_, fmt), text) in enumerate(zip(sec["headers"], row, strict=True), start=1):
                cell = ws.cell(i, j)
                if text == "":  # an empty text is a blank cell: Excel holds no empty strings
                    assert cell.value is None, (ws.title, i, j)
                    continue
                assert format_value(cell.value, fmt) == text, (ws.title, i, j, text)
                if cell.value is not None:
                    assert cell.number_format == NUMBER_FORMATS[fmt], (ws.title, i, j)
                    checked += 1
        after = [ws.cell(len(sec["rows"]) + 3 + k, 1).value for k in range(3)]
        assert after[0] is None  # no row in the sheet that the page did not show
        for note in sec["notes"]:
            assert note in after or not sec["rows"], note
    assert checked > 0


def test_one_table_object_on_the_page_and_in_its_sheet(tmp_path):
    """The model the page renders is the workbook's: a section's table is its sheet."""
    import pandas as pd

    from eduquality.reports.excel import xlsx_bytes

    frame = pd.DataFrame({"subject_code": ["math"], "n_registered": [1234], "n": [1200],
                          "mean": [87.256], "sd": [9.5], "ci_low": [86.7], "ci_high": [87.8],
                          "excellent_rate": [0.25], "good_rate": [0.5], "pass_rate": [0.853],
                          "low_rate": [0.02], "band": ["above"]})
    table = summary_table(frame, translator("zh"), "zh", unit=lambda r: "甲校",
                          href=lambda r: "/exams/E1/schools/S1")
    doc = page("zh", "页", [section("学校 · 数学", table, note="注")]).doc
    assert doc.tables() == [table] and table.title == table.sheet == "学校 · 数学"
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(doc)))["学校 · 数学"]
    assert [c.value for c in ws[2]] == [c.label for c in table.columns]
    assert "_href" not in [c.value for c in ws[2]]                 # links stay on the page
    row = {c.key: ws.cell(3, j) for j, c in enumerate(table.columns, start=1)}
    assert row["n_registered"].value == 1234 and row["n_registered"].number_format == "#,##0"
    assert row["mean"].value == 87.26 and row["mean"].number_format == "0.00"  # rounded as shown
    assert row["pass_rate"].number_format == "0.0%"
    assert row["ci"].value == "86.70–87.80" and row["band"].value == "显著高于全区"
    assert ws.cell(5, 1).value == "注"  # under the table, as on the page
