"""What a page shows, as data: the HTML template and the Excel export both render a :class:`Page`,
so a download always holds exactly what the page showed.

Columns are the reports' :class:`~eduquality.reports.model.Column` and cells are shown by
:mod:`eduquality.reports.formats`, so a number reads the same on a page, in its download and in
the PDF/Excel reports. Cells keep their raw values (numbers stay numbers for Excel); :func:`fmt`
formats them for HTML. Tables of units are built in the fixed publication order, never sorted by
score.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from eduquality.reports import labels as L
from eduquality.reports.formats import UNIT_FORMATS, Fmt, as_fmt, format_value, interval, is_missing
from eduquality.reports.model import Column
from eduquality.vocab import SUBJECTS


@dataclass
class Table:
    columns: list[Column]
    rows: list[dict[str, Any]]
    """Cell values by column key; an optional '_href' links the row's first cell."""


@dataclass
class Bar:
    label: str
    value: float
    low: float
    high: float
    band: str


@dataclass
class Chart:
    """Horizontal bars of unit means with their 95 % intervals, on a 0…full-marks axis."""

    title: str
    bars: list[Bar]
    full_marks: float
    width: int = 640
    label_width: int = 150
    row_height: int = 22

    @property
    def height(self) -> int:
        return self.row_height * len(self.bars) + 24

    def x(self, value: float) -> float:
        span = self.width - self.label_width - 20
        v = 0.0 if value is None or math.isnan(value) else max(0.0, min(value, self.full_marks))
        return round(self.label_width + span * v / self.full_marks, 1)


@dataclass
class Section:
    title: str
    table: Table | None = None
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Page:
    title: str
    sections: list[Section]
    subtitle: str = ""
    crumbs: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    choices: list[tuple[str, str, bool]] = field(default_factory=list)
    """Links that switch what the page shows (label, href, current)."""
    internal: bool = False
    export_name: str | None = None
    """File name of the Excel download; None: the page has no download."""
    audit_object: str | None = None
    """What the audit log names; set on pages showing student-level data (their views are
    logged) and on every page that can be exported (exports are always logged)."""
    student_level: bool = False


def fmt(value: Any, kind: Fmt) -> str:
    """A cell as text for HTML (Excel gets the raw value and the same format's number format);
    band cells hold their label already."""
    return format_value(value, kind)


SUMMARY_COLUMNS = ("n_registered", "n", "mean", "sd", "ci", "excellent_rate", "good_rate",
                   "pass_rate", "low_rate", "band")


def summary_table(
    frame: pd.DataFrame, t: Callable[..., str], lang: str, *, unit: Callable[[Any], str] | None,
    subject_col: bool = True, href: Callable[[Any], str | None] | None = None,
    columns: Sequence[str] = SUMMARY_COLUMNS,
) -> Table:
    """A table of unit summaries (rows already in the order to show). ``unit`` labels each row
    from its pandas row; ``href`` links it."""
    cols: list[Column] = []
    if unit is not None:
        cols.append(Column("unit", t("web.col.unit")))
    if subject_col:
        cols.append(Column("subject", t("web.col.subject")))
    for c in columns:
        cols.append(Column(c, L.col(c, lang), UNIT_FORMATS.get(c, "text")))
    rows = []
    units: Iterable[Any] = frame.itertuples(index=False)
    for r in units:  # aggregated rows: one per unit and subject
        row: dict[str, Any] = {c: getattr(r, c, None) for c in columns if c != "ci"}
        if "ci" in columns:
            row["ci"] = (interval(r.ci_low, r.ci_high, UNIT_FORMATS["mean"])
                         if _finite(r.ci_low) and _finite(r.ci_high) else None)
        if "band" in columns:
            row["band"] = L.band(r.band, lang) if isinstance(r.band, str) else None
            row["_band"] = r.band
        row["subject"] = SUBJECTS.label(r.subject_code, lang)
        if unit is not None:
            row["unit"] = unit(r)
        if href is not None:
            row["_href"] = href(r)
        rows.append(row)
    return Table(cols, rows)


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
    return Chart(title, bars, float(frame["full_marks"].max()))


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
    :data:`~eduquality.reports.formats.Fmt`."""
    cols = [Column(k, label, as_fmt(kind)) for k, label, kind in columns]
    records: list[dict[str, Any]] = [{str(k): v for k, v in rec.items()}
                                     for rec in frame.to_dict("records")]
    if href is not None:
        for rec in records:
            rec["_href"] = href(rec)
    return Table(cols, records)
