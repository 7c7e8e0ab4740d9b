"""Rosters: district, school years, schools, classes, teachers, assignments, students,
enrolment events, students' 选科 (3+1+2 subject choices) and district statistics (docs/file-formats.md, "Rosters").

Each sheet is one kind, recognised from its headers (or ``--kind``). All sheets are checked first
— values, duplicates, and references to schools, years, classes, teachers and students that exist
either in the database or in the same workbook — and only a problem-free workbook is written, in
dependency order, by idempotent upserts.

Files as the 学籍 system and schools export them: a school is named by code or by name
(:mod:`eduquality.ingest.schools`); a sheet without 学年 takes the year given (``--year``, by
default the school year containing today: :func:`eduquality.vocab.school_year_of`), which is
created with its default dates when unknown; the grade may be written in the class name
(七年级3班, 初一(3)班); students of a school and year without a class list create their classes
(a class list, when there is one, is checked against); recognised columns a roster does not store
are listed as ignored; with an exam, a 考号 column registers the students' exam numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eduquality.frames import row_tuples, text_isin
from eduquality.i18n import register, tr
from eduquality.ingest.cells import Cells
from eduquality.ingest.headers import Grid, Layout, find_header_row, make_grid, match_columns
from eduquality.ingest.importer import ignored_note
from eduquality.ingest.layouts import (
    FALLBACKS,
    KIND_NAMES,
    ROSTER_LAYOUTS,
)
from eduquality.ingest.problems import Listed, Phrase, Problems, listed, phrase
from eduquality.ingest.readers import RawSheet
from eduquality.ingest.roster_cells import (
    YearGiven,
    class_grade,
    school_cells,
    sheet_year,
)
from eduquality.ingest.roster_choices import choice_cells
from eduquality.ingest.roster_exam import Registrations, roster_registrations
from eduquality.ingest.schools import SchoolNames, split_names
from eduquality.ingest.templates import SheetMapping, sheet_mapping
from eduquality.ingest.values import (
    class_norm,
    is_blank,
    norm_header,
    norm_name,
    normalise_class,
    person_names,
    records,
)
from eduquality.ingest.writes import replace_rows, upsert
from eduquality.store.db import Database
from eduquality.store.masking import mask_national_id
from eduquality.store.refs import keys
from eduquality.store.rosters import schools_of_people
from eduquality.store.students import (
    canonical_national_ids,
    person_keys,
    student_ids,
    students_without_events,
)
from eduquality.store.units import class_lists
from eduquality.store.units import classes as classes_on_record
from eduquality.vocab import (
    ENROLMENT_EVENTS,
    GENDER,
    LOCALE,
    OWNERSHIP,
    STAGES,
    SUBJECTS,
    TEACHER_TIERS,
    TRACKS,
    school_year_dates,
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
    "ingest.tier_year_missing": (
        "填写了骨干/名师却没有「认定学年」", "a tier is given without its 认定学年 (year)",
    ),
    "ingest.schools_more": ("{shown} 等 {n} 所学校", "{shown} … ({n} schools)"),
    "ingest.what_school": ("学校代码", "school code"),
    "ingest.what_year": ("学年", "school year"),
    "ingest.what_class": ("班级", "class"),
    "ingest.what_teacher": ("教师工号", "teacher id"),
    "ingest.what_student": ("学籍号", "student id"),
    "ingest.what_district": ("区县代码", "district code"),
    "ingest.student_id_ambiguous": (
        "名册中有两名学生与该学籍号对应（{candidates}，同一身份证号带与不带 G）；"
        "请按名册写出完整学籍号",
        "two students on record fit this ID ({candidates}: the same 身份证号 with and without "
        "the G); write the ID exactly as on record"),
    "ingest.note_year": (
        "文件中没有「学年」列的工作表按 {year} 学年导入（{source}）",
        "sheets without a 学年 column were imported for school year {year} ({source})",
    ),
    "ingest.note_year_option": ("--year 指定", "given with --year"),
    "ingest.note_year_default": (
        "默认：今天所在的学年，可用 --year 指定", "default: the school year containing today; "
        "use --year to choose"),
    "ingest.note_year_created": (
        "学年 {year} 此前不存在，已按默认日期 {start} 至 {end} 创建",
        "school year {year} did not exist; created with the default dates {start} to {end}",
    ),
    "ingest.note_classes_created": (
        "按学生名单新建班级 {n} 个（{schools} 此前没有该学年的班级名单）",
        "{n} classes created from the students' rows ({schools} had no class list for the year)",
    ),
    # the same facts as the dry run (import check) states them: what the import would do
    "ingest.note_year_check": (
        "文件中没有「学年」列的工作表将按 {year} 学年导入（{source}）",
        "sheets without a 学年 column would be imported for school year {year} ({source})",
    ),
    "ingest.note_year_created_check": (
        "学年 {year} 尚不存在，导入时将按默认日期 {start} 至 {end} 创建",
        "school year {year} does not exist yet; the import would create it with the default "
        "dates {start} to {end}",
    ),
    "ingest.note_classes_created_check": (
        "导入时将按学生名单新建班级 {n} 个（{schools} 尚无该学年的班级名单）",
        "the import would create {n} classes from the students' rows (no class list for the "
        "year yet at {schools})",
    ),
})

#: the order sheets are written in (dependencies first)
WRITE_ORDER = ["district", "school_year", "school", "school_alias", "class", "teacher", "assignment", "student",
               "event", "subject_choice", "district_statistic"]

#: the kinds whose school may be named by name
_SCHOOL_BY_NAME = ("school_alias", "class", "student")


def class_id(school: pd.Series, year: pd.Series, grade: pd.Series, name: pd.Series) -> pd.Series:
    """The identifier of a class: ``school/year/grade/name`` (``5301/2021-2022/9/1班``)."""
    return (school.astype(str) + "/" + year.astype(str) + "/"
            + grade.astype("Int64").astype(str) + "/" + name.astype(str))


ClassKey = tuple[str, str, int, str]


@dataclass
class Known:
    """Keys present in the database, extended with those of the workbook being imported.

    ``classes`` is keyed by school, year, grade and the class name as compared
    (:func:`~eduquality.ingest.values.normalise_class`: '(01)班' = '1班'); ``listed`` holds the
    (school, year) pairs that have a class list."""

    districts: set[str]
    years: set[str]
    schools: set[str]
    classes: dict[ClassKey, str]
    teachers: set[str]
    students: set[str]
    names: SchoolNames = field(default_factory=SchoolNames)
    listed: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def from_db(cls, db: Database) -> Known:
        on_record = classes_on_record(db)
        norm = normalise_class(on_record["name"].astype(object))
        return cls(
            keys(db, "district"),
            keys(db, "year"),
            keys(db, "school"),
            {(r.school_code, r.year_code, int(r.grade), n): r.class_id
             for r, n in zip(records(on_record), norm, strict=True)},
            keys(db, "teacher"),
            set(student_ids(db)["national_id"].tolist()),
            SchoolNames.from_db(db),
            class_lists(db),
        )


@dataclass
class Sheet:
    layout: Layout
    cells: Cells
    frame: pd.DataFrame
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    year_supplied: bool = False  # the sheet has no 学年 column: the year given applies
    ignored: list[str] = field(default_factory=list)  # headers of columns not stored


def detect_layout(raw: RawSheet, user_map: dict[str, str], kind: str | None,
                  ) -> tuple[Layout | None, int]:
    """The layout of a sheet (by its headers, or ``kind``) and its header row.

    Among the layouts whose required columns are all present, the one that recognises the most
    stored columns wins (then the one with more required columns)."""
    known: set[str] = set()
    for lay in ROSTER_LAYOUTS:
        known |= set(lay.lookup())
    known |= {norm_header(v) for v in user_map.values()} | set(user_map)
    row = find_header_row(raw, known)
    headers = [norm_header(user_map.get(norm_header(t), t))
               for t in raw.row(row).tolist() if t is not None] if raw.n_rows else []
    if kind is not None:
        return next(lay for lay in ROSTER_LAYOUTS if lay.kind == kind), row
    best: tuple[int, int, Layout] | None = None
    for lay in ROSTER_LAYOUTS:
        lookup = lay.lookup()
        fields = {lookup[h] for h in headers if h in lookup}
        fields |= {to for frm, to in FALLBACKS.get(lay.kind, ()) if frm in fields}
        if lay.missing(fields):
            continue
        score = (sum(not lay.field(f).ignored for f in fields), len(lay.required()))
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


def _parse_sheet(lay: Layout, c: Cells, year: YearGiven | None = None) -> Sheet:
    """Values of one sheet → a clean frame (problems for bad values and duplicate keys)."""
    k = lay.kind
    f: dict[str, Any] = {}
    extra: dict[str, pd.DataFrame] = {}
    supplied = False
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
        extra["aliases"] = _aliases(c, f["school_code"])
        key = ["school_code"]
    elif k == "school_alias":
        f = school_cells(c)
        extra["aliases"] = _aliases(c, f["school_code"])
        key = ["school_code"]
    elif k == "class":
        years, supplied = sheet_year(c, year)
        grade, name = class_grade(c, "name")
        f = {**school_cells(c), "year_code": years, "grade": grade, "name": name,
             "track": c.vocab("track", TRACKS), "head_teacher_id": c.text("head_teacher_id")}
        f["school_ref"] = f["school_code"].fillna(f["school_name"].map(norm_name, "ignore"))
        f["norm"] = class_norm(name)
        key = ["school_ref", "year_code", "grade", "norm"]
    elif k == "teacher":
        f = {"teacher_id": c.text("teacher_id", True), "name": person_names(c.text("name", True)),
             "gender": c.vocab("gender", GENDER), "school_code": c.text("school_code", True),
             "subject_code": c.vocab("subject", SUBJECTS, True), "title": c.text("title"),
             "qualification": c.text("qualification")}
        tiers = c.text("tiers")
        tier_year = c.year("tier_year")
        has = tiers.notna().to_numpy()
        c.report("tiers", has & tier_year.isna().to_numpy(), "ingest.tier_year_missing")
        if has.any():
            parts = tiers.str.replace(r"[;；、,，]", ";", regex=True).str.split(";")
            long = pd.DataFrame({"teacher_id": f["teacher_id"], "year_code": tier_year,
                                 "tier_text": parts, "pos": np.arange(c.n)}).explode("tier_text")
            long["tier_text"] = long["tier_text"].str.strip()
            long = long[long["tier_text"].fillna("") != ""]
            long["tier"] = long["tier_text"].map(TEACHER_TIERS.parse)
            bad = np.zeros(c.n, dtype=bool)
            bad[long.loc[long["tier"].isna(), "pos"].to_numpy(dtype=int)] = True
            allowed = listed(t.zh for t in TEACHER_TIERS.terms.values())
            c.report("tiers", bad, "ingest.bad_vocab", label="骨干/名师", allowed=allowed)
            extra["programme"] = long.dropna(subset=["tier", "year_code", "teacher_id"])[
                ["teacher_id", "tier", "year_code"]].drop_duplicates()
        extra["tier_year"] = pd.DataFrame({"year_code": tier_year})
        key = ["teacher_id"]
    elif k == "assignment":
        years, supplied = sheet_year(c, year)
        grade, name = class_grade(c, "class_name")
        f = {"school_code": c.text("school_code", True), "year_code": years,
             "grade": grade, "class_name": name,
             "subject_code": c.vocab("subject", SUBJECTS, True),
             "teacher_id": c.text("teacher_id", True)}
        f["norm"] = class_norm(name)
        key = ["school_code", "year_code", "grade", "norm", "subject_code"]
    elif k == "student":
        years, supplied = sheet_year(c, year)
        grade, name = class_grade(c, "class_name")
        f = {"national_id": _national_ids(c), "name": person_names(c.text("name", True)),
             "gender": c.vocab("gender", GENDER, True), "ethnicity": c.text("ethnicity"),
             "birth_date": c.date("birth_date"),
             "poverty_registered": c.flag("poverty_registered"), "disabled": c.flag("disabled"),
             "migrant": c.flag("migrant"), "left_behind": c.flag("left_behind"),
             **school_cells(c), "year_code": years, "grade": grade, "class_name": name,
             "admission_date": c.date("admission_date"), "exam_number": c.text("exam_number")}
        f["norm"] = class_norm(name)
        f["person"] = _persons(f["national_id"])
        key = ["person", "year_code"]
    elif k == "event":
        f = {"national_id": _national_ids(c), "event_date": c.date("event_date", True),
             "event_type": c.vocab("event_type", ENROLMENT_EVENTS, True),
             "school_code": c.text("school_code", True), "note": c.text("note")}
        f["person"] = _persons(f["national_id"])
        key = ["person", "event_date", "event_type"]
    elif k == "subject_choice":
        years, supplied = sheet_year(c, year)
        f = {"national_id": _national_ids(c), "school_code": c.text("school_code"),
             "year_code": years, **choice_cells(c), "changed": c.flag("changed")}
        f["person"] = _persons(f["national_id"])
        key = ["person", "year_code"]
    else:  # district_statistic
        f = {"district_code": c.text("district_code"), "year_code": c.year("year_code", True),
             "indicator": c.text("indicator", True), "value": c.number("value", True),
             "note": c.text("note")}
        key = ["district_code", "year_code", "indicator"]
    frame = pd.DataFrame({n: pd.Series(v).reset_index(drop=True) for n, v in f.items()})
    first_key_col = next(n for n in lay.fields if n.required).name
    if k == "district_statistic":
        key = key[1:]  # the district is often implied (filled in later)
    shown = ["national_id" if k == "person" else k for k in key]  # the ID as written
    c.duplicates(frame, key, first_key_col, shown)
    ignored = [col.header for n, col in c.cols.items() if lay.field(n).ignored]
    return Sheet(lay, c, frame, extra, supplied, ignored)


def _national_ids(c: Cells) -> pd.Series:
    """The 学籍号 column (required) in its stored form
    (:func:`~eduquality.store.students.canonical_national_id`: a bare 身份证号 gets its G)."""
    return canonical_national_ids(c.text("national_id", True))


def _persons(ids: pd.Series) -> pd.Series:
    """Who each 学籍号 names (:func:`~eduquality.store.students.person_key`): two rows of one
    person are duplicates whichever form of the ID each gives."""
    return person_keys(ids)


def _aliases(c: Cells, codes: pd.Series) -> pd.DataFrame:
    """The 别名 and 曾用名 columns (names separated by 、 or ；) → school_code, alias, kind,
    pos (the row); one row per name."""
    parts = []
    for name, kind in (("aliases", "alias"), ("former_names", "former")):
        if not c.has(name):
            continue
        parts.append(pd.DataFrame({"school_code": codes, "alias": None, "kind": kind,
                                   "pos": -1}).dropna(subset=["school_code"]))
        lists = c.text(name).map(split_names, na_action="ignore")
        long = pd.DataFrame({"school_code": codes, "alias": lists, "kind": kind,
                             "pos": np.arange(c.n)}).explode("alias")
        parts.append(long.dropna(subset=["alias", "school_code"]))
    if not parts:
        return pd.DataFrame(columns=["school_code", "alias", "kind", "pos"])
    out = pd.concat(parts, ignore_index=True)
    return out.drop_duplicates(["school_code", "alias", "kind"])


@dataclass
class Derived:
    """What the checks add to a workbook: school years and classes to create."""

    years: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["year_code", "start_date", "end_date"]))
    classes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["school_code", "year_code", "grade", "name"]))


_PERSON_KINDS = ("student", "event", "subject_choice")


def _resolve_students(sheets: list[Sheet], known: Known) -> None:
    """Each 学籍号 of the workbook → the one its student is stored under: the ID itself when
    on record, else the one student on record of the same
    :func:`~eduquality.store.students.person_key` ('530…' finds 'G530…': no second student);
    for a new student written in several forms in the workbook, its form with the G. An ID
    that two students on record fit (stored with and without the G) is a problem.
    ``known.students`` must still hold only the students on record."""
    columns = [s.frame["national_id"].dropna() for s in sheets if s.layout.kind in _PERSON_KINDS]
    if not columns:
        return
    given = pd.Series(pd.unique(pd.concat(columns, ignore_index=True)), dtype="str")
    new = ~text_isin(given, known.students)
    if not new.any():
        return
    keys = person_keys(given)   # vectorised: 200,000 new students in one pass
    record = pd.Series(sorted(known.students), dtype="str")
    record_keys = person_keys(record)
    match = text_isin(record_keys, keys[new])
    stored: dict[str, list[str]] = {}
    for key, nid in zip(record_keys[match].tolist(), record[match].tolist(), strict=True):
        stored.setdefault(key, []).append(nid)
    # a person written in several forms in the workbook (530…, G530…): rare, looked at alone
    several = keys.duplicated(keep=False).to_numpy(dtype=bool)
    look = new & (text_isin(keys, stored) | several)
    in_file: dict[str, list[str]] = {}
    for key, v in zip(keys[several].tolist(), given[several].tolist(), strict=True):
        in_file.setdefault(key, []).append(v)
    chosen: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    for key, v in zip(keys[look].tolist(), given[look].tolist(), strict=True):
        on_record = stored.get(key, [])
        if len(on_record) == 1:
            chosen[v] = on_record[0]
        elif on_record:
            ambiguous[v] = on_record
        else:
            forms = sorted(in_file[key])
            best = next((f for f in forms if f.startswith("G")), forms[0])
            if best != v:
                chosen[v] = best
    for s in sheets:
        if s.layout.kind not in _PERSON_KINDS:
            continue
        fr = s.frame
        for v, ids in ambiguous.items():
            s.cells.report("national_id", (fr["national_id"] == v).to_numpy(dtype=bool),
                           "ingest.student_id_ambiguous",
                           candidates=listed(mask_national_id(i) for i in ids))
        changed = fr["national_id"].isin(list(chosen)).to_numpy(dtype=bool)
        if changed.any():
            fr.loc[changed, "national_id"] = [chosen[v] for v in fr.loc[changed, "national_id"]]


def _collect(sheets: list[Sheet], known: Known) -> None:
    """Add the keys and school names of the workbook's own sheets to ``known``."""
    for s in sheets:
        fr, k = s.frame, s.layout.kind
        if k == "district":
            known.districts |= set(fr["district_code"].dropna())
        elif k == "school_year":
            known.years |= set(fr["year_code"].dropna())
        elif k == "school":
            known.schools |= set(fr["school_code"].dropna())
            for code, name in fr[["school_code", "name"]].dropna().itertuples(index=False):
                known.names.add(code, name, registered=True)
        elif k == "teacher":
            known.teachers |= set(fr["teacher_id"].dropna().tolist())
        elif k == "student":
            known.students |= set(fr["national_id"].dropna().tolist())


