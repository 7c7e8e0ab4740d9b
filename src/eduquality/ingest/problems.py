"""Problems found in an input file: where (file, sheet, row, column), what (value) and why.

Every check of an importer adds :class:`Problem` records to a :class:`Problems` collector instead
of stopping at the first one, so the user sees *all* the problems of a file at once: on screen
(:class:`ImportProblems`, at most ``MAX_SHOWN`` lines) and in an error file listing every one
(:func:`write_error_file`, ``.xlsx`` or ``.csv``). Rows are numbered as the user sees them in
Excel (1-based, header rows included); columns as ``C（姓名）`` — the letter and the header.

On screen the same problem in many rows is one line (:func:`group_problems`): problems with the
same sheet, column, reason and parameters — hence the same message — are merged into one
:class:`ProblemGroup` that names its rows as ranges (``第 2–151 行``, :func:`row_ranges`) and
counts them. The error file still lists every row.

A problem is rendered in the reader's language when it is shown, so its parameters carry no
language: a list is a :class:`Listed` (``、`` or ``, ``), a phrase such as a candidate
``张伟（学籍号 G****12）`` / ``张伟 (student ID G****12)`` is a :class:`Phrase` (a message key).
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
from eduquality.i18n import join_list, register, tr
from eduquality.outputs import XLSX_OPTIONS, make_private, write_csv

MAX_SHOWN = 50

MESSAGES = register({
    "ingest.problems_head": (
        "文件 {file} 有 {n} 个问题，未导入任何数据：",
        "{n} problem(s) in {file}; nothing was imported:",
    ),
    "ingest.problems_more": (
        "……还有 {n} 个问题，完整清单见错误文件 {path}",
        "…and {n} more problem(s), see the error file {path}",
    ),
    "ingest.problems_more_unwritten": (  # no error file was written (import check without it)
        "……还有 {n} 个问题未列出；加上 --errors 问题清单.xlsx 可写出完整清单",
        "…and {n} more problem(s) not shown; add --errors FILE.xlsx to write the full list",
    ),
    "ingest.problems_file": ("完整问题清单：{path}", "full list of problems: {path}"),
    "ingest.where_row": ("第 {row} 行", "row {row}"),
    "ingest.where_rows": ("第 {rows} 行", "rows {rows}"),
    "ingest.group_count": ("（共 {n} 处）", " ({n} rows)"),
    "ingest.where_sheet": ("工作表「{sheet}」", "sheet '{sheet}'"),
    "ingest.where_col": ("{col} 列", "column {col}"),
    "ingest.where_value": ("值「{value}」", "value '{value}'"),
    "ingest.col_file": ("文件", "file"),
    "ingest.col_sheet": ("工作表", "sheet"),
    "ingest.col_row": ("行", "row"),
    "ingest.col_column": ("列", "column"),
    "ingest.col_value": ("值", "value"),
    "ingest.col_reason": ("问题", "problem"),
    "ingest.candidate_student": ("{name}（学籍号 {national_id}）", "{name} (student ID {national_id})"),
    "ingest.candidate_school": ("{name}（{code}）", "{name} ({code})"),
    "ingest.error_file_failed": (
        "无法写出错误文件 {path}：{detail}", "could not write the error file {path}: {detail}",
    ),
})


@dataclass(frozen=True)
class Listed:
    """A list as a message parameter, joined in the reader's language when the message is
    shown (:func:`eduquality.i18n.join_list`); its items may be phrases (:class:`Phrase`)."""

    items: tuple[Any, ...]

    def render(self, lang: str) -> str:
        return join_list((render_param(i, lang) for i in self.items), lang)


@dataclass(frozen=True)
class Phrase:
    """A message key and its parameters, as a parameter of another message."""

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    def render(self, lang: str) -> str:
        return tr(self.key, lang, **{k: render_param(v, lang) for k, v in self.params})


def listed(items: Iterable[Any]) -> Listed:
    """``items`` as a list parameter (``、`` in Chinese, ``, `` in English)."""
    return Listed(tuple(items))


def phrase(key: str, **params: Any) -> Phrase:
    """The message ``key`` with ``params`` as a parameter, rendered with the message."""
    return Phrase(key, tuple(params.items()))


def student_candidate(name: str, masked_id: str | None) -> Phrase:
    """A student a row may mean: '张伟（学籍号 G****12）' / '张伟 (student ID G****12)'."""
    return phrase("ingest.candidate_student", name=name, national_id=masked_id)


def school_candidate(name: str, code: str) -> Phrase:
    """A school a name may mean: '一中（S1）' / '一中 (S1)'."""
    return phrase("ingest.candidate_school", name=name, code=code)


def render_param(value: Any, lang: str) -> Any:
    """A parameter in ``lang``: lists and phrases rendered, ``ingest.what_*`` keys translated,
    anything else (the user's own values) as it is."""
    if isinstance(value, Listed | Phrase):
        return value.render(lang)
    if isinstance(value, str) and value.startswith("ingest.what_"):
        return tr(value, lang)
    return value


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
        """The reason in ``lang``, its parameters too (:func:`render_param`)."""
        return tr(self.reason, lang, **{k: render_param(v, lang) for k, v in self.params})

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


def row_ranges(rows: Iterable[int]) -> list[tuple[int, int]]:
    """The distinct ``rows`` as maximal runs of consecutive numbers, ascending.

    >>> row_ranges([5, 2, 3, 4, 9, 11, 10, 3])
    [(2, 5), (9, 11)]
    """
    out: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def format_ranges(ranges: Sequence[tuple[int, int]], lang: str = "zh") -> str:
    """``[(2, 151), (160, 160)]`` → ``2–151、160`` (``2–151, 160`` in English)."""
    return join_list((str(a) if a == b else f"{a}–{b}" for a, b in ranges), lang)


@dataclass(frozen=True)
class ProblemGroup:
    """Problems that differ only in their row (and value): one line on screen."""

    first: Problem
    rows: tuple[int, ...]
    values: tuple[str, ...]
    count: int

    def line(self, lang: str = "zh") -> str:
        """Where (sheet, row ranges, column, the value when all rows share it), then why, then
        the count when there is more than one."""
        p = self.first
        if self.count == 1:
            return p.line(lang)
        parts = []
        if p.sheet:
            parts.append(tr("ingest.where_sheet", lang, sheet=p.sheet))
        ranges = row_ranges(self.rows)
        if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
            parts.append(tr("ingest.where_row", lang, row=ranges[0][0]))
        elif ranges:
            parts.append(tr("ingest.where_rows", lang, rows=format_ranges(ranges, lang)))
        if p.column:
            parts.append(tr("ingest.where_col", lang, col=p.column))
        if len(self.values) == 1:
            parts.append(tr("ingest.where_value", lang, value=self.values[0]))
        where = ("，" if lang != "en" else ", ").join(parts)
        sep = "：" if lang != "en" else ": "
        text = f"{where}{sep}{p.message(lang)}" if where else p.message(lang)
        return text + tr("ingest.group_count", lang, n=self.count)


def group_problems(problems: Sequence[Problem]) -> list[ProblemGroup]:
    """Merge problems with the same file, sheet, column, reason and parameters (so the same
    message), in the order each group was first found."""
    groups: dict[tuple[Any, ...], list[Problem]] = {}
    for p in problems:
        key = (p.file, p.sheet, p.column, p.reason, tuple((k, repr(v)) for k, v in p.params))
        groups.setdefault(key, []).append(p)
    out = []
    for members in groups.values():
        rows = tuple(sorted({p.row for p in members if p.row is not None}))
        values = tuple(dict.fromkeys(p.value for p in members if p.value not in (None, "")))
        out.append(ProblemGroup(members[0], rows, values if len(values) == 1 else (),
                                len(members)))
    return out


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
    ``error_file`` is where the full list was written (None when it could not be written).
    The message shows them grouped (:func:`group_problems`)."""

    def __init__(self, problems: Sequence[Problem], lang: str = "zh",
                 error_file: Path | None = None) -> None:
        self.problems = list(problems)
        self.lang = lang
        self.error_file = error_file
        super().__init__(self.render())

    def render(self, limit: int = MAX_SHOWN) -> str:
        """The head line, then one line per group of problems (at most ``limit`` lines); when
        some are left out, where the full list is (the error file), or, when none was written,
        how to write it."""
        lang = self.lang
        file = self.problems[0].file if self.problems else ""
        lines = [tr("ingest.problems_head", lang, file=file, n=len(self.problems))]
        groups = group_problems(self.problems)
        lines += ["  " + g.line(lang) for g in groups[:limit]]
        more = sum(g.count for g in groups[limit:])
        if more > 0 and self.error_file is None:  # never point to a file that is not there
            lines.append(tr("ingest.problems_more_unwritten", lang, n=more))
        elif more > 0:
            lines.append(tr("ingest.problems_more", lang, n=more, path=self.error_file))
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
    """Write every problem to ``path`` (``.csv`` → UTF-8 with BOM for Excel; else ``.xlsx``),
    readable by its owner only, with the offending values as inert text
    (:mod:`eduquality.outputs`: never a formula)."""
    frame = problems_frame(problems, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        return write_csv(frame, path, quoting=csv.QUOTE_MINIMAL)
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
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
    make_private(path)
    return path
