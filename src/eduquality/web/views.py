"""Page builders: each turns a request context and the scoped data into a :class:`Page`.

Every builder first asks the data layer whether the resource is in the principal's scope
(``require_*``), then reads only scoped data (:func:`Ctx.analysis` is restricted by
:func:`~eduquality.store.access.restrict_analysis`; students come from ``scoped_students``).
Units are listed in the fixed publication order; what student columns appear follows the
publication policy (:func:`eduquality.reports.policy.disclosure`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from eduquality.errors import NotFoundError, PermissionDenied
from eduquality.i18n import register, tr
from eduquality.reports.formats import UNIT_FORMATS, Fmt, is_missing, shown_number
from eduquality.reports.labels import no_items
from eduquality.reports.model import Section, Table
from eduquality.reports.policy import LEAGUE_EXAMS, Disclosure, disclosure
from eduquality.results import ExamAnalysis
from eduquality.store.audit import AuditFilter, count_audit, read_audit
from eduquality.store.policy import teachers_of_school
from eduquality.store.scoped import (
    require_class,
    require_exam,
    require_school,
    require_student,
    scoped_exams,
    scoped_results,
    scoped_students,
)
from eduquality.store.units import unit_names
from eduquality.vocab import EXAM_TYPES, GENDER, ROLES, SUBJECT_STATUS, SUBJECTS, grade_label
from eduquality.web.deps import Ctx
from eduquality.web.pages import (
    SUMMARY_COLUMNS,
    Page,
    frame_table,
    mean_chart,
    ordered_units,
    page,
    section,
    summary_table,
)

NO_BAND = tuple(c for c in SUMMARY_COLUMNS if c != "band")

class NoStudentAccess(PermissionDenied):
    """The role sees no student-level data at all (its aggregates it may know exist)."""


MESSAGES = register({
    "web.unknown_unit": ("没有这个单位：{level} {unit}", "no such unit: {level} {unit}"),
})


# -- shared pieces ------------------------------------------------------------------------
def _subtitle(a: ExamAnalysis, lang: str) -> str:
    e = a.exam
    parts = [e.year_code, grade_label(e.grade, lang), EXAM_TYPES.label(e.exam_type, lang),
             e.exam_date or ""]
    return " · ".join(p for p in parts if p)


def _pick_subject(a: ExamAnalysis, subject: str | None) -> str:
    if subject in a.exam.subjects:
        return str(subject)
    return "total" if "total" in a.exam.subjects else a.exam.subjects[0]


def _choices(ctx: Ctx, a: ExamAnalysis, current: str) -> list[tuple[str, str, bool]]:
    path = ctx.request.url.path
    return [(SUBJECTS.label(s, ctx.lang), f"{path}?subject={s}", s == current)
            for s in a.exam.subjects]


def _notes(ctx: Ctx, a: ExamAnalysis) -> list[str]:
    t = ctx.t
    notes = [t("web.exam.fixed_order"), t("web.exam.small", n=ctx.settings.min_unit_n)]
    if ctx.principal.role in ("principal", "teacher", "parent"):
        notes.append(t("web.exam.own_scope"))
    if a.exam.exam_type in LEAGUE_EXAMS and ctx.settings.publication.forbid_exam_league_tables:
        notes.append(t("web.exam.league", exam_type=EXAM_TYPES.label(a.exam.exam_type, ctx.lang)))
    if a.exam.compulsory and ctx.settings.publication.grades_not_ranks_compulsory:
        notes.append(t("web.grades_note"))
    not_applied = no_items(a, ctx.lang)  # papers with subject totals only
    if not_applied:
        notes.append(not_applied)
    return notes


def _rules(ctx: Ctx, a: ExamAnalysis) -> Disclosure:
    return disclosure(ctx.settings.publication, a.exam)


def _by_subject(frame: pd.DataFrame, subject: str) -> pd.DataFrame:
    return frame.loc[frame["subject_code"] == subject] if not frame.empty else frame


def _unit_label(names: dict[str, dict[str, str]], t: Callable[..., str]
                ) -> Callable[[Any], str]:
    def label(r: Any) -> str:
        # rows of several levels side by side (district, school, class) leave the keys of
        # the finer levels missing (NaN): the row is of the finest level it has a key for
        if not is_missing(getattr(r, "class_id", None)):
            school = names["school"].get(r.school_code, r.school_code)
            return f"{school} {names['class'].get(r.class_id, r.class_id)}"
        if not is_missing(getattr(r, "school_code", None)):
            return names["school"].get(r.school_code, r.school_code)
        if not is_missing(getattr(r, "teacher_id", None)):
            return str(r.teacher_id)
        if not is_missing(getattr(r, "peer_group", None)):
            return t("web.peer_group", code=r.peer_group)
        return t("web.level.district")
    return label


def _teacher_label(a: ExamAnalysis) -> Callable[[Any], str]:
    teachers = a.names.get("teacher", {})
    return lambda r: str(teachers.get(r.teacher_id, r.teacher_id))


def _exam_href(ctx: Ctx, exam_id: str, level: str) -> Callable[[Any], str | None]:
    def href(r: Any) -> str | None:
        if level == "school" and ctx.scope.admits("school", school_code=r.school_code):
            return f"/exams/{exam_id}/schools/{r.school_code}"
        if level == "class" and ctx.scope.admits("class", school_code=r.school_code,
                                                 class_id=r.class_id):
            return f"/exams/{exam_id}/classes/{r.class_id}"
        return None
    return href


def _unit_section(ctx: Ctx, a: ExamAnalysis, level: str, subject: str, frame: pd.DataFrame,
                  names: dict[str, dict[str, str]]) -> Section | None:
    """Units of one level for one subject, in fixed order, with their chart."""
    rows = ordered_units(_by_subject(frame, subject), a.exam.subjects, names["peer"])
    if rows.empty:
        return None
    label = _teacher_label(a) if level == "teacher" else _unit_label(names, ctx.t)
    subject_label = SUBJECTS.label(subject, ctx.lang)
    table = summary_table(rows, ctx.t, ctx.lang, unit=label, subject_col=False,
                          href=_exam_href(ctx, a.exam.exam_id, level))
    chart = mean_chart(rows, ctx.t("web.chart.title", subject=subject_label), label)
    return section(f"{ctx.t(f'web.level.{level}')} · {subject_label}", table, chart)


def _comparison(ctx: Ctx, a: ExamAnalysis, frames: list[pd.DataFrame],
                names: dict[str, dict[str, str]]) -> Table:
    """District, school and class rows side by side, subject by subject."""
    order = {s: i for i, s in enumerate(a.exam.subjects)}
    parts = [f.assign(_level=i) for i, f in enumerate(frames) if not f.empty]
    rows = pd.concat(parts, ignore_index=True) if parts else frames[0]
    if parts:
        rows = rows.assign(_s=rows["subject_code"].map(order)).sort_values(
            ["_s", "_level"], kind="stable")
    return summary_table(rows, ctx.t, ctx.lang, unit=_unit_label(names, ctx.t))


def _weak_points(ctx: Ctx, a: ExamAnalysis, level: str, unit: str) -> Section | None:
    """Knowledge-point rates of one school or class against its reference group."""
    wp = a.weak_points
    if wp.empty or "level" not in wp.columns:
        return None
    rows = wp.loc[(wp["level"] == level) & (wp["unit"] == unit)]
    if rows.empty:
        return None
    t = ctx.t
    order = {s: i for i, s in enumerate(a.exam.subjects)}
    rows = rows.assign(
        subject=rows["subject_code"].map(lambda s: SUBJECTS.label(s, ctx.lang)),
        weak_label=rows["weak"].map(lambda w: t("web.weak") if bool(w) else ""),
        _s=rows["subject_code"].map(order)).sort_values(["_s", "gap"])
    table = frame_table(rows, [("subject", t("web.col.subject"), "text"),
                               ("knowledge_point", t("web.col.knowledge_point"), "text"),
                               ("rate_unit", t("web.col.rate_unit"), "pct"),
                               ("rate_ref", t("web.col.rate_ref"), "pct"),
                               ("gap", t("web.col.gap"), "pct"),
                               ("p_adj", t("web.col.p_adj"), "num3"),
                               ("weak_label", t("web.col.weak"), "text")])
    return section(t("web.level.knowledge"), table, note=t("web.knowledge_note"))


# -- pages --------------------------------------------------------------------------------
def exam_list(ctx: Ctx, exams: pd.DataFrame, href: Callable[[Any], str]) -> Table:
    """A list of exams (name, type, grade, school year, date), each row linked by ``href``."""
    t, lang = ctx.t, ctx.lang
    shown = exams.assign(
        exam_type=[EXAM_TYPES.label(str(c), lang) for c in exams["exam_type"]],
        grade=[grade_label(int(g), lang) if pd.notna(g) else "" for g in exams["grade"]])
    return frame_table(shown, [("name", t("web.col.exam"), "text"),
                               ("exam_type", t("web.col.exam_type"), "text"),
                               ("grade", t("web.col.grade"), "text"),
                               ("year_code", t("web.col.year"), "text"),
                               ("exam_date", t("web.col.date"), "text")], href=href)


def exams_page(ctx: Ctx) -> Page:
    exams = scoped_exams(ctx.db, ctx.scope)
    t, lang = ctx.t, ctx.lang
    table = exam_list(ctx, exams, lambda r: f"/exams/{r['exam_id']}")
    note = "" if len(exams) else t("web.exams.none")
    return page(lang, t("web.exams.title"), [section(t("web.exams.title"), table, note=note)],
                crumbs=[(t("web.nav.home"), "/")], export_name="exams", audit_object="exams")


def exam_page(ctx: Ctx, exam_id: str, subject: str | None) -> Page:
    require_exam(ctx.db, ctx.scope, exam_id)
    a = ctx.analysis(exam_id)
    t = ctx.t
    subject = _pick_subject(a, subject)
    names = unit_names(ctx.db)
    district = ordered_units(a.summaries["district"], a.exam.subjects, {})
    sections = [section(t("web.level.district"),
                        summary_table(district, t, ctx.lang, unit=None, columns=NO_BAND))]
    for level in ("peer_group", "school"):
        found = _unit_section(ctx, a, level, subject, a.summaries.get(level, pd.DataFrame()),
                                names)
        if found is not None:
            sections.append(found)
    if ctx.scope.sees("class") and ctx.scope.filter("class").restrictions():
        found = _unit_section(ctx, a, "class", subject, a.summaries["class"], names)
        if found is not None:
            sections.append(found)
    return page(ctx.lang, a.exam.name, sections, subtitle=_subtitle(a, ctx.lang),
                crumbs=[(t("web.nav.home"), "/"), (t("web.nav.exams"), "/exams")],
                notes=_notes(ctx, a), choices=_choices(ctx, a, subject),
                internal=ctx.settings.publication.mark_internal,
                export_name=f"{exam_id}-{subject}", audit_object=f"exam:{exam_id}")


def school_page(ctx: Ctx, exam_id: str, school_code: str, subject: str | None) -> Page:
    require_exam(ctx.db, ctx.scope, exam_id)
    require_school(ctx.db, ctx.scope, school_code)
    a = ctx.analysis(exam_id)
    t = ctx.t
    subject = _pick_subject(a, subject)
    names = unit_names(ctx.db)
    school = a.summaries["school"]
    own = school.loc[school["school_code"] == school_code]
    sections = [section(t("web.col.school"),
                        _comparison(ctx, a, [a.summaries["district"], own], names))]
    classes = a.summaries.get("class", pd.DataFrame())
    if not classes.empty:
        classes = classes.loc[classes["school_code"] == school_code]
        found = _unit_section(ctx, a, "class", subject, classes, names)
        if found is not None:
            sections.append(found)
    weak = _weak_points(ctx, a, "school", school_code)
    if weak is not None:
        sections.append(weak)
    teachers = a.summaries.get("teacher", pd.DataFrame())
    if not teachers.empty:
        staff = teachers.loc[teachers["teacher_id"].isin(list(teachers_of_school(ctx.db,
                                                                             school_code)))]
        if not staff.empty:  # every subject: each teacher teaches their own
            rows = ordered_units(staff, a.exam.subjects, names["peer"])
            sections.append(section(t("web.level.teacher"), summary_table(
                rows, t, ctx.lang, unit=_teacher_label(a))))
    name = names["school"].get(school_code, school_code)
    return page(ctx.lang, t("web.school.title", school=name, exam=a.exam.name), sections,
                subtitle=_subtitle(a, ctx.lang),
                crumbs=[(t("web.nav.home"), "/"), (t("web.nav.exams"), "/exams"),
                        (a.exam.name, f"/exams/{exam_id}")],
                notes=_notes(ctx, a), choices=_choices(ctx, a, subject),
                internal=ctx.settings.publication.mark_internal,
                export_name=f"{exam_id}-{school_code}-{subject}",
                audit_object=f"exam:{exam_id}/school:{school_code}")


def class_page(ctx: Ctx, exam_id: str, class_id: str) -> Page:
    require_exam(ctx.db, ctx.scope, exam_id)
    school_code = require_class(ctx.db, ctx.scope, class_id)
    a = ctx.analysis(exam_id)
    t = ctx.t
    names = unit_names(ctx.db)
    frames = [a.summaries["district"],
              a.summaries["school"].loc[a.summaries["school"]["school_code"] == school_code],
              a.summaries["class"].loc[a.summaries["class"]["class_id"] == class_id]]
    sections = [section(t("web.col.class"), _comparison(ctx, a, frames, names))]
    weak = _weak_points(ctx, a, "class", class_id)
    if weak is not None:
        sections.append(weak)
    student_level = ctx.scope.sees("student")
    if student_level:
        sections.append(_class_students(ctx, a, exam_id, class_id))
    label = f"{names['school'].get(school_code, school_code)} {names['class'].get(class_id, '')}"
    return page(ctx.lang, t("web.class.title", school=names["school"].get(school_code, school_code),
                  cls=names["class"].get(class_id, class_id), exam=a.exam.name),
                sections, subtitle=_subtitle(a, ctx.lang),
                crumbs=[(t("web.nav.home"), "/"), (t("web.nav.exams"), "/exams"),
                        (a.exam.name, f"/exams/{exam_id}"),
                        (names["school"].get(school_code, school_code),
                         f"/exams/{exam_id}/schools/{school_code}")],
                notes=_notes(ctx, a), internal=ctx.settings.publication.mark_internal,
                export_name=f"{exam_id}-{class_id}", student_level=student_level,
                audit_object=f"exam:{exam_id}/class:{class_id} ({label.strip()})")


def _student_columns(ctx: Ctx, rules: Disclosure, subject: str) -> list[tuple[str, str, str]]:
    """(key, label, kind) of one subject's columns for a list of students."""
    t, label = ctx.t, SUBJECTS.label(subject, ctx.lang)
    cols = [(f"score:{subject}", label, "num1"), (f"grade_letter:{subject}",
                                                  f"{label} {t('web.col.grade_letter')}", "text")]
    if rules.student_ranks:
        cols += [(f"pr:{subject}", f"{label} {t('web.col.pr')}", "num1"),
                 (f"rank:{subject}", f"{label} {t('web.col.rank')}", "int")]
    return cols


