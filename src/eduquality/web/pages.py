"""What a page shows, as data: a :class:`Page` is a document of the reports' model
(:class:`~eduquality.reports.model.Report` of sections of tables and charts) plus how the
platform links it (crumbs, choices, download, audit).

The HTML template renders the page's document, and its Excel download is
:func:`eduquality.reports.excel.xlsx_bytes` of the same document, so a download always holds
exactly what the page showed, with the reports' number formats. Cells keep their raw values
(numbers stay numbers for Excel) and are shown by :func:`eduquality.reports.labels.cell`.
Tables of units are built in the fixed publication order, never sorted by score.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from eduquality.reports.formats import as_fmt, is_missing
from eduquality.reports.model import Bar, Chart, Column, Report, Section, Table
from eduquality.reports.model import summary_table as model_summary_table

HREF = "_href"
"""The frame column holding each row's link (shown on the row's first cell)."""


@dataclass(frozen=True)
class FormField:
    """One field of a :class:`PageForm`: ``kind`` 'text', 'date', 'select' (``choices``:
    value, label) or 'textarea'; ``value`` as entered (kept when the form comes back with
    problems); ``problem``: the message about this field, shown beside it."""

    name: str
    label: str
    kind: str = "text"
    value: str = ""
    required: bool = False
    max_length: int = 64
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    problem: str = ""


@dataclass(frozen=True)
class PageForm:
    """A form shown under a page's sections (web only: never in its download). Posted with
    the session's CSRF token to ``action``; ``hidden``: fields carried as they are;
    ``message``: what the last post did; ``error``: why it was refused as a whole."""

    title: str
    action: str
    fields: tuple[FormField, ...]
    submit: str
    note: str = ""
    hidden: tuple[tuple[str, str], ...] = ()
    message: str = ""
    error: str = ""


@dataclass
class Page:
    doc: Report
    """What the page shows: rendered by ``page.html`` and, for the download, by
    :func:`eduquality.reports.excel.xlsx_bytes`."""
    crumbs: list[tuple[str, str]] = field(default_factory=list)
    choices: list[tuple[str, str, bool]] = field(default_factory=list)
    """Links that switch what the page shows (label, href, current)."""
    export_name: str | None = None
    """File name of the Excel download; None: the page has no download."""
    audit_object: str | None = None
    """What the audit log names; set on pages showing student-level data (their views are
    logged) and on every page that can be exported (exports are always logged)."""
    student_level: bool = False
    downloads: list[tuple[str, str]] = field(default_factory=list)
    """Report downloads offered with the page (label, href): PDF/Excel of ``/reports/…``."""
    choice_label: str = ""
    """What :attr:`choices` switch (default: the subject)."""
    forms: list[PageForm] = field(default_factory=list)
    """Forms shown under the sections (a role's way to record something about what it sees)."""

    @property
    def title(self) -> str:
        return self.doc.title


def page(lang: str, title: str, sections: list[Section], *, subtitle: str = "",
         notes: Sequence[str] = (), internal: bool = False, **links: Any) -> Page:
    """A page showing ``sections``; ``links``: the :class:`Page` fields (crumbs, choices,
    export_name, audit_object, student_level, downloads, choice_label, forms)."""
    doc = Report("page", lang, title, subtitle, internal, [], sections, [], list(notes))
    return Page(doc, **links)


def section(title: str, table: Table, chart: Chart | None = None, note: str = "") -> Section:
    """A section of one table (and its chart): the table is the download's sheet, named and
    titled as the section; ``note`` is shown with the table (and under it in the sheet)."""
    table.title = table.sheet = title
    if note:
        table.note = note
    return Section(title, [chart, table] if chart is not None else [table])


SUMMARY_COLUMNS = ("n_registered", "n", "mean", "sd", "ci", "excellent_rate", "good_rate",
                   "pass_rate", "low_rate", "band")


def summary_table(
    frame: pd.DataFrame, t: Callable[..., str], lang: str, *, unit: Callable[[Any], str] | None,
    subject_col: bool = True, href: Callable[[Any], str | None] | None = None,
    columns: Sequence[str] = SUMMARY_COLUMNS,
) -> Table:
    """A table of unit summaries (rows already in the order to show), built as the reports'
    (:func:`eduquality.reports.model.summary_table`) with the columns the page shows. ``unit``
    labels each row from its pandas row; ``href`` links it."""
    rows: list[Any] = list(frame.itertuples(index=False))
    if href is not None:
        frame = frame.assign(**{HREF: pd.Series([href(r) for r in rows], index=frame.index,
                                                dtype=object)})
    return model_summary_table(
        frame, None if unit is None else [unit(r) for r in rows], t("web.col.unit"), lang,
        columns=columns, subject_label=t("web.col.subject") if subject_col else None,
        link_key=HREF if href is not None else "")


def _finite(x: Any) -> bool:
    return not is_missing(x)


def mean_chart(frame: pd.DataFrame, title: str, unit: Callable[[Any], str]) -> Chart | None:
    """Bars of the unit means with their intervals (two units or more)."""
    frame = frame.dropna(subset=["mean"])  # withheld small units have no bar
    if len(frame) < 2:
        return None
    units: Iterable[Any] = frame.itertuples(index=False)
    bars = [Bar(unit(r), float(r.mean), float(r.ci_low) if _finite(r.ci_low) else float(r.mean),
                float(r.ci_high) if _finite(r.ci_high) else float(r.mean), str(r.band))
            for r in units]
    return Chart(title, bars=bars, full_marks=float(frame["full_marks"].max()))


@dataclass(frozen=True)
class SvgBox:
    """Where a :class:`~eduquality.reports.model.Chart`'s bars go in the page's inline SVG:
    a 0…full-marks axis after a column of labels."""

    chart: Chart
    width: int = 640
    label_width: int = 150
    row_height: int = 22

    @property
    def height(self) -> int:
        return self.row_height * len(self.chart.bars) + 24

    def x(self, value: float) -> float:
        span = self.width - self.label_width - 20
        full = self.chart.full_marks
        v = 0.0 if value is None or math.isnan(value) else max(0.0, min(value, full))
        return round(self.label_width + span * v / full, 1)


def ordered_units(frame: pd.DataFrame, subjects: Sequence[str],
                  peer_of: Mapping[str, str | None]) -> pd.DataFrame:
    """Rows in the fixed publication order: subject (paper order), peer group, school code,
    class id, teacher id — never by score (no league tables)."""
    out = frame.copy()
    order = {s: i for i, s in enumerate(subjects)}
    out["_s"] = out["subject_code"].map(order).fillna(len(order))
    keys = ["_s"]
    if "school_code" in out.columns:
        out["_p"] = out["school_code"].map(lambda c: peer_of.get(c) or "~")
        keys += ["_p", "school_code"]
    elif "peer_group" in out.columns:
        keys.append("peer_group")
    keys += [k for k in ("class_id", "teacher_id") if k in out.columns]
    out = out.sort_values(keys, kind="stable")
    return out.drop(columns=[c for c in ("_s", "_p") if c in out.columns]).reset_index(drop=True)


def frame_table(frame: pd.DataFrame, columns: Sequence[tuple[str, str, str]],
                href: Callable[[Any], str | None] | None = None) -> Table:
    """A table from a frame's columns: (column, label, kind), the kind a
    :data:`~eduquality.reports.formats.Fmt`; ``href`` links each row's first cell."""
    cols = [Column(k, label, as_fmt(kind), link_key=HREF if href is not None and i == 0 else "")
            for i, (k, label, kind) in enumerate(columns)]
    out = frame.reset_index(drop=True).reindex(columns=[c.key for c in cols])
    if href is not None:
        out[HREF] = [href(rec) for rec in frame.to_dict("records")]
    return Table("", cols, out)


def png_uri(chart: Chart) -> str:
    """A chart drawn as PNG (:meth:`~eduquality.reports.model.Chart.png`) as a ``data:`` URI
    for an ``<img>``: the pages' CSP allows ``img-src data:``, nothing is fetched elsewhere."""
    return "data:image/png;base64," + base64.b64encode(chart.png() or b"").decode("ascii")
