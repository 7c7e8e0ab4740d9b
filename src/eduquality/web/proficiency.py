"""合格考 pages (普通高中学业水平合格性考试, issue 15 §1; :mod:`eduquality.analysis.proficiency`):

- ``/proficiency`` (bureau roles): 合格率 at each sitting (all takers, first attempts, 补考),
  一次合格率 / 合格率 after the 补考 by first sitting, and 全科合格率 by cohort, for the district
  and every school;
- ``/proficiency/schools/{code}`` (the bureau, and the school's own roles that see its
  aggregates: :func:`eduquality.web.assessment.may_see_school`): the same for the school, beside
  the district's rows;
- ``/proficiency/schools/{code}/at-risk`` (roles that see students of the school: the bureau's
  researchers, its principal, its teachers — their own classes only): the students with a
  subject still to pass (:func:`eduquality.analysis.proficiency.at_risk_students`, cut to the
  reader's student scope there, IDs masked).

The tables are the analysis module's (cut to the reader's scope, small schools withheld at
``min_unit_n`` with their complement, the CLI's ``eduquality proficiency rates``); the page only
labels them. Another school's page, like an unknown one, answers 404 (the refusal audited);
every view is written to the audit log.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from eduquality.analysis.proficiency import TABLES, at_risk_students, proficiency_tables
from eduquality.errors import PermissionDenied
from eduquality.i18n import register, tr
from eduquality.reports.proficiency import at_risk_table, proficiency_table
from eduquality.store.units import school_names
from eduquality.web.assessment import may_see_school
from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import Ctx
from eduquality.web.forms import off_loop
from eduquality.web.pages import Page, page, section

__all__ = ["district_proficiency_page", "school_at_risk_page", "school_proficiency_page"]

MESSAGES = register({
    "web.proficiency.title": ("学业水平合格性考试", "Proficiency tests (合格考)"),
    "web.proficiency.school_title": ("学业水平合格性考试 · {school}",
                                     "Proficiency tests (合格考) · {school}"),
    "web.proficiency.none": ("尚无合格考成绩", "No 合格考 results on record"),
    "web.proficiency.at_risk_title": ("需补考学生 · {school}", "补考 due · {school}"),
    "web.proficiency.at_risk_none": ("没有尚未合格的科目（在可查看的范围内）",
                                     "No subject still to pass (within what you may see)"),
    "web.proficiency.view": ("查看", "Show"),
    "web.proficiency.rates_link": ("合格率", "Pass rates"),
    "web.proficiency.at_risk_link": ("需补考学生", "补考 due"),
    "web.proficiency.notes": (
        "合格率 = 合格人数 / 参考人数；一次合格率 = 首考即合格的学生 / 该批次首考的学生；补考后合格率 = "
        "其中至今已合格的学生。学校按考试所在学年的班级计。全科合格率 = 本年级规定的合格考科目均已合格"
        "（每科取最好成绩，含补考）的学生 / 该年级已参加过合格考的学生，学校按学生现在的班级计；高一、高二"
        "尚未考完全部科目。人数少于 {n} 的学校不显示，并隐去可据以推算的学校。内部资料，不作排名。",
        "Pass rate = passed / takers; first-attempt pass rate = students who passed at their "
        "first attempt / students whose first attempt it was; after the 补考: those of them who "
        "have passed by now. A student counts at the school of the class in the sitting's "
        "school year. All-subject pass rate = students who have passed every 合格考 subject "
        "of their cohort (best result per subject, 补考 counted) / the cohort's students who "
        "have sat any, at the student's current school; cohorts in 高一 and 高二 have not sat "
        "every subject yet. Schools with fewer than {n} students are withheld, with those they "
        "could be derived from. Internal; not a ranking."),
})


async def _page(ctx: Ctx, title: str, school: str | None, **links: Any) -> Page:
    min_n = ctx.settings.min_unit_n

    def load(db: Any) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        return proficiency_tables(db, ctx.scope, min_n, school), school_names(db)

    tables, names = await off_loop(ctx.db, load, lang=ctx.lang)
    t = ctx.t
    sections = []
    for name in TABLES:
        table = proficiency_table(name, tables[name], ctx.lang, names)
        sections.append(section(table.title, table))
    notes = [t("web.proficiency.notes", n=min_n)]
    if all(tab.empty for tab in tables.values()):
        notes.insert(0, t("web.proficiency.none"))
    return page(ctx.lang, title, sections, notes=notes, internal=True, student_level=True,
                **links)


async def district_proficiency_page(ctx: Ctx) -> Page:
    """The district's 合格考 page (bureau roles; PermissionDenied for others)."""
    if not is_bureau(ctx.scope):
        raise PermissionDenied(tr("access.denied", ctx.lang, what="proficiency"))
    return await _page(ctx, ctx.t("web.proficiency.title"), None,
                       crumbs=[(ctx.t("web.nav.home"), "/")], export_name="proficiency",
                       audit_object="proficiency")


