"""`eduquality analyse EXAM [--out DIR] [--engine duckdb|spark]`: the district and its schools at
a glance.

Spelt as the library spells it (:func:`eduquality.analysis.exam.analyse_exam`); ``analyze``
is an alias, so scripts written for the American spelling keep working."""

from __future__ import annotations

from pathlib import Path

import click

from eduquality.cli.app import Context, engine_option, main, pass_ctx
from eduquality.cli.report import disclosed, user_option


@main.command("analyse")
@click.argument("exam")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Also write the analysis workbook (analysis-EXAM.xlsx) into folder DIR. "
                   "同时把分析结果（Excel 工作簿）写入此文件夹。")
@engine_option
@user_option
@pass_ctx
def analyse(ctx: Context, exam: str, out: str | None, user: str | None,
            engine: str = "duckdb") -> None:
    """Analyse exam EXAM (kept in the database for pages and reports; a current stored
    analysis is reused) and print the district and schools by subject (means and bands, no
    ranks), as the operator (or --user) may see them, small units withheld as on the web.
    分析考试（结果保存在数据库中），按科目列出全区与各校平均分及与全区比较（不排名）。"""
    from rich.console import Console

    from eduquality.analysis.stored import stored_analysis
    from eduquality.reports.text import summary_table
    from eduquality.reports.view import make_view  # not bundle: it loads every renderer

    if engine == "spark":     # computed afresh on Spark (not stored: DuckDB's stays)
        from eduquality.analysis.spark.engine import analyse_on_spark

        with ctx.open_db(read_only=True) as db:
            analysis = disclosed(ctx, db, analyse_on_spark(db, exam, ctx.settings), user,
                                 False)
    else:
        with ctx.open_db() as db:  # writes: the analysis is stored for pages and reports
            analysis = disclosed(ctx, db, stored_analysis(db, exam, ctx.settings), user,
                                 False)
    view = make_view(analysis, ctx.settings)
    Console().print(summary_table(view))
    if out is not None:
        from eduquality.reports.bundle import build_report, safe_name, write_report

        path = write_report(build_report(view, "district"),
                            Path(out) / f"analysis-{safe_name(exam)}.xlsx", "xlsx")
        ctx.say("cli.written", path=path)
