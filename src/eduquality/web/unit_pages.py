"""The school, class and student pages over time: a unit across every exam it took.

- school (``/schools/{code}``): its headline subject and every subject exam by exam for one
  grade (trends with intervals, against the district), its classes and weak points in the
  latest of those exams, and the report downloads;
- class (``/classes/{id}``): the same for the class, with its students (roles with student-level
  access) linking to their pages;
- student: :func:`growth_section`, the student's results exam by exam (what the publication
  rules let the role see in each exam) for the student page.

Scope as on the exam pages: ``require_school`` / ``require_class`` first, then only the scoped
analyses (:meth:`~eduquality.web.deps.Ctx.analysis`) and scoped students.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from eduquality.i18n import register
from eduquality.reports.model import Section
from eduquality.reports.policy import disclosure
from eduquality.store.scoped import (
    require_class,
    require_school,
    scoped_exams,
    scoped_results,
    scoped_students,
)
from eduquality.store.units import unit_names
from eduquality.vocab import SUBJECTS
from eduquality.web.deps import Ctx
from eduquality.web.downloads import report_links
from eduquality.web.history import trend_sections, unit_history
from eduquality.web.pages import Page, frame_table, ordered_units, page, section, summary_table
from eduquality.web.views import _pick_subject, _shown_scores, _unit_label, _weak_points, exam_list

MESSAGES = register({
    "web.unit.school_title": ("{school} · 历次考试", "{school} · exam by exam"),
    "web.unit.class_title": ("{school} {cls} · 历次考试", "{school} {cls} · exam by exam"),
    "web.unit.classes": ("各班级（{exam}）", "Classes ({exam})"),
    "web.unit.weak": ("薄弱知识点（{exam}）", "Weak knowledge points ({exam})"),
    "web.unit.students": ("学生（{exam}）", "Students ({exam})"),
    "web.unit.downloads": ("报告下载（{exam}）", "Reports ({exam})"),
    "web.unit.growth": ("历次成绩", "Results exam by exam"),
    "web.unit.rate": ("得分率", "Score rate"),
    "web.unit.school_link": ("本校历次考试", "The school exam by exam"),
    "web.unit.class_link": ("本班历次考试", "The class exam by exam"),
    "web.unit.all_exams": ("本校参加的全部考试（{n} 次）", "Every exam the school sat ({n})"),
})


def school_history_page(ctx: Ctx, school_code: str, trend: Sequence[str],
                        choices: list[tuple[str, str, bool]]) -> Page:
    """The school over the ``trend`` exams (oldest first, analyses warm)."""
    require_school(ctx.db, ctx.scope, school_code)
    t = ctx.t
    names = unit_names(ctx.db)
    school = names["school"].get(school_code, school_code)
    history = unit_history(ctx, trend, "school", school_code)
    sections = trend_sections(ctx, history, school,
                              lambda r: f"/exams/{r['exam_id']}/schools/{school_code}")
    links: list[tuple[str, str]] = []
    latest = str(history["exam_id"].iloc[-1]) if not history.empty else None
    if latest is not None:
        a = ctx.analysis(latest)
        classes = a.summaries.get("class", pd.DataFrame())
        if not classes.empty:
            mine = classes.loc[(classes["school_code"] == school_code)
                               & (classes["subject_code"] == _pick_subject(a, None))]
            if not mine.empty:
                rows = ordered_units(mine, a.exam.subjects, names["peer"])
                sections.append(section(t("web.unit.classes", exam=a.exam.name), summary_table(
                    rows, t, ctx.lang, unit=_unit_label(names, t),
                    href=lambda r: f"/classes/{r.class_id}")))
        weak = _weak_points(ctx, a, "school", school_code)
        if weak is not None:
            weak.title = t("web.unit.weak", exam=a.exam.name)
            sections.append(weak)
        links = report_links(ctx, latest, "school", school_code)
    return page(ctx.lang, t("web.unit.school_title", school=school), sections,
                crumbs=[(t("web.nav.home"), "/")], choices=choices,
                internal=ctx.settings.publication.mark_internal, downloads=links,
                export_name=f"school-{school_code}", audit_object=f"school:{school_code}")


def school_exams_section(ctx: Ctx, school_code: str, exams: pd.DataFrame) -> Section:
    """Every exam the school sat that the reader may see, newest first, each linked to the
    school's page of that exam: the trend above shows the latest exams of one grade, this
    list reaches every exam and year."""
    table = exam_list(ctx, exams, lambda r: f"/exams/{r['exam_id']}/schools/{school_code}")
    return section(ctx.t("web.unit.all_exams", n=len(exams)), table)


def class_history_page(ctx: Ctx, class_id: str, exam_ids: Sequence[str]) -> Page:
    """The class over its exams (``exam_ids`` oldest first, analyses warm): a class belongs
    to one school year, so all its exams are of one grade."""
    school_code = require_class(ctx.db, ctx.scope, class_id)
    t = ctx.t
    names = unit_names(ctx.db)
    school = names["school"].get(school_code, school_code)
    cls = names["class"].get(class_id, class_id)
    history = unit_history(ctx, exam_ids, "class", class_id)
    sections = trend_sections(ctx, history, f"{school} {cls}",
                              lambda r: f"/exams/{r['exam_id']}/classes/{class_id}")
    links: list[tuple[str, str]] = []
    latest = str(history["exam_id"].iloc[-1]) if not history.empty else None
    student_level = ctx.scope.sees("student")
    if latest is not None:
        a = ctx.analysis(latest)
        weak = _weak_points(ctx, a, "class", class_id)
        if weak is not None:
            weak.title = t("web.unit.weak", exam=a.exam.name)
            sections.append(weak)
        if student_level:
            sections.append(_students(ctx, exam_ids, class_id, a.exam.name))
        links = report_links(ctx, latest, "class", class_id)
    crumbs = [(t("web.nav.home"), "/")]
    if ctx.scope.admits("school", school_code=school_code):
        crumbs.append((school, f"/schools/{school_code}"))
    return page(ctx.lang, t("web.unit.class_title", school=school, cls=cls), sections,
                crumbs=crumbs, internal=ctx.settings.publication.mark_internal,
                downloads=links, export_name=f"class-{class_id}", student_level=student_level,
                audit_object=f"class:{class_id} ({school} {cls})")


def _students(ctx: Ctx, exam_ids: Sequence[str], class_id: str, exam: str) -> Section:
    """The class's students, with their grade (等级) in the headline subject of each exam
    (grades are shown to every role that sees the student; scores follow on their pages)."""
    t = ctx.t
    people = scoped_students(ctx.db, ctx.scope, class_id=class_id).drop_duplicates("student_id")
    columns: list[tuple[str, str, str]] = [("name", t("web.col.name"), "text"),
                                           ("national_id", t(
                                               "web.col.national_id"
                                               if ctx.scope.can("full_national_id")
                                               else "web.col.national_id_masked"), "text")]
    frame = people
    for exam_id in exam_ids:
        a = ctx.analysis(exam_id)
        subject = _pick_subject(a, None)
        st = a.students
        rows = st.loc[(st["class_id"] == class_id) & (st["subject_code"] == subject)]
        if rows.empty:
            continue
        key = f"grade:{exam_id}"
        frame = frame.merge(rows[["student_id", "grade_letter"]].rename(
            columns={"grade_letter": key}), on="student_id", how="left")
        columns.append((key, f"{a.exam.name} {SUBJECTS.label(subject, ctx.lang)} "
                             f"{t('web.col.grade_letter')}", "text"))
    table = frame_table(frame, columns, href=lambda r: f"/students/{r['student_id']}")
    return section(t("web.unit.students", exam=exam), table)


def student_exams(ctx: Ctx, student_id: int) -> list[str]:
    """The exams in which the principal sees the student's results, oldest first."""
    visible = scoped_results(ctx.db, ctx.scope, student_id=student_id)
    exams = scoped_exams(ctx.db, ctx.scope)
    return [str(e) for e in reversed(exams.loc[exams["exam_id"].isin(visible["exam_id"]),
                                               "exam_id"].tolist())]


