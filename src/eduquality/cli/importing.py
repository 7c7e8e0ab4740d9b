"""`eduquality import roster|paper|scores|check FILE`: parse arguments, one library call, print.

Problems make the command exit with code 2 after listing them (at most 50 lines, the same
problem in many rows on one line, every row in the error file written next to the input or to
--errors PATH). ``import check`` is the dry run: what would be imported, nothing written.
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
_TEMPLATE_HELP = ("Apply the saved mapping template NAME (default: a template whose headers "
                  "match the file). 套用导入模板。")
_SAVE_HELP = "Save this import's mapping and options as template NAME. 保存为导入模板。"
_YEAR_HELP = ("School year of roster sheets without a 学年 column; default: the school year "
              "containing today (stated in the summary). 学年。")


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


def _template_lines(ctx: Context, result) -> None:
    if result.template and result.template_how == "headers":
        ctx.say("cli.template.matched", name=result.template)
    elif result.template:
        ctx.say("cli.template.applied", name=result.template)
    if result.template_saved:
        ctx.say("cli.template.saved", name=result.template_saved)


def _report(ctx: Context, result) -> None:
    _template_lines(ctx, result)
    if result.outcome == "unchanged":
        ctx.say("cli.import.unchanged", file=result.file)
        return
    counts = ctx.t("cli.list_sep").join(f"{k} {v}" for k, v in result.counts.items())
    ctx.say("cli.import.done", file=result.file, read=result.rows_read,
            written=result.rows_written, counts=counts, seconds=result.seconds)
    for note in result.note_lines(ctx.lang):
        click.echo(f"  {note}")


def _run(ctx: Context, call, exam: str | None = None) -> None:
    """Import; then, when the import wrote into ``exam``, analyse it and store the analysis
    (:func:`eduquality.analysis.stored.refresh_analyses`), so that the first page view after
    an import does not wait for it."""
    db = ctx.open_db()
    try:
        progress = _Progress(ctx)
        try:
            result = call(db, progress)
        finally:
            progress.stop()
        _report(ctx, result)
        if exam and result.outcome == "imported":
            _analyse_after_import(ctx, db, exam)
    finally:
        db.close()


def _analyse_after_import(ctx: Context, db, exam: str) -> None:
    from eduquality.analysis.stored import refresh_analyses

    started = time.perf_counter()
    ctx.say("cli.import.analysing", exam=exam)
    if refresh_analyses(db, ctx.settings, [exam]):
        ctx.say("cli.import.analysed", exam=exam, seconds=time.perf_counter() - started)


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
@click.option("--year", default=None, metavar="2021-2022", help=_YEAR_HELP)
@click.option("--exam", metavar="EXAM", default=None,
              help="Register the students' 考号 for this exam. 按考号登记考试。")
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@click.option("--template", default=None, metavar="NAME", help=_TEMPLATE_HELP)
@click.option("--save-template", default=None, metavar="NAME", help=_SAVE_HELP)
@pass_ctx
def roster(ctx: Context, file, kind, mapping, sheet, year, exam, errors, user, force,
           template, save_template) -> None:
    """Import a roster (district, years, schools, classes, teachers, students …). 导入名册。"""
    from eduquality.ingest import import_roster

    _run(ctx, lambda db, progress: import_roster(
        db, file, kind=kind, mapping=list(mapping), sheet=sheet, year=year, exam=exam,
        lang=ctx.lang, user=user, errors=errors, progress=progress, force=force,
        template=template, save_template=save_template))


@import_.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--exam", metavar="EXAM", default=None,
              help="Exam code the items belong to (when FILE has no 考试信息). 考试代码。")
@click.option("--exam-info", default=None, type=click.Path(dir_okay=False),
              help="A CSV with the 考试信息 fields (for a CSV item structure). 考试信息文件。")
@click.option("--map", "mapping", multiple=True, metavar="列名=field", help=_MAP_HELP)
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@click.option("--template", default=None, metavar="NAME", help=_TEMPLATE_HELP)
@click.option("--save-template", default=None, metavar="NAME", help=_SAVE_HELP)
@pass_ctx
def paper(ctx: Context, file, exam, exam_info, mapping, errors, user, force, template,
          save_template) -> None:
    """Import an exam and its papers' item structure. 导入考试信息与试卷结构。"""
    from eduquality.ingest import import_paper

    _run(ctx, lambda db, progress: import_paper(
        db, file, exam_id=exam, exam_info=exam_info, mapping=list(mapping), lang=ctx.lang,
        user=user, errors=errors, progress=progress, force=force, template=template,
        save_template=save_template), exam)


@import_.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--exam", metavar="EXAM", required=True, help="Exam code. 考试代码。")
@click.option("--subject", default=None,
              help="Subject of item-level columns (default: the sheet name). 学科。")
@click.option("--track", default=None,
              help="Paper track when a subject has several (文科/理科/物理类/历史类). 类别。")
