"""Rosters: district, school years, schools, classes, teachers, assignments, students,
enrolment events and district statistics (docs/file-formats.md, "Rosters").

Each sheet is one kind, recognised from its headers (or ``--kind``). All sheets are checked first
— values, duplicates, and references to schools, years, classes, teachers and students that exist
either in the database or in the same workbook — and only a problem-free workbook is written, in
dependency order, by idempotent upserts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.cells import Cells
from eduquality.ingest.headers import Grid, Layout, find_header_row, make_grid, match_columns
from eduquality.ingest.layouts import (
    KIND_NAMES,
    ROSTER_LAYOUTS,
)
from eduquality.ingest.problems import Problems
from eduquality.ingest.readers import RawSheet
from eduquality.ingest.templates import SheetMapping, sheet_mapping
from eduquality.ingest.values import norm_header, records
from eduquality.ingest.writes import changed_rows, replace_rows, upsert
from eduquality.store.db import Database
from eduquality.vocab import (
    ENROLMENT_EVENTS,
    GENDER,
    LOCALE,
    OWNERSHIP,
    STAGES,
    SUBJECTS,
    TEACHER_TIERS,
    TRACKS,
)

MESSAGES = register({
    "ingest.kind_unknown": (
        "无法判断该工作表是哪类名册（学校、班级、学生……），请用 --kind 指定，或检查列名",
        "cannot tell which kind of roster this sheet is (schools, classes, students …); "
        "use --kind or check the headers",
    ),
    "ingest.bad_kind": ("未知名册类型 {kind}（可用：{kinds}）",
                        "unknown roster kind {kind} (kinds: {kinds})"),
    "ingest.unknown_ref": (
        "未知{what}（数据库和本文件中都没有）",
        "unknown {what} (neither in the database nor in this file)",
    ),
    "ingest.no_district": (
        "无法确定学校所属区县：请先导入区县，或在表中加「区县代码」列",
        "cannot tell the school's district: import the district first or add a 区县代码 column",
    ),
    "ingest.dates_order": ("结束日期应晚于开始日期", "the end date must be after the start date"),
    "ingest.locked_row": (
        "数据库中已有该{what}且已被引用，其属性无法修改（数据库限制）；如确需修改请联系管理员",
        "this {what} already exists and is referenced; its attributes cannot be changed "
        "(database limitation); ask the administrator",
    ),
    "ingest.tier_year_missing": (
        "填写了骨干/名师却没有「认定学年」", "a tier is given without its 认定学年 (year)",
    ),
    "ingest.what_school": ("学校代码", "school code"),
    "ingest.what_year": ("学年", "school year"),
    "ingest.what_class": ("班级", "class"),
    "ingest.what_teacher": ("教师工号", "teacher id"),
    "ingest.what_student": ("学籍号", "student id"),
    "ingest.what_district": ("区县代码", "district code"),
})

#: the order sheets are written in (dependencies first)
WRITE_ORDER = ["district", "school_year", "school", "class", "teacher", "assignment", "student",
               "event", "district_statistic"]


def class_id(school: pd.Series, year: pd.Series, grade: pd.Series, name: pd.Series) -> pd.Series:
    """The identifier of a class: ``school/year/grade/name`` (``5301/2021-2022/9/1班``)."""
    return (school.astype(str) + "/" + year.astype(str) + "/"
            + grade.astype("Int64").astype(str) + "/" + name.astype(str))


@dataclass
class Known:
    """Keys present in the database, extended with those of the workbook being imported."""

    districts: set[str]
    years: set[str]
    schools: set[str]
    classes: dict[tuple[str, str, int, str], str]
    teachers: set[str]
    students: set[str]

    @classmethod
    def from_db(cls, db: Database) -> Known:
        classes = db.sql("SELECT class_id, school_code, year_code, grade, name FROM class")
        return cls(
            set(db.sql("SELECT district_code FROM district")["district_code"]),
            set(db.sql("SELECT year_code FROM school_year")["year_code"]),
            set(db.sql("SELECT school_code FROM school")["school_code"]),
            {(r.school_code, r.year_code, int(r.grade), r.name): r.class_id
             for r in records(classes)},
            set(db.sql("SELECT teacher_id FROM teacher")["teacher_id"]),
            set(db.sql("SELECT national_id FROM student")["national_id"]),
        )


@dataclass
class Sheet:
    layout: Layout
    cells: Cells
    frame: pd.DataFrame
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)


def detect_layout(raw: RawSheet, user_map: dict[str, str], kind: str | None,
                  ) -> tuple[Layout | None, int]:
    """The layout of a sheet (by its headers, or ``kind``) and its header row."""
    known: set[str] = set()
    for lay in ROSTER_LAYOUTS:
        known |= set(lay.lookup())
    known |= {norm_header(v) for v in user_map.values()} | set(user_map)
    row = find_header_row(raw, known)
    headers = [norm_header(user_map.get(norm_header(t), t))
               for t in raw.cells.iloc[row].tolist() if t is not None] if len(raw.cells) else []
    if kind is not None:
        return next(lay for lay in ROSTER_LAYOUTS if lay.kind == kind), row
    best: tuple[int, int, Layout] | None = None
    for lay in ROSTER_LAYOUTS:
        lookup = lay.lookup()
        fields = {lookup[h] for h in headers if h in lookup}
        if not all(f.name in fields for f in lay.required()):
            continue
        score = (len(lay.required()), len(fields))
        if best is None or score > best[:2]:
            best = (*score, lay)
    return (best[2] if best else None), row


def _ref(cells: Cells, values: pd.Series, known: set[Any] | dict[Any, Any], column: str,
         what: str, lang: str) -> np.ndarray:
    """Report values (non-null) not in ``known``."""
    present = values.notna().to_numpy()
    bad = present & ~values.isin(list(known) if isinstance(known, dict) else known).to_numpy()
    cells.report(column, bad, "ingest.unknown_ref", values=values, what=what)
    return bad


def _parse_sheet(lay: Layout, c: Cells) -> Sheet:
    """Values of one sheet → a clean frame (problems for bad values and duplicate keys)."""
    k = lay.kind
    f: dict[str, Any] = {}
    extra: dict[str, pd.DataFrame] = {}
    if k == "district":
        f = {"district_code": c.text("district_code", True), "name": c.text("name", True),
             "city": c.text("city"), "province": c.text("province")}
        key = ["district_code"]
    elif k == "school_year":
        f = {"year_code": c.year("year_code", True), "start_date": c.date("start_date", True),
             "end_date": c.date("end_date", True)}
        bad = (f["end_date"] <= f["start_date"]).to_numpy(dtype=bool)
        c.report("end_date", bad, "ingest.dates_order")
        key = ["year_code"]
    elif k == "school":
        f = {"school_code": c.text("school_code", True), "name": c.text("name", True),
             "district_code": c.text("district_code"), "stage": c.vocab("stage", STAGES, True),
             "ownership": c.vocab("ownership", OWNERSHIP, True),
             "locale": c.vocab("locale", LOCALE, True), "tier": c.text("tier"),
             "peer_group": c.text("peer_group"),
             "parent_school_code": c.text("parent_school_code")}
        key = ["school_code"]
    elif k == "class":
        f = {"school_code": c.text("school_code", True), "year_code": c.year("year_code", True),
             "grade": c.grade("grade", True), "name": c.text("name", True),
             "track": c.vocab("track", TRACKS), "head_teacher_id": c.text("head_teacher_id")}
        key = ["school_code", "year_code", "grade", "name"]
    elif k == "teacher":
        f = {"teacher_id": c.text("teacher_id", True), "name": c.text("name", True),
             "gender": c.vocab("gender", GENDER), "school_code": c.text("school_code", True),
             "subject_code": c.vocab("subject", SUBJECTS, True), "title": c.text("title"),
             "qualification": c.text("qualification")}
        tiers = c.text("tiers")
        year = c.year("tier_year")
        has = tiers.notna().to_numpy()
        c.report("tiers", has & year.isna().to_numpy(), "ingest.tier_year_missing")
        if has.any():
            parts = tiers.str.replace(r"[;；、,，]", ";", regex=True).str.split(";")
            long = pd.DataFrame({"teacher_id": f["teacher_id"], "year_code": year,
                                 "tier_text": parts, "pos": np.arange(c.n)}).explode("tier_text")
            long["tier_text"] = long["tier_text"].str.strip()
            long = long[long["tier_text"].fillna("") != ""]
            long["tier"] = long["tier_text"].map(TEACHER_TIERS.parse)
            bad = np.zeros(c.n, dtype=bool)
            bad[long.loc[long["tier"].isna(), "pos"].to_numpy(dtype=int)] = True
            allowed = "、".join(t.zh for t in TEACHER_TIERS.terms.values())
            c.report("tiers", bad, "ingest.bad_vocab", label="骨干/名师", allowed=allowed)
            extra["programme"] = long.dropna(subset=["tier", "year_code", "teacher_id"])[
                ["teacher_id", "tier", "year_code"]].drop_duplicates()
        extra["tier_year"] = pd.DataFrame({"year_code": year})
        key = ["teacher_id"]
    elif k == "assignment":
        f = {"school_code": c.text("school_code", True), "year_code": c.year("year_code", True),
             "grade": c.grade("grade", True), "class_name": c.text("class_name", True),
             "subject_code": c.vocab("subject", SUBJECTS, True),
             "teacher_id": c.text("teacher_id", True)}
        key = ["school_code", "year_code", "grade", "class_name", "subject_code"]
    elif k == "student":
        f = {"national_id": c.text("national_id", True), "name": c.text("name", True),
             "gender": c.vocab("gender", GENDER, True), "ethnicity": c.text("ethnicity"),
             "birth_date": c.date("birth_date"),
             "poverty_registered": c.flag("poverty_registered"), "disabled": c.flag("disabled"),
             "migrant": c.flag("migrant"), "left_behind": c.flag("left_behind"),
             "school_code": c.text("school_code", True), "year_code": c.year("year_code", True),
             "grade": c.grade("grade", True), "class_name": c.text("class_name", True),
             "admission_date": c.date("admission_date")}
        key = ["national_id", "year_code"]
    elif k == "event":
        f = {"national_id": c.text("national_id", True), "event_date": c.date("event_date", True),
             "event_type": c.vocab("event_type", ENROLMENT_EVENTS, True),
             "school_code": c.text("school_code", True), "note": c.text("note")}
        key = ["national_id", "event_date", "event_type"]
    else:  # district_statistic
        f = {"district_code": c.text("district_code"), "year_code": c.year("year_code", True),
             "indicator": c.text("indicator", True), "value": c.number("value", True),
             "note": c.text("note")}
        key = ["district_code", "year_code", "indicator"]
    frame = pd.DataFrame({n: pd.Series(v).reset_index(drop=True) for n, v in f.items()})
    first_key_col = next(n for n in lay.fields if n.required).name
    if k == "district_statistic":
        key = key[1:]  # the district is often implied (filled in later)
    c.duplicates(frame, key, first_key_col)
    return Sheet(lay, c, frame, extra)


def _cross_check(sheets: list[Sheet], known: Known, lang: str) -> None:
    """References between sheets and to the database; fills class ids and district codes."""
    for s in sheets:
        fr, c, k = s.frame, s.cells, s.layout.kind
        if k == "district":
            known.districts |= set(fr["district_code"].dropna())
        elif k == "school_year":
            known.years |= set(fr["year_code"].dropna())
        elif k == "school":
            known.schools |= set(fr["school_code"].dropna())
        elif k == "teacher":
            known.teachers |= set(fr["teacher_id"].dropna())
        elif k == "student":
            known.students |= set(fr["national_id"].dropna())
    for s in sheets:
        if s.layout.kind == "class":
            fr = s.frame
            ok = fr[["school_code", "year_code", "grade", "name"]].notna().all(axis=1)
            ids = class_id(fr["school_code"], fr["year_code"], fr["grade"], fr["name"])
            for r, cid in zip(records(fr[ok]), ids[ok], strict=True):
                known.classes.setdefault((r.school_code, r.year_code, int(r.grade), r.name), cid)
    for s in sheets:
        fr, c, k = s.frame, s.cells, s.layout.kind
        if k in ("class", "teacher", "assignment", "student", "event"):
            _ref(c, fr["school_code"], known.schools, "school_code", "ingest.what_school", lang)
        if k in ("class", "assignment", "student", "district_statistic"):
            _ref(c, fr["year_code"], known.years, "year_code", "ingest.what_year", lang)
        if k == "school":
            _ref(c, fr["parent_school_code"], known.schools, "parent_school_code",
                 "ingest.what_school", lang)
        if k in ("school", "district_statistic"):
            missing = fr["district_code"].isna().to_numpy()
            if missing.any():
                if len(known.districts) == 1:
                    fr.loc[missing, "district_code"] = next(iter(known.districts))
                else:
                    c.report(next(iter(c.cols)), missing, "ingest.no_district", values=None)
            col = "district_code" if "district_code" in c.cols else next(iter(c.cols))
            _ref(c, fr["district_code"].where(~pd.Series(missing)), known.districts, col,
                 "ingest.what_district", lang)
        if k == "teacher" and "tier_year" in s.extra:
            _ref(c, s.extra["tier_year"]["year_code"], known.years, "tier_year",
                 "ingest.what_year", lang)
        if k in ("assignment", "student"):
            name_col = "class_name"
            keys = list(zip(fr["school_code"], fr["year_code"], fr["grade"], fr[name_col],
                            strict=True))
            fr["class_id"] = [known.classes.get((a, b, int(g), n)) if pd.notna(g) else None
                              for a, b, g, n in keys]
            complete = fr[["school_code", "year_code", "grade", name_col]].notna().all(axis=1)
            school_known = fr["school_code"].isin(known.schools)  # else reported already
            bad = (complete & school_known & fr["class_id"].isna()).to_numpy()
            shown = (fr["school_code"].astype(str) + " " + fr["year_code"].astype(str) + " "
                     + fr["grade"].astype(str) + "年级 " + fr[name_col].astype(str))
            c.report(name_col, bad, "ingest.unknown_ref", values=shown,
                     what="ingest.what_class")
        if k == "assignment":
            _ref(c, fr["teacher_id"], known.teachers, "teacher_id", "ingest.what_teacher", lang)
        if k == "event":
            _ref(c, fr["national_id"], known.students, "national_id", "ingest.what_student",
                 lang)


@dataclass
class RosterPlan:
    """Validated frames, ready to be written."""

    sheets: list[Sheet]
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)
    mapping: list[SheetMapping] = field(default_factory=list)

    def preview(self) -> dict[str, int]:
        """Rows per kind that :meth:`write` would write (``import check``)."""
        out: dict[str, int] = {}
        for s in self.sheets:
            out[s.layout.kind] = out.get(s.layout.kind, 0) + len(s.frame)
        return out

    def write(self, con: Any) -> int:
        """Write every sheet in dependency order. Writes; returns rows written."""
        by_kind: dict[str, list[Sheet]] = {}
        for s in self.sheets:
            by_kind.setdefault(s.layout.kind, []).append(s)
        total = 0
        for kind in WRITE_ORDER:
            for s in by_kind.get(kind, []):
                n = _write_sheet(con, s)
                self.counts[kind] = self.counts.get(kind, 0) + n
                total += n
        for s in by_kind.get("student", []):
            n = _write_admissions(con, s.frame)
            self.counts["admission_events"] = self.counts.get("admission_events", 0) + n
            total += n
        return total


def _write_sheet(con: Any, s: Sheet) -> int:
    fr, k = s.frame, s.layout.kind
    if k == "district":
        return upsert(con, "district", fr, ["district_code"])
    if k == "school_year":
        return upsert(con, "school_year", fr, ["year_code"])
    if k == "school":
        return upsert(con, "school", fr, ["school_code"])
    if k == "class":
        out = fr.assign(class_id=class_id(fr["school_code"], fr["year_code"], fr["grade"],
                                          fr["name"]))
        existing = con.execute("SELECT school_code, year_code, grade, name, class_id AS old "
                               "FROM class").df()
        out = out.merge(existing, on=["school_code", "year_code", "grade", "name"], how="left")
        out["class_id"] = out["old"].fillna(out["class_id"])
        return upsert(con, "class", out.drop(columns="old"), ["class_id"])
    if k == "teacher":
        n = upsert(con, "teacher", fr, ["teacher_id"])
        if "programme" in s.extra:
            n += upsert(con, "teacher_programme", s.extra["programme"],
                        ["teacher_id", "tier", "year_code"])
        return n
    if k == "assignment":
        return upsert(con, "teaching_assignment", fr[["class_id", "subject_code", "teacher_id"]],
                      ["class_id", "subject_code"])
    if k == "student":
        attrs = ["national_id", "name", "gender", "ethnicity", "birth_date",
                 "poverty_registered", "disabled", "migrant", "left_behind"]
        latest = fr.sort_values("year_code").drop_duplicates("national_id", keep="last")
        n = upsert(con, "student", latest[attrs], ["national_id"])
        ids = con.execute("SELECT national_id, student_id FROM student").df()
        member = fr[["national_id", "year_code", "class_id"]].merge(ids, on="national_id")
        n += replace_rows(con, "class_membership", member[["student_id", "year_code", "class_id"]],
                          ["student_id", "year_code"])
        return n
    if k == "event":
        ids = con.execute("SELECT national_id, student_id FROM student").df()
        ev = fr.merge(ids, on="national_id")[["student_id", "event_date", "event_type",
                                              "school_code", "note"]]
        return upsert(con, "enrolment_event", ev, ["student_id", "event_date", "event_type"])
    return upsert(con, "district_statistic", fr, ["district_code", "year_code", "indicator"])


def _write_admissions(con: Any, students: pd.DataFrame) -> int:
    """A student's first row with 入学日期 creates an admission event when the student has no
    enrolment event yet."""
    adm = students.dropna(subset=["admission_date"]).sort_values(["national_id", "year_code"])
    adm = adm.drop_duplicates("national_id", keep="first")
    if adm.empty:
        return 0
    ids = con.execute("""SELECT national_id, student_id FROM student s
                         WHERE NOT EXISTS (SELECT 1 FROM enrolment_event e
                                           WHERE e.student_id = s.student_id)""").df()
    ev = adm.merge(ids, on="national_id")
    ev = pd.DataFrame({"student_id": ev["student_id"], "event_date": ev["admission_date"],
                       "event_type": "admission", "school_code": ev["school_code"],
                       "note": None})
    return upsert(con, "enrolment_event", ev, ["student_id", "event_date", "event_type"])


_LOCKED: dict[str, tuple[str, str, list[str]]] = {}
"""Tables whose rows DuckDB could not update once another table references them. Empty since
the schema keeps no CHECK or UNIQUE besides the key on referenced tables (store migration 1);
kept so a future table with that limit can be declared here."""


def _check_locked(db: Database, sheets: list[Sheet], lang: str) -> None:
    for s in sheets:
        if s.layout.kind not in _LOCKED:
            continue
        key, what, refs = _LOCKED[s.layout.kind]
        fr = s.frame.dropna(subset=[key]).drop_duplicates(key)
        changed = changed_rows(db.con, s.layout.kind, fr, [key])
        if changed.empty:
            continue
        used: set[str] = set()
        for ref in refs:
            used |= set(db.sql(f'SELECT DISTINCT "{key}" FROM "{ref}"')[key])
        bad_keys = set(changed[key]) & used
        bad = s.frame[key].isin(bad_keys).to_numpy()
        s.cells.report(key, bad, "ingest.locked_row", what=what)


def plan_roster(db: Database, file: str, sheets: list[RawSheet], problems: Problems,
                kind: str | None = None, user_map: dict[str, str] | None = None,
                lang: str = "zh") -> RosterPlan:
    """Check every sheet of a roster workbook; the plan writes it (when ``problems`` is empty)."""
    user_map = user_map or {}
    if kind is not None and kind not in KIND_NAMES:
        from eduquality.errors import EduQualityError
        from eduquality.i18n import tr

        raise EduQualityError(tr("ingest.bad_kind", lang, kind=kind,
                                 kinds=", ".join(sorted({v for v in KIND_NAMES.values()}))))
    forced = KIND_NAMES[kind] if kind is not None else None
    parsed: list[Sheet] = []
    mapping: list[SheetMapping] = []
    rows_read = 0
    for raw in sheets:
        lay, header_row = detect_layout(raw, user_map, forced)
        if lay is None:
            problems.add("ingest.kind_unknown", sheet=raw.name, row=header_row + 1)
            continue
        grid: Grid = make_grid(file, raw, header_row)
        cols = match_columns(grid, lay, user_map, problems, lang)
        mapping.append(sheet_mapping(grid, lay.kind, cols))
        cells = Cells(grid, cols, lay, problems)
        rows_read += cells.n
        parsed.append(_parse_sheet(lay, cells))
    _cross_check(parsed, Known.from_db(db), lang)  # all problems at once: references too
    if not problems:
        _check_locked(db, parsed, lang)
    return RosterPlan(parsed, rows_read, mapping=mapping)
