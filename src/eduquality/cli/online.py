"""`eduquality online EXAM [--track 物理类|历史类|文科|理科] [--out FILE.xlsx]`: 上线分析 of one exam
— the lines that apply (with the note on the bridge from 文科/理科 lines in the first 3+1+2
year), 有效分 per subject (赋分 subjects on their 赋分 in the 3+1+2 regime),
单上线/双上线, 命中率 and 贡献率 (:mod:`eduquality.analysis.online`)."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.cli.outlook import write_frames
from eduquality.cli.report import disclosed, user_option


@main.command()
@click.argument("exam")
@click.option("--track", default=None, metavar="TRACK",
              help="Only this track: 物理类, 历史类 (3+1+2), 文科, 理科. 只看该类别。")
@click.option("--out", default=None, metavar="ONLINE.xlsx",
              help="Write the lines, subject lines and 上线 counts of every unit to this Excel "
                   "file. 写出 Excel。")
@user_option
@pass_ctx
def online(ctx: Context, exam: str, track: str | None, out: str | None,
           user: str | None) -> None:
    """上线分析 of exam EXAM by track and line (本科批/特控线, 一本/二本): 有效分, 单上线/双上线,
    命中率 (双上线/单科上线) and 贡献率 (双上线/总分上线), as the operator (or --user) may see
    them. Cut-line analysis."""
    from eduquality.analysis.online import online_tables
    from eduquality.analysis.stored import stored_analysis
    from eduquality.errors import EduQualityError

    code = None if track is None else ctx.track(track)
    with ctx.open_db() as db:  # writes: the analysis is stored for pages and reports
        a = disclosed(ctx, db, stored_analysis(db, exam, ctx.settings), user, False)
    tables = online_tables(a.lines, a.subject_lines, a.online, code)
    if tables["lines"].empty:
        raise EduQualityError(ctx.t("cli.no_lines", exam=exam,
                                    track="" if track is None else f" ({track})"))
    click.echo(tables["lines"].to_string(index=False))
    bridge = dict(a.methods).get("bridge")
    if bridge is not None:  # the first 3+1+2 year: lines carried from 文科/理科 (the report's note)
        from eduquality.reports.labels import analysis_methods

        term, text = analysis_methods([("bridge", bridge)], ctx.lang)[0]
        click.echo(f"{term}：{text}" if ctx.lang != "en" else f"{term}: {text}")
    click.echo(tables["subject_lines"].round(2).to_string(index=False))
    on = tables["online"]
    district = on[on["level"] == "district"] if "level" in on.columns else on
    click.echo(district.round(3).to_string(index=False))
    write_frames(tables, out, ctx)
