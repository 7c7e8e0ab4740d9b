"""`eduquality report district|school|class|student|set EXAM …`: write reports as PDF, Excel or
HTML under the publication policy (内部资料 unless --public).

Every report shows what its reader may see, by the rule the web pages apply
(:func:`eduquality.store.redaction.restrict_analysis`): the CLI runs as the district operator
(role researcher) or as the app user named by ``--user``; small units are withheld, with the
units that would give them back, for a reader without student-level access and in every
``--public`` document."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from eduquality.cli.app import Context, engine_option, main, pass_ctx

FORMATS = ["pdf", "xlsx", "html"]


def exam_analysis(ctx: Context, db: Any, exam: str, engine: str = "duckdb") -> Any:
    """EXAM's analysis: the stored one (computed and kept when not current) on DuckDB, or
    computed afresh with its aggregations on Spark (not stored: DuckDB's stays)."""
    if engine == "spark":
        from eduquality.analysis.spark.engine import analyse_on_spark

        return analyse_on_spark(db, exam, ctx.settings)
    from eduquality.analysis.stored import stored_analysis

    return stored_analysis(db, exam, ctx.settings)


def _options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = engine_option(func)
    func = click.option("--public", is_flag=True, default=False,
                        help="Cleared for publication: no 内部资料 mark; refused for school "
                             "comparisons of 中考/高考. 已批准公开发布。")(func)
    func = click.option("--out", "out", type=click.Path(), default=None, metavar="FILE|DIR",
                        help="The report file (default KIND-EXAM[-UNIT].FORMAT), or its folder "
                             "with --all (default KIND-EXAM). 输出文件（--all 时为文件夹）。")(func)
    func = click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                        help="pdf, xlsx or html (default: from --out, else pdf). 报告格式。")(func)
    func = user_option(func)
    return click.argument("exam")(func)


