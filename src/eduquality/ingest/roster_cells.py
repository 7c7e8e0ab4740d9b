"""The cells of a roster as schools write them: the school year (a 学年 column, ``--year`` or
the default), the grade written in front of a class name, a school by code or name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eduquality.i18n import register, tr
from eduquality.ingest.cells import Cells, parse_year
from eduquality.ingest.problems import listed
from eduquality.ingest.values import is_blank, normalise_class, split_class_grade
from eduquality.vocab import school_year_of

MESSAGES = register({
    "ingest.class_no_grade": (
        "无法判断年级：请加「年级」列，或在班级名称中写明年级（七年级3班、初一(3)班、高一1班）",
        "cannot tell the grade: add a 年级 column or write the grade in the class name "
        "(七年级3班, 初一(3)班, 高一1班)",
    ),
    "ingest.class_grade_mismatch": (
        "班级名称中的年级与「年级」列不符", "the grade in the class name differs from the 年级 column",
    ),
    "ingest.class_name_blank": ("班级名称中只有年级，没有班号", "the class name holds only a grade"),
    "ingest.bad_year_option": (
        "--year「{year}」不是学年（例：2021-2022）", "--year '{year}' is not a school year "
        "(e.g. 2021-2022)"),
    "ingest.year_option_mismatch": (
        "学年与指定的 --year {year} 不符", "the school year differs from --year {year}",
    ),
})


@dataclass(frozen=True)
class YearGiven:
    """The school year of sheets without a 学年 column: ``--year``, or the default."""

    code: str
    is_default: bool = False


def roster_year(year: str | None, today: dt.date | None = None,
                lang: str = "zh") -> YearGiven:
    """``--year`` checked (2021-2022), or the school year containing ``today``."""
    if year is None:
        return YearGiven(school_year_of(today or dt.date.today()), is_default=True)
    code = parse_year(year)
    if code is None:
        from eduquality.errors import EduQualityError

        raise EduQualityError(tr("ingest.bad_year_option", lang, year=year))
    return YearGiven(code)


def sheet_year(c: Cells, year: YearGiven | None) -> tuple[pd.Series, bool]:
    """The 学年 column (required), or ``year`` for every row when the sheet has none.

    Returns the years and whether ``year`` was supplied; a 学年 column that contradicts an
    explicit ``--year`` is a problem."""
    if c.has("year_code") or year is None:
        out = c.year("year_code", True)
        if year is not None and not year.is_default:
            c.report("year_code", (out.notna() & (out != year.code)).to_numpy(),
                     "ingest.year_option_mismatch", year=year.code)
        return out, False
    return pd.Series([year.code] * c.n, dtype=object), True


def _split(text: str) -> tuple[int | None, str]:
    """A class written with its grade in front is named without it, as compared
    ('初一（02）班' → (7, '2班')); other names are kept as written."""
    grade, rest = split_class_grade(text)
    if grade is None:
        return None, rest
    norm = normalise_class(pd.Series([rest], dtype=object)).iloc[0]
    return grade, f"{norm}班" if norm else ""


def class_grade(c: Cells, name_field: str) -> tuple[pd.Series, pd.Series]:
    """(grade, class name) of each row: the 年级 column, or the grade written in front of the
    class name (七年级3班 → 7, '3班'); both given must agree. Without a 年级 column and with no
    grade in any class name, the 年级 column is missing."""
    text = c.text(name_field, True)
    present = text.notna().to_numpy()
    table = {u: _split(u) for u in pd.unique(text[present])}
    split = [table[t] if p else (None, None) for t, p in zip(text.tolist(), present, strict=True)]
    named = pd.Series([t[0] for t in split], dtype="Int64")
    rest = pd.Series([t[1] for t in split], dtype=object)
    grade = pd.Series([None] * c.n, dtype="Int64")
    filled = np.zeros(c.n, dtype=bool)
    if c.has("grade"):
        grade = c.grade("grade").astype("Int64")
        filled = ~is_blank(c.raw("grade"))
        wrong = (named.notna() & grade.notna() & (named != grade)).fillna(False).to_numpy()
        c.report(name_field, wrong, "ingest.class_grade_mismatch")
    grade = grade.fillna(named)
    no_grade = present & grade.isna().to_numpy() & ~filled
    if not c.has("grade") and named.isna().all():
        if present.any():  # no 年级 column and no grade in any class name
            f = c.layout.field("grade")
            c.problems.add("ingest.missing_column", sheet=c.grid.sheet,
                           row=c.grid.header_rows[0] + 1, label=f.label,
                           aliases=listed((f.label, *f.aliases)))
    else:
        c.report(name_field, no_grade, "ingest.class_no_grade")
    empty = present & (rest.fillna("") == "").to_numpy()
    c.report(name_field, empty, "ingest.class_name_blank")
    return grade.astype(object).where(grade.notna(), None), rest.where(~empty & present, None)


def school_cells(c: Cells) -> dict[str, pd.Series]:
    """学校代码 and/or 学校名称 (names are resolved to codes when the workbook is cross-checked:
    :mod:`eduquality.ingest.schools`)."""
    return {"school_code": c.text("school_code"), "school_name": c.text("school_name")}