def _check_aliases(s: Sheet, known: Known) -> None:
    """An alias (not a former name: schools are renamed in turn) that already names another
    school, in the database or earlier in the sheet, is refused: it would make the name
    ambiguous."""
    for r in records(s.extra["aliases"].dropna(subset=["alias"])):
        other = known.names.codes.get(norm_name(r.alias), set()) - {r.school_code}
        if other and r.kind == "alias":
            mask = np.zeros(s.cells.n, dtype=bool)
            mask[int(r.pos)] = True
            s.cells.report("aliases", mask, "ingest.alias_taken", alias=r.alias,
                           candidates=known.names.show(other))
        known.names.add(r.school_code, r.alias)


def _resolve_schools(s: Sheet, known: Known) -> None:
    """学校名称 → 学校代码 (unknown and ambiguous names reported, naming the candidates)."""
    fr, c = s.frame, s.cells
    if not c.has("school_name"):
        return
    code = fr["school_code"] if c.has("school_code") else None

    def report(mask: np.ndarray, reason: str, **params: Any) -> None:
        c.report("school_name", mask, reason, **params)

    fits = known.names.resolve(fr["school_name"])
    fr["school_code"] = known.names.report(fr["school_name"], fits, report, code)


def _supplied_year(sheets: list[Sheet], known: Known, year: YearGiven | None,
                   derived: Derived) -> None:
    """The year given for sheets without 学年: created with its default dates when unknown."""
    if year is None or year.code in known.years or not any(s.year_supplied for s in sheets):
        return
    start, end = school_year_dates(year.code)
    derived.years = pd.DataFrame({"year_code": [year.code], "start_date": [start],
                                  "end_date": [end]})
    known.years.add(year.code)


