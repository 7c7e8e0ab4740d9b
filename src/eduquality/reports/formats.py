"""How numbers are shown: one rule per kind of number, for the web pages and every report format.

The web pages (:mod:`eduquality.web.pages`, whose downloads are the reports' workbooks) and the
reports (:mod:`~eduquality.reports.html`, :mod:`~eduquality.reports.pdf`,
:mod:`~eduquality.reports.excel`) all show a cell through this module (bands labelled by
:func:`eduquality.reports.labels.cell`), so the same value reads the same everywhere:

============  =========================================  ===========  ============
``Fmt``       kind of number                             text         Excel format
============  =========================================  ===========  ============
``int``       a count (students, ranks, items)           ``1,234``    ``#,##0``
``num1``      a score (a student's score, full marks,    ``87.5``     ``0.0``
              quantiles, lines)
``num2``      a statistic of scores (mean, SD,           ``87.25``    ``0.00``
              differences, estimates)
``num3``      a coefficient (α, p-values, CV)            ``0.812``    ``0.000``
``pct``       a rate, stored as a share 0…1              ``85.0%``    ``0.0%``
``text``      text as it is                              as is        ``@``
``band``      a band code, labelled by the renderer      label        ``@``
============  =========================================  ===========  ============

An interval shows both bounds as its estimate is shown (:func:`interval`); a missing value is
:data:`MISSING`. Excel cells keep the number, rounded as shown (:func:`shown_number`), and get
the Excel format, which shows the same text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any, Literal, cast, get_args

Fmt = Literal["text", "int", "num1", "num2", "num3", "pct", "band"]
"""How a column is shown: a count, a score (1 decimal), a statistic (2), a coefficient (3), a
rate (a share shown as a percentage), text, or a band code shown as a coloured label."""

MISSING = "—"
"""A missing value (no score, a withheld unit): never 0."""

NUMBER_FORMATS: dict[Fmt, str] = {
    "int": "#,##0", "num1": "0.0", "num2": "0.00", "num3": "0.000", "pct": "0.0%",
    "text": "@", "band": "@",
}
"""The Excel number format of each kind: the text Excel shows is :func:`format_value`'s."""

NUMERIC: frozenset[Fmt] = frozenset({"int", "num1", "num2", "num3", "pct"})

_DECIMALS: dict[Fmt, int] = {"num1": 1, "num2": 2, "num3": 3}

UNIT_SUMMARY: list[tuple[str, Fmt, str]] = [
    ("n_registered", "int", "excel"), ("n", "int", "both"), ("full_marks", "num1", "excel"),
    ("mean", "num2", "both"), ("sd", "num2", "both"), ("min", "num1", "excel"),
    ("q1", "num1", "excel"), ("median", "num1", "excel"), ("q3", "num1", "excel"),
    ("max", "num1", "excel"), ("excellent_rate", "pct", "both"), ("good_rate", "pct", "excel"),
    ("pass_rate", "pct", "both"), ("low_rate", "pct", "both"), ("cv", "num3", "excel"),
]
"""The 三率一分 columns of a unit summary: (column, kind, where) — 'both', or only in 'print'
(PDF/HTML) or in 'excel'. The web pages show the same columns in the same kinds."""
UNIT_COMPARE: list[tuple[str, Fmt, str]] = [
    ("ci", "text", "print"), ("ci_low", "num2", "excel"), ("ci_high", "num2", "excel"),
    ("diff_from_district", "num2", "excel"), ("above_mean_rate", "pct", "excel"),
    ("p_vs_district", "num3", "excel"), ("band", "band", "both"),
]
"""The comparison with the district added to a unit summary (the CI as one text cell in print,
its bounds as numbers in Excel)."""
UNIT_FORMATS: dict[str, Fmt] = {k: f for k, f, _ in UNIT_SUMMARY + UNIT_COMPARE}
"""The kind of number of each unit-summary column."""


