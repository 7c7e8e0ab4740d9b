"""The document model every renderer shares: a report is sections of tables, charts and text.

The builders (:mod:`district`, :mod:`school`, :mod:`classroom`, :mod:`student`) decide what a
report shows — under the publication policy — and the renderers (:mod:`excel`, :mod:`html`,
:mod:`pdf`) only lay it out, so the three formats always carry the same content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from eduquality.reports.formats import Fmt


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    fmt: Fmt = "text"
    where: Literal["both", "print", "excel"] = "both"
    band_key: str = ""
    """Column of band codes that colours this column's cells (and adds an arrow in print)."""
    """'excel': only in the workbook (wide detail); 'print': only in PDF/HTML (e.g. a CI
    written as one text cell, whose bounds the workbook carries as numbers)."""

    @property
    def in_print(self) -> bool:
        return self.where != "excel"

    @property
    def in_excel(self) -> bool:
        return self.where != "print"


@dataclass
class Table:
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


@dataclass
class Chart:
    title: str
    draw: Callable[[], bytes]
    """Draws the chart lazily (PNG bytes): Excel never pays for it."""
    width_cm: float = 17.0
    _png: bytes | None = field(default=None, repr=False)

    def png(self) -> bytes:
        """The drawn chart, drawn once however many formats are written."""
        if self._png is None:
            self._png = self.draw()
        return self._png


@dataclass
class Text:
    text: str


Block = Table | Chart | Text


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    """'district' | 'school' | 'class' | 'student'."""
    lang: str
    title: str
    subtitle: str
    internal: bool
    meta: list[tuple[str, str]]
    sections: list[Section]
    methods: list[tuple[str, str]]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]