def _classes(sheets: list[Sheet], known: Known, derived: Derived) -> None:
    """Class lists → ``known.classes``; students of a school and year without a class list
    create their classes (named ``<n>班`` as compared, e.g. '(3)班' → '3班')."""
    for s in sheets:
        if s.layout.kind == "class":
            fr = s.frame
            ok = fr[["school_code", "year_code", "grade", "name"]].notna().all(axis=1)
            ids = class_id(fr["school_code"], fr["year_code"], fr["grade"], fr["name"])
            for r, cid in zip(records(fr[ok]), ids[ok], strict=True):
                known.classes.setdefault((r.school_code, r.year_code, int(r.grade), r.norm), cid)
                known.listed.add((r.school_code, r.year_code))
    new = []
    for s in sheets:
        if s.layout.kind != "student":
            continue
        fr = s.frame
        ok = fr[["school_code", "year_code", "grade", "norm"]].notna().all(axis=1)
        ok &= fr["school_code"].isin(known.schools)
        listed = pd.Series([(a, b) in known.listed for a, b in row_tuples(
            fr[["school_code", "year_code"]])], dtype=bool)
        new.append(fr.loc[ok & ~listed, ["school_code", "year_code", "grade", "norm"]])
    cls = pd.concat(new, ignore_index=True).drop_duplicates() if new else pd.DataFrame()
    if not cls.empty:
        cls = cls.assign(grade=cls["grade"].astype(int))
        exists = pd.Series([(r.school_code, r.year_code, r.grade, r.norm) in known.classes
                            for r in records(cls)], dtype=bool, index=cls.index)
        cls = cls[~exists]
    if cls.empty:
        return
    cls = cls.assign(name=cls["norm"] + "班")
    cls = cls.sort_values(["school_code", "year_code", "grade", "name"], ignore_index=True)
    ids = class_id(cls["school_code"], cls["year_code"], cls["grade"], cls["name"])
    for r, cid in zip(records(cls), ids, strict=True):
        known.classes[(r.school_code, r.year_code, int(r.grade), r.norm)] = cid
    derived.classes = cls[["school_code", "year_code", "grade", "name"]]


