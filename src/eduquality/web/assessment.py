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
from eduquality.i18n import register, tr
from eduquality.ingest.planfile import load_plan
from eduquality.reports.annual import band_text, sheet_sections
from eduquality.reports.model import Column, Section, Table
from eduquality.store.policy import Scope
from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import Ctx
from eduquality.web.forms import off_loop
from eduquality.web.pages import HREF, Page, page, section

__all__ = ["assessment_page", "load_assessment", "may_see_school", "require_district",
           "require_school", "school_sheet_page"]

MESSAGES = register({
    "web.assess.title": ("{year} 学年年度目标考核", "Annual school assessment {year}"),
    "web.assess.sheet": ("{school} · {year} 学年年度目标考核", "{school} · assessment {year}"),
    "web.assess.band": ("档次", "Band"),
    "web.assess.school": ("学校", "School"),
    "web.assess.total": ("总分", "Total"),
    "web.assess.interval": ("95% 区间", "95 % interval"),
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
            rows.append({"band": band_text(r, lang), "school": r["name"],
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
    """One school's sheet (PermissionDenied outside the scope, NotFoundError for no school):
    the annual report's sheet (:func:`eduquality.reports.annual.sheet_sections`)."""
    require_school(ctx, school_code)
    t, lang, year = ctx.t, ctx.lang, result.year
    frames = {"schools": result.schools, "components": result.components,
              "evidence": result.evidence}
    try:
        name, sections = sheet_sections(frames, school_code, lang)
    except KeyError:
        raise NotFoundError(school_code) from None
    crumbs = [(t("web.nav.home"), "/")]
    if is_bureau(ctx.scope):
        crumbs.append((t("web.assess.title", year=year), f"/assessment/{year}"))
    return page(lang, t("web.assess.sheet", school=name, year=year), sections,
                notes=[t("web.assess.notes")], internal=True, crumbs=crumbs,
                export_name=f"assessment-{year}-{school_code}",
                audit_object=f"assessment {year} {school_code}")