@click.option("--map", "mapping", multiple=True, metavar="列名=field", help=_MAP_HELP)
@click.option("--sheet", default=None, help="Import only this sheet. 只导入该工作表。")
@click.option("--errors", default=None, type=click.Path(dir_okay=False), help=_ERRORS_HELP)
@click.option("--user", default=None, help=_USER_HELP)
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@click.option("--template", default=None, metavar="NAME", help=_TEMPLATE_HELP)
@click.option("--save-template", default=None, metavar="NAME", help=_SAVE_HELP)
@pass_ctx
def scores(ctx: Context, file, exam, subject, track, mapping, sheet, errors, user,
           force, template, save_template) -> None:
    """Import a score sheet (item level or subject totals) of an exam. 导入成绩。"""
    from eduquality.ingest import import_scores

    _run(ctx, lambda db, progress: import_scores(
        db, file, exam, subject, track=track, mapping=list(mapping), sheet=sheet,
        lang=ctx.lang, user=user, errors=errors, progress=progress, force=force,
        template=template, save_template=save_template), exam)


_KIND_LABEL = {"roster": ("名册", "roster"), "paper": ("考试与试卷结构", "exam and paper"),
               "scores": ("成绩", "scores"), "proficiency": ("合格考成绩", "合格考 results")}


@import_.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--as", "kind", type=click.Choice(["roster", "paper", "scores", "proficiency"]),
              default=None,
              help="Which import to try; default: from the file (paper structure headers; "
                   "scores when --exam is given; 合格考 results by their headers; else "
                   "roster). 按哪种导入检查。")
@click.option("--exam", metavar="EXAM", default=None,
              help="Exam code (score sheets; a roster checked --as roster: register its 考号 "
                   "for this exam). 考试代码。")
@click.option("--year", default=None, metavar="2021-2022", help=_YEAR_HELP)
@click.option("--subject", default=None, help="Subject of item-level columns. 学科。")
@click.option("--track", default=None, help="Paper track. 类别。")
@click.option("--kind", "roster_kind", default=None, help="Roster kind of every sheet. 名册类型。")
@click.option("--exam-info", default=None, type=click.Path(dir_okay=False),
              help="A CSV with the 考试信息 fields (paper structure CSV). 考试信息文件。")
@click.option("--map", "mapping", multiple=True, metavar="列名=field", help=_MAP_HELP)
@click.option("--sheet", default=None, help="Only this sheet. 只检查该工作表。")
@click.option("--template", default=None, metavar="NAME", help=_TEMPLATE_HELP)
@click.option("--errors", default=None, type=click.Path(dir_okay=False),
              help="Also write the problems to this file (.xlsx or .csv). 问题清单文件。")
@pass_ctx
def check(ctx: Context, file, kind, exam, year, subject, track, roster_kind, exam_info,
          mapping, sheet, template, errors) -> None:
    """Dry run: the kind, the column mapping, counts and problems; writes nothing.
    试导入：显示识别的类型、列映射、行数和问题，不写入数据库。"""
    from pathlib import Path

    from eduquality.ingest import check_file
    from eduquality.ingest.problems import ImportProblems, write_error_file

    db = ctx.open_db()
    try:
        result = check_file(db, file, kind=kind, exam_id=exam, subject=subject, track=track,
                            roster_kind=roster_kind, exam_info=exam_info,
                            mapping=list(mapping), sheet=sheet, template=template,
                            year=year, lang=ctx.lang)
    finally:
        db.close()
    en = ctx.lang == "en"
    label = _KIND_LABEL[result.kind][1 if en else 0]
    _template_lines(ctx, result)
    click.echo(f"{result.file}: {label} ({result.kind})" if en else
               f"{result.file}：{label}（{result.kind}）")
    for m in result.mapping:
        click.echo(f"  sheet '{m.sheet}' ({m.kind}), header row "
                   f"{', '.join(str(r + 1) for r in m.header_rows)}:" if en else
                   f"  工作表「{m.sheet}」（{m.kind}），表头第 "
                   f"{'、'.join(str(r + 1) for r in m.header_rows)} 行：")
        for letter, header, field in m.columns:
            shown = field if field != "-" else ("(ignored)" if en else "（忽略）")
            click.echo(f"    {letter}  {header} → {shown}")
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    click.echo(f"rows read: {result.rows_read}" + (f"; would write: {counts}" if counts else "")
               if en else f"读取 {result.rows_read} 行" + (f"；将写入：{counts}" if counts else ""))
    for note in result.note_lines(ctx.lang):
        click.echo(f"  {note}")
    if result.problems:
        written = write_error_file(result.problems, Path(errors), ctx.lang) if errors else None
        click.echo(ImportProblems(result.problems, ctx.lang, written).render())
        raise SystemExit(2)
    click.echo("no problems: the import would succeed (nothing was written)" if en else
               "没有问题：可以导入（本次未写入任何数据）")
