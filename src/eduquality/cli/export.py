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
@click.argument("exam_id")
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
def results(ctx: Context, exam_id: str, subject: str | None, out: str, fmt: str | None,
            unmasked: bool, user: str | None) -> None:
    """One row per student and subject: ID (masked), 考号, name, school, class, subject,
    status, score. 导出考试成绩（每名学生每科一行）。"""
    from eduquality.analysis.exports import export_results, operator

    db = ctx.open_db()
    try:
        done = export_results(db, operator(db, user), exam_id, out, subject=subject, fmt=fmt,
                              unmasked=unmasked, lang=ctx.lang)
    finally:
        db.close()
    ids = ("完整学籍号" if done.unmasked else "学籍号已脱敏",
           "full IDs" if done.unmasked else "IDs masked")
    ctx.say(f"已导出 {done.rows} 行到 {done.path}（{ids[0]}，已记入审计日志）",
            f"exported {done.rows} rows to {done.path} ({ids[1]}; audited)")
