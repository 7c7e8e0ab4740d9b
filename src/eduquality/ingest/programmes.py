"""The programmes' workbook (issue 14 §1, §4): its blank template and its import.

``eduquality template programmes`` writes one workbook (:func:`write_programme_template`) with
one sheet per entry of :data:`SHEETS` (工作室, 工作室成员, 师徒结对, 工作室活动, 教师培训, 交流轮岗,
后备人才库, 结对学校, 学生资助) and a 说明 sheet saying what each column holds.

``eduquality import programmes FILE`` (:func:`import_programmes`) reads every sheet named as in
:data:`SHEETS` (zh or en name) with the importers' guarantees (:mod:`eduquality.ingest.importer`):
every problem located (sheet, row, column, value, reason, zh/en), nothing written when there is
one, one transaction, logged in ``import_log`` (kind 'programmes'). A sheet with data whose name
is none of them is a problem (a misnamed sheet would otherwise be skipped silently); 说明 is
skipped; a sheet may be left out or empty. Rules:

- every required column present in row 1; required cells filled;
- 教师工号 / 学校代码 / 学年 on record; 学籍号 a student on record; 学科 a subject; 工作室编号
  a studio of the same file or on record;
- codes of the vocabularies by label or alias (类型 名师工作室/名校长基地, 级别 区级/市级/省级,
  活动类型 教研/送教/课题, 结对类型 名校融民校/名校办分校, 资助类型 …);
- dates (2023-09-01, 2023/9/1, 2023年9月1日) with an end never before its start; numbers ≥ 0;
  信息技术学时 ≤ 培训学时; a 名师工作室 has a subject; a mentor is not their own mentee; a
  rotation and a partnership join two different schools;
- the same key twice in a file is a problem (naming the first row).

Rows whose key is on record are updated (a corrected file updates): studio by 工作室编号, member
by studio and teacher, mentoring by mentor and mentee, activity by studio, date, type and title,
training and reserve by teacher and year, rotation by teacher and start, partnership by the two
schools, support by student, year and type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eduquality.i18n import register, tr
from eduquality.ingest.cells import parse_year
from eduquality.ingest.importer import ImportResult, run_import
from eduquality.ingest.problems import Problems, listed
from eduquality.ingest.readers import RawSheet, column_letter
from eduquality.ingest.values import as_number, as_text, norm_header, parse_date
from eduquality.ingest.writes import upsert
from eduquality.outputs import XLSX_OPTIONS
from eduquality.store.db import Database
from eduquality.store.programmes import studio_ids
from eduquality.store.refs import keys
from eduquality.store.students import student_ids
from eduquality.vocab import (
    ACTIVITY_KINDS,
    PARTNERSHIP_KINDS,
    PROGRAMME_LEVELS,
    STUDIO_KINDS,
    SUBJECTS,
    SUPPORT_KINDS,
    Vocabulary,
)

__all__ = ["SHEETS", "import_programmes", "plan_programmes", "write_programme_template"]

MESSAGES = register({
    "prog.unknown_sheet": ("无法识别的工作表「{name}」：工作表名应为 {names} 之一",
                           "sheet '{name}' not recognised: a sheet must be named one of {names}"),
    "prog.no_sheet": ("文件中没有可导入的工作表（{names}）",
                      "no sheet to import in the file ({names})"),
    "prog.missing_column": ("缺少列「{name}」", "missing column '{name}'"),
    "prog.required": ("必填", "required"),
    "prog.teacher": ("没有这个教师工号", "no teacher with this ID"),
    "prog.school": ("没有这个学校代码", "no school with this code"),
    "prog.student": ("没有这个学籍号的学生", "no student with this ID"),
    "prog.year": ("学年应为已登记的学年（如 2023-2024）",
                  "the school year must be one on record (e.g. 2023-2024)"),
    "prog.studio": ("没有这个工作室编号（本文件「工作室」表或已导入的）",
                    "no studio with this code (in this file's studio sheet or on record)"),
    "prog.vocab": ("无法识别，应为：{choices}", "not recognised; one of: {choices}"),
    "prog.date": ("应为日期（如 2023-09-01）", "must be a date (e.g. 2023-09-01)"),
    "prog.number": ("应为不小于 0 的数", "must be a number ≥ 0"),
    "prog.integer": ("应为不小于 0 的整数", "must be a whole number ≥ 0"),
    "prog.start_year": ("应为 1949–2100 的年份", "must be a year 1949–2100"),
    "prog.end_before_start": ("结束日期早于开始日期", "the end date is before the start date"),
    "prog.it_hours": ("信息技术学时多于培训学时", "more IT hours than training hours"),
    "prog.subject_needed": ("名师工作室需要填写学科", "a master teacher studio needs a subject"),
    "prog.self_mentor": ("导师与学员是同一人", "the mentor is the mentee"),
    "prog.same_school": ("两个学校相同", "the two schools are the same"),
    "prog.duplicate": ("与第 {first} 行重复（{key}）", "duplicates row {first} ({key})"),
    "prog.readme_sheet": ("工作表", "sheet"), "prog.readme_column": ("列", "column"),
    "prog.readme_content": ("填写", "content"), "prog.readme_required": ("必填", "required"),
    "prog.yes": ("是", "yes"), "prog.no": ("否", "no"),
    "prog.kind_text": ("文字", "text"), "prog.kind_teacher": ("教师工号（已登记）",
                                                          "teacher ID on record"),
    "prog.kind_school": ("学校代码（已登记）", "school code on record"),
    "prog.kind_student": ("学籍号（已登记）", "student ID on record"),
    "prog.kind_studio": ("工作室编号", "studio code"),
    "prog.kind_year": ("学年，如 2023-2024", "school year, e.g. 2023-2024"),
    "prog.kind_date": ("日期，如 2023-09-01", "date, e.g. 2023-09-01"),
    "prog.kind_number": ("数（≥ 0）", "number (≥ 0)"),
    "prog.kind_integer": ("整数（≥ 0）", "whole number (≥ 0)"),
    "prog.kind_start_year": ("年份，如 2021", "year, e.g. 2021"),
})


@dataclass(frozen=True)
class Column:
    """A column of a sheet: the table column it fills, its headers, what it holds (``kind``:
    text, teacher, school, student, studio, year, date, number, integer, start_year, or a
    vocabulary) and whether it is required."""

    field: str
    zh: str
    en: str
    kind: str | Vocabulary
    required: bool = True


@dataclass(frozen=True)
class Sheet:
    """A sheet of the workbook: its names, the table it fills and that table's key."""

    code: str
    zh: str
    en: str
    table: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]