def _shown_scores(ctx: Ctx, results: pd.DataFrame) -> pd.DataFrame:
    """Scores, with the status label where there is no score (缺考 …: never 0)."""
    status = results["status"].map(lambda s: SUBJECT_STATUS.label(s, ctx.lang)
                                    if s in SUBJECT_STATUS.terms else ctx.t("web.incomplete"))
    shown = results["score"].astype(object).where(results["score"].notna(), status)
    return results.assign(shown=shown)


def _class_students(ctx: Ctx, a: ExamAnalysis, exam_id: str, class_id: str) -> Section:
    t = ctx.t
    rules = _rules(ctx, a)
    people = scoped_students(ctx.db, ctx.scope, exam_id=exam_id, class_id=class_id)
    results = _shown_scores(ctx, a.students.loc[a.students["class_id"] == class_id])
    wide = results.pivot_table(index="student_id", columns="subject_code",
                               values=["shown", "grade_letter", "pr", "rank"],
                               aggfunc="first", dropna=False)
    pairs: list[Any] = list(wide.columns)
    wide.columns = [f"{'score' if v == 'shown' else v}:{s}" for v, s in pairs]
    table_frame = people.merge(wide, left_on="student_id", right_index=True, how="left")
    id_label = t("web.col.national_id" if ctx.scope.can("full_national_id")
                 else "web.col.national_id_masked")
    columns: list[tuple[str, str, str]] = [("name", t("web.col.name"), "text"),
                                           ("national_id", id_label, "text")]
    for s in a.exam.subjects:
        columns += [c for c in _student_columns(ctx, rules, s) if c[0] in table_frame.columns]
    table = frame_table(table_frame, columns, href=lambda r: f"/students/{r['student_id']}")
    return section(t("web.level.students"), table)


