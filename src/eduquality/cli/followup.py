"""`eduquality followup EXAM [--school S] [--subject X] [--group G] [--out FILE.csv]`: the
follow-up of the students flagged at EXAM (学困生, 弱科生, 临界生) over the cohort's later exams.

As every command, it runs as the district operator (role researcher) or the app user named by
``--user``, whose role decides the rows shown (a teacher: the district, the own school and
the own teacher rows); small units are withheld before the scope applies. Aggregates only (no
student row, so no ID). Every run is audited ('view', or 'export' with ``--out``)."""

from __future__ import annotations

from pathlib import Path

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.cli.report import user_option

GROUP_CHOICES = ("struggling", "weak_subject", "borderline")
"""Mirrors :data:`eduquality.analysis.followup.FOLLOWED_GROUPS` (checked by the tests) so that
``--help`` needs no import of the analysis."""

CSV_COLUMNS = ("group", "subject_code", "later_exam", "level", "unit", "school_code",
               "n_cohort", "n_followed", "n_left", "n_stayed", "n_missing", "left_share",
               "left_ci_low", "left_ci_high", "n_sgp", "mean_sgp", "sgp_ci_low", "sgp_ci_high",
               "sgp_band", "n_peer", "peer_mean_sgp", "sgp_gap", "gap_ci_low", "gap_ci_high",
               "withheld")


def _subject(ctx: Context, text: str | None) -> str | None:
    if text is None:
        return None
    if text.strip().lower() in ("total", "总分"):
        return "total"
    return ctx.subject(text)


@main.command("followup")
@click.argument("exam")
@click.option("--school", default=None, metavar="CODE",
              help="Only this school (and its teachers). 只看该校。")
@click.option("--subject", default=None,
              help="Only this subject (语文, 数学 …, or total/总分). 只看该学科。")
@click.option("--group", type=click.Choice(GROUP_CHOICES), default=None,
              help="Only this group. 只看该群体（学困生 struggling、弱科生 weak_subject、临界生 "
                   "borderline）。")
@click.option("--out", type=click.Path(dir_okay=False), default=None, metavar="FILE.csv",
              help="Also write the rows (codes) as CSV. 同时写出 CSV。")
@user_option
@pass_ctx
def followup_cmd(ctx: Context, exam: str, school: str | None, subject: str | None,
                 group: str | None, out: str | None, user: str | None) -> None:
    """Follow the students flagged at EXAM over the later exams: how many left the group,
    their growth percentiles, by school and teacher, with 95 % intervals.
    学困生、弱科生、临界生帮扶跟踪。"""
    from rich.console import Console

    from eduquality.analysis.exports import operator
    from eduquality.analysis.followup import followup, restrict_followup
    from eduquality.outputs import write_csv
    from eduquality.reports.followup import followup_table
    from eduquality.reports.text import model_table
    from eduquality.store.audit import audit
    from eduquality.store.policy import scope_for
    from eduquality.store.scoped import require_exam, require_school

    code = _subject(ctx, subject)
    with ctx.open_db() as db:
        principal = operator(db, user)
        scope = scope_for(db, principal, ctx.lang)
        require_exam(db, scope, exam)
        if school is not None:
            require_school(db, scope, school)
        fu = restrict_followup(followup(db, exam, ctx.settings, group=group, subject=code),
                               scope, school)
        what = f"followup:{exam}" + (f"/{school}" if school else "")
        audit(db, principal, "export" if out else "view", what,
              f"rows={len(fu.table)} group={group} subject={code}")
    if fu.table.empty:
        ctx.say("cli.followup.none", exam=exam)
    else:
        Console(width=260).print(model_table(followup_table(fu, ctx.lang), ctx.lang))
    if out is not None:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(fu.table[list(CSV_COLUMNS)], path)
        ctx.say("cli.written", path=path)
