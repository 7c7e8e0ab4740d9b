"""The action plan on the dashboard (目标、指标与进度): every indicator of the plan of the
settings (``[plan] file``, :class:`eduquality.config.PlanTarget`) with its latest value, its 95 %
interval, the value its trajectory asks for, its target and its status (on track, at risk, off
track: :mod:`eduquality.measures.trajectory`); every year of every indicator (the trajectory
against its target); the school goals bound in the plan. Built from
:func:`eduquality.analysis.plan.plan_status` as tables of :mod:`eduquality.reports.model`;
bureau roles only (the dashboard's). School ranks stay internal (GLOSSARY, rules on
publishing).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from eduquality.analysis.annual import indicator_row
from eduquality.analysis.plan import PlanStatus, plan_status
from eduquality.i18n import register
from eduquality.ingest.planfile import Indicator, load_plan
from eduquality.reports.annual import STATUS_BAND, trajectory_chart
from eduquality.reports.annual import target_text as annual_target_text
from eduquality.reports.model import Column, Section, Table
from eduquality.store.units import unit_names
from eduquality.web.deps import Ctx
from eduquality.web.pages import Page, page, section

__all__ = ["STATUS_BAND", "load_status", "plan_page", "plan_page_sections", "plan_sections",
           "school_plan_page", "school_plan_sections", "target_text"]


MESSAGES = register({
    "web.plan.title": ("行动计划：{title}", "Action plan: {title}"),
    "web.plan.latest": ("行动计划指标（最近一年）", "The plan's indicators (latest year)"),
    "web.plan.trajectory": ("行动计划指标：逐年进度", "The plan's indicators year by year"),
    "web.plan.goals": ("学校发展目标（内部资料）", "School goals (internal)"),
    "web.plan.indicator": ("指标", "Indicator"),
    "web.plan.year": ("年份", "Year"),
    "web.plan.value": ("数值", "Value"),
    "web.plan.interval": ("95% 区间", "95 % interval"),
    "web.plan.expected": ("进度要求", "Expected on the path"),
    "web.plan.target": ("目标", "Target"),
    "web.plan.status": ("状态", "Status"),
    "web.plan.unit": ("单位", "Unit"),
    "web.plan.school": ("学校", "School"),
    "web.plan.goal": ("目标", "Goal"),
    "web.plan.rank": ("位次 / 所需", "Rank / required"),
    "web.plan.no_goals": ("计划中没有绑定到学校的目标。", "No goal of the plan is bound to a school."),
    "web.plan.note": ("状态：数值达到进度要求为“达标进度内”；未达到但区间覆盖要求或差距在容差内为“有风险”；"
                      "否则“未达进度”。", "Status: on track when the value reaches the path; at "
                      "risk when it falls short but its interval reaches the path or the gap is "
                      "within the tolerance; off track otherwise."),
    "web.plan.page": ("行动计划：各指标逐年进度", "Action plan: every indicator year by year"),
    "web.plan.school_page": ("{school} · 行动计划指标", "{school} · the action plan's indicators"),
    "web.plan.by_school": ("{name} · 分学校", "{name} · by school"),
    "web.plan.district": ("{name} · 全区逐年", "{name} · the district year by year"),
    "web.plan.own": ("{name} · 本校逐年", "{name} · the school year by year"),
    "web.plan.none": ("本校没有按学校计算的指标或绑定的目标。", "No indicator is computed per school "
                      "and no goal is bound to this school."),
    "web.plan.more": ("各指标逐年进度图（分学校）见 /plan。", "Every indicator's trajectory (by "
                      "school): /plan."),
})


def _num(x: Any, decimals: int) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return "–"
    return f"{float(x):.{decimals}f}"


def target_text(ind: Indicator, lang: str) -> str:
    """The indicator's target in words (:func:`eduquality.reports.annual.target_text`)."""
    return annual_target_text(indicator_row(ind), lang)