_TEACHER = Column("teacher_id", "教师工号", "teacher ID", "teacher")
_STUDIO = Column("studio_id", "工作室编号", "studio code", "studio")

SHEETS: tuple[Sheet, ...] = (
    Sheet("studio", "工作室", "studios", "studio", ("studio_id",), (
        Column("studio_id", "工作室编号", "studio code", "text"),
        Column("name", "名称", "name", "text"),
        Column("kind", "类型", "type", STUDIO_KINDS),
        Column("host_teacher_id", "主持人工号", "host teacher ID", "teacher"),
        Column("subject_code", "学科", "subject", SUBJECTS, required=False),
        Column("level", "级别", "level", PROGRAMME_LEVELS),
        Column("start_date", "成立日期", "start date", "date"),
        Column("end_date", "结束日期", "end date", "date", required=False))),
    Sheet("member", "工作室成员", "studio members", "studio_member", ("studio_id", "teacher_id"), (
        _STUDIO, _TEACHER,
        Column("joined", "加入日期", "joined", "date"),
        Column("left_on", "退出日期", "left", "date", required=False))),
    Sheet("mentoring", "师徒结对", "mentoring", "mentoring", ("mentor_id", "mentee_id"), (
        Column("mentor_id", "导师工号", "mentor ID", "teacher"),
        Column("mentee_id", "学员工号", "mentee ID", "teacher"),
        Column("studio_id", "工作室编号", "studio code", "studio", required=False),
        Column("start_date", "开始日期", "start date", "date"),
        Column("end_date", "结束日期", "end date", "date", required=False))),
    Sheet("activity", "工作室活动", "activities", "programme_activity",
          ("studio_id", "activity_date", "kind", "title"), (
              _STUDIO,
              Column("activity_date", "日期", "date", "date"),
              Column("kind", "活动类型", "activity type", ACTIVITY_KINDS),
              Column("title", "主题", "title", "text"),
              Column("school_code", "送教学校代码", "school visited", "school", required=False),
              Column("participants", "参与人数", "participants", "integer", required=False))),
    Sheet("training", "教师培训", "training", "teacher_training", ("teacher_id", "year_code"), (
        _TEACHER,
        Column("year_code", "学年", "school year", "year"),
        Column("hours", "培训学时", "training hours", "number"),
        Column("it_hours", "信息技术学时", "IT hours", "number", required=False))),
    Sheet("rotation", "交流轮岗", "rotations", "teacher_rotation", ("teacher_id", "start_date"), (
        _TEACHER,
        Column("from_school", "原学校代码", "from school", "school"),
        Column("to_school", "交流学校代码", "to school", "school"),
        Column("start_date", "开始日期", "start date", "date"),
        Column("end_date", "结束日期", "end date", "date", required=False))),
    Sheet("reserve", "后备人才库", "principal reserve", "principal_reserve",
          ("teacher_id", "year_code"), (
              _TEACHER,
              Column("year_code", "入库学年", "school year", "year"),
              Column("note", "备注", "note", "text", required=False))),
    Sheet("partnership", "结对学校", "partner schools", "school_partnership",
          ("lead_school", "partner_school"), (
              Column("lead_school", "牵头学校代码", "leading school", "school"),
              Column("partner_school", "结对学校代码", "partner school", "school"),
              Column("kind", "结对类型", "type", PARTNERSHIP_KINDS),
              Column("start_year", "起始年份", "start year", "start_year"))),
    Sheet("support", "学生资助", "student support", "student_support",
          ("student_id", "year_code", "kind"), (
              Column("student_id", "学籍号", "student ID", "student"),
              Column("year_code", "学年", "school year", "year"),
              Column("kind", "资助类型", "support type", SUPPORT_KINDS),
              Column("amount", "金额（元）", "amount (yuan)", "number"))),
)
"""The sheets in the order they are written (a studio before the rows that name it)."""

