"""The programmes' pages (issue 14 §1, §4; :mod:`eduquality.analysis.programmes`,
:mod:`eduquality.analysis.special_groups`).

- ``/programmes/{year}/studios`` (bureau roles): every studio's yearly performance (value-added
  as an effect size with its 95 % interval, activities, mentoring coverage against 10/100/1,000)
  and the coverage by subject and by school;
- ``/programmes/{year}/studios/{studio}``: one studio — for the bureau, and for a teacher who
  hosts it or is one of its members that year (any other answers 404, audited as denied);
- ``/programmes/partners`` (bureau roles): partner schools' difference-in-differences;
- ``/programmes/{year}/groups``: special groups' support and gaps, for roles that may see group
  membership (policy action ``view_group_membership``), their schools only; small units
  withheld.

Every view of a studio's page and of the groups' page is written to the audit log (as pages
about students are), besides the downloads of every page.

Internal documents: value-added and gaps for improvement and 奖补 evidence, never a ranking or a
reward from raw 升学率.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from eduquality.analysis.programmes import (
    Mentoring,
    PartnerEffects,
    StudioPerformance,
    mentoring_coverage,
    partner_effects,
    studio_performance,
)
from eduquality.analysis.special_groups import DISTRICT, SpecialGroups, special_groups
from eduquality.errors import NotFoundError, PermissionDenied
from eduquality.i18n import register, tr
from eduquality.measures.programmes import TREE_TARGETS
from eduquality.reports.labels import text
from eduquality.reports.model import Column, Section, Table
from eduquality.store.policy import require_action
from eduquality.vocab import PARTNERSHIP_KINDS, PROGRAMME_LEVELS, STUDIO_KINDS, SUBJECTS
from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import Ctx
from eduquality.web.forms import off_loop
from eduquality.web.pages import HREF, Page, page, section

__all__ = ["groups_page", "load_groups", "load_partners", "load_studios", "partners_page",
           "require_district", "studio_page", "studios_page"]

MESSAGES = register({
    "web.prog.studios_title": ("{year} 学年名师工作室与名校长基地", "Studios {year}"),
    "web.prog.studio_title": ("{name} · {year} 学年", "{name} · {year}"),
    "web.prog.partners_title": ("结对学校前后对比", "Partner schools before and after"),
    "web.prog.groups_title": ("{year} 学年特殊群体资助与差距", "Special groups {year}"),
    "web.prog.studio": ("工作室", "Studio"), "web.prog.kind": ("类型", "Type"),
    "web.prog.level": ("级别", "Level"), "web.prog.subject": ("学科", "Subject"),
    "web.prog.host": ("主持人", "Host"), "web.prog.members": ("成员", "Members"),
    "web.prog.activities": ("教研 / 送教 / 课题", "Research / outreach / projects"),
    "web.prog.tree": ("带教 第1/2/3层", "Mentoring levels 1/2/3"),
    "web.prog.va": ("增值（效应量）", "Value-added (effect size)"),
    "web.prog.interval": ("95% 区间", "95 % interval"), "web.prog.band": ("判断", "Band"),
    "web.prog.performance": ("年度绩效", "Yearly performance"),
    "web.prog.by_subject": ("带教覆盖（按学科）", "Mentoring coverage by subject"),
    "web.prog.by_school": ("带教覆盖（按学校）", "Mentoring coverage by school"),
    "web.prog.group": ("分组", "Group"), "web.prog.level_n": ("层", "Level"),
    "web.prog.reached": ("覆盖人数", "Reached"), "web.prog.target": ("目标", "Target"),
    "web.prog.coverage": ("覆盖率", "Coverage"), "web.prog.school": ("学校", "School"),
    "web.prog.teachers": ("教师数", "Teachers"),
    "web.prog.va_rows": ("增值明细（考试 × 学科）", "Value-added by exam and subject"),
    "web.prog.exam": ("考试", "Exam"), "web.prog.n": ("学生数", "Students"),
    "web.prog.estimate": ("增值（分）", "Estimate (points)"),
    "web.prog.member_list": ("成员", "Members"), "web.prog.teacher": ("教师", "Teacher"),
    "web.prog.role": ("角色", "Role"), "web.prog.role.host": ("主持人", "host"),
    "web.prog.role.member": ("成员", "member"),
    "web.prog.lead": ("牵头学校", "Leading school"), "web.prog.partner": ("结对学校", "Partner"),
    "web.prog.start": ("起始年份", "From"), "web.prog.outcome": ("指标", "Outcome"),
    "web.prog.before": ("结对前（结对校 / 对照）", "Before (partner / comparison)"),
    "web.prog.after": ("结对后（结对校 / 对照）", "After (partner / comparison)"),
    "web.prog.did": ("双重差分", "Difference-in-differences"),
    "web.prog.comparison": ("对照学校数", "Comparison schools"),
    "web.prog.unit": ("单位", "Unit"), "web.prog.students": ("人数", "Students"),
    "web.prog.support": ("资助覆盖", "Support coverage"), "web.prog.amount": ("金额（元）", "Amount"),
    "web.prog.result_gap": ("成绩差距（标准分）", "Results gap (z)"),
    "web.prog.progression_gap": ("升入高中阶段差距", "Progression gap"),
    "web.prog.notes": ("内部资料。增值为工作室成员所教学生的残差增值除以该科成绩标准差（效应量），区间为 ±1.96 "
                       "标准误；带教覆盖以每位主持人 10 / 100 / 1000 人为目标。奖补依据增值、活动与覆盖，"
                       "从不依据升学率。",
                       "Internal. Value-added: the residual value-added of the students taught "
                       "by the studio's members over the subject's score SD (an effect size), "
                       "interval ±1.96 SE; mentoring targets 10 / 100 / 1,000 per host. 奖补 "
                       "rests on value-added, activities and coverage, never on raw 升学率."),
    "web.prog.partner_notes": ("双重差分 = (结对校结对后 − 结对前) − (对照校结对后 − 结对前)；对照为同类未结对学校；"
                               "区间为 ±1.96 标准误；因果解释需平行趋势假设。",
                               "DiD = (partner after − before) − (comparison after − before); "
                               "comparison: schools of the same kind in no partnership; "
                               "interval ±1.96 SE; causal only under parallel trends."),
    "web.prog.group_notes": ("组内或组外人数少于 {n} 的单位不显示（并隐去可据以推算的单位）；差距 = 本组 − 其他学生，"
                             "区间为 95%。",
                             "Units with fewer than {n} students in or outside the group are "
                             "not shown (nor those they could be derived from); gap = group − "
                             "other students, 95 % interval."),
})


def _num(x: Any, fmt: str = ".2f") -> str:
    return "–" if x is None or pd.isna(x) or (isinstance(x, float) and math.isnan(x)) \
        else format(float(x), fmt)


def _ci(low: Any, high: Any, fmt: str = ".2f") -> str:
    return "" if pd.isna(low) else f"{_num(low, fmt)} – {_num(high, fmt)}"


def require_district(ctx: Ctx, what: str) -> None:
    """PermissionDenied unless a bureau role."""
    if not is_bureau(ctx.scope):
        raise PermissionDenied(tr("access.denied", ctx.lang, what=what))


async def load_studios(ctx: Ctx, year: int) -> tuple[StudioPerformance, Mentoring]:
    def both(db: Any) -> tuple[StudioPerformance, Mentoring]:
        return studio_performance(db, year, ctx.settings), mentoring_coverage(db, year)

    return await off_loop(ctx.db, both, lang=ctx.lang)


async def load_partners(ctx: Ctx) -> PartnerEffects:
    return await off_loop(ctx.db, partner_effects, ctx.settings,
                          lang=ctx.lang)


async def load_groups(ctx: Ctx, year: int) -> SpecialGroups:
    require_action(ctx.principal, "view_group_membership", ctx.lang)
    return await off_loop(ctx.db, special_groups, year, ctx.settings,
                          ctx.scope, lang=ctx.lang)


def _subject(code: Any, lang: str) -> str:
    return SUBJECTS.label(str(code), lang) if isinstance(code, str) and code else "–"


def _studio_rows(ctx: Ctx, perf: StudioPerformance) -> Table:
    t, lang, year = ctx.t, ctx.lang, perf.year
    rows = []
    for s in perf.studios.to_dict("records"):
        band = "" if not s["va_estimates"] else t(f"valueadded.band.{s['va_band']}")
        rows.append({
            "studio": s["name"], HREF: f"/programmes/{year}/studios/{s['studio_id']}",
            "kind": STUDIO_KINDS.label(s["kind"], lang),
            "level": PROGRAMME_LEVELS.label(s["level"], lang),
            "subject": _subject(s["subject_code"], lang), "host": s["host_name"],
            "members": str(s["members"]),
            "activities": f"{s['activities_research']} / {s['activities_outreach']} / "
                          f"{s['activities_project']}",
            "tree": " / ".join(f"{s[f'reached_{d}']}/{s[f'target_{d}']}" for d in TREE_TARGETS),
            "va": _num(s["va_effect"]), "interval": _ci(s["va_low"], s["va_high"]),
            "band": band})
    cols = [Column("studio", t("web.prog.studio"), link_key=HREF),
            *[Column(k, t(f"web.prog.{k}")) for k in
              ("kind", "level", "subject", "host", "members", "activities", "tree", "va",
               "interval", "band")]]
    return Table("", cols, pd.DataFrame(rows, columns=[*(c.key for c in cols), HREF]))


def _coverage_table(ctx: Ctx, frame: pd.DataFrame, label: Any) -> Table:
    t = ctx.t
    rows = [{"group": label(r["group"]), "level": str(r["level"]), "reached": str(r["reached"]),
             "target": str(r["target"]), "coverage": _num(r["coverage"], ".1%")}
            for r in frame.to_dict("records")]
    keys = ["group", "level", "reached", "target", "coverage"]
    cols = [Column(k, t(f"web.prog.{'level_n' if k == 'level' else k}")) for k in keys]
    return Table("", cols, pd.DataFrame(rows, columns=keys))


def studios_page(ctx: Ctx, perf: StudioPerformance, mentoring: Mentoring) -> Page:
    """The district's studios page (bureau roles)."""
    require_district(ctx, "programmes")
    t, lang, year = ctx.t, ctx.lang, perf.year
    school_rows = [{"school": r["school_code"], "teachers": str(r["teachers"]),
                    "reached": str(r["reached"]), "coverage": _num(r["share"], ".1%")}
                   for r in mentoring.by_school.to_dict("records")]
    school_table = Table("", [Column(k, t(f"web.prog.{k}")) for k in
                              ("school", "teachers", "reached", "coverage")],
                         pd.DataFrame(school_rows,
                                      columns=["school", "teachers", "reached", "coverage"]))
    sections: list[Section] = [
        section(t("web.prog.performance"), _studio_rows(ctx, perf)),
        section(t("web.prog.by_subject"),
                _coverage_table(ctx, mentoring.by_subject, lambda g: _subject(g, lang))),
        section(t("web.prog.by_school"), school_table)]
    return page(lang, t("web.prog.studios_title", year=year), sections,
                notes=[t("web.prog.notes")], internal=True, crumbs=[(t("web.nav.home"), "/")],
                export_name=f"studios-{year}", audit_object=f"studios {year}")


