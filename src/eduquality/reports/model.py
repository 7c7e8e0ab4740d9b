"""The document model every renderer shares: a document is sections of tables, charts and text.

The report builders (:mod:`district`, :mod:`school`, :mod:`classroom`, :mod:`student`) and the
web's page builders (:mod:`eduquality.web.views`) decide what a document shows — under the
publication policy — and the renderers (:mod:`excel`, :mod:`html`, :mod:`pdf`, the web's
``page.html`` template) only lay it out, so every format carries the same content: a web page's
Excel download is :func:`eduquality.reports.excel.xlsx_bytes` of the very :class:`Report` the
page shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import pandas as pd

from eduquality.reports import labels as L
from eduquality.reports.formats import (
    UNIT_COMPARE,
    UNIT_FORMATS,
    UNIT_SUMMARY,
    Fmt,
    interval,
    is_missing,
)
from eduquality.vocab import SUBJECTS


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


def summary_table(frame: pd.DataFrame, units: Sequence[str] | None, unit_label: str, lang: str,
                  *, title: str = "", sheet: str = "", compare: bool = True,
                  columns: Sequence[str] | None = None, subject_label: str | None = None,
                  extra: Sequence[Column] = (), link_key: str = "", note: str = "") -> Table:
    """A 三率一分 table of unit summaries, the one builder of the reports' tables
    (:func:`eduquality.reports.sections.summary_table`) and the web pages'
    (:func:`eduquality.web.pages.summary_table`).

    One row per row of ``frame`` (a unit summary of :mod:`eduquality.analysis.unit_stats`,
    already in the fixed publication order: never sorted here), labelled ``units`` under
    ``unit_label`` (None: no unit column); ``subject_label`` adds the subject's name;
    ``extra`` columns (of ``frame``) follow. Then the summary columns, each in its kind of
    number (:data:`~eduquality.reports.formats.UNIT_FORMATS`):

    - ``columns`` None (the reports): :data:`~eduquality.reports.formats.UNIT_SUMMARY` and, with
      ``compare``, :data:`~eduquality.reports.formats.UNIT_COMPARE` (the CI and the band
      against the district, never a rank), each only in print or only in the workbook as those
      lists say, and only those ``frame`` has;
    - ``columns`` given (the web pages): just those, shown alike on the page and in its
      download, a column ``frame`` lacks as blanks.

    The CI is one text cell ``low–high`` (:func:`~eduquality.reports.formats.interval`; missing
    when either bound is); bands stay codes (the renderers label them).
    ``link_key``: the column of ``frame`` holding each row's link (on the first column)."""
    out = frame.reset_index(drop=True).copy()
    if columns is None:
        spec = [(k, f, w) for k, f, w in UNIT_SUMMARY + (UNIT_COMPARE if compare else [])]
    else:
        spec = [(k, UNIT_FORMATS.get(k, "text"), "both") for k in columns]
    keys = {k for k, _, _ in spec}
    if "ci" in keys and {"ci_low", "ci_high"} <= set(out.columns):
        out["ci"] = [None if is_missing(lo) or is_missing(hi)
                     else interval(lo, hi, UNIT_FORMATS["mean"])
                     for lo, hi in zip(out["ci_low"], out["ci_high"], strict=True)]
    if columns is not None:
        for k in keys - set(out.columns):
            out[k] = None
    cols: list[Column] = []
    if units is not None:
        out["unit"] = list(units)
        cols.append(Column("unit", unit_label))
    if subject_label is not None:
        out["subject"] = [SUBJECTS.label(s, lang) for s in out["subject_code"]]
        cols.append(Column("subject", subject_label))
    cols += extra
    cols += [Column(k, L.col(k, lang), f, w) for k, f, w in spec  # type: ignore[arg-type]
             if k in out]
    if link_key and cols:
        cols[0] = Column(cols[0].key, cols[0].label, cols[0].fmt, cols[0].where,
                         link_key=link_key)
    return Table(title, cols, out, sheet=sheet, note=note)