def _rows(ctx: Ctx, status: PlanStatus, values: pd.DataFrame,
          names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per value (``names``: with the school's name of each row's unit)."""
    t = ctx.t
    inds = {i.code: i for i in status.plan.indicators}
    rows = []
    for r in values.to_dict("records"):
        ind = inds[str(r["indicator"])]
        d = ind.decimals if ind.decimals is not None else 1
        rows.append({
            "school": (names or {}).get(str(r["unit"]), str(r["unit"])),
            "indicator": str(ind.name.get(ctx.lang)), "year": str(int(r["year"])),
            "value": _num(r["value"], d), "unit": ind.unit,
            "interval": "" if pd.isna(r["low"]) else
            f"{_num(r['low'], d)}–{_num(r['high'], d)}",
            "expected": _num(r["expected"], d), "target": target_text(ind, ctx.lang),
            "status": t(f"trajectory.{r['status']}"),
            "status_code": STATUS_BAND.get(str(r["status"]), "too_few")})
    return pd.DataFrame(rows, columns=["school", "indicator", "year", "value", "unit",
                                       "interval", "expected", "target", "status",
                                       "status_code"])


def _columns(ctx: Ctx, school: bool = False) -> list[Column]:
    t = ctx.t
    lead = [Column("school", t("web.plan.school"))] if school else []
    return [*lead, Column("indicator", t("web.plan.indicator")),
            Column("year", t("web.plan.year")),
            Column("value", t("web.plan.value")), Column("unit", t("web.plan.unit")),
            Column("interval", t("web.plan.interval")),
            Column("expected", t("web.plan.expected")), Column("target", t("web.plan.target")),
            Column("status", t("web.plan.status"), band_key="status_code")]


def _goals(ctx: Ctx, status: PlanStatus, school: str | None = None) -> Section:
    t = ctx.t
    names = unit_names(ctx.db)["school"]
    goals = {g.code: g for g in status.plan.goals}
    mine = status.goals if school is None else status.goals[status.goals["school"] == school]
    latest = mine.sort_values("year").groupby("goal").tail(1) if not mine.empty else mine
    rows = [{"school": names.get(str(r["school"]), str(r["school"])),
             "goal": goals[str(r["goal"])].text.get(ctx.lang), "year": str(int(r["year"])),
             "rank": "" if pd.isna(r["rank"]) else f"{r['rank']}/{r['n']} (≤ {r['required_rank']})",
             "status": t(f"trajectory.{r['status']}"),
             "status_code": STATUS_BAND.get(str(r["status"]), "too_few")}
            for r in latest.to_dict("records")]
    frame = pd.DataFrame(rows, columns=["school", "goal", "year", "rank", "status",
                                        "status_code"])
    cols = [Column("school", t("web.plan.school")), Column("goal", t("web.plan.goal")),
            Column("year", t("web.plan.year")), Column("rank", t("web.plan.rank")),
            Column("status", t("web.plan.status"), band_key="status_code")]
    return section(t("web.plan.goals"), Table("", cols, frame),
                   note="" if rows else t("web.plan.no_goals"))


def plan_sections(ctx: Ctx) -> list[Section]:
    """The plan's sections for the dashboard (module docstring)."""
    plan = load_plan(ctx.settings.plan.file, ctx.lang)
    status = plan_status(ctx.db, plan)
    district = status.values[(status.values["unit"] == "district")
                             & (status.values["breakdown"] == "")]
    have = district.dropna(subset=["value"])
    latest = have.sort_values("year").groupby("indicator").tail(1)
    order = {i.code: k for k, i in enumerate(plan.indicators)}
    latest = latest.sort_values("indicator", key=lambda s: s.map(order))
    every = district.sort_values(["indicator", "year"], key=lambda s: s.map(order)
                                 if s.name == "indicator" else s)
    head = ctx.t("web.plan.title", title=plan.title.get(ctx.lang))
    return [
        section(f"{head} · {ctx.t('web.plan.latest')}",
                Table("", _columns(ctx), _rows(ctx, status, latest)),
                note=ctx.t("web.plan.note")),
        section(ctx.t("web.plan.trajectory"),
                Table("", _columns(ctx), _rows(ctx, status, every)),
                note=ctx.t("web.plan.more")),
        _goals(ctx, status),
    ]


def load_status(db: Any, plan_file: str, lang: str) -> PlanStatus:
    """The settings' plan over ``db`` (every year, unit and goal): what the plan pages show."""
    return plan_status(db, load_plan(plan_file, lang))


def _ordered(status: PlanStatus, values: pd.DataFrame) -> pd.DataFrame:
    """Rows in the plan's order of indicators, then unit (school code), then year: a fixed
    order, never by value."""
    order = {i.code: k for k, i in enumerate(status.plan.indicators)}
    return values.assign(_o=values["indicator"].map(order)).sort_values(
        ["_o", "unit", "year"], kind="stable").drop(columns="_o")


def plan_page_sections(ctx: Ctx, status: PlanStatus) -> list[Section]:
    """Every indicator's trajectory against its target: the district's chart and years and,
    where the indicator is computed per school, every school's years (fixed order, school
    code; internal). Bureau roles: the caller checks."""
    t, lang = ctx.t, ctx.lang
    v = status.values[status.values["breakdown"] == ""]
    names = unit_names(ctx.db)["school"]
    sections: list[Section] = []
    for ind in status.plan.indicators:
        own = v[v["indicator"] == ind.code]
        district = _ordered(status, own[own["unit"] == "district"])
        if district.empty:
            continue
        name = str(ind.name.get(lang))
        chart = trajectory_chart(indicator_row(ind), district, lang) if \
            district["value"].notna().any() else None
        sections.append(section(t("web.plan.district", name=name),
                                Table("", _columns(ctx), _rows(ctx, status, district)), chart))
        schools = _ordered(status, own[own["unit"] != "district"])
        if not schools.empty:
            sections.append(section(t("web.plan.by_school", name=name),
                                    Table("", _columns(ctx, school=True),
                                          _rows(ctx, status, schools, names))))
    sections.append(_goals(ctx, status))
    return sections


def school_plan_sections(ctx: Ctx, status: PlanStatus, school_code: str) -> list[Section]:
    """A school's own indicators (those computed per school) year by year against the path
    from its own baseline, with their charts, and its bound goals. The caller checks that the
    scope sees the school."""
    lang = ctx.lang
    v = status.values[(status.values["breakdown"] == "")
                      & (status.values["unit"] == school_code)]
    sections: list[Section] = []
    for ind in status.plan.indicators:
        rows = _ordered(status, v[v["indicator"] == ind.code])
        if rows.empty:
            continue
        name = str(ind.name.get(lang))
        chart = trajectory_chart(indicator_row(ind), rows, lang, series=[
            (unit_names(ctx.db)["school"].get(school_code, school_code), rows)]) if \
            rows["value"].notna().any() else None
        sections.append(section(ctx.t("web.plan.own", name=name),
                                Table("", _columns(ctx), _rows(ctx, status, rows)), chart))
    if not status.goals.empty and (status.goals["school"] == school_code).any():
        sections.append(_goals(ctx, status, school_code))
    return sections


def plan_page(ctx: Ctx, status: PlanStatus) -> Page:
    """``/plan``: :func:`plan_page_sections` as a page (internal)."""
    t = ctx.t
    return page(ctx.lang, t("web.plan.page"), plan_page_sections(ctx, status),
                subtitle=t("web.plan.title", title=status.plan.title.get(ctx.lang)),
                notes=[t("web.plan.note")], internal=True,
                crumbs=[(t("web.nav.home"), "/")], export_name="plan", audit_object="plan")


def school_plan_page(ctx: Ctx, status: PlanStatus, school_code: str, school_name: str
                     ) -> Page:
    """``/plan/schools/{code}``: :func:`school_plan_sections` as a page (internal)."""
    t = ctx.t
    sections = school_plan_sections(ctx, status, school_code)
    return page(ctx.lang, t("web.plan.school_page", school=school_name), sections,
                subtitle=t("web.plan.title", title=status.plan.title.get(ctx.lang)),
                notes=[t("web.plan.note")] if sections else [t("web.plan.none")],
                internal=True, crumbs=[(t("web.nav.home"), "/")],
                export_name=f"plan-{school_code}", audit_object=f"plan {school_code}")
