"""Which rows are students and who they are: data rows (summary rows skipped), the roster of
the exam's school year, checks of 考号/姓名/学校/班级, and one registration per student."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from eduquality.i18n import register
from eduquality.ingest.headers import Column, Grid
from eduquality.ingest.problems import Problems
from eduquality.ingest.scores.cells import Ctx
from eduquality.ingest.scores.columns import ScoreColumns
from eduquality.ingest.values import as_text, normalise_class, records
from eduquality.store.db import Database

MESSAGES = register({
    "ingest.unknown_student": ("学籍号不存在（请先导入学生名册）",
                               "unknown student id (import the roster first)"),
    "ingest.no_class_in_year": ("该学生在 {year} 学年没有班级",
                                "the student has no class in school year {year}"),
    "ingest.name_mismatch": ("姓名与学籍号不符（名册中为「{expected}」）",
                             "name does not match the student id (roster: '{expected}')"),
    "ingest.unknown_school_value": ("未知学校", "unknown school"),
    "ingest.school_mismatch": ("学校与名册不符（名册中为「{expected}」）",
                               "school differs from the roster ('{expected}')"),
    "ingest.unknown_class_value": ("该校该学年没有这个班级",
                                   "no such class in this school and year"),
    "ingest.class_mismatch": ("班级与名册不符（名册中为「{expected}」）",
                              "class differs from the roster ('{expected}')"),
    "ingest.exam_number_taken": ("考号已被另一名学生（学籍号 {other}）使用",
                                 "exam number already used by another student ({other})"),
    "ingest.exam_number_conflict": ("同一学生在另一工作表中的考号为 {other}",
                                    "the same student has exam number {other} in another sheet"),
})

_SUMMARY = ("平均", "合计", "总计", "最高", "最低", "统计", "人数", "及格率", "优秀率", "标准差",
            "均分", "小结")


def data_rows(grid: Grid, nid: pd.Series) -> np.ndarray:
    """Rows to import: those with a student id, and those without one that are neither empty
    nor a summary row (平均分, 合计 … in any cell) — the latter are reported as missing the id.
    A summary word in the id column marks a summary row too."""
    summary_id = nid.str.contains("|".join(_SUMMARY), na=False).to_numpy()
    keep = nid.notna().to_numpy() & ~summary_id
    cand = np.flatnonzero(~keep & ~summary_id)
    if len(cand):
        blank = grid.blank_rows(cand)
        for pos, is_empty in zip(cand, blank, strict=True):
            if is_empty:
                continue
            texts = grid.row_texts(int(pos))
            if not any(w in t for t in texts for w in _SUMMARY):
                keep[pos] = True
    return keep


def _roster(db: Database, year: str, nid: pd.Series) -> pd.DataFrame:
    """For each national id of the file (in order): the student and the class, school and
    track of the exam's school year (a join inside DuckDB)."""
    keys = pa.table({
        "national_id": pa.array(nid.to_numpy(dtype=object), type=pa.string(), from_pandas=True),
        "pos": pa.array(np.arange(len(nid), dtype=np.int64)),
    })
    db.con.register("_eq_nid", keys)
    try:
        relation = db.con.sql(
            """SELECT k.pos, s.student_id, s.name AS roster_name, c.class_id, c.school_code,
                      sc.name AS school_name, c.name AS roster_class, c.track AS class_track
               FROM _eq_nid k
               LEFT JOIN student s ON s.national_id = k.national_id
               LEFT JOIN class_membership m ON m.student_id = s.student_id AND m.year_code = ?
               LEFT JOIN class c ON c.class_id = m.class_id
               LEFT JOIN school sc ON sc.school_code = c.school_code
               ORDER BY k.pos""", params=[year])
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
        table = fetch()
    finally:
        db.con.unregister("_eq_nid")
    frame = table.to_pandas()
    frame.insert(0, "national_id", nid.to_numpy())
    return frame


