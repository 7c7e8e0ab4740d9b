"""Statistics that are not in the student data: the blank templates and their import.

``eduquality template stats`` writes one blank workbook per template of
:data:`eduquality.store.statistics.TEMPLATES` (:func:`write_stat_templates`): a data sheet with
the columns 年份, 学校代码, 统计项目, 分类, 数值, 来源, 来源日期 and a 说明 sheet listing the
template's statistics (code, name, unit, whether per school, what 分类 holds).

``eduquality import stats FILE`` (:func:`import_stats`) reads any such sheet (every sheet whose
first row has 年份, 统计项目 and 数值; the 说明 sheet is skipped) with the importers' guarantees
(:mod:`eduquality.ingest.importer`): every problem located (sheet, row, column, value, reason,
zh/en), nothing written when there is one, one transaction, logged in ``import_log`` (kind
'stats'). Rows are checked against the catalogue:

- 统计项目: a statistic's code or Chinese name;
- 学校代码: blank for a district statistic, a school on record for a per-school one;
- 分类: blank unless the statistic has one — a single year of age (0–120) for population by age,
  an attainment level (code or Chinese name) for attainment;
- 数值: a number ≥ 0; 来源: required (e.g. 第七次全国人口普查, 区财政局决算); 来源日期: a date
  or blank;
- the same statistic, year, school and category twice in a file is a problem.

A value already stored for the same key is replaced (a corrected file updates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eduquality.i18n import register, tr
from eduquality.ingest.importer import ImportResult, run_import
from eduquality.ingest.problems import Problems
from eduquality.ingest.readers import RawSheet, column_letter
from eduquality.ingest.values import cell_text, date_from_text, norm_header
from eduquality.ingest.writes import upsert
from eduquality.outputs import XLSX_OPTIONS
from eduquality.store.db import Database
from eduquality.store.refs import keys
from eduquality.store.statistics import ATTAINMENT_LEVELS, STATISTICS, TEMPLATES, Statistic

__all__ = ["COLUMNS", "import_stats", "plan_stats", "write_stat_templates"]

COLUMNS = {
    "year": ("年份", "year"), "school": ("学校代码", "school code"),
    "stat": ("统计项目", "statistic"), "category": ("分类", "category"),
    "value": ("数值", "value"), "source": ("来源", "source"),
    "source_date": ("来源日期", "source date"),
}
"""Template columns: field → (zh header, en header); the zh header is what the template writes
and both are recognised."""

MESSAGES = register({
    "stats.layout": ("不是统计数据表：第 1 行需要列 年份、统计项目、数值",
                     "not a statistics sheet: row 1 needs the columns 年份, 统计项目, 数值"),
    "stats.no_sheet": ("文件中没有统计数据表（第 1 行为 年份、统计项目、数值 … 的工作表）",
                       "no statistics sheet in the file (a sheet whose row 1 holds 年份, 统计项目, "
                       "数值 …)"),
    "stats.year": ("年份应为 1949–2100 的四位数字", "the year must be a four-digit year 1949–2100"),
    "stats.unknown": ("未知的统计项目（见模板的「说明」工作表）",
                      "unknown statistic (see the template's 说明 sheet)"),
    "stats.school_blank": ("「{stat}」是全区统计，学校代码应留空",
                           "'{stat}' is a district statistic: leave the school code blank"),
    "stats.school_needed": ("「{stat}」按学校填报，需要学校代码",
                            "'{stat}' is per school: a school code is needed"),
    "stats.school_unknown": ("没有这个学校代码", "no school with this code"),
    "stats.category_blank": ("「{stat}」没有分类，应留空",
                             "'{stat}' has no category: leave it blank"),
    "stats.age": ("分类应为 0–120 的单岁年龄", "the category must be a single year of age 0–120"),
    "stats.attainment": ("分类应为受教育程度：{levels}",
                         "the category must be an attainment level: {levels}"),
    "stats.value": ("数值应为不小于 0 的数", "the value must be a number ≥ 0"),
    "stats.source": ("需要填写来源（如 第七次全国人口普查、区财政局决算）",
                     "the source is required (e.g. the census, the finance bureau's accounts)"),
    "stats.date": ("来源日期应为日期（如 2020-11-01）或留空",
                   "the source date must be a date (e.g. 2020-11-01) or blank"),
    "stats.duplicate": ("与第 {first} 行重复（同一项目、年份、学校、分类）",
                        "duplicates row {first} (same statistic, year, school, category)"),
    "stats.readme_code": ("代码", "code"), "stats.readme_name": ("统计项目", "statistic"),
    "stats.readme_unit": ("单位", "unit"), "stats.readme_level": ("填报层级", "level"),
    "stats.readme_category": ("分类填写", "category"),
    "stats.level_district": ("全区（学校代码留空）", "district (school code blank)"),
    "stats.level_school": ("按学校（填学校代码）", "per school (school code)"),
    "stats.level_both": ("全区或按学校", "district or per school"),
    "stats.category_none": ("留空", "blank"),
    "stats.category_age": ("单岁年龄 0–120", "single year of age 0–120"),
})

_BY_NAME = {**{s.code: s for s in STATISTICS.values()},
            **{norm_header(s.zh): s for s in STATISTICS.values()}}
_LEVELS = {**{k: k for k in ATTAINMENT_LEVELS}, **{v[0]: k for k, v in ATTAINMENT_LEVELS.items()}}


@dataclass
class StatsPlan:
    frame: pd.DataFrame
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)

    def write(self, con: Any) -> int:
        return upsert(con, "statistic", self.frame,
                      ["stat_code", "year", "school_code", "category"])

    def preview(self) -> dict[str, int]:
        return dict(self.counts)


def _columns(raw: RawSheet) -> dict[str, int]:
    header = [norm_header(cell_text(v)) for v in raw.cells.iloc[0].tolist()]
    found: dict[str, int] = {}
    for name, aliases in COLUMNS.items():
        names = {norm_header(a) for a in aliases} | {name}
        for j, text in enumerate(header):
            if text in names:
                found[name] = j
                break
    return found


def _date(v: Any) -> dt.date | bool | None:
    """The date of a cell; None when blank; False when not a date."""
    text = cell_text(v)
    if not text:
        return None
    return date_from_text(text) or False


def _category(stat: Statistic, text: str) -> tuple[str | None, str | None]:
    """(category, problem key) of a row."""
    if stat.category is None:
        return ("", None) if not text else (None, "stats.category_blank")
    if stat.category == "age":
        return (str(int(text)), None) if text.isdigit() and int(text) <= 120 else (
            None, "stats.age")
    level = _LEVELS.get(text)
    return (level, None) if level else (None, "stats.attainment")


def _sheet(raw: RawSheet, cols: dict[str, int], schools: set[str], problems: Problems,
           out: list[dict[str, Any]], first: dict[tuple, int]) -> int:
    header = raw.cells.iloc[0].tolist()

    def where(name: str) -> str | None:
        return f"{column_letter(cols[name])}（{header[cols[name]]}）" if name in cols else None

    def cell(row: list[Any], name: str) -> Any:
        return row[cols[name]] if name in cols else None

    n = 0
    table = raw.table()
    for i in range(1, len(table)):
        row = table[i]
        if all(cell_text(v) == "" for v in row):
            continue
        n += 1
        excel_row = i + 1

        def bad(name: str, reason: str, value: Any = None, _r: int = excel_row,
                **params: Any) -> None:
            problems.add(reason, sheet=raw.name, row=_r, column=where(name), value=value,
                         **params)

        ok = True
        year_text = cell_text(cell(row, "year"))
        year = int(year_text) if year_text.isdigit() and 1949 <= int(year_text) <= 2100 else None
        if year is None:
            bad("year", "stats.year", year_text)
            ok = False
        stat_text = cell_text(cell(row, "stat"))
        stat = _BY_NAME.get(stat_text) or _BY_NAME.get(norm_header(stat_text))
        if stat is None:
            bad("stat", "stats.unknown", stat_text)
            continue
        school = cell_text(cell(row, "school"))
        if stat.level == "district" and school:
            bad("school", "stats.school_blank", school, stat=stat.zh)
            ok = False
        elif stat.level == "school" and not school:
            bad("school", "stats.school_needed", stat=stat.zh)
            ok = False
        elif school and school not in schools:
            bad("school", "stats.school_unknown", school)
            ok = False
        cat_text = cell_text(cell(row, "category"))
        category, reason = _category(stat, cat_text)
        if reason:
            bad("category", reason, cat_text, stat=stat.zh,
                levels="、".join(v[0] for v in ATTAINMENT_LEVELS.values()))
            ok = False
        value = pd.to_numeric(pd.Series([cell(row, "value")]), errors="coerce").iloc[0]
        if pd.isna(value) or value < 0:
            bad("value", "stats.value", cell_text(cell(row, "value")))
            ok = False
        source = cell_text(cell(row, "source"))
        if not source:
            bad("source", "stats.source")
            ok = False
        date = _date(cell(row, "source_date"))
        if date is False:
            bad("source_date", "stats.date", cell_text(cell(row, "source_date")))
            ok = False
        if not ok:
            continue
        key = (stat.code, year, school, category)
        if key in first:
            bad("stat", "stats.duplicate", stat_text, first=first[key])
            continue
        first[key] = excel_row
        out.append({"stat_code": stat.code, "year": year, "school_code": school,
                    "category": category, "value": float(value), "source": source,
                    "source_date": date or None})
    return n


def plan_stats(file: str, sheets: list[RawSheet], problems: Problems,
               schools: set[str]) -> StatsPlan:
    """Check a statistics file (module docstring): the rows to write, or problems."""
    rows: list[dict[str, Any]] = []
    first: dict[tuple, int] = {}
    n_rows, found = 0, False
    for raw in sheets:
        cols = _columns(raw)
        if not {"year", "stat", "value"} <= set(cols):
            continue
        found = True
        n_rows += _sheet(raw, cols, schools, problems, rows, first)
    if not found:
        problems.add("stats.no_sheet")
    frame = pd.DataFrame(rows, columns=["stat_code", "year", "school_code", "category", "value",
                                        "source", "source_date"])
    return StatsPlan(frame, n_rows, {"statistic": len(frame)})


def import_stats(db: Database, path: str | Path, *, lang: str | None = None,
                 user: str | None = None, errors: str | Path | None = None,
                 force: bool = False, check: bool = False) -> ImportResult:
    """Import a statistics workbook (module docstring). Writes (unless ``check``)."""
    name = Path(path).name
    schools = {str(s) for s in keys(db, "school")}
    return run_import(db, path, "stats", name,
                      lambda sheets, problems: plan_stats(name, sheets, problems, schools),
                      lang=lang or db.lang, user=user, errors=errors, force=force, check=check)


def _readme_rows(template: str, lang: str) -> list[list[str]]:
    rows = []
    for s in STATISTICS.values():
        if s.template != template:
            continue
        category = {"age": "stats.category_age", None: "stats.category_none"}.get(s.category)
        cat_text = tr(category, lang) if category else "、".join(
            v[0] for v in ATTAINMENT_LEVELS.values())
        rows.append([s.code, s.zh if lang != "en" else f"{s.zh} ({s.en})", s.unit,
                     tr(f"stats.level_{s.level}", lang), cat_text])
    return rows


def write_stat_templates(out_dir: str | Path, lang: str = "zh") -> list[Path]:
    """Write one blank template per :data:`TEMPLATES` entry into ``out_dir`` (统计_人口.xlsx …
    / stats_population.xlsx …). Writes files."""
    import xlsxwriter

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for code, (zh, _en) in TEMPLATES.items():
        path = folder / (f"stats_{code}.xlsx" if lang == "en" else f"统计_{zh}.xlsx")
        wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
        bold = wb.add_format({"bold": True})
        data = wb.add_worksheet(zh)
        data.write_row(0, 0, [zh_header for zh_header, _ in COLUMNS.values()], bold)
        data.set_column(0, 6, 16)
        data.freeze_panes(1, 0)
        readme = wb.add_worksheet("说明")
        readme.write_row(0, 0, [tr(f"stats.readme_{k}", lang) for k in
                                ("code", "name", "unit", "level", "category")], bold)
        for r, row in enumerate(_readme_rows(code, lang), start=1):
            readme.write_row(r, 0, row)
        readme.set_column(0, 0, 30)
        readme.set_column(1, 1, 50)
        readme.set_column(2, 4, 24)
        wb.close()
        written.append(path)
    return written
