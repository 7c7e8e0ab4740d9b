"""Files → raw sheets: one frame of cells per sheet, positional columns, no header applied,
every cell as text (a blank cell missing), whatever the file's format.

- ``.xlsx`` / ``.xls``: fastexcel (calamine, Rust) parses each sheet once into Arrow text: numbers
  as Excel shows them ('85', '85.5'), dates as '2008-09-01 00:00:00', formula cells as their
  *cached* values; an ``.xlsx`` formula cell without a cached value (a file written by a program
  that never calculated it) is listed in :attr:`RawSheet.formulas_without_value` so the importer
  can report it; the cells merged down a column are listed in :attr:`RawSheet.merged_down` (a
  学校 or 班级 cell over its students' rows: :meth:`RawSheet.body` shows its value in each).
- ``.csv`` / ``.txt``: the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else GB18030, a
  superset of GBK) and the separator (comma, tab, semicolon) are detected
  (:mod:`~eduquality.ingest.csv_text`) and the text parsed by pyarrow's multithreaded reader;
  files pyarrow cannot parse (ragged rows, blank lines that would shift row numbers) fall back
  to Python's ``csv``.

One typing for both: the importers read numbers, dates and codes from text, the same way for a
workbook and for the CSV a school saved from it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from eduquality.errors import EduQualityError
from eduquality.i18n import join_list, register, tr
from eduquality.ingest import csv_text

MESSAGES = register({
    "ingest.file_missing": ("找不到文件 {path}", "file not found: {path}"),
    "ingest.file_type": (
        "不支持的文件类型 {suffix}（支持 .xlsx、.xls、.csv、.txt）",
        "unsupported file type {suffix} (use .xlsx, .xls, .csv or .txt)",
    ),
    "ingest.file_unreadable": ("无法读取文件 {path}：{detail}", "cannot read {path}: {detail}"),
    "ingest.csv_encoding": (
        "无法读取文件 {path}：从第 {line} 行起的文字既不是 UTF-8、UTF-16，也不是 GBK/GB18030 编码。"
        "请用 Excel 打开该文件，“另存为”“CSV UTF-8（逗号分隔）”后导入新保存的文件",
        "cannot read {path}: from line {line} on, its text is neither UTF-8, UTF-16 nor "
        "GBK/GB18030. Open the file in Excel, save it as 'CSV UTF-8 (Comma delimited)' and "
        "import the saved file",
    ),
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
    """The cells of one sheet, every cell as text: ``cells.iloc[i, j]`` is row ``i + 1``,
    column ``j + 1`` of the sheet (a blank cell is missing). ``hidden``: the workbook hides
    the sheet (Excel's hidden or very hidden); the importers leave such a sheet out unless it
    is named (:func:`eduquality.ingest.importer.visible_sheets`). ``merged_down``: the cells
    merged down a column (col, first row, last row; 0-based), which :meth:`body` shows in every
    row they cover."""

    def __init__(self, name: str, cells: pd.DataFrame,
                 formulas_without_value: list[tuple[int, int]] | None = None,
                 encoding: str | None = None, hidden: bool = False,
                 merged_down: list[tuple[int, int, int]] | None = None) -> None:
        self.name = name
        self.cells = cells
        self.formulas_without_value = formulas_without_value or []
        self.encoding = encoding
        self.hidden = hidden
        self.merged_down = merged_down or []

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    def row(self, r: int) -> pd.Series:
        """The cells of row ``r`` (0-based), indexed by column."""
        return self.cells.iloc[r].reset_index(drop=True)

    def table(self) -> list[list[Any]]:
        """Every row's cells as a list (``table()[i][j]`` is ``cells.iloc[i, j]``): for reading
        a sheet row by row. Selecting one row of the frame costs about 100 µs (pandas builds a
        Series of it), so a 20,000-row sheet read with ``cells.iloc[i]`` takes seconds; this
        converts the frame once."""
        return self.cells.to_numpy(dtype=object).tolist()

    def body(self, start: int) -> pd.DataFrame:
        """Rows ``start`` … (the data under a header) as a frame indexed from 0, as Excel shows
        them: a cell merged down a column from row ``start`` on (a 学校 or 班级 cell over its
        students' rows) gives its value to every row it covers, where that row's own cell is
        blank. (Merges that begin in the header are the header's to read.)"""
        frame = self.cells.iloc[start:].reset_index(drop=True)
        for col, first, last in self.merged_down:
            if first < start or col >= frame.shape[1] or first - start >= len(frame):
                continue
            top = frame[col].iloc[first - start]
            if not isinstance(top, str):
                continue   # a blank merged cell
            below = frame[col].iloc[first - start + 1:last - start + 1]
            frame.iloc[first - start + 1:first - start + 1 + len(below), col] = below.where(
                below.notna(), top)
        return frame

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


# -- csv ----------------------------------------------------------------------------------
def decode_bytes(data: bytes, path: Path, lang: str = "zh") -> tuple[str, str]:
    """The text of ``data`` without its BOM and its encoding, decoding once; a file that is not
    text in an encoding read raises :class:`ReadError` naming the file, the line and what to do."""
    try:
        return csv_text.decode(data)
    except csv_text.Undecodable as exc:
        raise ReadError(tr("ingest.csv_encoding", lang, path=path, line=exc.line)) from None


def _n_fields(text: str, sep: str, sample_lines: int = 50) -> int:
    head = text[: 1 << 16].splitlines()[:sample_lines]
    rows = list(csv.reader(head, delimiter=sep))
    return max((len(r) for r in rows), default=0)


def _csv_with_pyarrow(utf8: bytes, n: int, sep: str) -> pd.DataFrame:
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(n)]
    # blocks of 1 MiB are parsed in parallel; a line break can only be inside a value when
    # the file quotes values at all (the quote-aware block splitter is slower)
    table = pacsv.read_csv(
        io.BytesIO(utf8),
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 20),
        parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=b'"' in utf8),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in names}, strings_can_be_null=True,
            quoted_strings_can_be_null=True),
    )
    return _text_frame(table)