def studio_page(ctx: Ctx, perf: StudioPerformance, members: pd.DataFrame,
                studio_id: str) -> Page:
    """One studio: the bureau's roles, or a teacher hosting it or a member of it that year
    (PermissionDenied for anyone else; NotFoundError for a studio not active that year)."""
    own = set(members.loc[members["studio_id"] == studio_id, "teacher_id"])
    if not is_bureau(ctx.scope) and not (ctx.principal.role == "teacher"
                                         and ctx.principal.teacher_id in own):
        raise PermissionDenied(tr("access.denied", ctx.lang, what=studio_id))
    rows = perf.studios[perf.studios["studio_id"] == studio_id]
    if rows.empty:
        raise NotFoundError(studio_id)
    t, lang, year = ctx.t, ctx.lang, perf.year
    one = StudioPerformance(year, rows, perf.value_added)
    va = perf.value_added[perf.value_added["studio_id"] == studio_id]
    va_rows = [{"exam": r["exam_id"], "subject": _subject(r["subject_code"], lang),
                "n": str(r["n"]), "estimate": _num(r["estimate"]),
                "interval": _ci(r["ci_low"], r["ci_high"]),
                "band": t(f"valueadded.band.{r['band']}")} for r in va.to_dict("records")]
    va_keys = ["exam", "subject", "n", "estimate", "interval", "band"]
    va_table = Table("", [Column(k, t(f"web.prog.{k}")) for k in va_keys],
                     pd.DataFrame(va_rows, columns=va_keys))
    m = members[members["studio_id"] == studio_id]
    m_rows = [{"teacher": r["name"], "school": r["school_code"],
               "role": t(f"web.prog.role.{r['role']}")} for r in m.to_dict("records")]
    m_table = Table("", [Column(k, t(f"web.prog.{k}")) for k in ("teacher", "school", "role")],
                    pd.DataFrame(m_rows, columns=["teacher", "school", "role"]))
    summary = _studio_rows(ctx, one)
    summary.frame = summary.frame.drop(columns=[HREF])
    summary.columns = [Column(c.key, c.label) for c in summary.columns]
    crumbs = [(t("web.nav.home"), "/")]
    if is_bureau(ctx.scope):
        crumbs.append((t("web.prog.studios_title", year=year), f"/programmes/{year}/studios"))
    return page(lang, t("web.prog.studio_title", name=rows.iloc[0]["name"], year=year),
                [section(t("web.prog.performance"), summary),
                 section(t("web.prog.va_rows"), va_table),
                 section(t("web.prog.member_list"), m_table)],
                notes=[t("web.prog.notes")], internal=True, crumbs=crumbs,
                export_name=f"studio-{year}-{studio_id}",
                audit_object=f"studio {year} {studio_id}", student_level=True)


