"""`eduquality export results EXAM [--subject S] --out FILE`: the clean merged results.

The CLI runs as the district operator (role researcher: every student, ID numbers masked).
``--unmasked`` shows full ID numbers and is allowed only with ``--user`` naming an admin account
(``eduquality user add NAME --role admin``). Every export is audited (audit_log).
"""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx


@main.group(name="export")
def export() -> None:
    """Export clean data for other programs. 导出数据。"""


@export.command()
@click.argument("exam")
@click.option("--subject", default=None, help="Only this subject (语文, 数学 …). 只导出该学科。")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Output file (.csv or .xlsx). 输出文件。")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="csv (codes, for programs) or xlsx (Chinese headers); default: from --out. "
                   "导出格式。")
@click.option("--unmasked", is_flag=True,
              help="Full ID numbers (admin only: needs --user of an admin account). 显示完整学籍号。")
@click.option("--user", default=None,
              help="Export as this app user (its role decides what it sees). 以该用户身份导出。")
@pass_ctx
def results(ctx: Context, exam: str, subject: str | None, out: str, fmt: str | None,
            unmasked: bool, user: str | None) -> None:
    """One row per student and subject: ID (masked), 考号, name, school, class, subject,
    status, score. 导出考试成绩（每名学生每科一行）。"""
    from eduquality.analysis.exports import export_results, operator

    with ctx.open_db() as db:
        done = export_results(db, operator(db, user), exam, out, subject=subject, fmt=fmt,
                              unmasked=unmasked, lang=ctx.lang)
    ids = ctx.t("cli.export.full_ids" if done.unmasked else "cli.export.masked_ids")
    ctx.say("cli.export.done", rows=done.rows, path=done.path, ids=ids)
