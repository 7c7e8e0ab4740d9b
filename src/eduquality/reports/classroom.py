"""The class report for teachers: the class against its school and the district, grade
distribution, the student list (roster order, masked IDs; ranks only where the rules allow),
students needing attention, knowledge and weak points."""

from __future__ import annotations

import pandas as pd

from eduquality.errors import NotFoundError
from eduquality.i18n import register, tr
from eduquality.reports import charts
from eduquality.reports import labels as L
from eduquality.reports import sections as S
from eduquality.reports.model import Chart, Column, Report, Section, Table, Text
from eduquality.reports.policy import fixed_order
from eduquality.reports.view import View
from eduquality.vocab import SUBJECT_STATUS

MESSAGES = register({
    "reports.no_class": ("考试中没有班级 {code} 的成绩", "no results of class {code} in this exam"),
})
LETTERS = ["A", "B", "C", "D", "E"]


def class_ids(view: View, school_code: str | None = None) -> list[str]:
    """Classes with results in the fixed order (peer group, school code, class id)."""
    frame = view.analysis.summaries.get("class", pd.DataFrame())
    if frame.empty:
        return []
    frame = frame.dropna(subset=["class_id"])  # students registered without a class
    if school_code is not None:
        frame = frame[frame["school_code"].astype(str) == str(school_code)]
    return list(dict.fromkeys(fixed_order(frame, view.peer_of)["class_id"].astype(str)))


def class_report(view: View, class_id: str) -> Report:
    lang = view.lang
    st = view.analysis.students
    mine = st[st["class_id"].astype(str) == str(class_id)]
    if mine.empty:
        raise NotFoundError(tr("reports.no_class", lang, code=class_id))
    school = str(mine["school_code"].iloc[0])
    rows = S.unit_rows(view, "class", "class_id", class_id).dropna(subset=["n"])
    summary, extra = S.reference_means(view, rows, [
        ("school_mean", S.unit_rows(view, "school", "school_code", school).reindex(rows.index)),
        ("district_mean", S.unit_rows(view, "district", None, None).reindex(rows.index))])
    table = S.summary_table(view, summary.reset_index(), [view.subject(s) for s in summary.index],
                            L.col("subject_code", lang), L.text("tbl.class_vs", lang))
    table.columns = table.columns[:-1] + extra + table.columns[-1:]
    sections = [
        Section(L.text("sec.class_summary", lang), [table]),
        Section(L.text("sec.class_grades", lang), _grades(view, mine)),
        Section(L.text("sec.class_students", lang), [student_list(view, mine)]),
    ]
    groups = _groups(view, mine)
    if groups is not None:
        sections.append(Section(L.text("sec.class_groups", lang), [groups]))
    units: list[tuple[str, object | None, str]] = [
        ("class", class_id, L.text("this_class", lang)),
        ("school", school, L.text("this_school", lang)),
        ("district", None, L.text("district", lang))]
    kblocks: list[Table | Chart | Text] = [*S.no_items_note(view, "knowledge"),
                                           *S.knowledge_tables(view, units),
                                           *S.knowledge_tables(view, units, "ability")]
    weak = S.weak_table(view, "class", class_id)
    if weak is not None:
        kblocks.append(weak)
    if kblocks:
        sections.append(Section(L.text("sec.class_knowledge", lang), kblocks))
    meta = [(L.text("meta.school", lang), view.school(school)),
            (L.text("meta.class", lang), view.class_name(class_id)), *view.meta()]
    return Report(
        kind="class", lang=lang, title=L.text("title.class", lang, exam=view.exam_title),
        subtitle=view.class_name(class_id, with_school=True), internal=view.rules.internal,
        meta=meta, sections=sections,
        methods=view.methods(ranks=view.rules.student_ranks, sections=("knowledge", "weak")),
    )


def grade_counts(students: pd.DataFrame, subjects: list[str]) -> pd.DataFrame:
    """Counts of each 等级 per subject (rows: subjects in order; columns: A–E present)."""
    valid = students.dropna(subset=["grade_letter"])
    counts = pd.crosstab(valid["subject_code"], valid["grade_letter"])
    letters = [x for x in LETTERS if x in counts.columns] or ["A", "B", "C", "D"]
    return counts.reindex(index=subjects, columns=letters, fill_value=0).fillna(0)