def partners_page(ctx: Ctx, eff: PartnerEffects) -> Page:
    """Partner schools' difference-in-differences (bureau roles)."""
    require_district(ctx, "partners")
    t, lang = ctx.t, ctx.lang
    rows = []
    for p in eff.pairs.to_dict("records"):
        rows.append({
            "lead": p["lead_school"], "partner": p["partner_school"],
            "kind": PARTNERSHIP_KINDS.label(p["kind"], lang), "start": str(p["start_year"]),
            "outcome": t(f"programmes.outcome.{p['outcome']}"),
            "before": f"{_num(p['treated_pre'])} / {_num(p['comparison_pre'])}",
            "after": f"{_num(p['treated_post'])} / {_num(p['comparison_post'])}",
            "did": _num(p["did"]), "interval": _ci(p["ci_low"], p["ci_high"]),
            "comparison": str(p["comparison"])})
    keys = ["lead", "partner", "kind", "start", "outcome", "before", "after", "did", "interval",
            "comparison"]
    table = Table("", [Column(k, t(f"web.prog.{k}")) for k in keys],
                  pd.DataFrame(rows, columns=keys))
    return page(lang, t("web.prog.partners_title"), [section(t("web.prog.did"), table)],
                notes=[t("web.prog.partner_notes")], internal=True,
                crumbs=[(t("web.nav.home"), "/")], export_name="partners",
                audit_object="partners")


