"""The annual school assessment's pages (年度目标考核, :mod:`eduquality.analysis.assessment`).

- the district's page (bureau roles): per school kind, every school's total with its 95 %
  interval, its band (schools whose difference lies within the uncertainty share a band and
  are marked tied, never ranked apart) and the points of every component;
- a school's sheet (the bureau's roles, and a school's own roles for their school only; any
  other school answers 404): its total, band, each component's weight, score, SE, points or
  why it is absent, and the evidence behind every point.

Weights and scales are the settings' (``[assessment]``, changed on the admin page with their
audit); the goals are those of the settings' plan (``[plan] file``). Internal documents: no
published league table (GLOSSARY, rules on publishing).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from eduquality.analysis.assessment import Assessment, assess
from eduquality.config import ASSESSMENT_KINDS
from eduquality.errors import NotFoundError, PermissionDenied
from eduquality.i18n import has, register, tr
from eduquality.ingest.planfile import load_plan
from eduquality.reports.model import Column, Section, Table
from eduquality.store.policy import Scope
from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import Ctx
from eduquality.web.forms import off_loop
from eduquality.web.pages import HREF, Page, page, section

NO_DIFFERENCE = "valueadded.band.no_difference"
"""The evidence note of a value-added estimate from a fit on τ² = 0."""

__all__ = ["assessment_page", "load_assessment", "may_see_school", "require_district",
           "require_school", "school_sheet_page"]

MESSAGES = register({
    "web.assess.title": ("{year} 学年年度目标考核", "Annual school assessment {year}"),
    "web.assess.sheet": ("{school} · {year} 学年年度目标考核", "{school} · assessment {year}"),
    "web.assess.band": ("档次", "Band"),
    "web.assess.band_label": ("第 {band} 档", "band {band}"),
    "web.assess.tied": ("（并列）", " (tied)"),
    "web.assess.school": ("学校", "School"),
    "web.assess.total": ("总分", "Total"),
    "web.assess.interval": ("95% 区间", "95 % interval"),
    "web.assess.component": ("考核项目", "Component"),
    "web.assess.weight": ("权重", "Weight"),
    "web.assess.score": ("得分率", "Score (0–1)"),
    "web.assess.se": ("标准误", "SE"),
    "web.assess.points": ("得分", "Points"),
    "web.assess.state": ("状态", "State"),
    "web.assess.reason": ("说明", "Why"),
    "web.assess.components": ("各项得分", "Components"),
    "web.assess.evidence": ("依据", "Evidence"),
    "web.assess.item": ("项目", "Item"),
    "web.assess.value": ("数值", "Value"),
    "web.assess.n": ("人数 / 基数", "n"),
    "web.assess.note": ("说明", "Note"),
    "web.assess.summary": ("总分与档次", "Total and band"),
    "web.assess.none": ("无可计分数据", "nothing to score"),
    "web.assess.notes": ("内部资料，不公开排名。总分 = 100 × Σ 权重 × 得分率 / Σ 权重（无数据的项目不计，"
                         "其余权重重新归一）；区间为 ±1.96 标准误。两校之差在 1.96 倍合成标准误之内即为同一档（并列），"
                         "不区分先后。增值依据区级考试的多层模型增值（效应量），从不只看平均分。",
                         "Internal; not a published ranking. Total = 100 × Σ weight × score / "
                         "Σ weight (components without data are left out and the other weights "
                         "renormalised); interval ±1.96 SE. Schools whose difference lies within "
                         "1.96 combined SE share a band (tied) and are not told apart. "
                         "Value-added from the district exams' multilevel estimates (effect "
                         "sizes), never raw averages alone."),
})


def may_see_school(scope: Scope, school_code: str) -> bool:
    """Whether the scope sees ``school_code``'s aggregates: bureau roles every school, a
    school's roles their own (not teachers' or parents' narrower scopes)."""
    if "school" not in scope.levels:
        return False
    limits = scope.filter("school").restrictions()
    if set(limits) - {"school_code"}:
        return False
    return school_code in limits.get("school_code", frozenset({school_code}))


def require_district(ctx: Ctx) -> None:
    """PermissionDenied unless a bureau role (the district's page)."""
    if not is_bureau(ctx.scope):
        raise PermissionDenied(tr("access.denied", ctx.lang, what="assessment"))


def require_school(ctx: Ctx, school_code: str) -> None:
    """PermissionDenied unless the scope sees the school (:func:`may_see_school`)."""
    if not may_see_school(ctx.scope, school_code):
        raise PermissionDenied(tr("access.denied", ctx.lang, what=school_code))


async def load_assessment(ctx: Ctx, year: int) -> Assessment:
    """The year's assessment with the settings' weights and plan, computed in a worker thread
    (value-added of every exam and subject takes a while)."""
    plan = load_plan(ctx.settings.plan.file, ctx.lang)
    return await off_loop(ctx.db, assess, year, ctx.settings, plan, lang=ctx.lang)


def _num(x: Any, fmt: str = ".1f") -> str:
    return "–" if x is None or pd.isna(x) or (isinstance(x, float) and math.isnan(x)) \
        else format(float(x), fmt)


