"""What a page shows, as data: the HTML template and the Excel export both render a :class:`Page`,
so a download always holds exactly what the page showed.

Cells keep their raw values (numbers stay numbers for Excel); :func:`fmt` formats them for
HTML. Tables of units are built in the fixed publication order, never sorted by score.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from eduquality.vocab import SUBJECTS

Kind = str
"""A column's kind: 'text', 'int', 'num', 'pct', 'band', 'grade'."""


@dataclass
class Column:
    key: str
    label: str
    kind: Kind = "text"


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


def fmt(value: Any, kind: Kind) -> str:
    """A cell as text for HTML (Excel gets the raw value and a number format)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, str):
        return value
    if kind == "int":
        return f"{int(value):,}"
    if kind == "num":
        return f"{float(value):.1f}"
    if kind == "num2":
        return f"{float(value):.2f}"
    if kind == "pct":
        return f"{100 * float(value):.1f}%"
    return str(value)


SUMMARY_COLUMNS = ("n_registered", "n", "mean", "sd", "ci", "excellent_rate", "good_rate",
                   "pass_rate", "low_rate", "band")
_KINDS = {"n_registered": "int", "n": "int", "mean": "num", "sd": "num", "excellent_rate": "pct",
          "good_rate": "pct", "pass_rate": "pct", "low_rate": "pct", "band": "band",
          "full_marks": "num", "max": "num", "min": "num", "median": "num"}


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
        cols.append(Column(c, t(f"web.col.{c}"), _KINDS.get(c, "text")))
    rows = []
    units: Iterable[Any] = frame.itertuples(index=False)
    for r in units:  # aggregated rows: one per unit and subject
        row: dict[str, Any] = {c: getattr(r, c, None) for c in columns if c != "ci"}
        if "ci" in columns:
            row["ci"] = (f"{r.ci_low:.1f}–{r.ci_high:.1f}"
                         if _finite(r.ci_low) and _finite(r.ci_high) else None)
        if "band" in columns:
            row["band"] = t(f"web.band.{r.band}") if isinstance(r.band, str) else None
            row["_band"] = r.band
        row["subject"] = SUBJECTS.label(r.subject_code, lang)
        if unit is not None:
            row["unit"] = unit(r)
        if href is not None:
            row["_href"] = href(r)
        rows.append(row)
    return Table(cols, rows)


def _finite(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


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


def frame_table(frame: pd.DataFrame, columns: Sequence[tuple[str, str, Kind]],
                href: Callable[[Any], str | None] | None = None) -> Table:
    """A table from a frame's columns: (column, label, kind)."""
    cols = [Column(k, label, kind) for k, label, kind in columns]
    records: list[dict[str, Any]] = [{str(k): v for k, v in rec.items()}
                                     for rec in frame.to_dict("records")]
    if href is not None:
        for rec in records:
            rec["_href"] = href(rec)
    return Table(cols, records)