_BY_NAME = {norm_header(n): s for s in SHEETS for n in (s.zh, s.en, s.code)}
_README = "说明"


@dataclass
class Refs:
    """What the file's references are checked against (keys on record)."""

    teachers: set[str]
    schools: set[str]
    years: set[str]
    studios: set[str]
    students: dict[str, int]
    """national_id → student_id."""


@dataclass
class ProgrammePlan:
    frames: dict[str, pd.DataFrame]
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)

    def write(self, con: Any) -> int:
        return sum(upsert(con, s.table, self.frames[s.code], list(s.key))
                   for s in SHEETS if s.code in self.frames)

    def preview(self) -> dict[str, int]:
        return dict(self.counts)


def _vocab_parse(vocab: Vocabulary) -> Callable[[str], Any]:
    if vocab is SUBJECTS:
        return lambda t: None if vocab.parse(t) == "total" else vocab.parse(t)
    return vocab.parse


def _parse(col: Column, text: pd.Series, raw: pd.Series, refs: Refs
           ) -> tuple[pd.Series, np.ndarray, str, dict[str, Any]]:
    """(values, mask of non-blank bad cells, reason, params) of one column."""
    present = text.notna().to_numpy()
    kind = col.kind
    if isinstance(kind, Vocabulary):
        parse = _vocab_parse(kind)
        values = text.map(lambda t: parse(t) if isinstance(t, str) else None)
        choices = "、".join(t.zh for t in kind.terms.values() if t.code != "total")
        return values, present & values.isna().to_numpy(), "prog.vocab", {"choices": choices}
    if kind in ("date",):
        parsed, bad = parse_date(raw)
        return parsed.dt.date.astype(object).where(parsed.notna(), None), bad, "prog.date", {}
    if kind in ("number", "integer", "start_year"):
        num, bad = as_number(raw)
        with np.errstate(invalid="ignore"):
            if kind == "number":
                bad = bad | (present & ~(num >= 0))
                reason = "prog.number"
            elif kind == "integer":
                bad = bad | (present & ~((num >= 0) & (num == np.round(num))))
                reason = "prog.integer"
            else:
                bad = bad | (present & ~((num >= 1949) & (num <= 2100) & (num == np.round(num))))
                reason = "prog.start_year"
        return pd.Series(num, index=text.index), bad, reason, {}
    if kind == "year":
        values = text.map(lambda t: parse_year(t) if isinstance(t, str) else None)
        ok = values.map(lambda y: y in refs.years if isinstance(y, str) else False)
        return values.where(ok, None), present & ~ok.to_numpy(dtype=bool), "prog.year", {}
    if kind == "student":
        values = text.map(lambda t: refs.students.get(t) if isinstance(t, str) else None)
        return values, present & values.isna().to_numpy(), "prog.student", {}
    known = {"teacher": refs.teachers, "school": refs.schools, "studio": refs.studios}.get(
        str(kind))
    if known is None:   # text
        return text.astype(object).where(text.notna(), None), np.zeros(len(text), bool), "", {}
    on_record = text.map(lambda t: isinstance(t, str) and t in known).to_numpy(dtype=bool)
    return (text.astype(object).where(text.notna(), None), present & ~on_record,
            f"prog.{kind}", {})


