"""合格考 pages (普通高中学业水平合格性考试, issue 15 §1; :mod:`eduquality.analysis.proficiency`):

- ``/proficiency`` (bureau roles): 合格率 at each sitting (all takers, first attempts, 补考) and
  一次合格率 / 合格率 after the 补考 by first sitting, for the district and every school;
- ``/proficiency/schools/{code}`` (the bureau, and the school's own roles that see its
  aggregates: :func:`eduquality.web.assessment.may_see_school`): the same for the school, beside
  the district's rows.

The tables are the analysis module's (cut to the reader's scope, small schools withheld at
``min_unit_n`` with their complement, the CLI's ``eduquality proficiency rates``); the page only
labels them. Another school's page, like an unknown one, answers 404 (the refusal audited);
every view is written to the audit log.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from eduquality.analysis.proficiency import labelled, proficiency_tables
from eduquality.errors import PermissionDenied
from eduquality.i18n import register, tr
from eduquality.store.units import school_names
from eduquality.web.assessment import may_see_school
from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import Ctx
from eduquality.web.forms import off_loop
from eduquality.web.pages import Page, frame_table, page, section

__all__ = ["district_proficiency_page", "school_proficiency_page"]

MESSAGES = register({
    "web.proficiency.title": ("学业水平合格性考试", "Proficiency tests (合格考)"),
    "web.proficiency.school_title": ("学业水平合格性考试 · {school}",
                                     "Proficiency tests (合格考) · {school}"),
    "web.proficiency.sittings": ("各批次合格率", "Pass rates at each sitting"),
    "web.proficiency.first_sittings": ("一次合格率与补考后合格率（按首考批次）",
                                       "First-attempt pass rates and pass rates after the "
                                       "补考 (by first sitting)"),
    "web.proficiency.sitting": ("考试批次", "Sitting"),
    "web.proficiency.first_sitting": ("首考批次", "First sitting"),
    "web.proficiency.subject": ("科目", "Subject"), "web.proficiency.unit": ("单位", "Unit"),
    "web.proficiency.n_takers": ("参考人数", "Takers"),
    "web.proficiency.n_passed": ("合格人数", "Passed"),
    "web.proficiency.rate": ("合格率", "Pass rate"),
    "web.proficiency.n_first": ("首考人数", "First attempts"),
    "web.proficiency.rate_first": ("首考合格率", "First-attempt pass rate"),
    "web.proficiency.n_retake": ("补考人数", "补考 takers"),
    "web.proficiency.n_retake_passed": ("补考合格人数", "补考 passed"),
    "web.proficiency.rate_retake": ("补考合格率", "补考 pass rate"),
    "web.proficiency.n_students": ("首考学生数", "Students"),
    "web.proficiency.n_first_passed": ("一次合格人数", "Passed at once"),
    "web.proficiency.once": ("一次合格率", "First-attempt pass rate"),
    "web.proficiency.eventual": ("补考后合格率", "Pass rate after 补考"),
    "web.proficiency.n_not_passed": ("仍未合格", "Not yet passed"),
    "web.proficiency.flag": ("说明", "Note"),
    "web.proficiency.withheld": ("人数过少，不显示", "withheld (too few)"),
    "web.proficiency.none": ("尚无合格考成绩", "No 合格考 results on record"),
    "web.proficiency.notes": (
        "合格率 = 合格人数 / 参考人数；一次合格率 = 首考即合格的学生 / 该批次首考的学生；补考后合格率 = "
        "其中至今已合格的学生。学校按考试所在学年的班级计。人数少于 {n} 的学校不显示，并隐去可据以推算的"
        "学校。内部资料，不作排名。",
        "Pass rate = passed / takers; first-attempt pass rate = students who passed at their "
        "first attempt / students whose first attempt it was; after the 补考: those of them who "
        "have passed by now. A student counts at the school of the class in the sitting's "
        "school year. Schools with fewer than {n} students are withheld, with those they "
        "could be derived from. Internal; not a ranking."),
})

_SITTINGS = ("n_takers", "n_passed", "rate", "n_first", "rate_first", "n_retake",
             "n_retake_passed", "rate_retake")
_FIRST = (("n_students", "n_students"), ("n_first_passed", "n_first_passed"),
          ("rate_first", "once"), ("n_passed", "n_passed"), ("rate", "eventual"),
          ("n_not_passed", "n_not_passed"))


def _table(ctx: Ctx, frame: pd.DataFrame, first: bool) -> Any:
    t = ctx.t
    out = frame.assign(flag=[t("web.proficiency.withheld") if w else ""
                             for w in frame["withheld"]])
    numbers = _FIRST if first else tuple((c, c) for c in _SITTINGS)
    cols = [("sitting", t("web.proficiency.first_sitting" if first
                          else "web.proficiency.sitting"), "text"),
            ("subject", t("web.proficiency.subject"), "text"),
            ("unit", t("web.proficiency.unit"), "text")]
    cols += [(c, t(f"web.proficiency.{label}"), "pct" if c.startswith("rate") else "int")
             for c, label in numbers]
    return frame_table(out, [*cols, ("flag", t("web.proficiency.flag"), "text")])


async def _page(ctx: Ctx, title: str, school: str | None, **links: Any) -> Page:
    min_n = ctx.settings.min_unit_n

    def load(db: Any) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        return proficiency_tables(db, ctx.scope, min_n, school), school_names(db)

    tables, names = await off_loop(ctx.db, load, lang=ctx.lang)
    t = ctx.t
    sections = [section(t(f"web.proficiency.{name}"),
                        _table(ctx, labelled(tables[name], names, ctx.lang),
                               name == "first_sittings"))
                for name in ("sittings", "first_sittings")]
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
    crumbs = [(ctx.t("web.nav.home"), "/")]
    if is_bureau(ctx.scope):
        crumbs.append((ctx.t("web.proficiency.title"), "/proficiency"))
    return await _page(ctx, ctx.t("web.proficiency.school_title", school=name), school_code,
                       crumbs=crumbs, export_name=f"proficiency-{school_code}",
                       audit_object=f"proficiency/schools/{school_code}")