def user_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--user NAME`` (alias ``--as-user``): write as this app user, whose role decides what
    the report shows; default the district operator (researcher)."""
    return click.option("--user", "--as-user", "user", default=None, metavar="NAME",
                        help="Write as this app user (its role decides what the report shows; "
                             "default: the district operator). 以该用户身份生成。")(func)


def disclosed(ctx: Context, db: Any, analysis: Any, user: str | None, public: bool) -> Any:
    """``analysis`` as the operator (or ``user``) may see it, small units withheld: the web's
    rule (:func:`~eduquality.store.redaction.restrict_analysis`)."""
    from eduquality.analysis.exports import operator
    from eduquality.store.policy import scope_for
    from eduquality.store.redaction import restrict_analysis

    scope = scope_for(db, operator(db, user), ctx.lang)
    return restrict_analysis(analysis, scope, ctx.settings.min_unit_n, public=public)


_jobs = click.option("--jobs", "jobs", type=click.IntRange(1, 64), default=1,
                     help="With --all: processes rendering in parallel (default 1). "
                          "并行进程数。")


def _outlook(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--forecast", "forecast", is_flag=True, default=False,
                        help="Add the 高考 forecast and plan tracking (高三 mock exams). "
                             "增加高考上线预测与规划目标跟踪（高三诊断/模拟考试）。")(func)
    func = click.option("--va-prior", "va_priors", multiple=True, metavar="EXAM",
                        help="With --value-added: a prior exam of the same students (repeat "
                             "for two, most recent first), e.g. the 高一 期末 of a 高三 mock. "
                             "增值评价的前测考试。")(func)
    return click.option("--value-added", "value_added", default=None, metavar="SUBJECT",
                        help="Add value-added of SUBJECT (e.g. chinese, math, total) against "
                             "the cohort's earlier exams; internal documents only. "
                             "增加该科增值评价（仅内部资料）。")(func)


def _require_whole_district(ctx: Context, db: Any, user: str | None, what: str) -> Any:
    """UsageError unless the operator (or ``user``) sees every student of the district;
    returns their scope."""
    from eduquality.analysis.exports import operator
    from eduquality.store.policy import LEVELS, scope_for

    scope = scope_for(db, operator(db, user), ctx.lang)
    if set(scope.levels) != set(LEVELS) or any(
            f.restrictions() for f in scope.levels.values()):
        raise click.UsageError(
            f"{what} 仅供能查看全区所有学生的用户（教研员、管理员）使用 / "
            "only for users who see every student of the district (researcher, admin)")
    return scope


def _extras(ctx: Context, exam: str, subject: str | None, forecast: bool,
            user: str | None = None, priors: tuple[str, ...] = ()) -> dict[str, Any]:
    """Value-added, forecast and plan tracking of EXAM, as the report builders take them: for
    readers who see the whole district (their units and students are not cut to a scope)."""
    if subject is None and not forecast:
        return {}
    from eduquality.analysis.forecast import forecast_gaokao, plan_tracking
    from eduquality.analysis.value_added import value_added

    out: dict[str, Any] = {}
    with ctx.open_db(read_only=True) as db:
        _require_whole_district(ctx, db, user, "--value-added / --forecast")
        if subject is not None:
            out["value_added"] = value_added(db, exam, ctx.subject(subject), ctx.settings,
                                             priors=list(priors) or None)
        if forecast:
            out["forecast"] = forecast_gaokao(db, exam, with_backtest=True)
            out["plan"] = plan_tracking(db, step=ctx.settings.plan.step)
    return out


def _followup(ctx: Context, exam: str, school: str, user: str | None) -> Any:
    """The follow-up of EXAM's flagged students as the operator (or ``user``) may see it,
    ``school``'s rows and the district's; the reading is audited."""
    from eduquality.analysis.exports import operator
    from eduquality.analysis.followup import followup, restrict_followup
    from eduquality.store.audit import audit
    from eduquality.store.policy import scope_for
    from eduquality.store.scoped import require_school

    with ctx.open_db() as db:
        principal = operator(db, user)
        scope = scope_for(db, principal, ctx.lang)
        require_school(db, scope, school)
        fu = restrict_followup(followup(db, exam, ctx.settings), scope, school)
        audit(db, principal, "export", f"followup:{exam}/{school}", "report school")
    return fu


def _view(ctx: Context, exam: str, public: bool, user: str | None,
          engine: str = "duckdb") -> Any:
    from eduquality.reports.bundle import make_view
    from eduquality.reports.roster import with_identities

    with ctx.open_db(read_only=True) as db:
        analysis = disclosed(ctx, db, exam_analysis(ctx, db, exam, engine), user, public)
        analysis = with_identities(analysis, db)
    return make_view(analysis, ctx.settings, public=public)


def _write_one(ctx: Context, kind: str, exam: str, unit: str | None, fmt: str | None,
               out: str | None, public: bool, extras: dict[str, Any] | None = None,
               user: str | None = None, engine: str = "duckdb") -> None:
    from eduquality.reports.bundle import build_report, format_of, safe_name, write_report

    view = _view(ctx, exam, public, user, engine)
    fmt = format_of(out or "", fmt)
    name = f"{kind}-{safe_name(exam)}" + (f"-{safe_name(unit)}" if unit else "")
    path = write_report(build_report(view, kind, unit, **(extras or {})),
                        out or f"{name}.{fmt}", fmt)
    ctx.say("cli.written", path=path)


def _write_all(ctx: Context, kind: str, exam: str, fmt: str | None, out: str | None,
               public: bool, jobs: int, extras: dict[str, Any] | None = None,
               user: str | None = None, engine: str = "duckdb") -> None:
    from eduquality.reports.bundle import safe_name, write_unit_reports

    view = _view(ctx, exam, public, user, engine)
    folder = Path(out or f"{kind}-{safe_name(exam)}")
    paths = write_unit_reports(view, kind, folder, [fmt or "pdf"], workers=jobs,
                               **(extras or {}))
    ctx.say("cli.reports_written", n=len(paths), folder=folder)


@main.group()
def report() -> None:
    """Write reports: district bulletin, school, class, student. 生成质量监测通报与学校、班级、学生报告。"""


@report.command("district")
@_options
@_outlook
@pass_ctx
def district(ctx: Context, exam: str, fmt: str | None, out: str | None, public: bool,
             user: str | None, value_added: str | None, va_priors: tuple[str, ...],
             forecast: bool, engine: str = "duckdb") -> None:
    """The district bulletin (质量监测通报) of exam EXAM. 全区质量监测通报。"""
    _write_one(ctx, "district", exam, None, fmt, out, public,
               _extras(ctx, exam, value_added, forecast, user, va_priors), user, engine)


@report.command("school")
@_options
@click.option("--school", "school", default=None, metavar="CODE",
              help="School code. 学校代码。")
@click.option("--all", "all_", is_flag=True, default=False,
              help="One report per school into the --out folder. 每校一份，写入 --out 文件夹。")
@_jobs
@_outlook
@click.option("--followup", "followup", is_flag=True, default=False,
              help="Add the follow-up of the students flagged at EXAM (学困生, 弱科生, 临界生) "
                   "over the later exams; with --school, internal documents only. "
                   "增加学困生、弱科生、临界生帮扶跟踪（仅内部资料）。")
@pass_ctx
def school(ctx: Context, exam: str, fmt: str | None, out: str | None, public: bool,
           user: str | None, school: str | None, all_: bool, jobs: int,
           value_added: str | None, va_priors: tuple[str, ...], forecast: bool,
           followup: bool, engine: str = "duckdb") -> None:
    """A school's report for exam EXAM. 学校质量分析报告。"""
    if not all_ and school is None:
        raise click.UsageError("--school CODE 或 --all / --school CODE or --all")
    extras = _extras(ctx, exam, value_added, forecast, user, va_priors)
    if followup:
        if all_ or school is None:
            raise click.UsageError("--followup 需与 --school 一起使用 / --followup needs --school")
        extras["followup"] = _followup(ctx, exam, school, user)
    if all_:
        _write_all(ctx, "school", exam, fmt, out, public, jobs, extras, user, engine)
    else:
        _write_one(ctx, "school", exam, school, fmt, out, public, extras, user, engine)


