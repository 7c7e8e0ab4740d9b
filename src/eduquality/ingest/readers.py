"""Files → raw sheets: one frame of cells per sheet, positional columns, no header applied.

- ``.xlsx`` / ``.xls``: python-calamine (Rust) reads the cells and the *cached* values of formula
  cells; an ``.xlsx`` formula cell without a cached value (a file written by a program that never
  calculated it) is listed in :attr:`RawSheet.formulas_without_value` so the importer can report it.
- ``.csv``: the encoding is detected (UTF-8 with or without BOM, else GB18030, a superset of GBK)
  and the text parsed by pyarrow's multithreaded reader, every cell as text; files pyarrow cannot
  parse (ragged rows, blank lines that would shift row numbers) fall back to Python's ``csv``.

Cells are kept as the reader gives them (text, numbers, dates) so that a number stored as text and
a text in a score cell can both be reported faithfully.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from eduquality.errors import EduQualityError
from eduquality.i18n import join_list, register, tr

MESSAGES = register({
    "ingest.file_missing": ("找不到文件 {path}", "file not found: {path}"),
    "ingest.file_type": (
        "不支持的文件类型 {suffix}（支持 .xlsx、.xls、.csv）",
        "unsupported file type {suffix} (use .xlsx, .xls or .csv)",
    ),
    "ingest.file_unreadable": ("无法读取文件 {path}：{detail}", "cannot read {path}: {detail}"),
    "ingest.csv_empty": ("{path} 是空文件（没有表头行）", "{path} is empty (no header row)"),
    "ingest.csv_duplicate": ("{path} 的表头中列名重复：{names}",
                             "duplicate column names in the header of {path}: {names}"),
    "ingest.csv_blank_name": ("{path} 的表头第 {column} 列没有列名",
                              "{path}: column {column} of the header has no name"),
    "ingest.sheet_missing": (
        "文件中没有工作表「{sheet}」（现有：{names}）",
        "no sheet '{sheet}' in the file (sheets: {names})",
    ),
})

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
CSV_SUFFIXES = (".csv", ".txt")


class ReadError(EduQualityError):
    """The file cannot be opened or parsed at all."""


class RawSheet:
    """The cells of one sheet: ``cells.iloc[i, j]`` is Excel row ``i + 1``, column ``j + 1``.

    A workbook sheet keeps the values as the reader gave them (``values``, a 2-D object array)
    and types them into columns (:func:`typed_columns`) only when asked: :meth:`row` reads a
    header row without typing anything, :meth:`body` types the rows below a header on their
    own (a score column stays numbers under its text header, instead of becoming text and
    being parsed back), and ``cells`` types the whole sheet once, for the importers that read
    it whole (small sheets: exam information, lines)."""

    def __init__(self, name: str, cells: pd.DataFrame | None = None,
                 formulas_without_value: list[tuple[int, int]] | None = None,
                 encoding: str | None = None, *, values: np.ndarray | None = None) -> None:
        if cells is None and values is None:
            raise ValueError("RawSheet needs cells or values")
        self.name = name
        self._cells = cells
        self._values = values
        self.formulas_without_value = formulas_without_value or []
        self.encoding = encoding

    @property
    def cells(self) -> pd.DataFrame:
        """Every cell, typed by column (:func:`typed_columns`; computed once)."""
        if self._cells is None:
            assert self._values is not None
            self._cells = typed_columns(self._values)
        return self._cells

    @property
    def n_rows(self) -> int:
        return len(self._values) if self._values is not None else len(self.cells)

    def row(self, r: int) -> pd.Series:
        """The cells of row ``r`` (0-based) as the reader gave them, indexed by column."""
        if self._values is not None:
            return pd.Series(self._values[r], dtype=object)
        return self.cells.iloc[r].reset_index(drop=True)

    def body(self, start: int) -> pd.DataFrame:
        """Rows ``start`` … as a frame indexed from 0, typed on their own."""
        if self._values is not None:
            return typed_columns(self._values[start:], text_is_number=False)
        return self.cells.iloc[start:].reset_index(drop=True)

    def __repr__(self) -> str:
        return f"RawSheet({self.name!r}, {self.n_rows} rows)"


def column_letter(j: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    letters = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _letter_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


# -- encodings ----------------------------------------------------------------------------
def detect_encoding(data: bytes) -> str:
    """'utf-8-sig' (BOM), 'utf-8' (valid UTF-8) or 'gb18030' (GBK and its superset).

    >>> detect_encoding("学号".encode("gbk")), detect_encoding("学号".encode("utf-8"))
    ('gb18030', 'utf-8')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def decode_bytes(data: bytes, path: Path, lang: str = "zh") -> tuple[str, str]:
    """The text of ``data`` and its encoding (see :func:`detect_encoding`), decoding once."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = "gb18030"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise ReadError(tr("ingest.file_unreadable", lang, path=path, detail=exc)) from exc


# -- csv ----------------------------------------------------------------------------------
def _n_fields(text: str, sample_lines: int = 50) -> int:
    head = text[: 1 << 16].splitlines()[:sample_lines]
    rows = list(csv.reader(head))
    return max((len(r) for r in rows), default=0)


def _csv_with_pyarrow(utf8: bytes, n: int) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(n)]
    # blocks of 1 MiB are parsed in parallel; a line break can only be inside a value when
    # the file quotes values at all (the quote-aware block splitter is slower)
    table = pacsv.read_csv(
        io.BytesIO(utf8),
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 20),
        parse_options=pacsv.ParseOptions(newlines_in_values=b'"' in utf8),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in names}, strings_can_be_null=True,
            quoted_strings_can_be_null=True),
    )
    frame = table.to_pandas()
    frame.columns = range(n)
    return frame


def _csv_with_python(text: str) -> pd.DataFrame:
    rows = list(csv.reader(io.StringIO(text)))
    width = max((len(r) for r in rows), default=0)
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    return frame.where(frame != "", None)


def read_csv_cells(path: Path, lang: str = "zh") -> RawSheet:
    """A CSV file as one raw sheet named after the file."""
    data = path.read_bytes()
    text, encoding = decode_bytes(data, path, lang)
    if encoding == "utf-8-sig":
        text = text[1:] if text.startswith("\ufeff") else text
    n = _n_fields(text)
    blank_lines = (re.search(rb"\n[ \t]*\r?\n", data) is not None
                   or text.startswith(("\n", "\r\n")))
    frame: pd.DataFrame | None = None
    if n and not blank_lines:
        utf8 = data[3:] if encoding == "utf-8-sig" else (
            data if encoding == "utf-8" else text.encode("utf-8"))
        try:
            frame = _csv_with_pyarrow(utf8, n)
        except Exception:  # ragged rows and the like: the slow, forgiving path
            frame = None
    if frame is None:
        frame = _csv_with_python(text)
    return RawSheet(path.stem, frame, encoding=encoding)


def read_csv_table(path: str | Path, lang: str = "zh") -> pd.DataFrame:
    r"""A CSV file whose first line is a header, as the commands that read a plain table
    (responses, scores) need it: the same reading as the importers (:func:`read_csv_cells`:
    UTF-8, UTF-8 with BOM or GB18030/GBK; every cell as text, a blank cell missing).

    Column names are the header cells, stripped; lines without any value (blank lines) are
    skipped; the index is each row's line in the file (the header is line 1), for messages.
    Raises :class:`ReadError` when the file is missing, undecodable or empty, or when a column
    has no name or the same name as another.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = f.write_bytes("学号, 本次\nS1,90\n\nS2,\n".encode("gbk"))
    >>> t = read_csv_table(f)
    >>> list(t.columns), t.index.tolist(), t.loc[2, "本次"], pd.isna(t.loc[4, "本次"])
    (['学号', '本次'], [2, 4], '90', True)
    """
    path = Path(path)
    if not path.is_file():
        raise ReadError(tr("ingest.file_missing", lang, path=path))
    cells = read_csv_cells(path, lang).cells
    if cells.empty:
        raise ReadError(tr("ingest.csv_empty", lang, path=path))
    header = ["" if pd.isna(v) else str(v).strip() for v in cells.iloc[0]]
    body = cells.iloc[1:]
    while header and header[-1] == "" and body.iloc[:, len(header) - 1].isna().all():
        header.pop()  # trailing commas after the last column
    body = body.iloc[:, : len(header)]
    if not header:
        raise ReadError(tr("ingest.csv_empty", lang, path=path))
    if "" in header:
        raise ReadError(tr("ingest.csv_blank_name", lang, path=path,
                           column=column_letter(header.index(""))))
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ReadError(tr("ingest.csv_duplicate", lang, path=path, names=", ".join(dupes)))
    body = body[body.notna().any(axis=1)]
    return pd.DataFrame(body.to_numpy(dtype=object), columns=header,
                        index=pd.Index(body.index + 1, name="line"))


# -- excel --------------------------------------------------------------------------------
_CELL_RE = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _xlsx_sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → part name inside the zip."""
    wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    parts = {}
    for s in wb.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
        target = target.lstrip("/")
        parts[s.get("name", "")] = target if target.startswith("xl/") else f"xl/{target}"
    return parts