def groups_page(ctx: Ctx, result: SpecialGroups) -> Page:
    """Special groups' support and gaps, as the scope allows (withheld cells say so)."""
    t, lang = ctx.t, ctx.lang
    rows = []
    for r in result.table.to_dict("records"):
        unit = text("district", lang) if r["unit"] == DISTRICT else str(r["unit"])
        group = t(f"groups.special.{r['group']}")
        if r["withheld"]:
            rows.append({"unit": unit, "group": group,
                         "students": t("groups.special.withheld"), "support": "",
                         "amount": "", "result_gap": "", "progression_gap": ""})
            continue
        if not r["students"]:
            continue
        rows.append({
            "unit": unit, "group": group, "students": str(int(r["students"])),
            "support": f"{_num(r['coverage'], '.0%')} ({_ci(r['coverage_low'], r['coverage_high'], '.0%')})",
            "amount": _num(r["amount"], ".0f"),
            "result_gap": f"{_num(r['result_gap'])} ({_ci(r['result_low'], r['result_high'])})",
            "progression_gap": f"{_num(r['progression_gap'], '.0%')} "
                               f"({_ci(r['progression_low'], r['progression_high'], '.0%')})"})
    keys = ["unit", "group", "students", "support", "amount", "result_gap", "progression_gap"]
    table = Table("", [Column(k, t(f"web.prog.{k}")) for k in keys],
                  pd.DataFrame(rows, columns=keys))
    return page(lang, t("web.prog.groups_title", year=result.year),
                [section(t("web.prog.groups_title", year=result.year), table)],
                notes=[t("web.prog.group_notes", n=result.min_n)], internal=True,
                crumbs=[(t("web.nav.home"), "/")], export_name=f"groups-{result.year}",
                audit_object=f"special groups {result.year}", student_level=True)