def _cross_check(sheets: list[Sheet], known: Known, lang: str,
                 year: YearGiven | None = None) -> Derived:
    """References between sheets and to the database; fills school codes (from names), class
    ids and district codes; returns the years and classes to create."""
    derived = Derived()
    _resolve_students(sheets, known)
    _collect(sheets, known)
    for s in sheets:
        if s.layout.kind in ("school", "school_alias"):
            _check_aliases(s, known)
    for s in sheets:
        if s.layout.kind in _SCHOOL_BY_NAME:
            _resolve_schools(s, known)
    _supplied_year(sheets, known, year, derived)
    _classes(sheets, known, derived)
    for s in sheets:
        fr, c, k = s.frame, s.cells, s.layout.kind
        if k in ("school_alias", "class", "teacher", "assignment", "student", "event"):
            col = "school_code" if c.has("school_code") else "school_name"
            codes = fr["school_code"] if c.has("school_code") else fr["school_code"].where(
                fr["school_code"].isna())  # names: reported already
            _ref(c, codes, known.schools, col, "ingest.what_school", lang)
        if k == "subject_choice":
            _ref(c, fr["school_code"], known.schools, "school_code", "ingest.what_school", lang)
            _ref(c, fr["national_id"], known.students, "national_id", "ingest.what_student",
                 lang)
        if k in ("class", "assignment", "student", "district_statistic", "subject_choice"):
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
            keys = list(row_tuples(fr[["school_code", "year_code", "grade", "norm"]]))
            fr["class_id"] = [known.classes.get((a, b, int(g), n)) if pd.notna(g) else None
                              for a, b, g, n in keys]
            complete = fr[["school_code", "year_code", "grade", "norm"]].notna().all(axis=1)
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
    return derived