def formulas_without_value(path: Path) -> dict[str, list[tuple[int, int]]]:
    """Per sheet, the (row, col) 0-based positions of formula cells with no cached value."""
    found: dict[str, list[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for name, part in _xlsx_sheet_parts(zf).items():
                xml = zf.read(part)
                if b"<f" not in xml:
                    continue
                cells = []
                for m in _CELL_RE.finditer(xml):
                    body = m.group(3) or b""
                    if b"<f" in body and (b"<v>" not in body or b"<v></v>" in body):
                        cells.append((int(m.group(2)) - 1, _letter_index(m.group(1).decode())))
                if cells:
                    found[name] = cells
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return {}
    return found


_NUMBER_KINDS = frozenset({"floating", "integer", "mixed-integer-float", "empty"})


def _column(obj: np.ndarray, text_is_number: bool = True) -> pd.Series:
    """One column of Excel cells → float64 (numbers and blanks only), Arrow-backed text
    (text and numbers; numbers written as Excel shows them, '85' not '85.0'), or the objects as
    they are (dates, booleans).

    ``text_is_number=False`` (the rows under a header, :meth:`RawSheet.body`): a column is
    float64 only when its cells are numbers, never text such as '001' — the typing the column
    gets with its text header cell above it, except that numbers stay numbers."""
    blank = obj == ""
    values = np.where(blank, np.nan, obj) if blank.any() else obj  # ``obj`` is not changed
    if text_is_number or pd.api.types.infer_dtype(values, skipna=True) in _NUMBER_KINDS:
        try:  # numbers and blanks only (a score column)
            return pd.Series(values.astype(float))
        except (TypeError, ValueError):
            pass
    try:  # text and blanks only (an identity column)
        return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(
            [pa.array(np.where(blank, np.array(None, dtype=object), obj), type=pa.string(),
                      from_pandas=True)])))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    num = pd.to_numeric(pd.Series(obj, dtype=object), errors="coerce").to_numpy(dtype=float)
    rest = np.flatnonzero(np.isnan(num) & ~blank)
    others = obj[rest]
    if not all(isinstance(v, str | float | int) for v in others):
        return pd.Series(obj, dtype=object)  # dates, booleans: kept as they are
    shown = pc.cast(pa.array(num, from_pandas=True), pa.string())
    text = np.full(len(obj), None, dtype=object)
    text[rest] = [str(v) for v in others]
    merged = pc.if_else(pa.array(~np.isnan(num)), shown, pa.array(text, type=pa.string()))
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([merged])))


