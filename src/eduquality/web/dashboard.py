"""The district dashboard: the home page of the bureau's roles (those who see every school).

What it shows, all read from the exams' analyses as the exam pages show them
(:meth:`~eduquality.web.deps.Ctx.analysis`: the scope's rows, small units withheld):

- the latest exams with their headline figures: the district's 三率一分 of the headline subject
  with its interval, and how many schools are above, similar to or below the district (bands
  by interval, :func:`eduquality.measures.scores.band_vs_reference`), with the bulletin's
  downloads;
- the district's key measures exam by exam for one grade (:mod:`eduquality.web.history`);
- alerts from the latest exams: schools significantly below the district, each school's most
  urgent weak knowledge point (``weak_points``), students flagged (``groups``: 学困生, 临界生;
  counts per school, for roles with student-level access) and items flagged by the item
  analysis;
- the action plan's indicators: :func:`plan_sections`, the slot the plan engine fills.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from eduquality.i18n import register
from eduquality.reports import labels as L
from eduquality.reports.formats import UNIT_FORMATS, interval
from eduquality.reports.model import Column, Section, Table
from eduquality.store.policy import Scope
from eduquality.store.units import unit_names
from eduquality.vocab import SUBJECTS, grade_label
from eduquality.web.deps import Ctx
from eduquality.web.history import trend_sections, unit_history
from eduquality.web.pages import HREF, Page, frame_table, ordered_units, page, section
from eduquality.web.plan import plan_sections as plan_indicator_sections
from eduquality.web.views import _pick_subject

LATEST_EXAMS = 3
"""Exams in the dashboard's first table and its alerts."""

FLAGGED_GROUPS = ("struggling", "borderline")
"""Student groups counted as alerts (学困生, 临界生; ``ExamAnalysis.groups``)."""

ITEM_ALERTS = ("possibly_miskeyed", "negative_discrimination")
"""Item flags shown as alerts (the item analysis' columns)."""

MESSAGES = register({
    "web.dashboard.title": ("全区质量看板", "District dashboard"),
    "web.dashboard.latest": ("最近的考试", "Latest exams"),
    "web.dashboard.above": ("高于全区（校）", "Schools above"),
    "web.dashboard.similar": ("无显著差异（校）", "Schools similar"),
    "web.dashboard.below": ("低于全区（校）", "Schools below"),
    "web.dashboard.report": ("通报", "Bulletin"),
    "web.dashboard.trend": ("全区历次考试 · {grade}", "The district exam by exam · {grade}"),
    "web.dashboard.alerts_below": ("提醒：显著低于全区的学校", "Alert: schools below the district"),
    "web.dashboard.alerts_weak": ("提醒：各校最需关注的薄弱知识点",
                                  "Alert: each school's most urgent weak point"),
    "web.dashboard.alerts_students": ("提醒：需关注的学生（人数）",
                                      "Alert: students flagged (counts)"),
    "web.dashboard.alerts_items": ("提醒：需复核的试题", "Alert: items to review"),
    "web.dashboard.n_weak": ("薄弱知识点数", "Weak points"),
    "web.dashboard.flags": ("问题", "Flags"),
    "web.dashboard.item": ("题号", "Item"),
    "web.dashboard.none": ("最近的考试中没有此类情况。", "None in the latest exams."),
    "web.dashboard.note": ("学校按同类组、学校代码排列，不排名；“高于/低于全区”指置信区间整体位于全区"
                           "平均分之上/之下。", "Schools in peer-group and code order, never "
                           "ranked; 'above/below' means the whole interval lies above/below the "
                           "district mean."),
})


def is_bureau(scope: Scope) -> bool:
    """Whether the scope sees every school's aggregates (admin, researcher, leader): who gets
    the dashboard as the home page."""
    return "school" in scope.levels and not scope.filter("school").restrictions() \
        and scope.sees("district")


def dashboard_page(ctx: Ctx, latest: Sequence[str], trend: Sequence[str], grade: int | None,
                   choices: list[tuple[str, str, bool]]) -> Page:
    """The dashboard over the ``latest`` exams (newest first) and the ``trend`` exams of
    ``grade`` (oldest first); their analyses must be warm."""
    t = ctx.t
    names = unit_names(ctx.db)["school"]
    sections = [_latest(ctx, latest)]
    history = unit_history(ctx, trend, "district")
    for s in trend_sections(ctx, history, None, lambda r: f"/exams/{r['exam_id']}"):
        if grade is not None and s is not None:
            s.title = f"{t('web.dashboard.trend', grade=grade_label(grade, ctx.lang))} · " \
                      f"{s.title}"
        sections.append(s)
    sections += [_below(ctx, latest, names), _weak(ctx, latest, names)]
    if ctx.scope.sees("student"):
        sections.append(_students(ctx, latest, names))
    sections.append(_items(ctx, latest))
    sections += plan_sections(ctx)
    return page(ctx.lang, t("web.dashboard.title"), sections, notes=[t("web.dashboard.note")],
                choices=choices, internal=ctx.settings.publication.mark_internal,
                crumbs=[(t("web.nav.home"), "/")], export_name="dashboard",
                audit_object="dashboard")


