"""Typed access to the mapped columns of a sheet, reporting every bad cell with its place."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.headers import Column, Grid, Layout
from eduquality.ingest.problems import Problems, listed
from eduquality.ingest.values import (
    as_number,
    as_text,
    is_blank,
    map_unique,
    parse_bool,
    parse_date,
)
from eduquality.vocab import Vocabulary, parse_grade

MESSAGES = register({
    "ingest.required_blank": ("「{label}」不能为空", "'{label}' must not be empty"),
    "ingest.bad_vocab": (
        "「{label}」的值无法识别（可用：{allowed}）",
        "unrecognised value for '{label}' (allowed: {allowed})",
    ),
    "ingest.bad_date": ("「{label}」不是有效日期（例：2021-09-01）",
                        "'{label}' is not a valid date (e.g. 2021-09-01)"),
    "ingest.bad_number": ("「{label}」不是数字", "'{label}' is not a number"),
    "ingest.bad_bool": ("「{label}」应为 是/否", "'{label}' must be 是/否 (yes/no)"),
    "ingest.bad_grade": ("年级无法识别（1–12、七年级、初一、高三 等）",
                         "unrecognised grade (1–12, 七年级, 初一, 高三 …)"),
    "ingest.bad_year": ("学年格式应为 2021-2022（前后相差一年）",
                        "a school year looks like 2021-2022 (consecutive years)"),
    "ingest.duplicate_row": ("与第 {first} 行重复（{key}）", "duplicates row {first} ({key})"),
})

_YEAR_SEP = re.compile(r"\s*(?:-|—|–|~|至|/)\s*")


def parse_year(text: str) -> str | None:
    """'2021-2022', '2021—2022学年', '2021/2022' → '2021-2022'; None otherwise.

    >>> parse_year("2021—2022学年"), parse_year("2021-2023")
    ('2021-2022', None)
    """
    s = unicodedata.normalize("NFKC", text).strip().removesuffix("学年").strip()
    parts = _YEAR_SEP.split(s)
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts):
        return None
    a, b = int(parts[0]), int(parts[1])
    return f"{a}-{b}" if b == a + 1 else None


class Cells:
    """The mapped columns of one sheet, minus its completely empty rows."""

    def __init__(self, grid: Grid, cols: dict[str, Column], layout: Layout,
                 problems: Problems, keep: np.ndarray | None = None) -> None:
        self.grid = grid
        self.cols = cols
        self.layout = layout
        self.problems = problems
        if keep is None:
            keep = np.zeros(len(grid.data), dtype=bool)
            for col in cols.values():
                keep |= ~is_blank(grid.cells(col))
        self.keep = keep
        self.rows = grid.rows[keep]
        self.n = int(keep.sum())

    def has(self, name: str) -> bool:
        return name in self.cols

    def raw(self, name: str) -> pd.Series:
        return self.grid.cells(self.cols[name])[self.keep].reset_index(drop=True)

    def _label(self, name: str) -> str:
        return self.layout.field(name).label

    def report(self, name: str, mask: np.ndarray, reason: str, values: Any = None,
               **params: Any) -> None:
        """A problem at column ``name`` for each True row of ``mask``."""
        if not np.any(mask):
            return
        col = self.cols.get(name)
        if values is None and col is not None:
            values = self.raw(name)
        self.problems.add_rows(reason, mask, sheet=self.grid.sheet, rows=self.rows,
                               column=col.label if col else None, values=values, **params)

    def text(self, name: str, required: bool = False) -> pd.Series:
        if name not in self.cols:
            return pd.Series([None] * self.n, dtype=object)
        out = as_text(self.raw(name))
        if required:
            self.report(name, out.isna().to_numpy(), "ingest.required_blank",
                        label=self._label(name))
        return out

    def parsed(self, name: str, parse: Any, reason: str, required: bool = False,
               **params: Any) -> pd.Series:
        text = self.text(name, required)
        parsed, bad = map_unique(text, parse)
        self.report(name, bad, reason, label=self._label(name), **params)
        return parsed

    def vocab(self, name: str, vocab: Vocabulary, required: bool = False) -> pd.Series:
        allowed = listed(t.zh for t in vocab.terms.values())
        return self.parsed(name, vocab.parse, "ingest.bad_vocab", required, allowed=allowed)

    def year(self, name: str, required: bool = False) -> pd.Series:
        return self.parsed(name, parse_year, "ingest.bad_year", required)

    def grade(self, name: str, required: bool = False) -> pd.Series:
        return self.parsed(name, parse_grade, "ingest.bad_grade", required)

    def date(self, name: str, required: bool = False) -> pd.Series:
        if name not in self.cols:
            return pd.Series(pd.NaT, index=range(self.n), dtype="datetime64[s]")
        raw = self.raw(name)
        out, bad = parse_date(raw)
        self.report(name, bad, "ingest.bad_date", label=self._label(name))
        if required:
            self.report(name, is_blank(raw), "ingest.required_blank", label=self._label(name))
        return out

    def number(self, name: str, required: bool = False) -> np.ndarray:
        if name not in self.cols:
            return np.full(self.n, np.nan)
        raw = self.raw(name)
        num, bad = as_number(raw)
        self.report(name, bad, "ingest.bad_number", label=self._label(name))
        if required:
            self.report(name, is_blank(raw), "ingest.required_blank", label=self._label(name))
        return num

    def flag(self, name: str) -> np.ndarray:
        if name not in self.cols:
            return np.zeros(self.n, dtype=bool)
        out, bad = parse_bool(self.raw(name))
        self.report(name, bad, "ingest.bad_bool", label=self._label(name))
        return out

    def duplicates(self, frame: pd.DataFrame, key: list[str], name: str,
                   shown: list[str] | None = None) -> np.ndarray:
        """Rows whose ``key`` repeats an earlier row: reported at column ``name``, naming the
        row's values of ``shown`` (default: ``key``)."""
        present = frame[key].notna().all(axis=1).to_numpy()
        dup = frame.duplicated(subset=key, keep="first").to_numpy() & present
        if dup.any():
            first_pos = frame[present].reset_index().groupby(key, sort=False)["index"].first()
            firsts = frame[key].iloc[np.flatnonzero(dup)].apply(tuple, axis=1)
            first_rows = [int(self.rows[first_pos.loc[k if len(key) > 1 else k[0]]])
                          for k in firsts]
            for i, first in zip(np.flatnonzero(dup), first_rows, strict=True):
                mask = np.zeros(self.n, dtype=bool)
                mask[i] = True
                self.report(name, mask, "ingest.duplicate_row", first=first,
                            key=" / ".join(str(v) for v in frame[shown or key].iloc[i]
                                           if v != ""))
        return dup
