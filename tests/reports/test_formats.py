"""One rule per kind of number (reports/formats.py): hand-checked strings, and the Excel number
format of each kind showing the same decimals as its text."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduquality.reports.formats import (
    MISSING,
    NUMBER_FORMATS,
    NUMERIC,
    SheetNames,
    as_fmt,
    display_width,
    format_value,
    interval,
    shown_number,
)


@pytest.mark.parametrize(("value", "fmt", "text"), [
    (1234, "int", "1,234"), (1234.6, "int", "1,235"), (7, "int", "7"),
    (87.5, "num1", "87.5"), (87.25, "num2", "87.25"), (72.0, "num2", "72.00"),
    (0.8123, "num3", "0.812"), (0.85, "pct", "85.0%"), (0.0525, "pct", "5.2%"),
    (1, "pct", "100.0%"), ("缺考", "num1", "缺考"), ("显著高于全区", "band", "显著高于全区"),
    (None, "num2", MISSING), (float("nan"), "pct", MISSING), (float("nan"), "text", MISSING),
])
def test_each_kind_by_hand(value, fmt, text):
    assert format_value(value, fmt) == text


def test_interval_shows_bounds_as_the_estimate_and_missing_when_a_bound_is():
    assert interval(71.234, 75.8, "num2") == "71.23–75.80"
    assert interval(0.12, 0.155, "pct") == "12.0%–15.5%"
    assert interval(980, 1210, "int") == "980–1,210"
    assert interval(1.0, float("nan"), "num2") == MISSING


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
       st.sampled_from(sorted(NUMERIC)))
@pytest.mark.slow
def test_excel_format_shows_the_same_decimals_as_the_text(value, fmt):
    """Excel cells keep the number; their format must give the text the page shows."""
    text, excel = format_value(value, fmt), NUMBER_FORMATS[fmt]
    decimals = len(text.rstrip("%").partition(".")[2])
    assert decimals == len(excel.rstrip("%").partition(".")[2])
    assert text.endswith("%") == excel.endswith("%")
    assert ("," in text) <= ("," in excel)  # thousands separators only where Excel shows them
    if fmt == "pct":
        assert math.isclose(float(text[:-1]), 100 * value, abs_tol=0.05 + 1e-9 * abs(value))


def test_unknown_format_name_is_refused():
    assert as_fmt("num2") == "num2"
    with pytest.raises(ValueError, match="num"):
        as_fmt("num")


def test_sheet_names_are_valid_and_unique():
    names = SheetNames()
    assert names("数学/语文: 一分一段") == "数学-语文- 一分一段"
    long = "x" * 40
    assert names(long) == "x" * 31 and names(long) == "x" * 29 + "~2"
    assert display_width("数学ab") == 6


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
       st.sampled_from(sorted(NUMERIC)))
@pytest.mark.slow
def test_exported_number_is_the_number_shown(value, fmt):
    """An exported cell holds the number the text shows, not the full precision: formatted
    again it gives the same text, and it differs from the value by at most half a unit of the
    last decimal shown."""
    out = shown_number(value, fmt)
    assert format_value(out, fmt) == format_value(value, fmt)
    text = format_value(value, fmt).replace(",", "")
    shown = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    assert math.isclose(out, shown, abs_tol=1e-12)


def test_exported_numbers_by_hand():
    assert shown_number(5.184971098265896, "num2") == 5.18
    assert shown_number(0.85349, "pct") == 0.853
    assert shown_number(2.5999, "num1") == 2.6
    assert shown_number(173.0, "int") == 173
    assert shown_number(float("nan"), "num2") is None
    assert shown_number("缺考", "num1") is None