def plan_sections(ctx: Ctx) -> list[Section]:
    """The action plan's indicators (目标、指标与进度), shown on the dashboard after the alerts:
    :func:`eduquality.web.plan.plan_sections`."""
    return plan_indicator_sections(ctx)


def _latest(ctx: Ctx, exam_ids: Sequence[str]) -> Section:
    t, lang = ctx.t, ctx.lang
    rows = []
    for exam_id in exam_ids:
        a = ctx.analysis(exam_id)
        subject = _pick_subject(a, None)
        d = a.summaries["district"]
        d = d.loc[d["subject_code"] == subject]
        if d.empty:
            continue
        r = d.iloc[0]
        schools = a.summaries.get("school", pd.DataFrame())
        bands = schools.loc[schools["subject_code"] == subject, "band"].value_counts() \
            if not schools.empty else pd.Series(dtype=int)
        rows.append({
            "exam": a.exam.name, HREF: f"/exams/{exam_id}", "exam_date": a.exam.exam_date,
            "grade": grade_label(a.exam.grade, lang), "subject": SUBJECTS.label(subject, lang),
            "n": r["n"], "mean": r["mean"],
            "ci": interval(r["ci_low"], r["ci_high"], UNIT_FORMATS["mean"]),
            "excellent_rate": r["excellent_rate"], "pass_rate": r["pass_rate"],
            "low_rate": r["low_rate"], "above": int(bands.get("above", 0)),
            "similar": int(bands.get("similar", 0)), "below": int(bands.get("below", 0)),
            "pdf": "PDF", "_pdf": f"/reports/{exam_id}/district?format=pdf",
            "xlsx": "Excel", "_xlsx": f"/reports/{exam_id}/district?format=xlsx"})
    cols = [Column("exam", t("web.col.exam"), link_key=HREF),
            Column("exam_date", t("web.col.date")), Column("grade", t("web.col.grade")),
            Column("subject", t("web.col.subject")),
            *[Column(c, L.col(c, lang), UNIT_FORMATS[c]) for c in
              ("n", "mean", "ci", "excellent_rate", "pass_rate", "low_rate")],
            *[Column(c, t(f"web.dashboard.{c}"), "int") for c in ("above", "similar", "below")],
            Column("pdf", t("web.dashboard.report"), link_key="_pdf"),
            Column("xlsx", t("web.dashboard.report"), link_key="_xlsx")]
    frame = pd.DataFrame(rows, columns=[*(c.key for c in cols), HREF, "_pdf", "_xlsx"])
    return section(t("web.dashboard.latest"), Table("", cols, frame))


def _school_link(ctx: Ctx) -> Any:
    return lambda r: f"/schools/{r['school_code']}"


def _below(ctx: Ctx, exam_ids: Sequence[str], names: dict[str, str]) -> Section:
    t, lang = ctx.t, ctx.lang
    parts = []
    for exam_id in exam_ids:
        a = ctx.analysis(exam_id)
        schools = a.summaries.get("school", pd.DataFrame())
        if schools.empty:
            continue
        below = ordered_units(schools.loc[schools["band"] == "below"], a.exam.subjects,
                              unit_names(ctx.db)["peer"])
        district = a.summaries["district"].set_index("subject_code")["mean"]
        parts.append(below.assign(
            exam=a.exam.name, school=below["school_code"].map(lambda c: names.get(c, c)),
            subject=below["subject_code"].map(lambda s: SUBJECTS.label(s, lang)),
            ci=[interval(lo, hi, UNIT_FORMATS["mean"]) for lo, hi in
                zip(below["ci_low"], below["ci_high"], strict=True)],
            district_mean=below["subject_code"].map(district)))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["school", "school_code", "exam", "subject", "n", "mean", "ci",
                 "district_mean"])
    table = frame_table(frame, [("school", t("web.col.school"), "text"),
                                ("exam", t("web.col.exam"), "text"),
                                ("subject", t("web.col.subject"), "text"),
                                ("n", L.col("n", lang), "int"),
                                ("mean", L.col("mean", lang), "num2"),
                                ("ci", L.col("ci", lang), "text"),
                                ("district_mean", t("web.col.district_mean"), "num2")],
                        href=_school_link(ctx))
    return section(t("web.dashboard.alerts_below"), table,
                   note="" if len(frame) else t("web.dashboard.none"))


