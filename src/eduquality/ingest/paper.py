"""Exam and paper definitions (docs/file-formats.md, "Exam and paper definition").

Sheet 考试信息 holds the exam (as a header row with one data row, or as 字段 | 值 pairs down the
first two columns); sheet 试卷结构 one row per item of every subject. Each (subject, track) is a
paper ``EXAM/subject[/track]``; its full marks are the item full marks summed, each optional
group (选做组) counting only its ``选做数`` highest items. An objective item may have no key (its
scores must then be given). A paper may instead be one row without 题号 (学科 + 满分): a paper of
subject totals only, for exams whose files carry no item scores (中考, 高考, 联考 results).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.cells import Cells
from eduquality.ingest.headers import find_header_row, make_grid, match_columns
from eduquality.ingest.layouts import EXAM_INFO, PAPER_ITEMS
from eduquality.ingest.problems import Problems, listed
from eduquality.ingest.readers import RawSheet
from eduquality.ingest.templates import SheetMapping, sheet_mapping
from eduquality.ingest.values import norm_header
from eduquality.ingest.writes import upsert
from eduquality.store.db import Database
from eduquality.store.papers import paper_items, papers_with_item_scores
from eduquality.store.refs import exists, keys
from eduquality.vocab import EXAM_SCOPES, EXAM_TYPES, ITEM_TYPES, SUBJECTS, TRACKS

MESSAGES = register({
    "ingest.no_exam_info": (
        "找不到考试信息：需要工作表「考试信息」（或 --exam-info 文件，或用 --exam 指定已有考试）",
        "no exam information: a sheet 考试信息 is needed (or --exam-info FILE, or --exam "
        "naming an existing exam)",
    ),
    "ingest.no_items": ("找不到试卷结构（工作表「试卷结构」）",
                        "no paper structure (sheet 试卷结构)"),
    "ingest.one_exam": ("考试信息只能有一行（一个文件一场考试）",
                        "the exam information must have exactly one row (one exam per file)"),
    "ingest.unknown_exam": ("考试「{exam}」不存在，请先导入考试信息",
                            "exam '{exam}' does not exist; import its definition first"),
    "ingest.exam_mismatch": ("考试代码与考试信息中的「{exam}」不一致",
                             "exam code differs from '{exam}' in the exam information"),
    "ingest.full_marks_positive": ("满分必须大于 0", "full marks must be greater than 0"),
    "ingest.subject_row_mixed": (
        "「{subject}」既有不带题号的学科行又有小题行：一份试卷要么只写学科总分（一行，不填题号），"
        "要么逐题列出",
        "{subject} has both a row without 题号 (a subject total) and item rows: a paper is either "
        "one subject row (no 题号) or its items",
    ),
    "ingest.bad_key": ("答案应为 A–H 的字母", "an answer key is made of letters A–H"),
    "ingest.bad_knowledge": ("知识点权重无法识别（例：函数:0.5）",
                             "unrecognised knowledge-point weight (e.g. 函数:0.5)"),
    "ingest.bad_n_counted": ("选做数应为 1 到该组题数之间的整数，且同组一致",
                             "选做数 must be a whole number from 1 to the group's size, the same "
                             "for the whole group"),
    "ingest.paper_has_scores": (
        "试卷 {paper} 已有小题成绩，题目结构不能再改（删去成绩后再导入）",
        "paper {paper} already has item scores; its items cannot change (remove the scores "
        "first)",
    ),
})

_KP_SPLIT = re.compile(r"[；;、,，]")
_KEY_RE = re.compile(r"[A-H]+")


def paper_id(exam_id: str, subject: str, track: str | None) -> str:
    """``EXAM/subject`` or ``EXAM/subject/track``."""
    return f"{exam_id}/{subject}" + (f"/{track}" if track else "")


def normalise_key(text: str) -> str | None:
    """'a, c' → 'AC' (letters sorted); None when not letters A–H."""
    s = re.sub(r"[\s,，、;；]", "", unicodedata.normalize("NFKC", text)).upper()
    return "".join(sorted(set(s))) if _KEY_RE.fullmatch(s) else None


def parse_knowledge(text: str) -> list[tuple[str, float]] | None:
    """'函数:0.5；几何' → [('函数', 0.5), ('几何', 1.0)]; None when a weight is bad."""
    out = []
    for part in _KP_SPLIT.split(unicodedata.normalize("NFKC", text)):
        part = part.strip()
        if not part:
            continue
        name, sep, weight = part.partition(":")
        try:
            w = float(weight) if sep else 1.0
        except ValueError:
            return None
        if not name.strip() or not w > 0:
            return None
        out.append((name.strip(), w))
    return out


def _key_value_sheet(raw: RawSheet) -> RawSheet | None:
    """A 字段 | 值 sheet turned into a header row and one data row."""
    known = set(EXAM_INFO.lookup())
    first = raw.cells.iloc[:, 0].map(norm_header)
    if int(first.isin(known).sum()) < 3 or raw.cells.shape[1] < 2:
        return None
    pairs = raw.cells.iloc[:, :2][first.isin(known).to_numpy()]
    frame = pd.DataFrame([pairs.iloc[:, 0].tolist(), pairs.iloc[:, 1].tolist()], dtype=object)
    return RawSheet(raw.name, frame)


@dataclass
class PaperPlan:
    exam: pd.DataFrame
    papers: pd.DataFrame
    items: pd.DataFrame
    knowledge: pd.DataFrame
    groups: pd.DataFrame
    rows_read: int
    counts: dict[str, int] = field(default_factory=dict)
    mapping: list[SheetMapping] = field(default_factory=list)

    def preview(self) -> dict[str, int]:
        """Rows :meth:`write` would write, per table (``import check``)."""
        return {"exam": len(self.exam), "paper": len(self.papers), "item": len(self.items),
                "optional_group": len(self.groups), "item_knowledge": len(self.knowledge)}

    def schools(self) -> None:
        """An exam and its papers are the district's: no school's own (see
        :func:`~eduquality.ingest.importer.check_schools`)."""
        return None

    def district_kinds(self) -> list[str]:
        return ["exam", "paper"]

    def exam_ids(self) -> list[str]:
        """The exams whose rows :meth:`write` writes (the one given or named in the file)."""
        ids = [*self.exam.get("exam_id", []), *self.papers.get("exam_id", [])]
        return sorted({str(e) for e in ids if isinstance(e, str)})

    def write(self, con: Any) -> int:
        """Exam and papers upserted; each paper's items, groups and knowledge replaced."""
        n = upsert(con, "exam", self.exam, ["exam_id"]) if not self.exam.empty else 0
        ids = list(self.papers["paper_id"])
        for table in ("item_knowledge", "optional_group", "item"):
            con.execute(f"DELETE FROM {table} WHERE paper_id = ANY(?)", [ids])
        n += upsert(con, "paper", self.papers, ["paper_id"])
        for table, frame in (("item", self.items), ("optional_group", self.groups),
                             ("item_knowledge", self.knowledge)):
            if not frame.empty:
                src = f"_eq_{table}"
                con.register(src, frame)
                cols = ", ".join(frame.columns)
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {src}")
                con.unregister(src)
            self.counts[table] = len(frame)
        self.counts["exam"] = len(self.exam)
        self.counts["paper"] = len(self.papers)
        return n + len(self.items) + len(self.groups) + len(self.knowledge)