def student_page(ctx: Ctx, student_id: int) -> Page:
    t, lang = ctx.t, ctx.lang
    people = require_student(ctx.db, ctx.scope, student_id)
    names = unit_names(ctx.db)
    person = people.iloc[0]
    id_label = t("web.col.national_id" if ctx.scope.can("full_national_id")
                 else "web.col.national_id_masked")
    info = people.assign(
        school=people["school_code"].map(names["school"]),
        cls=people["class_id"].map(lambda c: names["class"].get(c, c)),
        gender=people["gender"].map(lambda g: GENDER.label(g, lang) if g in GENDER.terms else g))
    info_table = frame_table(info, [
        ("name", t("web.col.name"), "text"), ("national_id", id_label, "text"),
        ("gender", t("web.col.gender"), "text"), ("school", t("web.col.school"), "text"),
        ("cls", t("web.col.class"), "text")])
    sections = [section(t("web.student.info"), info_table)]
    visible = scoped_results(ctx.db, ctx.scope, student_id=student_id)
    exams = scoped_exams(ctx.db, ctx.scope)
    for exam_id in exams.loc[exams["exam_id"].isin(visible["exam_id"]), "exam_id"]:
        sections.append(_student_exam(ctx, str(exam_id), student_id))
    if len(sections) == 1:
        info_table.note = t("web.student.none")
    return page(lang, t("web.student.title", name=person["name"]), sections,
                crumbs=[(t("web.nav.home"), "/")],
                internal=ctx.settings.publication.mark_internal,
                export_name=f"student-{student_id}", student_level=True,
                audit_object=f"student:{student_id}")