def sheet_values(rows: Sequence[Sequence[Any]]) -> np.ndarray:
    """Excel rows (as read, possibly ragged) → a 2-D object array, short rows padded with ''."""
    if not rows:
        return np.empty((0, 0), dtype=object)
    try:  # the common case: every row as wide as the sheet
        out = np.array(rows, dtype=object)
        if out.ndim == 2:
            return out
    except ValueError:  # ragged rows
        pass
    width = max(len(r) for r in rows)
    out = np.empty((len(rows), width), dtype=object)
    out[:] = [list(r) + [""] * (width - len(r)) for r in rows]
    return out


def typed_columns(rows: Sequence[Sequence[Any]] | np.ndarray,
                  text_is_number: bool = True) -> pd.DataFrame:
    """Excel rows (as read, or :func:`sheet_values`) → a frame of fast column types (see
    :func:`_column`)."""
    values = rows if isinstance(rows, np.ndarray) else sheet_values(rows)
    if values.size == 0:
        width = values.shape[1] if values.ndim == 2 else 0
        return pd.DataFrame({j: pd.Series(pd.array([], dtype=pd.StringDtype("pyarrow")))
                             for j in range(width)})
    by_column = np.ascontiguousarray(values.T)  # one pass; each column then contiguous
    return pd.DataFrame({j: _column(by_column[j], text_is_number)
                         for j in range(values.shape[1])}, copy=False)


def read_excel_cells(path: Path, sheet: str | None = None, lang: str = "zh") -> list[RawSheet]:
    """The non-empty sheets of a workbook (or only ``sheet``)."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise ReadError(tr("ingest.file_unreadable", lang, path=path, detail=exc)) from exc
    names = list(wb.sheet_names)
    if sheet is not None and sheet not in names:
        raise ReadError(tr("ingest.sheet_missing", lang, sheet=sheet, names=join_list(names, lang)))
    read = []
    with ThreadPoolExecutor(1) as pool:
        # the formula scan inflates the sheets' XML (zlib lets go of the GIL) while calamine
        # parses them
        scan = pool.submit(formulas_without_value, path) if path.suffix.lower() != ".xls" else None
        for name in [sheet] if sheet is not None else names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            if rows:
                read.append((name, sheet_values(rows)))
        formulas = scan.result() if scan is not None else {}
    return [RawSheet(name, None, formulas.get(name, []), values=values) for name, values in read]


def read_sheets(path: str | Path, sheet: str | None = None, lang: str = "zh") -> list[RawSheet]:
    """Every non-empty sheet of ``path`` (.xlsx/.xls/.csv) as raw cells."""
    path = Path(path)
    if not path.is_file():
        raise ReadError(tr("ingest.file_missing", lang, path=path))
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_excel_cells(path, sheet, lang)
    if suffix in CSV_SUFFIXES:
        raw = read_csv_cells(path, lang)
        return [raw] if raw.n_rows else []
    raise ReadError(tr("ingest.file_type", lang, suffix=suffix or "?"))