def _csv_with_python(text: str, sep: str) -> pd.DataFrame:
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    width = max((len(r) for r in rows), default=0)
    columns = [pa.array([(r[j] if j < len(r) else "") or None for r in rows], pa.string())
               for j in range(width)]
    return _text_frame(pa.table(columns, names=[f"c{j}" for j in range(width)]))


def read_csv_cells(path: Path, lang: str = "zh") -> RawSheet:
    """A CSV or text file as one raw sheet named after the file: the encoding and the
    separator (comma, tab or semicolon) detected (:mod:`~eduquality.ingest.csv_text`)."""
    data = path.read_bytes()
    text, encoding = decode_bytes(data, path, lang)
    sep = csv_text.detect_separator(text[: 1 << 16])
    n = _n_fields(text, sep)
    utf8 = csv_text.as_utf8(data, text, encoding)
    blank_lines = (re.search(rb"\n[ \t]*\r?\n", utf8) is not None
                   or text.startswith(("\n", "\r\n")))
    frame: pd.DataFrame | None = None
    if n and not blank_lines:
        try:
            frame = _csv_with_pyarrow(utf8, n, sep)
        except Exception:  # ragged rows and the like: the slow, forgiving path
            frame = None
    if frame is None:
        frame = _csv_with_python(text, sep)
    return RawSheet(path.stem, frame, encoding=encoding)


def read_csv_table(path: str | Path, lang: str = "zh") -> pd.DataFrame:
    r"""A CSV file whose first line is a header, as the commands that read a plain table
    (responses, scores) need it: the same reading as the importers (:func:`read_csv_cells`:
    UTF-8, UTF-8 with BOM, UTF-16 with BOM or GB18030/GBK; comma, tab or semicolon; every cell
    as text, a blank cell missing).

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


_MERGE_RE = re.compile(rb'<mergeCell ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')


def scan_sheets(path: Path) -> dict[str, tuple[list[tuple[int, int]], list[tuple[int, int, int]]]]:
    """Per sheet of an .xlsx, read from its XML in one pass: the (row, col) 0-based positions
    of formula cells with no cached value, and the cells merged down a column (col, first row,
    last row; 0-based), such as a 学校 or 班级 cell merged over its students' rows."""
    found: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int, int]]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for name, part in _xlsx_sheet_parts(zf).items():
                xml = zf.read(part)
                cells = []
                if b"<f" in xml:
                    for m in _CELL_RE.finditer(xml):
                        body = m.group(3) or b""
                        if b"<f" in body and (b"<v>" not in body or b"<v></v>" in body):
                            cells.append((int(m.group(2)) - 1,
                                          _letter_index(m.group(1).decode())))
                down = [(_letter_index(m.group(1).decode()), int(m.group(2)) - 1,
                         int(m.group(4)) - 1)
                        for m in _MERGE_RE.finditer(xml[xml.rfind(b"<mergeCells"):])
                        if m.group(1) == m.group(3) and m.group(4) != m.group(2)
                        ] if b"<mergeCells" in xml else []
                if cells or down:
                    found[name] = (cells, down)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return {}
    return found


