"""Attendance sheets as schools keep them (issue 14 §2), imported into ``attendance_month``.

``eduquality import attendance FILE [--year 2021-2022] [--month 2021-09]`` reads every sheet
whose header row (one of the first :data:`HEADER_ROWS` rows, under a title if any) holds a
学籍号 column, in one of two layouts:

- **monthly** (月汇总): one row per student, a column per month holding the days absent that
  month: ``9月`` … ``6月`` (the school year from ``--year``: September–December in its first
  calendar year, January–August in the second), or ``2021年9月`` / ``2021-09``. A blank cell:
  no record for that month.
- **daily** (出勤表): one sheet per month (the month from the sheet's name, ``2021年9月`` or
  ``2021-09``, or from ``--month``), a column per day ``1`` … ``31`` (or ``1日``), each cell a
  mark: √ present, × 旷课 (unexcused), 病 sick leave, 事 personal leave; a blank cell is no
  school that day. Each row is summed into the month: school days (marks given), days absent
  (×, 病, 事), sick days, leave days.

姓名 and 班级 columns are optional; when present, 姓名 must match the student on record. Each
student must have a class in the school year of the month; the row is stored at that class's
school. Days absent lie in 0–31 (at most the month's school days when they are known).
The importers' guarantees (:mod:`eduquality.ingest.importer`): every problem located (sheet,
row, column, value, reason; zh/en), nothing written when there is one, one transaction, logged
in ``import_log`` (kind 'attendance'). A month already stored for a student is replaced.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eduquality.frames import row_tuples
from eduquality.i18n import register
from eduquality.ingest.importer import ImportResult, run_import
from eduquality.ingest.problems import Problems
from eduquality.ingest.readers import RawSheet, column_letter
from eduquality.ingest.values import cell_text, date_from_text, norm_header, norm_person_name
from eduquality.ingest.writes import upsert
from eduquality.store.db import Database
from eduquality.store.dropout import memberships, student_facts
from eduquality.store.refs import school_years
from eduquality.store.students import person_key

__all__ = ["MARKS", "import_attendance", "plan_attendance"]

HEADER_ROWS = 5
"""How far down the header row may be (titles above it)."""

ID_HEADERS = ("学籍号", "学籍编号", "全国学籍号", "身份证号", "studentid", "student id")
NAME_HEADERS = ("姓名", "学生姓名", "name")
CLASS_HEADERS = ("班级", "class")

MARKS = {
    "present": ("√", "✓", "✔", "到", "v"),
    "unexcused": ("×", "✗", "✘", "x", "旷", "旷课"),
    "sick": ("病", "病假"),
    "leave": ("事", "事假"),
}
"""Daily marks by meaning (compared in lower case)."""
_MARK = {m.lower(): k for k, marks in MARKS.items() for m in marks}

MESSAGES = register({
    "attendance.no_sheet": ("文件中没有出勤表（前 5 行中需有「学籍号」列，以及月份列或日期列）",
                            "no attendance sheet in the file (a 学籍号 column in the first 5 "
                            "rows, and month or day columns)"),
    "attendance.no_year": ("月份列「{header}」没有年份：请用 --year 指定学年（如 2021-2022）",
                           "month column '{header}' has no year: give the school year with "
                           "--year (e.g. 2021-2022)"),
    "attendance.no_month": ("无法确定本出勤表的月份：工作表名应为「2021年9月」或用 --month 指定",
                            "the month of this daily sheet is unknown: name the sheet like "
                            "2021年9月 or give --month"),
    "attendance.unknown_student": ("没有这个学籍号的学生", "no student with this ID"),
    "attendance.name": ("姓名与学籍记录不符（记录为 {name}）",
                        "the name differs from the student record ({name})"),
    "attendance.no_class": ("该生在 {year} 学年没有班级", "the student has no class in {year}"),
    "attendance.no_school_year": ("{month} 不在任何已登记的学年内",
                                  "{month} lies in no school year on record"),
    "attendance.days": ("缺勤天数应为 0–31 之间的数", "days absent must be a number 0–31"),
    "attendance.mark": ("无法识别的出勤标记（√ 出勤、× 旷课、病 病假、事 事假，空白为非上课日）",
                        "unknown mark (√ present, × unexcused, 病 sick, 事 leave; blank: no "
                        "school)"),
    "attendance.duplicate": ("与第 {first} 行重复（同一学生、同一月份）",
                             "duplicates row {first} (same student and month)"),
})


@dataclass
class AttendancePlan:
    frame: pd.DataFrame
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)

    def write(self, con: Any) -> int:
        return upsert(con, "attendance_month", self.frame, ["student_id", "month"])

    def preview(self) -> dict[str, int]:
        return dict(self.counts)

    def schools(self) -> set[str]:
        return set(self.frame["school_code"])


_YM = re.compile(r"^(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*月?$")
_M = re.compile(r"^(\d{1,2})\s*月(?:份)?$")
_DAY = re.compile(r"^(\d{1,2})\s*日?$")


def _month(text: str, start_year: int | None) -> dt.date | bool | None:
    """The first day of the month a header names; None when it names none; False when it
    needs a school year that was not given."""
    found = _YM.match(text)
    if found and 1 <= int(found.group(2)) <= 12:
        return dt.date(int(found.group(1)), int(found.group(2)), 1)
    date = date_from_text(text)  # a date cell ('2022-03-01'): its month
    if date is not None:
        return date.replace(day=1)
    found = _M.match(text)
    if found and 1 <= int(found.group(1)) <= 12:
        if start_year is None:
            return False
        m = int(found.group(1))
        return dt.date(start_year if m >= 9 else start_year + 1, m, 1)
    return None


@dataclass
class _Layout:
    header_row: int
    id_col: int
    name_col: int | None
    months: dict[int, dt.date]
    days: dict[int, int]
    undated: bool = False
    """Month columns without a year (a problem already reported)."""


def _layout(raw: RawSheet, start_year: int | None, problems: Problems) -> _Layout | None:
    cells = raw.cells
    for i in range(min(HEADER_ROWS, len(cells))):
        header = [norm_header(cell_text(v)) for v in cells.iloc[i].tolist()]
        ids = [j for j, h in enumerate(header) if h in {norm_header(a) for a in ID_HEADERS}]
        if not ids:
            continue
        names = [j for j, h in enumerate(header) if h in {norm_header(a) for a in NAME_HEADERS}]
        months: dict[int, dt.date] = {}
        days: dict[int, int] = {}
        undated = False
        for j, h in enumerate(header):
            month = _month(h, start_year)
            if month is False:
                problems.add("attendance.no_year", sheet=raw.name, row=i + 1,
                             column=column_letter(j), header=cell_text(cells.iloc[i, j]))
                undated = True
            elif isinstance(month, dt.date):
                months[j] = month
            elif (d := _DAY.match(h)) and 1 <= int(d.group(1)) <= 31:
                days[j] = int(d.group(1))
        return _Layout(i, ids[0], names[0] if names else None, months, days, undated)
    return None


class _Students:
    """Students by ID and their class's school per school year."""

    def __init__(self, db: Database) -> None:
        st = student_facts(db)[["student_id", "national_id", "name"]]
        self.by_id = {str(n).strip().upper(): (int(s), str(nm)) for s, n, nm in
                      row_tuples(st)}
        self.by_person = {person_key(str(n)): (int(s), str(nm)) for s, n, nm in
                          row_tuples(st)}
        self.years = [(str(code), pd.Timestamp(start).date().replace(day=1),
                       pd.Timestamp(end).date())
                      for code, start, end in school_years(db).itertuples(index=False)]
        self._year_of: dict[dt.date, str | None] = {}
        m = memberships(db)[["student_id", "year_code", "school_code"]]
        self.school = {(int(s), str(y)): str(c) for s, y, c in row_tuples(m)}

    def find(self, text: str) -> tuple[int, str] | None:
        key = text.strip().upper()
        return self.by_id.get(key) or self.by_person.get(person_key(key))

    def year_of(self, month: dt.date) -> str | None:
        """The school year whose months include ``month`` (from the month of its first day to
        its last day), or None; remembered per month (a sheet asks for the same few months for
        every student)."""
        if month not in self._year_of:
            self._year_of[month] = next(
                (code for code, first, end in self.years if first <= month <= end), None)
        return self._year_of[month]


