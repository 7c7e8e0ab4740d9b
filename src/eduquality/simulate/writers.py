"""Low-level writers: CSV (UTF-8, UTF-8 with BOM, GBK) through pyarrow, xlsx through xlsxwriter
in constant-memory mode (one or two header rows, optional trailing summary rows).

A column is a header and either numbers (NaN = blank) with an optional text overlay (a marker
such as 缺考 where not None), or text. Output is byte-identical for identical input: workbooks
get a fixed creation date.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import xlsxwriter

from eduquality.outputs import XLSX_OPTIONS

FIXED_DATE = dt.datetime(2022, 7, 15, 8, 0, 0)


@dataclass
class Column:
    header: str
    values: np.ndarray                 # float (NaN = blank) or object (str/None)
    marker: np.ndarray | None = None   # object: text replacing the value where not None

    def is_numeric(self) -> bool:
        return self.values.dtype.kind in "fiu"


def _arrow(col: Column) -> pa.Array:
    if not col.is_numeric():
        return pa.array(col.values, type=pa.string(), from_pandas=True)
    v = np.asarray(col.values, dtype=float)
    blank = np.isnan(v)
    if np.all(np.mod(v[~blank], 1.0) == 0):
        arr = pa.array(np.where(blank, 0, v).astype(np.int64), mask=blank)
    else:
        arr = pa.array(np.round(v, 2), mask=blank)
    if col.marker is None:
        return arr
    has = ~pd.isna(col.marker)
    text = pc.cast(arr, pa.string())
    return pc.if_else(pa.array(has), pa.array(col.marker, type=pa.string()), text)


def write_csv(path: Path, columns: list[Column], encoding: str = "utf-8-sig") -> None:
    """Header row, then the rows; no quoting (values never hold commas or quotes)."""
    table = pa.table({f"c{i}": _arrow(c) for i, c in enumerate(columns)})
    buf = io.BytesIO()
    pa_csv.write_csv(table, buf, pa_csv.WriteOptions(include_header=False, quoting_style="none"))
    body = ",".join(c.header for c in columns) + "\n" + buf.getvalue().decode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body.encode(encoding))


def _cells(col: Column) -> list[object]:
    if col.is_numeric():
        v = np.asarray(col.values, dtype=float)
        out: list[object] = [None if np.isnan(x) else (int(x) if x == int(x) else x)
                             for x in v.tolist()]
    else:
        out = [None if (x is None or x != x) else str(x) for x in col.values.tolist()]
    if col.marker is not None:
        out = [m if m is not None else x for x, m in zip(out, col.marker.tolist(), strict=True)]
    return out


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    group_header: list[tuple[str, int, int]] | None = None  # (text, first col, last col) row 1
    summary: bool = False            # add 平均分 / 最高分 rows under the numeric columns


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    """Write the sheets; constant-memory mode unless a sheet has a merged two-row header
    (merges spanning rows need the whole sheet in memory; such sheets are kept small)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = any(s.group_header for s in sheets)
    wb = xlsxwriter.Workbook(str(path), {**XLSX_OPTIONS, "constant_memory": not merged})
    wb.set_properties({"created": FIXED_DATE, "author": "华岭区教育体育局（模拟）"})
    bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter"})
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        headers = [c.header for c in sheet.columns]
        row = 0
        if sheet.group_header:
            grouped: set[int] = set()
            for _text, c0, c1 in sheet.group_header:
                grouped.update(range(c0, c1 + 1))
            # row 0: identity headers merged down over two rows, group titles merged across
            for ci, h in enumerate(headers):
                if ci not in grouped:
                    ws.merge_range(0, ci, 1, ci, h, bold)
                else:
                    hit = [g for g in sheet.group_header if g[1] == ci]
                    if hit:
                        text, c0, c1 = hit[0]
                        if c1 > c0:
                            ws.merge_range(0, c0, 0, c1, text, bold)
                        else:
                            ws.write_string(0, c0, text, bold)
            ws.write_row(1, 0, [h if i in grouped else None for i, h in enumerate(headers)], bold)
            row = 2
        else:
            ws.write_row(0, 0, headers, bold)
            row = 1
        cols = [_cells(c) for c in sheet.columns]
        for values in zip(*cols, strict=True):
            ws.write_row(row, 0, values)
            row += 1
        if sheet.summary:
            for label, fn in (("平均分", np.nanmean), ("最高分", np.nanmax)):
                out: list[object] = [label]
                for c in sheet.columns[1:]:
                    if c.is_numeric() and np.isfinite(np.asarray(c.values, float)).any():
                        out.append(round(float(fn(np.asarray(c.values, float))), 2))
                    else:
                        out.append(None)
                ws.write_row(row, 0, out)
                row += 1
    wb.close()