def check_identity(ctx: Ctx, sc: ScoreColumns, db: Database, schools: pd.DataFrame,
                    classes: pd.DataFrame, year: str) -> pd.DataFrame:
    cols = sc.ident
    nid_col = cols["national_id"]
    nid = as_text(ctx.raw(nid_col))
    ctx.report(nid_col, nid.isna().to_numpy(), "ingest.required_blank", label="学籍号")
    frame = pd.DataFrame({"national_id": nid, "pos": np.arange(ctx.n)})
    dup = frame["national_id"].duplicated(keep="first").to_numpy() & nid.notna().to_numpy()
    if dup.any():
        first = frame[~dup].dropna().set_index("national_id")["pos"]
        for i in np.flatnonzero(dup):
            m = np.zeros(ctx.n, dtype=bool)
            m[i] = True
            ctx.report(nid_col, m, "ingest.duplicate_row",
                       first=int(ctx.rows[first[nid.iloc[i]]]), key=nid.iloc[i])
    frame = _roster(db, year, nid)
    known = frame["student_id"].notna().to_numpy()
    ctx.report(nid_col, nid.notna().to_numpy() & ~known, "ingest.unknown_student")
    no_class = known & frame["class_id"].isna().to_numpy()
    ctx.report(nid_col, no_class, "ingest.no_class_in_year", year=year)
    ok = known & ~no_class
    if "exam_number" in cols:
        num = as_text(ctx.raw(cols["exam_number"]))
        ctx.report(cols["exam_number"], num.isna().to_numpy(), "ingest.required_blank",
                   label="考号")
        d = num.duplicated(keep="first").to_numpy() & num.notna().to_numpy()
        if d.any():
            first = pd.Series(np.arange(ctx.n))[~d].groupby(num[~d]).first()
            for i in np.flatnonzero(d):
                m = np.zeros(ctx.n, dtype=bool)
                m[i] = True
                ctx.report(cols["exam_number"], m, "ingest.duplicate_row",
                           first=int(ctx.rows[first[num.iloc[i]]]), key=num.iloc[i])
        frame["exam_number"] = num.fillna(nid)
    else:
        frame["exam_number"] = nid
    if "name" in cols:
        name = as_text(ctx.raw(cols["name"]))
        bad = ok & name.notna().to_numpy() & (name != frame["roster_name"]).to_numpy()
        _report_each(ctx, cols["name"], bad, "ingest.name_mismatch", frame["roster_name"])
    if "school" in cols:
        school = as_text(ctx.raw(cols["school"]))
        is_code = school.isin(set(schools["school_code"]))
        is_name = school.isin(set(schools["name"]))
        known_school = (is_code | is_name).to_numpy()
        ctx.report(cols["school"], school.notna().to_numpy() & ~known_school,
                   "ingest.unknown_school_value")
        same = ((school == frame["school_code"]) | (school == frame["school_name"])).to_numpy()
        bad = ok & known_school & ~same
        _report_each(ctx, cols["school"], bad, "ingest.school_mismatch", frame["school_name"])
    if "class_name" in cols:
        cls = as_text(ctx.raw(cols["class_name"]))
        given = normalise_class(cls)
        expected = normalise_class(frame["roster_class"])
        bad = ok & cls.notna().to_numpy() & (given != expected).to_numpy()
        if bad.any():
            cl = classes.assign(norm=normalise_class(classes["name"]))
            exists = pd.MultiIndex.from_frame(cl[["school_code", "norm"]])
            probe = pd.MultiIndex.from_arrays([frame["school_code"], given])
            has_class = probe.isin(exists)
            _report_each(ctx, cols["class_name"], bad & has_class, "ingest.class_mismatch",
                         frame["roster_class"])
            ctx.report(cols["class_name"], bad & ~has_class, "ingest.unknown_class_value")
    frame["row"] = ctx.rows
    return frame


def _report_each(ctx: Ctx, col: Column, mask: np.ndarray, reason: str,
                 expected: pd.Series) -> None:
    for i in np.flatnonzero(mask):
        m = np.zeros(ctx.n, dtype=bool)
        m[i] = True
        ctx.report(col, m, reason, expected=expected.iloc[i])



def registrations(db: Database, exam_id: str, regs: list[pd.DataFrame],
                   problems: Problems) -> pd.DataFrame:
    """One registration per student; 考号 unique in the exam (file and database)."""
    if not regs:
        return pd.DataFrame(columns=["exam_id", "student_id", "exam_number", "school_code",
                                     "class_id"])
    allr = pd.concat(regs, ignore_index=True)
    first = allr.drop_duplicates("student_id", keep="first")
    clash = allr.merge(first[["student_id", "exam_number"]], on="student_id",
                       suffixes=("", "_first"))
    for r in records(clash[clash["exam_number"] != clash["exam_number_first"]]):
        problems.add("ingest.exam_number_conflict", sheet=r.sheet, row=int(r.row),
                     value=r.exam_number, other=r.exam_number_first)
    taken = db.sql("SELECT r.exam_number, r.student_id AS other_id, s.national_id AS other "
                   "FROM exam_registration r JOIN student s USING (student_id) "
                   "WHERE r.exam_id = ?", [exam_id])
    taken = taken[~taken["other_id"].isin(first["student_id"])]
    hit = first.merge(taken, on="exam_number")
    for r in records(hit):
        problems.add("ingest.exam_number_taken", sheet=r.sheet, row=int(r.row),
                     value=r.exam_number, other=r.other)
    dup_num = first[first["exam_number"].duplicated(keep=False)]
    for r in records(dup_num.drop_duplicates("exam_number", keep="first")):
        other = dup_num[(dup_num["exam_number"] == r.exam_number)
                        & (dup_num["student_id"] != r.student_id)]
        if len(other):
            problems.add("ingest.exam_number_taken", sheet=r.sheet, row=int(r.row),
                         value=r.exam_number, other=other["national_id"].iloc[0])
    out = first[["student_id", "exam_number", "school_code", "class_id"]].assign(exam_id=exam_id)
    out["student_id"] = out["student_id"].astype(np.int32)
    return out[["exam_id", "student_id", "exam_number", "school_code", "class_id"]]