def _exam_info(db: Database, file: str, raw: RawSheet, problems: Problems,
               user_map: dict[str, str], lang: str) -> pd.DataFrame:
    raw = _key_value_sheet(raw) or raw
    grid = make_grid(file, raw, find_header_row(raw, set(EXAM_INFO.lookup())))
    cols = match_columns(grid, EXAM_INFO, user_map, problems, lang)
    c = Cells(grid, cols, EXAM_INFO, problems)
    f = {"exam_id": c.text("exam_id", True), "name": c.text("name", True),
         "exam_type": c.vocab("exam_type", EXAM_TYPES, True),
         "scope": c.vocab("scope", EXAM_SCOPES, True), "year_code": c.year("year_code", True),
         "term_no": pd.Series(c.number("term_no")).astype("Int16"),
         "exam_date": c.date("exam_date"), "grade": c.grade("grade", True).astype("Int16")}
    frame = pd.DataFrame({k: pd.Series(v).reset_index(drop=True) for k, v in f.items()})
    if c.n != 1:
        problems.add("ingest.one_exam", sheet=raw.name)
    bad_term = ~frame["term_no"].isna() & ~frame["term_no"].isin([1, 2])
    c.report("term_no", bad_term.to_numpy(dtype=bool), "ingest.bad_number", label="学期")
    years = keys(db, "year")
    c.report("year_code", (frame["year_code"].notna() & ~frame["year_code"].isin(years))
             .to_numpy(dtype=bool), "ingest.unknown_ref", what="ingest.what_year")
    return frame


