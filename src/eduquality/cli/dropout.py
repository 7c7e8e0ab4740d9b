"""`eduquality dropout reconcile|alerts|followup|warning` (控辍保学) and `eduquality import
attendance|children FILE`: parse arguments, one library call, print.

As every command that shows data, they run as the district operator (role researcher) or the
app user named by ``--user``, whose role decides the rows shown (a principal: the own school;
a teacher: the own classes, without group membership); alert lists are student-level data,
so every run is audited ('view', or 'export' with ``--out``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.cli.importing import _ERRORS_HELP, _FORCE_HELP, _USER_HELP, _run, import_
from eduquality.cli.report import user_option

_AS_OF_HELP = ("The day to reconcile at (default: the end of the latest school year). "
               "核对日期。")


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _names(db) -> dict[str, str]:
    from eduquality.store.units import school_names

    return school_names(db)


def _print(ctx: Context, table) -> None:
    from rich.console import Console

    from eduquality.reports.text import model_table

    Console(width=260).print(model_table(table, ctx.lang))


def _write_csv(ctx: Context, frame, out: str) -> None:
    from eduquality.outputs import write_csv

    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(frame, path)
    ctx.say("cli.written", path=path)


@main.group()
def dropout() -> None:
    """控辍保学: enrolment reconciliation, alerts and their follow-up, the early warning.
    控辍保学：学籍核对、预警名单与跟进、辍学风险预警。"""


@dropout.command("reconcile")
@click.option("--as-of", default=None, metavar="YYYY-MM-DD", help=_AS_OF_HELP)
@click.option("--from-year", default=None, metavar="2020-2021",
              help="Start of the 巩固率 window (default: the earliest school year). 巩固率起始学年。")
@click.option("--out", type=click.Path(dir_okay=False), default=None, metavar="FILE.csv",
              help="Also write the rates as CSV. 同时写出 CSV。")
@user_option
@pass_ctx
def reconcile_cmd(ctx: Context, as_of: str | None, from_year: str | None, out: str | None,
                  user: str | None) -> None:
    """巩固率 and 辍学率 by district, school and special group (95 % intervals), and the
    school-age population against enrolment. 巩固率、辍学率与适龄人口核对。"""
    from eduquality.analysis.dropout import reconcile, restrict_rates
    from eduquality.analysis.exports import operator
    from eduquality.reports.dropout import population_table, rates_table
    from eduquality.store.audit import audit
    from eduquality.store.policy import scope_for

    with ctx.open_db() as db:
        principal = operator(db, user)
        scope = scope_for(db, principal, ctx.lang)
        rec = reconcile(db, _date(as_of), from_year, min_n=ctx.settings.min_unit_n)
        rates = restrict_rates(rec.rates, scope)
        names = _names(db)
        audit(db, principal, "export" if out else "view", "dropout:reconcile",
              f"as_of={rec.as_of} from={rec.from_year}")
    _print(ctx, rates_table(rates, ctx.lang, names, start=rec.from_year,
                            end=str(rec.as_of), year=rec.year_code))
    if scope.sees("district"):
        _print(ctx, population_table(rec.population, ctx.lang))
    if out:
        _write_csv(ctx, rates, out)


@dropout.command("alerts")
@click.option("--as-of", default=None, metavar="YYYY-MM-DD", help=_AS_OF_HELP)
@click.option("--school", default=None, metavar="CODE", help="Only this school. 只看该校。")
@click.option("--open-only", is_flag=True, help="Only alerts still open. 只列待跟进。")
@click.option("--out", type=click.Path(dir_okay=False), default=None, metavar="FILE.csv",
              help="Also write the list as CSV (IDs masked as shown). 同时写出 CSV。")
@user_option
@pass_ctx
def alerts_cmd(ctx: Context, as_of: str | None, school: str | None, open_only: bool,
               out: str | None, user: str | None) -> None:
    """Every compulsory-school-age child not in school or missing, 建档立卡 first, with the
    follow-ups. 控辍保学预警名单。"""
    from eduquality.analysis.dropout import alerts, restrict_alerts
    from eduquality.analysis.exports import operator
    from eduquality.reports.dropout import alerts_table
    from eduquality.store.audit import audit
    from eduquality.store.policy import scope_for
    from eduquality.store.scoped import require_school

    with ctx.open_db() as db:
        principal = operator(db, user)
        scope = scope_for(db, principal, ctx.lang)
        if school is not None:
            require_school(db, scope, school)
        found = restrict_alerts(alerts(db, _date(as_of)), scope)
        if school is not None:
            found = found[found["school_code"] == school]
        if open_only:
            found = found[found["state"] == "open"]
        names = _names(db)
        audit(db, principal, "export" if out else "view", "dropout:alerts"
              + (f"/{school}" if school else ""), f"rows={len(found)}")
    _print(ctx, alerts_table(found, ctx.lang, names))
    ctx.say("cli.dropout.open", open=int((found["state"] == "open").sum()),
            closed=int((found["state"] == "closed").sum()))
    if out:
        _write_csv(ctx, found, out)


@dropout.command("followup")
@click.argument("person")
@click.option("--action", required=True,
              help="contacted/returned/transferred/other (已联系/已返校/已转学/其他). 跟进方式。")
@click.option("--date", "done_on", default=None, metavar="YYYY-MM-DD",
              help="When it was done (default: today). 跟进日期。")
@click.option("--note", default=None, help="What was done or found. 说明。")
@click.option("--proof", default=None,
              help="A transfer's proof (the receiving school's confirmation). 转学证明。")
@user_option
@pass_ctx
def followup_cmd(ctx: Context, person: str, action: str, done_on: str | None,
                 note: str | None, proof: str | None, user: str | None) -> None:
    """Record what was done about the alert of PERSON (学籍号 or 身份证号), as the web form
    does: the role must be one that records follow-ups, PERSON within its scope; audited.
    登记跟进。"""
    from eduquality.analysis.dropout import record_followup
    from eduquality.analysis.exports import operator
    from eduquality.store.policy import scope_for
    from eduquality.vocab import FOLLOWUP_ACTIONS

    with ctx.open_db() as db:
        scope = scope_for(db, operator(db, user), ctx.lang)
        fid = record_followup(db, scope, person, action, done_on, note, proof)
    code = FOLLOWUP_ACTIONS.parse(action) or action
    ctx.say("cli.dropout.recorded", id=fid, person=person,
            action=FOLLOWUP_ACTIONS.label(code, ctx.lang))


@dropout.command("warning")
@click.option("--recall", default=0.8, show_default=True, type=click.FloatRange(0.05, 1.0),
              help="The recall the threshold is chosen for. 阈值对应的召回率。")
@click.option("--top", default=0, show_default=True, type=click.IntRange(0, 10_000),
              help="Also list the N students at highest risk next year, with the factors that "
                   "raise it. 列出风险最高的 N 名学生及主要因素。")
@user_option
@pass_ctx
def warning_cmd(ctx: Context, recall: float, top: int, user: str | None) -> None:
    """Fit the early warning on the past cohorts; its AUC and calibration on the latest
    cohort, the threshold for the stated recall, the factors' weights; with --top, the
    students at highest risk explained. 辍学风险预警模型。"""
    from eduquality.analysis.early_warning import (
        factor_label,
        scored_students,
        warning_model,
    )
    from eduquality.analysis.exports import operator
    from eduquality.reports.dropout import risk_table, warning_section
    from eduquality.reports.model import Table
    from eduquality.store.audit import audit
    from eduquality.store.policy import scope_for

    with ctx.open_db() as db:
        wm = warning_model(db, target_recall=recall)
        scored = None
        if top:
            principal = operator(db, user)
            scored = scored_students(db, wm, scope_for(db, principal, ctx.lang)).head(top)
            names = _names(db)
            audit(db, principal, "view", "dropout:warning", f"rows={len(scored)}")
    labels = {f: factor_label(f, ctx.lang) for f in wm.model.factors_}
    for block in warning_section(wm, ctx.lang, labels).blocks:
        if isinstance(block, Table):
            _print(ctx, block)
        else:
            click.echo(getattr(block, "text", ""))
    if scored is not None:
        _print(ctx, risk_table(scored, ctx.lang, names, labels))


@import_.command("attendance")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--year", default=None, metavar="2021-2022",
              help="School year of month columns without a year (9月 …). 学年。")
@click.option("--month", default=None, metavar="2021-09",
              help="Month of a daily sheet whose name does not say it. 日出勤表的月份。")
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@pass_ctx
def import_attendance_cmd(ctx: Context, file: str, year: str | None, month: str | None,
                          errors: str | None, user: str | None, force: bool) -> None:
    """Import attendance (monthly days absent, or a daily √/×/病/事 grid). 导入出勤。"""
    from eduquality.ingest.attendance import import_attendance

    first = dt.date.fromisoformat(f"{month}-01") if month else None
    _run(ctx, lambda db, progress: import_attendance(
        db, file, year=year, month=first, lang=ctx.lang, user=user, errors=errors,
        force=force))


@import_.command("children")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--year", required=True, type=int, metavar="2021",
              help="The list's year (the school year starting that autumn). 名单年份。")
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@pass_ctx
def import_children_cmd(ctx: Context, file: str, year: int, errors: str | None,
                        user: str | None, force: bool) -> None:
    """Import the register of school-age children (适龄儿童少年名单). 导入适龄儿童名单。"""
    from eduquality.ingest.children import import_children

    _run(ctx, lambda db, progress: import_children(
        db, file, year, lang=ctx.lang, user=user, errors=errors, force=force))