def _grades(view: View, mine: pd.DataFrame) -> list[Table | Chart | Text]:
    lang = view.lang
    subjects = [s for s in view.subjects if s in set(mine["subject_code"])]
    counts = grade_counts(mine, subjects)
    frame = counts.reset_index(names="subject_code")
    frame.insert(0, "subject", frame["subject_code"].map(view.subject))
    cols = [Column("subject", L.col("subject_code", lang))]
    cols += [Column(str(x), f"{L.col('grade_letter', lang)} {x}", "int") for x in counts.columns]
    table = Table(L.text("tbl.grades", lang), cols, frame)
    district = grade_counts(view.analysis.students, subjects)[counts.columns]
    share = counts.div(counts.sum(axis=1).replace(0, 1), axis=0)
    dshare = district.div(district.sum(axis=1).replace(0, 1), axis=0)

    def draw() -> bytes:
        cats = [f"{view.subject(s)} {x}" for s in subjects for x in counts.columns]
        return charts.grouped_bars(cats, [
            (L.text("this_class", lang), share.to_numpy().ravel()),
            (L.text("district", lang), dshare.to_numpy().ravel())])

    return [table, Chart(L.text("chart.grades", lang), draw)]


def student_list(view: View, mine: pd.DataFrame) -> Table:
    """One row per student in roster order (never by score): name, masked ID, and per subject
    score and 等级 (and 百分等级 where ranks are allowed); absent students show their status."""
    lang = view.lang
    ids = view.identities
    ids = ids[ids["student_id"].isin(mine["student_id"])].sort_values("student_id")
    frame = ids[["student_id", "name", "national_id"]].reset_index(drop=True)
    cols = [Column("name", L.col("name", lang)), Column("national_id", L.col("national_id", lang))]
    status_label = {c: SUBJECT_STATUS.label(c, lang) for c in SUBJECT_STATUS.codes()}
    for s in view.subjects:
        rows = mine[mine["subject_code"] == s].set_index("student_id")
        if rows.empty:
            continue
        sub = view.subject(s)
        frame[f"{s}.score"] = frame["student_id"].map(rows["score"])
        grade = rows["grade_letter"].where(rows["grade_letter"].notna(),
                                           rows["status"].map(status_label))
        frame[f"{s}.grade"] = frame["student_id"].map(grade)
        cols += [Column(f"{s}.score", f"{sub} {L.col('score', lang)}", "num1"),
                 Column(f"{s}.grade", f"{sub} {L.col('grade_letter', lang)}")]
        if "scaled_grade" in rows and rows["scaled_grade"].notna().any():  # 3+1+2 再选: 赋分
            frame[f"{s}.scaled"] = frame["student_id"].map(
                rows["scaled_score"].where(rows["scaled_grade"].notna()))
            cols.append(Column(f"{s}.scaled", f"{sub} {L.col('scaled_score', lang)}", "num1"))
        if view.rules.student_ranks:
            frame[f"{s}.pr"] = frame["student_id"].map(rows["pr"])
            cols.append(Column(f"{s}.pr", f"{sub} {L.col('pr', lang)}", "num1", "excel"))
    return Table(L.text("tbl.students", lang), cols, frame, key_columns=2,
                 note=L.text("note.masked", lang))


def _groups(view: View, mine: pd.DataFrame) -> Table | None:
    g = view.analysis.groups
    if g.empty:
        return None
    rows = g[g["student_id"].isin(mine["student_id"])].merge(
        view.identities[["student_id", "name", "national_id"]], on="student_id", how="left")
    if rows.empty:
        return None
    order = {g: i for i, g in enumerate(L.GROUPS)}
    rows = rows.assign(_g=rows["group"].map(order).fillna(len(order)))
    rows = rows.sort_values(["_g", "student_id"]).reset_index(drop=True)
    rows["group_label"] = rows["group"].map(lambda c: L.group(c, view.lang))
    cols = [Column("group_label", L.col("group", view.lang)),
            Column("name", L.col("name", view.lang)),
            Column("national_id", L.col("national_id", view.lang))]
    if "subject_code" in rows:
        rows["subject"] = rows["subject_code"].map(view.subject)
        cols.append(Column("subject", L.col("subject_code", view.lang)))
    if "detail" in rows:
        cols.append(Column("detail", L.col("detail", view.lang)))
    return Table(L.text("tbl.groups", view.lang), cols, rows, key_columns=2)
