"""Score sheets (docs/file-formats.md, "Scores"): one row per student, item or subject columns.

Identity columns (学籍号 required; 考号, 姓名, 学校, 班级 checked against the roster of the
exam's school year); then per subject either item columns (``1``, ``第1题``, ``17(2)``, choices
``1选项``) or one subject total column (语文, 数学 …). Cells hold a score or a status (缺考/缺/-/
blank = absent, 违纪, 免考). Everything is checked column-wise with numpy masks; only the bad
cells are visited, to report them.

Item level: the subject score is the sum of the item scores, each optional group (选做组)
counting its ``n_counted`` best items; an objective item given only as a choice scores its full
marks when the choice equals the key, else 0 (a multiple-answer item scores only an exact match:
files with partial credit must give the scores).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from eduquality.i18n import register
from eduquality.ingest.headers import (
    IGNORE,
    Column,
    Field,
    Grid,
    Layout,
    check_headerless,
    find_header_row,
    header_texts,
)
from eduquality.ingest.headers import make_grid as _make_grid
from eduquality.ingest.paper import normalise_key
from eduquality.ingest.problems import Problems
from eduquality.ingest.readers import RawSheet
from eduquality.ingest.registrations import registrations as _registrations
from eduquality.ingest.registrations import upsert_registrations as _upsert_registrations
from eduquality.ingest.templates import SheetMapping, sheet_mapping
from eduquality.ingest.values import (
    as_number,
    as_text,
    map_unique,
    norm_header,
    normalise_class,
    records,
)
from eduquality.ingest.writes import append_rows, upsert
from eduquality.store.db import Database
from eduquality.vocab import SUBJECT_STATUS, SUBJECTS, TRACKS

MESSAGES = register({
    "ingest.no_paper": ("考试 {exam} 没有「{subject}」试卷，请先导入试卷结构",
                        "exam {exam} has no paper for {subject}; import the paper first"),
    "ingest.track_ambiguous": (
        "「{subject}」有多份试卷（{tracks}），请用 --track 或「类别」列指明",
        "{subject} has several papers ({tracks}); name one with --track or a 类别 column",
    ),
    "ingest.items_no_subject": (
        "无法判断小题属于哪个学科：请用 --subject 指定，或把工作表命名为学科名",
        "cannot tell which subject the items belong to: use --subject or name the sheet "
        "after the subject",
    ),
    "ingest.not_an_item": ("试卷 {paper} 中没有这道题", "paper {paper} has no such item"),
    "ingest.item_missing": ("缺少试卷 {paper} 第「{item}」题的列",
                            "no column for item '{item}' of paper {paper}"),
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
    "ingest.score_text": ("成绩应为数字，或 缺考、缺、-、违纪、免考",
                          "a score must be a number, or 缺考/缺/-/违纪/免考"),
    "ingest.score_negative": ("成绩不能为负数", "a score cannot be negative"),
    "ingest.score_over_item": ("得分超过该题满分 {full}", "score above the item's full marks "
                               "{full}"),
    "ingest.score_over_paper": ("成绩超过试卷满分 {full}", "score above the paper's full marks "
                                "{full}"),
    "ingest.status_mixed": ("该学生本科目既有分数又标为「{status}」",
                            "the student has scores and is also marked '{status}'"),
    "ingest.present_no_score": ("标为正常却没有分数", "marked present but has no score"),
    "ingest.bad_choice": ("选项应为 A–H 的字母", "a choice is made of letters A–H"),
    "ingest.choice_not_objective": ("只有客观题可以给出选项", "only objective items take choices"),
    "ingest.total_mismatch": ("总分与各项之和 {sum} 不符", "total differs from the sum {sum}"),
})

ID = Layout("score_identity", "成绩表", "score sheet", (
    Field("national_id", "学籍号", ("全国学籍号", "学号", "学生学籍号", "学籍编号"), True),
    Field("exam_number", "考号", ("准考证号", "考试号", "考生号", "准考号")),
    Field("name", "姓名", ("学生姓名",)),
    Field("school", "学校", ("学校名称", "学校代码", "校名", "学校编码")),
    Field("class_name", "班级", ("班级名称", "班名")),
    Field("track", "类别", ("科类", "文理", "文理科")),
    Field("total", "总分", ("总成绩", "总计分")),
))
_IGNORED = ("序号", "名次", "排名", "班级排名", "年级排名", "班名次", "校名次", "年级名次",
            "区名次", "班次", "校次", "级次", "备注", "性别", "年级")
_SUBJECT_SCORE = {"总分", "小计", "得分", "成绩", "分数", "合计", "卷面分"}
_SUMMARY = ("平均", "合计", "总计", "最高", "最低", "统计", "人数", "及格率", "优秀率", "标准差",
            "均分", "小结")
_ITEM_RE = re.compile(r"^(?:第)?([0-9]+(?:[(（][0-9]+[)）])*(?:[-.][0-9]+)?)(?:题|小题)?$")
_STATUS_PRIORITY = {"cheating": 3, "exempt": 2, "absent": 1}


def item_label(text: str) -> str | None:
    """'第17(2)题' → '17(2)'; None when not an item number.

    >>> item_label("第1题"), item_label("17（2）"), item_label("数学")
    ('1', '17(2)', None)
    """
    m = _ITEM_RE.match(norm_header(text))
    return m.group(1) if m else None


@dataclass
class Paper:
    paper_id: str
    subject: str
    track: str | None
    full_marks: float
    items: pd.DataFrame  # seq, item_no, label, item_type, full_marks, answer_key, group, n


@dataclass
class ScoreColumns:
    """How the columns of a sheet were understood."""

    ident: dict[str, Column] = field(default_factory=dict)
    totals: dict[str, Column] = field(default_factory=dict)  # subject → column
    items: dict[str, dict[str, Column]] = field(default_factory=dict)  # subject → label → col
    choices: dict[str, dict[str, Column]] = field(default_factory=dict)
    subject_sum: dict[str, Column] = field(default_factory=dict)  # subject → its 总分 column

    def fields(self) -> dict[str, Column]:
        """Field name → column: identity fields, ``数学`` (subject total), ``数学:17(2)``
        (item), ``数学:1选项`` (choice), ``数学:总分`` (the subject's sum, checked)."""
        out = dict(self.ident)
        out.update({SUBJECTS.label(s): c for s, c in self.totals.items()})
        for table, suffix in ((self.items, ""), (self.choices, "选项")):
            for s, cols in table.items():
                out.update({f"{SUBJECTS.label(s)}:{k}{suffix}": c for k, c in cols.items()})
        out.update({f"{SUBJECTS.label(s)}:总分": c for s, c in self.subject_sum.items()})
        return out


def _load_papers(db: Database, exam_id: str) -> dict[tuple[str, str | None], Paper]:
    papers = db.sql("SELECT paper_id, subject_code, track, full_marks FROM paper "
                    "WHERE exam_id = ?", [exam_id])
    items = db.sql("""SELECT i.paper_id, seq, item_no, item_type, full_marks, answer_key,
                             optional_group, g.n_counted
                      FROM item i LEFT JOIN optional_group g
                        ON g.paper_id = i.paper_id AND g.group_code = i.optional_group
                      WHERE i.paper_id IN (SELECT paper_id FROM paper WHERE exam_id = ?)
                      ORDER BY i.paper_id, seq""", [exam_id])
    items["label"] = [item_label(t) or norm_header(t) for t in items["item_no"]]
    out = {}
    for p in records(papers):
        track = p.track if isinstance(p.track, str) else None
        out[(p.subject_code, track)] = Paper(
            p.paper_id, p.subject_code, track, float(p.full_marks),
            items[items["paper_id"] == p.paper_id].reset_index(drop=True))
    return out


def _find_header(raw: RawSheet, user_map: dict[str, str]) -> tuple[int, bool]:
    lookup = ID.lookup()
    subjects = {norm_header(k) for t in SUBJECTS.terms.values() for k in (t.zh, *t.aliases)}
    known = set(lookup) | set(user_map) | {norm_header(s) for s in _IGNORED} | subjects
    row = find_header_row(raw, known)
    top = [norm_header(user_map.get(norm_header(t), t)) for t in header_texts(raw, row)]
    id_cols = [j for j, t in enumerate(top) if lookup.get(t) in ("national_id", "exam_number")]
    nxt = header_texts(raw, row + 1)
    if not id_cols or not nxt:
        return row, False
    ids_blank = all(j >= len(nxt) or not nxt[j] for j in id_cols)
    return row, ids_blank and any(nxt)


def _classify(grid: Grid, user_map: dict[str, str], subject: str | None, problems: Problems,
              lang: str) -> ScoreColumns:
    lookup = ID.lookup()
    lookup.update({norm_header(t): IGNORE for t in _IGNORED})
    sc = ScoreColumns()
    header_row = grid.header_rows[0] + 1
    fields = ID.field_list() + "、" + "、".join(
        t.zh for t in SUBJECTS.terms.values() if t.code != "total") + "、1、第1题、17(2)、1选项"

    def unknown(col: Column) -> None:
        problems.add("ingest.unknown_column", sheet=grid.sheet, row=header_row, column=col.label,
                     value=col.header, header=col.header, fields=fields)

    def put(table: dict[str, Any], key: str, col: Column, name: str) -> None:
        if key in table:
            problems.add("ingest.duplicate_column", sheet=grid.sheet, row=header_row,
                         column=col.label, value=col.header, header=col.header,
                         other=table[key].label, field=name)
        else:
            table[key] = col

    for col in grid.columns:
        mapped = user_map.get(norm_header(col.header))
        if mapped is None and col.bottom:
            mapped = user_map.get(norm_header(col.bottom))
        if mapped is not None and (mapped == IGNORE or mapped.lower() == "ignore"):
            continue
        if col.top and col.bottom:
            top_subject = SUBJECTS.parse(col.top)
            bottom = mapped or col.bottom
            if top_subject is None or top_subject == "total":
                unknown(col)
                continue
            _classify_item(sc, top_subject, bottom, col, put, unknown, in_group=True)
            continue
        text = mapped or col.header
        name = lookup.get(norm_header(text))
        if name == IGNORE:
            continue
        if name is not None:
            put(sc.ident, name, col, name)
            continue
        subj = SUBJECTS.parse(text)
        if subj is not None and subj != "total":
            put(sc.totals, subj, col, subj)
            continue
        if subject is None:
            if item_label(text) is not None or norm_header(text).endswith("选项"):
                problems.add("ingest.items_no_subject", sheet=grid.sheet, row=header_row,
                             column=col.label, value=col.header)
            else:
                unknown(col)
            continue
        _classify_item(sc, subject, text, col, put, unknown, in_group=False)
    check_headerless(grid, problems)
    if "national_id" not in sc.ident:
        f = ID.field("national_id")
        problems.add("ingest.missing_column", sheet=grid.sheet, row=header_row, label=f.label,
                     aliases="、".join((f.label, *f.aliases)))
    for subj in [t for t in sc.totals if t in sc.items]:  # 数学 next to 数学's items: a check
        sc.subject_sum.setdefault(subj, sc.totals.pop(subj))
    if "total" in sc.ident and len(sc.items) == 1 and not sc.totals:
        subj = next(iter(sc.items))
        sc.subject_sum.setdefault(subj, sc.ident.pop("total"))
    return sc


def _classify_item(sc: ScoreColumns, subject: str, text: str, col: Column, put: Any,
                   unknown: Any, in_group: bool) -> None:
    norm = norm_header(text)
    if norm.endswith("选项") or norm.endswith("选择"):
        label = item_label(norm[:-2])
        if label is None:
            unknown(col)
        else:
            put(sc.choices.setdefault(subject, {}), label, col, f"{subject}:{label}")
        return
    label = item_label(norm)
    if label is not None:
        put(sc.items.setdefault(subject, {}), label, col, f"{subject}:{label}")
    elif in_group and norm in _SUBJECT_SCORE:
        put(sc.subject_sum, subject, col, subject)
    elif in_group and norm in {norm_header(t) for t in _IGNORED}:
        return
    else:
        unknown(col)


# -- rows and students --------------------------------------------------------------------
def _data_rows(grid: Grid, nid: pd.Series) -> np.ndarray:
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


@dataclass
class SheetScores:
    """Checked rows of one sheet: identity and, per paper, results and item scores."""

    ident: pd.DataFrame  # student_id, exam_number, school_code, class_id, row, sheet
    results: list[pd.DataFrame] = field(default_factory=list)
    n_rows: int = 0


class _Ctx:
    """One sheet being checked: its rows and a reporter at a column."""

    def __init__(self, grid: Grid, keep: np.ndarray, problems: Problems) -> None:
        self.grid, self.keep, self.problems = grid, keep, problems
        self.rows = grid.rows[keep]
        self.n = int(keep.sum())

    def raw(self, col: Column) -> pd.Series:
        return self.grid.cells(col)[self.keep].reset_index(drop=True)

    def report(self, col: Column | None, mask: np.ndarray, reason: str,
               values: Any = None, **params: Any) -> None:
        if not np.any(mask):
            return
        if values is None and col is not None:
            values = self.raw(col)
        self.problems.add_rows(reason, mask, sheet=self.grid.sheet, rows=self.rows,
                               column=col.label if col else None, values=values, **params)


def _check_identity(ctx: _Ctx, sc: ScoreColumns, db: Database, schools: pd.DataFrame,
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


def _report_each(ctx: _Ctx, col: Column, mask: np.ndarray, reason: str,
                 expected: pd.Series) -> None:
    for i in np.flatnonzero(mask):
        m = np.zeros(ctx.n, dtype=bool)
        m[i] = True
        ctx.report(col, m, reason, expected=expected.iloc[i])


# -- scores -------------------------------------------------------------------------------
def _cells(ctx: _Ctx, col: Column) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """(scores with NaN, status code per row or None, raw) for one score column; bad text,
    negative scores are reported."""
    raw = ctx.raw(col)
    num, text_mask = as_number(raw)
    status = pd.Series([None] * ctx.n, dtype=object)
    if text_mask.any():
        idx = np.flatnonzero(text_mask)
        texts = as_text(raw.iloc[idx])
        parsed = map_unique(texts, SUBJECT_STATUS.parse)[0]
        status.iloc[idx] = parsed.to_numpy()
        unparsed = np.asarray(parsed.isna(), dtype=bool) | np.asarray(
            (parsed == "present").fillna(False), dtype=bool)
        bad = np.zeros(ctx.n, dtype=bool)
        bad[idx[unparsed]] = True
        ctx.report(col, bad, "ingest.score_text")
        status.iloc[idx[unparsed]] = None
    ctx.report(col, num < 0, "ingest.score_negative")
    return num, status.to_numpy(dtype=object), raw


def _row_status(statuses: list[np.ndarray], n: int) -> np.ndarray:
    """The strongest status word of each row across cells (违纪 > 免考 > 缺考), or None."""
    best = np.zeros(n, dtype=np.int8)
    for st in statuses:
        idx = np.flatnonzero(pd.notna(st))
        if len(idx):
            rank = pd.Series(st[idx]).map(_STATUS_PRIORITY).fillna(0).to_numpy(dtype=np.int8)
            best[idx] = np.maximum(best[idx], rank)
    names = np.array([None, "absent", "exempt", "cheating"], dtype=object)
    return names[best]


def _subject_totals(ctx: _Ctx, col: Column, paper: Paper, ident_ok: np.ndarray,
                    student_ids: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    num, status, _ = _cells(ctx, col)
    ctx.report(col, num > paper.full_marks + 1e-9, "ingest.score_over_paper",
               full=_fmt(paper.full_marks))
    present = ~np.isnan(num)
    st = np.where(present, "present", np.where(pd.isna(status), "absent", status))
    res = pd.DataFrame({"paper_id": paper.paper_id, "student_id": student_ids,
                        "status": st, "score": np.where(present, num, np.nan)})
    return res[ident_ok], np.where(present, num, np.nan)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _subject_items(ctx: _Ctx, sc: ScoreColumns, subject: str, paper: Paper,
                   ident_ok: np.ndarray, student_ids: np.ndarray,
                   ) -> tuple[pd.DataFrame, tuple[str, pa.Table], np.ndarray]:
    items = paper.items
    cols = sc.items.get(subject, {})
    choices = sc.choices.get(subject, {})
    labels = list(items["label"])
    header_row = ctx.grid.header_rows[-1] + 1
    for label, col in {**cols, **choices}.items():
        if label not in labels:
            ctx.problems.add("ingest.not_an_item", sheet=ctx.grid.sheet, row=header_row,
                             column=col.label, value=col.header, paper=paper.paper_id)
    for label, item_no in zip(labels, items["item_no"], strict=True):
        if label not in cols and label not in choices:
            ctx.problems.add("ingest.item_missing", sheet=ctx.grid.sheet, row=header_row,
                             paper=paper.paper_id, item=item_no)
    n, k = ctx.n, len(items)
    scores = np.full((n, k), np.nan)
    chosen = np.full((n, k), None, dtype=object) if choices else None
    statuses = []
    answered = np.zeros(n, dtype=bool)
    for j, it in enumerate(records(items)):
        if it.label in cols:
            col = cols[it.label]
            num, status, _ = _cells(ctx, col)
            ctx.report(col, num > it.full_marks + 1e-9, "ingest.score_over_item",
                       full=_fmt(it.full_marks))
            scores[:, j] = num
            statuses.append(status)
        if it.label in choices:
            ccol = choices[it.label]
            if it.item_type != "objective" or not isinstance(it.answer_key, str):
                ctx.problems.add("ingest.choice_not_objective", sheet=ctx.grid.sheet,
                                 row=header_row, column=ccol.label, value=ccol.header)
                continue
            text = as_text(ctx.raw(ccol))
            keyed = map_unique(text, normalise_key)[0]
            status_words = map_unique(text, SUBJECT_STATUS.parse)[0]
            bad = (text.notna() & keyed.isna() & status_words.isna()).to_numpy()
            ctx.report(ccol, bad, "ingest.bad_choice")
            statuses.append(status_words.where(keyed.isna()).to_numpy(dtype=object))
            has = keyed.notna().to_numpy()
            assert chosen is not None
            chosen[has, j] = keyed[has].to_numpy()
            from_key = has & np.isnan(scores[:, j])
            scores[from_key, j] = np.where(keyed[from_key].to_numpy() == it.answer_key,
                                           it.full_marks, 0.0)
            answered |= has
    answered |= ~np.isnan(scores).all(axis=1) if k else answered
    if subject in sc.subject_sum:
        total_num, total_status, _ = _cells(ctx, sc.subject_sum[subject])
        statuses.append(total_status)
    row_status = _row_status(statuses, n)
    mixed = answered & (row_status != None)  # noqa: E711
    if mixed.any():
        for i in np.flatnonzero(mixed):
            m = np.zeros(n, dtype=bool)
            m[i] = True
            ctx.report(None, m, "ingest.status_mixed",
                       status=SUBJECT_STATUS.label(str(row_status[i])))
    present = answered & ~mixed
    total = _paper_score(scores, items)
    if subject in sc.subject_sum:
        col = sc.subject_sum[subject]
        off = present & ~np.isnan(total_num) & (np.abs(total_num - total) > 1e-6)
        for i in np.flatnonzero(off):
            m = np.zeros(n, dtype=bool)
            m[i] = True
            ctx.report(col, m, "ingest.total_mismatch", sum=_fmt(total[i]))
    st = np.where(present, "present", np.where(row_status == None, "absent",  # noqa: E711
                                               row_status))
    res = pd.DataFrame({"paper_id": paper.paper_id, "student_id": student_ids, "status": st,
                        "score": np.where(present, total, np.nan)})
    keep = ident_ok & present
    sel = np.flatnonzero(keep)
    score_flat = scores[sel].ravel()
    choice = (pa.array(chosen[sel].ravel(), type=pa.string()) if chosen is not None
              else pa.nulls(len(score_flat), pa.string()))
    item_scores = pa.table({
        "student_id": pa.array(np.repeat(student_ids[sel], k).astype(np.int32)),
        "seq": pa.array(np.tile(items["seq"].to_numpy(dtype=np.int16), len(sel))),
        "score": pa.array(score_flat, mask=np.isnan(score_flat)),
        "choice": choice,
    })
    return res[ident_ok], (paper.paper_id, item_scores), np.where(present, total, np.nan)


def _paper_score(scores: np.ndarray, items: pd.DataFrame) -> np.ndarray:
    """Sum of item scores; in each optional group only the ``n_counted`` best count."""
    filled = np.nan_to_num(scores, nan=0.0)
    groups = items["optional_group"]
    plain = groups.isna().to_numpy()
    total = filled[:, plain].sum(axis=1)
    for g in pd.unique(groups[~plain]):
        idx = np.flatnonzero((groups == g).to_numpy())
        n_counted = int(items["n_counted"].iloc[idx[0]] or 1)
        total += np.sort(filled[:, idx], axis=1)[:, ::-1][:, :n_counted].sum(axis=1)
    return total


# -- the plan -----------------------------------------------------------------------------
@dataclass
class ScoresPlan:
    exam_id: str
    registrations: pd.DataFrame
    results: pd.DataFrame
    item_scores: list[tuple[str, pa.Table]]
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)
    mapping: list[SheetMapping] = field(default_factory=list)

    def preview(self) -> dict[str, int]:
        """Rows :meth:`write` would write, per table (``import check``)."""
        return {"exam_registration": len(self.registrations),
                "subject_result": len(self.results),
                "item_score": sum(t.num_rows for _, t in self.item_scores)}

    def write(self, con: Any) -> int:
        """Registrations, subject results and item scores of the students in the file replace
        what the database held for them (papers of this file only). Writes.

        Rows move from Arrow/pandas into DuckDB by ``INSERT … SELECT``; the delete step is
        skipped when the exam or paper holds no rows yet (a first import)."""
        n = 0
        if _exists(con, "exam_registration", "exam_id", [self.exam_id]):
            n += _upsert_registrations(con, self.registrations)
        else:
            n += append_rows(con, "exam_registration", self.registrations)
        papers = list(self.results["paper_id"].unique())
        if _exists(con, "subject_result", "paper_id", papers):
            n += upsert(con, "subject_result", self.results, ["paper_id", "student_id"])
        else:
            n += append_rows(con, "subject_result", self.results)
        n_items = 0
        for pid, table in self.item_scores:
            if _exists(con, "item_score", "paper_id", [pid]):
                keys = self.results.loc[self.results["paper_id"] == pid, ["student_id"]]
                con.register("_eq_keys", keys)
                con.execute("DELETE FROM item_score AS t USING _eq_keys AS k "
                            "WHERE t.paper_id = ? AND t.student_id = k.student_id", [pid])
                con.unregister("_eq_keys")
            con.register("_eq_items", table)
            con.execute("INSERT INTO item_score SELECT ?, student_id, seq, score, choice "
                        "FROM _eq_items", [pid])
            con.unregister("_eq_items")
            n_items += table.num_rows
        self.counts.update(exam_registration=len(self.registrations),
                           subject_result=len(self.results), item_score=n_items)
        return n + n_items


def _exists(con: Any, table: str, column: str, values: list[str]) -> bool:
    row = con.execute(f"SELECT 1 FROM {table} WHERE list_contains(?, {column}) LIMIT 1",
                      [values]).fetchall()
    return bool(row)


def _pick_paper(papers: dict[tuple[str, str | None], Paper], subject: str,
                track: str | None) -> list[Paper]:
    """The papers of ``subject``; with ``track``, that track's paper, else the paper common to
    all tracks (语文 and 外语 are one paper for 文科 and 理科)."""
    found = [p for (s, t), p in papers.items() if s == subject]
    if track is not None:
        found = [p for p in found if p.track == track] or [p for p in found if p.track is None]
    return found


def plan_scores(db: Database, file: str, sheets: list[RawSheet], problems: Problems,
                exam_id: str, subject: str | None = None, track: str | None = None,
                user_map: dict[str, str] | None = None, lang: str = "zh") -> ScoresPlan:
    """Check a score file for ``exam_id``; the plan writes it (when ``problems`` is empty)."""
    user_map = user_map or {}
    empty = ScoresPlan(exam_id, pd.DataFrame(), pd.DataFrame(), [], 0)
    exam = db.sql("SELECT year_code, grade FROM exam WHERE exam_id = ?", [exam_id])
    if exam.empty:
        problems.add("ingest.unknown_exam", exam=exam_id)
        return empty
    year = str(exam["year_code"].iloc[0])
    papers = _load_papers(db, exam_id)
    subject_code = SUBJECTS.parse(subject) if subject else None
    if subject and subject_code is None:
        problems.add("ingest.bad_vocab", label="--subject", value=subject,
                     allowed="、".join(t.zh for t in SUBJECTS.terms.values()))
        return empty
    track_code = TRACKS.parse(track) if track else None
    schools = db.sql("SELECT school_code, name FROM school")
    classes = db.sql("SELECT school_code, name FROM class WHERE year_code = ?", [year])
    regs: list[pd.DataFrame] = []
    results: list[pd.DataFrame] = []
    item_frames: list[tuple[str, pa.Table]] = []
    rows_read = 0
    mapping: list[SheetMapping] = []
    for raw in sheets:
        row, two = _find_header(raw, user_map)
        grid = _make_grid(file, raw, row, two)
        sheet_subject = subject_code or SUBJECTS.parse(norm_header(raw.name))
        sc = _classify(grid, user_map, sheet_subject, problems, lang)
        mapping.append(sheet_mapping(grid, "scores", sc.fields()))
        if "national_id" not in sc.ident:
            continue
        nid_all = as_text(grid.cells(sc.ident["national_id"]))
        keep = _data_rows(grid, nid_all)
        ctx = _Ctx(grid, keep, problems)
        rows_read += ctx.n
        ident = _check_identity(ctx, sc, db, schools, classes, year)
        ok = ident["student_id"].notna().to_numpy() & ident["class_id"].notna().to_numpy()
        sids = ident["student_id"].fillna(-1).to_numpy(dtype=np.int64)
        row_track = _row_tracks(ctx, sc, ident, track_code)
        sums = []
        for subj in [*sc.items, *[s for s in sc.totals if s not in sc.items]]:
            label = SUBJECTS.label(subj, lang)
            cands = _pick_paper(papers, subj, track_code)
            if not cands:
                problems.add("ingest.no_paper", sheet=grid.sheet, exam=exam_id, subject=label)
                continue
            if subj in sc.items:
                if len(cands) > 1:
                    tracks = set(row_track[ok]) if ok.any() else set()
                    cands = [p for p in cands if p.track in tracks] if len(tracks) == 1 else []
                    if len(cands) != 1:
                        problems.add("ingest.track_ambiguous", sheet=grid.sheet, subject=label,
                                     tracks="、".join(str(p.track) for p in
                                                     _pick_paper(papers, subj, None)))
                        continue
                res, its, total = _subject_items(ctx, sc, subj, cands[0], ok, sids)
                results.append(res)
                item_frames.append(its)
                sums.append(total)
            else:
                col = sc.totals[subj]
                by_track = {p.track: p for p in cands}
                if len(cands) == 1:
                    res, total = _subject_totals(ctx, col, cands[0], ok, sids)
                    results.append(res)
                    sums.append(total)
                    continue
                unresolved = ok & ~pd.Series(row_track).isin(list(by_track)).to_numpy()
                if unresolved.any():
                    problems.add("ingest.track_ambiguous", sheet=grid.sheet, subject=label,
                                 tracks="、".join(str(t) for t in by_track))
                combined = np.full(ctx.n, np.nan)
                for t, p in by_track.items():
                    sel = ok & (row_track == t)
                    res, total = _subject_totals(ctx, col, p, sel, sids)
                    results.append(res)
                    combined[sel] = total[sel]
                sums.append(combined)
        if "total" in sc.ident and sums:
            _check_total(ctx, sc.ident["total"], sums)
        regs.append(ident[ok].assign(sheet=grid.sheet)[
            ["student_id", "exam_number", "school_code", "class_id", "national_id", "row",
             "sheet"]])
    reg = _registrations(db, exam_id, regs, problems)
    if problems:
        return ScoresPlan(exam_id, pd.DataFrame(), pd.DataFrame(), [], rows_read,
                          mapping=mapping)
    res = pd.concat(results, ignore_index=True) if results else pd.DataFrame(
        columns=["paper_id", "student_id", "status", "score"])
    res = res.drop_duplicates(["paper_id", "student_id"], keep="last")
    res["student_id"] = res["student_id"].astype(np.int32)
    return ScoresPlan(exam_id, reg, res, item_frames, rows_read, mapping=mapping)


def _row_tracks(ctx: _Ctx, sc: ScoreColumns, ident: pd.DataFrame,
                track: str | None) -> np.ndarray:
    if track is not None:
        return np.full(ctx.n, track, dtype=object)
    out = ident["class_track"].to_numpy(dtype=object)
    if "track" in sc.ident:
        col = sc.ident["track"]
        text = as_text(ctx.raw(col))
        parsed = map_unique(text, TRACKS.parse)[0]
        ctx.report(col, (text.notna() & parsed.isna()).to_numpy(), "ingest.bad_vocab",
                   label="类别", allowed="、".join(t.zh for t in TRACKS.terms.values()))
        out = np.where(parsed.notna().to_numpy(), parsed.to_numpy(dtype=object), out)
    return out


def _check_total(ctx: _Ctx, col: Column, sums: list[np.ndarray]) -> None:
    num, _, _ = _cells(ctx, col)
    stacked = np.vstack(sums)
    total = np.nansum(stacked, axis=0)
    any_present = ~np.isnan(stacked).all(axis=0)
    off = any_present & ~np.isnan(num) & (np.abs(num - total) > 1e-6)
    for i in np.flatnonzero(off):
        m = np.zeros(ctx.n, dtype=bool)
        m[i] = True
        ctx.report(col, m, "ingest.total_mismatch", sum=_fmt(total[i]))