DISTRICT_KINDS = frozenset({"district", "school_year", "school", "school_alias",
                            "district_statistic"})
"""Roster kinds that are the district's, not one school's: a school may not import them."""


@dataclass
class RosterPlan:
    """Validated frames, ready to be written."""

    sheets: list[Sheet]
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)
    derived: Derived = field(default_factory=Derived)
    registrations: Registrations | None = None
    notes: list[Phrase] = field(default_factory=list)
    mapping: list[SheetMapping] = field(default_factory=list)
    current_schools: set[str] = field(default_factory=set)
    """The schools the teachers and students the file names belong to now (see
    :func:`current_schools`): rewriting them touches those schools too."""

    def preview(self) -> dict[str, int]:
        """Rows per kind that :meth:`write` would write (``import check``): the sheets' rows,
        the school years and classes it would create, the 考号 it would register."""
        out: dict[str, int] = {}
        for s in self.sheets:
            out[s.layout.kind] = out.get(s.layout.kind, 0) + len(s.frame)
        for kind, frame in (("school_year", self.derived.years),
                            ("class", self.derived.classes)):
            if not frame.empty:
                out[kind] = out.get(kind, 0) + len(frame)
        if self.registrations is not None:
            out["exam_registration"] = len(self.registrations.frame)
        return out

    def district_kinds(self) -> list[str]:
        """The kinds of district-wide data this plan writes (see :meth:`schools`)."""
        kinds = [s.layout.kind for s in self.sheets if s.layout.kind in DISTRICT_KINDS]
        if not self.derived.years.empty:
            kinds.append("school_year")
        return list(dict.fromkeys(kinds))

    def schools(self) -> set[str] | None:
        """The schools whose rows this plan writes (classes, teachers, assignments, students,
        events, registrations), or None when it writes district-wide data (the district,
        school years, schools and their aliases, district statistics: :data:`DISTRICT_KINDS`)."""
        if self.district_kinds():
            return None
        codes: set[str] = set()
        for s in self.sheets:
            codes |= set(s.frame["school_code"].dropna())
        codes |= set(self.derived.classes["school_code"].dropna())
        if self.registrations is not None:
            codes |= set(self.registrations.frame["school_code"].dropna())
        return codes | self.current_schools

    def write(self, con: Any) -> int:
        """Write every sheet in dependency order. Writes; returns rows written."""
        by_kind: dict[str, list[Sheet]] = {}
        for s in self.sheets:
            by_kind.setdefault(s.layout.kind, []).append(s)
        total = 0

        def count(kind: str, n: int) -> None:
            nonlocal total
            self.counts[kind] = self.counts.get(kind, 0) + n
            total += n

        for kind in WRITE_ORDER:
            if kind == "school_year" and not self.derived.years.empty:
                count(kind, upsert(con, "school_year", self.derived.years, ["year_code"]))
            if kind == "class" and not self.derived.classes.empty:
                count(kind, _write_classes(con, self.derived.classes))
            for s in by_kind.get(kind, []):
                count(kind, _write_sheet(con, s))
            if kind == "school":
                for s in by_kind.get(kind, []):
                    if not s.extra["aliases"].empty:
                        count("school_alias", _write_aliases(con, s.extra["aliases"]))
        for s in by_kind.get("student", []):
            count("admission_events", _write_admissions(con, s.frame))
        if self.registrations is not None:
            count("exam_registration", self.registrations.write(con))
        return total