def _items(file: str, raw: RawSheet, exam_id: str | None, problems: Problems,
           user_map: dict[str, str], lang: str) -> tuple[Cells, pd.DataFrame]:
    grid = make_grid(file, raw, find_header_row(raw, set(PAPER_ITEMS.lookup())))
    cols = match_columns(grid, PAPER_ITEMS, user_map, problems, lang)
    c = Cells(grid, cols, PAPER_ITEMS, problems)
    f = {"subject_code": c.vocab("subject", SUBJECTS, True), "track": c.vocab("track", TRACKS),
         "item_no": c.text("item_no"), "item_type": c.vocab("item_type", ITEM_TYPES),
         "full_marks": c.number("full_marks", True),
         "answer_key": c.parsed("answer_key", normalise_key, "ingest.bad_key"),
         "knowledge": c.parsed("knowledge", parse_knowledge, "ingest.bad_knowledge"),
         "ability_level": c.text("ability_level"), "optional_group": c.text("optional_group"),
         "n_counted": c.number("n_counted"), "exam_id": c.text("exam_id")}
    fr = pd.DataFrame({k: pd.Series(v).reset_index(drop=True) for k, v in f.items()})
    fr["item_no"] = fr["item_no"].map(lambda s: unicodedata.normalize("NFKC", s)
                                      if isinstance(s, str) else s)
    c.report("full_marks", (fr["full_marks"] <= 0).to_numpy(), "ingest.full_marks_positive")
    _check_subject_rows(c, fr, problems)
    if exam_id is not None:
        c.report("exam_id", (fr["exam_id"].notna() & (fr["exam_id"] != exam_id))
                 .to_numpy(dtype=bool), "ingest.exam_mismatch", exam=exam_id)
    key = fr[["subject_code", "item_no"]].assign(track=fr["track"].astype(object).fillna(""))
    c.duplicates(key, ["subject_code", "track", "item_no"], "item_no")
    grp = fr["optional_group"].notna().to_numpy()
    n_counted = fr["n_counted"].where(grp, np.nan).fillna(1.0).where(grp, np.nan)
    fr["n_counted"] = n_counted
    if grp.any():
        gk = fr.loc[grp, ["subject_code", "optional_group"]].assign(
            track=fr["track"].astype(object).fillna(""), n=n_counted[grp])
        stats = gk.groupby(["subject_code", "track", "optional_group"])["n"].agg(
            ["nunique", "size", "first"])
        bad_groups = stats[(stats["nunique"] > 1) | (stats["first"] > stats["size"])
                           | (stats["first"] < 1) | (stats["first"] % 1 != 0)].index
        bad = np.zeros(len(fr), dtype=bool)
        if len(bad_groups):
            idx = gk.set_index(["subject_code", "track", "optional_group"]).index
            bad[np.flatnonzero(grp)[idx.isin(bad_groups)]] = True
        c.report("n_counted" if c.has("n_counted") else "optional_group", bad,
                 "ingest.bad_n_counted")
    return c, fr


def _check_subject_rows(c: Cells, fr: pd.DataFrame, problems: Problems) -> None:
    """A row without 题号 defines a paper by its subject total only (中考, 高考, 联考 results):
    the paper's only row. Item rows need their 题型 (the 题号 and 题型 columns then exist)."""
    item_row = fr["item_no"].notna().to_numpy()
    c.report("item_type" if c.has("item_type") else "item_no",
             item_row & c.text("item_type").isna().to_numpy(), "ingest.required_blank",
             label=PAPER_ITEMS.field("item_type").label)
    if item_row.any() and not c.has("item_type"):
        f = PAPER_ITEMS.field("item_type")
        problems.add("ingest.missing_column", sheet=c.grid.sheet, row=c.grid.header_rows[0] + 1,
                     label=f.label, aliases=listed((f.label, *f.aliases)))
    key = fr["subject_code"].astype(object) + "/" + fr["track"].astype(object).fillna("")
    mixed = key.isin(set(key[~item_row])) & key.isin(set(key[item_row]))
    bad = (~item_row & mixed.to_numpy()) | (~item_row & key.duplicated(keep=False).to_numpy())
    for i in np.flatnonzero(bad):
        m = np.zeros(c.n, dtype=bool)
        m[i] = True
        c.report("subject", m, "ingest.subject_row_mixed",
                 subject=SUBJECTS.label(str(fr["subject_code"].iloc[i])))


def paper_full_marks(items: pd.DataFrame) -> pd.Series:
    """Per paper: item full marks summed, each optional group counting its n highest.

    ``items`` has paper_id, full_marks, optional_group and n_counted."""
    plain = items[items["optional_group"].isna()].groupby("paper_id")["full_marks"].sum()
    grouped = items[items["optional_group"].notna()].sort_values("full_marks", ascending=False)
    if grouped.empty:
        return plain
    grouped = grouped.assign(rank=grouped.groupby(["paper_id", "optional_group"]).cumcount() + 1)
    counted = grouped[grouped["rank"] <= grouped["n_counted"]]
    return plain.add(counted.groupby("paper_id")["full_marks"].sum(), fill_value=0)