@report.command("class")
@_options
@click.option("--class", "class_id", default=None, metavar="CLASS_ID",
              help="Class id. 班级编号。")
@click.option("--all", "all_", is_flag=True, default=False,
              help="One report per class into the --out folder. 每班一份，写入 --out 文件夹。")
@_jobs
@pass_ctx
def class_(ctx: Context, exam: str, fmt: str | None, out: str | None, public: bool,
           user: str | None, class_id: str | None, all_: bool, jobs: int,
           engine: str = "duckdb") -> None:
    """A class's report for its teachers, with the student list. 班级质量分析报告（含学生名单）。"""
    if all_:
        _write_all(ctx, "class", exam, fmt, out, public, jobs, user=user, engine=engine)
    elif class_id is None:
        raise click.UsageError("--class CLASS_ID 或 --all / --class CLASS_ID or --all")
    else:
        _write_one(ctx, "class", exam, class_id, fmt, out, public, user=user, engine=engine)


@report.command("student")
@_options
@click.option("--student", "student", required=True, metavar="NATIONAL_ID",
              help="The student's national ID (学籍号) or student number. 学生学籍号。")
@pass_ctx
def student(ctx: Context, exam: str, fmt: str | None, out: str | None, public: bool,
            user: str | None, student: str, engine: str = "duckdb") -> None:
    """A student's report for parents: own results only. 学生学业报告单（仅含本人结果）。"""
    from eduquality.reports.bundle import write_student_report

    with ctx.open_db(read_only=True) as db:
        analysis = disclosed(ctx, db, exam_analysis(ctx, db, exam, engine), user, public)
        path = write_student_report(analysis, db, student, out, fmt, settings=ctx.settings,
                                    public=public)
    ctx.say("cli.written", path=path)


@report.command("set")
@click.argument("exam")
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, metavar="DIR",
              help="Folder for the reports. 输出文件夹。")
@click.option("--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Formats (repeatable; default all three). 报告格式，可重复。")
@click.option("--public", is_flag=True, default=False,
              help="Cleared for publication (no 内部资料 mark). 已批准公开发布。")
@user_option
@engine_option
@pass_ctx
def report_set(ctx: Context, exam: str, out: str, formats: tuple[str, ...],
               public: bool, user: str | None, engine: str = "duckdb") -> None:
    """The bulletin, every school report, one class and one student report as examples.
    全区通报、各校报告及班级、学生报告示例。"""
    from eduquality.reports.bundle import write_report_set

    view = _view(ctx, exam, public, user, engine)
    paths = write_report_set(view.analysis, out, ctx.lang, formats or FORMATS,
                             settings=ctx.settings, public=public)
    ctx.say("cli.files_written", n=len(paths), folder=out)


@report.command("annual")
@click.argument("year", type=int)
@click.option("--plan", "plan_name", default=None,
              help="The action plan: a plan file or a shipped plan's name (default: the "
                   "settings' [plan] file). 行动计划文件或内置计划名。")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Folder for the report and the schools' sheets (default annual-YEAR). "
                   "输出文件夹。")
@click.option("--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Formats (repeatable; default pdf and xlsx). 报告格式，可重复。")
@click.option("--public", is_flag=True, default=False,
              help="Cleared for publication: the district's figures only, no school's "
                   "assessment, goals or sheets, no 内部资料 mark. 已批准公开发布（仅全区数据）。")
@click.option("--no-sheets", "no_sheets", is_flag=True, default=False,
              help="Leave out each school's assessment sheet. 不生成各校考核表。")
@user_option
@pass_ctx
def annual(ctx: Context, year: int, plan_name: str | None, out: str | None,
           formats: tuple[str, ...], public: bool, no_sheets: bool, user: str | None) -> None:
    """The district's annual education-quality report (年报) of the school year starting in
    YEAR, with a methods appendix, and each school's assessment sheet. 年度教育质量报告与各校考核表。"""
    from eduquality.analysis.annual import annual_data
    from eduquality.ingest.planfile import load_plan
    from eduquality.reports.bundle import write_annual_report

    plan = load_plan(plan_name or ctx.settings.plan.file, ctx.lang)
    with ctx.open_db(read_only=True) as db:
        scope = _require_whole_district(ctx, db, user, "report annual")
        data = annual_data(db, year, ctx.settings, plan)
    folder = Path(out or f"annual-{year}")
    paths = write_annual_report(data, folder, ctx.lang, formats or ("pdf", "xlsx"),
                                settings=ctx.settings, public=public, sheets=not no_sheets,
                                groups=scope.can("view_group_membership"))
    ctx.say("cli.files_written", n=len(paths), folder=folder)