def _sheet_month(name: str, month: dt.date | None) -> dt.date | None:
    found = _YM.match(name.strip())
    if found and 1 <= int(found.group(2)) <= 12:
        return dt.date(int(found.group(1)), int(found.group(2)), 1)
    return month


def _daily(row: list[Any], days: dict[int, int], bad: Any) -> tuple[int, int, int, int] | None:
    counts = {"present": 0, "unexcused": 0, "sick": 0, "leave": 0}
    ok = True
    for j in days:
        mark = cell_text(row[j]).lower()
        if not mark:
            continue
        kind = _MARK.get(mark)
        if kind is None:
            bad(j, "attendance.mark", mark)
            ok = False
            continue
        counts[kind] += 1
    if not ok:
        return None
    absent = counts["unexcused"] + counts["sick"] + counts["leave"]
    return counts["present"] + absent, absent, counts["sick"], counts["leave"]


def plan_attendance(sheets: list[RawSheet], problems: Problems, students: _Students,
                    year: str | None = None, month: dt.date | None = None) -> AttendancePlan:
    """Check attendance sheets (module docstring): the rows to write, or problems."""
    start_year = int(year[:4]) if year else None
    rows: list[dict[str, Any]] = []
    first: dict[tuple[int, dt.date], int] = {}
    n_rows, found = 0, False
    for raw in sheets:
        lay = _layout(raw, start_year, problems)
        if lay is None or not (lay.months or lay.days or lay.undated):
            continue
        found = True
        if lay.undated:
            continue
        sheet_month = _sheet_month(raw.name, month) if lay.days else None
        if lay.days and sheet_month is None:
            problems.add("attendance.no_month", sheet=raw.name)
            continue
        table = raw.table()
        header = table[lay.header_row]
        for i in range(lay.header_row + 1, len(table)):
            row = table[i]
            if all(cell_text(v) == "" for v in row):
                continue
            n_rows += 1

            def bad(j: int, reason: str, value: Any = None, _r: int = i + 1,
                    _sheet: str = raw.name, _header: list[Any] = header,
                    **params: Any) -> None:
                problems.add(reason, sheet=_sheet, row=_r,
                             column=f"{column_letter(j)}（{cell_text(_header[j])}）", value=value,
                             **params)

            id_text = cell_text(row[lay.id_col])
            student = students.find(id_text)
            if student is None:
                bad(lay.id_col, "attendance.unknown_student", id_text)
                continue
            sid, name = student
            if lay.name_col is not None:
                given = cell_text(row[lay.name_col])
                if given and norm_person_name(given) != norm_person_name(name):
                    bad(lay.name_col, "attendance.name", given, name=name)
                    continue
            entries: list[tuple[int, dt.date, dict[str, Any]]] = []
            if lay.days:
                assert sheet_month is not None
                summed = _daily(row, lay.days, bad)
                if summed is None:
                    continue
                school_days, absent, sick, leave = summed
                entries.append((lay.id_col, sheet_month, {
                    "school_days": school_days, "days_absent": float(absent),
                    "sick_days": float(sick), "leave_days": float(leave)}))
            for j, m in lay.months.items():
                text = cell_text(row[j])
                if not text:
                    continue
                try:
                    value = float(text)
                except ValueError:
                    value = float("nan")
                if not 0 <= value <= 31:  # NaN fails too
                    bad(j, "attendance.days", text)
                    continue
                entries.append((j, m, {"school_days": None, "days_absent": float(value),
                                       "sick_days": None, "leave_days": None}))
            for j, m, values in entries:
                year_code = students.year_of(m)
                if year_code is None:
                    bad(j, "attendance.no_school_year", m.strftime("%Y-%m"),
                        month=m.strftime("%Y-%m"))
                    continue
                school = students.school.get((sid, year_code))
                if school is None:
                    bad(lay.id_col, "attendance.no_class", id_text, year=year_code)
                    continue
                if (sid, m) in first:
                    bad(j, "attendance.duplicate", id_text, first=first[(sid, m)])
                    continue
                first[(sid, m)] = i + 1
                rows.append({"student_id": sid, "month": m, "school_code": school, **values})
    if not found:
        problems.add("attendance.no_sheet")
    frame = pd.DataFrame(rows, columns=["student_id", "month", "school_code", "school_days",
                                        "days_absent", "sick_days", "leave_days"])
    return AttendancePlan(frame, n_rows, {"attendance_month": len(frame)})


def import_attendance(db: Database, path: str | Path, *, year: str | None = None,
                      month: dt.date | None = None, lang: str | None = None,
                      user: str | None = None, errors: str | Path | None = None,
                      force: bool = False, check: bool = False,
                      only_schools: frozenset[str] | None = None) -> ImportResult:
    """Import an attendance workbook (module docstring). Writes (unless ``check``)."""
    students = _Students(db)
    return run_import(db, path, "attendance", None,
                      lambda sheets, problems: plan_attendance(sheets, problems, students,
                                                               year, month),
                      lang=lang or db.lang, user=user, errors=errors, force=force, check=check,
                      only_schools=only_schools)