def _student_exam(ctx: Ctx, exam_id: str, student_id: int) -> Section:
    """One exam's results of one student, showing what the publication rules allow."""
    t = ctx.t
    a = ctx.analysis(exam_id)
    rules = _rules(ctx, a)
    scores_ok = rules.family_scores or ctx.principal.role != "parent"
    rows = _shown_scores(ctx, a.students.loc[a.students["student_id"] == student_id])
    district = a.summaries["district"].set_index("subject_code")["mean"]
    order = {s: i for i, s in enumerate(a.exam.subjects)}
    rows = rows.assign(subject=rows["subject_code"].map(lambda s: SUBJECTS.label(s, ctx.lang)),
                       district_mean=rows["subject_code"].map(district),
                       _s=rows["subject_code"].map(order)).sort_values("_s")
    columns = [("subject", t("web.col.subject"), "text")]
    if scores_ok:
        columns += [("shown", t("web.col.score"), "num1"),
                    ("full_marks", t("web.col.full_marks"), "num1"),
                    ("district_mean", t("web.col.district_mean"), "num2")]
    columns.append(("grade_letter", t("web.col.grade_letter"), "text"))
    if rules.student_ranks:
        columns += [("t", t("web.col.t"), "num1"), ("pr", t("web.col.pr"), "num1"),
                    ("rank", t("web.col.rank"), "int")]
    note = ""
    if not rules.student_ranks:
        note = (t("web.grades_note") if a.exam.compulsory else
                t("web.exam.league", exam_type=EXAM_TYPES.label(a.exam.exam_type, ctx.lang)))
    title = f"{a.exam.name} · {_subtitle(a, ctx.lang)}"
    return section(title, frame_table(rows, columns), note=note)


