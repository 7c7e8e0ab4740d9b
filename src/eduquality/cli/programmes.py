"""`eduquality template programmes` (the blank programmes workbook) and `eduquality import
programmes FILE` (三名工程: studios, members, mentoring, activities, training, rotations, the
principal reserve; partner schools; student support), each one library call; and
`eduquality programmes …`, the programmes' measures (:mod:`eduquality.analysis.programmes`)."""

from __future__ import annotations

import click

from eduquality.cli.app import Context, pass_ctx
from eduquality.cli.importing import _ERRORS_HELP, _FORCE_HELP, _USER_HELP, _run, import_
from eduquality.cli.stats import template


@template.command("programmes")
@click.option("--out", "out_dir", default="templates", show_default=True,
              type=click.Path(file_okay=False), help="Folder to write to. 输出文件夹。")
@pass_ctx
def template_programmes(ctx: Context, out_dir: str) -> None:
    """The blank programmes workbook (studios, members, mentoring, activities, training,
    rotations, principal reserve, partner schools, student support). 三名工程与结对资助填报模板。"""
    from eduquality.ingest.programmes import write_programme_template

    write_programme_template(out_dir, ctx.lang)
    ctx.say("cli.files_written", n=1, folder=out_dir)


@import_.command("programmes")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@pass_ctx
def import_programmes_cmd(ctx: Context, file: str, errors: str | None, user: str | None,
                          force: bool) -> None:
    """Import a filled-in programmes workbook (eduquality template programmes).
    导入三名工程、结对学校与学生资助数据。"""
    from eduquality.ingest.programmes import import_programmes

    _run(ctx, lambda db, progress: import_programmes(db, file, lang=ctx.lang, user=user,
                                                     errors=errors, force=force))
