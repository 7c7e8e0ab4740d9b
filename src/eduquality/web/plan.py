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

from eduquality.analysis.plan import PlanStatus, plan_status
from eduquality.i18n import register
from eduquality.ingest.planfile import Indicator, load_plan
from eduquality.reports.model import Column, Section, Table
from eduquality.store.units import unit_names
from eduquality.web.deps import Ctx
from eduquality.web.pages import section

__all__ = ["STATUS_BAND", "plan_sections", "target_text"]

STATUS_BAND = {"on_track": "above", "at_risk": "similar", "off_track": "below",
               "no_data": "too_few", "pending": "similar"}
"""A status → the band code whose colour shows it."""

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
    "web.plan.target.level": ("{year} 年达到 {value}", "{value} by {year}"),
    "web.plan.target.step": ("每年 {sign}{step}", "{sign}{step} a year"),
    "web.plan.target.hold_up": ("每年 ≥ {value}", "≥ {value} every year"),
    "web.plan.target.hold_down": ("每年 ≤ {value}", "≤ {value} every year"),
    "web.plan.target.rising": ("逐年提高", "rising every year"),
    "web.plan.target.band": ("保持在 {low}–{high}", "within {low}–{high}"),
})


def _num(x: Any, decimals: int) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return "–"
    return f"{float(x):.{decimals}f}"


def target_text(ind: Indicator, t: Any) -> str:
    """The indicator's target in words (web.plan.target.* messages)."""
    g = ind.target

    def n(x: float | None) -> str:
        return "–" if x is None else f"{x:g}"

    if g.kind == "level":
        return str(t("web.plan.target.level", value=n(g.value), year=g.year))
    if g.kind == "step":
        step = float(g.step or 0.0)
        return str(t("web.plan.target.step", sign="+" if step >= 0 else "−", step=n(abs(step))))
    if g.kind == "hold":
        return str(t(f"web.plan.target.hold_{g.direction}", value=n(g.value)))
    if g.kind == "band":
        return str(t("web.plan.target.band", low=n(g.low), high=n(g.high)))
    return str(t("web.plan.target.rising"))


def _rows(ctx: Ctx, status: PlanStatus, values: pd.DataFrame) -> pd.DataFrame:
    t = ctx.t
    inds = {i.code: i for i in status.plan.indicators}
    rows = []
    for r in values.to_dict("records"):
        ind = inds[str(r["indicator"])]
        d = ind.decimals if ind.decimals is not None else 1
        rows.append({
            "indicator": str(ind.name.get(ctx.lang)), "year": str(int(r["year"])),
            "value": _num(r["value"], d), "unit": ind.unit,
            "interval": "" if pd.isna(r["low"]) else
            f"{_num(r['low'], d)}–{_num(r['high'], d)}",
            "expected": _num(r["expected"], d), "target": target_text(ind, t),
            "status": t(f"trajectory.{r['status']}"),
            "status_code": STATUS_BAND.get(str(r["status"]), "too_few")})
    return pd.DataFrame(rows, columns=["indicator", "year", "value", "unit", "interval",
                                       "expected", "target", "status", "status_code"])


def _columns(ctx: Ctx) -> list[Column]:
    t = ctx.t
    return [Column("indicator", t("web.plan.indicator")), Column("year", t("web.plan.year")),
            Column("value", t("web.plan.value")), Column("unit", t("web.plan.unit")),
            Column("interval", t("web.plan.interval")),
            Column("expected", t("web.plan.expected")), Column("target", t("web.plan.target")),
            Column("status", t("web.plan.status"), band_key="status_code")]


def _goals(ctx: Ctx, status: PlanStatus) -> Section:
    t = ctx.t
    names = unit_names(ctx.db)["school"]
    goals = {g.code: g for g in status.plan.goals}
    latest = status.goals.sort_values("year").groupby("goal").tail(1) if not \
        status.goals.empty else status.goals
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
                Table("", _columns(ctx), _rows(ctx, status, every))),
        _goals(ctx, status),
    ]