# -- the same data as records (the JSON API) ---------------------------------------------
UNIT_LEVELS = ("district", "peer_group", "school", "class", "teacher")
"""The levels of unit summaries, coarsest first."""

UNIT_KEYS = {"peer_group": "peer_group", "school": "school_code", "class": "class_id",
             "teacher": "teacher_id"}
"""The key column of each level's units (the district has one unit, 'all')."""

UNIT_FIELDS = ("n_registered", "n", "full_marks", "mean", "sd", "ci_low", "ci_high",
               "excellent_rate", "good_rate", "pass_rate", "low_rate", "band")
"""The numbers of a unit summary as records carry them: the page's columns (the interval as
its two bounds), rounded as shown (:func:`~eduquality.reports.formats.shown_number`)."""


def _shown(value: Any, fmt: Fmt) -> Any:
    if fmt in ("text", "band"):
        return None if is_missing(value) else value
    return shown_number(value, fmt)


def unit_records(ctx: Ctx, exam_id: str, level: str | None = None,
                 unit: str | None = None) -> list[dict[str, Any]]:
    """The exam's unit summaries that the pages show this principal (:meth:`Ctx.analysis`:
    the scope's rows, small units withheld), one record per (level, unit, subject) in the
    fixed publication order, numbers rounded as shown. ``level`` and ``unit`` narrow them; a
    level the role does not see or a unit outside its scope is NotFoundError (or the
    PermissionDenied of ``require_school``/``require_class``, as on the pages)."""
    require_exam(ctx.db, ctx.scope, exam_id)
    if level is not None and level not in UNIT_LEVELS:
        raise NotFoundError(tr("web.unknown_unit", ctx.lang, level=level, unit=unit or ""))
    if unit is not None and level == "school":
        require_school(ctx.db, ctx.scope, unit)
    elif unit is not None and level == "class":
        require_class(ctx.db, ctx.scope, unit)
    a = ctx.analysis(exam_id)
    names = unit_names(ctx.db)
    label = _unit_label(names, ctx.t)
    records: list[dict[str, Any]] = []
    for lv in (level,) if level is not None else UNIT_LEVELS:
        frame = a.summaries.get(lv, pd.DataFrame())
        key = UNIT_KEYS.get(lv)
        if unit is not None and key is not None and not frame.empty:
            frame = frame.loc[frame[key].astype(str) == unit]
        elif unit is not None and key is None and unit != "all":
            frame = frame.iloc[0:0]
        if frame.empty:
            continue
        rows = ordered_units(frame, a.exam.subjects, names["peer"])
        unit_of = _teacher_label(a) if lv == "teacher" else label
        for r in rows.itertuples(index=False):
            record: dict[str, Any] = {
                "level": lv, "unit": "all" if key is None else str(getattr(r, key)),
                "name": unit_of(r), "subject": r.subject_code}
            if lv == "class":
                record["school"] = str(r.school_code)
            for c in UNIT_FIELDS:
                record[c] = _shown(getattr(r, c, None), UNIT_FORMATS[c])
            records.append(record)
    if (level is not None or unit is not None) and not records:
        raise NotFoundError(tr("web.unknown_unit", ctx.lang, level=level or "", unit=unit or ""))
    return records


