"""The student report for parents: the child's own results and weak knowledge points only.

No other student's name, ID or result appears (class and district figures are aggregates).
In compulsory education (grades 1–9) results are shown as grades (等级) without scores, ranks
or 百分等级; elsewhere scores and 百分等级 are shown, ranks never.
"""

from __future__ import annotations

import pandas as pd

from eduquality.errors import NotFoundError
from eduquality.i18n import register, tr
from eduquality.measures.knowledge import shortfall
from eduquality.reports import labels as L
from eduquality.reports import sections as S
from eduquality.reports.model import Column, Report, Section, Table, Text
from eduquality.reports.policy import mask_id
from eduquality.reports.view import View
from eduquality.vocab import SUBJECT_STATUS

MESSAGES = register({
    "reports.no_student": (
        "考试中没有学生 {key}（请给出学籍号或学生编号）",
        "no student {key} in this exam (give the national student ID or the student number)"),
})
GRADE_TERMS = ("等级", "Grades")


def find_student(view: View, key: object) -> int:
    """The student_id of the student with national ID (学籍号) or student number ``key``."""
    st = view.analysis.students
    text = str(key).strip()
    if "national_id" in st:
        hit = st.loc[st["national_id"].astype(str) == text, "student_id"]
        if len(hit):
            return int(hit.iloc[0])
    if text.isdigit():
        hit = st.loc[st["student_id"] == int(text), "student_id"]
        if len(hit):
            return int(hit.iloc[0])
    raise NotFoundError(tr("reports.no_student", view.lang, key=mask_id(text)))


def student_report(view: View, student: object) -> Report:
    lang, rules = view.lang, view.rules
    sid = find_student(view, student)
    st = view.analysis.students
    mine = st[st["student_id"] == sid]
    ident = view.identities.set_index("student_id").loc[sid]
    school, class_id = str(mine["school_code"].iloc[0]), str(mine["class_id"].iloc[0])
    blocks: list[Table | Text] = [_results(view, mine, class_id)]
    if not rules.family_scores:
        blocks.append(Text(L.text("note.grades_only", lang)))
    sections = [Section(L.text("sec.student_results", lang), list(blocks)),
                Section(L.text("sec.student_weak", lang), [
                    *S.no_items_note(view, "knowledge"),
                    *([_weak(view, sid, class_id)] if S.has_items(view) else [])])]
    grades = next((d for t, d in L.analysis_methods(view.analysis.methods, lang)
                   if t in GRADE_TERMS), "").rstrip("。. ")
    sections.append(Section(L.text("sec.student_letter", lang),
                            [Text(L.text("note.letter", lang, grades=grades))]))
    name = str(ident["name"]) if str(ident["name"]) else str(ident["national_id"])
    meta = [(L.text("meta.student", lang), name),
            (L.text("meta.student_id", lang), str(ident["national_id"])),
            (L.text("meta.school", lang), view.school(school)),
            (L.text("meta.class", lang), view.class_name(class_id)), *view.meta()]
    return Report(
        kind="student", lang=lang, title=L.text("title.student", lang, exam=view.exam_title),
        subtitle=name, internal=rules.internal, meta=meta, sections=sections,
        methods=view.methods(ranks=rules.student_ranks, units=False,
                             means=rules.family_scores, sections=("knowledge",)),
    )


def _results(view: View, mine: pd.DataFrame, class_id: str) -> Table:
    lang, rules = view.lang, view.rules
    rows = mine.set_index("subject_code").reindex(
        [s for s in view.subjects if s in set(mine["subject_code"])])
    status = {c: SUBJECT_STATUS.label(c, lang) for c in SUBJECT_STATUS.codes()}
    frame = pd.DataFrame({"subject": [view.subject(s) for s in rows.index]})
    frame["grade"] = rows["grade_letter"].where(rows["grade_letter"].notna(),
                                                rows["status"].map(status)).to_numpy()
    cols = [Column("subject", L.col("subject_code", lang))]
    if rules.family_scores:
        frame["score"] = rows["score"].to_numpy()
        frame["full_marks"] = rows["full_marks"].to_numpy()
        cols += [Column("score", L.col("score", lang), "num1"),
                 Column("full_marks", L.col("full_marks", lang), "num1")]
    cols.append(Column("grade", L.col("grade_letter", lang)))
    if rules.family_scores and "scaled_grade" in rows and rows["scaled_grade"].notna().any():
        # 3+1+2: the 再选 subjects' 赋分 and grade next to the raw score; the 总分 is the 750
        # total with 赋分 (eduquality.analysis.scaling)
        elective = rows["scaled_grade"].notna()
        frame["scaled_score"] = rows["scaled_score"].where(elective).to_numpy()
        frame["scaled_grade"] = rows["scaled_grade"].astype(object).where(elective).to_numpy()
        cols += [Column("scaled_score", L.col("scaled_score", lang), "num1"),
                 Column("scaled_grade", L.col("scaled_grade", lang))]
    if rules.family_scores:
        cls = S.unit_rows(view, "class", "class_id", class_id).reindex(rows.index)
        dist = S.unit_rows(view, "district", None, None).reindex(rows.index)
        frame["class_mean"] = cls["mean"].to_numpy()
        frame["district_mean"] = dist["mean"].to_numpy()
        cols += [Column("class_mean", L.col("class_mean", lang), "num2"),
                 Column("district_mean", L.col("district_mean", lang), "num2")]
    if rules.student_ranks:
        frame["pr"] = rows["pr"].to_numpy()
        cols.append(Column("pr", L.col("pr", lang), "num1"))
    return Table(L.text("tbl.student", lang), cols, frame)


def _weak(view: View, sid: int, class_id: str) -> Table | Text:
    """The student's weak points (from the analysis' weak-point test at student level), or else
    the knowledge points where the student's score rate lies at least the settings'
    ``knowledge.min_gap`` below the district's (:func:`~eduquality.measures.knowledge.shortfall`:
    a student's rate rests on a few items, so small gaps mean little)."""
    lang = view.lang
    weak = S.weak_table(view, "student", sid)
    if weak is not None:
        return weak
    own = S.knowledge_rates(view, "student", sid)
    if own.empty:
        return Text(L.text("note.no_weak", lang))
    keys = ["subject_code", "knowledge_point"]
    frame = own[[*keys, "rate"]].rename(columns={"rate": "own_rate"})
    for level, unit, name in (("class", class_id, "class_rate"), ("district", None,
                                                                    "district_rate")):
        ref = S.knowledge_rates(view, level, unit)[[*keys, "rate"]].rename(columns={"rate": name})
        frame = frame.merge(ref.groupby(keys, as_index=False)[name].mean(), on=keys, how="left")
    min_gap = view.knowledge.min_gap
    frame = frame[shortfall(frame["own_rate"], frame["district_rate"], min_gap)]
    if frame.empty:
        return Text(L.text("note.no_weak", lang))
    frame = frame.assign(gap=frame["own_rate"] - frame["district_rate"]).sort_values("gap")
    frame["subject"] = frame["subject_code"].map(view.subject)
    cols = [Column("subject", L.col("subject_code", lang)),
            Column("knowledge_point", L.col("knowledge_point", lang)),
            Column("own_rate", L.col("own_rate", lang), "pct"),
            Column("class_rate", L.col("class_rate", lang), "pct"),
            Column("district_rate", L.col("district_rate", lang), "pct")]
    return Table(L.text("tbl.student_knowledge", lang), cols, frame.reset_index(drop=True),
                 key_columns=2, note=L.text("note.student_weak", lang, gap=round(100 * min_gap)))
