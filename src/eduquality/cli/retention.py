"""CLI command: `eduquality retention apply [--dry-run]` (personal data of students who left)."""

from __future__ import annotations

import datetime as dt

import click

from eduquality.cli.app import Context, main, pass_ctx


@main.group()
def retention() -> None:
    """Retention of personal data. 个人信息保存期限。"""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="List how many students per school are due; "
              "change nothing. 只列出各校到期人数，不做修改。")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Count the years up to this day (default: today).")
@pass_ctx
def apply(ctx: Context, dry_run: bool, as_of: dt.datetime | None) -> None:
    """Anonymise the students who left (graduation, transfer out, dropout) more than
    [retention] years ago: names, ID numbers, dates of birth and special-group flags; scores
    stay for statistics. Audited. 匿名化离校已满保存年限的学生（姓名、学籍号、出生日期、
    特殊群体标记），成绩保留用于统计；记入审计日志。"""
    from eduquality.analysis.exports import operator
    from eduquality.store.retention import apply_retention, plan_retention

    years = ctx.settings.retention.years
    today = as_of.date() if as_of else None
    with ctx.open_db(read_only=dry_run) as db:
        plan = (plan_retention(db, years, today) if dry_run
                else apply_retention(db, operator(db), years, today))
    for code, name, n in plan.per_school:
        click.echo(ctx.t("cli.retention.school", code=code, name=name, n=n))
    key = "cli.retention.due" if dry_run else "cli.retention.done"
    ctx.say(key, n=plan.total, years=years, cutoff=plan.cutoff.isoformat())