def plan_paper(db: Database, file: str, sheets: list[RawSheet], problems: Problems,
               exam_id: str | None = None, exam_info: list[RawSheet] | None = None,
               user_map: dict[str, str] | None = None, lang: str = "zh") -> PaperPlan:
    """Check an exam/paper definition; the plan writes it (when ``problems`` is empty)."""
    user_map = user_map or {}
    info_raw = next((s for s in sheets if norm_header(s.name) in ("考试信息", "exam", "examinfo")),
                    None)
    if info_raw is None and exam_info:
        info_raw = exam_info[0]
    items_raw = next((s for s in sheets if norm_header(s.name) in ("试卷结构", "items", "paper")),
                     None)
    if items_raw is None:
        rest = [s for s in sheets if s is not info_raw]
        items_raw = rest[0] if len(rest) == 1 else None
    exam = pd.DataFrame()
    if info_raw is not None:
        exam = _exam_info(db, file, info_raw, problems, user_map, lang)
        if len(exam) == 1 and exam["exam_id"].notna().all():
            exam_id = str(exam["exam_id"].iloc[0])
    elif exam_id is None:
        problems.add("ingest.no_exam_info")
    elif not exists(db, "exam", exam_id):
        problems.add("ingest.unknown_exam", exam=exam_id)
    if items_raw is None:
        problems.add("ingest.no_items")
        return PaperPlan(exam, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                         len(exam))
    cells, fr = _items(file, items_raw, exam_id, problems, user_map, lang)
    mapping = [sheet_mapping(cells.grid, PAPER_ITEMS.kind, cells.cols)]
    if problems or exam_id is None:
        return PaperPlan(exam, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                         cells.n + len(exam), mapping=mapping)
    fr["paper_id"] = [paper_id(exam_id, s, t if isinstance(t, str) else None)
                      for s, t in zip(fr["subject_code"], fr["track"], strict=True)]
    level = fr[fr["item_no"].isna()]  # papers defined by their subject total only
    full = paper_full_marks(fr[fr["item_no"].notna()]).combine_first(
        level.set_index("paper_id")["full_marks"])
    papers = fr.drop_duplicates("paper_id")[["paper_id", "subject_code", "track"]].assign(
        exam_id=exam_id)
    papers["full_marks"] = papers["paper_id"].map(full).astype(float)
    fr = fr[fr["item_no"].notna()].copy()
    fr["seq"] = (fr.groupby("paper_id").cumcount() + 1).astype("int16")
    items = fr[["paper_id", "seq", "item_no", "item_type", "full_marks", "answer_key",
                "ability_level", "optional_group"]]
    groups = fr.dropna(subset=["optional_group"]).drop_duplicates(
        ["paper_id", "optional_group"])[["paper_id", "optional_group", "n_counted"]].rename(
        columns={"optional_group": "group_code"}).astype({"n_counted": "int16"})
    kp = fr[["paper_id", "seq", "knowledge"]].dropna(subset=["knowledge"]).explode("knowledge")
    kp = kp.dropna(subset=["knowledge"])
    knowledge = pd.DataFrame({
        "paper_id": kp["paper_id"].to_numpy(), "seq": kp["seq"].to_numpy(),
        "knowledge_point": [k[0] for k in kp["knowledge"]],
        "weight": [k[1] for k in kp["knowledge"]],
    }).drop_duplicates(["paper_id", "seq", "knowledge_point"])
    _check_scored(db, exam_id, list(papers["paper_id"]), items, cells, problems)
    return PaperPlan(exam, papers[["paper_id", "exam_id", "subject_code", "track", "full_marks"]],
                     items, knowledge, groups, cells.n + len(exam), mapping=mapping)


def _check_scored(db: Database, exam_id: str, ids: list[str], items: pd.DataFrame, cells: Cells,
                  problems: Problems) -> None:
    """A paper that already has item scores keeps its items (same numbers and full marks)."""
    scored = set(papers_with_item_scores(db, exam_id)["paper_id"])
    for pid in [p for p in ids if p in scored]:
        old = paper_items(db, pid)
        new = items[items["paper_id"] == pid][["seq", "item_no", "full_marks"]]
        same = (len(old) == len(new) and (old["item_no"].to_numpy() == new["item_no"].to_numpy())
                .all() and np.allclose(old["full_marks"], new["full_marks"]))
        if not same:
            problems.add("ingest.paper_has_scores", sheet=cells.grid.sheet, paper=pid)