def read_excel_cells(path: Path, sheet: str | None = None, lang: str = "zh") -> list[RawSheet]:
    """The non-empty sheets of a workbook (or only ``sheet``), every cell as text.

    fastexcel (calamine in Rust) parses each sheet once straight into Arrow strings, as the CSV
    reader gives them: numbers as Excel shows them ('85', '85.5'), dates as
    '2008-09-01 00:00:00', formula cells as their cached values. Row and column positions are
    the sheet's own (a table that starts at B3 keeps its two blank rows and blank column), so
    problems name the cells a user sees."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
    except Exception as exc:
        raise ReadError(tr("ingest.file_unreadable", lang, path=path, detail=exc)) from exc
    if sheet is not None and sheet not in names:
        raise ReadError(tr("ingest.sheet_missing", lang, sheet=sheet, names=join_list(names, lang)))
    read = []
    with ThreadPoolExecutor(1) as pool:
        # the formula scan inflates the sheets' XML (zlib lets go of the GIL) while fastexcel
        # parses them
        scan = pool.submit(scan_sheets, path) if path.suffix.lower() != ".xls" else None
        for name in [sheet] if sheet is not None else names:
            try:
                loaded = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
                table, errors = loaded.to_arrow_with_errors()
            except Exception as exc:
                raise ReadError(tr("ingest.file_unreadable", lang, path=path,
                                   detail=exc)) from exc
            if table.num_rows and table.num_columns:
                lead = loaded.available_columns()[0].absolute_index  # blank columns before it
                frame = _text_frame(table, lead)
                for error in errors.errors if errors is not None else ():
                    row, col = error.position
                    frame.iat[row, lead + col] = _error_text(error.detail)
                read.append((name, frame, loaded.visible != "visible"))
        scanned = scan.result() if scan is not None else {}
    return [RawSheet(name, frame, scanned.get(name, ([], []))[0], hidden=hidden,
                     merged_down=scanned.get(name, ([], []))[1])
            for name, frame, hidden in read]


_EXCEL_ERRORS = {"Div0": "#DIV/0!", "NA": "#N/A", "Name": "#NAME?", "Null": "#NULL!",
                 "Num": "#NUM!", "Ref": "#REF!", "Value": "#VALUE!"}


def _error_text(detail: str) -> str:
    """An error cell (a formula that failed: '#N/A', '#DIV/0!' …) as Excel shows it, so that
    the importer names it at its cell instead of reading a blank."""
    found = re.search(r"Error\((\w+)\)", detail)
    code = found.group(1) if found else ""
    return _EXCEL_ERRORS.get(code, f"#{code.upper() or 'ERROR'}!")


def _text_frame(table: pa.Table, lead: int = 0) -> pd.DataFrame:
    """Arrow string columns → a frame of text columns 0, 1, … with ``lead`` blank columns
    first; a date at midnight shows as its date (see :func:`_dates_as_shown`)."""
    n = table.num_rows
    columns = [pa.nulls(n, pa.string())] * lead + [
        _dates_as_shown(c.cast(pa.string())) for c in table.columns]
    frame = pa.table(columns, names=[f"c{i}" for i in range(len(columns))]).to_pandas()
    frame.columns = range(len(columns))
    return frame


_MIDNIGHT = " 00:00:00"


def _dates_as_shown(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """'2008-09-01 00:00:00' (a date cell as fastexcel writes it, or a CSV written by a program
    that wrote dates that way) → '2008-09-01', as Excel shows a date; a time of day is kept.
    Only a column with such a cell is rewritten."""
    if not pc.any(pc.ends_with(column, _MIDNIGHT)).as_py():
        return column
    return pc.replace_substring_regex(
        column, pattern=r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", replacement=r"\1")


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