def _weak(ctx: Ctx, exam_ids: Sequence[str], names: dict[str, str]) -> Section:
    t, lang = ctx.t, ctx.lang
    parts = []
    for exam_id in exam_ids:
        a = ctx.analysis(exam_id)
        wp = a.weak_points
        if wp.empty or not {"level", "weak", "rank"} <= set(wp.columns):
            continue
        weak = wp.loc[(wp["level"] == "school") & wp["weak"].astype(bool)]
        if weak.empty:
            continue
        counts = weak.groupby(["unit", "subject_code"]).size().rename("n_weak")
        first = weak.loc[weak["rank"] == weak.groupby(["unit", "subject_code"])["rank"]
                         .transform("min")].drop_duplicates(["unit", "subject_code"])
        first = first.join(counts, on=["unit", "subject_code"]).sort_values(
            ["unit", "subject_code"])
        parts.append(first.assign(
            exam=a.exam.name, school_code=first["unit"].astype(str),
            school=first["unit"].map(lambda c: names.get(str(c), str(c))),
            subject=first["subject_code"].map(lambda s: SUBJECTS.label(s, lang))))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["school", "school_code", "exam", "subject", "knowledge_point", "rate_unit",
                 "rate_ref", "gap", "n_weak"])
    table = frame_table(frame, [("school", t("web.col.school"), "text"),
                                ("exam", t("web.col.exam"), "text"),
                                ("subject", t("web.col.subject"), "text"),
                                ("knowledge_point", t("web.col.knowledge_point"), "text"),
                                ("rate_unit", t("web.col.rate_unit"), "pct"),
                                ("rate_ref", t("web.col.rate_ref"), "pct"),
                                ("gap", t("web.col.gap"), "pct"),
                                ("n_weak", t("web.dashboard.n_weak"), "int")],
                        href=_school_link(ctx))
    return section(t("web.dashboard.alerts_weak"), table,
                   note=t("web.knowledge_note") if len(frame) else t("web.dashboard.none"))


def _students(ctx: Ctx, exam_ids: Sequence[str], names: dict[str, str]) -> Section:
    t = ctx.t
    parts = []
    for exam_id in exam_ids:
        a = ctx.analysis(exam_id)
        g, st = a.groups, a.students
        if g.empty or "group" not in g.columns or st.empty:
            continue
        school_of = st.drop_duplicates("student_id").set_index("student_id")["school_code"]
        flagged = g.loc[g["group"].isin(FLAGGED_GROUPS)].drop_duplicates(
            ["student_id", "group"])
        if flagged.empty:
            continue
        counts = flagged.assign(school_code=flagged["student_id"].map(school_of)).pivot_table(
            index="school_code", columns="group", values="student_id", aggfunc="count",
            fill_value=0).reindex(columns=list(FLAGGED_GROUPS), fill_value=0).reset_index()
        counts = ordered_units(counts.assign(subject_code=""), [""],
                               unit_names(ctx.db)["peer"])
        parts.append(counts.assign(
            exam=a.exam.name, school=counts["school_code"].map(lambda c: names.get(c, c))))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["school", "school_code", "exam", *FLAGGED_GROUPS])
    table = frame_table(frame, [("school", t("web.col.school"), "text"),
                                ("exam", t("web.col.exam"), "text"),
                                *[(g, L.group(g, ctx.lang), "int") for g in FLAGGED_GROUPS]],
                        href=_school_link(ctx))
    return section(t("web.dashboard.alerts_students"), table,
                   note="" if len(frame) else t("web.dashboard.none"))


def _items(ctx: Ctx, exam_ids: Sequence[str]) -> Section:
    t, lang = ctx.t, ctx.lang
    parts = []
    for exam_id in exam_ids:
        a = ctx.analysis(exam_id)
        items = a.items
        flags = [f for f in ITEM_ALERTS if f in items.columns]
        if items.empty or not flags:
            continue
        hit = items.loc[items[flags].fillna(False).astype(bool).any(axis=1)]
        if hit.empty:
            continue
        parts.append(hit.assign(
            exam=a.exam.name, exam_id=exam_id,
            subject=hit["subject_code"].map(lambda s: SUBJECTS.label(s, lang)),
            flags=[", ".join(L.item_flag(f, lang) for f in flags if bool(r[f]))
                   for _, r in hit.iterrows()]))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["exam", "exam_id", "subject", "item", "flags"])
    table = frame_table(frame, [("exam", t("web.col.exam"), "text"),
                                ("subject", t("web.col.subject"), "text"),
                                ("item", t("web.dashboard.item"), "text"),
                                ("flags", t("web.dashboard.flags"), "text")],
                        href=lambda r: f"/exams/{r['exam_id']}")
    return section(t("web.dashboard.alerts_items"), table,
                   note="" if len(frame) else t("web.dashboard.none"))


__all__ = ["LATEST_EXAMS", "dashboard_page", "is_bureau", "plan_sections"]
