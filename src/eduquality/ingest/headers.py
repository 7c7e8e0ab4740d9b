"""Header rows → fields: aliases, the user's ``--map 列名=field``, one- and two-row headers.

A sheet's header row is the first row (among the first 15) holding at least two recognised
headers, so title rows above the table are skipped. Each column is matched against the aliases of
the sheet's layout; a column no alias matches is a problem that names ``--map`` (never a guess),
``--map 列名=-`` ignores a column. Two-row headers (a merged subject cell on the first row, item
numbers on the second) give each column a ``top`` and a ``bottom`` text; merged cells are read by
carrying the first row's text right across the columns whose second row is filled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.ingest.problems import Listed, Problems, listed
from eduquality.ingest.readers import RawSheet, column_letter
from eduquality.ingest.values import as_text, is_blank, norm_header

MESSAGES = register({
    "ingest.unknown_column": (
        "无法识别的列名「{header}」；如需导入请用 --map {header}=字段 指明（可用字段：{fields}），"
        "用 --map {header}=- 忽略该列",
        "unrecognised column '{header}'; map it with --map {header}=FIELD (fields: {fields}) "
        "or ignore it with --map {header}=-",
    ),
    "ingest.duplicate_column": (
        "列「{header}」与 {other} 列重复（都对应字段 {field}）",
        "column '{header}' duplicates column {other} (both are field {field})",
    ),
    "ingest.missing_column": (
        "缺少必需的列「{label}」（可用列名：{aliases}）",
        "required column '{label}' is missing (accepted headers: {aliases})",
    ),
    "ingest.headerless_data": (
        "该列没有列名却有数据", "this column has data but no header",
    ),
    "ingest.bad_map": (
        "--map 参数「{text}」格式应为 列名=字段", "--map '{text}' must look like COLUMN=FIELD",
    ),
})

IGNORE = "-"


@dataclass(frozen=True)
class Field:
    """A field of a layout: its name (for ``--map``), main Chinese header and aliases.

    ``ignored``: a column recognised but not stored (序号, 备注 …): accepted, and listed as
    ignored in the import summary."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    ignored: bool = False


@dataclass(frozen=True)
class Layout:
    """The fields a kind of sheet may hold. ``one_of``: groups of fields of which at least one
    column must be present (学校代码 or 学校名称)."""

    kind: str
    label_zh: str
    label_en: str
    fields: tuple[Field, ...]
    one_of: tuple[tuple[str, ...], ...] = ()

    def lookup(self) -> dict[str, str]:
        """Normalised header → field name (field names, labels and aliases)."""
        table: dict[str, str] = {}
        for f in self.fields:
            for text in (f.name, f.label, *f.aliases):
                table.setdefault(norm_header(text), f.name)
        return table

    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]

    def missing(self, present: Iterable[str]) -> list[str]:
        """Labels of the required fields, and ``one_of`` groups ('学校代码/学校名称'), that
        ``present`` (field names) lacks."""
        have = set(present)
        out = [f.label for f in self.required() if f.name not in have]
        out += ["/".join(self.field(n).label for n in group) for group in self.one_of
                if not have & set(group)]
        return out

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh

    def field_list(self) -> Listed:
        """The fields as '学籍号(national_id)', listed in the reader's language."""
        return listed(self.field_items())

    def field_items(self) -> list[str]:
        return [f"{f.label}({f.name})" for f in self.fields]


@dataclass
class Column:
    """A column of a sheet with its header text (two-row headers: ``top`` and ``bottom``;
    three-row headers also ``mid``). ``header`` joins the texts with '/', as messages print it
    and as ``--map`` accepts it."""

    index: int
    top: str
    bottom: str = ""
    mid: str = ""

    @property
    def parts(self) -> list[str]:
        """The non-empty header texts, top down."""
        return [p for p in (self.top, self.mid, self.bottom) if p]

    @property
    def header(self) -> str:
        return "/".join(self.parts)

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def label(self) -> str:
        return f"{self.letter}（{self.header}）"


NOTE_WORDS = ("注", "说明", "备注", "附注", "附：", "制表", "填表", "填报", "审核", "审批", "校对",
              "签字", "签名", "打印", "导出", "负责人", "联系人", "联系电话", "日期")
NOTE_START = re.compile(r"^\s*(?:" + "|".join(NOTE_WORDS) + ")")
"""How a note under a table begins (notes are skipped, never imported as data rows)."""
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


@dataclass
class Grid:
    """A sheet whose header has been found: the columns and the data rows below it."""

    file: str
    sheet: str
    header_rows: list[int]
    columns: list[Column]
    data: pd.DataFrame
    rows: np.ndarray  # Excel row number of each data row
    raw: RawSheet = field(repr=False)

    def cells(self, col: Column) -> pd.Series:
        return self.data[col.index]

    def blank_rows(self, candidates: np.ndarray) -> np.ndarray:
        """Which of the row positions ``candidates`` are completely empty."""
        if len(candidates) == 0:
            return np.zeros(0, dtype=bool)
        sub = self.data.iloc[candidates]
        blank = np.ones(len(candidates), dtype=bool)
        for j in sub.columns:
            blank &= is_blank(sub[j])
        return blank

    def row_texts(self, pos: int) -> list[str]:
        values = as_text(self.data.iloc[pos])
        return [v for v in values if isinstance(v, str)]

    def is_note_row(self, pos: int) -> bool:
        """A note written under the table (注：…, 说明…, 制表人：…, 审核：…): its first text
        starts with a note word and no cell holds a number."""
        texts = self.row_texts(pos)
        if not texts or not NOTE_START.match(texts[0]):
            return False
        return not any(_NUMBER.fullmatch(t.strip()) for t in texts)


