"""The register of school-age children (适龄儿童少年名单) of a year, imported into
``school_age_child`` for the 控辍保学 reconciliation (:mod:`eduquality.analysis.dropout`).

``eduquality import children FILE --year 2021``: every sheet whose header row (one of the
first five rows) holds 身份证号 and 姓名; other columns: 出生日期 (required), 性别 (男/女),
社区 (or 居委会, 村, 户籍地址), 建档立卡 (是/否, blank = 否). The 身份证号 is kept as the person key
(:func:`eduquality.store.students.person_key`: upper case, a leading G dropped). The same child
twice is a problem; every problem located (zh/en); nothing written when there is one; the
list of ``year`` is replaced as a whole (a corrected file updates it); logged in
``import_log`` (kind 'children', target the year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.importer import ImportResult, run_import
from eduquality.ingest.problems import Problems
from eduquality.ingest.readers import RawSheet, column_letter
from eduquality.ingest.values import cell_text, date_from_text, norm_header
from eduquality.ingest.writes import append_rows, delete_where
from eduquality.store.db import Database
from eduquality.store.students import person_key
from eduquality.vocab import GENDER

__all__ = ["COLUMNS", "import_children", "plan_children"]

COLUMNS = {
    "person": ("身份证号", "公民身份号码", "id number"),
    "name": ("姓名", "name"),
    "birth": ("出生日期", "birth date"),
    "gender": ("性别", "gender"),
    "community": ("社区", "居委会", "村", "户籍地址", "community"),
    "poverty": ("建档立卡", "建档立卡户", "registered poor household"),
}
"""Column → recognised headers."""

MESSAGES = register({
    "children.no_sheet": ("文件中没有适龄儿童名单（前 5 行中需有「身份证号」「姓名」列）",
                          "no list of school-age children in the file (身份证号 and 姓名 columns "
                          "in the first 5 rows)"),
    "children.id": ("身份证号应为 18 位（末位可为 X）", "the ID number must have 18 characters "
                    "(the last may be X)"),
    "children.name": ("需要填写姓名", "the name is required"),
    "children.birth": ("出生日期应为日期（如 2014-03-01）", "the birth date must be a date "
                       "(e.g. 2014-03-01)"),
    "children.gender": ("性别应为 男 或 女", "the gender must be 男 or 女 (M/F)"),
    "children.flag": ("应填 是 或 否", "must be 是 or 否 (yes/no)"),
    "children.duplicate": ("与第 {first} 行重复（同一身份证号）", "duplicates row {first} (same ID)"),
})

_YES = {"是", "y", "yes", "1", "true", "√"}
_NO = {"", "否", "n", "no", "0", "false"}


@dataclass
class ChildrenPlan:
    year: int
    frame: pd.DataFrame
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)

    def write(self, con: Any) -> int:
        delete_where(con, "school_age_child", "year", self.year)
        return append_rows(con, "school_age_child", self.frame)

    def preview(self) -> dict[str, int]:
        return dict(self.counts)


def _date(v: Any) -> dt.date | None:
    return date_from_text(cell_text(v))


def _columns(raw: RawSheet) -> tuple[int, dict[str, int]] | None:
    for i in range(min(5, len(raw.cells))):
        header = [norm_header(cell_text(v)) for v in raw.cells.iloc[i].tolist()]
        found: dict[str, int] = {}
        for name, aliases in COLUMNS.items():
            names = {norm_header(a) for a in aliases}
            hit = next((j for j, h in enumerate(header) if h in names), None)
            if hit is not None:
                found[name] = hit
        if {"person", "name"} <= set(found):
            return i, found
    return None


def plan_children(sheets: list[RawSheet], problems: Problems, year: int) -> ChildrenPlan:
    """Check a register of school-age children (module docstring)."""
    rows: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    n_rows, found = 0, False
    for raw in sheets:
        located = _columns(raw)
        if located is None:
            continue
        found = True
        top, cols = located
        table = raw.table()
        header = table[top]
        for i in range(top + 1, len(table)):
            row = table[i]
            if all(cell_text(v) == "" for v in row):
                continue
            n_rows += 1
            bad_row = False

            def cell(name: str, _row: list[Any] = row, _cols: dict[str, int] = cols) -> Any:
                return _row[_cols[name]] if name in _cols else None

            def bad(name: str, reason: str, value: Any = None, _r: int = i + 1,
                    _sheet: str = raw.name, _header: list[Any] = header,
                    _cols: dict[str, int] = cols, **params: Any) -> None:
                j = _cols[name]
                problems.add(reason, sheet=_sheet, row=_r,
                             column=f"{column_letter(j)}（{cell_text(_header[j])}）", value=value,
                             **params)

            pid = person_key(cell_text(cell("person"))) or ""
            if len(pid) != 18 or not (pid[:17].isdigit() and (pid[17].isdigit() or pid[17] == "X")):
                bad("person", "children.id", cell_text(cell("person")))
                bad_row = True
            name = cell_text(cell("name"))
            if not name:
                bad("name", "children.name")
                bad_row = True
            birth = _date(cell("birth")) if "birth" in cols else None
            if birth is None:
                if "birth" in cols:
                    bad("birth", "children.birth", cell_text(cell("birth")))
                else:
                    bad("person", "children.birth")
                bad_row = True
            gender_text = cell_text(cell("gender"))
            gender = GENDER.parse(gender_text) if gender_text else None
            if gender_text and gender is None:
                bad("gender", "children.gender", gender_text)
                bad_row = True
            flag = cell_text(cell("poverty")).lower()
            if flag not in _YES | _NO:
                bad("poverty", "children.flag", flag)
                bad_row = True
            if bad_row:
                continue
            if pid in first:
                bad("person", "children.duplicate", pid, first=first[pid])
                continue
            first[pid] = i + 1
            rows.append({"year": year, "person_id": pid, "name": name, "gender": gender,
                         "birth_date": birth, "community": cell_text(cell("community")) or None,
                         "poverty_registered": flag in _YES})
    if not found:
        problems.add("children.no_sheet")
    frame = pd.DataFrame(rows, columns=["year", "person_id", "name", "gender", "birth_date",
                                        "community", "poverty_registered"])
    return ChildrenPlan(year, frame, n_rows, {"school_age_child": len(frame)})


def import_children(db: Database, path: str | Path, year: int, *, lang: str | None = None,
                    user: str | None = None, errors: str | Path | None = None,
                    force: bool = False, check: bool = False) -> ImportResult:
    """Import the register of school-age children of ``year`` (module docstring). Writes
    (unless ``check``); district data (not for a school's own upload)."""
    return run_import(db, path, "children", str(year),
                      lambda sheets, problems: plan_children(sheets, problems, year),
                      lang=lang or db.lang, user=user, errors=errors, force=force, check=check)
