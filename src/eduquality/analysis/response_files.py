"""Response files (persons × items CSVs, the input of the ``eduquality irt`` commands) read as
arrays: the items as numbers, the ID and group columns as text.

Reads only; loads neither pandas nor the IRT estimation (issue 12: a command loads what it
uses).
"""

from __future__ import annotations

from pathlib import Path

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.ingest.number_csv import BadCells, NumberTable, read_number_csv
from eduquality.measures.irt.messages import error

MESSAGES = register({
    "calibration.no_file": ("找不到作答文件：{path}", "response file not found: {path}"),
    "calibration.no_column": ("作答文件 {path} 中没有列 {column}",
                              "the response file {path} has no column {column}"),
})


def response_arrays(path: str | Path, id_col: str | None, exclude: tuple[str, ...],
                    lang: str) -> NumberTable:
    """The response file as read (:class:`~eduquality.ingest.number_csv.NumberTable`: every
    column but ``id_col`` and ``exclude`` as numbers, those two as text) by
    :func:`~eduquality.ingest.number_csv.read_number_csv` (UTF-8, UTF-8 with BOM or GBK; blank
    or a spelling of NA = missing), as every command reads a CSV of numbers. A missing file or
    column is ``calibration.no_file``/``calibration.no_column``; a cell that is not a number
    is ``irt.bad_values`` (its column and value)."""
    path = Path(path)
    if not path.is_file():
        raise EduQualityError(tr("calibration.no_file", lang, path=path))
    named = [c for c in (id_col, *exclude) if c is not None]

    def select(header: list[str]) -> tuple[list[str], list[str]]:
        for col in named:
            if col not in header:
                raise EduQualityError(tr("calibration.no_column", lang, path=path, column=col))
        return named, [c for c in header if c not in named]

    try:
        return read_number_csv(path, select, lang=lang)
    except BadCells as exc:
        raise error("irt.bad_values", column=exc.cells[0].column,
                    value=exc.cells[0].value) from None
