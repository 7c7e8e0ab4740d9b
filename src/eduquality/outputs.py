"""Files the program writes for people: private on disk, inert in a spreadsheet.

Students are minors: the database, its write-ahead log, error workbooks, exports and reports
hold names, 学籍号 and 建档立卡/残疾 flags.

- **Private files.** :func:`keep_private` adds ``077`` to the process's umask, so every file
  created afterwards — by DuckDB (the database and the ``.wal`` it recreates at each
  checkpoint), by xlsxwriter or by pandas — is readable by its owner only (0600; folders
  0700). :func:`make_private` also narrows a file that already exists (a database created by
  an older release). :func:`eduquality.store.db.open_database` calls both.
- **No formulas from data.** Text read from a user's file (a name ``=HYPERLINK(…)``) must never
  become a live formula in a workbook we write (OWASP "CSV injection"). Every xlsxwriter
  workbook is opened with :data:`XLSX_OPTIONS`, which writes every string as a string;
  every CSV file is written by :func:`write_csv`, whose :func:`csv_safe` prefixes text
  starting with ``= + - @`` or a tab/CR with an apostrophe (the OWASP rule; a CSV cell cannot
  be typed as text otherwise) — or by :func:`write_columns`, the same file from arrays for a
  command that does not load pandas. ``tests/test_outputs.py`` checks that no other module of the
  package writes a CSV file or opens a workbook without these options.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas loads with write_csv, not for write_columns
    import pandas as pd

__all__ = ["FORMULA_STARTS", "XLSX_OPTIONS", "csv_safe", "keep_private", "make_private",
           "neutralise", "write_columns", "write_csv"]

PRIVATE_UMASK = 0o077
"""Bits no file we create grants: nothing to group or others."""

XLSX_OPTIONS: dict[str, Any] = {"strings_to_formulas": False, "strings_to_urls": False,
                                "strings_to_numbers": False}
"""xlsxwriter ``Workbook`` options for every workbook written: a string stays a string (never
a formula, a hyperlink or a number). For pandas: ``pd.ExcelWriter(path, engine="xlsxwriter",
engine_kwargs={"options": XLSX_OPTIONS})``."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV cell as a formula (OWASP)."""


def keep_private() -> None:
    """From now on, files and folders this process creates are its owner's only (umask |= 077).
    Idempotent."""
    current = os.umask(PRIVATE_UMASK)
    os.umask(current | PRIVATE_UMASK)


def make_private(path: str | Path) -> None:
    """Take group and others' access away from an existing file we own (no-op otherwise)."""
    p = Path(path)
    try:
        mode = p.stat().st_mode & 0o777
        if mode & PRIVATE_UMASK:
            p.chmod(mode & ~PRIVATE_UMASK)
    except (FileNotFoundError, PermissionError):
        pass


def neutralise(value: Any) -> Any:
    """``value`` with an apostrophe in front when it is text a spreadsheet would run as a
    formula; anything else unchanged.

    >>> neutralise('=HYPERLINK("http://x", "y")'), neutralise("-3"), neutralise(-3), neutralise("李")
    ('\\'=HYPERLINK("http://x", "y")', "'-3", -3, '李')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are :func:`neutralise`\\ d (numbers untouched), for
    writing as CSV."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, *, encoding: str = "utf-8-sig",
              **options: Any) -> Path:
    """Write ``frame`` (without its index) as a CSV file for people: its text cells made inert
    by :func:`csv_safe`, the file its owner's only (:func:`make_private`).
    ``encoding``: UTF-8 with a BOM by default (Excel then reads Chinese text right); a file meant
    for other programs may ask for plain ``utf-8``. ``options``: more of pandas' ``to_csv``."""
    csv_safe(frame).to_csv(path, index=False, encoding=encoding, **options)
    make_private(path)
    return Path(path)


def write_columns(columns: Mapping[str, Iterable[Any]], path: str | Path, *,
                  encoding: str = "utf-8-sig") -> Path:
    """Write ``columns`` (name → values, all as long) as :func:`write_csv` writes the frame of
    them, byte for byte, without loading pandas: text :func:`neutralise`\\ d, a float as its
    shortest repr (``0.25``, ``1e-05``, ``inf``), NaN and None blank, an integer as digits, a
    bool as ``True``/``False``; minimal quoting, ``\\n`` line ends; the file private.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_columns({"item": ["=1", "a,b"], "p": [0.5, float("nan")]}, p, encoding="utf-8")
    >>> p.read_text(encoding="utf-8").splitlines()
    ['item,p', "'=1,0.5", '"a,b",']
    """
    names = list(columns)
    cells = [[_cell(v) for v in values] for values in columns.values()]
    with open(path, "w", encoding=encoding, newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(names)
        out.writerows(zip(*cells, strict=True))
    make_private(path)
    return Path(path)


def _cell(value: Any) -> str:
    """One value as pandas' ``to_csv`` writes it (see :func:`write_columns`)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return str(neutralise(value))
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)