def parse_map(pairs: Iterable[str] | Mapping[str, str] | None, lang: str = "zh") -> dict[str, str]:
    """``["列名=field", …]`` → {normalised column header: target text}."""
    if pairs is None:
        return {}
    if isinstance(pairs, Mapping):
        return {norm_header(k): str(v).strip() for k, v in pairs.items()}
    out = {}
    for text in pairs:
        if "=" not in text:
            raise EduQualityError(tr("ingest.bad_map", lang, text=text))
        key, _, value = text.partition("=")
        if not key.strip() or not value.strip():
            raise EduQualityError(tr("ingest.bad_map", lang, text=text))
        out[norm_header(key)] = value.strip()
    return out


def header_texts(raw: RawSheet, row: int) -> list[str]:
    if row >= raw.n_rows:
        return []
    return [v if isinstance(v, str) else ""
            for v in as_text(raw.row(row))]


def find_header_row(raw: RawSheet, known: set[str], scan: int = 15, min_hits: int = 2) -> int:
    """The first row with at least ``min_hits`` known headers (0 when none has)."""
    for r in range(min(scan, raw.n_rows)):
        hits = sum(norm_header(t) in known for t in header_texts(raw, r) if t)
        if hits >= min_hits:
            return r
    return 0


def make_grid(file: str, raw: RawSheet, header_row: int, two_rows: bool | int = False) -> Grid:
    """Split ``raw`` into header and data at ``header_row`` (plus the next row if ``two_rows``;
    an int gives the number of header rows, 1–3).

    Merged cells: an upper row's text carries right over the columns whose lower rows are
    filled, until the next text on that row (or on a row above it)."""
    n = int(two_rows) + 1 if isinstance(two_rows, bool) else max(1, int(two_rows))
    texts = [header_texts(raw, header_row + k) for k in range(n)]
    width = max(len(t) for t in texts)
    texts = [t + [""] * (width - len(t)) for t in texts]
    columns: list[Column] = []
    carry = [""] * n
    for j in range(width):
        parts = []
        new_above = False
        for k in range(n):
            text = texts[k][j]
            if k < n - 1:
                below = any(texts[m][j] for m in range(k + 1, n))
                if not text and below and not new_above:
                    text = carry[k]
                carry[k] = text if below else ""
            new_above = new_above or bool(texts[k][j])
            parts.append(text)
        if any(parts):
            if n == 3:
                columns.append(Column(j, parts[0], parts[2], parts[1]))
            else:
                columns.append(Column(j, parts[0], parts[1] if n == 2 else ""))
    start = header_row + n
    data = raw.body(start)
    rows = np.arange(start + 1, start + 1 + len(data))
    return Grid(file, raw.name, list(range(header_row, header_row + n)), columns, data, rows,
                raw)


def unknown_column(problems: Problems, grid: Grid, col: Column, fields: object) -> None:
    """The problem of a header that names no field (``fields``: the fields it could name), at
    the column in the (first) header row."""
    problems.add("ingest.unknown_column", sheet=grid.sheet, row=grid.header_rows[0] + 1,
                 column=col.label, value=col.header, header=col.header, fields=fields)


def duplicate_column(problems: Problems, grid: Grid, col: Column, first: Column,
                     field: str) -> None:
    """The problem of a second column for ``field`` (``first``: the column that has it)."""
    problems.add("ingest.duplicate_column", sheet=grid.sheet, row=grid.header_rows[0] + 1,
                 column=col.label, value=col.header, header=col.header, other=first.label,
                 field=field)


def match_columns(grid: Grid, layout: Layout, user_map: Mapping[str, str], problems: Problems,
                  lang: str = "zh", extra: Mapping[str, str] | None = None,
                  ) -> dict[str, Column]:
    """Field name → column for ``layout``; unknown, duplicate and missing columns are problems.

    ``extra`` maps further normalised headers to field names (or to :data:`IGNORE`)."""
    lookup = layout.lookup()
    if extra:
        lookup.update(extra)
    found: dict[str, Column] = {}
    header_row = grid.header_rows[0] + 1
    for col in grid.columns:
        text = user_map.get(norm_header(col.header), col.header)
        if text == IGNORE or text.lower() == "ignore":
            continue
        name = lookup.get(norm_header(text))
        if name == IGNORE:
            continue
        if name is None:
            unknown_column(problems, grid, col, layout.field_list())
        elif name in found:
            duplicate_column(problems, grid, col, found[name], name)
        else:
            found[name] = col
    for f in layout.required():
        if f.name not in found:
            problems.add("ingest.missing_column", sheet=grid.sheet, row=header_row,
                         label=f.label, aliases=listed((f.label, *f.aliases)))
    for group in layout.one_of:
        if not set(found) & set(group):
            fs = [layout.field(n) for n in group]
            problems.add("ingest.missing_column", sheet=grid.sheet, row=header_row,
                         label="/".join(f.label for f in fs),
                         aliases=listed(a for f in fs for a in (f.label, *f.aliases)))
    check_headerless(grid, problems)
    return found


def check_headerless(grid: Grid, problems: Problems) -> None:
    """Columns without a header that hold data are problems (data never silently dropped)."""
    named = {c.index for c in grid.columns}
    for j in grid.data.columns:
        if j in named:
            continue
        filled = ~is_blank(grid.data[j])
        if filled.any():
            i = int(np.flatnonzero(filled)[0])
            problems.add("ingest.headerless_data", sheet=grid.sheet, row=int(grid.rows[i]),
                         column=column_letter(int(j)), value=grid.data[j].iloc[i])