def _band(ctx: Ctx, row: dict) -> str:
    if pd.isna(row["band"]):
        return str(ctx.t("web.assess.none"))
    return str(ctx.t("web.assess.band_label", band=int(row["band"]))) + (
        str(ctx.t("web.assess.tied")) if bool(row["tied"]) else "")


def _text(key: object, lang: str) -> str:
    return tr(str(key), lang) if isinstance(key, str) and key and has(key) else str(key or "")


def assessment_page(ctx: Ctx, result: Assessment) -> Page:
    """The district's page (bureau roles; PermissionDenied for any other)."""
    require_district(ctx)
    t, lang, year = ctx.t, ctx.lang, result.year
    comps = result.components.pivot(index="school_code", columns="component", values="points")
    sections: list[Section] = []
    for kind in ASSESSMENT_KINDS:
        schools = result.schools[result.schools["kind"] == kind]
        if schools.empty:
            continue
        rows = []
        for r in schools.to_dict("records"):
            code = str(r["school_code"])
            rows.append({"band": _band(ctx, r), "school": r["name"],
                         HREF: f"/assessment/{year}/schools/{code}",
                         "total": _num(r["total"]),
                         "interval": "" if pd.isna(r["se"]) else
                         f"{_num(r['low'])}–{_num(r['high'])}",
                         **{c: _num(comps.loc[code, c]) for c in comps.columns}})
        cols = [Column("school", t("web.assess.school"), link_key=HREF),
                Column("band", t("web.assess.band")), Column("total", t("web.assess.total")),
                Column("interval", t("web.assess.interval")),
                *[Column(c, t(f"assessment.component.{c}")) for c in comps.columns]]
        frame = pd.DataFrame(rows, columns=[*(c.key for c in cols), HREF])
        sections.append(section(t(f"assessment.kind.{kind}"), Table("", cols, frame)))
    return page(lang, t("web.assess.title", year=year), sections, notes=[t("web.assess.notes")],
                internal=True, crumbs=[(t("web.nav.home"), "/")],
                export_name=f"assessment-{year}", audit_object=f"assessment {year}")


def school_sheet_page(ctx: Ctx, result: Assessment, school_code: str) -> Page:
    """One school's sheet (PermissionDenied outside the scope, NotFoundError for no school)."""
    require_school(ctx, school_code)
    t, lang, year = ctx.t, ctx.lang, result.year
    try:
        row, comps, evidence = result.sheet(school_code)
    except KeyError:
        raise NotFoundError(school_code) from None
    r = row.to_dict()
    summary = pd.DataFrame([{"school": r["name"], "band": _band(ctx, r), "total": _num(r["total"]),
                             "interval": "" if pd.isna(r["se"]) else
                             f"{_num(r['low'])}–{_num(r['high'])}"}])
    summary_table = Table("", [Column("school", t("web.assess.school")),
                               Column("band", t("web.assess.band")),
                               Column("total", t("web.assess.total")),
                               Column("interval", t("web.assess.interval"))], summary)
    crows = [{"component": t(f"assessment.component.{c['component']}"),
              "weight": _num(c["weight"], "g"), "score": _num(c["score"], ".3f"),
              "se": _num(c["se"], ".3f"), "points": _num(c["points"]),
              "state": t(f"assessment.state.{c['state']}"),
              "reason": _text(c["reason"], lang)} for c in comps.to_dict("records")]
    ctable = Table("", [Column(k, t(f"web.assess.{k}")) for k in
                        ("component", "weight", "score", "se", "points", "state", "reason")],
                   pd.DataFrame(crows, columns=["component", "weight", "score", "se", "points",
                                                "state", "reason"]))
    erows = [{"component": t(f"assessment.component.{e['component']}"),
              "item": _text(e["item"], lang),
              # τ² = 0: the note says there is no detectable difference, not 0.00 (0.00–0.00)
              "value": "" if e["note"] == NO_DIFFERENCE else _num(e["value"], ".2f"),
              "interval": "" if pd.isna(e["low"]) or e["note"] == NO_DIFFERENCE else
              f"{_num(e['low'], '.2f')}–{_num(e['high'], '.2f')}",
              "n": "" if pd.isna(e["n"]) else str(int(e["n"])),
              "note": _text(e["note"], lang)} for e in evidence.to_dict("records")]
    etable = Table("", [Column("component", t("web.assess.component")),
                        Column("item", t("web.assess.item")),
                        Column("value", t("web.assess.value")),
                        Column("interval", t("web.assess.interval")),
                        Column("n", t("web.assess.n")), Column("note", t("web.assess.note"))],
                   pd.DataFrame(erows, columns=["component", "item", "value", "interval", "n",
                                                "note"]))
    sections = [section(t("web.assess.summary"), summary_table),
                section(t("web.assess.components"), ctable),
                section(t("web.assess.evidence"), etable)]
    crumbs = [(t("web.nav.home"), "/")]
    if is_bureau(ctx.scope):
        crumbs.append((t("web.assess.title", year=year), f"/assessment/{year}"))
    return page(lang, t("web.assess.sheet", school=r["name"], year=year), sections,
                notes=[t("web.assess.notes")], internal=True, crumbs=crumbs,
                export_name=f"assessment-{year}-{school_code}",
                audit_object=f"assessment {year} {school_code}")
