"""Problems found in an input file: where (file, sheet, row, column), what (value) and why.

Every check of an importer adds :class:`Problem` records to a :class:`Problems` collector instead
of stopping at the first one, so the user sees *all* the problems of a file at once: on screen
(:class:`ImportProblems`, at most ``MAX_SHOWN`` lines) and in an error file listing every one
(:func:`write_error_file`, ``.xlsx`` or ``.csv``). Rows are numbered as the user sees them in
Excel (1-based, header rows included); columns as ``C（姓名）`` — the letter and the header.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr

MAX_SHOWN = 50

MESSAGES = register({
    "ingest.problems_head": (
        "文件 {file} 有 {n} 个问题，未导入任何数据：",
        "{n} problem(s) in {file}; nothing was imported:",
    ),
    "ingest.problems_more": (
        "……还有 {n} 个问题，完整清单见错误文件 {path}",
        "…and {n} more, see the error file {path}",
    ),
    "ingest.problems_file": ("完整问题清单：{path}", "full list of problems: {path}"),
    "ingest.where_row": ("第 {row} 行", "row {row}"),
    "ingest.where_sheet": ("工作表「{sheet}」", "sheet '{sheet}'"),
    "ingest.where_col": ("{col} 列", "column {col}"),
    "ingest.where_value": ("值「{value}」", "value '{value}'"),
    "ingest.col_file": ("文件", "file"),
    "ingest.col_sheet": ("工作表", "sheet"),
    "ingest.col_row": ("行", "row"),
    "ingest.col_column": ("列", "column"),
    "ingest.col_value": ("值", "value"),
    "ingest.col_reason": ("问题", "problem"),
    "ingest.error_file_failed": (
        "无法写出错误文件 {path}：{detail}", "could not write the error file {path}: {detail}",
    ),
})


@dataclass(frozen=True)
class Problem:
    """One problem at one place of a file. ``reason`` is an i18n key, ``params`` its values."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    reason: str
    params: tuple[tuple[str, Any], ...] = ()

    def message(self, lang: str = "zh") -> str:
        """The reason in ``lang`` (parameters that are message keys are translated too)."""
        params = {k: tr(v, lang) if isinstance(v, str) and v.startswith("ingest.what_") else v
                  for k, v in self.params}
        return tr(self.reason, lang, **params)

    def where(self, lang: str = "zh") -> str:
        parts = []
        if self.sheet:
            parts.append(tr("ingest.where_sheet", lang, sheet=self.sheet))
        if self.row is not None:
            parts.append(tr("ingest.where_row", lang, row=self.row))
        if self.column:
            parts.append(tr("ingest.where_col", lang, col=self.column))
        if self.value not in (None, ""):
            parts.append(tr("ingest.where_value", lang, value=self.value))
        return ("，" if lang != "en" else ", ").join(parts)

    def line(self, lang: str = "zh") -> str:
        """One line for the screen: where, then why."""
        where = self.where(lang)
        sep = "：" if lang != "en" else ": "
        return f"{where}{sep}{self.message(lang)}" if where else self.message(lang)


def show_value(value: Any) -> str | None:
    """The cell value as the user would read it (None for empty)."""
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


@dataclass
class Problems:
    """Collects problems of one file (in the order found)."""

    file: str
    items: list[Problem] = field(default_factory=list)

    def add(self, reason: str, *, sheet: str | None = None, row: int | None = None,
            column: str | None = None, value: Any = None, **params: Any) -> None:
        self.items.append(Problem(self.file, sheet, row, column, show_value(value), reason,
                                  tuple(params.items())))

    def add_rows(self, reason: str, mask: np.ndarray | pd.Series, *, sheet: str | None,
                 rows: np.ndarray, column: str | None, values: pd.Series | np.ndarray | None,
                 **params: Any) -> None:
        """One problem per True position of ``mask`` (only the bad rows are visited)."""
        where = np.flatnonzero(np.asarray(mask, dtype=bool))
        vals = None if values is None else np.asarray(values, dtype=object)
        for i in where:
            self.add(reason, sheet=sheet, row=int(rows[i]), column=column,
                     value=None if vals is None else vals[i], **params)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


class ImportProblems(EduQualityError):
    """The file has problems; nothing was imported. ``problems`` lists all of them and
    ``error_file`` is where the full list was written (None when it could not be written)."""

    def __init__(self, problems: Sequence[Problem], lang: str = "zh",
                 error_file: Path | None = None) -> None:
        self.problems = list(problems)
        self.lang = lang
        self.error_file = error_file
        super().__init__(self.render())

    def render(self, limit: int = MAX_SHOWN) -> str:
        lang = self.lang
        file = self.problems[0].file if self.problems else ""
        lines = [tr("ingest.problems_head", lang, file=file, n=len(self.problems))]
        lines += ["  " + p.line(lang) for p in self.problems[:limit]]
        more = len(self.problems) - limit
        if more > 0:
            lines.append(tr("ingest.problems_more", lang, n=more, path=self.error_file or "-"))
        elif self.error_file is not None:
            lines.append(tr("ingest.problems_file", lang, path=self.error_file))
        return "\n".join(lines)


def problems_frame(problems: Sequence[Problem], lang: str = "zh") -> pd.DataFrame:
    """The problems as a table with localised column names."""
    cols = ["file", "sheet", "row", "column", "value", "reason"]
    data = [[p.file, p.sheet or "", p.row if p.row is not None else "", p.column or "",
             p.value or "", p.message(lang)] for p in problems]
    return pd.DataFrame(data, columns=[tr(f"ingest.col_{c}", lang) for c in cols])


def default_error_path(source: Path, lang: str = "zh") -> Path:
    """``成绩.xlsx`` → ``成绩_问题清单.xlsx`` next to the input (``_problems`` in English)."""
    suffix = "_problems" if lang == "en" else "_问题清单"
    return source.with_name(f"{source.stem}{suffix}.xlsx")


def write_error_file(problems: Sequence[Problem], path: Path, lang: str = "zh") -> Path:
    """Write every problem to ``path`` (``.csv`` → UTF-8 with BOM for Excel; else ``.xlsx``)."""
    frame = problems_frame(problems, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
        return path
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("问题" if lang != "en" else "problems")
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, list(frame.columns), bold)
    for r, rec in enumerate(frame.itertuples(index=False), start=1):
        ws.write_row(r, 0, list(rec))
    ws.set_column(0, 0, 24)
    ws.set_column(1, 4, 12)
    ws.set_column(5, 5, 60)
    ws.freeze_panes(1, 0)
    wb.close()
    return path
