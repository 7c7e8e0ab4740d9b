"""`eduquality template programmes` (the blank programmes workbook) and `eduquality import
programmes FILE` (三名工程: studios, members, mentoring, activities, training, rotations, the
principal reserve; partner schools; student support), each one library call; and
`eduquality programmes …`, the programmes' measures (:mod:`eduquality.analysis.programmes`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.cli.importing import _ERRORS_HELP, _FORCE_HELP, _USER_HELP, _run, import_
from eduquality.cli.outlook import write_frames
from eduquality.cli.report import user_option
from eduquality.cli.stats import template

if TYPE_CHECKING:
    import pandas as pd


@template.command("programmes")
@click.option("--out", "out_dir", default="templates", show_default=True,
              type=click.Path(file_okay=False), help="Folder to write to. 输出文件夹。")
@pass_ctx
def template_programmes(ctx: Context, out_dir: str) -> None:
    """The blank programmes workbook (studios, members, mentoring, activities, training,
    rotations, principal reserve, partner schools, student support). 三名工程与结对资助填报模板。"""
    from eduquality.ingest.programmes import write_programme_template

    write_programme_template(out_dir, ctx.lang)
    ctx.say("cli.files_written", n=1, folder=out_dir)


@import_.command("programmes")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@pass_ctx
def import_programmes_cmd(ctx: Context, file: str, errors: str | None, user: str | None,
                          force: bool) -> None:
    """Import a filled-in programmes workbook (eduquality template programmes).
    导入三名工程、结对学校与学生资助数据。"""
    from eduquality.ingest.programmes import import_programmes

    _run(ctx, lambda db, progress: import_programmes(db, file, lang=ctx.lang, user=user,
                                                     errors=errors, force=force))


def _ci(x: float, low: float, high: float, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


@main.group("programmes")
def programmes() -> None:
    """三名工程, partner schools and special groups (issue 14). 三名工程、结对学校、特殊群体。"""


@programmes.command("mentoring")
@click.argument("year", type=int)
@click.option("--out", default=None, metavar="FILE.xlsx", help="Write the tables. 写出 Excel。")
@pass_ctx
def mentoring_cmd(ctx: Context, year: int, out: str | None) -> None:
    """Mentoring tree coverage of the school year starting in YEAR, against 10/100/1,000, by
    studio, subject and school. 名师带教覆盖。"""
    from eduquality.analysis.programmes import mentoring_coverage

    with ctx.open_db(read_only=True) as db:
        m = mentoring_coverage(db, year)
    if m.by_studio.empty:
        ctx.say("cli.prog.none", year=year)
        return
    click.echo(ctx.t("cli.prog.mentoring_head", year=year))

    def lines(frame: pd.DataFrame) -> None:
        for group, g in frame.groupby("group", sort=False):
            parts = "  ".join(ctx.t("cli.prog.level", level=r.level, reached=r.reached,
                                    target=r.target, share=f"{r.coverage:.0%}")
                              for r in g.itertuples(index=False))
            click.echo(f"  {group}  {parts}")

    lines(m.by_studio)
    click.echo(ctx.t("cli.prog.by_subject"))
    lines(m.by_subject)
    click.echo(ctx.t("cli.prog.by_school"))
    for r in m.by_school.itertuples(index=False):
        click.echo(f"  {r.school_code}  {r.reached}/{r.teachers}")
    write_frames({"studios": m.by_studio, "subjects": m.by_subject, "schools": m.by_school,
                  "tree": m.levels}, out, ctx)


@programmes.command("studios")
@click.argument("year", type=int)
@click.option("--out", default=None, metavar="FILE.xlsx", help="Write the tables. 写出 Excel。")
@pass_ctx
def studios_cmd(ctx: Context, year: int, out: str | None) -> None:
    """Each studio's yearly performance for 奖补: its members' classes' value-added with its
    95 % interval, activities and mentoring coverage. 工作室年度绩效。"""
    from eduquality.analysis.programmes import studio_performance
    from eduquality.vocab import PROGRAMME_LEVELS, STUDIO_KINDS

    with ctx.open_db(read_only=True) as db:
        perf = studio_performance(db, year, ctx.settings)
    if perf.studios.empty:
        ctx.say("cli.prog.none", year=year)
        return
    click.echo(ctx.t("cli.prog.studios_head", year=year))
    for s in perf.studios.to_dict("records"):
        va = _ci(s["va_effect"], s["va_low"], s["va_high"])
        if s["va_estimates"]:
            va += f" {ctx.t('valueadded.band.' + str(s['va_band']))}"
        click.echo("  " + ctx.t(
            "cli.prog.studio_line", name=s["name"],
            kind=STUDIO_KINDS.label(s["kind"], ctx.lang),
            level=PROGRAMME_LEVELS.label(s["level"], ctx.lang), members=s["members"],
            research=s["activities_research"], outreach=s["activities_outreach"],
            project=s["activities_project"], reached=s["reached_1"], va=va))
    write_frames({"studios": perf.studios, "value_added": perf.value_added}, out, ctx)


@programmes.command("partners")
@click.option("--out", default=None, metavar="FILE.xlsx", help="Write the tables. 写出 Excel。")
@pass_ctx
def partners_cmd(ctx: Context, out: str | None) -> None:
    """Partner schools (名校融民校, 名校办分校): the partner school's results and value-added
    before and after, beside comparable schools (difference-in-differences, 95 % interval).
    结对学校前后对比。"""
    from eduquality.analysis.programmes import partner_effects
    from eduquality.vocab import PARTNERSHIP_KINDS

    with ctx.open_db(read_only=True) as db:
        eff = partner_effects(db, ctx.settings)
    if eff.pairs.empty:
        ctx.say("cli.prog.no_partners")
        return
    click.echo(ctx.t("cli.prog.partners_head"))
    for p in eff.pairs.to_dict("records"):
        click.echo("  " + ctx.t(
            "cli.prog.partner_line", lead=p["lead_school"], partner=p["partner_school"],
            kind=PARTNERSHIP_KINDS.label(p["kind"], ctx.lang), start=p["start_year"],
            n=p["comparison"], outcome=ctx.t(f"programmes.outcome.{p['outcome']}"),
            did=_ci(p["did"], p["ci_low"], p["ci_high"])))
    write_frames({"pairs": eff.pairs, "yearly": eff.yearly}, out, ctx)


@programmes.command("groups")
@click.argument("year", type=int)
@click.option("--out", default=None, metavar="FILE.xlsx", help="Write the table. 写出 Excel。")
@user_option
@pass_ctx
def groups_cmd(ctx: Context, year: int, out: str | None, user: str | None) -> None:
    """Special groups (建档立卡, 残疾, 随迁子女, 留守儿童): support, coverage and gaps in results
    and in progression to 高中阶段, with 95 % intervals; small units withheld; only for roles
    that may see group membership. 特殊群体资助与差距。"""
    from eduquality.analysis.exports import operator
    from eduquality.analysis.special_groups import DISTRICT, special_groups
    from eduquality.reports.labels import text
    from eduquality.store.audit import audit
    from eduquality.store.policy import scope_for

    with ctx.open_db() as db:
        principal = operator(db, user)
        scope = scope_for(db, principal, ctx.lang)
        result = special_groups(db, year, ctx.settings, scope)
        audit(db, principal, "export" if out else "view", f"special_groups:{year}",
              f"rows={len(result.table)}")
    click.echo(ctx.t("cli.prog.groups_head", year=year, n=result.min_n))
    for r in result.table.to_dict("records"):
        unit = text("district", ctx.lang) if r["unit"] == DISTRICT else r["unit"]
        group = ctx.t(f"groups.special.{r['group']}")
        if r["withheld"]:
            click.echo(f"  {unit} {group}：{ctx.t('groups.special.withheld')}")
            continue
        if not r["students"]:
            continue
        click.echo("  " + ctx.t(
            "cli.prog.group_line", unit=unit, group=group, students=int(r["students"]),
            coverage=_ci(r["coverage"], r["coverage_low"], r["coverage_high"]),
            amount=f"{r['amount']:.0f}",
            gap=_ci(r["result_gap"], r["result_low"], r["result_high"]),
            prog=_ci(r["progression_gap"], r["progression_low"], r["progression_high"])))
    write_frames({"groups": result.table}, out, ctx)
