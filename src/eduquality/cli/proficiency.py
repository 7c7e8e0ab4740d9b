"""`eduquality proficiency rates|at-risk` and `eduquality import proficiency FILE`: the 合格考
(普通高中学业水平合格性考试, issue 15) — parse arguments, one library call, print.

They run as the district operator (role researcher) or the app user named by ``--user``, whose
role decides the rows shown (rates: a principal sees the own school; the students at risk: a
principal the own school's, a teacher the own classes', IDs masked); small schools withheld at
the setting ``min_unit_n``; every run is audited ('view', or 'export' with ``--out``)."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.cli.importing import _ERRORS_HELP, _FORCE_HELP, _USER_HELP, _run, import_
from eduquality.cli.report import user_option


def _print(table, lang: str) -> None:
    """A document table as the terminal shows it (labels in ``lang``, counts as integers,
    rates as percentages), as the other commands print theirs."""
    from rich.console import Console

    from eduquality.reports.text import model_table

    Console(width=260).print(model_table(table, lang))


@main.group()
def proficiency() -> None:
    """合格考 (学业水平合格性考试): 合格率, 一次合格率, 补考 and 全科合格率 by school, subject and
    sitting; the students who still need a 补考. 学业水平合格性考试：合格率、一次合格率、全科合格率与需补考学生。"""


@proficiency.command("rates")
@click.option("--school", default=None, metavar="CODE",
              help="Only this school's rows (with the district's). 只看该校。")
@click.option("--out", default=None, metavar="RATES.xlsx",
              help="Also write both tables to this Excel file. 同时写出 Excel。")
@user_option
@pass_ctx
def rates_cmd(ctx: Context, school: str | None, out: str | None, user: str | None) -> None:
    """合格率 at each sitting (all, first attempts, 补考) and 一次合格率 / 合格率 after the 补考
    by first sitting, for the district and each school. 合格率与一次合格率。"""
    from eduquality.analysis.exports import operator
    from eduquality.analysis.proficiency import TABLES, labelled, proficiency_tables
    from eduquality.cli.outlook import write_frames
    from eduquality.reports.proficiency import proficiency_table
    from eduquality.store.audit import audit
    from eduquality.store.policy import scope_for
    from eduquality.store.units import school_names

    with ctx.open_db() as db:
        min_n = ctx.settings.min_unit_n  # as changed on the platform: read after opening
        principal = operator(db, user)
        tables = proficiency_tables(db, scope_for(db, principal, ctx.lang), min_n, school)
        names = school_names(db)
        audit(db, principal, "export" if out else "view", "proficiency:rates",
              f"school={school or '-'}")
    if all(t.empty for t in tables.values()):
        ctx.say("cli.proficiency.none")
        return
    for name in TABLES:
        ctx.say(f"cli.proficiency.{name}", n=min_n)
        _print(proficiency_table(name, tables[name], ctx.lang, names), ctx.lang)
    write_frames({name: labelled(tables[name], names, ctx.lang) for name in TABLES}, out, ctx)


@proficiency.command("at-risk")
@click.option("--school", default=None, metavar="CODE",
              help="Only this school's students. 只看该校。")
@user_option
@pass_ctx
def at_risk_cmd(ctx: Context, school: str | None, user: str | None) -> None:
    """Students with a subject sat and not yet passed (a 补考 due): class, subjects, sittings
    tried; IDs masked. 尚有科目未合格、须参加补考的学生。"""
    from eduquality.analysis.exports import operator
    from eduquality.analysis.proficiency import at_risk_students
    from eduquality.reports.proficiency import at_risk_table
    from eduquality.store.audit import audit
    from eduquality.store.policy import scope_for
    from eduquality.store.units import school_names

    with ctx.open_db() as db:
        principal = operator(db, user)
        scope = scope_for(db, principal, ctx.lang)
        students = at_risk_students(db, scope, school)
        names = school_names(db)
        audit(db, principal, "view", "proficiency:at-risk", f"school={school or '-'}")
    if students.empty:
        ctx.say("cli.proficiency.at_risk_none")
        return
    ctx.say("cli.proficiency.at_risk", n=len(students))
    _print(at_risk_table(students, ctx.lang, names,
                         masked=not scope.can("full_national_id")), ctx.lang)


@import_.command("proficiency")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sitting", default=None, metavar="2024-06",
              help="The sitting of sheets that do not say it. 考试批次（文件未写明时）。")
@click.option("--province", default=None, metavar="云南省",
              help="The province whose grade scheme applies (default: the district's). "
                   "成绩规则所属省份（默认本区所在省）。")
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@pass_ctx
def import_proficiency_cmd(ctx: Context, file: str, sitting: str | None, province: str | None,
                           errors: str | None, user: str | None, force: bool) -> None:
    """Import 合格考 results (the province's export, or one column per subject). 导入合格考成绩。"""
    from eduquality.ingest.proficiency import import_proficiency

    _run(ctx, lambda db, progress: import_proficiency(
        db, file, sitting=sitting, province=province, lang=ctx.lang, user=user, errors=errors,
        force=force))