def _pairs(sheet: Sheet, frame: pd.DataFrame) -> list[tuple[np.ndarray, tuple[str, ...], str]]:
    """Rules across the columns of a row: (mask of bad rows, the columns involved (the last
    one is where the problem is shown), reason)."""
    def later(a: str, b: str) -> np.ndarray:
        x, y = pd.to_datetime(frame[a]), pd.to_datetime(frame[b])
        return (x.notna() & y.notna() & (y < x)).to_numpy()

    rules: list[tuple[np.ndarray, tuple[str, ...], str]] = []
    for start, end in (("start_date", "end_date"), ("joined", "left_on")):
        if start in frame and end in frame:
            rules.append((later(start, end), (start, end), "prog.end_before_start"))
    if sheet.code == "studio":
        rules.append((((frame["kind"] == "studio") & frame["subject_code"].isna()).to_numpy(),
                      ("kind", "subject_code"), "prog.subject_needed"))
    if sheet.code == "training":
        rules.append(((frame["it_hours"] > frame["hours"]).to_numpy(), ("hours", "it_hours"),
                      "prog.it_hours"))
    if sheet.code == "mentoring":
        rules.append((((frame["mentor_id"] == frame["mentee_id"])
                       & frame["mentor_id"].notna()).to_numpy(), ("mentor_id", "mentee_id"),
                      "prog.self_mentor"))
    for a, b in (("from_school", "to_school"), ("lead_school", "partner_school")):
        if a in frame and b in frame:
            rules.append((((frame[a] == frame[b]) & frame[a].notna()).to_numpy(), (a, b),
                          "prog.same_school"))
    return rules


def _read_sheet(raw: RawSheet, sheet: Sheet, refs: Refs, problems: Problems) -> tuple[
        pd.DataFrame, int]:
    header = [norm_header(v) for v in raw.row(0).tolist()]
    where: dict[str, int] = {}
    for col in sheet.columns:
        names = {norm_header(col.zh), norm_header(col.en)}
        found = [j for j, h in enumerate(header) if h in names]
        if found:
            where[col.field] = found[0]
        elif col.required:
            problems.add("prog.missing_column", sheet=raw.name, row=1, name=col.zh)
    if any(c.required and c.field not in where for c in sheet.columns):
        return pd.DataFrame(), 0
    body = raw.body(1)
    filled = pd.Series(False, index=body.index)
    texts: dict[str, pd.Series] = {}
    for f, j in where.items():
        texts[f] = as_text(body.iloc[:, j]) if j < body.shape[1] else pd.Series(
            None, index=body.index, dtype=object)
        filled |= texts[f].notna()
    rows = np.flatnonzero(filled.to_numpy()) + 2   # Excel rows
    keep = filled.to_numpy()
    frame = pd.DataFrame(index=range(int(keep.sum())))
    valid: dict[str, np.ndarray] = {}

    def letter(f: str) -> str:
        return f"{column_letter(where[f])}（{raw.row(0).iloc[where[f]]}）"

    for col in sheet.columns:
        if col.field not in where:
            frame[col.field] = 0.0 if col.kind == "number" else None
            valid[col.field] = np.ones(len(frame), dtype=bool)
            continue
        text = texts[col.field][keep].reset_index(drop=True)
        cells = body.iloc[:, where[col.field]][keep].reset_index(drop=True) if where[
            col.field] < body.shape[1] else text
        values, bad, reason, params = _parse(col, text, cells, refs)
        missing = text.isna().to_numpy()
        if col.required:
            problems.add_rows("prog.required", missing, sheet=raw.name, rows=rows,
                              column=letter(col.field), values=None)
        problems.add_rows(reason, bad, sheet=raw.name, rows=rows, column=letter(col.field),
                          values=text, **params)
        valid[col.field] = ~bad & ~(missing & col.required)
        if col.kind == "number" and not col.required:
            values = values.fillna(0.0)
        frame[col.field] = values.to_numpy()
    ok = np.logical_and.reduce([valid[c.field] for c in sheet.columns])
    for bad, fields, reason in _pairs(sheet, frame):
        bad = bad & np.logical_and.reduce([valid[f] for f in fields])
        problems.add_rows(reason, bad, sheet=raw.name, rows=rows,
                          column=letter(fields[-1]) if fields[-1] in where else None,
                          values=None)
        ok &= ~bad
    key = list(sheet.key)
    keyed = np.logical_and.reduce([valid[k] for k in key])
    dup = np.zeros(len(frame), dtype=bool)
    dup[keyed] = frame[keyed].duplicated(key, keep="first").to_numpy()
    if dup.any():
        first_row: dict[tuple, int] = {}
        for i in np.flatnonzero(keyed):
            k = tuple(frame.at[i, c] for c in key)
            if dup[i]:
                problems.add("prog.duplicate", sheet=raw.name, row=int(rows[i]),
                             first=int(first_row[k]), key="、".join(str(v) for v in k))
            else:
                first_row.setdefault(k, int(rows[i]))
    frame = frame[ok & ~dup].reset_index(drop=True)
    for c in sheet.columns:
        if c.kind in ("integer", "start_year"):
            frame[c.field] = pd.array(frame[c.field], dtype="Int64")
    return frame, int(keep.sum())


