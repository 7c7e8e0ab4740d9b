"""Which rows are students and who they are: data rows (summary rows skipped), the roster of
the exam's school year, checks of 考号/姓名/学校/班级, and one registration per student."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from eduquality.i18n import register
from eduquality.ingest.headers import NOTE_START, NOTE_WORDS, Column, Grid
from eduquality.ingest.problems import listed, student_candidate
from eduquality.ingest.schools import SchoolNames
from eduquality.ingest.scores.cells import Ctx
from eduquality.ingest.scores.columns import ID, IDENTITY, ScoreColumns
from eduquality.ingest.values import (
    as_text,
    class_norm,
    map_unique,
    norm_header,
    norm_name,
    person_names,
    records,
    split_class_grade,
)
from eduquality.store.db import Database
from eduquality.store.masking import mask_national_id
from eduquality.store.rosters import exam_numbers
from eduquality.store.students import (
    ids_by_national_id,
    year_placements,
    year_roster,
)

MESSAGES = register({
    "ingest.unknown_student": ("学籍号不存在（请先导入学生名册）",
                               "unknown student id (import the roster first)"),
    "ingest.no_class_in_year": ("该学生在 {year} 学年没有班级",
                                "the student has no class in school year {year}"),
    "ingest.name_mismatch": ("姓名与学籍号不符（名册中为「{expected}」）",
                             "name does not match the student id (roster: '{expected}')"),
    "ingest.school_mismatch": ("学校与名册不符（名册中为「{expected}」）",
                               "school differs from the roster ('{expected}')"),
    "ingest.unknown_class_value": ("该校该学年没有这个班级",
                                   "no such class in this school and year"),
    "ingest.class_grade_exam": (
        "班级中写的年级（{given} 年级）与本次考试的年级（{exam} 年级）不符",
        "the class names grade {given}, but the exam is for grade {exam}"),
    "ingest.class_mismatch": ("班级与名册不符（名册中为「{expected}」）",
                              "class differs from the roster ('{expected}')"),
    "ingest.id_scientific": (
        "号码被 Excel 显示成了科学计数法，原来的位数已丢失；请把该列设为“文本”格式，重新填入或导出号码",
        "the number was turned into scientific notation by Excel and its digits are lost; "
        "format the column as text and enter or export the numbers again",
    ),
    "ingest.exam_number_unknown": (
        "考号未在本次考试登记，又无法按姓名、学校、班级确定学生（请加学籍号列，或先登记考号）",
        "the exam number is not registered for this exam and the student cannot be found by "
        "name, school and class (add a 学籍号 column, or register the exam numbers first)",
    ),
    "ingest.name_not_found": (
        "该学校该班级没有这个姓名的学生（请核对姓名、学校、班级，或加学籍号列）",
        "no student of this name in that school and class (check name, school and class, or "
        "add a 学籍号 column)",
    ),
    "ingest.name_ambiguous": (
        "该班有 {n} 名同名学生：{candidates}；请加学籍号或考号列区分",
        "{n} students of this name in that class: {candidates}; add a 学籍号 or 考号 column",
    ),
})

_SUMMARY = ("平均", "合计", "总计", "最高", "最低", "统计", "人数", "及格率", "优秀率", "标准差",
            "均分", "小结")
_REFERENCE = ("满分", "分值", "标准答案", "参考答案", "答案", "正确答案")
"""What a marking system writes in the first cell of a row under the header that gives each
item's full marks or key: not a student."""


def data_rows(grid: Grid, nid: pd.Series) -> np.ndarray:
    """Rows to import: those with a student id, and those without one that are neither empty
    nor a summary row (平均分, 合计 … in any cell) — the latter are reported as missing the id.
    A summary word in the id column marks a summary row too, and so does a reference row of
    full marks or answer keys (:data:`_REFERENCE`: 满分, 标准答案 … as the whole id cell); notes
    under the table (注：…, 制表人：…, :meth:`Grid.is_note_row`) are skipped."""
    summary_id = (nid.str.contains("|".join(_SUMMARY), na=False).to_numpy()
                  | nid.str.strip().isin(_REFERENCE).to_numpy())
    keep = nid.notna().to_numpy() & ~summary_id
    note = np.zeros(len(keep), dtype=bool)
    # a note's first cell holds a note word: only those rows are matched in Python
    may_note = nid.str.contains("|".join(NOTE_WORDS), regex=True, na=False).to_numpy()
    for pos in np.flatnonzero(keep & may_note):
        if NOTE_START.match(str(nid.iloc[pos])):
            note[pos] = grid.is_note_row(int(pos))
    keep &= ~note
    cand = np.flatnonzero(~keep & ~summary_id & ~note)
    if len(cand):
        blank = grid.blank_rows(cand)
        for pos, is_empty in zip(cand, blank, strict=True):
            if is_empty:
                continue
            texts = grid.row_texts(int(pos))
            if not any(w in t for t in texts for w in _SUMMARY):
                keep[pos] = True
    return keep