def newest_exam(ctx: Ctx, student_id: int) -> str | None:
    """The newest exam in which the principal sees the student's results."""
    ids = student_exams(ctx, student_id)
    return ids[-1] if ids else None


def growth_section(ctx: Ctx, student_id: int) -> Section | None:
    """The student's results exam by exam, oldest first, one row per exam and subject: the
    score and score rate where the publication rules let this role see scores, the grade
    (等级) always, T and 百分等级 where ranks may be shown (:func:`disclosure` per exam).
    None when the student has no visible result. The exams' analyses must be warm."""
    t, lang = ctx.t, ctx.lang
    ids = student_exams(ctx, student_id)
    parts = []
    scores_seen = ranks_seen = False
    for exam_id in ids:
        a = ctx.analysis(exam_id)
        rules = disclosure(ctx.settings.publication, a.exam)
        scores_ok = rules.family_scores or ctx.principal.role != "parent"
        rows = _shown_scores(ctx, a.students.loc[a.students["student_id"] == student_id])
        if rows.empty:
            continue
        order = {s: i for i, s in enumerate(a.exam.subjects)}
        rows = rows.assign(
            exam=a.exam.name, exam_id=exam_id, exam_date=a.exam.exam_date,
            subject=rows["subject_code"].map(lambda s: SUBJECTS.label(s, lang)),
            rate=rows["score"] / rows["full_marks"],
            _s=rows["subject_code"].map(order)).sort_values("_s")
        if not scores_ok:
            rows = rows.assign(shown=None, rate=None, full_marks=None)
        if not rules.student_ranks:
            rows = rows.assign(t=None, pr=None)
        scores_seen |= scores_ok
        ranks_seen |= rules.student_ranks
        parts.append(rows)
    if not parts:
        return None
    frame = pd.concat(parts, ignore_index=True)
    columns: list[tuple[str, str, str]] = [("exam", t("web.col.exam"), "text"),
                                           ("exam_date", t("web.col.date"), "text"),
                                           ("subject", t("web.col.subject"), "text")]
    if scores_seen:
        columns += [("shown", t("web.col.score"), "num1"),
                    ("full_marks", t("web.col.full_marks"), "num1"),
                    ("rate", t("web.unit.rate"), "pct")]
    columns.append(("grade_letter", t("web.col.grade_letter"), "text"))
    if ranks_seen:
        columns += [("t", t("web.col.t"), "num1"), ("pr", t("web.col.pr"), "num1")]
    return section(t("web.unit.growth"), frame_table(frame, columns))


__all__ = ["class_history_page", "growth_section", "newest_exam", "school_history_page", "student_exams"]
