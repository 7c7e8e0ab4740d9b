"""A CSV of numbers (responses, item scores, score histories) read as typed columns: the one
reader of ``eduquality irt fit``, ``irt dif``, ``items`` and ``growth sgp``.

The file is the same file :func:`eduquality.ingest.readers.read_csv_table` reads (UTF-8, UTF-8
with BOM, UTF-16 with BOM or GB18030/GBK; comma, tab or semicolon, as
:mod:`~eduquality.ingest.csv_text` finds them; first line the header; a row is known by its line
in the file), split into *text* columns (ids, groups: kept as read) and *number* columns, where
a cell is

- **missing** when, stripped of spaces, it is blank, one of :data:`MISSING` (the spellings of
  NA that pandas and Arrow have always read as missing) or one of the caller's ``missing_words``
  (compared without case: 缺考, 免考 … for scores);
- else **a number** (decimal, optional exponent), or a **bad cell**: :class:`BadCells` names
  each by its line and column, in the user's language, and nothing is returned.

Two ways give the same table (``tests/ingest/test_number_csv.py`` checks it on random files):

1. **Typed** (the ordinary file): Arrow's multithreaded CSV reader parses the number columns
   straight into float64 at close to disk speed (issue 12: 3.1 s of an 8.2 s ``irt fit`` went to
   ``pandas.to_numeric`` over text). It is taken only for a plain file: a header without quotes,
   blank or repeated names, no blank line, every row as wide as the header, no row without any
   value, and every number cell either a number Arrow reads or exactly a spelling of
   :data:`MISSING`.
2. **Text** (anything else, and every file with a bad cell): the cells as text by
   :func:`~eduquality.ingest.readers.read_csv_table`, stripped, the missing ones set aside and
   the rest cast to numbers (Arrow's cast, ``pandas.to_numeric`` where Arrow refuses a column).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.ingest import csv_text

if TYPE_CHECKING:  # pandas loads only for the text reading or a caller that asks for frames
    import pandas as pd
    import pyarrow as pa

MESSAGES = register({
    "ingest.number.bad_cell": ("第 {line} 行、列 “{col}” 的值 “{value}” 不是数字",
                               "line {line}, column '{col}': '{value}' is not a number"),
    "ingest.number.more_bad": ("……另有 {n} 个非数字单元格", "… and {n} more non-numeric cells"),
})

MISSING = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
           "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")
"""Cells that mean "no value": blank, or a spelling of NA (the list pandas ``read_csv`` and
Arrow's CSV reader apply)."""

MAX_SHOWN = 5
"""Bad cells named in a message; the rest are counted."""

Select = Callable[[list[str]], tuple[Sequence[str], Sequence[str]]]
"""The header (names stripped) → (text columns, number columns); raises the caller's error
when a column it needs is not there."""


@dataclass(frozen=True)
class BadCell:
    line: int
    column: str
    value: str


class BadCells(EduQualityError):
    """Number cells that are not numbers: ``cells`` (the first :data:`MAX_SHOWN`, by line then
    column), ``count`` (all of them); the message names them in the reader's language."""

    def __init__(self, cells: list[BadCell], count: int, lang: str) -> None:
        self.cells, self.count = cells, count
        lines = [tr("ingest.number.bad_cell", lang, line=c.line, col=c.column, value=c.value)
                 for c in cells]
        if count > len(cells):
            lines.append(tr("ingest.number.more_bad", lang, n=count - len(cells)))
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class NumberTable:
    """The columns read, as arrays (what a command computes on, without loading pandas):
    ``values`` (rows × number columns, float64, NaN = missing), ``number_columns``,
    ``text_cells`` (text column → its cells as read: an Arrow column from the typed reading,
    an object array from the text reading; null/None = blank) and ``lines`` (the line of each
    row in the file; the header is line 1).

    ``text_values`` has the text columns as object arrays of str (None = blank), made when
    first asked for (a command that does not use a column, the ids of ``irt fit``, does not
    pay for it); ``numbers`` and ``text`` are the same as data frames indexed by ``line``
    (pandas loads when one of them is first asked for)."""

    values: np.ndarray
    number_columns: tuple[str, ...]
    text_cells: Mapping[str, pa.ChunkedArray | np.ndarray]
    lines: np.ndarray

    @cached_property
    def text_values(self) -> dict[str, np.ndarray]:
        """Each text column as an object array of str, None where blank."""
        return {c: self.text_column(c) for c in self.text_cells}

    def text_column(self, name: str) -> np.ndarray:
        """The text column ``name`` as an object array of str, None where blank (made once)."""
        cells = self.text_cells[name]
        if isinstance(cells, np.ndarray):
            return cells
        made: dict[str, np.ndarray] = self.__dict__.setdefault("_text_made", {})
        if name not in made:
            made[name] = np.array(cells.to_pylist(), dtype=object)
        return made[name]

    def text_is(self, column: str, value: str) -> np.ndarray:
        """Whether each cell of the text column, stripped of spaces, is ``value`` (a blank
        cell reads as ""). The distinct cells are tested, then found by equality (a group
        column has a few values; Arrow's string kernels would load pandas)."""
        cells = self.text_column(column)
        out = np.zeros(len(cells), dtype=bool)
        for hit in (c for c in set(cells.tolist()) if (c or "").strip() == value):
            out |= np.asarray(cells == hit, dtype=bool)
        return out

    @cached_property
    def numbers(self) -> pd.DataFrame:
        """The number columns as float64, NaN = missing, indexed by ``line``."""
        import pandas as pd

        return pd.DataFrame(self.values, index=self._index(), columns=list(self.number_columns))

    @cached_property
    def text(self) -> pd.DataFrame:
        """The text columns as read (str, None = blank), indexed by ``line``."""
        import pandas as pd

        return pd.DataFrame(dict(self.text_values), index=self._index(),
                            columns=list(self.text_values))

    def _index(self) -> pd.Index:
        import pandas as pd

        return pd.Index(self.lines, name="line")


def read_number_csv(path: str | Path, select: Select, missing_words: Collection[str] = (),
                    lang: str = "zh") -> NumberTable:
    """The text and number columns of the CSV ``path`` chosen by ``select`` (see the module).

    Raises :class:`~eduquality.ingest.readers.ReadError` when the file cannot be read as a
    table (missing, undecodable, empty, a blank or repeated column name), the caller's error
    from ``select``, or :class:`BadCells`.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = f.write_bytes("学号,本次,上次\\nS1,90, 80\\nS2,缺考,NA\\n".encode("gbk"))
    >>> t = read_number_csv(f, lambda h: (h[:1], h[1:]), missing_words=["缺考"])
    >>> t.text["学号"].tolist(), t.numbers.to_numpy().tolist(), t.numbers.index.tolist()
    (['S1', 'S2'], [[90.0, 80.0], [nan, nan]], [2, 3])
    """
    path = Path(path)
    if not path.is_file():
        from eduquality.ingest.readers import ReadError

        raise ReadError(tr("ingest.file_missing", lang, path=path))
    words = {w.strip().lower() for w in missing_words}
    typed = _typed(path.read_bytes(), select)
    if typed is not None:
        return typed
    from eduquality.ingest.readers import read_csv_table  # the careful reading, with pandas

    return _from_text(read_csv_table(path, lang), select, words, lang)


# -- 1. typed -------------------------------------------------------------------------------
_BLANK_LINE = re.compile(rb"\n[ \t]*\r?\n")


def _typed(data: bytes, select: Select) -> NumberTable | None:
    """The table by Arrow's typed reader, or None when the file is not plain (see the module)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    utf8 = _utf8(data)
    if utf8 is None or utf8.startswith((b"\n", b"\r\n")):
        return None
    end = utf8.find(b"\n")
    first = (utf8 if end < 0 else utf8[:end]).rstrip(b"\r")   # the header (no copy of the rest)
    if not first or b'"' in first:
        return None
    sep = csv_text.detect_separator(first.decode("utf-8"))
    header = [h.strip() for h in next(csv.reader([first.decode("utf-8")], delimiter=sep))]
    if "" in header or len(set(header)) < len(header):
        return None
    if len(header) == 1 and _BLANK_LINE.search(utf8):
        return None  # else a blank line is a row of the wrong width: Arrow refuses it below
    text_cols, number_cols = (list(dict.fromkeys(c)) for c in select(list(header)))
    if set(text_cols) & set(number_cols):
        return None
    types = {c: pa.string() for c in header}
    types.update({c: pa.float64() for c in number_cols})
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1,
                                           block_size=1 << 20),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=b'"' in utf8,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types, null_values=list(MISSING), strings_can_be_null=True,
                quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    numbers = np.empty((table.num_rows, len(number_cols)), order="F")  # a frame's own layout
    for j, c in enumerate(number_cols):
        _fill_floats(table[c], numbers[:, j])
    if np.isnan(numbers).sum() != sum(table[c].null_count for c in number_cols):
        return None  # a NaN spelt other than MISSING: the text reading names it
    if all(table[c].null_count for c in header):  # a row without any value may be there
        empty = np.ones(table.num_rows, dtype=bool)
        for c in header:
            empty &= ~_valid(table[c])
        if empty.any():
            return None  # a row without any value: the text reading skips it
    text = {c: table[c] for c in text_cols}
    return NumberTable(numbers, tuple(number_cols), text, np.arange(2, table.num_rows + 2))


def _fill_floats(column: pa.ChunkedArray, out: np.ndarray) -> None:
    """Write a float64 column into ``out`` (a column of the numbers matrix), NaN where null,
    chunk by chunk from Arrow's buffers (its own ``to_numpy`` would load pandas and copy)."""
    start = 0
    for chunk in column.chunks:
        n = len(chunk)
        if n == 0:
            continue
        out[start:start + n] = np.frombuffer(chunk.buffers()[1], dtype=np.float64)[
            chunk.offset:chunk.offset + n]
        start += n
    if column.null_count:
        out[~_valid(column)] = np.nan


def _valid(column: pa.ChunkedArray) -> np.ndarray:
    """True where a cell of the column is not null (Arrow's validity bitmaps)."""
    parts = []
    for chunk in column.chunks:
        bitmap = chunk.buffers()[0]
        if chunk.null_count == 0 or bitmap is None:
            parts.append(np.ones(len(chunk), dtype=bool))
        else:
            bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
            parts.append(bits[chunk.offset:chunk.offset + len(chunk)].astype(bool))
    return np.concatenate(parts) if parts else np.empty(0, dtype=bool)


def _utf8(data: bytes) -> bytes | None:
    """The bytes as UTF-8 without BOM (GB18030/GBK and UTF-16 transcoded), None when
    undecodable (the text reading then says so in the user's language)."""
    try:
        text, encoding = csv_text.decode(data)
    except csv_text.Undecodable:
        return None
    return csv_text.as_utf8(data, text, encoding)


# -- 2. from text ---------------------------------------------------------------------------
def _from_text(frame: pd.DataFrame, select: Select, words: set[str], lang: str) -> NumberTable:

    text_cols, number_cols = (list(dict.fromkeys(c)) for c in select(list(frame.columns)))
    values = np.empty((len(frame), len(number_cols)))
    bad = np.zeros(values.shape, dtype=bool)
    shown = np.empty(values.shape, dtype=object)
    for j, col in enumerate(number_cols):
        cells = frame[col].str.strip()
        missing = cells.isna() | cells.isin(MISSING)
        if words:
            missing |= cells.str.lower().isin(words)
        values[:, j] = _to_float(cells.where(~missing))
        bad[:, j] = ~missing.to_numpy() & np.isnan(values[:, j])
        shown[:, j] = cells.to_numpy()
    if bad.any():
        rows, cols = np.nonzero(bad)  # by line, then column
        found = [BadCell(int(frame.index[r]), number_cols[c], str(shown[r, c]))
                 for r, c in zip(rows[:MAX_SHOWN], cols[:MAX_SHOWN], strict=True)]
        raise BadCells(found, int(rows.size), lang)
    text = {c: frame[c].astype(object).where(frame[c].notna(), None).to_numpy(dtype=object)
            for c in text_cols}  # a blank cell: None, as in the typed reading
    return NumberTable(values, tuple(number_cols), text, frame.index.to_numpy())


def _to_float(cells: pd.Series) -> np.ndarray:
    """Text → float64, NaN where a cell is missing or not a number: Arrow's cast (strict and
    fast), else ``pandas.to_numeric`` for a column Arrow refuses."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(cells.to_numpy(dtype=object), from_pandas=True, type=pa.string())
        return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), float)
    except (pa.ArrowException, TypeError, ValueError):
        return pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float)