def _write_sheet(con: Any, s: Sheet) -> int:
    fr, k = s.frame, s.layout.kind
    if k == "district":
        return upsert(con, "district", fr, ["district_code"])
    if k == "school_year":
        return upsert(con, "school_year", fr, ["year_code"])
    if k == "school":
        return upsert(con, "school", fr, ["school_code"])
    if k == "school_alias":
        return _write_aliases(con, s.extra["aliases"])
    if k == "class":
        n = _write_classes(con, fr)  # and remember that these came from a class list:
        upsert(con, "class_list", fr[["school_code", "year_code"]].drop_duplicates(),
               ["school_code", "year_code"])
        return n
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
        ids = student_ids(con)
        member = fr[["national_id", "year_code", "class_id"]].merge(ids, on="national_id")
        n += replace_rows(con, "class_membership", member[["student_id", "year_code", "class_id"]],
                          ["student_id", "year_code"])
        return n
    if k == "subject_choice":
        rows = fr.merge(student_ids(con), on="national_id")[
            ["student_id", "year_code", "first_choice", "second_1", "second_2", "changed"]]
        return upsert(con, "student_subject_choice", rows, ["student_id", "year_code"])
    if k == "event":
        ids = student_ids(con)
        ev = fr.merge(ids, on="national_id")[["student_id", "event_date", "event_type",
                                              "school_code", "note"]]
        return upsert(con, "enrolment_event", ev, ["student_id", "event_date", "event_type"])
    return upsert(con, "district_statistic", fr, ["district_code", "year_code", "indicator"])