def plan_programmes(sheets: list[RawSheet], problems: Problems, refs: Refs) -> ProgrammePlan:
    """Check a programmes workbook (module docstring): the rows to write, or problems."""
    names = listed([s.zh for s in SHEETS])
    found: dict[str, RawSheet] = {}
    for raw in sheets:
        spec = _BY_NAME.get(norm_header(raw.name))
        if spec is not None:
            found[spec.code] = raw
        elif norm_header(raw.name) != norm_header(_README) and raw.n_rows > 0:
            problems.add("prog.unknown_sheet", sheet=raw.name, name=raw.name, names=names)
    if not found:
        problems.add("prog.no_sheet", names=names)
    frames: dict[str, pd.DataFrame] = {}
    n = 0
    if "studio" in found:   # the file's studios may be named by its other sheets
        studio_ids = as_text(found["studio"].body(1).iloc[:, 0]) if found[
            "studio"].n_rows > 1 else pd.Series([], dtype=object)
        refs.studios |= {s for s in studio_ids.dropna()}
    for spec in SHEETS:
        if spec.code in found and found[spec.code].n_rows > 1:
            frame, read = _read_sheet(found[spec.code], spec, refs, problems)
            n += read
            if not frame.empty:
                frames[spec.code] = frame
    return ProgrammePlan(frames, n, {SHEETS_BY_CODE[c].table: len(f) for c, f in frames.items()})


SHEETS_BY_CODE = {s.code: s for s in SHEETS}


def _refs(db: Database) -> Refs:
    ids = student_ids(db)
    students = dict(zip(ids["national_id"].tolist(), ids["student_id"].tolist(), strict=True))
    return Refs({str(t) for t in keys(db, "teacher")}, {str(s) for s in keys(db, "school")},
                {str(y) for y in keys(db, "year")}, studio_ids(db), students)


def import_programmes(db: Database, path: str | Path, *, lang: str | None = None,
                      user: str | None = None, errors: str | Path | None = None,
                      force: bool = False, check: bool = False) -> ImportResult:
    """Import a programmes workbook (module docstring). Writes (unless ``check``)."""
    name = Path(path).name
    refs = _refs(db)
    return run_import(db, path, "programmes", name,
                      lambda sheets, problems: plan_programmes(sheets, problems, refs),
                      lang=lang or db.lang, user=user, errors=errors, force=force, check=check)


def _content(col: Column, lang: str) -> str:
    if isinstance(col.kind, Vocabulary):
        return "、".join(t.zh for t in col.kind.terms.values() if t.code != "total")
    return tr(f"prog.kind_{col.kind}", lang)


def write_programme_template(out_dir: str | Path, lang: str = "zh") -> Path:
    """Write the blank workbook into ``out_dir`` (三名工程与结对资助.xlsx / programmes.xlsx): one
    sheet per :data:`SHEETS` entry (named in Chinese, which the import reads in either
    language) and the 说明 sheet. Writes a file."""
    import xlsxwriter

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("programmes.xlsx" if lang == "en" else "三名工程与结对资助.xlsx")
    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    bold = wb.add_format({"bold": True})
    readme_rows = []
    for spec in SHEETS:
        ws = wb.add_worksheet(spec.zh)
        ws.write_row(0, 0, [c.zh for c in spec.columns], bold)
        ws.set_column(0, len(spec.columns) - 1, 16)
        ws.freeze_panes(1, 0)
        for c in spec.columns:
            readme_rows.append([spec.zh if lang != "en" else f"{spec.zh} ({spec.en})",
                                c.zh if lang != "en" else f"{c.zh} ({c.en})", _content(c, lang),
                                tr("prog.yes" if c.required else "prog.no", lang)])
    readme = wb.add_worksheet(_README)
    readme.write_row(0, 0, [tr(f"prog.readme_{k}", lang) for k in
                            ("sheet", "column", "content", "required")], bold)
    for r, row in enumerate(readme_rows, start=1):
        readme.write_row(r, 0, row)
    readme.set_column(0, 1, 24)
    readme.set_column(2, 2, 50)
    wb.close()
    return path
