"""`eduquality template stats` (the blank statistics templates) and `eduquality import stats
FILE` (statistics not in the student data: population, attainment, finance, salaries, school
conditions), each one library call."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, main, pass_ctx
from eduquality.cli.importing import _ERRORS_HELP, _FORCE_HELP, _USER_HELP, _run, import_


@main.group()
def template() -> None:
    """Blank templates to fill in. 空白填报模板。"""


@template.command("stats")
@click.option("--out", "out_dir", default="templates", show_default=True,
              type=click.Path(file_okay=False), help="Folder to write to. 输出文件夹。")
@pass_ctx
def template_stats(ctx: Context, out_dir: str) -> None:
    """The blank statistics templates (population, attainment, finance, salaries, school
    conditions, other). 统计数据填报模板。"""
    from eduquality.ingest.stats import write_stat_templates

    paths = write_stat_templates(out_dir, ctx.lang)
    ctx.say("cli.files_written", n=len(paths), folder=out_dir)


@import_.command("stats")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@pass_ctx
def import_stats_cmd(ctx: Context, file: str, errors: str | None, user: str | None,
                     force: bool) -> None:
    """Import statistics from a filled-in template (eduquality template stats). 导入统计数据。"""
    from eduquality.ingest.stats import import_stats

    _run(ctx, lambda db, progress: import_stats(db, file, lang=ctx.lang, user=user,
                                                errors=errors, force=force))