def _write_classes(con: Any, fr: pd.DataFrame) -> int:
    """Upsert classes; a class already in the database under a name that compares equal
    (:func:`~eduquality.ingest.values.class_norm`) keeps its id."""
    cols = [c for c in ("school_code", "year_code", "grade", "name", "track", "head_teacher_id")
            if c in fr.columns]
    out = fr[cols].assign(class_id=class_id(fr["school_code"], fr["year_code"], fr["grade"],
                                            fr["name"]), norm=class_norm(fr["name"]))
    existing = classes_on_record(con).rename(columns={"class_id": "old"})
    existing = existing.assign(norm=class_norm(existing.pop("name").astype(object)))
    existing = existing.drop_duplicates(["school_code", "year_code", "grade", "norm"])
    out = out.merge(existing, on=["school_code", "year_code", "grade", "norm"], how="left")
    out["class_id"] = out["old"].fillna(out["class_id"])
    return upsert(con, "class", out.drop(columns=["old", "norm"]), ["class_id"])


def _write_aliases(con: Any, al: pd.DataFrame) -> int:
    """The aliases of the schools of a sheet replace theirs (of the kinds the sheet gives)."""
    if al.empty:
        return 0
    keys = al[["school_code", "kind"]].drop_duplicates()
    rows = al.dropna(subset=["alias"])[["school_code", "alias", "kind"]]
    return replace_rows(con, "school_alias", rows, ["school_code", "kind"], keys=keys)


def _write_admissions(con: Any, students: pd.DataFrame) -> int:
    """A student's first row with 入学日期 creates an admission event when the student has no
    enrolment event yet."""
    adm = students.dropna(subset=["admission_date"]).sort_values(["national_id", "year_code"])
    adm = adm.drop_duplicates("national_id", keep="first")
    if adm.empty:
        return 0
    ids = students_without_events(con)
    ev = adm.merge(ids, on="national_id")
    ev = pd.DataFrame({"student_id": ev["student_id"], "event_date": ev["admission_date"],
                       "event_type": "admission", "school_code": ev["school_code"],
                       "note": None})
    return upsert(con, "enrolment_event", ev, ["student_id", "event_date", "event_type"])


