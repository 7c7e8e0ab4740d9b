"""`eduquality choices EXAM [--by school|class|gender|school-gender] [--out FILE.xlsx]`: 选科 of
a 3+1+2 exam's students — combination counts and shares by unit, results (750 total) by
combination (:mod:`eduquality.analysis.choices`)."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.cli.outlook import write_frames
from eduquality.cli.report import disclosed, user_option


@main.command()
@click.argument("exam")
@click.option("--by", "by", type=click.Choice(["school", "class", "gender", "school-gender"]),
              default="school", show_default=True,
              help="Units of the shares table. 按学校、班级、性别或学校×性别。")
@click.option("--out", default=None, metavar="CHOICES.xlsx",
              help="Write the shares and results tables to this Excel file. 写出 Excel。")
@user_option
@pass_ctx
def choices(ctx: Context, exam: str, by: str, out: str | None, user: str | None) -> None:
    """选科 of exam EXAM (a 3+1+2 exam): combinations (物化生 …) by unit and results by
    combination, as the operator (or --user) may see them, small units withheld. Subject
    choices."""
    from eduquality.analysis.choices import exam_choice_tables
    from eduquality.analysis.stored import stored_analysis
    from eduquality.measures.subject_choice import combination_label

    with ctx.open_db() as db:  # writes: the analysis is stored for pages and reports
        a = disclosed(ctx, db, stored_analysis(db, exam, ctx.settings), user, False)
        tables = exam_choice_tables(db, a, by, ctx.settings.min_unit_n)
    for name in ("shares", "results"):
        frame = tables[name].copy()
        frame.insert(list(frame.columns).index("combination") + 1, "label",
                     frame["combination"].map(
                         lambda c: c if c == "all" else combination_label(c, ctx.lang)))
        tables[name] = frame
        click.echo(frame.round(3).to_string(index=False))
    write_frames(tables, out, ctx)
