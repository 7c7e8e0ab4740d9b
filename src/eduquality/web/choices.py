"""选科 pages of the 新高考 3+1+2 (issue 15 §2; :mod:`eduquality.analysis.choices`):

- ``/choices/{exam}`` (bureau roles): the combinations (物化生 …) by school at a 3+1+2 exam, the
  district's combinations over the school years (the recorded choices), and the results (750
  total, 赋分 included) by combination;
- ``/choices/{exam}/schools/{code}`` (the bureau, and the school's own roles that see its
  aggregates: :func:`eduquality.web.assessment.may_see_school`): the school's combinations by
  class and by gender, and its results by combination.

The analysis is the reader's (``Ctx.analysis``: cut to the scope, small units withheld by the
rule of the CLI's ``eduquality choices``, ``min_unit_n``); the tables are computed by the
analysis module, the page only labels them. A withheld unit keeps its row, its numbers blank
and marked. Another school's page, like an unknown one, answers 404 (the refusal audited); every
view is written to the audit log.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from eduquality.analysis.choices import (
    choices_over_years,
    exam_choice_tables,
    school_choice_tables,
)
from eduquality.errors import PermissionDenied
from eduquality.i18n import register, tr
from eduquality.measures.subject_choice import combination_label
from eduquality.reports.model import Section
from eduquality.results import ExamAnalysis
from eduquality.vocab import GENDER
from eduquality.web.assessment import may_see_school
from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import Ctx
from eduquality.web.forms import off_loop
from eduquality.web.pages import Page, frame_table, page, section

__all__ = ["district_choices_page", "school_choices_page"]

MESSAGES = register({
    "web.choices.title": ("选科 · {exam}", "Subject choices · {exam}"),
    "web.choices.school_title": ("选科 · {school} · {exam}", "Subject choices · {school} · {exam}"),
    "web.choices.by_school": ("各校选科组合", "Combinations by school"),
    "web.choices.by_year": ("全区历年选科组合（学生选科记录）",
                            "District combinations by school year (recorded choices)"),
    "web.choices.by_class": ("各班选科组合", "Combinations by class"),
    "web.choices.by_gender": ("选科组合（按性别）", "Combinations by gender"),
    "web.choices.results": ("各组合成绩（总分 750，含赋分）", "Results by combination (750 total)"),
    "web.choices.unit": ("单位", "Unit"), "web.choices.combination": ("组合", "Combination"),
    "web.choices.n": ("人数", "Students"), "web.choices.n_unit": ("单位人数", "In unit"),
    "web.choices.share": ("占比", "Share"), "web.choices.mean": ("平均分", "Mean"),
    "web.choices.sd": ("标准差", "SD"), "web.choices.median": ("中位数", "Median"),
    "web.choices.flag": ("说明", "Note"),
    "web.choices.withheld": ("人数过少，不显示", "withheld (too few)"),
    "web.choices.all": ("全部", "All"), "web.choices.district": ("全区", "District"),
    "web.choices.school": ("全校", "Whole school"),
    "web.choices.notes": (
        "选科由学生在本次考试所考科目得出（语数外 + 物理或历史 + 两门再选）；历年表据学生选科记录（每学年高二、高三"
        "学生）。人数少于 {n} 的单位不显示，并隐去可据以推算的单位。内部资料，不作排名。",
        "A student's combination is read from the papers sat at this exam (Chinese, maths, "
        "a foreign language, physics or history, two re-selected subjects); the table by year "
        "from the recorded choices (高二 and 高三 students of each year). Units with fewer "
        "than {n} students are withheld, with those they could be derived from. Internal; "
        "not a ranking."),
})


def _label(code: Any, lang: str) -> str:
    return combination_label(str(code), lang) if code != "all" else tr("web.choices.all", lang)


def _shares(ctx: Ctx, frame: pd.DataFrame, unit: Any) -> Any:
    """The shares table: the unit of each row labelled by ``unit(row)``."""
    t = ctx.t
    out = pd.DataFrame({
        "unit": [unit(r) for r in frame.to_dict("records")],
        "combination": [_label(c, ctx.lang) for c in frame["combination"]],
        "n": frame["n"], "n_unit": frame["n_unit"], "share": frame["share"],
        "flag": [t("web.choices.withheld") if w else "" for w in frame["withheld"]]})
    return frame_table(out, [("unit", t("web.choices.unit"), "text"),
                             ("combination", t("web.choices.combination"), "text"),
                             ("n", t("web.choices.n"), "int"),
                             ("n_unit", t("web.choices.n_unit"), "int"),
                             ("share", t("web.choices.share"), "pct"),
                             ("flag", t("web.choices.flag"), "text")])


def _results(ctx: Ctx, frame: pd.DataFrame) -> Any:
    t = ctx.t
    out = pd.DataFrame({
        "combination": [_label(c, ctx.lang) for c in frame["combination"]],
        "n": frame["n"], "mean": frame["mean"], "sd": frame["sd"], "median": frame["median"],
        "flag": [t("web.choices.withheld") if w else "" for w in frame["withheld"]]})
    return frame_table(out, [("combination", t("web.choices.combination"), "text"),
                             ("n", t("web.choices.n"), "int"),
                             ("mean", t("web.choices.mean"), "num1"),
                             ("sd", t("web.choices.sd"), "num1"),
                             ("median", t("web.choices.median"), "num1"),
                             ("flag", t("web.choices.flag"), "text")])


def _name(names: dict[str, str], code: Any) -> str:
    return names.get(str(code), str(code))


async def district_choices_page(ctx: Ctx, a: ExamAnalysis) -> Page:
    """The district's 选科 page of exam ``a`` (bureau roles; PermissionDenied for others)."""
    if not is_bureau(ctx.scope):
        raise PermissionDenied(tr("access.denied", ctx.lang, what="choices"))
    t, lang, min_n = ctx.t, ctx.lang, ctx.settings.min_unit_n
    tables = exam_choice_tables(ctx.db, a, "school", min_n)
    years = await off_loop(ctx.db, choices_over_years, min_n, lang=lang)
    schools = a.names.get("school", {})
    district = t("web.choices.district")
    sections: list[Section] = [
        section(t("web.choices.by_school"), _shares(
            ctx, tables["shares"], lambda r: district if r["level"] == 0
            else _name(schools, r["school_code"]))),
        section(t("web.choices.by_year"), _shares(
            ctx, years, lambda r: t("web.choices.all") if r["level"] == 0
            else str(r["year_code"]))),
        section(t("web.choices.results"), _results(ctx, tables["results"]))]
    exam = a.exam.exam_id
    return page(lang, t("web.choices.title", exam=a.exam.name), sections,
                notes=[t("web.choices.notes", n=min_n)], internal=True,
                crumbs=[(t("web.nav.home"), "/")], export_name=f"choices-{exam}",
                audit_object=f"choices/{exam}", student_level=True)