def _notes(sheets: list[Sheet], derived: Derived, year: YearGiven | None,
           exam: str | None, check: bool = False) -> list[Phrase]:
    """What the summary states besides the counts: the year used, what was created, the
    columns ignored (message keys, rendered in the reader's language where shown). ``check``:
    the dry run's wording of the same facts (the ``…_check`` keys: what the import would do,
    nothing having been done)."""
    dry = "_check" if check else ""
    notes = []
    if year is not None and any(s.year_supplied for s in sheets):
        source = "ingest.note_year_default" if year.is_default else "ingest.note_year_option"
        notes.append(phrase(f"ingest.note_year{dry}", year=year.code, source=phrase(source)))
    for y in records(derived.years):
        notes.append(phrase(f"ingest.note_year_created{dry}", year=y.year_code,
                            start=y.start_date.isoformat(), end=y.end_date.isoformat()))
    if not derived.classes.empty:
        codes = sorted(set(derived.classes["school_code"]))
        schools: Listed | Phrase = listed(codes[:10])
        if len(codes) > 10:
            schools = phrase("ingest.schools_more", shown=schools, n=len(codes))
        notes.append(phrase(f"ingest.note_classes_created{dry}", n=len(derived.classes),
                            schools=schools))
    for s in sheets:
        ignored = list(s.ignored)
        if exam is None and s.cells.has("exam_number"):
            ignored.insert(0, s.cells.cols["exam_number"].header)
        if ignored:
            notes.append(ignored_note(s.cells.grid.sheet, ignored))
    return notes


def _fallbacks(grid: Grid, lay: Layout, user_map: dict[str, str]) -> dict[str, str]:
    """Headers read as another field because the sheet lacks that field's own column
    (:data:`~eduquality.ingest.layouts.FALLBACKS`)."""
    lookup = lay.lookup()
    by_field: dict[str, list[str]] = {}
    for col in grid.columns:
        text = norm_header(user_map.get(norm_header(col.header), col.header))
        if text in lookup:
            by_field.setdefault(lookup[text], []).append(text)
    return {h: to for frm, to in FALLBACKS.get(lay.kind, ()) if to not in by_field
            for h in by_field.get(frm, [])}


def plan_roster(db: Database, file: str, sheets: list[RawSheet], problems: Problems,
                kind: str | None = None, user_map: dict[str, str] | None = None,
                lang: str = "zh", year: YearGiven | None = None,
                exam: str | None = None, check: bool = False) -> RosterPlan:
    """Check every sheet of a roster workbook; the plan writes it (when ``problems`` is empty).

    ``year``: the school year of sheets without a 学年 column; ``exam``: register the 考号 of
    the student sheets for that exam; ``check``: the plan of a dry run, its notes saying what
    the import would do."""
    user_map = user_map or {}
    if kind is not None and kind not in KIND_NAMES:
        from eduquality.errors import EduQualityError

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
        cols = match_columns(grid, lay, user_map, problems, lang, _fallbacks(grid, lay, user_map))
        mapping.append(sheet_mapping(grid, lay.kind, {  # recognised but not stored: '-'
            n: col for n, col in cols.items() if not lay.field(n).ignored}))
        keep = np.zeros(len(grid.data), dtype=bool)  # rows with a stored value
        for name, col in cols.items():
            if not lay.field(name).ignored:
                keep |= ~is_blank(grid.cells(col))
        cells = Cells(grid, cols, lay, problems, keep)
        rows_read += cells.n
        parsed.append(_parse_sheet(lay, cells, year))
    known = Known.from_db(db)
    derived = _cross_check(parsed, known, lang, year)  # all problems at once: references too
    notes = _notes(parsed, derived, year, exam, check)
    regs = roster_registrations(db, exam, parsed, problems, notes, check) if exam else None
    return RosterPlan(parsed, rows_read, derived=derived, registrations=regs, notes=notes,
                      mapping=mapping, current_schools=current_schools(db, parsed))


def current_schools(db: Database, sheets: list[Sheet]) -> set[str]:
    """The schools that the teachers (their school) and students (the school of their class in
    their latest school year) named by teacher and student sheets belong to in the database:
    a school's own roster may not rewrite another school's people (a move between schools
    is the district's import)."""
    def named(kind: str, column: str) -> list[str]:
        return sorted({v for s in sheets if s.layout.kind == kind
                       for v in s.frame[column].dropna().tolist()})

    return schools_of_people(db, named("teacher", "teacher_id"),
                             sorted({*named("student", "national_id"),
                                     *named("subject_choice", "national_id")}))
