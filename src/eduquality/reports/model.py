"""The document model every renderer shares: a document is sections of tables, charts and text.

The report builders (:mod:`district`, :mod:`school`, :mod:`classroom`, :mod:`student`) and the
web's page builders (:mod:`eduquality.web.views`) decide what a document shows — under the
publication policy — and the renderers (:mod:`excel`, :mod:`html`, :mod:`pdf`, the web's
``page.html`` template) only lay it out, so every format carries the same content: a web page's
Excel download is :func:`eduquality.reports.excel.xlsx_bytes` of the very :class:`Report` the
page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import pandas as pd

from eduquality.reports.formats import Fmt


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    fmt: Fmt = "text"
    where: Literal["both", "print", "excel"] = "both"
    """'excel': only in the workbook (wide detail); 'print': only in PDF/HTML (e.g. a CI
    written as one text cell, whose bounds the workbook carries as numbers)."""
    band_key: str = ""
    """Column of band codes that colours this column's cells (and adds an arrow in print)."""
    link_key: str = ""
    """Column of the frame holding each cell's link (a path on the web platform; empty or
    missing: no link). Renderers without links (Excel, PDF) show the cell alone."""

    @property
    def in_print(self) -> bool:
        return self.where != "excel"

    @property
    def in_excel(self) -> bool:
        return self.where != "print"


@dataclass
class Table:
    kind: ClassVar[str] = "table"
    title: str
    columns: list[Column]
    frame: pd.DataFrame
    sheet: str = ""
    """Excel sheet name (one table per sheet); empty: derived from the title."""
    key_columns: int = 1
    """Leading columns frozen in Excel."""
    note: str = ""
    print_: bool = True
    """Shown in PDF/HTML; False: Excel only (long tables such as 一分一段)."""

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts by column key (for templates)."""
        return [{str(k): v for k, v in rec.items()} for rec in self.frame.to_dict("records")]


@dataclass(frozen=True)
class Bar:
    """One unit's mean and its 95 % interval in a chart of means."""

    label: str
    value: float
    low: float
    high: float
    band: str


@dataclass
class Chart:
    kind: ClassVar[str] = "chart"
    title: str
    draw: Callable[[], bytes] | None = None
    """Draws the chart lazily (PNG bytes): Excel never pays for it. None: a chart of
    :attr:`bars` only, which the web draws itself (inline SVG)."""
    width_cm: float = 17.0
    bars: list[Bar] = field(default_factory=list)
    """The means plotted, for renderers that draw the chart from data (the web pages)."""
    full_marks: float = 0.0
    """The end of the axis of :attr:`bars` (0…full marks)."""
    _png: bytes | None = field(default=None, repr=False)

    def png(self) -> bytes | None:
        """The drawn chart, drawn once however many formats are written; None when the chart
        is not drawn as an image."""
        if self._png is None and self.draw is not None:
            self._png = self.draw()
        return self._png


@dataclass
class Text:
    kind: ClassVar[str] = "text"
    text: str


Block = Table | Chart | Text


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    """'district' | 'school' | 'class' | 'student', or 'page' (a web page)."""
    lang: str
    title: str
    subtitle: str
    internal: bool
    meta: list[tuple[str, str]]
    sections: list[Section]
    methods: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)
    """Notes on the whole document (the web's notes under a page; the workbook's cover)."""

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]