def as_fmt(name: str) -> Fmt:
    """``name`` as a :data:`Fmt`; ValueError for a name that is not one (e.g. a typo)."""
    if name not in get_args(Fmt):
        raise ValueError(f"unknown cell format {name!r} (one of {', '.join(get_args(Fmt))})")
    return cast(Fmt, name)


def is_missing(value: Any) -> bool:
    """None, NaN and pandas' missing markers."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA, NaT
    except (TypeError, ValueError):
        return False


def count(value: float) -> str:
    """A count with thousands separators, rounded half to even: ``1,234``."""
    return f"{float(value):,.0f}"


def number(value: float, decimals: int) -> str:
    """A score (1 decimal), statistic (2) or coefficient (3): ``87.25``."""
    return f"{float(value):.{decimals}f}"


def rate(value: float) -> str:
    """A share 0…1 as a percentage with one decimal: ``0.85`` → ``85.0%``."""
    return f"{100 * float(value):.1f}%"


def format_value(value: Any, fmt: Fmt) -> str:
    """A cell as text: :data:`MISSING` for missing values, numbers by their kind, anything
    else (text, an already labelled band) as it is."""
    if is_missing(value):
        return MISSING
    if isinstance(value, str) or fmt not in NUMERIC:
        return str(value)
    try:
        if fmt == "int":
            return count(value)
        if fmt == "pct":
            return rate(value)
        return number(value, _DECIMALS[fmt])
    except (TypeError, ValueError):
        return str(value)


def interval(low: Any, high: Any, fmt: Fmt) -> str:
    """``low–high`` with both bounds shown as the estimate they bracket (``fmt``);
    :data:`MISSING` when either bound is missing."""
    if is_missing(low) or is_missing(high):
        return MISSING
    return f"{format_value(low, fmt)}–{format_value(high, fmt)}"


def intervals(lows: Iterable[Any], highs: Iterable[Any], fmt: Fmt) -> list[str]:
    """:func:`interval` row by row (e.g. two columns of a frame)."""
    return [interval(lo, hi, fmt) for lo, hi in zip(lows, highs, strict=True)]


def excel_number(value: Any) -> float | None:
    """The number an Excel cell of a numeric kind holds; None (a blank cell) when missing
    or not a number."""
    if is_missing(value) or isinstance(value, (str, bool)):
        return None
    try:
        number_ = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number_) else number_


def shown_number(value: Any, fmt: Fmt) -> float | None:
    """The number an exported cell of kind ``fmt`` holds: :func:`excel_number` rounded as
    :func:`format_value` shows it (a count to a whole number, a score to 1 decimal, a statistic
    to 2, a coefficient to 3, a rate to 0.1 %), so that no download carries more precision than
    the page or report it comes from. The one rounding of every writer (Excel reports, web
    downloads).

    >>> shown_number(5.184971098265896, "num2"), shown_number(0.8534, "pct")
    (5.18, 0.853)
    >>> shown_number(1234.5, "int"), shown_number(None, "num1"), shown_number(0.81234, "num3")
    (1234.0, None, 0.812)
    """
    number_ = excel_number(value)
    if number_ is None or fmt not in NUMERIC or math.isinf(number_):
        return number_
    if fmt == "pct":
        return round(float(f"{100 * number_:.1f}") / 100, 6)
    return float(f"{number_:.{_DECIMALS.get(fmt, 0)}f}")


def display_width(text: str) -> int:
    """Display width of ``text`` in a fixed-width cell: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class SheetNames:
    """Unique, valid Excel sheet names (≤ 31 characters, no ``[]:*?/\\``)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, wanted: str) -> str:
        base = _BAD_SHEET_CHARS.sub("-", wanted).strip().strip("'") or "Sheet"
        name, i = base[:31], 2
        while name.lower() in self.used:
            suffix = f"~{i}"
            name, i = base[:31 - len(suffix)] + suffix, i + 1
        self.used.add(name.lower())
        return name