async def school_proficiency_page(ctx: Ctx, school_code: str) -> Page:
    """A school's 合格考 page (its own roles, the bureau; PermissionDenied for others,
    NotFoundError for no such school)."""
    from eduquality.store.scoped import require_school

    require_school(ctx.db, ctx.scope, school_code)
    if not may_see_school(ctx.scope, school_code):
        raise PermissionDenied(tr("access.denied", ctx.lang, what=school_code))
    name = school_names(ctx.db).get(school_code, school_code)
    return await _page(ctx, ctx.t("web.proficiency.school_title", school=name), school_code,
                       crumbs=_crumbs(ctx), export_name=f"proficiency-{school_code}",
                       audit_object=f"proficiency/schools/{school_code}",
                       **_views(ctx, school_code, at_risk=False))


def _crumbs(ctx: Ctx) -> list[tuple[str, str]]:
    crumbs = [(ctx.t("web.nav.home"), "/")]
    if is_bureau(ctx.scope):
        crumbs.append((ctx.t("web.proficiency.title"), "/proficiency"))
    return crumbs


def _views(ctx: Ctx, school_code: str, at_risk: bool) -> dict[str, Any]:
    """Links between a school's rates and its students at risk, for readers who see
    students."""
    if not ctx.scope.sees("student"):
        return {}
    path = f"/proficiency/schools/{school_code}"
    return {"choices": [(ctx.t("web.proficiency.rates_link"), path, not at_risk),
                        (ctx.t("web.proficiency.at_risk_link"), f"{path}/at-risk", at_risk)],
            "choice_label": ctx.t("web.proficiency.view")}


async def school_at_risk_page(ctx: Ctx, school_code: str) -> Page:
    """The students of ``school_code`` with a subject still to pass, as the reader may see them
    (module docstring): NotFoundError for no such school, PermissionDenied for a reader who
    sees no student of it."""
    from eduquality.store.scoped import require_school

    require_school(ctx.db, ctx.scope, school_code)
    if not ctx.scope.sees("student"):
        raise PermissionDenied(tr("access.denied", ctx.lang, what=school_code))

    def load(db: Any) -> tuple[pd.DataFrame, dict[str, str]]:
        return at_risk_students(db, ctx.scope, school_code), school_names(db)

    students, names = await off_loop(ctx.db, load, lang=ctx.lang)
    table = at_risk_table(students, ctx.lang, names,
                          masked=not ctx.scope.can("full_national_id"))
    notes = [ctx.t("web.proficiency.at_risk_none")] if students.empty else []
    name = names.get(school_code, school_code)
    return page(ctx.lang, ctx.t("web.proficiency.at_risk_title", school=name),
                [section(table.title, table, note=table.note)], notes=notes, internal=True,
                student_level=True, crumbs=_crumbs(ctx),
                export_name=f"proficiency-at-risk-{school_code}",
                audit_object=f"proficiency/schools/{school_code}/at-risk",
                **_views(ctx, school_code, at_risk=True))
