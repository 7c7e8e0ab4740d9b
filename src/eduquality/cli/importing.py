"""`eduquality import roster|paper|scores FILE`: parse arguments, one library call, print.

Problems make the command exit with code 2 after listing them (at most 50 lines, the rest in the
error file written next to the input or to --errors PATH).
"""

from __future__ import annotations

import time

import click

from eduquality.cli.app import Context, main, pass_ctx

_MAP_HELP = ("Map a column to a field: 列名=field (repeatable); 列名=- ignores the column. "
             "列名映射，可重复。")
_ERRORS_HELP = ("Where to write the list of problems (.xlsx or .csv); default next to FILE. "
                "问题清单文件路径。")
_USER_HELP = "Who imports (recorded in import_log); default: the OS user. 导入人。"
_FORCE_HELP = "Import even if this very file was imported before. 强制重新导入。"


class _Progress:
    """Steps with elapsed seconds, to stderr (keeps stdout for results)."""

    def __init__(self, ctx: Context) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.started = time.perf_counter()
        self.status = self.console.status("…")
        self.status.start()

    def __call__(self, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        self.status.update(f"{message} ({elapsed:.1f}s)")

    def stop(self) -> None:
        self.status.stop()


def _report(ctx: Context, result) -> None:
    if result.outcome == "unchanged":
        ctx.say(f"文件 {result.file} 与上次导入的完全相同，未作改动（已记录）",
                f"{result.file} is identical to the last import: nothing changed (logged)")
        return
    counts = "，".join(f"{k} {v}" for k, v in result.counts.items())
    counts_en = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    ctx.say(f"已导入 {result.file}：读取 {result.rows_read} 行，写入 {result.rows_written} 行"
            f"（{counts}），用时 {result.seconds:.1f} 秒",
            f"imported {result.file}: {result.rows_read} rows read, {result.rows_written} "
            f"written ({counts_en}) in {result.seconds:.1f} s")
    for note in result.notes:  # already in the user's language
        ctx.say(f"  {note}", f"  {note}")


def _run(ctx: Context, call) -> None:
    db = ctx.open_db()
    progress = _Progress(ctx)
    try:
        result = call(db, progress)
    finally:
        progress.stop()
        db.close()
    _report(ctx, result)


@main.group(name="import")
def import_() -> None:
    """Import rosters, paper definitions and scores from .xlsx/.xls/.csv. 导入名册、试卷结构、成绩。"""


@import_.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--kind", default=None,
              help="Roster kind of every sheet (schools, aliases, classes, students, teachers, "
                   "assignments, events, district, years, stats); default: from the headers. "
                   "名册类型。")
@click.option("--map", "mapping", multiple=True, metavar="列名=field", help=_MAP_HELP)
@click.option("--sheet", default=None, help="Import only this sheet. 只导入该工作表。")
@click.option("--year", default=None, metavar="2021-2022",
              help="School year of sheets without a 学年 column; default: the school year "
                   "containing today (stated in the summary). 学年。")
@click.option("--exam", "exam_id", default=None,
              help="Register the students' 考号 for this exam. 按考号登记考试。")
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@pass_ctx
def roster(ctx: Context, file, kind, mapping, sheet, year, exam_id, errors, user,
           force) -> None:
    """Import a roster (district, years, schools, classes, teachers, students …). 导入名册。"""
    from eduquality.ingest import import_roster

    _run(ctx, lambda db, progress: import_roster(
        db, file, kind=kind, mapping=list(mapping), sheet=sheet, year=year, exam=exam_id,
        lang=ctx.lang, user=user, errors=errors, progress=progress, force=force))


@import_.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--exam", "exam_id", default=None,
              help="Exam code the items belong to (when FILE has no 考试信息). 考试代码。")
@click.option("--exam-info", default=None, type=click.Path(dir_okay=False),
              help="A CSV with the 考试信息 fields (for a CSV item structure). 考试信息文件。")
@click.option("--map", "mapping", multiple=True, metavar="列名=field", help=_MAP_HELP)
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@pass_ctx
def paper(ctx: Context, file, exam_id, exam_info, mapping, errors, user, force) -> None:
    """Import an exam and its papers' item structure. 导入考试信息与试卷结构。"""
    from eduquality.ingest import import_paper

    _run(ctx, lambda db, progress: import_paper(
        db, file, exam_id=exam_id, exam_info=exam_info, mapping=list(mapping), lang=ctx.lang,
        user=user, errors=errors, progress=progress, force=force))


@import_.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--exam", "exam_id", required=True, help="Exam code. 考试代码。")
@click.option("--subject", default=None,
              help="Subject of item-level columns (default: the sheet name). 学科。")
@click.option("--track", default=None,
              help="Paper track when a subject has several (文科/理科/物理类/历史类). 类别。")
@click.option("--map", "mapping", multiple=True, metavar="列名=field", help=_MAP_HELP)
@click.option("--sheet", default=None, help="Import only this sheet. 只导入该工作表。")
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@pass_ctx
def scores(ctx: Context, file, exam_id, subject, track, mapping, sheet, errors, user,
           force) -> None:
    """Import a score sheet (item level or subject totals) of an exam. 导入成绩。"""
    from eduquality.ingest import import_scores

    _run(ctx, lambda db, progress: import_scores(
        db, file, exam_id, subject, track=track, mapping=list(mapping), sheet=sheet,
        lang=ctx.lang, user=user, errors=errors, progress=progress, force=force))