STUDENT_FIELDS: tuple[tuple[str, Fmt], ...] = (
    ("score", "num1"), ("full_marks", "num1"), ("grade_letter", "text"), ("t", "num1"),
    ("pr", "num1"), ("rank", "int"))
"""A student's result in one subject as records carry it (each shown only where the pages
show it: :func:`result_fields`)."""


def result_fields(ctx: Ctx, a: ExamAnalysis) -> tuple[str, ...]:
    """Which of :data:`STUDENT_FIELDS` this principal may see for ``a``'s students: the
    pages' rule (:func:`_student_exam`): scores unless a parent is refused them by the
    publication policy; T, percentile and rank only where the policy allows ranks."""
    rules = _rules(ctx, a)
    fields = ["grade_letter"]
    if rules.family_scores or ctx.principal.role != "parent":
        fields[:0] = ["score", "full_marks"]
    if rules.student_ranks:
        fields += ["t", "pr", "rank"]
    return tuple(fields)


def result_records(ctx: Ctx, exam_id: str) -> tuple[list[dict[str, Any]], str]:
    """The exam's student results this principal may see, one record per (student, subject),
    with the student's name and ID number masked as on the pages
    (:func:`~eduquality.store.scoped.scoped_students`); and the object the audit log names.
    :class:`NoStudentAccess` when the role has no student-level access at all."""
    require_exam(ctx.db, ctx.scope, exam_id)
    if not ctx.scope.sees("student"):
        raise NoStudentAccess(tr("access.denied", ctx.lang, what=f"exam {exam_id} results"))
    a = ctx.analysis(exam_id)
    people = scoped_students(ctx.db, ctx.scope, exam_id=exam_id).drop_duplicates("student_id")
    who = people.set_index("student_id")
    fields = result_fields(ctx, a)
    formats = dict(STUDENT_FIELDS)
    order = {s: i for i, s in enumerate(a.exam.subjects)}
    rows = a.students.loc[a.students["student_id"].isin(who.index)]
    rows = rows.assign(_s=rows["subject_code"].map(order)).sort_values(
        ["school_code", "class_id", "student_id", "_s"], kind="stable")
    records = []
    for r in rows.to_dict("records"):
        person = who.loc[r["student_id"]]
        record: dict[str, Any] = {
            "student_id": int(r["student_id"]), "name": person["name"],
            "national_id": person["national_id"], "school": r["school_code"],
            "class": r["class_id"], "subject": r["subject_code"], "status": r.get("status")}
        for f in fields:
            record[f] = _shown(r.get(f), formats[f])
        records.append(record)
    return records, f"exam:{exam_id}/results"