def school_choices_page(ctx: Ctx, a: ExamAnalysis, school_code: str) -> Page:
    """A school's 选科 page (its own roles, the bureau; PermissionDenied for others,
    NotFoundError for no such school)."""
    from eduquality.store.scoped import require_school

    require_school(ctx.db, ctx.scope, school_code)
    if not may_see_school(ctx.scope, school_code):
        raise PermissionDenied(tr("access.denied", ctx.lang, what=school_code))
    t, lang, min_n = ctx.t, ctx.lang, ctx.settings.min_unit_n
    tables = school_choice_tables(ctx.db, a, school_code, min_n)
    classes = a.names.get("class", {})
    whole = t("web.choices.school")
    sections = [
        section(t("web.choices.by_class"), _shares(
            ctx, tables["classes"], lambda r: whole if r["level"] == 0
            else _name(classes, r["class_id"]))),
        section(t("web.choices.by_gender"), _shares(
            ctx, tables["gender"], lambda r: whole if r["level"] == 0
            else GENDER.label(str(r["gender"]), lang) if r["gender"] in GENDER.terms
            else "–")),
        section(t("web.choices.results"), _results(ctx, tables["results"]))]
    exam = a.exam.exam_id
    school = a.names.get("school", {}).get(school_code, school_code)
    crumbs = [(t("web.nav.home"), "/")]
    if is_bureau(ctx.scope):
        crumbs.append((t("web.choices.title", exam=a.exam.name), f"/choices/{exam}"))
    return page(lang, t("web.choices.school_title", school=school, exam=a.exam.name), sections,
                notes=[t("web.choices.notes", n=min_n)], internal=True, crumbs=crumbs,
                export_name=f"choices-{exam}-{school_code}",
                audit_object=f"choices/{exam}/schools/{school_code}", student_level=True)