def school_codes(known: SchoolNames, text: pd.Series) -> pd.Series:
    """A school named in a sheet → its code: by code, else by the one school whose registered
    name, alias or former name it is after normalising spaces and full-width characters
    (:class:`~eduquality.ingest.schools.SchoolNames`, the rule rosters use); names that fit
    several schools resolve to none."""
    by_code = {norm_header(c): c for c in known.names}

    def one(v: str) -> str | None:
        code = by_code.get(norm_header(v))
        if code is not None:
            return code
        fits = known.codes.get(norm_name(v), set())
        return next(iter(fits)) if len(fits) == 1 else None
    return map_unique(text, one)[0]


def _arrow_strings(text: pd.Series) -> pa.Array:
    """The texts of ``text`` (no missing values) as one Arrow string array."""
    if isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow":
        arr = pa.array(text.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return arr.cast(pa.string())
    return pa.array(text.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def _lookup(keys: pd.Series, find: Callable[[pa.Array], pd.DataFrame]) -> np.ndarray:
    """student_id (−1 when none) for each key text; ``find`` looks up the distinct keys at once
    (a join inside DuckDB, :mod:`eduquality.store.students`, or the exam's registrations
    already read) and returns (key, student_id), each key at most once.
    Keys are matched in Arrow, without a Python string per row."""
    arr = _arrow_strings(keys)
    found = find(pc.unique(arr))
    out = np.full(len(keys), -1, dtype=np.int64)
    if found.empty:
        return out
    ids = found.iloc[:, 1].to_numpy(dtype=np.int64)
    pos = pc.index_in(arr, value_set=_arrow_strings(found.iloc[:, 0]))
    at = np.asarray(pc.fill_null(pos, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    hit = at >= 0
    out[hit] = ids[at[hit]]
    return out


def _by_name(ctx: Ctx, db: Database, year: str, grade: int | None, todo: np.ndarray,
             name: pd.Series, school: pd.Series, cls: pd.Series, cls_grade: pd.Series,
             classes: pd.DataFrame, cols: dict[str, Column]) -> np.ndarray:
    """Rows ``todo`` matched by 姓名 within 学校 + 班级 (the exam's year and grade, or the
    grade the 班级 cell names): a unique student, else a problem naming the candidates
    (masked 学籍号). A row whose class the school does not have that year is reported at the
    班级 cell (the class is unknown), not at the name."""
    out = np.full(ctx.n, -1, dtype=np.int64)
    if not todo.any():
        return out
    roster = year_roster(db, year, grade)
    roster["norm"] = class_norm(roster["class_name"])
    roster["name"] = person_names(roster["name"])
    rows = pd.DataFrame({"pos": np.flatnonzero(todo), "name": name[todo].to_numpy(),
                         "school_code": school[todo].to_numpy(), "norm": cls[todo].to_numpy(),
                         "cell_grade": cls_grade[todo].array})
    hits = rows.merge(roster, on=["name", "school_code", "norm"])
    hits = hits[(hits["cell_grade"].isna() | (hits["cell_grade"] == hits["grade"]))
                .fillna(False).to_numpy(dtype=bool)]
    counts = hits.groupby("pos")["student_id"].agg(["size", "first"])
    unique = counts[counts["size"] == 1]
    out[unique.index.to_numpy()] = unique["first"].to_numpy()
    none = todo.copy()
    none[counts.index.to_numpy()] = False
    cl = classes if grade is None else classes[classes["grade"] == grade]
    of_year = set(zip(cl["school_code"], class_norm(cl["name"]), strict=True))
    of_grade = set(zip(cl["school_code"], class_norm(cl["name"]), cl["grade"].astype(int),
                       strict=True))
    no_class = np.zeros(ctx.n, dtype=bool)
    for i in np.flatnonzero(none & cls.notna().to_numpy()):
        g = cls_grade.iloc[i]
        key = (school.iloc[i], cls.iloc[i])
        no_class[i] = key not in of_year if pd.isna(g) else (*key, int(g)) not in of_grade
    ctx.report(cols["class_name"], no_class, "ingest.unknown_class_value")
    ctx.report(cols["name"], none & ~no_class, "ingest.name_not_found")
    for pos, group in hits[hits["pos"].isin(counts.index[counts["size"] > 1])].groupby("pos"):
        m = np.zeros(ctx.n, dtype=bool)
        m[int(str(pos))] = True
        cands = listed(student_candidate(r.name, mask_national_id(r.national_id))
                       for r in records(group))
        ctx.report(cols["name"], m, "ingest.name_ambiguous", n=len(group), candidates=cands)
    return out


def _report_duplicates(ctx: Ctx, col: Column, key: pd.Series, shown: pd.Series) -> None:
    """Rows whose ``key`` repeats an earlier row's (the first row named)."""
    present = key.notna().to_numpy()
    codes = pd.factorize(key)[0]  # hashed once (Arrow's for text), then integers compared
    dup = pd.Series(codes).duplicated(keep="first").to_numpy() & present
    if dup.any():
        first = pd.Series(np.arange(ctx.n))[~dup & present].groupby(key[~dup & present]).first()
        for i in np.flatnonzero(dup):
            m = np.zeros(ctx.n, dtype=bool)
            m[i] = True
            ctx.report(col, m, "ingest.duplicate_row", first=int(ctx.rows[first[key.iloc[i]]]),
                       key=shown.iloc[i])


_LOOSE_NATIONAL_ID = ("学号",)
"""Headers read as the 学籍号 that schools also use for their own student numbers: a value
that is no 学籍号 on record leaves the row to its 考号 or 姓名 (a marking system's 学号 + 考号
layout), and is reported only when those do not find the student either."""

_SCIENTIFIC = r"^[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+$"
"""A long number as Excel shows it in a General cell (2.60801E+10): its digits are gone."""


def check_identity(ctx: Ctx, sc: ScoreColumns, db: Database, schools: SchoolNames,
                   classes: pd.DataFrame, exam_id: str, year: str,
                   grade: int | None = None, registered: pd.DataFrame | None = None,
                   ) -> pd.DataFrame:
    """Each row's student: by 学籍号; else by 考号 registered for the exam; else by 姓名 within
    学校 + 班级 when unique. Unmatched and ambiguous rows are problems; 姓名, 学校 and 班级 of
    rows matched by 学籍号 or 考号 are checked against the roster of the exam's school year.

    ``registered``: the exam's registrations (:func:`~eduquality.store.rosters.exam_numbers`)
    when the caller has read them already.

    Returns per row: student_id (NaN when unmatched), national_id, exam_number, class_id,
    school_code, class_track, row."""
    cols = sc.ident
    n = ctx.n
    none = pd.Series([None] * n, dtype=object)

    def text(name: str) -> pd.Series:
        return as_text(ctx.raw(cols[name])) if name in cols else none
    nid, num = text("national_id"), text("exam_number")
    name = person_names(text("name"))
    school_text, class_text = text("school"), text("class_name")
    school = school_codes(schools, school_text) if "school" in cols else none
    cls = class_norm(class_text) if "class_name" in cols else none
    cls_grade = (map_unique(class_text, lambda t: split_class_grade(t)[0])[0].astype("Int64")
                 if "class_name" in cols else pd.Series([None] * n, dtype="Int64"))
    wrong_grade = (cls_grade.notna() & (cls_grade != grade)).to_numpy(dtype=bool) \
        if grade is not None else np.zeros(n, dtype=bool)
    if wrong_grade.any():  # 初三(1)班 in a 初二 exam: said so, and the row goes no further
        for given in pd.unique(cls_grade[wrong_grade]):
            ctx.report(cols["class_name"], wrong_grade & (cls_grade == given).to_numpy(),
                       "ingest.class_grade_exam", given=int(given), exam=grade)
    key_col = next(cols[f] for f in IDENTITY if f in cols)
    sid = np.full(n, -1, dtype=np.int64)
    has_nid = nid.notna().to_numpy().copy()
    loose = np.zeros(n, dtype=bool)   # a 学号 that is no 学籍号: left to 考号 or 姓名
    nid_lost = nid.str.match(_SCIENTIFIC, na=False).to_numpy(dtype=bool)
    num_lost = num.str.match(_SCIENTIFIC, na=False).to_numpy(dtype=bool)
    if has_nid.any():
        sid[has_nid] = _lookup(nid[has_nid], lambda keys: ids_by_national_id(db, keys))
        unknown = has_nid & (sid < 0)
        ctx.report(cols["national_id"], unknown & nid_lost, "ingest.id_scientific")
        if norm_header(cols["national_id"].header) in _LOOSE_NATIONAL_ID:
            loose = unknown & ~nid_lost   # a school's own 学号: 考号 or 姓名 may tell
            has_nid &= ~loose
        else:
            ctx.report(cols["national_id"], unknown & ~nid_lost, "ingest.unknown_student")
    if registered is None:
        registered = exam_numbers(db, exam_id)
    by_num = ~has_nid & num.notna().to_numpy()
    if by_num.any():  # the exam's registrations are in hand: matched without a query
        known = registered[["exam_number", "student_id"]]
        sid[by_num] = _lookup(num[by_num], lambda _keys: known)
    from_num = by_num & (sid >= 0)
    named = {"name", "school", "class_name"} <= set(cols)
    todo = ~has_nid & ~from_num & name.notna().to_numpy()
    if named:  # a row whose school is unknown is reported for the school alone
        by_name = todo & ~(school_text.notna().to_numpy() & school.isna().to_numpy())
        by_name &= ~wrong_grade
        sid = np.where(by_name, _by_name(ctx, db, year, grade, by_name, name, school, cls,
                                         cls_grade, classes, cols), sid)
    if "exam_number" in cols:
        unknown_num = by_num & ~from_num & ~(todo & named)
        ctx.report(cols["exam_number"], unknown_num & num_lost, "ingest.id_scientific")
        ctx.report(cols["exam_number"], unknown_num & ~num_lost, "ingest.exam_number_unknown")
    other_way = num.notna().to_numpy() | (name.notna().to_numpy() & named)
    ctx.report(cols.get("national_id"), loose & ~other_way, "ingest.unknown_student")
    blank = ~has_nid & ~loose & ~num.notna().to_numpy() & ~name.notna().to_numpy()
    key_field = next(f for f in IDENTITY if f in cols)
    ctx.report(key_col, blank, "ingest.required_blank", label=ID.field(key_field).label)
    frame = year_placements(db, year, sid)
    matched = sid >= 0
    frame["national_id"] = frame["roster_nid"]
    _report_duplicates(ctx, key_col, pd.Series(sid).where(pd.Series(matched)),
                       as_text(ctx.raw(key_col)))
    no_class = matched & frame["class_id"].isna().to_numpy()
    ctx.report(key_col, no_class, "ingest.no_class_in_year", year=year)
    ok = matched & ~no_class
    if "exam_number" in cols:   # numbers whose digits Excel dropped are not duplicates
        _report_duplicates(ctx, cols["exam_number"], num.where(~num_lost), num)
    numbers = registered.set_index("student_id")["exam_number"]
    frame["exam_number"] = num.fillna(frame["student_id"].map(numbers)).fillna(
        frame["roster_nid"])
    check = ok & (has_nid | from_num)  # matched by name: name, school, class agree
    if "name" in cols:
        bad = check & name.notna().to_numpy() & (
            name != person_names(frame["roster_name"])).to_numpy()
        _report_each(ctx, cols["name"], bad, "ingest.name_mismatch", frame["roster_name"])
    if "school" in cols:
        known_school = school.notna().to_numpy()
        unknown = school_text.notna().to_numpy() & ~known_school
        for text in pd.unique(school_text[unknown]):  # the rosters' messages, similar names
            near = schools.near(str(text))
            rows = unknown & (school_text == text).to_numpy()
            if near:
                ctx.report(cols["school"], rows, "ingest.school_name_unknown_near",
                           candidates=schools.show(near))
            else:
                ctx.report(cols["school"], rows, "ingest.school_name_unknown")
        bad = check & known_school & (school != frame["school_code"]).to_numpy()
        _report_each(ctx, cols["school"], bad, "ingest.school_mismatch", frame["school_name"])
    if "class_name" in cols:
        expected = class_norm(frame["roster_class"])
        bad = check & class_text.notna().to_numpy() & ~wrong_grade & (cls != expected).to_numpy()
        if grade is None and cls_grade.notna().any():  # a grade in the cell: the class's too
            class_grade = frame["class_id"].map(classes.set_index("class_id")["grade"])
            bad |= check & (cls_grade.notna() & class_grade.notna()
                            & (cls_grade != class_grade)).to_numpy(dtype=bool)
        if bad.any():
            cl = classes.assign(norm=class_norm(classes["name"]))
            exists = pd.MultiIndex.from_frame(cl[["school_code", "norm"]])
            probe = pd.MultiIndex.from_arrays([frame["school_code"], cls])
            has_class = probe.isin(exists)
            _report_each(ctx, cols["class_name"], bad & has_class, "ingest.class_mismatch",
                         frame["roster_class"])
            ctx.report(cols["class_name"], bad & ~has_class, "ingest.unknown_class_value")
    frame["student_id"] = frame["student_id"].where(pd.Series(matched))
    frame["row"] = ctx.rows
    return frame


def _report_each(ctx: Ctx, col: Column, mask: np.ndarray, reason: str,
                 expected: pd.Series) -> None:
    for i in np.flatnonzero(mask):
        m = np.zeros(ctx.n, dtype=bool)
        m[i] = True
        ctx.report(col, m, reason, expected=expected.iloc[i])