AUDIT_PAGE_ROWS = 100
"""Rows per page of the audit log."""


def audit_page(ctx: Ctx, where: AuditFilter, page_no: int = 1,
               per_page: int = AUDIT_PAGE_ROWS) -> tuple[Page, int]:
    """One page (``page_no`` from 1) of the audit rows matching ``where``, newest first, with
    the client address and the repeat count; and the number of pages."""
    t, lang = ctx.t, ctx.lang
    total = count_audit(ctx.db, ctx.scope, where)
    pages = max(1, -(-total // per_page))
    page_no = min(max(1, page_no), pages)
    first = (page_no - 1) * per_page
    log = read_audit(ctx.db, ctx.scope, where=where, limit=per_page, offset=first)
    log = log.assign(
        role=log["role"].map(lambda r: ROLES.label(r, lang) if r in ROLES.terms else r),
        action=log["action"].map(lambda a: t(f"web.audit.{a}")))
    table = frame_table(log, [(c, t(f"web.col.{c}"), "text") for c in
                              ("logged_at", "username", "role", "action", "object", "detail",
                               "address")] + [("count", t("web.col.count"), "int")])
    shown = t("web.audit.range", first=first + 1 if total else 0, last=first + len(log),
              total=total, page=page_no, pages=pages)
    doc = page(lang, t("web.audit.title"), [section(t("web.audit.title"), table, note=shown)],
                crumbs=[(t("web.nav.home"), "/")], export_name="audit-log",
                audit_object="audit_log")
    return doc, pages


def home_links(ctx: Ctx) -> list[tuple[str, str]]:
    """Shortcuts for the signed-in role: own school, own classes, own child, audit log."""
    t, p = ctx.t, ctx.principal
    links: list[tuple[str, str]] = []
    exams = scoped_exams(ctx.db, ctx.scope)
    latest = exams.iloc[0] if len(exams) else None
    if p.role == "principal" and p.school_code and latest is not None:
        links.append((t("web.home.my_school", exam=latest["name"]),
                      f"/exams/{latest['exam_id']}/schools/{p.school_code}"))
    if p.role == "teacher" and latest is not None:
        names = unit_names(ctx.db)
        for c in sorted(p.class_ids):
            links.append((f"{t('web.home.my_classes', exam=latest['name'])}: "
                          f"{names['class'].get(c, c)}", f"/exams/{latest['exam_id']}/classes/{c}"))
    if p.role == "parent" and p.student_id is not None:
        links.append((t("web.home.my_child"), f"/students/{p.student_id}"))
    if ctx.scope.can("view_audit"):
        links.append((t("web.home.audit"), "/audit"))
    return links


__all__ = ["audit_page", "class_page", "exam_page", "exams_page", "home_links",
           "result_records", "school_page", "student_page", "unit_records"]
